"""Face detector benchmark: recall, false positives and speed on real photos, to justify the choice.

    .venv/bin/python benchmarks/detector.py [--data-dir DIR] [--frames 200] [--cascade-frames 40]

Prints one JSON object. Candidates: BlazeFace short range (what the live page runs), the same with
four extra tiles (what uploads run), BlazeFace full range, and a classic cascade -- scikit-image's copy of OpenCV's LBP frontal-face cascade, since
OpenCV 5 has no CascadeClassifier (the issue measured OpenCV 4's Haar cascade at 35-55 ms).

Faces: real face crops -- FER2013 Training images (48x48; the training split, so no test image
is read) and the 100 LFW faces bundled with scikit-image (25x25) -- enlarged to 64-205 px and
pasted, one to three per frame, at random places on 640x480 real photos without people. Both
crop sets are tight around the face, so a face counts as found when a box overlaps it with
IoU >= 0.3. Also two whole real photos with one face each (astronaut, cameraman). False
positives: boxes on the background photos alone and on the 100 LFW non-face patches, enlarged.
Speed: median ms per 640x480 frame, one thread.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from skimage import data as photos
from skimage.feature import Cascade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emotion.data_dir import data_dir  # noqa: E402
from emotion.face.detect import FULL_RANGE, SHORT_RANGE, FaceBox, FaceDetector  # noqa: E402
from emotion.tracking import iou  # noqa: E402
from emotion.timing import median_ms  # noqa: E402

WIDTH, HEIGHT = 640, 480
BACKGROUNDS = ("coffee", "rocket", "chelsea", "horse", "brick", "grass", "gravel", "page", "text",
               "moon", "hubble_deep_field", "immunohistochemistry", "retina", "clock", "coins")
"""scikit-image's bundled photos with no human face in them (chelsea is a cat)."""
MIN_IOU = 0.3
FACE_PX = (64, min(WIDTH // 3, HEIGHT // 2) - 8)
"""Sizes of the pasted faces: from small (a group photo) to a third of the frame's width."""

Detect = Callable[[np.ndarray], list[FaceBox]]


def as_rgb_frame(image: np.ndarray) -> np.ndarray:
    image = image if image.dtype == np.uint8 else (np.clip(image, 0, 1) * 255).astype(np.uint8)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    return cv2.resize(image[..., :3], (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)


def composites(faces: np.ndarray, backgrounds: list[np.ndarray], n: int, seed: int) -> list[tuple[np.ndarray, list[FaceBox]]]:
    """Frames with one to three enlarged face crops each, in distinct cells of a 3x2 grid."""
    rng = np.random.default_rng(seed)
    cell_w, cell_h = WIDTH // 3, HEIGHT // 2
    frames = []
    for i in range(n):
        frame = backgrounds[i % len(backgrounds)].copy()
        truth = []
        for cell in rng.choice(6, size=rng.integers(1, 4), replace=False):
            face = faces[rng.integers(len(faces))]
            size = int(rng.integers(FACE_PX[0], FACE_PX[1] + 1))
            x = int(cell % 3 * cell_w + rng.integers(0, cell_w - size + 1))
            y = int(cell // 3 * cell_h + rng.integers(0, cell_h - size + 1))
            patch = cv2.resize(face, (size, size), interpolation=cv2.INTER_CUBIC)
            frame[y : y + size, x : x + size] = cv2.cvtColor(patch, cv2.COLOR_GRAY2RGB)
            truth.append(FaceBox(x, y, size, size, 1.0))
        frames.append((frame, truth))
    return frames


def recall(detect: Detect, frames: list[tuple[np.ndarray, list[FaceBox]]]) -> dict[str, float]:
    found = total = extra = 0
    for frame, truth in frames:
        boxes = detect(frame)
        hits = [any(iou(t, b) >= MIN_IOU for b in boxes) for t in truth]
        found += sum(hits)
        total += len(truth)
        extra += sum(1 for b in boxes if not any(iou(t, b) >= MIN_IOU for t in truth))
    return {"recall": round(found / total, 4), "faces": total, "boxes_not_on_a_face": extra}


def false_positives(detect: Detect, images: list[np.ndarray]) -> dict[str, float]:
    counts = [len(detect(image)) for image in images]
    return {"images": len(images), "images_with_a_box": int(np.count_nonzero(counts)), "boxes": int(sum(counts))}


def blazeface(spec, tiles: bool = False) -> Detect:
    detector = FaceDetector(spec)
    return lambda frame: detector.detect(frame, tiles=tiles)


def lbp_cascade() -> Detect:
    cascade = Cascade(photos.lbp_frontal_face_cascade_filename())

    def detect(frame: np.ndarray) -> list[FaceBox]:
        grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255
        found = cascade.detect_multi_scale(img=grey, scale_factor=1.2, step_ratio=1,
                                           min_size=(48, 48), max_size=(320, 320))
        return [FaceBox(d["c"], d["r"], d["width"], d["height"], 1.0) for d in found]

    return detect


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--frames", type=int, default=200, help="composite frames per face source")
    parser.add_argument("--cascade-frames", type=int, default=40, help="the cascade is slow: fewer frames")
    args = parser.parse_args(argv)

    fer = np.load(data_dir(args.data_dir) / "fer2013" / "fer2013.npz")["x_train"]
    lfw = (photos.lfw_subset() * 255).astype(np.uint8)
    lfw_faces, lfw_non_faces = lfw[:100], lfw[100:]
    backgrounds = [as_rgb_frame(getattr(photos, name)()) for name in BACKGROUNDS]
    non_faces = backgrounds + [as_rgb_frame(patch) for patch in lfw_non_faces]
    frames = {"fer2013_train": composites(fer, backgrounds, args.frames, seed=1),
              "lfw_subset": composites(lfw_faces, backgrounds, args.frames, seed=2)}
    whole_photos = [(as_rgb_frame(photos.astronaut()), "astronaut"), (as_rgb_frame(photos.camera()), "cameraman")]
    timing_frame = frames["fer2013_train"][0][0]

    # name: (detector, how many frames and face-free images it sees; None: all of them)
    candidates = {"blazeface_short_range (live)": (blazeface(SHORT_RANGE), None),
                  "blazeface_short_range_tiled (uploads)": (blazeface(SHORT_RANGE, tiles=True), None),
                  "blazeface_full_range": (blazeface(FULL_RANGE), None),
                  "lbp_cascade (scikit-image, OpenCV model)": (lbp_cascade(), args.cascade_frames)}
    results = {}
    for name, (detect, limit) in candidates.items():
        results[name] = {
            **{f"composites_{source}": recall(detect, made[:limit]) for source, made in frames.items()},
            "whole_photos_found": {label: len(detect(photo)) > 0 for photo, label in whole_photos},
            "false_positives": false_positives(detect, non_faces[:limit]),
            "ms_per_640x480": median_ms(lambda: detect(timing_frame), runs=100 if limit is None else 5),
        }
        print(name, json.dumps(results[name]), file=sys.stderr, flush=True)
    print(json.dumps({"benchmark": "detector", "min_iou": MIN_IOU, "frame": [WIDTH, HEIGHT], "face_px": FACE_PX,
                      "detectors": results}))


if __name__ == "__main__":
    main()
