"""What a training run keeps between epochs and sessions, with no framework imported.

Shared by the Keras speech CLI and the PyTorch face CLI (which also runs on a GPU machine that
has no TensorFlow): `state.json` holds the epoch counter, the best score and every command
that trained the run; models/_resume/<name>/ holds a run that could not finish in a session.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

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


def load_state(run_dir: Path) -> RunState:
    path = run_dir / "state.json"
    return RunState(**json.loads(path.read_text())) if path.exists() else RunState()


def save_state(run_dir: Path, state: RunState) -> None:
    (run_dir / "state.json").write_text(json.dumps(asdict(state), indent=1))


REPO_RESUME = Path(os.environ.get("EMOTION_RESUME_DIR", Path(__file__).resolve().parents[2] / "models" / "_resume"))
"""Where a run that could not finish in one session leaves its single resume checkpoint
(last.keras + state.json; a finished ensemble member also its best.keras, which the ensemble's
release reads), committed, so the next session on a fresh machine can go on.
EMOTION_RESUME_DIR moves it (tests, so they never write into the repository)."""


def save_resume_point(run_dir: Path, name: str, files: tuple[str, ...] = ("last.keras", "state.json")) -> Path:
    """Copy the run's last checkpoint (or other `files`) into models/_resume/<name>/ for committing."""
    target = REPO_RESUME / name
    target.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copy2(run_dir / file, target / file)
    return target


def resume_or_reset(run_dir: Path, resume: bool, command: str, name: str, suffix: str) -> tuple[RunState, bool]:
    """(the run's state, whether to load last<suffix>): with `resume`, the state beside the
    cache's last checkpoint, or else beside a committed models/_resume/<name>/ one, copied into
    the cache first; otherwise (or with nothing to resume) the run folder cleared for a fresh start.
    The framework loads or builds the model itself."""
    run_dir.mkdir(parents=True, exist_ok=True)
    last = run_dir / f"last{suffix}"
    committed = REPO_RESUME / name if name else None
    if resume and not last.exists() and committed and (committed / last.name).exists():
        print(f"resuming from the committed checkpoint in {committed}", flush=True)
        for file in (last.name, f"best{suffix}", "state.json"):
            if (committed / file).exists():  # best: only a finished run's resume point holds it
                shutil.copy2(committed / file, run_dir / file)
    if resume and last.exists():
        state = load_state(run_dir)
        if not (run_dir / f"best{suffix}").exists():
            state.best_val_accuracy = -1.0  # the best weights stayed behind: the next epoch sets them
        state.commands.append(command)
        print(f"resuming from {last} after epoch {state.epochs_done}", flush=True)
        return state, True
    if resume:
        print(f"nothing to resume in {run_dir}; starting fresh", file=sys.stderr, flush=True)
    for stale in (last.name, f"best{suffix}", "state.json"):
        (run_dir / stale).unlink(missing_ok=True)
    return RunState(commands=[command]), False
