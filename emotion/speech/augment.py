"""Waveform and spectrogram augmentation for speech training (seeded by the caller's rng).

A training window is a clip at a random speed, cropped at a random place, then passed through a
random channel (emotion.speech.channel: room, noise, microphone, gain, narrow band, Opus), so the
network meets the microphones and rooms of real use rather than one studio's.
"""

from __future__ import annotations

import numpy as np
import soxr

from emotion.speech.channel import random_channel
from emotion.speech.features import SAMPLE_RATE, WINDOW_SAMPLES, fit_window


def speed(audio: np.ndarray, rng: np.random.Generator, low: float = 0.9, high: float = 1.1) -> np.ndarray:
    """Kaldi-style speed perturbation: tempo and pitch move together, as in a faster voice.

    soxr directly: librosa.resample with a fractional rate took ~45 ms a clip, soxr ~1 ms.
    """
    factor = rng.uniform(low, high)
    return soxr.resample(audio, SAMPLE_RATE * factor, SAMPLE_RATE, quality="MQ").astype(np.float32)


def random_crop(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A window at a random offset (time shift); short clips land at a random place in it."""
    if len(audio) > WINDOW_SAMPLES:
        start = rng.integers(0, len(audio) - WINDOW_SAMPLES + 1)
        return audio[start : start + WINDOW_SAMPLES]
    pad = WINDOW_SAMPLES - len(audio)
    before = rng.integers(0, pad + 1)
    return np.pad(audio, (before, pad - before))


def spec_mask(features: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """SpecAugment: two frequency bands and two time spans set to the window's mean (zero)."""
    out = features.copy()
    n_mels, n_frames = out.shape[:2]
    for _ in range(2):
        width = rng.integers(0, 9)
        start = rng.integers(0, n_mels - width + 1)
        out[start : start + width] = 0.0
        width = rng.integers(0, 31)
        start = rng.integers(0, n_frames - width + 1)
        out[:, start : start + width] = 0.0
    return out


def keep_span(window: np.ndarray, rng: np.random.Generator, low_s: float = 1.0, high_s: float = 2.0) -> np.ndarray:
    """Silence all but a random 1-2 s of the window, so it holds part of a sentence, never all of
    it: the network cannot lean on a whole sentence's shape (RAVDESS has two sentences)."""
    keep = int(rng.uniform(low_s, high_s) * SAMPLE_RATE)
    start = rng.integers(0, max(1, len(window) - keep + 1))
    out = np.zeros_like(window)
    out[start : start + keep] = window[start : start + keep]
    return out


def warp_factor(rng: np.random.Generator, max_warp: float) -> float:
    """A vocal-tract-length warp in [1 - max_warp, 1 + max_warp], in steps of 0.01 (the mel
    filters of each step are computed once)."""
    return 1.0 if max_warp <= 0 else round(1.0 + rng.uniform(-max_warp, max_warp), 2)


def augmented_window(audio: np.ndarray, rng: np.random.Generator, part_p: float = 0.0) -> np.ndarray:
    """One training window of raw samples from a clip; with probability `part_p` only 1-2 s of
    it keeps the voice (the room and the microphone still cover the whole window)."""
    window = random_crop(speed(audio, rng), rng)
    if part_p > 0 and rng.random() < part_p:
        window = keep_span(window, rng)
    return fit_window(random_channel(window, rng))
