"""Whisper's log-mel input (80 bands, 10 ms hop), in numpy: what the pre-trained Whisper encoder reads.

OpenAI's Whisper front end: a periodic 400-sample Hann window every 160 samples, centred with
reflect padding, the last frame dropped; 80 Slaney mel bands over 0-8 kHz; log10 of the power,
floored 8 (80 dB) below the loudest point, then (x + 4) / 4. A 3 s window gives 300 frames,
which the encoder's strided convolution halves to 150 steps of 20 ms. Written in numpy for
the same reason as emotion/speech/features.py (librosa's import costs the server ~190 MB);
tests/test_whisper_encoder.py checks it against librosa's STFT and mel filters.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from emotion.speech.features import HOP_LENGTH, WINDOW_SAMPLES, slaney_filters

WHISPER_N_FFT = 400
WHISPER_MELS = 80
WHISPER_FRAMES = WINDOW_SAMPLES // HOP_LENGTH
"""Frames of one 3 s window (300)."""

_HANN = np.hanning(WHISPER_N_FFT + 1)[:-1]  # periodic


@functools.lru_cache(maxsize=64)
def whisper_filters(warp: float = 1.0) -> np.ndarray:
    """Whisper's mel filters; `warp` != 1 reads a component at f Hz as if at warp * f (vocal tract
    length perturbation, emotion.speech.features.mel_filters: training only)."""
    return slaney_filters(WHISPER_N_FFT, WHISPER_MELS, 0.0, 8_000.0, warp).astype(np.float64)


def whisper_log_mel(audio: np.ndarray, warp: float = 1.0) -> np.ndarray:
    """(n,) float32 in -1..1 -> (n // HOP_LENGTH, WHISPER_MELS) float32, time first (the encoder's
    input; `warp`: training only, see `whisper_filters`)."""
    audio = np.nan_to_num(np.asarray(audio, np.float64), nan=0.0, posinf=1.0, neginf=-1.0)
    padded = np.pad(audio, WHISPER_N_FFT // 2, mode="reflect") if len(audio) > WHISPER_N_FFT // 2 else \
        np.pad(audio, WHISPER_N_FFT // 2)
    frames = sliding_window_view(padded, WHISPER_N_FFT)[::HOP_LENGTH][: len(audio) // HOP_LENGTH]
    power = np.abs(np.fft.rfft(frames * _HANN, axis=1)) ** 2
    log_spec = np.log10(np.maximum(power @ whisper_filters(warp).T, 1e-10))
    log_spec = np.maximum(log_spec, log_spec.max(initial=-10.0) - 8.0)
    return ((log_spec + 4.0) / 4.0).astype(np.float32)

