"""The session timeline's grid and the one report built from it: labels, smoothing, summary, export."""

import io
import json
import threading

import numpy as np
import pandas as pd
import pytest

from emotion.labels import FACE_CLASSES, NO_FACE, NO_SPEECH, NOT_SURE, VOICE_CLASSES
from emotion.report import SOURCE_BOTH, SOURCE_FACE, SOURCE_VOICE, Thresholds, build_rows, export_csv, export_json, summary
from emotion.timeline import STEP_S, Timeline

SURE = Thresholds(face=0.4, voice=0.4)


def probs(classes, name, confidence):
    p = np.full(len(classes), (1 - confidence) / (len(classes) - 1))
    p[classes.index(name)] = confidence
    return p


def face(name, confidence=0.9):
    return probs(FACE_CLASSES, name, confidence)[None]


def labels(rows, source):
    return list(rows[rows["source"] == source]["label"])


def test_threads_append_without_losing_readings():
    timeline = Timeline()

    def frames():
        for i in range(500):
            timeline.add_faces(i * 0.01, face("happy"))

    def voices():
        for i in range(500):
            timeline.add_voice(i * 0.01, i * 0.01 + 0.2, None)

    threads = [threading.Thread(target=frames), threading.Thread(target=voices)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cells = timeline.cells()
    assert cells.face.seen.sum() == 500 and cells.face.present.sum() == 500
    assert cells.voice.seen.sum() >= 500 and cells.voice.present.sum() == 0
    timeline.clear()
    assert len(timeline) == 0


def test_labels_not_sure_no_face_and_no_speech():
    timeline = Timeline()
    timeline.add_faces(0.0, face("happy", 0.9))
    timeline.add_faces(0.5, face("sad", 0.3))
    timeline.add_faces(1.0, np.zeros((0, 7)))
    timeline.add_voice(1.0, 1.5, None)
    rows = build_rows(timeline.cells(), SURE)
    assert labels(rows, SOURCE_FACE) == ["happy", NOT_SURE, NO_FACE]
    assert labels(rows, SOURCE_VOICE) == [NO_SPEECH]
    assert labels(rows, SOURCE_BOTH) == ["happy", NOT_SURE]  # no row where neither side has a reading


def test_two_faces_are_averaged_and_the_voice_covers_its_window():
    timeline = Timeline()
    timeline.add_faces(0.1, np.concatenate([face("happy", 0.9), face("happy", 0.5)]))
    timeline.add_voice(0.0, 3.0, probs(VOICE_CLASSES, "calm", 0.9))
    rows = build_rows(timeline.cells(), SURE)
    first = rows[rows["source"] == SOURCE_FACE].iloc[0]
    assert first["p_happy"] == pytest.approx(0.7)
    assert labels(rows, SOURCE_VOICE) == ["calm"] * int(3.0 / STEP_S)
    both = rows[rows["source"] == SOURCE_BOTH]
    assert set(both["label"]) == {"neutral"}  # calm counts as neutral, and the surer side weighs more
    assert both.iloc[0]["p_happy"] > 0.3 and both.iloc[-1]["p_happy"] < 0.1  # the face is held for a second only


def test_face_and_voice_together_only_where_a_session_has_both():
    sound_only, camera_only = Timeline(), Timeline()
    sound_only.add_voice(0.0, 3.0, probs(VOICE_CLASSES, "happy", 0.9))
    camera_only.add_faces(0.0, face("happy"))
    assert set(build_rows(sound_only.cells(), SURE)["source"]) == {SOURCE_VOICE}
    assert set(build_rows(camera_only.cells(), SURE)["source"]) == {SOURCE_FACE}


def test_a_step_without_a_frame_keeps_the_face_for_a_second_only():
    timeline = Timeline()
    timeline.add_faces(0.0, face("surprise"))
    timeline.add_faces(3.0, face("surprise"))
    rows = build_rows(timeline.cells(), SURE)
    assert list(rows[rows["source"] == SOURCE_FACE]["t"]) == [0.0, 0.5, 1.0, 3.0]


def test_smoothing_holds_a_label_through_one_odd_step():
    timeline = Timeline()
    for i in range(10):
        timeline.add_faces(i * STEP_S, face("surprise" if i == 5 else "happy", 0.8))
    assert "surprise" in labels(build_rows(timeline.cells(), SURE), SOURCE_FACE)
    assert set(labels(build_rows(timeline.cells(), SURE, smoothing_s=1.0), SOURCE_FACE)) == {"happy"}


def test_summary_counts_every_second_of_a_long_session():
    """An hour at 15 frames a second: far more readings than a capped list would keep."""
    timeline = Timeline()
    for i in range(15 * 3600):
        timeline.add_faces(i / 15, face("happy" if i < 15 * 2700 else "sad"))
    table = summary(build_rows(timeline.cells(), SURE))
    seconds = dict(zip(table[table["source"] == SOURCE_FACE]["label"], table[table["source"] == SOURCE_FACE]["seconds"]))
    assert seconds == {"happy": pytest.approx(2700), "sad": pytest.approx(900)}
    assert table.groupby("source")["share"].sum().to_numpy() == pytest.approx(1.0)


def test_a_window_reads_only_its_cells():
    timeline = Timeline()
    for i in range(2 * 3600):
        timeline.add_faces(i * STEP_S, face("happy"))
    window = timeline.cells(since_s=3600 - 60)
    assert len(window) == int(60 / STEP_S)
    assert list(build_rows(window, SURE)["t"])[0] == pytest.approx(3600 - 60)


def test_csv_and_json_round_trip():
    timeline = Timeline()
    timeline.add_faces(1.25, face("fear", 0.7))
    timeline.add_voice(1.0, 1.5, None)
    rows = build_rows(timeline.cells(), SURE)
    back = pd.read_csv(io.BytesIO(export_csv(rows)))
    assert list(back["source"]) == [SOURCE_FACE, SOURCE_VOICE, SOURCE_BOTH] and list(back["label"]) == ["fear", NO_SPEECH, "fear"]
    assert back.loc[0, "p_fear"] == pytest.approx(0.7)
    records = json.loads(export_json(rows))["rows"]
    assert records[0]["t"] == 1.0 and records[1]["label"] == NO_SPEECH


def test_empty_timeline():
    rows = build_rows(Timeline().cells(), SURE)
    assert rows.empty and summary(rows).empty


def test_the_timeline_chart_draws_each_emotions_probability_over_time():
    from emotion.charts import timeline_figure

    assert timeline_figure(build_rows(Timeline().cells(), SURE)).data == ()
    timeline = Timeline()
    timeline.add_faces(0.0, face("happy"))
    timeline.add_voice(0.0, 1.0, None)
    figure = timeline_figure(build_rows(timeline.cells(), SURE))
    assert [trace.name for trace in figure.data] == list(FACE_CLASSES) + list(VOICE_CLASSES) + list(FACE_CLASSES)
    happy = figure.data[FACE_CLASSES.index("happy")]
    assert list(happy.x) == [0.0, 0.5] and happy.y[1] == pytest.approx(0.9)  # the face is held into the next step
    voice_neutral = figure.data[len(FACE_CLASSES)]
    assert np.isnan(voice_neutral.y).all()  # no speech: a gap, not a zero
