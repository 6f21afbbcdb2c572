"""The WebRTC side of the Live and Practice pages: one Start/Stop component wired to a
LiveSession (`live_stream`) and its sentence when media stop (`stalled_warning`). Where WebRTC
finds its ICE (STUN/TURN) servers: emotion/ui/ice.py.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import streamlit as st
from aiortc.exceptions import InvalidStateError
from streamlit_webrtc import WebRtcMode, create_audio_sink_track, webrtc_streamer
from streamlit_webrtc.eventloop import get_global_event_loop

from emotion.i18n import _
from emotion.live import LiveSession
from emotion.ui.ice import ice_configuration
from emotion.ui.models import model_missing_note

CAMERA = {"width": {"ideal": 480}, "height": {"ideal": 360}, "frameRate": {"ideal": 15, "max": 20}}
"""A modest camera size and rate: the server decodes and re-encodes every frame, and on a small
CPU that costs more than the models do."""
VIDEO_ATTRS = {"autoPlay": True, "controls": True, "style": {"width": "100%", "aspectRatio": "4 / 3", "objectFit": "contain"}}
"""The video keeps the camera's 4:3 box from the moment Start is pressed: without it the box grows
when the first picture arrives and the Stop button jumps down under the pointer (measured: 90-136
px within a second of the first frames; a click in that moment missed the button). `video_attributes`
adds its text alternative, which says where the readings are in words."""

logger = logging.getLogger(__name__)


def video_attributes() -> dict[str, Any]:
    return {**VIDEO_ATTRS, "aria-label": _("Your camera as the mirror sees it, a box and a label on each face; the "
                                           "labels are also written beside the video")}


def component_words() -> dict[str, str]:
    """The component's own buttons and messages in the page's language (streamlit-webrtc's `translations`)."""
    return {
        "start": _("Start"), "stop": _("Stop"), "select_device": _("Select device"),
        "media_api_not_available": _("This browser cannot use a camera or microphone here."),
        "device_ask_permission": _("Please allow the camera and microphone."),
        "device_not_available": _("No camera or microphone was found."),
        "device_access_denied": _("The browser was not allowed to use the camera or microphone."),
        "turn_camera_on": _("Turn the camera on"), "turn_camera_off": _("Turn the camera off"),
        "mute_microphone": _("Mute the microphone"), "unmute_microphone": _("Unmute the microphone"),
        "select_camera": _("Choose a camera"), "select_microphone": _("Choose a microphone"),
    }


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
        video_html_attrs=video_attributes(),
        translations=component_words(),
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
