"""Is anyone speaking? An energy test in the speech band, so hum and silence are not emotions.

Mains hum (50/60 Hz and its first harmonics) and rumble sit below the speech band, so a loud
fridge does not count; a window counts as speech when enough of its 30 ms frames carry
speech-band energy above a floor.
"""

from __future__ import annotations

import numpy as np

from emotion.speech.features import SAMPLE_RATE

FRAME = 480  # 30 ms at 16 kHz
SPEECH_BAND_HZ = (300.0, 3400.0)
MIN_BAND_DBFS = -55.0
"""A frame is voiced when its speech-band level is above this (full scale sine = 0 dBFS)."""
MIN_BAND_SHARE = 0.3
"""...and when at least this share of its energy lies in the speech band."""
MIN_VOICED_FRACTION = 0.1
"""A window is speech when at least this fraction of its frames is voiced (0.3 s in 3 s)."""

_FREQS = np.fft.rfftfreq(FRAME, 1.0 / SAMPLE_RATE)
_BAND = (_FREQS >= SPEECH_BAND_HZ[0]) & (_FREQS <= SPEECH_BAND_HZ[1])
_WINDOW = np.hanning(FRAME).astype(np.float32)
_FULL_SCALE_POWER = (np.sum(_WINDOW) / 2) ** 2  # rfft power of a full-scale sine's peak bin


def voiced_frames(audio: np.ndarray) -> np.ndarray:
    """(n,) float32 16 kHz -> (n // 480,) bool: which 30 ms frames sound like speech."""
    n = len(audio) // FRAME
    if n == 0:
        return np.zeros(0, bool)
    frames = np.nan_to_num(audio[: n * FRAME].reshape(n, FRAME)) * _WINDOW
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    band = power[:, _BAND].sum(axis=1)
    total = power.sum(axis=1) + 1e-20
    level_db = 10 * np.log10(band / _FULL_SCALE_POWER + 1e-20)
    return (level_db > MIN_BAND_DBFS) & (band / total > MIN_BAND_SHARE)


def has_speech(audio: np.ndarray) -> bool:
    voiced = voiced_frames(audio)
    return bool(len(voiced)) and float(voiced.mean()) >= MIN_VOICED_FRACTION
