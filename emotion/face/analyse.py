"""Frame in, one reading per face out: detect the faces, then classify every one of them."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from emotion.face.classify import FaceClassifier, crop_faces
from emotion.face.detect import FaceBox, FaceDetector, Layout


class FaceReading(NamedTuple):
    """One face in a frame: where it is and its (7,) probabilities in FER2013 order."""

    box: FaceBox
    probabilities: np.ndarray


MAX_FACES = 8
"""Faces labelled per picture or frame, the most clearly detected first; more are left unlabelled
(each face costs a classifier call, and a crowd would slow a live stream for everyone)."""


class FaceAnalyzer:
    """The face half of the app: live video, uploads, benchmarks and tests all call `analyse`."""

    def __init__(self, detector: FaceDetector, classifier: FaceClassifier, max_faces: int = MAX_FACES) -> None:
        self.detector, self.classifier, self.max_faces = detector, classifier, max_faces

    def analyse(self, frame: np.ndarray, layout: Layout = "rgb", tiles: bool = False) -> list[FaceReading]:
        """`tiles` finds smaller faces at five detector calls a frame (see FaceDetector.detect)."""
        boxes = self.detector.detect(frame, layout, tiles=tiles)[: self.max_faces]
        if not boxes:
            return []
        probs = self.classifier.predict(crop_faces(frame, boxes, layout))
        return [FaceReading(box, p) for box, p in zip(boxes, probs)]
