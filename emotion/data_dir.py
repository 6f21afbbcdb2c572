"""Where the data sets live: an explicit path, else $EMOTION_DATA_DIR, else ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the data root; a CLI option wins over the environment, which wins over the default."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("EMOTION_DATA_DIR")
    return Path(env) if env else DEFAULT_DATA_DIR
