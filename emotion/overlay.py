"""Boxes and labels drawn onto frames, for the live video and the upload report's key frames."""

from __future__ import annotations

import cv2
import numpy as np

from emotion.face.analyse import FaceReading
from emotion.labels import COLOURS, FACE_CLASSES, top_label

NOT_SURE_COLOUR = "#555555"


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def face_caption(number: int, probabilities: np.ndarray, not_sure_below: float) -> tuple[str, str]:
    """('Face 1: happy (92%)', colour): the same words the page shows as text."""
    label, confidence = top_label(probabilities, FACE_CLASSES, not_sure_below)
    return f"Face {number}: {label} ({confidence:.0%})", COLOURS.get(label, NOT_SURE_COLOUR)


def draw_faces(rgb: np.ndarray, readings: list[FaceReading], numbers: list[int], not_sure_below: float) -> np.ndarray:
    """A copy of `rgb` with a box and a caption on every face, sized to the face."""
    out = np.ascontiguousarray(rgb).copy()
    for reading, number in zip(readings, numbers):
        box = reading.box
        caption, colour = face_caption(number, reading.probabilities, not_sure_below)
        colour_rgb = _rgb(colour)
        thickness = max(2, box.w // 60)
        cv2.rectangle(out, (box.x, box.y), (box.x + box.w, box.y + box.h), colour_rgb, thickness)
        scale = float(np.clip(box.w / 220, 0.5, 1.6))
        (text_w, text_h), baseline = cv2.getTextSize(caption, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
        top = box.y - text_h - baseline - 6
        if top < 0:  # no room above the face: put the caption inside the box's top edge
            top = box.y
        cv2.rectangle(out, (box.x, top), (box.x + text_w + 8, top + text_h + baseline + 6), colour_rgb, -1)
        cv2.putText(out, caption, (box.x + 4, top + text_h + 3), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (255, 255, 255), 2, cv2.LINE_AA)
    return out
