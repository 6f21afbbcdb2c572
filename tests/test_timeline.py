"""The session timeline: threads appending, smoothing, summary and export."""

import io
import json
import threading

import numpy as np
import pandas as pd
import pytest

from emotion.labels import FACE_CLASSES, NOT_SURE, VOICE_CLASSES
from emotion.timeline import Timeline, export_csv, export_json, summary, to_frame


def probs(classes, name, confidence):
    p = np.full(len(classes), (1 - confidence) / (len(classes) - 1))
    p[classes.index(name)] = confidence
    return p


def test_threads_append_without_losing_observations():
    timeline = Timeline()

    def writer(source):
        for _ in range(500):
            timeline.add(source, probs(FACE_CLASSES, "happy", 0.9) if source != "voice" else None)

    threads = [threading.Thread(target=writer, args=(s,)) for s in ("face", "voice", "fused")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(timeline) == 1500
    timeline.clear()
    assert len(timeline) == 0


def test_labels_not_sure_and_absent():
    timeline = Timeline()
    timeline.add("face", probs(FACE_CLASSES, "happy", 0.9), track=1, t=0.0)
    timeline.add("face", probs(FACE_CLASSES, "sad", 0.3), track=1, t=0.5)
    timeline.add("voice", None, t=0.5)
    frame = to_frame(timeline.snapshot(), not_sure_below=0.4)
    assert list(frame["label"]) == ["happy", NOT_SURE, "no speech"]


def test_smoothing_holds_a_label_through_one_odd_frame():
    timeline = Timeline()
    for i in range(10):
        name = "surprise" if i == 5 else "happy"
        timeline.add("face", probs(FACE_CLASSES, name, 0.8), track=1, t=i * 0.1)
    raw = to_frame(timeline.snapshot())
    smooth = to_frame(timeline.snapshot(), smoothing_s=0.5)
    assert "surprise" in set(raw["label"])
    assert set(smooth["label"]) == {"happy"}


def test_summary_counts_time_per_label():
    timeline = Timeline()
    for i in range(20):
        name = "happy" if i < 15 else "sad"
        timeline.add("voice", probs(VOICE_CLASSES, name, 0.9), t=i * 0.5)
    table = summary(to_frame(timeline.snapshot()))
    seconds = dict(zip(table["label"], table["seconds"]))
    assert seconds["happy"] == pytest.approx(7.5)
    assert seconds["sad"] == pytest.approx(2.5)
    assert table["share"].sum() == pytest.approx(1.0)


def test_csv_and_json_round_trip():
    timeline = Timeline()
    timeline.add("face", probs(FACE_CLASSES, "fear", 0.7), track=2, t=1.25)
    timeline.add("voice", None, t=1.5)
    frame = to_frame(timeline.snapshot())
    back = pd.read_csv(io.BytesIO(export_csv(frame)))
    assert list(back["label"]) == ["fear", "no speech"]
    assert back.loc[0, "p_fear"] == pytest.approx(0.7)
    records = json.loads(export_json(frame))["observations"]
    assert records[0]["track"] == 2 and records[1]["label"] == "no speech"


def test_empty_timeline():
    frame = to_frame([])
    assert frame.empty and summary(frame).empty
