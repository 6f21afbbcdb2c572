"""Sound unlike a person talking: a gate in the released graph, and even odds beyond it.

Why: a confident word on sound the model never learnt from is a wrong word said with
conviction. The shipped speech pair read espeak-ng's synthetic voices as an emotion on 54% of
clips, and played-backwards speech on 60-84% (benchmarks/speech_robustness.py, session 16).
Measured on the validation speakers (session 17's probe), the Mahalanobis distance of a window's
Whisper block-2 embedding from the training windows' (covariance shrunk by Ledoit-Wolf) tells
synthetic voices from real ones without error (window AUC 1.000; backwards speech 0.87), while a
per-dimension distance did worse (0.99, 0.65). Within real held-out speech the most distant
windows were the most often right, so the distance says "unfamiliar", not "unsure": it gates the
probabilities instead of feeding the temperature.

Issue 39 then judged the gate on corpora the model never trained on (benchmarks/speech_loco.py): the distance,
fitted on two corpora's people, silenced 8-26% of the third corpus's real clips, and let through three quarters
of played-backwards speech. `Discriminator`, a logistic regression telling the training windows (clean and
augmented) from synthetic voices (emotion.train.synthetic: espeak-ng and flite) and the training clips played
backwards, passed the rule written first (R7: espeak-ng "not sure" at least 80% in every fold, flite's other voices
no worse than the distance's) and read the held-out corpora best (34.0% right counting "not sure" as wrong, against
31.3%; backwards speech "not sure" 99-100%): the training CLI's default gate (`--gate`). Learning the synthetic
clips' middle 1 s and 2 s too (rule R8: a one-word synthetic clip had passed it) it read 34.9%, answering 90.2%.

`Distance` (in a Whisper model that reads the speaker, after its centred embedding) returns the
mean squared whitened embedding over a threshold: the window's unfamiliarity, above 1 for
FALSE_ALARMS of the validation windows, clean and under each channel shift (`fit_threshold`).
`Discriminator` returns 1 + RAMP x (its log-odds of "not a person" minus the threshold
fitted the same way): above 1 on the same FALSE_ALARMS of validation windows, and across the ramp as its log-odds
rise by one. Both keep `threshold` in their config and have `raw` (the score before the threshold).
`Even` turns a window whose unfamiliarity is above 1 into even odds: the Whisper model's logits
and the pair's probabilities, so every page reads it as "not sure" (and says why: the app's
VoiceReading.unfamiliar) and face+voice fusion, which weighs each side by how far its top
probability stands above even odds, does not count it (emotion.fusion.certainty).
"""

from __future__ import annotations

import keras
import numpy as np

FALSE_ALARMS = 0.01
"""Share of validation windows (clean and shifted) above the threshold. 5% was considered: the
windows it would silence were the validation windows most often read right."""
RAMP = 0.05
"""`Even` goes from the model's odds to even ones over unfamiliarity 1 to 1 + RAMP, so a window
on the border does not flicker between an emotion and "not sure"."""


