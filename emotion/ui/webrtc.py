"""The WebRTC side of the Live and Practice pages: one Start/Stop component wired to a
LiveSession (`live_stream`), its sentence when media stop (`stalled_warning`), and where WebRTC
finds its ICE (STUN/TURN) servers (`ice_configuration`).

ICE servers: `[[ice_servers]]` in st.secrets (how Streamlit Community Cloud holds TURN
credentials), else the EMOTION_ICE_SERVERS environment variable (JSON list, e.g. "[]" for a
loopback-only test run); then a self-hosted relay (EMOTION_TURN_URLS + EMOTION_TURN_SECRET) with
credentials minted for this session (emotion/turn.py). With none of them, streamlit-webrtc chooses:
Cloudflare, Twilio or Hugging Face TURN when their credentials are in the environment, else
Google's public STUN. EMOTION_ICE_TRANSPORT_POLICY=relay keeps the browser to relayed paths.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any

import streamlit as st
from aiortc.exceptions import InvalidStateError
from streamlit_webrtc import WebRtcMode, create_audio_sink_track, webrtc_streamer
from streamlit_webrtc.eventloop import get_global_event_loop

from emotion.live import LiveSession
from emotion.turn import IceConfigurationError, TurnRelay, fixed_ice_servers, transport_policy, turn_relay
from emotion.ui.models import model_missing_note

CAMERA = {"width": {"ideal": 480}, "height": {"ideal": 360}, "frameRate": {"ideal": 15, "max": 20}}
"""A modest camera size and rate: the server decodes and re-encodes every frame, and on a small
CPU that costs more than the models do."""
VIDEO_ATTRS = {"autoPlay": True, "controls": True, "style": {"width": "100%", "aspectRatio": "4 / 3", "objectFit": "contain"}}
"""The video keeps the camera's 4:3 box from the moment Start is pressed: without it the box grows
when the first picture arrives and the Stop button jumps down under the pointer (measured: 90-136
px within a second of the first frames; a click in that moment missed the button)."""


TURN_RENEW_S = 600
"""A session's relay credentials are minted again when less than this is left of them: never mid-stream
in practice (they last hours), and the component sees the same settings on every rerun till then."""


def _secret_ice_servers() -> list[dict[str, Any]] | None:
    try:
        servers = st.secrets.get("ice_servers")
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        servers = None
    return [dict(server) for server in servers] if servers else None


def _session_relay(relay: TurnRelay) -> dict[str, Any]:
    """This session's entry for the relay, minted once and kept until it is nearly spent."""
    now = time.time()
    kept = st.session_state.get("turn_server")
    if kept is None or kept[0] - now < min(TURN_RENEW_S, relay.ttl_s / 2):
        kept = (now + relay.ttl_s, relay.ice_server(now, user="emotion-mirror"))
        st.session_state.turn_server = kept
    return kept[1]


def ice_configuration() -> dict[str, Any] | None:
    """The RTCConfiguration for both ends, or None to let streamlit-webrtc choose; settings that
    cannot be used get a sentence on the page and are left out."""
    try:
        servers = _secret_ice_servers() or fixed_ice_servers(os.environ)
        relay = turn_relay(os.environ)
        policy = transport_policy(os.environ)
    except IceConfigurationError as error:
        st.error(f"This server's WebRTC settings cannot be used, so Live may not connect: {error}", icon="🛠️")
        return None
    if relay is not None:
        servers = (servers or []) + [_session_relay(relay)]
    configuration: dict[str, Any] = {} if servers is None else {"iceServers": servers}
    if policy == "relay":
        configuration["iceTransportPolicy"] = "relay"
    return configuration or None


logger = logging.getLogger(__name__)


class QuietTeardown:
    """An event loop's exception handler: a connection that closes while aiortc is still starting
    it (Stop pressed, or the tab closed, during the ICE handshake) ends aiortc's connect task with
    InvalidStateError, which asyncio would print as a traceback nobody can act on; it becomes one
    line. Anything else goes to the handler that was there before, or asyncio's default."""

    def __init__(self, previous=None) -> None:
        self.previous = previous

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, InvalidStateError) and "closed" in str(error):
            logger.info("A WebRTC connection closed while it was still starting (%s).", error)
        elif self.previous is not None:
            self.previous(loop, context)
        else:
            loop.default_exception_handler(context)


def _install_quiet_teardown(loop: asyncio.AbstractEventLoop) -> None:
    if not isinstance(loop.get_exception_handler(), QuietTeardown):
        loop.set_exception_handler(QuietTeardown(loop.get_exception_handler()))


def live_stream(session: LiveSession, key: str, camera: bool, microphone: bool) -> bool:
    """The Start/Stop component, wired to `session`; returns whether the stream plays.

    Sound goes to a sink, which receives every frame and sends nothing back (no echo); video
    goes through the queued callback, which sees every frame and analyses the newest. The sink's
    on_ended stops the speech worker: a tab closed mid-stream never reruns the page."""
    if camera and session.analyzer is None:
        model_missing_note("face")
    if microphone and session.speech is None:
        model_missing_note("speech")
    loop = get_global_event_loop()
    loop.call_soon_threadsafe(_install_quiet_teardown, loop)
    context = webrtc_streamer(
        key=key,
        mode=WebRtcMode.SENDRECV,
        rtc_configuration=ice_configuration(),
        media_stream_constraints={"video": CAMERA if camera else False, "audio": microphone},
        video_html_attrs=VIDEO_ATTRS,
        queued_video_frames_callback=session.on_video_frames if camera else None,
        sink_audio_track=create_audio_sink_track(session.on_audio, key=f"{key}-sound", on_ended=session.stop)
        if microphone else None,
        async_processing=True,
    )
    if context.state.playing:
        session.playing()
    else:
        session.stop()
    return context.state.playing


def stalled_warning(session: LiveSession, camera: bool, microphone: bool) -> None:
    """A sentence when the camera or microphone in use stopped sending (see LiveSession.media_stalled)."""
    stalled = session.media_stalled(camera=camera, microphone=microphone)
    if stalled:
        st.warning(stalled, icon="📵")
