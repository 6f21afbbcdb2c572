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

from accessibility import blocking_violations
from app_server import StreamlitServer
from conftest import ARTIFACTS, save_screenshot
from emotion.registry import speech_normalisation
from emotion.plain_words import UNFAMILIAR_VOICE
from media import face_frames, recorded_voice_16k, speech_16k, write_wav, write_y4m
from streamlit_page import (FACE_LINE, LAPTOP, VOICE_LINE, exception_texts, in_view_without_scrolling, main_text,
                            open_app_page, start_stream, wait_for_text, webrtc_button)
from turn_relay import CoturnRelay

pytestmark = pytest.mark.browser

STATS = re.compile(r"Camera: (\d+) of (\d+) frames analysed · Microphone: (\d+) of (\d+) sound frames analysed "
                   r"\(([\d.]+) s\) · voice readings: (\d+)")
IN_FLIGHT_SOUND_FRAMES = 25
"""Sound frames received but not yet taken by the speech worker when the page reads the counters,
once the worker has caught up (while it reads a window, the frames that arrive wait: on a slow
machine the first reading, with the model warming up, left 30 waiting)."""
CATCH_UP_S = 30
SYNTHETIC_READ_SHARE = 0.05
"""Of a synthetic voice's speech, the most a Live stream through the browser may get a reading for:
Opus and the worker's timing move the windows, and one short window can pass the gate (CI: under
half a second of 22 seconds); offline every streamed window is gated (tests/test_speech_coverage.py)."""
WARMING_UP_START = "Warming up"
RELAYED_MEDIA_BYTES = 20_000
"""Seconds of camera and microphone through the relay come to 100 kB and more (measured: 142 kB); a relay
session that carried no media, to a few hundred bytes."""


def _wait_for_stats(page, ready, timeout_s: float):
    """The stats line once `ready(match)` holds: on a busy machine the first voice label can
    come before the camera has sent many frames."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        match = STATS.search(main_text(page))
        if match and ready(match):
            return match
        time.sleep(0.5)
    return None


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
    start_stream(page)

    face = wait_for_text(page, FACE_LINE, 60)
    assert face, main_text(page)
    voice = wait_for_text(page, VOICE_LINE, 90)
    assert voice, main_text(page)
    # A model that reads a voice against the session so far says so for its first seconds of speech.
    reads_sessions = speech_normalisation() == "session"
    assert (WARMING_UP_START in main_text(page)) == reads_sessions, main_text(page)
    if reads_sessions:
        settled = wait_for_text(page, re.compile(VOICE_LINE.pattern + r"\n(?!" + WARMING_UP_START + ")"), 60)
        assert settled, main_text(page)
    # The fragment can briefly show its previous render beside the new one: wait for a stats
    # line that already counts the voice reading shown above (and some video), not a stale one.
    stats = _wait_for_stats(page, lambda m: int(m.group(1)) > 5 and int(m.group(6)) >= 1, 30)
    assert stats, main_text(page)
    video_analysed, video_received = int(stats.group(1)), int(stats.group(2))
    assert video_analysed > 5 and video_received >= video_analysed
    assert float(stats.group(5)) > 0 and int(stats.group(6)) >= 1
    # No sound lost: the worker takes every frame, so once it has caught up, at most the frames
    # that arrived during its last reading wait (a lost frame would keep the gap open).
    caught_up = _wait_for_stats(page, lambda m: int(m.group(4)) - IN_FLIGHT_SOUND_FRAMES <= int(m.group(3)), CATCH_UP_S)
    assert caught_up, main_text(page)
    assert int(caught_up.group(3)) <= int(caught_up.group(4))
    assert "lost on the way" not in stats.group(0)
    # The answer beside the video, in view on a laptop screen without scrolling.
    for line in (FACE_LINE, VOICE_LINE):
        assert in_view_without_scrolling(page, page.get_by_text(line).first), line.pattern
    save_screenshot(page, "live-playing")
    assert blocking_violations(page) == []  # while streaming, the component's iframe included
    assert not _tensorflow_in(app_server.process.pid)

    webrtc_button(page, "Stop").click()
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
    start_stream(page)
    coverage = re.compile(r"So far, the voice got (?:no reading in ([\d.]+) seconds? of speech: it said \"not sure\" "
                          r"throughout|a reading for (?:under )?([\d.]+) of ([\d.]+) seconds of speech and said \"not sure\" "
                          r"for the rest)\.")
    said = wait_for_text(page, coverage, 90)
    assert said, main_text(page)
    if said.group(2) is not None:
        assert float(said.group(2)) <= SYNTHETIC_READ_SHARE * float(said.group(3)), said.group(0)
    assert wait_for_text(page, re.compile(re.escape(UNFAMILIAR_VOICE)), 60), main_text(page)
    save_screenshot(page, "live-voice-not-sure-why")
    webrtc_button(page, "Stop").click()
    page.get_by_text("Download timeline (CSV)").wait_for(timeout=60_000)
    assert exception_texts(page) == []
    page.close()


def test_live_through_a_turn_relay_of_its_own_on_relayed_paths_only(launch_browser, tmp_path):
    """A school's own coturn: the app mints each session short-lived credentials from the relay's
    secret, the browser may use relayed paths only, and Live still labels the face and the voice;
    the relay's log shows the browser's allocation, signed with a minted username, carrying data."""
    camera = write_y4m(tmp_path / "camera.y4m", face_frames(4.0, fps=10))
    speech = recorded_voice_16k()[0]
    microphone = write_wav(tmp_path / "microphone.wav", np.concatenate([speech, np.zeros(4000, np.float32)]))
    with CoturnRelay(ARTIFACTS / "coturn.log") as relay, StreamlitServer(
            ARTIFACTS / "streamlit-turn.log", env={"EMOTION_TURN_URLS": relay.url, "EMOTION_TURN_SECRET": relay.secret,
                                                  "EMOTION_ICE_TRANSPORT_POLICY": "relay"}) as server:
        browser = launch_browser(video=camera, audio=microphone)
        page = browser.new_page(viewport=LAPTOP)
        open_app_page(page, server.url, "live", "Live")
        start_stream(page)
        assert wait_for_text(page, FACE_LINE, 60), main_text(page)
        assert wait_for_text(page, VOICE_LINE, 90), main_text(page)
        webrtc_button(page, "Stop").click()
        page.get_by_text("Download timeline (CSV)").wait_for(timeout=60_000)
        assert exception_texts(page) == []
        page.close()
        browser.close()  # the relay's sessions end and it logs what each carried
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and max(_relayed_bytes(relay.log()), default=0) < RELAYED_MEDIA_BYTES:
            time.sleep(0.5)
        log = relay.log()
    assert re.search(r"username=<\d{10}:emotion-mirror>", log), log[-3000:]  # minted, never a fixed password
    assert "ALLOCATE processed, success" in log, log[-3000:]
    assert max(_relayed_bytes(log), default=0) >= RELAYED_MEDIA_BYTES, log[-3000:]  # the media went through it


def _relayed_bytes(relay_log: str) -> list[int]:
    """Bytes each ended relay session passed between its peers (coturn's "peer usage" lines)."""
    return [int(received) + int(sent) for received, sent in
            re.findall(r"peer usage: .*?rb=(\d+), sp=\d+, sb=(\d+)", relay_log)]
