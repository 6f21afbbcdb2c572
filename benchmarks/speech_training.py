"""Where a speech training epoch goes on this machine: making the augmented windows vs the
network's training step, TensorFlow/Keras vs PyTorch fp32 vs PyTorch bf16.

    .venv/bin/python benchmarks/speech_training.py [--steps 20] [--batches 12]

Prints one JSON object. `windows_per_second` has the shipped recipe's batch making (session
normalisation, warp 0.1, part windows 0.3: speed change, crop, room/microphone/noise/codec
channel, log-mel, masks; on real RAVDESS and nEMO training clips, one thread) and one training
step of the shipped network's shape on those windows in each framework. `seconds_per_epoch`
scales both to an epoch of the training split's clips. It says whether moving the speech
trainer to PyTorch's bf16 kernels (1.9x for the face network, benchmarks/face_training.py)
would make speech runs -- seeds, leave-one-speaker-out folds -- materially cheaper here: it
cannot, where making the windows is most of the epoch.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from face_training import torch_step  # noqa: E402

from emotion.data_dir import data_dir  # noqa: E402
from emotion.timing import median_ms  # noqa: E402


def windows_per_second(step, batch: int, steps: int) -> float:
    """Throughput from the median step time, after three warm-up steps."""
    return round(batch / (median_ms(step, runs=steps) / 1000), 1)


def training_rows(root: Path) -> pd.DataFrame:
    """The training split of both corpora, as the training CLI reads it."""
    from emotion.speech.corpus import read_manifest

    tables = [read_manifest(root / corpus / "manifest.csv") for corpus in ("ravdess", "nemo")]
    return pd.concat([t[t.split == "train"] for t in tables], ignore_index=True)


def batch_maker(rows, batch: int, speakers_per_corpus: int):
    """The shipped recipe's SessionWindows over a few training speakers of each corpus (its
    set-up runs the voice detector over every clip it holds, so fewer speakers start sooner;
    a batch costs the same)."""
    from emotion.speech.corpus import load_clips
    from emotion.train.speech import SessionWindows

    keep = [s for _, group in rows.groupby("corpus") for s in sorted(group.speaker.unique())[:speakers_per_corpus]]
    subset = rows[rows.speaker.isin(keep)].reset_index(drop=True)
    return SessionWindows(load_clips(list(subset.file)), subset, batch, seed=0, warp=0.1, part_p=0.3)


def tensorflow_row(x: np.ndarray, y: np.ndarray, steps: int) -> float:
    from emotion.train.speech import compile_model

    model = compile_model(steps_per_epoch=50, epochs=150, lr=1e-3)
    return windows_per_second(lambda: model.train_on_batch(x, y), len(x), steps)


def torch_twin():
    """The Keras network's shape in PyTorch (emotion/speech/network.py: four Conv1D blocks over
    time on 128 channels, mean + max pooling, a dense head), for timing only."""
    import torch
    from torch import nn

    from emotion.labels import VOICE_CLASSES
    from emotion.speech.network import BLOCKS

    class SpeechTwin(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            layers, width = [nn.Dropout1d(0.1)], 128
            for filters, kernel in BLOCKS:
                layers += [nn.Conv1d(width, filters, kernel, padding=kernel // 2, bias=False), nn.BatchNorm1d(filters),
                           nn.ReLU(), nn.MaxPool1d(2)]
                width = filters
            self.blocks = nn.Sequential(*layers)
            self.head = nn.Sequential(nn.Dropout(0.4), nn.Linear(2 * width, len(VOICE_CLASSES)))

        def forward(self, x: torch.Tensor) -> torch.Tensor:  # (n, 64, frames, 2) as the Keras input
            n, mels, frames, channels = x.shape
            x = self.blocks(x.permute(0, 1, 3, 2).reshape(n, mels * channels, frames))
            return self.head(torch.cat([x.mean(-1), x.amax(-1)], dim=1))

    return SpeechTwin()


def torch_row(x: np.ndarray, y: np.ndarray, steps: int, bf16: bool) -> float:
    import torch

    model = torch_twin()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    inputs, labels = torch.from_numpy(x).float(), torch.from_numpy(y).long()
    return windows_per_second(torch_step(model, optimizer, inputs, labels, bf16), len(x), steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--steps", type=int, default=20, help="timed network steps per framework")
    parser.add_argument("--batches", type=int, default=12, help="timed augmented batches")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    import torch

    from emotion.train.face import bf16_helps

    rows = training_rows(data_dir(args.data_dir))
    maker = batch_maker(rows, args.batch_size, speakers_per_corpus=2)
    maker[0]  # the warp's mel filters and the codec are set up once
    timed = range(1, min(args.batches, len(maker) - 1) + 1)
    started = time.perf_counter()
    made = [maker[i] for i in timed]
    augmentation = round(sum(len(labels) for _, labels in made) / (time.perf_counter() - started), 1)
    x = made[0][0].astype("float32")
    y = made[0][1].astype("int64")
    network = {"tensorflow_float32": tensorflow_row(x, y, args.steps),
               "pytorch_float32": torch_row(x, y, args.steps, bf16=False)}
    cpu_has_bf16 = bf16_helps(torch.device("cpu"))
    if cpu_has_bf16:
        network["pytorch_bf16_autocast"] = torch_row(x, y, args.steps, bf16=True)
    epoch = len(rows)
    make_s = epoch / augmentation
    print(json.dumps({
        "benchmark": "speech_training", "batch_size": args.batch_size, "threads": torch.get_num_threads(),
        "cpu_has_bf16_units": cpu_has_bf16, "training_clips_per_epoch": epoch,
        "windows_per_second": {"making_windows_one_thread": augmentation, **network},
        "seconds_per_epoch": {"making_windows_one_thread": round(make_s, 1),
                              **{name: round(epoch / value, 1) for name, value in network.items()}},
        "network_ratio_to_tensorflow": {name: round(value / network["tensorflow_float32"], 2)
                                        for name, value in network.items()},
        "share_of_epoch_making_windows": {name: round(make_s / (make_s + epoch / value), 2)
                                          for name, value in network.items()},
    }))


if __name__ == "__main__":
    main()
