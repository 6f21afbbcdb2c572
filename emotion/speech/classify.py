"""Emotion probabilities for speech: windows, whole clips and live streams share this code.

`SpeechClassifier` scores 3 s windows (features + TFLite); `classify_clip` walks a clip window
by window, the way the live stream does over time; `SpeechStream` takes chunks of any rate,
channel count and dtype, keeps the last window at 16 kHz mono, and every hop says what it hears
-- or "no speech", when the window holds no voice (emotion.speech.voice_activity, one detector
per stream or clip).

A model trained with "session" normalisation reads each window against the speaker's voice:
a clip's own voiced sound for a whole clip, and in a stream the voiced sound heard so far, so
the first WARM_UP_S seconds of voice are marked as warming up. A model that reads the speaker's
Whisper embeddings (emotion.speech.speaker) does the same with its embeddings: an upload's window
against the clip's other voiced windows, a stream's against the voiced windows read so far; such a model
also says how unlike its training voices each window sounds, and gives even odds ("not sure")
where it is too unlike them (emotion.train.unfamiliar; VoiceReading.unfamiliar).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import soxr

from emotion.labels import VOICE_CLASSES
from emotion.speech.features import (HOP_LENGTH, SAMPLE_RATE, WINDOW_SAMPLES, BandStats, Normalisation,
                                     decibels, features, fit_window, window_starts)
from emotion.speech.speaker import SPEAKER_INPUTS, SpeakerEmbeddings
from emotion.speech.voice_activity import CHUNK, VoiceDetector, is_speech, voiced_chunks, voiced_frames
from emotion.speech.whisper_features import whisper_log_mel
from emotion.tflite_model import TFLiteModel

DEFAULT_HOP_S = 0.5
STATS_BLOCK = 30 * SAMPLE_RATE  # a multiple of HOP_LENGTH
FrontEnd = Literal["log_mel", "whisper_log_mel", "log_mel+whisper_log_mel"]
WHISPER: FrontEnd = "whisper_log_mel"
PAIR: FrontEnd = "log_mel+whisper_log_mel"
MAX_BATCH = 16
"""Windows per model call. An upload of a few minutes is hundreds of windows, and the Whisper
encoder's activations for 115 at once took the process to 1.1 GB (benchmarks/speech.py)."""
WARM_UP_S = 4.0
"""Seconds of voice a stream has heard before its "session" statistics are its speaker's
rather than a sentence's (readings before then are marked warming up)."""


class VoiceReading(NamedTuple):
    """What one window of sound says: its time span in seconds and probabilities in RAVDESS
    order, or None when there was no speech in it; and, from a model that measures it, how
    unlike the training voices it sounds (`WindowReadings.unfamiliarity`).

    For a window with speech, what the reading heard: `speech_s`, the seconds of the window the
    voice detector found voiced, and `speech_dbfs`, their RMS level; and `new_speech_s`, the part
    of `speech_s` that no earlier reading with speech held. Each second of speech is new in one
    reading only, so these add up to a clip's or a session's speech once, to say how much of it
    got a reading (emotion.speech.coverage). They are 0 / None where there was no speech."""

    start_s: float
    end_s: float
    probabilities: np.ndarray | None
    warming_up: bool = False
    unfamiliarity: float | None = None
    speech_s: float = 0.0
    speech_dbfs: float | None = None
    new_speech_s: float = 0.0

    @property
    def unfamiliar(self) -> bool:
        """Whether the model read this window as sound unlike its training (even probabilities)."""
        return self.unfamiliarity is not None and self.unfamiliarity > 1.0


class WindowReadings(NamedTuple):
    """A model's outputs for a batch of windows: (n, 8) probabilities; for a model that reads the
    speaker, each window's (n, width) embedding and its (n,) unfamiliarity, the distance from the
    training windows over the threshold above which the model's probabilities are even
    (emotion.train.unfamiliar); else None."""

    probabilities: np.ndarray
    embeddings: np.ndarray | None = None
    unfamiliarity: np.ndarray | None = None

    def unfamiliarity_of(self, k: int) -> float | None:
        """Window k's unfamiliarity (None from a model that does not measure it)."""
        return None if self.unfamiliarity is None else float(self.unfamiliarity[k])


class ClipScores(NamedTuple):
    """Clips read as uploads are: (n, 8) probabilities (a clip with no speech has an all-zero row,
    so it counts as wrong rather than vanishing from a score) and (n,) whether every voiced window
    of a clip read unlike the training voices (`VoiceReading.unfamiliar`: the clip reads "not sure"
    throughout)."""

    probabilities: np.ndarray
    unfamiliar: np.ndarray

    @property
    def silent(self) -> int:
        """How many clips held no speech (their all-zero rows)."""
        return int(np.sum(~self.probabilities.any(axis=1)))


