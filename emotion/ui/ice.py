"""Where WebRTC finds its ICE (STUN/TURN) servers, for the Live and Practice pages' component.

ICE servers: `[[ice_servers]]` in st.secrets (how Streamlit Community Cloud holds TURN
credentials), else the EMOTION_ICE_SERVERS environment variable (JSON list, e.g. "[]" for a
loopback-only test run); then a self-hosted relay (EMOTION_TURN_URLS + EMOTION_TURN_SECRET) with
credentials minted for this session (emotion/turn.py). With none of them, streamlit-webrtc chooses:
Cloudflare, Twilio or Hugging Face TURN when their credentials are in the environment, else
Google's public STUN. EMOTION_ICE_TRANSPORT_POLICY=relay keeps the browser to relayed paths.
Apart from emotion/ui/webrtc.py so that reading the settings does not import the WebRTC stack.
"""

from __future__ import annotations

import os
import time
from typing import Any

import streamlit as st

from emotion.i18n import _

from emotion.turn import IceConfigurationError, TurnRelay, fixed_ice_servers, transport_policy, turn_relay

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
        # The reason names the server's settings (environment variables): for whoever runs it, in English.
        st.error(_("This server's WebRTC settings cannot be used, so Live may not connect: {reason}").format(
            reason=error), icon="🛠️")
        return None
    if relay is not None:
        servers = (servers or []) + [_session_relay(relay)]
    configuration: dict[str, Any] = {} if servers is None else {"iceServers": servers}
    if policy == "relay":
        configuration["iceTransportPolicy"] = "relay"
    return configuration or None
