"""A session's readings on one time grid: appended by the media threads, read by the report.

Each reading lands in the grid cells of its time, STEP_S wide: a video frame's faces in the cell
of the frame, a voice reading in every cell its window of sound covers. A cell keeps sums and
counts, not readings, so appending costs the same in the first minute as in the hundredth, an
hour is about a megabyte, and nothing is ever dropped: the summary counts every second. The
report (emotion.report) turns cells into labelled rows; this module only records.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from emotion.labels import FACE_CLASSES, VOICE_CLASSES

STEP_S = 0.5
"""Width of a grid cell in seconds: the report's time step, live and for uploads."""
INITIAL_CELLS = 256


class SourceCells(NamedTuple):
    """One source's cells: (n, classes) sums of probabilities, how many readings with
    probabilities each sum holds, and how many readings of the source (with or without) came."""

    sums: np.ndarray
    present: np.ndarray
    seen: np.ndarray


class Cells(NamedTuple):
    """A copy of the grid from cell `first` on: cell i starts at (first + i) * STEP_S seconds."""

    first: int
    face: SourceCells  # present = faces read; seen = frames looked at
    voice: SourceCells  # present = voiced windows covering the cell; seen = all windows covering it

    def __len__(self) -> int:
        return len(self.face.seen)


class _GrowingCells:
    """sums/present/seen arrays that double when full: amortised O(1) appends."""

    def __init__(self, n_classes: int) -> None:
        self.sums = np.zeros((INITIAL_CELLS, n_classes))
        self.present = np.zeros(INITIAL_CELLS, np.int32)
        self.seen = np.zeros(INITIAL_CELLS, np.int32)

    def reserve(self, cells: int) -> None:
        if cells <= len(self.seen):
            return
        size = max(cells, 2 * len(self.seen))
        self.sums = np.concatenate([self.sums, np.zeros((size - len(self.sums), self.sums.shape[1]))])
        self.present = np.concatenate([self.present, np.zeros(size - len(self.present), np.int32)])
        self.seen = np.concatenate([self.seen, np.zeros(size - len(self.seen), np.int32)])

    def copy(self, first: int, end: int) -> SourceCells:
        return SourceCells(self.sums[first:end].copy(), self.present[first:end].copy(), self.seen[first:end].copy())


class Timeline:
    """Thread-safe: the video thread, the speech worker and the page share one per session."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        # The WebRTC threads append while the page reads: the lock is load-bearing.
        self._lock = threading.Lock()
        self.version = 0  # changes with every append and clear: readers redraw only when it moved
        self._reset()

    def _reset(self) -> None:
        self._start = self._clock()
        self._face = _GrowingCells(len(FACE_CLASSES))
        self._voice = _GrowingCells(len(VOICE_CLASSES))
        self._end = 0  # one past the last cell written
        self.version += 1

    def now(self) -> float:
        """Seconds since the timeline started (or was cleared)."""
        return self._clock() - self._start

    def _cell(self, t: float) -> int:
        return max(0, int(math.floor(t / STEP_S)))

    def add_faces(self, t: float, probabilities: np.ndarray) -> None:
        """One frame at `t` seconds: (n, 7) probabilities of its n faces (n = 0: no face)."""
        probabilities = np.asarray(probabilities, np.float64).reshape(-1, len(FACE_CLASSES))
        cell = self._cell(t)
        with self._lock:
            self._face.reserve(cell + 1)
            self._face.sums[cell] += probabilities.sum(axis=0)
            self._face.present[cell] += len(probabilities)
            self._face.seen[cell] += 1
            self._end = max(self._end, cell + 1)
            self.version += 1

    def add_voice(self, start_s: float, end_s: float, probabilities: np.ndarray | None) -> None:
        """One window of sound from `start_s` to `end_s`: (8,) probabilities, or None (no speech)."""
        first, end = self._cell(start_s), max(self._cell(start_s) + 1, math.ceil(end_s / STEP_S))
        with self._lock:
            self._voice.reserve(end)
            if probabilities is not None:
                self._voice.sums[first:end] += np.asarray(probabilities, np.float64)
                self._voice.present[first:end] += 1
            self._voice.seen[first:end] += 1
            self._end = max(self._end, end)
            self.version += 1

    def cells(self, since_s: float = 0.0) -> Cells:
        """A copy of the cells from `since_s` on (all of them by default)."""
        with self._lock:
            first = min(self._cell(since_s), self._end)
            self._face.reserve(self._end)
            self._voice.reserve(self._end)
            return Cells(first, self._face.copy(first, self._end), self._voice.copy(first, self._end))

    def clear(self) -> None:
        with self._lock:
            self._reset()

    def __len__(self) -> int:
        """Cells written so far: the session's length in steps."""
        with self._lock:
            return self._end
