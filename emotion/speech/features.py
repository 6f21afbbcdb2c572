"""Log-mel features of 16 kHz mono speech: the one function training, live and upload share.

A window of WINDOW_S seconds becomes a (N_MELS, WINDOW_FRAMES, 2) array: the log-mel
spectrogram standardised over the window (so microphone gain does not matter) and its delta.
"""

from __future__ import annotations

import librosa
import numpy as np

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

_MEL_BASIS = librosa.filters.mel(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS, fmin=F_MIN, fmax=F_MAX)


def fit_window(audio: np.ndarray) -> np.ndarray:
    """Pad (at the end) or cut (from the end) to exactly one window of samples."""
    audio = np.asarray(audio, dtype=np.float32)
    if len(audio) >= WINDOW_SAMPLES:
        return audio[:WINDOW_SAMPLES]
    return np.pad(audio, (0, WINDOW_SAMPLES - len(audio)))


def log_mel(window: np.ndarray) -> np.ndarray:
    """(WINDOW_SAMPLES,) float32 in -1..1 -> (N_MELS, WINDOW_FRAMES, 2) float32."""
    window = np.nan_to_num(fit_window(window), nan=0.0, posinf=1.0, neginf=-1.0)
    spectrum = np.abs(librosa.stft(window, n_fft=N_FFT, hop_length=HOP_LENGTH, win_length=WIN_LENGTH)) ** 2
    mel = librosa.power_to_db(_MEL_BASIS @ spectrum, ref=1.0, amin=1e-10, top_db=80.0)
    mel = (mel - mel.mean()) / (mel.std() + 1e-5)
    delta = librosa.feature.delta(mel, width=9)
    return np.stack([mel, delta], axis=-1).astype(np.float32)


def window_starts(n_samples: int, hop_samples: int) -> list[int]:
    """Start offsets of analysis windows over a clip: every hop, plus one flush with the end."""
    if n_samples <= WINDOW_SAMPLES:
        return [0]
    starts = list(range(0, n_samples - WINDOW_SAMPLES + 1, hop_samples))
    if starts[-1] != n_samples - WINDOW_SAMPLES:
        starts.append(n_samples - WINDOW_SAMPLES)
    return starts
