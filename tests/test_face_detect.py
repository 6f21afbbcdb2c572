"""The BlazeFace detector on a real photo, in every colour layout, and on images with no face."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from emotion.face.detect import FULL_RANGE, FaceDetector
from media import astronaut_rgb

# Where the astronaut's face is in the 512x512 photo (x0, y0, x1, y1), checked by eye.
ASTRONAUT_FACE = (170, 60, 290, 200)


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


def _inside(box, region) -> bool:
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    return region[0] <= cx <= region[2] and region[1] <= cy <= region[3]


def test_finds_the_one_face_in_a_real_photo(detector):
    faces = detector.detect(astronaut_rgb())
    assert len(faces) == 1
    assert faces[0].score > 0.8
    assert _inside(faces[0], ASTRONAUT_FACE)
    assert 60 < faces[0].w < 160


@pytest.mark.parametrize("layout", ["rgb", "bgr", "rgba", "grey", "grey1"])
def test_every_colour_layout(detector, layout):
    rgb = astronaut_rgb()
    frame, kind = {
        "rgb": (rgb, "rgb"),
        "bgr": (rgb[..., ::-1].copy(), "bgr"),
        "rgba": (np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)]), "rgb"),
        "grey": (cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), "rgb"),
        "grey1": (cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)[..., None], "rgb"),
    }[layout]
    faces = detector.detect(frame, layout=kind)
    assert len(faces) == 1 and _inside(faces[0], ASTRONAUT_FACE)


def test_frames_of_other_sizes_map_back_to_frame_pixels(detector):
    wide = cv2.resize(astronaut_rgb(), (1280, 720))  # stretched 2.5 x 1.41
    faces = detector.detect(wide)
    assert len(faces) == 1
    sx, sy = 1280 / 512, 720 / 512
    region = (ASTRONAUT_FACE[0] * sx, ASTRONAUT_FACE[1] * sy, ASTRONAUT_FACE[2] * sx, ASTRONAUT_FACE[3] * sy)
    assert _inside(faces[0], region)


def test_several_faces_in_one_frame(detector):
    face = astronaut_rgb()[20:260, 110:350]
    pair = np.hstack([face, np.full((240, 80, 3), 128, np.uint8), face[:, ::-1]])
    faces = detector.detect(pair)
    assert len(faces) == 2
    assert faces[0].x + faces[0].w <= faces[1].x or faces[1].x + faces[1].w <= faces[0].x


def _four_small_faces(face_px: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """A 640x480 frame with four astronaut faces about `face_px` wide, one per quarter."""
    crop = astronaut_rgb()[20:260, 110:350]  # the face box is about 94 px of these 240
    side = round(240 * face_px / 94)
    crop = cv2.resize(crop, (side, side))
    frame = np.full((480, 640, 3), 128, np.uint8)
    centres = [(160, 120), (480, 120), (160, 360), (480, 360)]
    for cx, cy in centres:
        frame[cy - side // 2 : cy - side // 2 + side, cx - side // 2 : cx - side // 2 + side] = crop
    return frame, centres


def test_tiles_find_faces_too_small_for_one_look(detector):
    frame, centres = _four_small_faces(face_px=60)
    assert len(detector.detect(frame)) < 4  # 60 px is below what one 128 px look resolves
    faces = detector.detect(frame, tiles=True)
    assert len(faces) == 4
    for cx, cy in centres:
        assert sum(abs(f.x + f.w / 2 - cx) < 30 and abs(f.y + f.h / 2 - cy) < 40 for f in faces) == 1


@pytest.mark.parametrize("size", [(640, 480), (512, 512), (1280, 720)])
def test_tiles_count_a_large_face_once(detector, size):
    faces = detector.detect(cv2.resize(astronaut_rgb(), size), tiles=True)
    assert len(faces) == 1


@pytest.mark.parametrize("image", ["blank", "noise", "tiny"])
def test_no_face_where_there_is_none(detector, image):
    rng = np.random.default_rng(7)
    frame = {
        "blank": np.zeros((480, 640, 3), np.uint8),
        "noise": rng.integers(0, 256, (480, 640, 3), dtype=np.uint8),
        "tiny": cv2.resize(astronaut_rgb(), (16, 16)),
    }[image]
    assert detector.detect(frame) == []
    assert detector.detect(frame, tiles=True) == []


def test_minimum_face_size(detector):
    small = cv2.resize(astronaut_rgb(), (192, 192))  # the face box is about 35 px wide here
    assert len(detector.detect(small)) == 1
    assert FaceDetector(min_face_px=30).detect(small) != []
    assert FaceDetector(min_face_px=60).detect(small) == []


def test_full_range_model_also_finds_the_face():
    faces = FaceDetector(FULL_RANGE).detect(astronaut_rgb())
    assert len(faces) == 1 and _inside(faces[0], ASTRONAUT_FACE)


def test_rejects_images_that_are_not_images(detector):
    with pytest.raises(ValueError, match="shape"):
        detector.detect(np.zeros((10, 10, 5), np.uint8))
