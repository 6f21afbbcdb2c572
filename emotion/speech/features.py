"""Log-mel features of 16 kHz mono speech: the one function training, live and upload share.

A window of WINDOW_S seconds becomes a (N_MELS, WINDOW_FRAMES, 2) array: the log-mel
spectrogram, standardised, and its delta. Standardised how is the model's own setting
(`Normalisation`, recorded with the model): "window" takes one mean and deviation over the whole
window, which removes the microphone's gain; "per_band" takes them per mel band, which also
removes its colouring (a fixed gain per band), the way cepstral mean and variance
normalisation does, and keeps how each band moves over time; "session" takes the per-band
statistics of the speaker's voiced sound so far (`BandStats`: a whole clip for an upload, the
session up to now in Live), which also removes what is the speaker's own rather than the
moment's -- a deep voice, a nasal one -- and lets a window be louder or brighter than the
speaker's usual, which is what an emotion changes.

The computation is librosa's (`stft` centred with zero padding and a periodic Hann window,
Slaney mel filters, `power_to_db`, `feature.delta`) written in numpy, and tests/test_speech.py
checks it against librosa itself. The reason is the app's memory: importing librosa's spectrum
code pulls in numba and scipy.signal, about 190 MB resident in the server, half of the app's
400 MB budget (benchmarks/live.py), for a few lines of arithmetic.
"""

from __future__ import annotations

import functools
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

SAMPLE_RATE = 16_000
WINDOW_S = 3.0
WINDOW_SAMPLES = int(SAMPLE_RATE * WINDOW_S)
N_FFT = 512
WIN_LENGTH = 400  # 25 ms
HOP_LENGTH = 160  # 10 ms
N_MELS = 64
F_MIN, F_MAX = 50.0, 8_000.0
WINDOW_FRAMES = 1 + WINDOW_SAMPLES // HOP_LENGTH
FEATURE_SHAPE = (N_MELS, WINDOW_FRAMES, 2)
TOP_DB = 80.0
Normalisation = Literal["window", "per_band", "session"]
DELTA_WIDTH = 9


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above (librosa's default, htk=False)."""
    hz = np.asarray(hz, np.float64)
    linear = hz / (200.0 / 3)
    logarithmic = 15.0 + np.log(np.maximum(hz, 1000.0) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, logarithmic, linear)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, np.float64)
    return np.where(mel >= 15.0, 1000.0 * np.exp(np.log(6.4) / 27.0 * (mel - 15.0)), mel * 200.0 / 3)


@functools.lru_cache(maxsize=64)
def mel_filters(warp: float = 1.0) -> np.ndarray:
    """(N_MELS, N_FFT // 2 + 1) triangular filters, each normalised to unit area (Slaney).

    `warp` != 1 reads a component at f Hz as if it were at warp * f: vocal tract length
    perturbation, a training augmentation that moves formants and pitch as a longer or shorter
    vocal tract would. The app always uses 1."""
    return slaney_filters(N_FFT, N_MELS, F_MIN, F_MAX, warp)


