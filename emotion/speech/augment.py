"""Waveform and spectrogram augmentation for speech training (seeded by the caller's rng).

A training window is a clip at a random speed, cropped at a random place, then passed through a
random channel (emotion.speech.channel: room, noise, microphone, gain, narrow band, Opus), so the
network meets the microphones and rooms of real use rather than one studio's.
"""

from __future__ import annotations

import numpy as np
import soxr

from emotion.speech.channel import CHANNEL_ODDS, ChannelOdds, random_channel
from emotion.speech.features import HOP_LENGTH, SAMPLE_RATE, WINDOW_FRAMES, WINDOW_SAMPLES, fit_window
from emotion.speech.voice_activity import voiced_frames

SPEEDS = (0.9, 1.1)
"""Speed perturbation's range."""


def resample_speed(audio: np.ndarray, factor: float) -> np.ndarray:
    """Kaldi-style speed perturbation: the clip played `factor` times faster, tempo and pitch
    moving together as in a faster voice; output sample j is input sample j * factor.

    soxr directly: librosa.resample with a fractional rate took ~45 ms a clip, soxr ~1 ms."""
    return soxr.resample(audio, SAMPLE_RATE * factor, SAMPLE_RATE, quality="MQ").astype(np.float32)


def crop_shift(n_samples: int, rng: np.random.Generator) -> int:
    """Where a random window starts in a clip of `n_samples`; negative: the clip starts that
    many samples into the window (a short clip padded with silence)."""
    if n_samples > WINDOW_SAMPLES:
        return int(rng.integers(0, n_samples - WINDOW_SAMPLES + 1))
    return -int(rng.integers(0, WINDOW_SAMPLES - n_samples + 1))


def crop_at(audio: np.ndarray, shift: int) -> np.ndarray:
    """The window whose sample t is the clip's sample t + shift (silence outside the clip)."""
    if shift >= 0:
        return fit_window(audio[shift : shift + WINDOW_SAMPLES])
    return fit_window(np.pad(audio, (-shift, 0)))


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


def keep_span(window: np.ndarray, rng: np.random.Generator, low_s: float = 1.0, high_s: float = 2.0) -> tuple[np.ndarray, int, int]:
    """Silence all but a random 1-2 s of the window, so it holds part of a sentence, never all of
    it: the network cannot lean on a whole sentence's shape (RAVDESS has two sentences).
    Returns the window and the kept span's first and end sample."""
    keep = int(rng.uniform(low_s, high_s) * SAMPLE_RATE)
    start = int(rng.integers(0, max(1, len(window) - keep + 1)))
    out = np.zeros_like(window)
    out[start : start + keep] = window[start : start + keep]
    return out, start, start + keep


def warp_factor(rng: np.random.Generator, warp: float | tuple[float, float]) -> float:
    """A vocal-tract-length warp in steps of 0.01 (the mel filters of each step are computed
    once): in [1 - warp, 1 + warp] for a number, in [LOW, HIGH] for a range (one that leans
    above 1 stands in for smaller vocal tracts, as children's)."""
    if isinstance(warp, tuple):
        return round(float(rng.uniform(*warp)), 2)
    return 1.0 if warp <= 0 else round(1.0 + rng.uniform(-warp, warp), 2)


def augmented_window(audio: np.ndarray, rng: np.random.Generator, part_p: float = 0.0,
                     odds: ChannelOdds = CHANNEL_ODDS["default"]) -> np.ndarray:
    """One training window of raw samples from a clip; with probability `part_p` only 1-2 s of
    it keeps the voice (the room and the microphone still cover the whole window)."""
    window, _ = voiced_window(audio, np.zeros(0, bool), rng, rng, part_p, odds)
    return window


def voiced_window(audio: np.ndarray, voiced: np.ndarray, rng: np.random.Generator, channel_rng: np.random.Generator,
                  part_p: float = 0.0, odds: ChannelOdds = CHANNEL_ODDS["default"]) -> tuple[np.ndarray, np.ndarray]:
    """`augmented_window` that also says which of its log-mel frames hold voice, from the
    clip's voice-activity decisions `voiced` (one per CHUNK samples), followed through the
    speed change, the crop and the kept span. The channel draws from `channel_rng`: one
    speaker's windows in a session share a room and a microphone; `odds`: how often it
    holds each shift."""
    factor = rng.uniform(*SPEEDS)
    sped = resample_speed(audio, factor)
    shift = crop_shift(len(sped), rng)
    window = crop_at(sped, shift)
    at = np.arange(WINDOW_FRAMES) * HOP_LENGTH  # each frame's centre in the window
    source = np.where(at + shift >= 0, (at + shift) * factor, -1)  # ...and in the clip before the speed change
    frames = voiced_frames(voiced, source)
    if part_p > 0 and rng.random() < part_p:
        window, start, stop = keep_span(window, rng)
        frames &= (at >= start) & (at < stop)
    return fit_window(random_channel(window, channel_rng, odds)), frames
