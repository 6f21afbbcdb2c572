"""The ICE settings the app reads from its environment, and the TURN credentials it mints from a
relay's shared secret. That coturn accepts those credentials is shown end to end by
tests/test_live_browser.py (Live through a relay of its own, relayed paths only)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from emotion.turn import DEFAULT_TTL_S, IceConfigurationError, fixed_ice_servers, transport_policy, turn_relay

RELAY = {"EMOTION_TURN_URLS": "turn:turn.example.org:3478?transport=udp, turns:turn.example.org:5349",
         "EMOTION_TURN_SECRET": "s3cret"}


def test_a_relay_mints_credentials_that_end_and_are_signed_with_the_secret():
    relay = turn_relay(RELAY)
    assert relay.urls == ("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349")
    assert relay.ttl_s == DEFAULT_TTL_S
    server = relay.ice_server(now=1_000_000.7, user="emotion-mirror")
    assert server["urls"] == list(relay.urls)
    assert server["username"] == f"{1_000_000 + DEFAULT_TTL_S}:emotion-mirror"
    signed = hmac.new(b"s3cret", server["username"].encode(), hashlib.sha1).digest()
    assert base64.b64decode(server["credential"]) == signed
    later = relay.ice_server(now=1_000_060, user="emotion-mirror")
    assert later["credential"] != server["credential"]  # each expiry its own password
    assert turn_relay({**RELAY, "EMOTION_TURN_TTL_S": "600"}).ice_server(0, "x")["username"] == "600:x"


def test_no_relay_without_settings_and_a_sentence_for_each_unusable_one():
    assert turn_relay({}) is None and fixed_ice_servers({}) is None and transport_policy({}) == "all"
    assert transport_policy({"EMOTION_ICE_TRANSPORT_POLICY": " Relay "}) == "relay"
    assert fixed_ice_servers({"EMOTION_ICE_SERVERS": '[{"urls": "stun:stun.example.org"}]'}) == [
        {"urls": "stun:stun.example.org"}]
    unusable = [
        ({"EMOTION_TURN_URLS": "turn:a:3478"}, "EMOTION_TURN_SECRET is not set"),
        ({"EMOTION_TURN_SECRET": "x"}, "EMOTION_TURN_URLS is not set"),
        ({**RELAY, "EMOTION_TURN_URLS": "stun:a:3478"}, "turn: or turns: addresses, not stun:a:3478"),
        ({**RELAY, "EMOTION_TURN_TTL_S": "an hour"}, "is a number of seconds"),
        ({**RELAY, "EMOTION_TURN_TTL_S": "5"}, "at least 60 seconds"),
    ]
    for environ, words in unusable:
        with pytest.raises(IceConfigurationError, match=words):
            turn_relay(environ)
    with pytest.raises(IceConfigurationError, match="not valid JSON"):
        fixed_ice_servers({"EMOTION_ICE_SERVERS": "[{"})
    with pytest.raises(IceConfigurationError, match="a JSON list of servers"):
        fixed_ice_servers({"EMOTION_ICE_SERVERS": '{"urls": "stun:a"}'})
    with pytest.raises(IceConfigurationError, match='"all" or "relay", not "direct"'):
        transport_policy({"EMOTION_ICE_TRANSPORT_POLICY": "direct"})
