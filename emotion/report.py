"""The one place that turns a session's readings into what the pages show.

Live, Upload and any later page call `build_rows` on a Timeline's cells and only lay out what
comes back: one row per grid step (timeline.STEP_S) and source, with a label, its confidence and
the probabilities. For each step:

- face: the mean of every face read in the step. Video is sampled, not continuous, so a step
  without a frame keeps the previous step's reading for up to FACE_HOLD_S;
- voice: the mean of the voiced windows of sound that cover the step, "no speech" when only
  voiceless windows cover it;
- face+voice: the two fused in the face's seven classes (emotion.fusion), from the same step,
  in sessions that have both a face and a voice somewhere (a sound file has no face+voice rows).

Smoothing, an exponential moving average with a half-life in seconds, applies to the face and
the voice before they are fused, so the three rows of a step always agree. The summary, the
chart data and the exports are functions of these rows. The cost follows the cells asked for:
the live panel asks for its window, the summary for the whole session once the stream stops.
"""

from __future__ import annotations

import json
from typing import NamedTuple

import numpy as np
import pandas as pd

from emotion.fusion import fuse_rows
from emotion.i18n import N_, _
from emotion.labels import FACE_CLASSES, NO_FACE, NO_SPEECH, NOT_SURE, VOICE_CLASSES
from emotion.timeline import STEP_S, Cells, SourceCells

SOURCE_FACE, SOURCE_VOICE, SOURCE_BOTH = "face", "voice", "face+voice"
SOURCES = (SOURCE_FACE, SOURCE_VOICE, SOURCE_BOTH)
SOURCE_TITLES = {SOURCE_FACE: N_("Face"), SOURCE_VOICE: N_("Voice"), SOURCE_BOTH: N_("Face + voice")}
"""Each source's name in English, marked for the catalogues; pages show `source_title` (the data keep the ids)."""
FACE_HOLD_S = 1.0
"""A step without a video frame keeps the face of a step at most this much earlier."""
CLASS_COLUMNS = [f"p_{name}" for name in dict.fromkeys(FACE_CLASSES + VOICE_CLASSES)]
COLUMNS = ["t", "source", "label", "confidence", *CLASS_COLUMNS]


def source_title(source: str) -> str:
    """A source's name as a page shows it, in the page's language: 'face+voice' -> 'Face + voice'."""
    return _(SOURCE_TITLES[source])


class Thresholds(NamedTuple):
    """'Not sure' below these confidences; face+voice is in the face's classes and uses its threshold."""

    face: float
    voice: float


class SourceRows(NamedTuple):
    """One source over the cells: (n, k) probabilities (NaN where it has none) and (n,) masks."""

    probabilities: np.ndarray
    nothing: np.ndarray  # looked or listened, found no face / no speech
    present: np.ndarray  # has a row at all (absent: no camera, no microphone, or too long ago)


