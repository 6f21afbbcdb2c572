"""Emotion probabilities for speech: windows, whole clips and live streams share this code.

`SpeechClassifier` scores 3 s windows (features + TFLite); `classify_clip` walks a clip window
by window, the way the live stream does over time; `SpeechStream` takes chunks of any rate,
channel count and dtype, keeps the last window at 16 kHz mono, and every hop says what it hears
-- or "no speech", when the window holds no voice (emotion.speech.voice_activity, one detector
per stream or clip).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import soxr

from emotion.labels import VOICE_CLASSES
from emotion.speech.features import SAMPLE_RATE, WINDOW_SAMPLES, Normalisation, fit_window, log_mel, window_starts
from emotion.speech.voice_activity import CHUNK, VoiceDetector, is_speech, voiced_chunks
from emotion.tflite_model import TFLiteModel

DEFAULT_HOP_S = 0.5


class VoiceReading(NamedTuple):
    """What one window of sound says: its time span in seconds and probabilities in RAVDESS
    order, or None when there was no speech in it."""

    start_s: float
    end_s: float
    probabilities: np.ndarray | None


class SpeechClassifier:
    """(n, 48000) float32 16 kHz windows -> (n, 8) calibrated probabilities in RAVDESS order.

    `normalisation` is the one the model was trained with (its training record says which)."""

    def __init__(self, tflite_path: Path, normalisation: Normalisation = "window") -> None:
        self._model = TFLiteModel(tflite_path)
        self.normalisation = normalisation

    def predict_windows(self, windows: list[np.ndarray] | np.ndarray) -> np.ndarray:
        if len(windows) == 0:
            return np.zeros((0, len(VOICE_CLASSES)), np.float32)
        return self._model.predict(np.stack([log_mel(w, self.normalisation) for w in windows]))

    def classify_clip(self, audio: np.ndarray, hop_s: float = DEFAULT_HOP_S) -> list[VoiceReading]:
        """One reading per window over a 16 kHz mono clip; voiceless windows carry None."""
        audio = clean(audio)
        starts = window_starts(len(audio), int(hop_s * SAMPLE_RATE))
        windows = [fit_window(audio[s : s + WINDOW_SAMPLES]) for s in starts]
        voiced = voiced_chunks(audio)  # one detector over the whole clip, as over a stream
        speaking = [i for i, s in enumerate(starts) if is_speech(voiced[s // CHUNK : (s + WINDOW_SAMPLES) // CHUNK])]
        probs = self.predict_windows([windows[i] for i in speaking])
        by_window = dict(zip(speaking, probs))
        return [
            VoiceReading(s / SAMPLE_RATE, min(len(audio), s + WINDOW_SAMPLES) / SAMPLE_RATE, by_window.get(i))
            for i, s in enumerate(starts)
        ]

    def score_clips(self, clips: list[np.ndarray]) -> tuple[np.ndarray, int]:
        """(n, 8) clip probabilities as an upload gets them, and how many clips held no speech
        (their row is all zeros, so they count as wrong rather than vanish from a score)."""
        out, silent = [], 0
        for clip in clips:
            probs = clip_probabilities(self.classify_clip(clip))
            silent += probs is None
            out.append(np.zeros(len(VOICE_CLASSES), np.float32) if probs is None else probs)
        return np.array(out).reshape(-1, len(VOICE_CLASSES)), silent


def clip_probabilities(readings: list[VoiceReading]) -> np.ndarray | None:
    """Mean probabilities over the windows that held speech; None when none did."""
    voiced = [r.probabilities for r in readings if r.probabilities is not None]
    return np.mean(voiced, axis=0) if voiced else None


def clean(audio: np.ndarray) -> np.ndarray:
    """float32 in -1..1 with NaN/inf made silent or full scale: bad samples must not crash."""
    audio = np.asarray(audio)
    if np.issubdtype(audio.dtype, np.integer):
        audio = audio.astype(np.float32) / float(np.iinfo(audio.dtype).max)
    return np.clip(np.nan_to_num(audio.astype(np.float32), nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)


def to_mono(chunk: np.ndarray, channels: int) -> np.ndarray:
    """(n,) interleaved, (n, channels) or (channels, n) samples -> (n,) float32 mono."""
    chunk = clean(chunk)
    if chunk.ndim == 2:
        if chunk.shape[0] == channels and chunk.shape[1] != channels:
            chunk = chunk.T
        return chunk.mean(axis=1) if chunk.shape[1] > 1 else chunk[:, 0]
    if channels > 1:
        usable = len(chunk) - len(chunk) % channels
        return chunk[:usable].reshape(-1, channels).mean(axis=1)
    return chunk


class SpeechStream:
    """Feed audio chunks; every `hop_s` of new sound, get a reading of the last window.

    Synchronous by design: the live page calls `push` from a worker thread, never from the
    WebRTC callback, so a slow model delays readings instead of dropping audio.
    """

    def __init__(self, classifier: SpeechClassifier, hop_s: float = DEFAULT_HOP_S) -> None:
        self.classifier = classifier
        self.hop_samples = int(hop_s * SAMPLE_RATE)
        self._buffer = np.zeros(WINDOW_SAMPLES, np.float32)
        self._filled = 0  # samples of real sound in the buffer, up to a window
        self._detector = VoiceDetector()
        self._voiced = np.zeros(0, bool)  # the detector's decisions for the newest frames, up to a window
        self._since_last = 0  # samples since the last reading
        self._received = 0  # 16 kHz samples since the start: the stream's clock
        self._resampler: soxr.ResampleStream | None = None
        self._input_rate = 0

    def push(self, chunk: np.ndarray, sample_rate: int, channels: int = 1, latest_only: bool = False) -> list[VoiceReading]:
        """Add a chunk; returns a reading for each hop it completed, or with `latest_only` at
        most one, for the newest sound (a worker that fell behind catches up, never queues)."""
        mono = self._to_16k(chunk, sample_rate, channels)
        if latest_only:
            self._append(mono)
            if self._since_last < self.hop_samples:
                return []
            self._since_last %= self.hop_samples
            return [self._read()]
        readings = []
        while len(mono):
            take = min(len(mono), self.hop_samples - self._since_last)
            self._append(mono[:take])
            mono = mono[take:]
            if self._since_last >= self.hop_samples:
                self._since_last = 0
                readings.append(self._read())
        return readings

    def push_silently(self, chunk: np.ndarray, sample_rate: int, channels: int = 1) -> None:
        """Add a chunk without classifying; the next `push(latest_only=True)` covers it."""
        self._append(self._to_16k(chunk, sample_rate, channels))

    def _to_16k(self, chunk: np.ndarray, sample_rate: int, channels: int) -> np.ndarray:
        if not 8_000 <= sample_rate <= 48_000:
            raise ValueError(f"sample rate {sample_rate} Hz is outside 8-48 kHz")
        mono = to_mono(chunk, channels)
        if sample_rate == SAMPLE_RATE:
            return mono
        if self._resampler is None or self._input_rate != sample_rate:
            self._resampler = soxr.ResampleStream(sample_rate, SAMPLE_RATE, 1, dtype="float32")
            self._input_rate = sample_rate
        return self._resampler.resample_chunk(mono)

    def _append(self, samples: np.ndarray) -> None:
        n = len(samples)
        self._buffer = np.concatenate([self._buffer[n:], samples]) if n < WINDOW_SAMPLES else samples[-WINDOW_SAMPLES:]
        self._filled = min(WINDOW_SAMPLES, self._filled + n)
        self._voiced = np.concatenate([self._voiced, self._detector.push(samples)])[-(WINDOW_SAMPLES // CHUNK) :]
        self._since_last += n
        self._received += n

    def _read(self) -> VoiceReading:
        end_s = self._received / SAMPLE_RATE
        window = self._buffer[WINDOW_SAMPLES - self._filled :]
        start_s = end_s - len(window) / SAMPLE_RATE
        chunks = len(window) // CHUNK
        if not is_speech(self._voiced[len(self._voiced) - chunks :] if chunks else self._voiced[:0]):
            return VoiceReading(start_s, end_s, None)
        return VoiceReading(start_s, end_s, self.classifier.predict_windows([window])[0])
