"""The Live page in a real browser: a fake camera shows a face, a fake microphone speaks.

Chromium plays generated media as its camera (Y4M) and microphone (WAV), WebRTC carries them
to the real app, the real models label them, and the page must show a face label, a voice label
and a filling timeline; stopping shows the summary and the downloads.
"""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

from conftest import save_screenshot
from emotion.registry import speech_normalisation
from emotion.plain_words import UNFAMILIAR_VOICE
from media import face_frames, recorded_voice_16k, speech_16k, write_wav, write_y4m
from streamlit_page import LAPTOP, exception_texts, in_view_without_scrolling, open_app_page

pytestmark = pytest.mark.browser

STATS = re.compile(r"Camera: (\d+) of (\d+) frames analysed · Microphone: (\d+) of (\d+) sound frames analysed "
                   r"\(([\d.]+) s\) · voice readings: (\d+)")
IN_FLIGHT_SOUND_FRAMES = 25
"""Sound frames received but not yet taken by the speech worker when the page reads the counters."""
FACE_LINE = re.compile(r"Face 1: (\w[\w ]*) \((\d+)%\)")
VOICE_LINE = re.compile(r"Voice: (?!no speech)(\w[\w ]*) \((\d+)%\)")
WARMING_UP_START = "Warming up"
START_ATTEMPTS = 3


def _main_text(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def _wait_for(page, pattern: re.Pattern, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        match = pattern.search(_main_text(page))
        if match:
            return match
        time.sleep(0.5)
    return None


def _wait_for_stats(page, ready, timeout_s: float):
    """The stats line once `ready(match)` holds: on a busy machine the first voice label can
    come before the camera has sent many frames."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        match = STATS.search(_main_text(page))
        if match and ready(match):
            return match
        time.sleep(0.5)
    return None


def _start_stream(page) -> None:
    """Press START and wait for frames; in headless Chromium a start sometimes stalls, so retry."""
    component = page.frame_locator('iframe[title="streamlit_webrtc.component.webrtc_streamer"]')
    for _ in range(START_ATTEMPTS):
        component.get_by_role("button", name="Start").click(timeout=30_000)
        stats = _wait_for(page, re.compile(r"Camera: [1-9]"), 45)
        if stats:
            return
        component.get_by_role("button", name="Stop").click(timeout=30_000)
        time.sleep(2)
    pytest.fail("the live stream never delivered video frames")


def _tensorflow_in(pid: int) -> list[str]:
    """TensorFlow's native libraries mapped into the running server: the app must run on LiteRT alone."""
    with open(f"/proc/{pid}/maps") as maps:
        return sorted({line.split()[-1] for line in maps if "/site-packages/tensorflow/" in line})


def test_live_face_and_voice_labels_and_timeline(launch_browser, app_server, tmp_path):
    camera = write_y4m(tmp_path / "camera.y4m", face_frames(4.0, fps=10))
    speech = recorded_voice_16k()[0]  # a person's voice: a synthetic one reads "not sure" (tests/test_speech.py)
    microphone = write_wav(tmp_path / "microphone.wav", np.concatenate([speech, np.zeros(4000, np.float32)]))
    browser = launch_browser(video=camera, audio=microphone)
    page = browser.new_page(viewport=LAPTOP)
    open_app_page(page, app_server.url, "live", "Live")
    _start_stream(page)

    face = _wait_for(page, FACE_LINE, 60)
    assert face, _main_text(page)
    voice = _wait_for(page, VOICE_LINE, 90)
    assert voice, _main_text(page)
    # A model that reads a voice against the session so far says so for its first seconds of speech.
    reads_sessions = speech_normalisation() == "session"
    assert (WARMING_UP_START in _main_text(page)) == reads_sessions, _main_text(page)
    if reads_sessions:
        settled = _wait_for(page, re.compile(VOICE_LINE.pattern + r"\n(?!" + WARMING_UP_START + ")"), 60)
        assert settled, _main_text(page)
    # The fragment can briefly show its previous render beside the new one: wait for a stats
    # line that already counts the voice reading shown above (and some video), not a stale one.
    stats = _wait_for_stats(page, lambda m: int(m.group(1)) > 5 and int(m.group(6)) >= 1, 30)
    assert stats, _main_text(page)
    video_analysed, video_received, sound_analysed, sound_received = (int(stats.group(i)) for i in range(1, 5))
    assert video_analysed > 5 and video_received >= video_analysed
    assert float(stats.group(5)) > 0 and int(stats.group(6)) >= 1
    assert sound_received - IN_FLIGHT_SOUND_FRAMES <= sound_analysed <= sound_received  # no sound lost
    assert "lost on the way" not in stats.group(0)
    # The answer beside the video, in view on a laptop screen without scrolling.
    for line in (FACE_LINE, VOICE_LINE):
        assert in_view_without_scrolling(page, page.get_by_text(line).first), line.pattern
    save_screenshot(page, "live-playing")
    assert not _tensorflow_in(app_server.process.pid)

    page.frame_locator('iframe[title="streamlit_webrtc.component.webrtc_streamer"]').get_by_role(
        "button", name="Stop").click()
    page.get_by_text("Download timeline (CSV)").wait_for(timeout=60_000)
    with page.expect_download() as download:
        page.get_by_text("Download timeline (CSV)").click()
    csv_text = download.value.path().read_text()
    header = csv_text.splitlines()[0].split(",")
    assert header[:4] == ["t", "source", "label", "confidence"]
    sources = {row.split(",")[1] for row in csv_text.splitlines()[1:]}
    assert sources == {"face", "voice", "face+voice"}
    save_screenshot(page, "live-stopped")
    assert exception_texts(page) == []
    page.close()


def test_live_says_why_the_voice_is_not_sure_and_how_much_speech_got_a_reading(launch_browser, app_server, tmp_path):
    """espeak-ng's voice reads "not sure" (unlike the voices the speech model learnt from): under
    the label, the reason; and for the session so far, how much of its speech got a reading (none)."""
    camera = write_y4m(tmp_path / "camera.y4m", face_frames(4.0, fps=10))
    speech = np.concatenate([speech_16k(tmp_path), np.zeros(4000, np.float32)])
    microphone = write_wav(tmp_path / "microphone.wav", speech)
    browser = launch_browser(video=camera, audio=microphone)
    page = browser.new_page(viewport=LAPTOP)
    open_app_page(page, app_server.url, "live", "Live")
    _start_stream(page)
    coverage = re.compile(r"So far, the voice got no reading in [\d.]+ seconds? of speech: "
                          r"it said \"not sure\" throughout\.")
    assert _wait_for(page, coverage, 90), _main_text(page)
    assert _wait_for(page, re.compile(re.escape(UNFAMILIAR_VOICE)), 60), _main_text(page)
    save_screenshot(page, "live-voice-not-sure-why")
    page.frame_locator('iframe[title="streamlit_webrtc.component.webrtc_streamer"]').get_by_role(
        "button", name="Stop").click()
    page.get_by_text("Download timeline (CSV)").wait_for(timeout=60_000)
    assert exception_texts(page) == []
    page.close()
