"""Training speed of the face network on this machine: TensorFlow/Keras vs PyTorch fp32 vs PyTorch bf16.

    .venv/bin/python benchmarks/face_training.py [--steps 20] [--batch-size 128]

Prints one JSON object: images per second of one training step (forward, backward, SGD update)
of the shipped network's shape, on real FER2013 training faces, each framework on the same
threads, and the ratios to TensorFlow measured in this one run. It is why emotion/train/face.py
trains in PyTorch: TensorFlow does not use a CPU's bf16 units (AMX / AVX-512 bf16); PyTorch's
channels-last bf16 kernels do. Augmentation is left out: it is the same work for every row.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emotion.data_dir import data_dir  # noqa: E402
from emotion.timing import median_ms  # noqa: E402
from emotion.train.face import FaceNet, bf16_helps, load_fer  # noqa: E402


def images_per_second(step, batch: int, steps: int) -> float:
    """Throughput from the median step time, after three warm-up steps."""
    return round(batch / (median_ms(step, runs=steps) / 1000), 1)


def tensorflow_row(x: np.ndarray, y: np.ndarray, steps: int) -> float:
    import keras

    from emotion.face.network import build_face_network

    model = build_face_network()
    model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    pixels = x[..., None].astype("float32")
    return images_per_second(lambda: model.train_on_batch(pixels, y), len(x), steps)


def torch_row(x: np.ndarray, y: np.ndarray, steps: int, bf16: bool) -> float:
    import torch

    model = FaceNet().to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    pixels = torch.from_numpy(x).float().unsqueeze(1).contiguous(memory_format=torch.channels_last)
    labels = torch.from_numpy(y)

    return images_per_second(torch_step(model, optimizer, pixels, labels, bf16), len(x), steps)


def torch_step(model, optimizer, inputs, labels, bf16: bool):
    """One PyTorch training step as a call: forward (under CPU bf16 autocast where asked), an fp32
    cross-entropy, backward, update. Shared with benchmarks/speech_training.py."""
    import torch
    import torch.nn.functional as F

    def step() -> None:
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(inputs)
        loss = F.cross_entropy(logits.float(), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()
    import torch

    x, y = load_fer(data_dir(args.data_dir), "train")
    pick = np.random.default_rng(0).permutation(len(x))[: args.batch_size]
    x, y = x[pick], y[pick]
    rows = {"tensorflow_float32": tensorflow_row(x, y, args.steps),
            "pytorch_float32_channels_last": torch_row(x, y, args.steps, bf16=False)}
    cpu_has_bf16 = bf16_helps(torch.device("cpu"))
    if cpu_has_bf16:
        rows["pytorch_bf16_autocast_channels_last"] = torch_row(x, y, args.steps, bf16=True)
    epoch = 28_709
    print(json.dumps({
        "benchmark": "face_training", "batch_size": args.batch_size, "steps": args.steps,
        "threads": torch.get_num_threads(), "cpu_has_bf16_units": cpu_has_bf16,
        "images_per_second": rows,
        "seconds_per_epoch_of_28709": {name: round(epoch / value, 1) for name, value in rows.items()},
        "ratio_to_tensorflow": {name: round(value / rows["tensorflow_float32"], 2) for name, value in rows.items()},
    }))


if __name__ == "__main__":
    main()
