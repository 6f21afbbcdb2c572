"""Face numbers stay with a face while it moves, and are given back when it leaves."""

from emotion.face.detect import FaceBox
from emotion.tracking import MAX_MISSED, FaceTracker


def box(x, y, size=100):
    return FaceBox(x, y, size, size, 0.9)


def test_numbers_follow_moving_faces_whatever_the_detection_order():
    tracker = FaceTracker()
    assert tracker.assign([box(0, 0), box(300, 0)]) == [1, 2]
    assert tracker.assign([box(310, 5), box(10, 5)]) == [2, 1]
    assert tracker.assign([box(20, 10)]) == [1]
    assert tracker.assign([box(30, 10), box(330, 5)]) == [1, 2]


def test_a_new_face_gets_a_free_number_and_gone_faces_give_theirs_back():
    tracker = FaceTracker()
    tracker.assign([box(0, 0), box(300, 0)])
    for _ in range(MAX_MISSED + 1):
        tracker.assign([box(0, 0)])
    assert tracker.assign([box(0, 0), box(600, 300)]) == [1, 2]


def test_a_face_that_slid_further_than_its_overlap_keeps_its_number():
    tracker = FaceTracker()
    assert tracker.assign([box(0, 0, 90), box(400, 0, 90)]) == [1, 2]
    assert tracker.assign([box(50, 0, 90), box(450, 0, 90)]) == [1, 2]  # IoU 0.29, shift 0.56 widths
    assert tracker.assign([box(300, 300, 90)]) == [3]  # far from both: a new face
