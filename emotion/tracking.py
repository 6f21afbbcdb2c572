"""Numbers for faces that stay the same while a face stays in view: "Face 1", "Face 2"."""

from __future__ import annotations

import numpy as np

from emotion.face.detect import FaceBox

MIN_IOU = 0.3
MAX_SHIFT = 0.8
"""...or when its centre moved less than this many face widths: at a few analysed frames a
second a face can slide past the overlap test and still be the same face."""
MAX_MISSED = 10
"""A face unseen for this many analysed frames gives its number back."""


def _shift(a: FaceBox, b: FaceBox) -> float:
    """Distance between the centres, in face widths."""
    dx = (a.x + a.w / 2) - (b.x + b.w / 2)
    dy = (a.y + a.h / 2) - (b.y + b.h / 2)
    return float(np.hypot(dx, dy) / max(a.w, b.w, 1))


def iou(a: FaceBox, b: FaceBox) -> float:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.x + a.w, b.x + b.w), min(a.y + a.h, b.y + b.h)
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    return inter / (a.w * a.h + b.w * b.h - inter + 1e-9)


class FaceTracker:
    """Greedy overlap matching between consecutive analysed frames; not thread-safe (one per stream)."""

    def __init__(self) -> None:
        self._tracks: dict[int, tuple[FaceBox, int]] = {}  # number -> (last box, frames missed)

    def assign(self, boxes: list[FaceBox]) -> list[int]:
        """A number for each box, in order: a face's old number when it overlaps its last box."""
        pairs = sorted(((iou(box, last), -_shift(box, last), i, number) for i, box in enumerate(boxes)
                        for number, (last, _) in self._tracks.items()), reverse=True)
        numbers: dict[int, int] = {}
        taken: set[int] = set()
        for overlap, minus_shift, i, number in pairs:
            if overlap < MIN_IOU and -minus_shift > MAX_SHIFT:
                continue
            if i not in numbers and number not in taken:
                numbers[i] = number
                taken.add(number)
        for i in range(len(boxes)):
            if i not in numbers:
                number = next(n for n in range(1, len(self._tracks) + len(boxes) + 2)
                              if n not in self._tracks and n not in taken)
                numbers[i] = number
                taken.add(number)
        for number, (last, missed) in list(self._tracks.items()):
            if number not in taken:
                if missed + 1 > MAX_MISSED:
                    del self._tracks[number]
                else:
                    self._tracks[number] = (last, missed + 1)
        for i, box in enumerate(boxes):
            self._tracks[numbers[i]] = (box, 0)
        return [numbers[i] for i in range(len(boxes))]
