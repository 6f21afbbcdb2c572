"""Shared fixtures: the real app served by `streamlit run` and driven by Debian's chromium.

The server fixture starts `streamlit run app.py` on a free port (tests/app_server.py), waits
for its health check, keeps its log under artifacts/, and stops it at the end. The browser
fixture launches chromium with a fake camera and microphone; tests that need particular media
launch their own with `launch_browser(video=..., audio=...)` (generated .y4m / .wav files).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app_server import CHROMIUM, REPO, StreamlitServer, chromium_args

ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"


@pytest.fixture(scope="session")
def app_server() -> Iterator[StreamlitServer]:
    with StreamlitServer(ARTIFACTS / "streamlit.log") as server:
        yield server


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
        browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=chromium_args(video, audio),
                                                      headless=True)
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


@pytest.fixture(scope="session")
def app_image() -> str:
    """The app's container image, built once per test run and shared by every test that runs it."""
    from containers import build_image

    return build_image()
