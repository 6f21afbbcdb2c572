"""Where WebRTC finds its ICE (STUN/TURN) servers.

In order: `[[ice_servers]]` in st.secrets (how Streamlit Community Cloud holds TURN
credentials), then the EMOTION_ICE_SERVERS environment variable (JSON list, e.g. "[]" for a
loopback-only test run), else None, which lets streamlit-webrtc choose: Cloudflare, Twilio or
Hugging Face TURN when their credentials are in the environment, else Google's public STUN.
"""

from __future__ import annotations

import json
import os
from typing import Any

import streamlit as st


def ice_configuration() -> dict[str, Any] | None:
    try:
        servers = st.secrets.get("ice_servers")
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        servers = None
    if servers:
        return {"iceServers": [dict(server) for server in servers]}
    from_env = os.environ.get("EMOTION_ICE_SERVERS")
    if from_env is not None:
        return {"iceServers": json.loads(from_env)}
    return None
