"""The project's trained models in models/: where they are, whether they are there, their cards.

Reading a card needs no TensorFlow, so pages can say what is installed before any model loads.
The UI wraps the loaders in st.cache_resource, so each model is loaded once per process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


class ModelSpec(NamedTuple):
    """One shipped model: a Keras file and the JSON model card the evaluate CLI writes."""

    key: str
    title: str
    weights: Path
    card: Path

    @property
    def available(self) -> bool:
        return self.weights.exists()

    def read_card(self) -> dict[str, Any] | None:
        """The model card, or None when the model has not been trained and evaluated yet."""
        if not self.card.exists():
            return None
        return json.loads(self.card.read_text())


FACE = ModelSpec("face", "Facial expression (FER2013)", MODELS_DIR / "face.keras", MODELS_DIR / "face.json")
SPEECH = ModelSpec("speech", "Speech emotion (RAVDESS)", MODELS_DIR / "speech.keras", MODELS_DIR / "speech.json")
ALL_MODELS: tuple[ModelSpec, ...] = (FACE, SPEECH)
