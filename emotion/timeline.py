"""A session's record of readings: thread-safe, smoothable, summarised and exported.

The live media threads append; the page takes snapshots. Each observation is one reading of
one source at one time: a numbered face, the voice, or the fused reading. Nothing is written
to disk: exports are bytes handed to the browser.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from emotion.labels import FACE_CLASSES, NO_FACE, NO_SPEECH, VOICE_CLASSES, top_label

Source = Literal["face", "voice", "fused"]
CLASSES: dict[str, tuple[str, ...]] = {"face": FACE_CLASSES, "voice": VOICE_CLASSES, "fused": FACE_CLASSES}
ABSENT: dict[str, str] = {"face": NO_FACE, "voice": NO_SPEECH, "fused": NO_FACE}
MAX_GAP_S = 2.0
"""In summaries an observation lasts until the next one of its track, but never longer than this."""


class Observation(NamedTuple):
    t: float  # seconds since the timeline started
    source: Source
    track: int  # face number (1, 2, ...) for faces; 0 for voice and fused
    probabilities: tuple[float, ...] | None  # None: no face / no speech at that moment


class Timeline:
    """Append-only while recording, bounded in length, safe to share between threads."""

    def __init__(self, max_observations: int = 50_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._start = clock()
        self._items: deque[Observation] = deque(maxlen=max_observations)
        # The WebRTC callbacks append on their own threads while the page reads: keep the lock.
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._clock() - self._start

    def add(self, source: Source, probabilities: Iterable[float] | None, track: int = 0, t: float | None = None) -> None:
        probs = None if probabilities is None else tuple(float(p) for p in probabilities)
        with self._lock:
            self._items.append(Observation(self.now() if t is None else t, source, track, probs))

    def snapshot(self) -> list[Observation]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._start = self._clock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def to_frame(observations: list[Observation], not_sure_below: float | dict[str, float] = 0.0,
             smoothing_s: float = 0.0) -> pd.DataFrame:
    """One row per observation: t, source, track, label, confidence and one column per class.

    `not_sure_below` is one threshold for all sources or one per source ("face", "voice", "fused").
    With `smoothing_s` > 0 the probabilities of each track are smoothed by an exponential moving
    average with that half-life in seconds before labelling, so labels do not flicker.
    """
    rows = []
    for obs in observations:
        row = {"t": round(obs.t, 3), "source": obs.source, "track": obs.track}
        if obs.probabilities is not None:
            row.update({f"p_{c}": p for c, p in zip(CLASSES[obs.source], obs.probabilities)})
        rows.append(row)
    if not rows:
        return pd.DataFrame(columns=["t", "source", "track", "label", "confidence"])
    frame = pd.DataFrame(rows)
    sources = list(dict.fromkeys(frame["source"]))
    class_columns = list(dict.fromkeys(f"p_{c}" for s in sources for c in CLASSES[s]))
    frame = frame.reindex(columns=["t", "source", "track", *class_columns])
    frame = frame.sort_values(["source", "track", "t"], kind="stable").reset_index(drop=True)
    labels, confidences = [], []
    for (source, _), group in frame.groupby(["source", "track"], sort=False):
        columns = [f"p_{c}" for c in CLASSES[source]]
        probs = group[columns]
        if smoothing_s > 0:
            present = probs.notna().all(axis=1)
            times = pd.to_datetime(group["t"], unit="s")
            smoothed = probs[present].ewm(halflife=pd.Timedelta(seconds=smoothing_s), times=times[present]).mean()
            frame.loc[smoothed.index, columns] = smoothed.to_numpy()
            probs = frame.loc[group.index, columns]
        for values in probs.to_numpy():
            if np.isnan(values).any():
                labels.append(ABSENT[source])
                confidences.append(np.nan)
            else:
                threshold = not_sure_below.get(source, 0.0) if isinstance(not_sure_below, dict) else not_sure_below
                label, confidence = top_label(values, CLASSES[source], threshold)
                labels.append(label)
                confidences.append(round(confidence, 4))
    frame["label"], frame["confidence"] = labels, confidences
    return frame.sort_values(["t", "source", "track"], kind="stable").reset_index(drop=True)


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Seconds spent in each label per source: each row lasts until its track's next row."""
    if frame.empty:
        return pd.DataFrame(columns=["source", "label", "seconds", "share"])
    ordered = frame.sort_values(["source", "track", "t"])
    following = ordered.groupby(["source", "track"])["t"].shift(-1)
    typical = ordered.groupby(["source", "track"])["t"].diff().median()
    last = typical if pd.notna(typical) else 0.0
    durations = (following - ordered["t"]).fillna(last).clip(upper=MAX_GAP_S)
    table = ordered.assign(seconds=durations).groupby(["source", "label"], as_index=False)["seconds"].sum()
    table["share"] = table["seconds"] / table.groupby("source")["seconds"].transform("sum").replace(0, np.nan)
    return table.sort_values(["source", "seconds"], ascending=[True, False]).reset_index(drop=True)


def export_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def export_json(frame: pd.DataFrame) -> bytes:
    records = json.loads(frame.to_json(orient="records"))
    return json.dumps({"observations": records}, indent=1).encode()
