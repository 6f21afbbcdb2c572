"""Uploads through the real decoding and the real models: good files, and every kind of bad one."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import soundfile as sf

from emotion import media
from emotion.media import MediaError, probe
from emotion.registry import load_face_analyzer
from emotion.report import Thresholds, build_rows
from emotion.upload import analyse_clip, analyse_image
from media import astronaut_rgb, face_and_speech_mp4, hum, speech_16k


@pytest.fixture(scope="module")
def analyzer():
    return load_face_analyzer()


def encode_png(rgb: np.ndarray) -> bytes:
    return cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))[1].tobytes()


def test_photo_of_a_smiling_face_reads_happy(analyzer):
    data = encode_png(astronaut_rgb())
    assert probe(data, "astronaut.png").kind == "image"
    frame = analyse_image(data, analyzer)
    assert len(frame.readings) == 1
    probs = frame.readings[0].probabilities
    assert probs.shape == (7,) and probs.sum() == pytest.approx(1.0, abs=1e-4)
    assert int(np.argmax(probs)) == 3  # happy, FER2013 order


@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
def test_video_with_face_and_speech(tmp_path, analyzer, speech_classifier, suffix):
    data = face_and_speech_mp4(tmp_path, suffix).read_bytes()
    info = probe(data, f"clip{suffix}")
    assert info.kind == "video" and info.has_audio
    progress = []
    report = analyse_clip(data, info, analyzer, speech_classifier, lambda f, m: progress.append(f))
    assert progress[-1] == 1.0 and progress == sorted(progress)
    rows = build_rows(report.cells, Thresholds(0.0, 0.0))
    assert set(rows["source"]) == {"face", "voice", "face+voice"}
    assert rows["t"].max() >= info.duration_s - 3.5  # the rows cover the clip
    assert report.frames_with_faces >= report.frames_analysed - 1 >= 6
    assert report.windows_with_speech >= 1
    assert 1 <= len(report.key_frames) <= 6
    assert {n for f in report.key_frames for n in f.numbers} == {1}  # one face, one number throughout


def test_video_without_sound(tmp_path, analyzer, speech_classifier):
    data = face_and_speech_mp4(tmp_path, with_audio=False).read_bytes()
    info = probe(data, "silent.mp4")
    assert info.kind == "video" and not info.has_audio
    report = analyse_clip(data, info, analyzer, speech_classifier)
    assert set(build_rows(report.cells, Thresholds(0.0, 0.0))["source"]) == {"face"}


def test_audio_clip_with_speech_and_one_with_only_hum(tmp_path, speech_classifier):
    sf.write(tmp_path / "speech.flac", speech_16k(tmp_path), 16_000)
    sf.write(tmp_path / "hum.wav", hum(4.0), 16_000)
    speech = (tmp_path / "speech.flac").read_bytes()
    report = analyse_clip(speech, probe(speech, "speech.flac"), None, speech_classifier)
    assert report.windows_with_speech >= 1
    assert report.windows_unfamiliar == report.windows_with_speech  # espeak-ng: unlike the training voices
    heard = report.speech.heard(0.43)  # so none of its speech got a reading, at any threshold above even odds
    assert heard.speech_s > 2.0 and heard.read_s == 0 and heard.windows == report.windows_with_speech
    quiet = (tmp_path / "hum.wav").read_bytes()
    report = analyse_clip(quiet, probe(quiet, "hum.wav"), None, speech_classifier)
    assert report.voice_windows >= 1 and report.windows_with_speech == 0
    assert report.speech.heard(0.43).speech_s == 0


@pytest.mark.parametrize(("data", "name", "sentence"), [
    (b"", "empty.mp4", "empty"),
    (b"this is not a video at all" * 100, "notes.mp4", "could not be read"),
    (b"\x00\x00\x00\x18ftypmp42" + bytes(5000), "broken.mp4", "could not be read"),
])
def test_bad_files_get_one_clear_sentence(data, name, sentence):
    with pytest.raises(MediaError, match=sentence):
        probe(data, name)


def test_a_name_that_lies_about_the_type(tmp_path):
    png = encode_png(astronaut_rgb())
    with pytest.raises(MediaError, match="named .mp3, but it holds an image"):
        probe(png, "song.mp3")
    video = face_and_speech_mp4(tmp_path).read_bytes()
    with pytest.raises(MediaError, match="named .png, but it holds a video"):
        probe(video, "photo.png")


def test_files_past_the_limits(tmp_path, monkeypatch):
    with pytest.raises(MediaError, match="MB"):
        probe(bytes(media.MAX_UPLOAD_MB * media.BYTES_PER_MB + 1), "big.mp4")
    long_clip = tmp_path / "long.wav"
    sf.write(long_clip, np.zeros(16_000 * (media.MAX_DURATION_S + 5), np.int16), 16_000)
    with pytest.raises(MediaError, match="minutes"):
        probe(long_clip.read_bytes(), "long.wav")
