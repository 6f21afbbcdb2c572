"""Several replicas behind one proxy (compose.yaml, deploy/haproxy.cfg): which replica serves a
session, and a sentence for a person whose replica stopped.

A session lives in one app process: its page, its websocket and its WebRTC signalling. When that
process stops, Streamlit's page reconnects through the proxy, lands on another replica and starts
a fresh session there, so a live stream has ended and the page has started over. The proxy tells
each request which replica it goes to (REPLICA_HEADER) and gives the browser a cookie naming the
replica that holds its session, set when the page's websocket opens (REPLICA_COOKIE); a session
whose websocket arrives with another replica's name was moved. Without such a proxy neither is
set and nothing is said.
"""

from __future__ import annotations

import logging

import streamlit as st

from emotion.i18n import N_, _

REPLICA_HEADER = "X-Emotion-Replica"
REPLICA_COOKIE = "emotion_replica"
MOVED = N_("The server you were on stopped, so this page started again on another one: a live stream "
           "or a reading in progress there has ended. Start it again here to go on.")

logger = logging.getLogger(__name__)
if not logger.handlers:  # the replicas' logs count sessions (tests/test_replicas.py); Streamlit shows warnings only
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s emotion.replica %(message)s"))
    logger.addHandler(_handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def moved_from() -> str | None:
    """The replica that served this browser before, when it is not this one."""
    served_by = st.context.headers.get(REPLICA_HEADER)
    before = st.context.cookies.get(REPLICA_COOKIE)
    return before if served_by and before and before != served_by else None


def greet_session() -> None:
    """Once per session: log its start on this replica, and say so when the browser was moved here."""
    if "replica_moved_from" not in st.session_state:
        st.session_state.replica_moved_from = moved_from()
        served_by = st.context.headers.get(REPLICA_HEADER, "-")
        logger.info("session started on replica %s (moved from %s)", served_by, st.session_state.replica_moved_from or "-")
    if st.session_state.replica_moved_from:
        st.warning(_(MOVED), icon="🔁")
