"""The emotions' colours stay apart for people with colour blindness.

Each colour is passed through the simulation of full protanopia, deuteranopia and tritanopia
of Machado, Oliveira and Fernandes (2009, severity 1.0, in linear RGB) and every pair of one
model's classes must differ by at least MIN_DELTA_E (CIE76 in Lab; ~2.3 is a just-noticeable
difference, 10+ reads as a different colour at a glance). The palette it replaced (matplotlib's
tab10) came to 4.6 under protanopia (surprise vs calm) and 7.3 under deuteranopia (angry vs calm).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from emotion.labels import COLOURS, FACE_CLASSES, VOICE_CLASSES

MIN_DELTA_E = 15.0
SIMULATIONS = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "typical vision": np.eye(3).tolist(),
}
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
D65_WHITE = np.array([0.95047, 1.0, 1.08883])


def linear_rgb(hex_colour: str) -> np.ndarray:
    srgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(linear: np.ndarray) -> np.ndarray:
    xyz = SRGB_TO_XYZ @ np.clip(linear, 0, 1) / D65_WHITE
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", list(SIMULATIONS))
@pytest.mark.parametrize("classes", [FACE_CLASSES, VOICE_CLASSES], ids=["face", "voice"])
def test_every_pair_of_emotion_colours_stays_apart(vision, classes):
    seen = {name: lab(np.array(SIMULATIONS[vision]) @ linear_rgb(COLOURS[name])) for name in classes}
    distance, first, second = min((float(np.linalg.norm(seen[a] - seen[b])), a, b)
                                  for a, b in itertools.combinations(classes, 2))
    assert distance >= MIN_DELTA_E, f"{first} and {second} look alike with {vision} (delta E {distance:.1f})"


@pytest.mark.parametrize("label", sorted(COLOURS))
def test_caption_text_on_each_colour_is_readable(label):
    """The face box's caption (black or white on the emotion's colour) meets WCAG AA, 4.5:1."""
    from emotion.overlay import text_rgb

    def luminance(hex_colour: str) -> float:
        return float(np.array([0.2126, 0.7152, 0.0722]) @ linear_rgb(hex_colour))

    text = "#000000" if text_rgb(COLOURS[label]) == (0, 0, 0) else "#FFFFFF"
    lighter, darker = sorted((luminance(COLOURS[label]), luminance(text)), reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5, label
