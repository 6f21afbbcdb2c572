"""Test media made by the tests themselves: a real face photo from scikit-image, speech from
espeak-ng, hum and silence from numpy. Nothing here is downloaded or committed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from emotion.media import decode_audio


def astronaut_rgb() -> np.ndarray:
    """(512, 512, 3) uint8 RGB photo of Eileen Collins, smiling: a real, happy face."""
    from skimage import data

    return data.astronaut()


def speech_wav(path: Path, text: str = "Kids are talking by the door. I am so happy to see you today!",
               voice: str = "en-us") -> Path:
    """Synthesise `text` with espeak-ng into a WAV file (22,050 Hz mono)."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is not installed; ./scripts/test installs it")
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True)
    return path


def speech_16k(tmp_path: Path, **kwargs) -> np.ndarray:
    return decode_audio(speech_wav(tmp_path / "speech.wav", **kwargs), 16_000)


def hum(seconds: float, rate: int = 16_000, level: float = 0.02, mains_hz: float = 50.0) -> np.ndarray:
    """A quiet mains hum with its second harmonic, as a fridge or a cheap adapter makes."""
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * mains_hz * t) + level / 4 * np.sin(2 * np.pi * 2 * mains_hz * t)).astype(np.float32)