def slaney_filters(n_fft: int, n_mels: int, f_min: float, f_max: float, warp: float = 1.0) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) float32 Slaney mel filters (librosa's `filters.mel` defaults)."""
    fft_hz = np.fft.rfftfreq(n_fft, 1.0 / SAMPLE_RATE) * warp
    edges = _mel_to_hz(np.linspace(_hz_to_mel(f_min), _hz_to_mel(f_max), n_mels + 2))
    widths = np.diff(edges)
    distance = edges[:, None] - fft_hz[None, :]
    rising, falling = -distance[:-2] / widths[:-1, None], distance[2:] / widths[1:, None]
    filters = np.maximum(0.0, np.minimum(rising, falling))
    return (filters * (2.0 / (edges[2:] - edges[:-2]))[:, None]).astype(np.float32)


_WINDOW = np.zeros(N_FFT)
_WINDOW[(N_FFT - WIN_LENGTH) // 2 : (N_FFT + WIN_LENGTH) // 2] = np.hanning(WIN_LENGTH + 1)[:-1]  # periodic Hann
_DELTA_TAPS = np.arange(-(DELTA_WIDTH // 2), DELTA_WIDTH // 2 + 1, dtype=np.float64)


def power_spectrogram(audio: np.ndarray) -> np.ndarray:
    """(n,) samples -> (N_FFT // 2 + 1, 1 + n // HOP_LENGTH) power, frames centred on each hop."""
    frames = sliding_window_view(np.pad(audio, N_FFT // 2), N_FFT)[::HOP_LENGTH]
    return (np.abs(np.fft.rfft(frames * _WINDOW, axis=1)) ** 2).T


def delta(features: np.ndarray) -> np.ndarray:
    """Local slope over DELTA_WIDTH frames (a first-order Savitzky-Golay derivative); the edge
    frames take the slope of the first and last full span, as librosa's mode="interp" does."""
    half = DELTA_WIDTH // 2
    slopes = sliding_window_view(features, DELTA_WIDTH, axis=1) @ _DELTA_TAPS / np.sum(_DELTA_TAPS**2)
    return np.concatenate([np.repeat(slopes[:, :1], half, axis=1), slopes, np.repeat(slopes[:, -1:], half, axis=1)], axis=1)


def fit_window(audio: np.ndarray) -> np.ndarray:
    """Pad (at the end) or cut (from the end) to exactly one window of samples."""
    audio = np.asarray(audio, dtype=np.float32)
    if len(audio) >= WINDOW_SAMPLES:
        return audio[:WINDOW_SAMPLES]
    return np.pad(audio, (0, WINDOW_SAMPLES - len(audio)))


def decibels(audio: np.ndarray, warp: float = 1.0) -> np.ndarray:
    """(n,) float32 in -1..1, any length -> (N_MELS, 1 + n // HOP_LENGTH) log-mel in dB, floored
    TOP_DB below its loudest point (`warp`: training only)."""
    audio = np.nan_to_num(np.asarray(audio, np.float32), nan=0.0, posinf=1.0, neginf=-1.0)
    mel = 10.0 * np.log10(np.maximum(1e-10, mel_filters(warp) @ power_spectrogram(audio)))
    return np.maximum(mel, mel.max() - TOP_DB)


class BandStats:
    """Running per-band mean and deviation of log-mel frames: a speaker's (or a session's)
    voice so far, for "session" normalisation. Only voiced frames go in, so silence and the
    pauses between sentences do not pull the mean down."""

    MIN_STD_DB = 1.0
    """A band that has barely moved yet (a few frames) is not blown up to unit deviation."""

    def __init__(self) -> None:
        self.frames = 0
        self._sum = np.zeros(N_MELS)
        self._squares = np.zeros(N_MELS)

    def add(self, mel_db: np.ndarray, voiced: np.ndarray) -> None:
        """Take the columns of (N_MELS, frames) `mel_db` where the (frames,) bool `voiced` holds."""
        chosen = np.asarray(mel_db, np.float64)[:, np.asarray(voiced, bool)]
        self.frames += chosen.shape[1]
        self._sum += chosen.sum(axis=1)
        self._squares += (chosen**2).sum(axis=1)

    @property
    def seconds(self) -> float:
        return self.frames * HOP_LENGTH / SAMPLE_RATE

    def mean_std(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-band mean and deviation, (N_MELS, 1) each; ValueError before any frame came in."""
        if self.frames == 0:
            raise ValueError("no voiced frame yet")
        mean = self._sum / self.frames
        std = np.sqrt(np.maximum(self._squares / self.frames - mean**2, 0.0))
        return mean[:, None], np.maximum(std, self.MIN_STD_DB)[:, None]

    def merge(self, other: "BandStats") -> None:
        """Take in another's frames: a speaker's statistics from those of their clips."""
        self.frames += other.frames
        self._sum += other._sum
        self._squares += other._squares

    @classmethod
    def of(cls, mel_dbs: list[np.ndarray], voiced: list[np.ndarray]) -> "BandStats":
        """Statistics over several windows at once; a window with no voiced frame gives all its frames."""
        stats = cls()
        for mel_db, mask in zip(mel_dbs, voiced):
            stats.add(mel_db, mask if np.any(mask) else np.ones(mel_db.shape[1], bool))
        return stats


def features(mel_db: np.ndarray, normalisation: Normalisation = "window", stats: BandStats | None = None) -> np.ndarray:
    """(N_MELS, WINDOW_FRAMES) dB -> (N_MELS, WINDOW_FRAMES, 2) float32: standardised, with its delta.
    "session" needs the speaker's `stats`; without them it falls back to the window's own per band."""
    if normalisation == "session" and stats is not None and stats.frames:
        mean, std = stats.mean_std()
        mel = (mel_db - mean) / std
    else:
        over = 1 if normalisation in ("per_band", "session") else None
        mel = (mel_db - mel_db.mean(axis=over, keepdims=True)) / (mel_db.std(axis=over, keepdims=True) + 1e-5)
    return np.stack([mel, delta(mel)], axis=-1).astype(np.float32)


def log_mel(window: np.ndarray, normalisation: Normalisation = "window", warp: float = 1.0,
            stats: BandStats | None = None) -> np.ndarray:
    """(WINDOW_SAMPLES,) float32 in -1..1 -> (N_MELS, WINDOW_FRAMES, 2) float32 (`warp`: training only)."""
    return features(decibels(fit_window(window), warp), normalisation, stats)


def window_starts(n_samples: int, hop_samples: int) -> list[int]:
    """Start offsets of analysis windows over a clip: every hop, plus one flush with the end."""
    if n_samples <= WINDOW_SAMPLES:
        return [0]
    starts = list(range(0, n_samples - WINDOW_SAMPLES + 1, hop_samples))
    if starts[-1] != n_samples - WINDOW_SAMPLES:
        starts.append(n_samples - WINDOW_SAMPLES)
    return starts
