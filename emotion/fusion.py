"""One reading from face and voice, in the face model's seven classes.

The voice model knows eight RAVDESS classes; each maps onto one FER2013 class, and "calm"
counts as "neutral" (the face data set has no calm). Each side is weighted by its own
confidence (its top probability), so a shrugging voice does not drown out a clear smile.
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
    """(8,) RAVDESS probabilities -> (7,) FER2013 probabilities (calm added to neutral)."""
    return np.asarray(voice, np.float32) @ _MAPPING


def fuse(face: np.ndarray | None, voice: np.ndarray | None) -> np.ndarray | None:
    """Confidence-weighted mean of both sides in FER2013 order; one side alone if the other is
    missing; None when neither has anything to say."""
    sides = []
    if face is not None:
        sides.append(np.asarray(face, np.float32))
    if voice is not None:
        sides.append(voice_in_face_classes(voice))
    if not sides:
        return None
    weights = np.array([side.max() for side in sides])
    fused = np.tensordot(weights, np.stack(sides), axes=1) / weights.sum()
    return fused / fused.sum()
