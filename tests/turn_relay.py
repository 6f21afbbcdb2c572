"""A real TURN relay for the tests: Debian's coturn on loopback, taking credentials minted from a
shared secret (`use-auth-secret`), as the compose file and the Kubernetes manifests run it. Plain
code, no pytest."""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path

from app_server import LoggedProcess, free_port

START_TIMEOUT_S = 20


class CoturnRelay(LoggedProcess):
    """`with CoturnRelay(log_path) as relay:` a turnserver on 127.0.0.1:`relay.port`; `relay.url`
    and `relay.secret` are what the app's EMOTION_TURN_URLS and EMOTION_TURN_SECRET take."""

    def __init__(self, log_path: Path) -> None:
        if shutil.which("turnserver") is None:
            raise RuntimeError("coturn is not installed; ./scripts/test installs it")
        self.port = free_port()
        self.secret = secrets.token_hex(16)
        self.url = f"turn:127.0.0.1:{self.port}?transport=udp"
        relay_ports = free_port()
        super().__init__(
            ["turnserver", "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", f"--listening-port={self.port}",
             f"--min-port={relay_ports}", f"--max-port={relay_ports + 40}", "--use-auth-secret",
             f"--static-auth-secret={self.secret}", "--realm=emotion-mirror.test", "--fingerprint",
             "--allow-loopback-peers",  # the app and the browser both sit on loopback here
             "--no-tls", "--no-dtls", "--no-tcp", "--no-cli", "--log-file=stdout", "--simple-log", "--verbose"],
            log_path)

    def __enter__(self) -> CoturnRelay:
        deadline = time.monotonic() + START_TIMEOUT_S
        while f"127.0.0.1:{self.port}" not in self.log():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"turnserver did not start:\n{self.log()[-3000:]}")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
