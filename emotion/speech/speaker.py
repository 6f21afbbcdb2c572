"""A speaker's Whisper embeddings so far, for a model that reads each window against its speaker.

Such a model (emotion.train.speech_whisper --speaker-k0) takes, beside a window's Whisper
log-mel, the count, sum and sum of squares of the embeddings of the speaker's other windows; in
its graph it adds the window's own embedding, shrinks the speaker's mean and variance toward the
training set's (K0 pseudo-windows, so one window alone reads close to the raw read-out) and
standardises the window by them before its head. Its second output is the window's embedding, so
a stream adds it here after each reading and needs one model call per window. (The embeddings are
centred on the training set's mean by the model, which keeps the sums' variance clear of rounding.)

Why: the read-out of Whisper's encoder reads an unseen voice's windows as one class for long
stretches (a Live-like stream of a validation speaker: 41-47% of the windows one class); read
against the speaker's own statistics the same windows spread out and read better (nEMO 55-59% ->
65%, share <= 0.21; session 15's probe). The sums are float64 so a long session loses nothing.
"""

from __future__ import annotations

import numpy as np

SPEAKER_INPUTS = ("speaker_count", "speaker_sum", "speaker_sumsq")
"""The input names of a model that reads a window against its speaker's embeddings."""


class SpeakerEmbeddings:
    """Count, sum and sum of squares of a speaker's window embeddings (voiced windows only)."""

    def __init__(self, width: int) -> None:
        self.count = 0
        self._sum = np.zeros(width)
        self._squares = np.zeros(width)

    @classmethod
    def of(cls, embeddings: np.ndarray) -> "SpeakerEmbeddings":
        speaker = cls(embeddings.shape[1])
        speaker.add(embeddings)
        return speaker

    def add(self, embeddings: np.ndarray) -> None:
        """Take in (n, width) embeddings."""
        embeddings = np.asarray(embeddings, np.float64)
        self.count += len(embeddings)
        self._sum += embeddings.sum(axis=0)
        self._squares += (embeddings**2).sum(axis=0)

    def merge(self, other: "SpeakerEmbeddings") -> None:
        """Take in another's windows: a speaker's statistics from those of their clips."""
        self.count += other.count
        self._sum += other._sum
        self._squares += other._squares

    def model_inputs(self, n: int, leave_out: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """The speaker inputs for a batch of `n` windows, each read against these statistics, or
        with `leave_out` ((n, width): the windows' own embeddings, already counted here) each
        against the others, as the model adds the window itself back."""
        count = np.full((n, 1), float(self.count))
        total, squares = np.tile(self._sum, (n, 1)), np.tile(self._squares, (n, 1))
        if leave_out is not None:
            leave_out = np.asarray(leave_out, np.float64)
            count, total, squares = count - 1.0, total - leave_out, squares - leave_out**2
        return {name: values.astype(np.float32) for name, values in zip(SPEAKER_INPUTS, (count, total, squares))}
