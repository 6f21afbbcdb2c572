"""Speech data sets described by a CSV manifest: columns `path` (relative to the CSV) and
`emotion` (RAVDESS label names); RAVDESS's own manifest also has `actor`, nEMO's and EMOVO's
`speaker` and `corpus`.

Speakers never cross splits. RAVDESS: actors 1-16 train, 17-18 validate, 19-24 test. nEMO
(9 actors) and EMOVO (6 actors): one woman and one man validate, another woman and man test,
the rest train (SPEAKER_SPLITS).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from emotion.labels import VOICE_CLASSES
from emotion.media import decode_audio
from emotion.speech.features import SAMPLE_RATE


CORPUS_NAMES = {"ravdess": "RAVDESS", "nemo": "nEMO", "emovo": "EMOVO"}
RAVDESS_SPLIT = {"train": tuple(range(1, 17)), "val": (17, 18), "test": tuple(range(19, 25))}
"""RAVDESS actors per split (odd actors are men)."""
NEMO_VAL_SPEAKERS = ("nemo_EB0", "nemo_KS0")
NEMO_TEST_SPEAKERS = ("nemo_IC0", "nemo_SM0")
"""nEMO speakers held out (a woman and a man each); the other five train. Chosen by name before
any training, never by a score."""
EMOVO_VAL_SPEAKERS = ("emovo_f2", "emovo_m2")
EMOVO_TEST_SPEAKERS = ("emovo_f3", "emovo_m3")
"""EMOVO speakers held out (a woman and a man each); f1 and m1 train. Chosen by name, in the
corpus's own numbering, before any model read EMOVO. Every EMOVO actor reads the same 14
sentences, so its held-out speakers are "unseen voices, seen words"."""
SPEAKER_SPLITS = {"nemo": (NEMO_VAL_SPEAKERS, NEMO_TEST_SPEAKERS), "emovo": (EMOVO_VAL_SPEAKERS, EMOVO_TEST_SPEAKERS)}
"""(validation, test) speakers of each corpus whose manifest names its speakers; the rest train."""


def ravdess_speaker(actor: int) -> str:
    return f"ravdess_{int(actor):02d}"


def read_manifest(csv_path: Path) -> pd.DataFrame:
    """The manifest with absolute paths in `file`, class indices in `label`, and `speaker`,
    `corpus` and `split` ("train", "val" or "test") for the corpora whose split is fixed here."""
    table = pd.read_csv(csv_path)
    missing = {"path", "emotion"} - set(table.columns)
    if missing:
        raise ValueError(f"{csv_path} lacks the column(s) {sorted(missing)}")
    unknown = set(table["emotion"]) - set(VOICE_CLASSES)
    if unknown:
        raise ValueError(f"{csv_path} has emotions outside {VOICE_CLASSES}: {sorted(unknown)}")
    table["file"] = [str(csv_path.parent / p) for p in table["path"]]
    table["label"] = [VOICE_CLASSES.index(e) for e in table["emotion"]]
    if "actor" in table.columns:
        table["speaker"] = [ravdess_speaker(a) for a in table["actor"]]
        table["corpus"] = "ravdess"
        split_of_actor = {a: name for name, actors in RAVDESS_SPLIT.items() for a in actors}
        table["split"] = [split_of_actor.get(int(a), "train") for a in table["actor"]]
    elif "speaker" in table.columns and "corpus" in table.columns:
        held = {corpus: SPEAKER_SPLITS.get(corpus, ((), ())) for corpus in table["corpus"].unique()}
        table["split"] = ["val" if s in held[c][0] else "test" if s in held[c][1] else "train"
                          for s, c in zip(table["speaker"], table["corpus"])]
    return table


def load_clips(files: list[str]) -> list[np.ndarray]:
    return [decode_audio(f, SAMPLE_RATE) for f in files]


def clip_keys(table: pd.DataFrame) -> list[str]:
    """What names each clip across machines: its corpus and path inside the corpus (seeds the
    channel shifts a clip meets, emotion.speech.channel.shifted)."""
    return list(table.corpus + "/" + table.path)