@keras.saving.register_keras_serializable(package="emotion")
class Distance(keras.layers.Layer):
    """(n, ...) embedding centred on the training mean -> (n, 1) the mean squared whitened value of
    its `width` columns from `start` on (Mahalanobis distance squared over the width: about 1 for a
    typical training window) over `threshold`. Why columns: a read-out of several encoder stages side
    by side can keep the gate of one stage (blocks 1-3 over 1152 numbers called 9.7% of nEMO's
    child-like validation clips wholly unfamiliar where block 2's 384 called 2.8%)."""

    def __init__(self, width: int, threshold: float = 1.0, start: int = 0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.width, self.threshold, self.start = int(width), float(threshold), int(start)
        self.whitening = self.add_weight(shape=(self.width, self.width), initializer="zeros", trainable=False,
                                         name="whitening")

    def raw(self, centred):
        whitened = keras.ops.matmul(centred[:, self.start : self.start + self.width], self.whitening)
        return keras.ops.mean(whitened * whitened, axis=-1, keepdims=True)

    def call(self, centred):
        return self.raw(centred) / self.threshold

    def get_config(self) -> dict:
        return {**super().get_config(), "width": self.width, "threshold": self.threshold, "start": self.start}


def fitted_distance(centred: np.ndarray, start: int = 0) -> Distance:
    """The layer for the columns of embeddings like `centred` (training windows' columns from
    `start` on, centred on their mean), reading those columns of whole embeddings: their
    Ledoit-Wolf covariance's eigenvectors, each over the square root of its eigenvalue; threshold
    1 until `fit_threshold` sets it. Why this whitening and not the symmetric one (the same
    distance): int8 weights keep each column to 1/127 of its largest entry, and a column of the
    symmetric matrix mixes directions whose spreads differ a thousandfold, where a column here is
    one direction: int8 moved the shipped model's distances by 3.0% (median) that way, 1.4% this way."""
    from sklearn.covariance import LedoitWolf

    covariance = LedoitWolf(assume_centered=True).fit(centred.astype(np.float64)).covariance_
    values, vectors = np.linalg.eigh(covariance)
    layer = Distance(centred.shape[1], start=start, name="distance")
    layer.whitening.assign(vectors / np.sqrt(values))
    return layer


@keras.saving.register_keras_serializable(package="emotion")
class Discriminator(keras.layers.Layer):
    """(n, ...) embedding centred on the training mean -> (n, 1) unfamiliarity 1 + RAMP x (log-odds that its `width`
    columns from `start` on are not a person talking, minus `threshold`): a logistic regression on standardised
    columns, the standardisation folded into `weights` and `bias`."""

    def __init__(self, width: int, threshold: float = 0.0, start: int = 0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.width, self.threshold, self.start = int(width), float(threshold), int(start)
        self.weights_ = self.add_weight(shape=(self.width, 1), initializer="zeros", trainable=False, name="weights")
        self.bias = self.add_weight(shape=(1,), initializer="zeros", trainable=False, name="bias")

    def raw(self, centred):
        return keras.ops.matmul(centred[:, self.start : self.start + self.width], self.weights_) + self.bias

    def call(self, centred):
        return 1.0 + RAMP * (self.raw(centred) - self.threshold)

    def get_config(self) -> dict:
        return {**super().get_config(), "width": self.width, "threshold": self.threshold, "start": self.start}


DISCRIMINATOR_C = 1.0
"""The logistic regression's inverse regularisation (sklearn's default), fixed before any run."""
REAL_ROWS = 8000
"""Training windows (of all copies) the discriminator sees as "a person talking", drawn at random (seeded)."""


def fitted_discriminator(person: np.ndarray, not_person: np.ndarray, start: int = 0, seed: int = 0) -> Discriminator:
    """The layer for the columns of embeddings like `person` (training windows' columns from `start` on, centred on
    their mean; REAL_ROWS of them drawn) against `not_person` (the same columns of synthetic voices and backwards
    speech, centred on the same mean), the classes weighed equally; threshold 0 until `fit_threshold` sets it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    person = person[np.random.default_rng(seed).choice(len(person), min(REAL_ROWS, len(person)), replace=False)]
    x = np.concatenate([person, not_person]).astype(np.float64)
    scaler = StandardScaler().fit(x)
    regression = LogisticRegression(C=DISCRIMINATOR_C, class_weight="balanced", max_iter=2000)
    regression.fit(scaler.transform(x), np.r_[np.zeros(len(person)), np.ones(len(not_person))])
    weights = regression.coef_[0] / scaler.scale_
    layer = Discriminator(x.shape[1], start=start, name="discriminator")
    layer.weights_.assign(weights[:, None].astype(np.float32))
    layer.bias.assign(np.array([regression.intercept_[0] - scaler.mean_ @ weights], np.float32))
    return layer


def fit_threshold(layer: Distance | Discriminator, centred: np.ndarray, false_alarms: float = FALSE_ALARMS) -> float:
    """Set `layer`'s threshold to the raw score that `false_alarms` of these (validation) windows, centred on the
    training mean (whole embeddings), exceed; returns it."""
    scores = keras.ops.convert_to_numpy(layer.raw(centred.astype(np.float32)))[:, 0]
    layer.threshold = float(np.quantile(scores, 1.0 - false_alarms))
    return layer.threshold


@keras.saving.register_keras_serializable(package="emotion")
class Even(keras.layers.Layer):
    """(values, unfamiliarity) -> the values where unfamiliarity <= 1, even odds from 1 + RAMP on:
    logits shrunk toward 0, or (`probabilities`) probabilities mixed toward 1 / classes."""

    def __init__(self, probabilities: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.probabilities = bool(probabilities)

    def call(self, values, unfamiliarity):
        weight = keras.ops.clip((unfamiliarity - 1.0) / RAMP, 0.0, 1.0)
        even = 1.0 / values.shape[-1] if self.probabilities else 0.0
        return values * (1.0 - weight) + even * weight

    def get_config(self) -> dict:
        return {**super().get_config(), "probabilities": self.probabilities}
