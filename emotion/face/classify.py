"""Expression probabilities for face crops: the one code path live, upload, benchmarks and tests use.

`crop_faces` turns detector boxes into the 48x48 grey crops FER2013 is made of; the classifier
runs them on the TFLite interpreter, which costs far less per call on a small CPU than a Keras
or tf.function call. The .tflite file is exported from the trained .keras model when training
ends, and both are described by the model card.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from emotion.face.architecture import FACE_SIZE
from emotion.face.detect import FaceBox, Layout, to_rgb
from emotion.labels import FACE_CLASSES
from emotion.tflite_model import TFLiteModel

CROP_MARGIN = 0.15
"""Extra side added around a detector box: FER2013 crops show a little forehead and chin."""


def crop_faces(frame: np.ndarray, boxes: list[FaceBox], layout: Layout = "rgb") -> np.ndarray:
    """(n, 48, 48) uint8 grey square crops around `boxes`, padded by edge pixels at the border."""
    grey = cv2.cvtColor(to_rgb(frame, layout), cv2.COLOR_RGB2GRAY)
    crops = np.zeros((len(boxes), FACE_SIZE, FACE_SIZE), np.uint8)
    for i, box in enumerate(boxes):
        side = int(round(max(box.w, box.h) * (1 + CROP_MARGIN)))
        cx, cy = box.x + box.w / 2, box.y + box.h / 2
        x0, y0 = int(round(cx - side / 2)), int(round(cy - side / 2))
        pad = max(0, -x0, -y0, x0 + side - grey.shape[1], y0 + side - grey.shape[0])
        source = cv2.copyMakeBorder(grey, pad, pad, pad, pad, cv2.BORDER_REPLICATE) if pad else grey
        patch = source[y0 + pad : y0 + pad + side, x0 + pad : x0 + pad + side]
        crops[i] = cv2.resize(patch, (FACE_SIZE, FACE_SIZE), interpolation=cv2.INTER_AREA)
    return crops


def resize_faces(images: np.ndarray) -> np.ndarray:
    """(n, h, w) grey face crops of any size -> (n, 48, 48) uint8, for other face data sets."""
    images = np.asarray(images)
    if images.shape[1:3] == (FACE_SIZE, FACE_SIZE):
        return images.astype(np.uint8)
    return np.stack([cv2.resize(im, (FACE_SIZE, FACE_SIZE), interpolation=cv2.INTER_AREA) for im in images]).astype(np.uint8)


class FaceClassifier:
    """(n, 48, 48) uint8 grey crops -> (n, 7) calibrated probabilities in FER2013 order.

    Faces go through the interpreter one at a time: measured here (TF 2.21 TFLite, 2 cores),
    one call with a batch of 4 took 10-17 ms where 4 calls of one face took about 4 x 1.8 ms.
    """

    def __init__(self, tflite_path: Path) -> None:
        self._model = TFLiteModel(tflite_path)

    def predict(self, crops: np.ndarray) -> np.ndarray:
        crops = np.asarray(crops)
        if len(crops) == 0:
            return np.zeros((0, len(FACE_CLASSES)), np.float32)
        batch = crops.reshape(len(crops), 1, FACE_SIZE, FACE_SIZE, 1)
        return np.concatenate([self._model.predict(face) for face in batch])
