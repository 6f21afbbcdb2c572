"""FER+'s ten crowd votes for every FER2013 face, on the app's seven classes.

Why: FER2013's one label per face is noisy (FER+'s taggers agree with it for about 65% of faces); a
network trained on the vote distribution generalises better (Barsoum et al., ICMI 2016). The votes
(`ferplus/ferplus_votes.npz`, README there) line up row for row with `fer2013/fer2013.npz`.

How a face's votes become what training and scoring read:
- `distribution`: the votes of the seven emotions FER2013 has, over their sum (a training target).
  Contempt (no class of ours), "unknown" and "not a face" votes are dropped, not moved to a class:
  contempt looks most like disgust or neutral to taggers, and moving it would teach one of them a
  look it is not.
- `majority`: the emotion with the most of the ten votes, or LEFT_OUT where FER+ says the face has
  no emotion of ours: the row was not matched to FER+ (status 3), its most voted column is
  contempt, "unknown" or "not a face", or two columns tie for the most votes (FER+'s own test
  protocol leaves ties out too). `left_out_reasons` counts each.
Training leaves out the faces whose majority is LEFT_OUT; scoring against FER+ likewise, and says
how many.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from emotion.labels import FACE_CLASSES

VOTES_FILE = Path("ferplus") / "ferplus_votes.npz"
COLUMN_CLASS = {"anger": "angry", "disgust": "disgust", "fear": "fear", "happiness": "happy", "sadness": "sad",
                "surprise": "surprise", "neutral": "neutral"}
"""FER+'s vote columns that are one of FACE_CLASSES (the README's mapping)."""
LEFT_OUT = -1


class Votes(NamedTuple):
    """One FER2013 split's FER+ votes, row for row with its images."""

    counts: np.ndarray  # (n, 10) the votes in `columns` order
    columns: tuple[str, ...]
    matched: np.ndarray  # (n,) bool: FER+ has this face (README status 1 or 2)

    @property
    def emotion_counts(self) -> np.ndarray:
        """(n, 7) votes in FACE_CLASSES order."""
        out = np.zeros((len(self.counts), len(FACE_CLASSES)), np.float32)
        for column, name in COLUMN_CLASS.items():
            out[:, FACE_CLASSES.index(name)] = self.counts[:, self.columns.index(column)]
        return out

    @property
    def distribution(self) -> np.ndarray:
        """(n, 7) the seven emotions' share of their votes (zeros where none voted for one)."""
        counts = self.emotion_counts
        total = counts.sum(axis=1, keepdims=True)
        return np.divide(counts, total, out=np.zeros_like(counts), where=total > 0)

    @property
    def majority(self) -> np.ndarray:
        """(n,) the most voted class (FACE_CLASSES index), LEFT_OUT as the module says."""
        return _majority(self)[0]

    def left_out_reasons(self) -> dict[str, int]:
        """How many faces `majority` leaves out, per reason."""
        reasons = _majority(self)[1]
        return {reason: int(np.sum(reasons == reason)) for reason in ("not_matched", "contempt", "unknown",
                                                                     "not_a_face", "tie")}


def _majority(votes: Votes) -> tuple[np.ndarray, np.ndarray]:
    counts = votes.counts.astype(np.int64)
    top = counts.max(axis=1, keepdims=True)
    tied = (counts == top).sum(axis=1) > 1
    top_column = np.asarray(votes.columns)[counts.argmax(axis=1)]
    reasons = np.full(len(counts), "", dtype=object)
    reasons[tied] = "tie"
    for column, reason in (("contempt", "contempt"), ("unknown", "unknown"), ("NF", "not_a_face")):
        reasons[~tied & (top_column == column)] = reason
    reasons[~votes.matched] = "not_matched"
    index = {column: FACE_CLASSES.index(name) for column, name in COLUMN_CLASS.items()}
    majority = np.array([index.get(column, LEFT_OUT) for column in top_column], np.int64)
    majority[reasons != ""] = LEFT_OUT
    return majority, reasons


def load_votes(root: Path, split: str) -> Votes:
    """FER+ votes of one FER2013 split ("train", "val", "test") under data root `root`."""
    return read_votes(root / VOTES_FILE, split)


def read_votes(path: Path, split: str) -> Votes:
    """FER+ votes of one FER2013 split from a ferplus_votes.npz file."""
    with np.load(path) as data:
        return Votes(data[f"votes_{split}"], tuple(str(c) for c in data["columns"]), data[f"matched_{split}"].astype(bool))
