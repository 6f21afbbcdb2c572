"""Per-epoch checkpoints outside the repo, resume, and a readable progress line.

Training here takes hours on two CPU cores and a session can end at any time, so every epoch
writes the full model (weights + optimizer + schedule position) to `last.keras` and, when the
validation accuracy improves, the weights alone to `best.keras`. `--resume` picks up from
`last.keras` with the epoch counter and best score kept in `state.json`.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np

DEFAULT_CACHE = Path(os.environ.get("EMOTION_CACHE_DIR", Path.home() / ".cache" / "emotion"))


@dataclass
class RunState:
    """What a resumed run needs besides the model file itself."""

    epochs_done: int = 0
    best_val_accuracy: float = -1.0
    best_epoch: int = 0
    seconds: float = 0.0
    commands: list[str] = field(default_factory=list)  # every invocation that trained this run
    history: list[dict[str, float]] = field(default_factory=list)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)


def load_state(run_dir: Path) -> RunState:
    path = run_dir / "state.json"
    return RunState(**json.loads(path.read_text())) if path.exists() else RunState()


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
        (self.run_dir / "state.json").write_text(json.dumps(asdict(state), indent=1))
        print(
            f"epoch {epoch + 1}/{self.total_epochs} {took:.0f}s"
            f" loss {logs.get('loss', float('nan')):.4f} acc {logs.get('accuracy', float('nan')):.4f}"
            f" val_loss {logs.get('val_loss', float('nan')):.4f} val_acc {val_acc:.4f}"
            f" lr {float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)):.5f}"
            f"{' *best*' if improved else ''}",
            flush=True,
        )


REPO_RESUME = Path(os.environ.get("EMOTION_RESUME_DIR", Path(__file__).resolve().parents[2] / "models" / "_resume"))
"""Where a run that could not finish in one session leaves its single resume checkpoint
(last.keras + state.json), committed, so the next session on a fresh machine can go on.
EMOTION_RESUME_DIR moves it (tests, so they never write into the repository)."""


class AveragedWeights(keras.callbacks.SwapEMAWeights):
    """Validate and checkpoint the optimizer's moving average of the weights (Polyak averaging):
    on a small, noisy validation set it steadies the epoch choice and usually generalises better.

    Checkpoints hold the averaged weights in the model and the raw ones in the optimizer, so a
    resumed run starts in the swapped state; keras keeps that state in a private flag.
    """

    def __init__(self, resumed: bool) -> None:
        super().__init__(swap_on_epoch=True)
        self._ema_weights_in_model = resumed


def save_resume_point(run_dir: Path, name: str, files: tuple[str, ...] = ("last.keras", "state.json")) -> Path:
    """Copy the run's last checkpoint (or other `files`) into models/_resume/<name>/ for committing."""
    target = REPO_RESUME / name
    target.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copy2(run_dir / file, target / file)
    return target


def open_run(run_dir: Path, resume: bool, build_and_compile, command: str,
             name: str = "") -> tuple[keras.Model, RunState]:
    """A fresh compiled model, or the one in `last.keras` when resuming (from the cache, or
    else from a committed models/_resume/<name>/ checkpoint)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    last = run_dir / "last.keras"
    committed = REPO_RESUME / name if name else None
    if resume and not last.exists() and committed and (committed / "last.keras").exists():
        print(f"resuming from the committed checkpoint in {committed}", flush=True)
        for file in ("last.keras", "state.json"):
            shutil.copy2(committed / file, run_dir / file)
    if resume and last.exists():
        state = load_state(run_dir)
        if not (run_dir / "best.keras").exists():
            state.best_val_accuracy = -1.0  # the best weights stayed behind: the next epoch sets them
        state.commands.append(command)
        print(f"resuming from {last} after epoch {state.epochs_done}", flush=True)
        return keras.models.load_model(last), state
    if resume:
        print(f"nothing to resume in {run_dir}; starting fresh", file=sys.stderr, flush=True)
    for stale in ("last.keras", "best.keras", "state.json"):
        (run_dir / stale).unlink(missing_ok=True)
    return build_and_compile(), RunState(commands=[command])


def release(run_dirs: list[Path], x_val: np.ndarray, y_val: np.ndarray, out: Path, command: str,
            planned_epochs: int, extra: dict | None = None) -> None:
    """Calibrate on validation data and write what ships, with its training record.

    One run ships its best epoch; several runs (the same recipe with different seeds) ship the
    average of their best epochs' logits, one model. Also used mid-run (`--release-now`) so the
    app can use the best model so far; the record then says how many of the planned epochs it
    has seen.
    """
    from emotion.calibration import fit_temperature
    from emotion.export import averaged_logits, save_release

    # Weights only (compile=False): the optimizer state stays behind.
    members = [keras.models.load_model(run_dir / "best.keras", compile=False) for run_dir in run_dirs]
    best = members[0] if len(members) == 1 else averaged_logits(members)
    logits = best.predict(x_val, batch_size=256, verbose=0)
    temperature = fit_temperature(logits, y_val)
    save_release(best, temperature, out)
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
    print(f"wrote {out} ({len(members)} network{'s' if len(members) > 1 else ''}, temperature {temperature:.3f},"
          f" validation accuracy {record['val_accuracy']:.3f}, epochs {record['epochs_done']}/{planned_epochs})", flush=True)
