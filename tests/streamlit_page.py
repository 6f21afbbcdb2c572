"""Helpers for driving a Streamlit page in Playwright: open it and wait until its script ran."""

from __future__ import annotations

import re

# Streamlit marks its root with the script state: "initial", "running", "notRunning", ...
IDLE_SELECTOR = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SIDEBAR_READY_SELECTOR = '[data-testid="stSidebar"] .st-key-privacy h3'  # in any language
EXCEPTION_SELECTOR = '[data-testid="stException"]'
WEBRTC_IFRAME_SELECTOR = 'iframe[title="streamlit_webrtc.component.webrtc_streamer"]'
UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
FACE_LINE = re.compile(r"Face 1: (\w[\w ]*) \((\d+)%\)")
VOICE_LINE = re.compile(r"Voice: (?!no speech)(\w[\w ]*) \((\d+)%\)")
"""The lines Live and Upload write under a face and under the voice: "Face 1: happy (92%)", "Voice: calm (60%)"."""


def open_app_page(page, base_url: str, url_path: str, heading: str, timeout_ms: int = 60_000) -> None:
    """Go to one page of the app and wait for its heading and for the script to finish running."""
    page.goto(f"{base_url}/{url_path}", wait_until="domcontentloaded")
    # The shared sidebar is drawn by app.py after st.navigation: until it shows, Streamlit may
    # still be showing its pre-navigation state, which also reads as "notRunning".
    page.locator(SIDEBAR_READY_SELECTOR).first.wait_for(timeout=timeout_ms)
    page.locator("h1", has_text=heading).first.wait_for(timeout=timeout_ms)
    page.wait_for_selector(IDLE_SELECTOR, timeout=timeout_ms)


def wait_until_idle(page, timeout_ms: int = 60_000) -> None:
    page.wait_for_selector(IDLE_SELECTOR, timeout=timeout_ms)


def upload_file(page, path) -> None:
    """Give the Upload page's uploader a file and wait until the page has read it."""
    page.set_input_files(UPLOAD_INPUT, str(path))
    page.wait_for_timeout(500)
    wait_until_idle(page, timeout_ms=240_000)


def exception_texts(page) -> list[str]:
    return [element.inner_text() for element in page.query_selector_all(EXCEPTION_SELECTOR)]


def webrtc_button(page, name: str):
    """The streamlit-webrtc component's "Start" or "Stop" button, inside its iframe."""
    return page.frame_locator(WEBRTC_IFRAME_SELECTOR).get_by_role("button", name=name)


def mirrored_video_shows(page) -> bool:
    """Whether the component shows the stream coming back from the server (a picture, not its
    placeholder). Until then the Stop button sits higher: the picture pushes it down 136 px
    when it arrives, and a click in that moment hits where the button was."""
    from playwright.sync_api import Error

    video = page.frame_locator(WEBRTC_IFRAME_SELECTOR).locator("video")
    try:
        return video.count() > 0 and video.first.evaluate("v => v.videoWidth > 0 && v.readyState >= 2", timeout=2_000)
    except Error:  # the element went away while being read: not showing
        return False


LAPTOP = {"width": 1280, "height": 800}
"""The screen the answer must fit without scrolling (issue 16)."""


def in_view_without_scrolling(page, locator) -> bool:
    """Whether the element lies inside the viewport with every scrollable part of the page at its
    top: what a person sees before scrolling."""
    page.evaluate("() => { window.scrollTo(0, 0); for (const el of document.querySelectorAll('*')) "
                  "{ if (el.scrollTop) el.scrollTop = 0; } }")
    box = locator.bounding_box(timeout=10_000)
    viewport = page.viewport_size
    return (box is not None and box["y"] >= 0 and box["x"] >= 0 and box["y"] + box["height"] <= viewport["height"]
            and box["x"] + box["width"] <= viewport["width"])


def main_text(page) -> str:
    """The text of the page's main area (not the sidebar)."""
    return page.inner_text('[data-testid="stMain"]')


def wait_for_text(page, pattern, timeout_s: float):
    """The first match of `pattern` (a string or compiled regex) in the main area within
    `timeout_s`, polled every 0.3 s; None if it never shows."""
    import re
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        match = re.search(pattern, main_text(page))
        if match:
            return match
        time.sleep(0.3)
    return None


START_ATTEMPTS = 3


def start_stream(page, press=None) -> None:
    """Press the WebRTC component's Start and wait for camera frames on the page's stats line; in
    headless Chromium a start sometimes stalls, so stop and try again. `press(name)` presses a
    button (default: a click; the keyboard tests pass one that tabs to it and presses Enter)."""
    import time

    import pytest

    press = press or (lambda name: webrtc_button(page, name).click(timeout=30_000))
    for _ in range(START_ATTEMPTS):
        press("Start")
        if wait_for_text(page, r"Camera: [1-9]", 45):
            return
        press("Stop")
        time.sleep(2)
    pytest.fail("the live stream never delivered video frames")


def focused_button(page) -> str | None:
    """The name of the button that has the keyboard focus (its aria-label, else its text; looking inside
    the WebRTC iframe), or None when the focus is on something else."""
    focus = page.evaluate("() => { const e = document.activeElement; "
                          "return e ? [e.tagName, e.getAttribute('aria-label') || e.innerText || ''] : ['', ''] }")
    if focus[0] == "IFRAME":
        inner = page.frame_locator(WEBRTC_IFRAME_SELECTOR).locator(":focus")
        focus = inner.first.evaluate("e => [e.tagName, e.innerText || '']") if inner.count() else ["", ""]
    return focus[1] if focus[0] == "BUTTON" else None


def press_with_keyboard(page):
    """A `press(name)` for start_stream: Tab to the button, then Enter."""
    def press(name: str) -> None:
        tab_to(page, name)
        page.keyboard.press("Enter")
    return press


def tab_to(page, name: str, presses: int = 80) -> None:
    """Press Tab until a button ending in `name` has the focus (the component writes START in capitals)."""
    import pytest

    for _ in range(presses):
        page.keyboard.press("Tab")
        text = focused_button(page)
        if text is not None and text.strip().lower().endswith(name.lower()):
            return
    pytest.fail(f"no {name!r} button ever took the keyboard focus")