class SpeechClassifier:
    """(n, 48000) float32 16 kHz windows -> (n, 8) calibrated probabilities in RAVDESS order.

    `front_end` and `normalisation` are the model's own (its training record says which):
    "log_mel", the project's 64-band features standardised by `normalisation`, or
    "whisper_log_mel", the 80-band input of a model built on Whisper's encoder, which takes no
    standardisation; or "log_mel+whisper_log_mel", both, for a model that averages a network on
    each (its inputs are named "log_mel" and "whisper_log_mel")."""

    def __init__(self, tflite_path: Path, normalisation: Normalisation = "window", front_end: FrontEnd = "log_mel") -> None:
        # One interpreter for every stream: a window costs a few ms every 0.5 s per stream, so
        # they rarely wait on each other, and each extra interpreter of the Whisper pair would
        # hold its own ~40 MB of unpacked weights (20 Live start/stop cycles grew the server 68 MB).
        self._model = TFLiteModel(tflite_path, max_parallel=1)
        self.normalisation: Normalisation = "window" if front_end == WHISPER else normalisation
        self.front_end = front_end

    @property
    def reads_speaker(self) -> bool:
        """Whether the model reads each window against its speaker's Whisper embeddings
        (emotion.speech.speaker); such a model returns each window's embedding too."""
        return set(SPEAKER_INPUTS) <= set(self._model.input_shapes)

    def predict_windows(self, windows: list[np.ndarray] | np.ndarray, stats: BandStats | None = None,
                        speaker: SpeakerEmbeddings | None = None) -> np.ndarray:
        """Probabilities per window (`read_windows` without the rest)."""
        return self.read_windows(windows, stats, speaker).probabilities

    def read_windows(self, windows: list[np.ndarray] | np.ndarray, stats: BandStats | None = None,
                     speaker: SpeakerEmbeddings | None = None,
                     mel_dbs: list[np.ndarray] | None = None) -> WindowReadings:
        """The model's outputs per window. `stats`: the speaker's voice, for "session"
        normalisation (without them each window is read against its own sound); `speaker`: their
        embeddings so far, for a model that `reads_speaker` (without them the windows are one
        voice, each read against the others: a first pass embeds them all); `mel_dbs`: the
        windows' log-mel (`features.decibels`) where already computed."""
        windows = [fit_window(w) for w in windows]
        if not windows:
            return WindowReadings(np.zeros((0, len(VOICE_CLASSES)), np.float32))
        if self.front_end != WHISPER and mel_dbs is None:
            mel_dbs = [decibels(w) for w in windows]
        if not self.reads_speaker:
            return self._run(windows, mel_dbs, stats, None)
        if speaker is None and len(windows) == 1:  # no other window to read it against
            speaker = SpeakerEmbeddings(self.embedding_width)
        if speaker is not None:
            return self._run(windows, mel_dbs, stats, speaker.model_inputs(len(windows)))
        alone = SpeakerEmbeddings(self.embedding_width).model_inputs(len(windows))
        embeddings = self._run(windows, mel_dbs, stats, alone).embeddings
        others = SpeakerEmbeddings.of(embeddings).model_inputs(len(windows), leave_out=embeddings)
        return self._run(windows, mel_dbs, stats, others)  # embeddings and distances do not depend on the others

    @property
    def embedding_width(self) -> int:
        """How many numbers a window's embedding has (a model that `reads_speaker`)."""
        return self._model.input_shapes[SPEAKER_INPUTS[1]][0]

    def _run(self, windows: list[np.ndarray], mel_dbs: list[np.ndarray] | None, stats: BandStats | None,
             speaker_inputs: dict[str, np.ndarray] | None) -> WindowReadings:
        """The model's outputs, MAX_BATCH windows per call."""
        outputs = []
        for first in range(0, len(windows), MAX_BATCH):
            part = slice(first, first + MAX_BATCH)
            inputs = {}
            if self.front_end != WHISPER:
                inputs["log_mel"] = np.stack([features(mel_db, self.normalisation, stats) for mel_db in mel_dbs[part]])
            if self.front_end != "log_mel":
                inputs["whisper_log_mel"] = whisper_inputs(windows[part])
            inputs |= {name: values[part] for name, values in (speaker_inputs or {}).items()}
            outputs.append(self._model.outputs(inputs if len(inputs) > 1 else next(iter(inputs.values()))))
        probabilities, *more = [np.concatenate(column) for column in zip(*outputs)]
        if not more:
            return WindowReadings(probabilities)
        return WindowReadings(probabilities, more[0], more[1][:, 0] if len(more) > 1 else None)  # None: a model from before

    def _speaking_windows(self, audio: np.ndarray, hop_s: float) -> tuple[list[int], list[int], list[np.ndarray], np.ndarray]:
        """A clip's window starts, which of them hold speech, those windows, and the detector's
        decisions (one detector over the whole clip, as over a stream)."""
        starts = window_starts(len(audio), int(hop_s * SAMPLE_RATE))
        voiced = voiced_chunks(audio)
        speaking = [i for i, s in enumerate(starts) if is_speech(voiced[s // CHUNK : (s + WINDOW_SAMPLES) // CHUNK])]
        return starts, speaking, [fit_window(audio[starts[i] : starts[i] + WINDOW_SAMPLES]) for i in speaking], voiced

    def classify_clip(self, audio: np.ndarray, hop_s: float = DEFAULT_HOP_S, stats: BandStats | None = None,
                      speaker: SpeakerEmbeddings | None = None) -> list[VoiceReading]:
        """One reading per window over a 16 kHz mono clip; voiceless windows carry None. With
        "session" normalisation each window is read against the clip's voice, or against
        `stats` where given (the speaker's over more than this clip); a model that reads the
        speaker reads each window against the clip's other voiced windows, or `speaker`."""
        audio = clean(audio)
        starts, speaking, windows, voiced = self._speaking_windows(audio, hop_s)
        if self.normalisation == "session" and speaking and stats is None:
            stats = self.clip_stats(audio, voiced)
        read = self.read_windows(windows, stats, speaker)
        read_as = {i: k for k, i in enumerate(speaking)}  # a start's place among the windows read
        readings, heard = [], 0  # chunks that an earlier window with speech held
        for i, s in enumerate(starts):
            span, k = (s / SAMPLE_RATE, min(len(audio), s + WINDOW_SAMPLES) / SAMPLE_RATE), read_as.get(i)
            if k is None:
                readings.append(VoiceReading(*span, None))
                continue
            first, last = s // CHUNK, min(len(voiced), (s + WINDOW_SAMPLES) // CHUNK)  # the chunks judged speech
            new, heard = max(heard, first), max(heard, last)
            speech_s, speech_dbfs = voiced_sound(audio[first * CHUNK : last * CHUNK], voiced[first:last])
            readings.append(VoiceReading(*span, read.probabilities[k], unfamiliarity=read.unfamiliarity_of(k),
                                         speech_s=speech_s, speech_dbfs=speech_dbfs,
                                         new_speech_s=chunk_seconds(voiced[new:last])))
        return readings

    def clip_speaker(self, audio: np.ndarray, hop_s: float = DEFAULT_HOP_S) -> SpeakerEmbeddings:
        """The embeddings of a clip's voiced windows (a model that reads the speaker): one of the
        clips a speaker's statistics are made of."""
        speaker = SpeakerEmbeddings(self.embedding_width)
        windows = self._speaking_windows(clean(audio), hop_s)[2]
        if windows:  # each window's embedding is its own, whatever the speaker inputs say
            speaker.add(self.read_windows(windows, speaker=speaker).embeddings)
        return speaker

    @staticmethod
    def clip_stats(audio: np.ndarray, voiced: np.ndarray) -> BandStats:
        """The per-band statistics of a clip's voiced frames: the speaker, as far as the clip
        tells. Computed a block at a time, so a long upload's spectrogram never sits in memory whole."""
        stats = BandStats()
        for start in range(0, max(1, len(audio)), STATS_BLOCK):
            mel_db = decibels(audio[start : start + STATS_BLOCK])
            frames = mel_db.shape[1] if start + STATS_BLOCK >= len(audio) else STATS_BLOCK // HOP_LENGTH
            positions = start + np.arange(frames) * HOP_LENGTH  # the next block's first frame is its own
            stats.add(mel_db[:, :frames], voiced_frames(voiced, positions))
        return stats

    def score_clips(self, clips: list[np.ndarray]) -> ClipScores:
        """Each clip read as an upload is: its probabilities (all zero where it held no speech),
        and whether the model found every voiced window unlike its training voices."""
        out, unfamiliar = [], []
        for clip in clips:
            readings = self.classify_clip(clip)
            probs = clip_probabilities(readings)
            out.append(np.zeros(len(VOICE_CLASSES), np.float32) if probs is None else probs)
            unfamiliar.append(probs is not None and all(r.unfamiliar for r in readings if r.probabilities is not None))
        return ClipScores(np.array(out).reshape(-1, len(VOICE_CLASSES)), np.array(unfamiliar, bool))


def whisper_input(window: np.ndarray) -> np.ndarray:
    """(300, 80): one window's Whisper log-mel, as a model on Whisper's encoder reads it."""
    return whisper_log_mel(fit_window(window))


def whisper_inputs(windows: list[np.ndarray] | np.ndarray) -> np.ndarray:
    """(n, 300, 80): the input of a model on Whisper's encoder, one Whisper log-mel per window."""
    return np.stack([whisper_input(w) for w in windows])


def chunk_seconds(voiced: np.ndarray) -> float:
    """Seconds of sound in the chunks that the voice detector found voiced."""
    return float(np.count_nonzero(voiced)) * CHUNK / SAMPLE_RATE


def voiced_sound(sound: np.ndarray, voiced: np.ndarray) -> tuple[float, float | None]:
    """(seconds, RMS level in dBFS) of the voiced part of `sound`, whose consecutive CHUNK-sample
    chunks the detector decided as `voiced` (len(sound) == len(voiced) * CHUNK); the level is
    None without a voiced chunk. dBFS: relative to a full-scale square wave (EMOVO's recorded
    sentences are about -40 to -25 dBFS, espeak-ng's voice about -20)."""
    voiced = np.asarray(voiced, bool)
    if not voiced.any():
        return 0.0, None
    samples = np.asarray(sound, np.float64)[: len(voiced) * CHUNK].reshape(-1, CHUNK)[voiced]
    return chunk_seconds(voiced), float(10 * np.log10(max(np.mean(samples**2), 1e-12)))


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
        self._session = BandStats()  # the voice heard so far ("session" normalisation)
        self._speaker = SpeakerEmbeddings(classifier.embedding_width) if classifier.reads_speaker else None
        self._unheard = 0  # samples not yet in the session statistics, up to a window
        self._unread = 0  # the detector's decisions since the last reading with speech (VoiceReading.new_speech_s)

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
        decided = self._detector.push(samples)
        self._voiced = np.concatenate([self._voiced, decided])[-(WINDOW_SAMPLES // CHUNK) :]
        self._unread = min(WINDOW_SAMPLES // CHUNK, self._unread + len(decided))
        self._since_last += n
        self._received += n
        self._unheard = min(WINDOW_SAMPLES, self._unheard + n)

    def _read(self) -> VoiceReading:
        end_s = self._received / SAMPLE_RATE
        window = self._buffer[WINDOW_SAMPLES - self._filled :]
        start_s = end_s - len(window) / SAMPLE_RATE
        chunks = len(window) // CHUNK
        voiced = self._voiced[len(self._voiced) - chunks :] if chunks else self._voiced[:0]
        if not is_speech(voiced):
            return VoiceReading(start_s, end_s, None)
        heard = self._heard(window)
        session = self.classifier.normalisation == "session"
        if not session and self._speaker is None:
            return VoiceReading(start_s, end_s, self.classifier.predict_windows([window])[0], **heard)
        mel_db = decibels(fit_window(window)) if self.classifier.front_end != WHISPER else None
        if session:
            self._hear(mel_db, voiced, len(window))
        heard_s = [self._session.seconds] if session else []  # voice the reading is set against
        if self._speaker is not None:
            heard_s.append(self._speaker.count * self.hop_samples / SAMPLE_RATE)
        read = self.classifier.read_windows([window], self._session, self._speaker, None if mel_db is None else [mel_db])
        if self._speaker is not None:
            self._speaker.add(read.embeddings)
        return VoiceReading(start_s, end_s, read.probabilities[0], warming_up=min(heard_s) < WARM_UP_S,
                            unfamiliarity=read.unfamiliarity_of(0), **heard)

    def _heard(self, window: np.ndarray) -> dict[str, float | None]:
        """The speech in the window (VoiceReading's speech_s, speech_dbfs and new_speech_s), from
        the detector's decisions that lie in it; those since the last reading with speech are new.
        The detector decides whole chunks from the stream's first sample on, so its newest decision
        ends where the last complete chunk does, `lag` samples before the window."""
        lag = self._received % CHUNK
        chunks = min(len(self._voiced), max(0, len(window) - lag) // CHUNK)
        voiced = self._voiced[len(self._voiced) - chunks :]
        new = voiced[len(voiced) - min(chunks, self._unread) :]
        self._unread = 0
        speech_s, speech_dbfs = voiced_sound(window[len(window) - lag - chunks * CHUNK : len(window) - lag], voiced)
        return {"speech_s": speech_s, "speech_dbfs": speech_dbfs, "new_speech_s": chunk_seconds(new)}

    def _hear(self, mel_db: np.ndarray, voiced: np.ndarray, n_samples: int) -> None:
        """Add the voiced frames of the window's log-mel that are not in the session statistics
        yet, so each frame counts once. The detector decides whole chunks, so its decisions end
        up to one chunk (32 ms) before the window does; they are aligned with the window's end."""
        positions = np.arange(1 + n_samples // HOP_LENGTH) * HOP_LENGTH  # the frames of sound, not of padding
        fresh = positions >= n_samples - self._unheard
        self._session.add(mel_db[:, : len(positions)], fresh & voiced_frames(voiced, positions - (n_samples - len(voiced) * CHUNK)))
        self._unheard = 0
