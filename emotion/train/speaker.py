"""Reading a Whisper embedding against its speaker's: the graph the app runs, and training's draws.

The model's half (`SpeakerStandardise`, in the released graph) and training's (`others_drawn` over
the centred rows, then the same layer on the training rows) compute one thing, so a head learns on
exactly what the app will feed it. See emotion.speech.speaker for the app's side and why.
"""

from __future__ import annotations

import keras
import numpy as np

from emotion.speech.speaker import SPEAKER_INPUTS

MAX_WINDOWS = 200
"""Training reads each row against 1..MAX_WINDOWS of its speaker's windows (log-uniform): an upload
of one sentence is one or two windows, a Live session of ten minutes over a thousand."""


@keras.saving.register_keras_serializable(package="emotion")
class SpeakerStandardise(keras.layers.Layer):
    """(embedding, count, sum, sum of squares of the speaker's other windows) -> (the embedding
    standardised by its speaker's mean and variance, itself included, each shrunk toward the
    training set's by `k0` pseudo-windows; the embedding centred on the training set's mean).

    One window alone is read close to the training statistics, a long session by its speaker's
    own. The sums are of centred embeddings (the layer's second output, which the app adds up):
    some of the encoder's dimensions sit far from zero for their spread (block 2: a mean up to 120
    deviations away), and a variance taken as (sum of squares - sum^2 / n) of such raw values in
    float32 keeps few of its digits. Centred, the app's leave-one-out reading of a clip matches the
    reading against the other windows' sums (tests/test_training_cli.py)."""

    def __init__(self, k0: float, mean: list[float], variance: list[float], **kwargs) -> None:
        super().__init__(**kwargs)
        self.k0 = float(k0)
        self.mean, self.variance = [float(v) for v in mean], [float(v) for v in variance]

    def call(self, embedding, count, total, squares):
        ops = keras.ops
        centred = embedding - ops.convert_to_tensor(self.mean)
        n = count + 1.0
        total, squares = total + centred, squares + centred * centred
        spread = ops.maximum(squares - total * total / n, 0.0)  # n times the speaker's variance
        variance = (spread + self.k0 * ops.convert_to_tensor(self.variance)) / (n + self.k0)
        return (centred - total / (n + self.k0)) / ops.sqrt(variance + 1e-6), centred

    def get_config(self) -> dict:
        return {**super().get_config(), "k0": self.k0, "mean": self.mean, "variance": self.variance}


def speaker_inputs(width: int) -> list:
    """The model's speaker inputs (emotion.speech.speaker.SPEAKER_INPUTS), as Keras inputs."""
    return [keras.Input((1 if name == "speaker_count" else width,), name=name) for name in SPEAKER_INPUTS]


def others_drawn(embeddings: np.ndarray, speakers: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """For each row, the count, sum and sum of squares of n - 1 other rows of its speaker, n drawn
    log-uniform in 1..MAX_WINDOWS (at most the speaker's rows): the model's speaker inputs."""
    count = np.zeros((len(embeddings), 1))
    total, squares = np.zeros(embeddings.shape), np.zeros(embeddings.shape)
    rows_of = {speaker: np.flatnonzero(speakers == speaker) for speaker in np.unique(speakers)}
    drawn = np.exp(rng.uniform(0, np.log(MAX_WINDOWS), len(embeddings))).astype(int)
    for row, speaker in enumerate(speakers):
        others = rows_of[speaker][rows_of[speaker] != row]
        chosen = embeddings[rng.choice(others, min(drawn[row], len(others) + 1) - 1, replace=False)].astype(np.float64)
        count[row], total[row], squares[row] = len(chosen), chosen.sum(axis=0), (chosen**2).sum(axis=0)
    return [values.astype(np.float32) for values in (count, total, squares)]


def fitted(k0: float, embeddings: np.ndarray) -> SpeakerStandardise:
    """The layer for a head trained on `embeddings`: their mean and variance, toward which a
    speaker's own are shrunk by `k0` windows."""
    return SpeakerStandardise(k0, embeddings.mean(axis=0), embeddings.var(axis=0), name="speaker_standardise")


def read_drawn(layer: SpeakerStandardise, embeddings: np.ndarray, speakers: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each row standardised against a random draw of its speaker's other rows (`others_drawn`,
    centred as the layer centres), and those speaker inputs: how training reads its rows."""
    others = others_drawn(embeddings - np.asarray(layer.mean, np.float32), speakers, rng)
    return standardised(layer, embeddings, others), others


def standardised(layer: SpeakerStandardise, embeddings: np.ndarray, others: list[np.ndarray]) -> np.ndarray:
    """The rows as the released graph standardises them (the same layer, run eagerly)."""
    return keras.ops.convert_to_numpy(layer(embeddings, *others)[0])
