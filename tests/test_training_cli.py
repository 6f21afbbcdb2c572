"""The face training CLI end to end on a few hundred real FER2013 faces: epochs, resume, release.

Slow-ish (about a minute on two cores) but it is the only proof that --resume continues a run
rather than restarting it, and that a release writes the .keras, the .tflite and the record.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO
from emotion.data_dir import data_dir

pytestmark = pytest.mark.slow


def _train(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "emotion.train.face", "--limit", "256", "--batch-size", "64", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_train_resume_and_release(tmp_path):
    if not (data_dir() / "fer2013" / "fer2013.npz").exists():
        pytest.skip("FER2013 is not at $EMOTION_DATA_DIR or ../shared/data")
    run, out = tmp_path / "run", tmp_path / "models" / "face.keras"
    first = _train("--epochs", "2", "--run-dir", str(run), "--out", str(out))
    assert "epoch 1/2" in first and "epoch 2/2" in first
    second = _train("--epochs", "3", "--resume", "--run-dir", str(run), "--out", str(out))
    assert "resuming" in second and "epoch 3/3" in second and "epoch 1/" not in second
    state = json.loads((run / "state.json").read_text())
    assert state["epochs_done"] == 3 and len(state["history"]) == 3 and len(state["commands"]) == 2
    record = json.loads(out.with_suffix(".train.json").read_text())
    assert record["epochs_done"] == 3 and record["temperature"] > 0
    assert out.exists() and out.with_suffix(".tflite").stat().st_size > 100_000
