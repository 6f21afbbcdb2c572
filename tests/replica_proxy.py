"""HAProxy in front of app replicas on loopback, configured as deploy/haproxy.cfg configures it for
compose.yaml but with the replicas named by address instead of found through compose's DNS.
Plain code, no pytest."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from app_server import REPO, LoggedProcess, answers_health_check, free_port

START_TIMEOUT_S = 20


def replica_proxy_config(ports: list[int], listen_port: int) -> str:
    """deploy/haproxy.cfg, listening on loopback and with one `server appN` line per replica port."""
    config = (REPO / "deploy" / "haproxy.cfg").read_text()
    config = re.sub(r"\nresolvers compose\n(?:    .*\n)+", "\n", config)
    config = config.replace("bind :8501", f"bind 127.0.0.1:{listen_port}")
    servers = "\n".join(f"    server app{i} 127.0.0.1:{port} check" for i, port in enumerate(ports, start=1))
    replaced = re.sub(r"    server-template .*", servers, config)
    assert replaced != config and "resolvers" not in replaced.replace("init-addr", ""), "deploy/haproxy.cfg changed shape"
    return replaced


class ReplicaProxy(LoggedProcess):
    """`with ReplicaProxy(folder, ports) as proxy:` HAProxy on `proxy.url` in front of the replicas."""

    def __init__(self, folder: Path, ports: list[int]) -> None:
        if shutil.which("haproxy") is None:
            raise RuntimeError("haproxy is not installed; ./scripts/test installs it")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = folder / "haproxy.cfg"
        config.write_text(replica_proxy_config(ports, self.port))
        super().__init__(["haproxy", "-db", "-f", str(config)], folder / "haproxy.log",
                         env={**os.environ, "COOKIE_KEY": "replica-test"})

    def __enter__(self) -> ReplicaProxy:
        if answers_health_check(self.url, START_TIMEOUT_S, still_running=lambda: self.process.poll() is None):
            return self
        self.stop()
        raise RuntimeError(f"haproxy did not pass requests on:\n{self.log()[-3000:]}")

    def __exit__(self, *exc_info) -> None:
        self.stop()
