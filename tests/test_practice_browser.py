"""The Practice page in a real browser, with the fake camera showing a smiling face (the
astronaut): a one-card deck from a shared link is matched, a guess is recorded beside the
model's reading, and a whole round can be played with the keyboard alone."""

from __future__ import annotations

import time

import pytest

from conftest import save_screenshot
from media import face_frames, write_y4m
from accessibility import blocking_violations
from streamlit_page import (LAPTOP, exception_texts, in_view_without_scrolling, main_text, open_app_page, tab_to,
                            wait_for_text, wait_until_idle, webrtc_button)

pytestmark = pytest.mark.browser

MATCH_WITHIN_S = 30


@pytest.fixture(scope="module")
def smiling_camera(launch_browser, tmp_path_factory):
    camera = write_y4m(tmp_path_factory.mktemp("practice") / "camera.y4m", face_frames(4.0, fps=10))
    return launch_browser(video=camera)






def test_a_shared_one_card_deck_is_matched_by_a_smile(smiling_camera, app_server):
    page = smiling_camera.new_page(viewport=LAPTOP)
    open_app_page(page, app_server.url, "practice?deck=happy", "Practice")
    assert "Matched 0 of 1" in main_text(page) and "Show me: happy" in main_text(page)
    for shown in ("Matched 0 of 1", "Show me: happy"):
        assert in_view_without_scrolling(page, page.get_by_text(shown).first), shown
    webrtc_button(page, "Start").click(timeout=30_000)
    started = time.monotonic()
    assert wait_for_text(page, r"Matched 1 of 1", MATCH_WITHIN_S + 30), main_text(page)
    took = time.monotonic() - started
    assert took < MATCH_WITHIN_S + 15, f"matched after {took:.0f} s"  # slack for the WebRTC start on a busy CPU
    assert wait_for_text(page, r"happy\*{0,2} matched in [\d.]+ s", 10) or "matched in" in main_text(page)
    page.get_by_text("Download practice (CSV)").wait_for(timeout=30_000)
    with page.expect_download() as download:
        page.get_by_text("Download practice (CSV)").click()
    rows = download.value.path().read_text().splitlines()
    assert rows[0].startswith("mode,card,matched,seconds_to_match") and rows[1].startswith("Make the face,happy,True,")
    save_screenshot(page, "practice-matched")
    wait_until_idle(page)
    assert blocking_violations(page) == []
    assert exception_texts(page) == []
    webrtc_button(page, "Stop").click()
    page.close()


def test_guess_the_feeling_with_the_keyboard_alone(smiling_camera, app_server):
    page = smiling_camera.new_page(viewport=LAPTOP)
    open_app_page(page, app_server.url, "practice?deck=happy,sad&mode=guess", "Practice")
    assert "Guessed 0 of 2 right" in main_text(page)
    tab_to(page, "Start")
    page.keyboard.press("Enter")
    assert wait_for_text(page, "The mirror sees a face", 60), main_text(page)
    tab_to(page, "happy")
    page.keyboard.press("Enter")
    said = wait_for_text(page, r"Right: the face was happy\. The mirror read (\w+) \((\d+)%\)", 20)
    assert said, main_text(page)
    assert said.group(1) == "happy"  # the astronaut smiles
    assert "Guessed 1 of 2 right" in main_text(page)
    tab_to(page, "happy")  # the second card is "sad"; the child guesses happy
    page.keyboard.press("Enter")
    said = wait_for_text(page, r"You said happy; the face was sad\. The mirror read happy", 20)
    assert said and wait_for_text(page, "How it went", 30), main_text(page)
    assert "Guessed 1 of 2 right" in main_text(page)
    save_screenshot(page, "practice-guessed")
    wait_until_idle(page)
    assert blocking_violations(page) == []
    assert exception_texts(page) == []
    page.close()


def test_say_it_listens_to_the_microphone(launch_browser, app_server, tmp_path):
    """"Say it" streams sound only: the page hears the fake microphone's sentence and shows the voice's bars;
    espeak-ng's voice is unlike any the model learnt from, so the page says why it will not match a card."""
    import numpy as np

    from media import speech_16k, write_wav

    microphone = write_wav(tmp_path / "sentence.wav", np.concatenate([speech_16k(tmp_path), np.zeros(8000, np.float32)]))
    page = launch_browser(audio=microphone).new_page(viewport=LAPTOP)
    open_app_page(page, app_server.url, "practice?deck=happy&mode=say", "Practice")
    assert "Say a sentence that sounds: happy" in main_text(page) and "Matched 0 of 1" in main_text(page)
    webrtc_button(page, "Start").click(timeout=30_000)
    assert wait_for_text(page, "This does not sound like a person talking", 90), main_text(page)
    assert wait_for_text(page, "What the mirror hears", 10), main_text(page)
    assert blocking_violations(page) == []
    assert exception_texts(page) == []
    webrtc_button(page, "Stop").click()
    page.close()
