"""One reading from face and voice, in the face model's seven classes.

The voice model knows eight RAVDESS classes; each maps onto one FER2013 class, and "calm"
counts as "neutral" (the face data set has no calm). Each side is weighted by how far its top
probability stands above even odds, so a shrugging voice does not drown out a clear smile, and a
voice read as unfamiliar (even odds) does not count at all.
"""

from __future__ import annotations

import numpy as np

from emotion.labels import FACE_CLASSES, VOICE_CLASSES

VOICE_TO_FACE: dict[str, str] = {
    "neutral": "neutral", "calm": "neutral", "happy": "happy", "sad": "sad", "angry": "angry",
    "fearful": "fear", "disgust": "disgust", "surprised": "surprise",
}
"""How each voice class counts in the face's classes; shown on the Live and Upload pages."""

_MAPPING = np.zeros((len(VOICE_CLASSES), len(FACE_CLASSES)), np.float32)
for _voice, _face in VOICE_TO_FACE.items():
    _MAPPING[VOICE_CLASSES.index(_voice), FACE_CLASSES.index(_face)] = 1.0


def voice_in_face_classes(voice: np.ndarray) -> np.ndarray:
    """(..., 8) RAVDESS probabilities -> (..., 7) FER2013 probabilities (calm added to neutral)."""
    return np.asarray(voice, np.float32) @ _MAPPING


def fuse_rows(face: np.ndarray, voice: np.ndarray) -> np.ndarray:
    """(n, 7) face and (n, 8) voice rows, NaN where a side has nothing -> (n, 7) face + voice,
    NaN where neither side has anything: the mean of the sides present, each weighed by how far
    its top probability stands above even odds (`certainty`). A voice the speech model found
    unlike its training voices reads even odds (emotion.train.unfamiliar) and so weighs nothing;
    two sides at even odds are averaged plainly."""
    face, voice = np.asarray(face, np.float64), np.asarray(voice, np.float64)
    sides = np.stack([face, voice_in_face_classes(voice).astype(np.float64)])
    present = ~np.isnan(sides).any(axis=2)  # (2, n)
    weights = np.where(present, np.stack([certainty(face), certainty(voice)]), 0.0)
    undecided = (weights.sum(axis=0) == 0) & present.any(axis=0)
    weights[:, undecided] = present[:, undecided]
    total = np.einsum("sn,snc->nc", weights, np.nan_to_num(sides))
    with np.errstate(invalid="ignore", divide="ignore"):
        fused = total / total.sum(axis=1, keepdims=True)
    fused[~present.any(axis=0)] = np.nan
    return fused


def certainty(probabilities: np.ndarray) -> np.ndarray:
    """(..., k) probabilities -> (...) how far the top one stands above even odds: 0 at 1/k (to
    float32's rounding of it), 1 at 1."""
    k = probabilities.shape[-1]
    above = (np.nan_to_num(probabilities).max(axis=-1) - 1 / k) / (1 - 1 / k)
    return np.where(above < 1e-5, 0.0, np.minimum(above, 1.0))
