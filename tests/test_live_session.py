"""LiveSession, the WebRTC callbacks, fed real av frames without a connection: the layer under
the browser test, so a failure here points at our code rather than at WebRTC."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import av
import numpy as np
import pytest
import soxr

from emotion.live import LiveSession
from emotion.registry import load_face_analyzer
from emotion.report import SOURCE_FACE, SOURCE_VOICE, Thresholds, build_rows
from emotion.speech.coverage import SpeechTally, coverage_in_words
from emotion.timeline import Timeline
from media import astronaut_rgb, speech_16k

FRAME_SAMPLES = 960  # 20 ms at 48 kHz, as browsers send


def audio_frames(audio_16k: np.ndarray) -> list[av.AudioFrame]:
    """48 kHz stereo s16 frames of 20 ms, the format WebRTC delivers."""
    pcm = (np.clip(soxr.resample(audio_16k, 16_000, 48_000), -1, 1) * 32767).astype(np.int16)
    frames = []
    for i, start in enumerate(range(0, len(pcm) - FRAME_SAMPLES, FRAME_SAMPLES)):
        stereo = np.repeat(pcm[start : start + FRAME_SAMPLES], 2)[None, :]
        frame = av.AudioFrame.from_ndarray(stereo, format="s16", layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = 48_000, i * FRAME_SAMPLES, Fraction(1, 48_000)
        frames.append(frame)
    return frames


@pytest.fixture
def session(speech_classifier):
    live = LiveSession(load_face_analyzer(), speech_classifier, Timeline())
    yield live
    live.stop()


def test_every_sound_frame_reaches_the_speech_model_and_becomes_readings(tmp_path, session):
    frames = audio_frames(speech_16k(tmp_path))
    for frame in frames:
        session.on_audio(frame)
        time.sleep(0.02)  # real time, as a browser sends
    deadline = time.monotonic() + 30
    while session.snapshot().counters.audio_analysed < len(frames) and time.monotonic() < deadline:
        time.sleep(0.1)
    counters = session.snapshot().counters
    assert counters.audio_received == counters.audio_analysed == len(frames) and counters.audio_lost == 0
    assert counters.audio_seconds == pytest.approx(len(frames) * 0.02, abs=0.05)
    assert counters.voice_readings >= 4
    rows = build_rows(session.timeline.cells(), Thresholds(0.0, 0.0))
    assert (rows[rows["source"] == SOURCE_VOICE]["label"] != "no speech").any()
    # The session so far: as much speech as an upload of the clip finds, none of it read (espeak-ng
    # does not sound like a person talking), until the timeline is cleared.
    heard = session.voice_heard(0.43)
    upload = SpeechTally.of(session.speech.classify_clip(speech_16k(tmp_path))).heard(0.43)
    assert heard.speech_s == pytest.approx(upload.speech_s, abs=0.5) and heard.speech_s > 2.0
    assert heard.read_s == 0 and heard.windows == heard.unfamiliar_windows >= 4
    assert coverage_in_words(heard, so_far=True).startswith("So far, the voice got no reading in ")
    session.clear()
    assert session.voice_heard(0.43).speech_s == 0 and len(session.timeline) == 0


def test_a_burst_after_a_stall_loses_no_sound_and_gaps_are_counted(tmp_path, session):
    """A stalled process hands the sink a burst of frames at once: all of them must be analysed.
    Frames that never arrived show up as lost, from the gap in their timestamps."""
    frames = audio_frames(speech_16k(tmp_path))
    missing = frames[40:45]
    for frame in frames:
        if frame not in missing:
            session.on_audio(frame)  # no sleep: one burst
    deadline = time.monotonic() + 30
    while session.snapshot().counters.audio_analysed < len(frames) - len(missing) and time.monotonic() < deadline:
        time.sleep(0.1)
    counters = session.snapshot().counters
    assert counters.audio_analysed == counters.audio_received == len(frames) - len(missing)
    assert counters.audio_lost == len(missing)
    assert counters.voice_readings >= 1  # behind, the worker still classifies the newest window


def video_frame(pts: int) -> av.VideoFrame:
    frame = av.VideoFrame.from_ndarray(astronaut_rgb(), format="rgb24")
    frame.pts = pts
    return frame


def test_queued_video_frames_are_counted_and_the_newest_is_labelled(session):
    frames = [video_frame(i) for i in range(3)]
    # On its own thread, as streamlit-webrtc runs it (and Playwright's loop may hold this one).
    with ThreadPoolExecutor(1) as worker:
        out = worker.submit(asyncio.run, session.on_video_frames(frames)).result()
    assert len(out) == 1 and out[0].pts == 2 and out[0].width == frames[0].width
    assert not np.array_equal(out[0].to_ndarray(format="rgb24"), astronaut_rgb())  # a box and a caption were drawn
    snapshot = session.snapshot()
    assert (snapshot.counters.video_received, snapshot.counters.video_analysed) == (3, 1)
    assert [f.number for f in snapshot.faces] == [1]
    assert int(np.argmax(snapshot.faces[0].probabilities)) == 3  # happy
    rows = build_rows(session.timeline.cells(), Thresholds(0.0, 0.0))
    assert set(rows["source"]) == {SOURCE_FACE} and set(rows["label"]) == {"happy"}  # no sound: no face + voice rows


def test_the_notice_speaks_only_when_frames_are_dropped(session, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("emotion.live.time.monotonic", lambda: clock[0])
    for _ in range(12):  # 12 s at 15 frames a second, every frame analysed
        session._count(video_received=15, video_analysed=15)
        session.snapshot()
        clock[0] += 1.0
    assert session.falling_behind() is None
    for _ in range(12):  # then only 7 of 15
        session._count(video_received=15, video_analysed=7)
        session.snapshot()
        clock[0] += 1.0
    assert "7 of 15 camera frames a second" in session.falling_behind()


def test_stopping_ends_the_speech_worker(tmp_path, session):
    """The sink calls stop() when its track ends (a closed tab never reruns the page): no thread is left."""
    import threading

    for frame in audio_frames(speech_16k(tmp_path))[:10]:
        session.on_audio(frame)
    assert any(t.name == "speech-worker" for t in threading.enumerate())
    session.stop()
    deadline = time.monotonic() + 2
    while any(t.name == "speech-worker" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(t.name == "speech-worker" for t in threading.enumerate())


def test_a_camera_or_microphone_that_stops_sending_gets_a_sentence(session, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("emotion.live.time.monotonic", lambda: clock[0])
    assert session.media_stalled(camera=True, microphone=True) is None  # not playing yet
    session.playing()
    clock[0] += 3.0
    assert session.media_stalled(camera=True, microphone=True) is None  # a start takes a few seconds
    for frame in audio_frames(np.zeros(16_000, np.float32))[:5]:
        session.on_audio(frame)
    clock[0] += 6.0  # the camera never sent anything in 9 s; the microphone did 6 s ago
    stalled = session.media_stalled(camera=True, microphone=True)
    assert stalled.startswith("The camera has sent nothing for 9 s") and "Stop and then Start" in stalled
    assert session.media_stalled(camera=False, microphone=True) is None
    clock[0] += 4.0
    assert "camera and the microphone" in session.media_stalled(camera=True, microphone=True)
    session.stop()
    assert session.media_stalled(camera=True, microphone=True) is None


def test_a_connection_closed_while_starting_is_one_line_not_a_traceback():
    """aiortc ends its connect task with InvalidStateError when a stream stops mid-handshake; the
    app's loop handler turns that into one line and passes every other error on. In a process of
    its own: aiortc's SRTP library crashes a process that has TensorFlow loaded (other tests load
    it; the app never does)."""
    import subprocess
    import sys

    from conftest import REPO

    code = """
import asyncio, io, logging
from aiortc.exceptions import InvalidStateError
from emotion.ui.webrtc import QuietTeardown, _install_quiet_teardown

log = io.StringIO()
logging.basicConfig(stream=log, level=logging.INFO)
loop = asyncio.new_event_loop()
passed_on = []
loop.set_exception_handler(lambda _, context: passed_on.append(context["exception"]))
_install_quiet_teardown(loop)
_install_quiet_teardown(loop)  # once is enough: the page calls it on every run
assert isinstance(loop.get_exception_handler(), QuietTeardown)
loop.call_exception_handler({"message": "Task exception was never retrieved",
                             "exception": InvalidStateError("RTCIceTransport is closed")})
other = RuntimeError("something else")
loop.call_exception_handler({"message": "Task exception was never retrieved", "exception": other})
assert "closed while it was still starting" in log.getvalue() and "Traceback" not in log.getvalue(), log.getvalue()
assert passed_on == [other], passed_on
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
