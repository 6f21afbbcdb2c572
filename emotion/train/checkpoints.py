"""Per-epoch checkpoints outside the repo, resume, and a readable progress line.

Training here takes hours on two CPU cores and a session can end at any time, so every epoch
writes the full model (weights + optimizer + schedule position) to `last.keras` and, when the
validation accuracy improves, the weights alone to `best.keras`. `--resume` picks up from
`last.keras` with the epoch counter and best score kept in `state.json`.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import keras
import numpy as np

from emotion.train.run_state import RunState, load_state, resume_or_reset, save_state


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)


class EpochCheckpoint(keras.callbacks.Callback):
    """Save last/best every epoch and print one line a person can follow."""

    def __init__(self, run_dir: Path, state: RunState, total_epochs: int) -> None:
        super().__init__()
        self.run_dir = run_dir
        self.state = state
        self.total_epochs = total_epochs
        self._started = 0.0

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._started = time.time()

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        logs = {k: float(v) for k, v in (logs or {}).items()}
        took = time.time() - self._started
        state = self.state
        state.epochs_done = epoch + 1
        state.seconds += took
        state.history.append({"epoch": epoch + 1, "seconds": round(took, 1), **logs})
        val_acc = logs.get("val_accuracy", -1.0)
        improved = val_acc > state.best_val_accuracy
        if improved:
            state.best_val_accuracy, state.best_epoch = val_acc, epoch + 1
            self.model.save(self.run_dir / "best.keras")
        # Write the model before the state, so a crash between them only repeats an epoch.
        self.model.save(self.run_dir / "last.keras")
        save_state(self.run_dir, state)
        print(
            f"epoch {epoch + 1}/{self.total_epochs} {took:.0f}s"
            f" loss {logs.get('loss', float('nan')):.4f} acc {logs.get('accuracy', float('nan')):.4f}"
            f" val_loss {logs.get('val_loss', float('nan')):.4f} val_acc {val_acc:.4f}"
            f" lr {float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)):.5f}"
            f"{' *best*' if improved else ''}",
            flush=True,
        )


class AveragedWeights(keras.callbacks.SwapEMAWeights):
    """Validate and checkpoint the optimizer's moving average of the weights (Polyak averaging):
    on a small, noisy validation set it steadies the epoch choice and usually generalises better.

    Checkpoints hold the averaged weights in the model and the raw ones in the optimizer, so a
    resumed run starts in the swapped state; keras keeps that state in a private flag.
    """

    def __init__(self, resumed: bool) -> None:
        super().__init__(swap_on_epoch=True)
        self._ema_weights_in_model = resumed


def open_run(run_dir: Path, resume: bool, build_and_compile, command: str,
             name: str = "") -> tuple[keras.Model, RunState]:
    """A fresh compiled model, or the one in `last.keras` when resuming (from the cache, or
    else from a committed models/_resume/<name>/ checkpoint)."""
    state, resumed = resume_or_reset(run_dir, resume, command, name, ".keras")
    return (keras.models.load_model(run_dir / "last.keras") if resumed else build_and_compile()), state


def release(run_dirs: list[Path], x_val: np.ndarray, y_val: np.ndarray, out: Path, command: str,
            planned_epochs: int, extra: dict | None = None) -> None:
    """Ship the best epoch of one Keras run, or the average of several runs' best epochs' logits
    (the same recipe with different seeds) as one model; see `ship`."""
    from emotion.export import averaged_logits

    # Weights only (compile=False): the optimizer state stays behind.
    members = [keras.models.load_model(run_dir / "best.keras", compile=False) for run_dir in run_dirs]
    best = members[0] if len(members) == 1 else averaged_logits(members)
    ship(best, run_dirs, x_val, y_val, out, command, planned_epochs, extra)


def ship(logit_model: keras.Model, run_dirs: list[Path], x_val: np.ndarray | dict[str, np.ndarray], y_val: np.ndarray, out: Path,
         command: str, planned_epochs: int, extra: dict | None = None, quantize: bool = False) -> None:
    """Calibrate on validation data and write what ships (.keras, .tflite), with its training record.

    Also used mid-run (`--release-now`) so the app can use the best model so far; the record then
    says how many of the planned epochs it has seen.
    """
    from emotion.calibration import fit_temperature
    from emotion.export import save_release

    logits = logit_model.predict(x_val, batch_size=256, verbose=0)
    if isinstance(logits, list):  # a model with several outputs has its logits first
        logits = logits[0]
    temperature = fit_temperature(logits, y_val)
    save_release(logit_model, temperature, out, quantize)
    states = [load_state(run_dir) for run_dir in run_dirs]
    record = {
        "training_commands": [c for state in states for c in state.commands], "release_command": command,
        "temperature": temperature, "epochs_done": min(state.epochs_done for state in states),
        "planned_epochs": planned_epochs, "complete": all(state.epochs_done >= planned_epochs for state in states),
        "val_accuracy": float(np.mean(logits.argmax(axis=1) == y_val)),
        "train_seconds": round(sum(state.seconds for state in states)), **(extra or {}),
    }
    if len(states) == 1:
        record |= {"best_epoch": states[0].best_epoch, "history": states[0].history}
    else:
        record["members"] = [{"run_dir": str(run_dir), "best_epoch": state.best_epoch, "val_accuracy": state.best_val_accuracy,
                              "epochs_done": state.epochs_done} for run_dir, state in zip(run_dirs, states)]
    out.with_suffix(".train.json").write_text(json.dumps(record, indent=1) + "\n")
    networks = len(run_dirs)
    print(f"wrote {out} ({networks} network{'s' if networks > 1 else ''}, temperature {temperature:.3f},"
          f" validation accuracy {record['val_accuracy']:.3f}, epochs {record['epochs_done']}/{planned_epochs})", flush=True)
