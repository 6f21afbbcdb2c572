"""Fusion of face and voice readings into the face's seven classes."""

import numpy as np
import pytest

from emotion.fusion import VOICE_TO_FACE, fuse_rows, voice_in_face_classes
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


NO_FACE = np.full(len(FACE_CLASSES), np.nan)
NO_VOICE = np.full(len(VOICE_CLASSES), np.nan)


def test_confident_side_wins():
    face = one_hot(FACE_CLASSES, "happy", 0.9)
    voice = one_hot(VOICE_CLASSES, "sad", 0.3)
    fused = fuse_rows(face[None], voice[None])[0]
    assert FACE_CLASSES[int(fused.argmax())] == "happy"
    assert fused.sum() == pytest.approx(1.0)


def test_one_side_alone_and_neither_row_by_row():
    face = one_hot(FACE_CLASSES, "fear", 0.7)
    fused = fuse_rows(np.stack([face, NO_FACE, NO_FACE]),
                      np.stack([NO_VOICE, one_hot(VOICE_CLASSES, "surprised"), NO_VOICE]))
    assert np.allclose(fused[0], face)
    assert FACE_CLASSES[int(fused[1].argmax())] == "surprise"
    assert np.isnan(fused[2]).all()


def test_a_voice_at_even_odds_weighs_nothing_and_two_even_sides_are_averaged():
    """A voice the speech model found unlike its training voices reads even odds: face+voice is
    then the face alone, not nudged toward neutral (calm and neutral together hold 2/8 of it)."""
    face = one_hot(FACE_CLASSES, "happy", 0.6)
    even_voice = np.full(len(VOICE_CLASSES), 1 / len(VOICE_CLASSES), np.float32)
    np.testing.assert_allclose(fuse_rows(face[None], even_voice[None])[0], face, atol=1e-6)
    even_face = np.full(len(FACE_CLASSES), 1 / len(FACE_CLASSES), np.float32)
    both = fuse_rows(even_face[None], even_voice[None])[0]
    np.testing.assert_allclose(both, (even_face + voice_in_face_classes(even_voice)) / 2, atol=1e-6)
