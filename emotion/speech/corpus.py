"""Speech data sets described by a CSV manifest: columns `path` (relative to the CSV) and
`emotion` (RAVDESS label names); RAVDESS's own manifest also has `actor`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from emotion.labels import VOICE_CLASSES
from emotion.media import decode_audio
from emotion.speech.features import SAMPLE_RATE


def read_manifest(csv_path: Path) -> pd.DataFrame:
    """The manifest with absolute paths in `file` and class indices in `label`."""
    table = pd.read_csv(csv_path)
    missing = {"path", "emotion"} - set(table.columns)
    if missing:
        raise ValueError(f"{csv_path} lacks the column(s) {sorted(missing)}")
    unknown = set(table["emotion"]) - set(VOICE_CLASSES)
    if unknown:
        raise ValueError(f"{csv_path} has emotions outside {VOICE_CLASSES}: {sorted(unknown)}")
    table["file"] = [str(csv_path.parent / p) for p in table["path"]]
    table["label"] = [VOICE_CLASSES.index(e) for e in table["emotion"]]
    return table


def load_clips(files: list[str]) -> list[np.ndarray]:
    return [decode_audio(f, SAMPLE_RATE) for f in files]
