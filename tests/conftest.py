"""Shared fixtures: the real app served by `streamlit run` and driven by Debian's chromium.

The server fixture starts `streamlit run app.py` on a free port, waits for its health check,
keeps its log under artifacts/, and stops it at the end. The browser fixture launches chromium
with a fake camera and microphone; tests that need particular media launch their own with
`launch_browser(video=..., audio=...)` (generated .y4m / .wav files).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StreamlitServer:
    """A running `streamlit run app.py`; `url` is its base address, `log()` what it printed."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT,
            # Loopback only: no STUN lookups on a machine without internet.
            env={**os.environ, "EMOTION_ICE_SERVERS": "[]"},
        )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as reply:
                    if reply.read().strip() == b"ok":
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"streamlit did not become healthy in {SERVER_START_TIMEOUT_S}s:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@pytest.fixture(scope="session")
def app_server() -> Iterator[StreamlitServer]:
    server = StreamlitServer(ARTIFACTS / "streamlit.log")
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def playwright_instance():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def launch_browser(playwright_instance):
    """Launch chromium, optionally with generated media as the fake camera and microphone."""
    browsers = []

    def launch(video: Path | None = None, audio: Path | None = None):
        args = list(CHROMIUM_ARGS)
        if video:
            args.append(f"--use-file-for-fake-video-capture={video}")
        if audio:
            args.append(f"--use-file-for-fake-audio-capture={audio}")
        browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        browsers.append(browser)
        return browser

    yield launch
    for browser in browsers:
        browser.close()


@pytest.fixture(scope="session")
def browser(launch_browser):
    return launch_browser()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def save_screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def speech_classifier():
    from emotion.registry import load_speech_classifier

    return load_speech_classifier()
