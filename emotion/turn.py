"""Where WebRTC finds its ICE servers, and short-lived TURN credentials for a relay of one's own.

A TURN relay carries the media when the browser and the server cannot reach each other directly
(NAT, firewalls). A self-hosted coturn with `use-auth-secret` shares one secret with the app; the
app mints each session a username that ends at a set time and a password signed with the secret
(the "TURN REST API" scheme coturn implements), so no long-lived password ever reaches a browser
and a leaked one stops working on its own.

Configuration is by environment only (a container or a Kubernetes Secret sets it):

- EMOTION_TURN_URLS: the relay's addresses, comma-separated ("turn:turn.example.org:3478?transport=udp,...")
- EMOTION_TURN_SECRET: coturn's `static-auth-secret`
- EMOTION_TURN_TTL_S: how long a session's credentials last (default 6 hours: a school day's session;
  coturn checks them when a stream starts and when its relay is refreshed)
- EMOTION_ICE_SERVERS: a JSON list of fixed ICE servers (STUN, or TURN with a fixed password)
- EMOTION_ICE_TRANSPORT_POLICY: "relay" makes the browser use relayed paths only (for testing a relay,
  and for networks where direct paths must not be used); "all" (the default) lets it choose.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Mapping

DEFAULT_TTL_S = 6 * 3600
TRANSPORT_POLICIES = ("all", "relay")


class IceConfigurationError(ValueError):
    """The ICE settings in the environment cannot be used; the message says which and why."""


def turn_credentials(secret: str, expires_at: int, user: str) -> tuple[str, str]:
    """coturn's `use-auth-secret` credentials: username "<expiry>:<user>", password the base64 of
    HMAC-SHA1(secret, username). The relay recomputes the password from the username alone."""
    username = f"{expires_at}:{user}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


@dataclass(frozen=True)
class TurnRelay:
    """A relay that takes credentials minted from a shared secret."""

    urls: tuple[str, ...]
    secret: str
    ttl_s: int = DEFAULT_TTL_S

    def ice_server(self, now: float, user: str) -> dict[str, Any]:
        """The relay as one RTCIceServer entry, with credentials valid for `ttl_s` from `now`."""
        username, password = turn_credentials(self.secret, int(now) + self.ttl_s, user)
        return {"urls": list(self.urls), "username": username, "credential": password}


def turn_relay(environ: Mapping[str, str]) -> TurnRelay | None:
    """The relay EMOTION_TURN_URLS and EMOTION_TURN_SECRET describe, or None when neither is set."""
    urls = tuple(url.strip() for url in environ.get("EMOTION_TURN_URLS", "").split(",") if url.strip())
    secret = environ.get("EMOTION_TURN_SECRET", "")
    if not urls and not secret:
        return None
    if not urls or not secret:
        missing = "EMOTION_TURN_SECRET" if urls else "EMOTION_TURN_URLS"
        raise IceConfigurationError(f"The TURN relay needs both EMOTION_TURN_URLS and EMOTION_TURN_SECRET; {missing} is not set.")
    bad = [url for url in urls if not url.startswith(("turn:", "turns:"))]
    if bad:
        raise IceConfigurationError(f"EMOTION_TURN_URLS takes turn: or turns: addresses, not {', '.join(bad)}.")
    try:
        ttl_s = int(environ.get("EMOTION_TURN_TTL_S", DEFAULT_TTL_S))
    except ValueError:
        raise IceConfigurationError("EMOTION_TURN_TTL_S is a number of seconds.") from None
    if ttl_s < 60:
        raise IceConfigurationError("EMOTION_TURN_TTL_S is at least 60 seconds.")
    return TurnRelay(urls, secret, ttl_s)


def fixed_ice_servers(environ: Mapping[str, str]) -> list[dict[str, Any]] | None:
    """EMOTION_ICE_SERVERS as a list of RTCIceServer entries, or None when it is not set."""
    text = environ.get("EMOTION_ICE_SERVERS")
    if text is None:
        return None
    try:
        servers = json.loads(text)
    except json.JSONDecodeError as error:
        raise IceConfigurationError(f"EMOTION_ICE_SERVERS is not valid JSON ({error.msg}).") from None
    if not isinstance(servers, list) or not all(isinstance(server, dict) and "urls" in server for server in servers):
        raise IceConfigurationError('EMOTION_ICE_SERVERS is a JSON list of servers, e.g. [{"urls": "stun:stun.example.org"}].')
    return servers


def transport_policy(environ: Mapping[str, str]) -> str:
    """EMOTION_ICE_TRANSPORT_POLICY: "all" or "relay"."""
    policy = environ.get("EMOTION_ICE_TRANSPORT_POLICY", "all").strip().lower() or "all"
    if policy not in TRANSPORT_POLICIES:
        raise IceConfigurationError(f"EMOTION_ICE_TRANSPORT_POLICY is \"all\" or \"relay\", not \"{policy}\".")
    return policy
