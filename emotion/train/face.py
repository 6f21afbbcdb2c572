"""Train the facial-expression network on FER2013.

    python -m emotion.train.face [--data-dir DIR] [--epochs 60] [--resume]

What and why: a compact VGG-style CNN (emotion/face/network.py) learns the 7 FER2013
expressions from the Training split only. PublicTest (here "val") picks the best epoch and fits
the temperature; PrivateTest ("test") is never read here -- the evaluate CLI touches it once,
for the model card. Augmentation (flip, shift, rotation, zoom, erasing) fights the small data
set; class weights (inverse square-root frequency) keep rare "disgust" from being ignored
without swamping the loss. SGD with Nesterov momentum and a warm-up + cosine schedule.

Every epoch is checkpointed under ~/.cache/emotion/face (see checkpoints.py); when the last
epoch ends, the best epoch's weights are calibrated and written to models/face.keras.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from emotion.data_dir import data_dir
from emotion.face.classify import FACE_SIZE
from emotion.face.network import build_face_network
from emotion.labels import FACE_CLASSES
from emotion.train.checkpoints import DEFAULT_CACHE, EpochCheckpoint, open_run, release, save_resume_point, seed_everything

FER_FILE = Path("fer2013") / "fer2013.npz"
REPO = Path(__file__).resolve().parents[2]
DATA_RECORD = {
    "name": "FER2013 (fer2013.npz)", "train": "Training, 28,709 faces",
    "validation": "PublicTest, 3,589 faces: best epoch and temperature",
    "test": "PrivateTest, 3,589 faces: read only by the evaluate CLI",
}


def load_fer(root: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(n, 48, 48, 1) float32 pixels 0..255 and (n,) int labels of one FER2013 split."""
    with np.load(root / FER_FILE) as data:
        x = data[f"x_{split}"].astype("float32")[..., None]
        y = data[f"y_{split}"].astype("int64")
    return x, y


def class_weights(labels: np.ndarray) -> dict[int, float]:
    counts = np.bincount(labels, minlength=len(FACE_CLASSES)).astype("float64")
    weights = 1.0 / np.sqrt(counts)
    weights *= len(labels) / (weights * counts).sum()
    return {i: float(w) for i, w in enumerate(weights)}


def augmenter(seed: int) -> keras.Sequential:
    return keras.Sequential(
        [
            keras.layers.RandomFlip("horizontal", seed=seed),
            keras.layers.RandomTranslation(0.1, 0.1, fill_mode="nearest", seed=seed + 1),
            keras.layers.RandomRotation(0.06, fill_mode="nearest", seed=seed + 2),
            keras.layers.RandomZoom(0.15, fill_mode="nearest", seed=seed + 3),
            keras.layers.RandomContrast(0.3, value_range=(0, 255), seed=seed + 4),
            keras.layers.RandomErasing(factor=0.5, scale=(0.02, 0.15), value_range=(0, 255), seed=seed + 5),
        ],
        name="augment",
    )


def train_dataset(x: np.ndarray, y: np.ndarray, batch: int, seed: int) -> tf.data.Dataset:
    augment = augmenter(seed)
    return (
        tf.data.Dataset.from_tensor_slices((x, y))
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .batch(batch)
        .map(lambda a, b: (tf.clip_by_value(augment(a, training=True), 0.0, 255.0), b),
             num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )


def compile_model(steps_per_epoch: int, epochs: int, lr: float) -> keras.Model:
    model = build_face_network()
    warmup = min(2, epochs - 1) * steps_per_epoch
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=lr / 10, decay_steps=epochs * steps_per_epoch - warmup,
        warmup_target=lr, warmup_steps=warmup, alpha=0.01,
    )
    model.compile(
        optimizer=keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True, weight_decay=5e-4),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="data root (default $EMOTION_DATA_DIR or ../shared/data)")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_CACHE / "face")
    parser.add_argument("--out", type=Path, default=REPO / "models" / "face.keras")
    parser.add_argument("--resume", action="store_true", help="continue from run-dir/last.keras")
    parser.add_argument("--limit", type=int, default=0, help="use only N training images (smoke tests)")
    parser.add_argument("--release-now", action="store_true",
                        help="do not train: calibrate and release the best epoch so far")
    parser.add_argument("--save-resume-point", action="store_true",
                        help="do not train: copy the last checkpoint to models/_resume/face for committing")
    args = parser.parse_args(argv)
    command = "python -m emotion.train.face " + shlex.join(argv if argv is not None else sys.argv[1:])

    seed_everything(args.seed)
    root = data_dir(args.data_dir)
    x_train, y_train = load_fer(root, "train")
    x_val, y_val = load_fer(root, "val")
    if args.limit:
        pick = np.random.default_rng(args.seed).permutation(len(x_train))[: args.limit]
        x_train, y_train = x_train[pick], y_train[pick]
    assert x_train.shape[1:3] == (FACE_SIZE, FACE_SIZE)
    steps = int(np.ceil(len(x_train) / args.batch_size))
    print(f"train {len(x_train)} val {len(x_val)} steps/epoch {steps}", flush=True)

    if args.save_resume_point:
        print(f"saved {save_resume_point(args.run_dir, 'face')}", flush=True)
        return
    if args.release_now:
        release([args.run_dir], x_val, y_val, args.out, command, args.epochs, {"data": DATA_RECORD})
        return
    model, state = open_run(args.run_dir, args.resume, lambda: compile_model(steps, args.epochs, args.lr), command, "face")
    if state.epochs_done < args.epochs:
        model.fit(
            train_dataset(x_train, y_train, args.batch_size, args.seed + state.epochs_done),
            validation_data=(x_val, y_val),
            epochs=args.epochs,
            initial_epoch=state.epochs_done,
            class_weight=class_weights(y_train),
            callbacks=[EpochCheckpoint(args.run_dir, state, args.epochs)],
            verbose=0,
        )
    release([args.run_dir], x_val, y_val, args.out, command, args.epochs, {"data": DATA_RECORD})


if __name__ == "__main__":
    main()
