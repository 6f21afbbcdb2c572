"""Every page on a phone and a tablet, audited by axe-core, in a real browser (issue 42).

The laptop's audits sit in the tests that already bring each page to its states (pages, Upload,
Live, Practice, Models); here one phone (390x844) and one tablet (768x1024), both touch screens,
walk through every page with a fake camera showing a smiling face and a fake microphone playing a
person's voice: no serious or critical axe-core violation on the phone; on both, Upload's answer
and, after Start, Live's face and voice labels are on screen without scrolling, and nothing is
wider than the screen. Live and Upload work with the keyboard alone.
"""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

from accessibility import PHONE, TABLET, blocking_violations, wider_than_the_screen
from conftest import save_screenshot
from media import astronaut_rgb, face_frames, recorded_voice_16k, write_wav, write_y4m
from streamlit_page import (FACE_LINE, LAPTOP, VOICE_LINE, exception_texts, in_view_without_scrolling, main_text,
                            open_app_page, press_with_keyboard, start_stream, tab_to, upload_file, wait_for_text,
                            wait_until_idle)

pytestmark = pytest.mark.browser

PRACTICE_GAMES = ("make", "guess", "say")
LIVE_REGION = '[role="status"][aria-live="polite"]'


@pytest.fixture(scope="module")
def family_media(tmp_path_factory):
    """The camera and microphone files, and a photo and a sound clip to upload."""
    folder = tmp_path_factory.mktemp("family")
    speech = recorded_voice_16k()[0]
    photo = folder / "astronaut.jpg"
    cv2.imwrite(str(photo), cv2.cvtColor(astronaut_rgb(), cv2.COLOR_RGB2BGR))
    return {
        "camera": write_y4m(folder / "camera.y4m", face_frames(4.0, fps=10)),
        "microphone": write_wav(folder / "microphone.wav", np.concatenate([speech, np.zeros(4000, np.float32)])),
        "photo": photo,
        "sound": write_wav(folder / "hello.wav", speech),
    }


@pytest.fixture(scope="module")
def family_browser(launch_browser, family_media):
    return launch_browser(video=family_media["camera"], audio=family_media["microphone"])



def _fits(page, name: str, audited: bool) -> None:
    """The state `name` of the page once its script ran (Streamlit fades what a run is redrawing): nothing wider
    than the screen, and (where audited) no blocking violation."""
    wait_until_idle(page)
    assert wider_than_the_screen(page) <= 0, f"{name}: {wider_than_the_screen(page)} px wider than the screen"
    if audited:
        assert blocking_violations(page) == [], name
    assert exception_texts(page) == [], name


@pytest.mark.parametrize(("device", "settings"), [("phone", PHONE), ("tablet", TABLET)])
def test_every_page_on_a_touch_screen(family_browser, family_media, app_server, device, settings):
    audited = device == "phone"
    context = family_browser.new_context(**settings)
    page = context.new_page()
    try:
        open_app_page(page, app_server.url, "", "Emotion Mirror")
        _fits(page, "home", audited)

        open_app_page(page, app_server.url, "upload", "Upload")
        _fits(page, "upload", audited)
        upload_file(page, family_media["photo"])
        page.get_by_text("Face 1: happy").first.wait_for(timeout=60_000)
        assert in_view_without_scrolling(page, page.locator("h3", has_text=re.compile(r"happy .*\d+%")).first)
        _fits(page, "upload, a photo", audited)
        save_screenshot(page, f"{device}-upload-photo")
        upload_file(page, family_media["sound"])
        page.get_by_text("Voice, over the whole clip").wait_for(timeout=120_000)
        assert in_view_without_scrolling(page, page.locator("h3", has_text="%").first)
        _fits(page, "upload, a sound clip", audited)

        if audited:
            for game in PRACTICE_GAMES:
                open_app_page(page, app_server.url, f"practice?mode={game}", "Practice")
                _fits(page, f"practice, {game}", audited)
            open_app_page(page, app_server.url, "models", "Models")
            experts = page.locator('[data-testid="stExpander"] summary', has_text="Details for experts")
            for i in range(experts.count()):
                experts.nth(i).click()
            page.locator('[data-testid="stMetricLabel"]', has_text="Macro-F1").nth(experts.count() - 1).wait_for()
            _fits(page, "models, details open", audited)

        open_app_page(page, app_server.url, "live", "Live")
        start_stream(page)
        assert wait_for_text(page, FACE_LINE, 60) and wait_for_text(page, VOICE_LINE, 90), main_text(page)
        for line in (FACE_LINE, VOICE_LINE):
            assert in_view_without_scrolling(page, page.get_by_text(line).first), f"{device}: {line.pattern}"
        _fits(page, "live, streaming", audited)
        save_screenshot(page, f"{device}-live-playing")
    finally:
        context.close()


