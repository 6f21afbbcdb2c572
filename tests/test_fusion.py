"""Fusion of face and voice readings into the face's seven classes."""

import numpy as np
import pytest

from emotion.fusion import VOICE_TO_FACE, fuse, voice_in_face_classes
from emotion.labels import FACE_CLASSES, VOICE_CLASSES


def one_hot(classes, name, confidence=1.0):
    p = np.full(len(classes), (1 - confidence) / (len(classes) - 1), np.float32)
    p[classes.index(name)] = confidence
    return p


def test_every_voice_class_has_a_face_class():
    assert set(VOICE_TO_FACE) == set(VOICE_CLASSES)
    assert set(VOICE_TO_FACE.values()) <= set(FACE_CLASSES)


def test_calm_counts_as_neutral():
    mapped = voice_in_face_classes(one_hot(VOICE_CLASSES, "calm"))
    assert FACE_CLASSES[int(mapped.argmax())] == "neutral"
    assert mapped.sum() == pytest.approx(1.0)


def test_confident_side_wins():
    face = one_hot(FACE_CLASSES, "happy", 0.9)
    voice = one_hot(VOICE_CLASSES, "sad", 0.3)
    fused = fuse(face, voice)
    assert FACE_CLASSES[int(fused.argmax())] == "happy"
    assert fused.sum() == pytest.approx(1.0)


def test_one_side_alone_and_neither():
    face = one_hot(FACE_CLASSES, "fear", 0.7)
    assert np.allclose(fuse(face, None), face)
    assert FACE_CLASSES[int(fuse(None, one_hot(VOICE_CLASSES, "surprised")).argmax())] == "surprise"
    assert fuse(None, None) is None