def _means(cells: SourceCells, hold_cells: int) -> SourceRows:
    """Per-cell means; a cell nobody saw copies the last seen cell within `hold_cells`."""
    index = np.arange(len(cells.seen))
    last_seen = np.maximum.accumulate(np.where(cells.seen > 0, index, -1)) if len(index) else index
    present = (last_seen >= 0) & (index - last_seen <= hold_cells)
    source = np.where(present, last_seen, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = cells.sums / cells.present[:, None]
    probabilities = np.where((present & (cells.present[source] > 0))[:, None], means[source], np.nan)
    return SourceRows(probabilities, present & (cells.present[source] == 0), present)


def _smooth(rows: SourceRows, smoothing_s: float) -> SourceRows:
    """Exponential moving average over the steps with probabilities; gaps decay the memory."""
    if smoothing_s <= 0 or not len(rows.probabilities):
        return rows
    smoothed = pd.DataFrame(rows.probabilities).ewm(halflife=smoothing_s / STEP_S, ignore_na=False).mean().to_numpy()
    has = ~np.isnan(rows.probabilities).any(axis=1)
    return rows._replace(probabilities=np.where(has[:, None], smoothed, np.nan))


def _table(source: str, times: np.ndarray, rows: SourceRows, classes: tuple[str, ...], threshold: float,
           nothing_label: str) -> pd.DataFrame:
    probabilities = rows.probabilities[rows.present]
    has = ~np.isnan(probabilities).any(axis=1)
    filled = np.nan_to_num(probabilities)
    confidence = np.where(has, filled.max(axis=1, initial=0.0), np.nan)
    best = np.array(classes, dtype=object)[filled.argmax(axis=1)] if len(filled) else np.array([], dtype=object)
    label = np.where(has, np.where(confidence >= threshold, best, NOT_SURE), nothing_label)
    table = pd.DataFrame({"t": times[rows.present], "source": source, "label": label, "confidence": confidence.round(4)})
    for column, values in zip((f"p_{c}" for c in classes), probabilities.T):
        table[column] = values.round(4)
    return table


def build_rows(cells: Cells, thresholds: Thresholds, smoothing_s: float = 0.0) -> pd.DataFrame:
    """Long table, one row per step and source present: t, source, label, confidence, p_<class>."""
    times = np.round((cells.first + np.arange(len(cells))) * STEP_S, 3)
    face = _smooth(_means(cells.face, round(FACE_HOLD_S / STEP_S)), smoothing_s)
    voice = _smooth(_means(cells.voice, 0), smoothing_s)
    both = fuse_rows(face.probabilities, voice.probabilities)
    has_both = face.present.any() and voice.present.any()
    both_rows = SourceRows(both, np.zeros(len(both), bool), has_both & ~np.isnan(both).any(axis=1))
    parts = [
        _table(SOURCE_FACE, times, face, FACE_CLASSES, thresholds.face, NO_FACE),
        _table(SOURCE_VOICE, times, voice, VOICE_CLASSES, thresholds.voice, NO_SPEECH),
        _table(SOURCE_BOTH, times, both_rows, FACE_CLASSES, thresholds.face, ""),  # present only where it has probabilities
    ]
    rows = pd.concat([p for p in parts if len(p)] or [pd.DataFrame(columns=COLUMNS)], ignore_index=True)
    rows = rows.reindex(columns=COLUMNS)
    order = rows["source"].map({s: i for i, s in enumerate(SOURCES)})
    return rows.assign(_order=order).sort_values(["t", "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)


def latest(rows: pd.DataFrame, source: str) -> pd.Series | None:
    """The newest row of one source, or None when it has none."""
    mine = rows[rows["source"] == source]
    return None if mine.empty else mine.iloc[-1]


def probabilities_of(row: pd.Series, classes: tuple[str, ...]) -> np.ndarray | None:
    """A row's (k,) probabilities in `classes` order, or None for "no face" / "no speech"."""
    values = row[[f"p_{c}" for c in classes]].to_numpy(dtype=float)
    return None if np.isnan(values).any() else values


def overall(rows: pd.DataFrame, source: str, classes: tuple[str, ...]) -> np.ndarray | None:
    """A whole clip's reading of one source: the mean probabilities over its steps that have
    some, or None when it has none (no face seen, no speech heard)."""
    values = rows.loc[rows["source"] == source, [f"p_{c}" for c in classes]].dropna().to_numpy(dtype=float)
    return values.mean(axis=0) if len(values) else None


def summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Seconds spent in each label per source (every step counts STEP_S), and its share."""
    if rows.empty:
        return pd.DataFrame(columns=["source", "label", "seconds", "share"])
    table = rows.groupby(["source", "label"], as_index=False).size().rename(columns={"size": "steps"})
    table["seconds"] = table.pop("steps") * STEP_S
    table["share"] = table["seconds"] / table.groupby("source")["seconds"].transform("sum")
    order = table["source"].map({s: i for i, s in enumerate(SOURCES)})
    return (table.assign(_order=order).sort_values(["_order", "seconds"], ascending=[True, False])
            .drop(columns="_order").reset_index(drop=True))


def export_csv(rows: pd.DataFrame) -> bytes:
    return rows.to_csv(index=False).encode()


def export_json(rows: pd.DataFrame) -> bytes:
    records = json.loads(rows.to_json(orient="records"))
    return json.dumps({"step_s": STEP_S, "rows": records}, indent=1).encode()