def _speaks_changes_only(page) -> None:
    """Live's labels reach a screen reader through one polite live region that outlives the page's refreshes
    (a region made anew would be read out again each time) and holds labels without their percentages."""
    region = page.locator(LIVE_REGION)
    region.first.wait_for(state="attached")
    assert region.count() == 1
    region.evaluate("node => { node.dataset.seen = 'yes'; }")
    page.wait_for_timeout(3 * 1000)  # six refreshes of the labels
    assert region.get_attribute("data-seen") == "yes"
    spoken = region.inner_text()
    assert spoken.startswith("Face 1: happy") and "%" not in spoken, spoken


def _choose_with_the_keyboard(page):
    """The file chooser, opened by tabbing to the uploader's button and pressing Enter. Headless Chromium
    sometimes lets an Enter pass without opening it (seen in 1 run of 4, the focus on the button): tab to it
    again and press once more, up to three times."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        tab_to(page, "Choose a file")
        wait_until_idle(page)
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Enter")
            return chooser.value
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def test_live_and_upload_with_the_keyboard_alone(family_browser, family_media, app_server):
    """Start and Stop on Live, and choosing a file on Upload, with Tab and Enter only (Practice's game has its own
    keyboard test)."""
    page = family_browser.new_page(viewport=LAPTOP)
    try:
        open_app_page(page, app_server.url, "live", "Live")
        start_stream(page, press_with_keyboard(page))
        assert wait_for_text(page, FACE_LINE, 60), main_text(page)
        _speaks_changes_only(page)
        press_with_keyboard(page)("Stop")
        assert wait_for_text(page, "This session", 60), main_text(page)

        open_app_page(page, app_server.url, "upload", "Upload")
        _choose_with_the_keyboard(page).set_files(str(family_media["photo"]))
        page.get_by_text("Face 1: happy").first.wait_for(timeout=60_000)
        assert exception_texts(page) == []
    finally:
        page.close()


def test_calm_mode_from_the_address_stays_on_every_page_and_switches_off(family_browser, app_server):
    """?calm=1: text a quarter larger, no motion, muted colours; kept in the address from page to page; the
    sidebar's toggle turns it off again."""
    page = family_browser.new_page(viewport=LAPTOP)
    root_font_px = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
    try:
        open_app_page(page, app_server.url, "?calm=1", "Emotion Mirror")
        assert page.evaluate(root_font_px) == 20
        assert page.evaluate("getComputedStyle(document.querySelector('[data-testid=stMain]')).filter").startswith(
            "saturate")
        page.locator('[data-testid="stSidebarNav"] a', has_text="Practice").first.click()
        page.locator("h1", has_text="Practice").first.wait_for()
        page.wait_for_url(re.compile(r"/practice\?.*calm=1"))
        assert page.evaluate(root_font_px) == 20
        assert blocking_violations(page) == []
        page.get_by_role("switch", name="Calm mode").uncheck(force=True)  # its input sits under the drawn track
        page.wait_for_function(f"({root_font_px})() === 16")
        wait_until_idle(page)
        assert "calm=" not in page.url
    finally:
        page.close()
