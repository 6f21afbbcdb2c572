"""LiveSession, the WebRTC callbacks, fed real av frames without a connection: the layer under
the browser test, so a failure here points at our code rather than at WebRTC."""

from __future__ import annotations

import time
from fractions import Fraction

import av
import numpy as np
import pytest
import soxr

from emotion.live import LiveSession
from emotion.registry import load_face_analyzer
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


def test_audio_frames_become_voice_readings_and_silence_goes_back(tmp_path, session):
    frames = audio_frames(speech_16k(tmp_path))
    for frame in frames:
        returned = session.on_audio(frame)
        assert returned.samples == frame.samples and not returned.to_ndarray().any()
        time.sleep(0.02)  # real time, as a browser sends
    deadline = time.monotonic() + 30
    while session.snapshot().voice_readings < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    snapshot = session.snapshot()
    assert snapshot.audio_seconds == pytest.approx(len(frames) * 0.02, abs=0.05)
    assert snapshot.voice_readings >= 4
    voice = [o for o in session.timeline.snapshot() if o.source == "voice"]
    assert any(o.probabilities is not None for o in voice)


def test_video_frames_get_labelled_faces(session):
    frame = av.VideoFrame.from_ndarray(astronaut_rgb(), format="rgb24")
    frame.pts = 0
    out = session.on_video(frame)
    assert out.width == frame.width and out.height == frame.height
    assert not np.array_equal(out.to_ndarray(format="rgb24"), astronaut_rgb())  # a box and a caption were drawn
    snapshot = session.snapshot()
    assert [f.number for f in snapshot.faces] == [1]
    assert int(np.argmax(snapshot.faces[0].probabilities)) == 3  # happy
    assert {o.source for o in session.timeline.snapshot()} == {"face", "fused"}
