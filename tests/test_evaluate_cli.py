"""The evaluate CLI on small labelled sets the tests write: an npz of faces, a manifest of clips."""

from __future__ import annotations

import json
import subprocess
import sys

import cv2
import numpy as np
import soundfile as sf

from conftest import REPO
from emotion.face.classify import crop_faces
from emotion.face.detect import FaceDetector
from media import astronaut_rgb, hum, speech_16k


def _run(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "emotion.train.evaluate", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_face_evaluation_on_an_npz_of_another_size(tmp_path):
    rgb = astronaut_rgb()
    crop = crop_faces(rgb, FaceDetector().detect(rgb))[0]
    big = cv2.resize(crop, (96, 96))  # another data set's crop size: resized to 48x48 inside
    x = np.stack([big, big[:, ::-1], cv2.GaussianBlur(big, (5, 5), 0)])
    y = np.array([3, 3, 3])  # happy, FER2013 order
    np.savez(tmp_path / "faces.npz", x_test=x, y_test=y)
    result = _run("face", "--npz", str(tmp_path / "faces.npz"))
    assert result["n"] == 3
    assert set(result) >= {"accuracy", "macro_f1", "per_class_recall", "confusion", "ece", "ms_per_face"}
    assert len(result["confusion"]["rows_true_columns_predicted"]) == 7
    assert result["ms_per_face"] > 0


def test_speech_evaluation_on_a_tiny_manifest(tmp_path):
    speech = speech_16k(tmp_path)
    sf.write(tmp_path / "a.wav", speech, 16_000)
    sf.write(tmp_path / "b.flac", np.concatenate([hum(1.0), speech]), 16_000)
    sf.write(tmp_path / "c.wav", hum(3.0), 16_000)  # no speech: counted, not crashed on
    (tmp_path / "clips.csv").write_text("path,emotion\na.wav,happy\nb.flac,neutral\nc.wav,sad\n")
    result = _run("speech", "--manifest", str(tmp_path / "clips.csv"))
    assert result["n"] == 3
    assert result["clips_without_speech"] == 1
    assert set(result) >= {"accuracy", "macro_f1", "per_class_recall", "confusion", "ece", "ms_per_window"}
