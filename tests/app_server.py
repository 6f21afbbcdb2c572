"""The real app served by `streamlit run` on a free port, and the flags that give Debian's
chromium a fake camera and microphone. Plain code, no pytest: the browser tests' fixtures and
benchmarks/live.py both start the app through here."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
SERVER_START_TIMEOUT_S = 90

# Flags: fake media devices that need no permission prompt, and no background traffic (this
# machine has no network beyond package registries, and CI should not depend on one).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


def chromium_args(video: Path | None = None, audio: Path | None = None) -> list[str]:
    """CHROMIUM_ARGS, with generated files as the fake camera (.y4m) and microphone (.wav)."""
    args = list(CHROMIUM_ARGS)
    if video:
        args.append(f"--use-file-for-fake-video-capture={video}")
    if audio:
        args.append(f"--use-file-for-fake-audio-capture={audio}")
    return args


def answers_health_check(url: str, timeout_s: float, still_running: Callable[[], bool] = lambda: True) -> bool:
    """Whether Streamlit's health endpoint at `url` (the app, or a proxy in front of it) says "ok"
    within `timeout_s`; polls every 0.3 s and gives up early once `still_running()` is false."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and still_running():
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().strip() == b"ok":
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LoggedProcess:
    """A server process whose output goes to `log_path`: `log()` reads it, `stop()` ends the process."""

    STOP_TIMEOUT_S = 15

    def __init__(self, command: Sequence[str], log_path: Path, **popen) -> None:
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(list(command), stdout=self._log, stderr=subprocess.STDOUT, **popen)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=self.STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


class StreamlitServer(LoggedProcess):
    """A running `streamlit run app.py`; `url` is its base address, `log()` what it printed.

    `command_prefix` goes before the command (e.g. `["taskset", "-c", "0"]`, which execs it, so
    `process.pid` stays the server's own); `env` adds to the environment; `file_watcher` None
    leaves the watcher to .streamlit/config.toml, as `./scripts/app` starts it."""

    def __init__(self, log_path: Path, command_prefix: Sequence[str] = (), env: dict[str, str] | None = None,
                 file_watcher: str | None = "none") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            [*command_prefix, sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false",
             *(["--server.fileWatcherType", file_watcher] if file_watcher else [])],
            log_path, cwd=REPO,
            # Loopback only: no STUN lookups on a machine without internet.
            env={**os.environ, "EMOTION_ICE_SERVERS": "[]", **(env or {})},
        )

    def wait_healthy(self) -> None:
        if not answers_health_check(self.url, SERVER_START_TIMEOUT_S, still_running=lambda: self.process.poll() is None):
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log()}")
            raise TimeoutError(f"streamlit did not become healthy in {SERVER_START_TIMEOUT_S}s:\n{self.log()}")

    def __enter__(self) -> StreamlitServer:
        """`with StreamlitServer(...) as server:` waits until it answers and stops it afterwards
        (also when it never came up)."""
        try:
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
