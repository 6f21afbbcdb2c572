"""The project's trained models in models/: where they are, whether they are there, their cards.

Reading a card needs no TensorFlow, so pages can say what is installed before any model loads.
The UI wraps the loaders in st.cache_resource, so each model is loaded once per process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from emotion.i18n import N_, _

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


class ModelSpec(NamedTuple):
    """One shipped model: a Keras file and the JSON model card the evaluate CLI writes."""

    key: str
    title: str
    weights: Path
    card: Path

    @property
    def tflite(self) -> Path:
        """The interpreter file the app runs, exported beside the .keras file."""
        return self.weights.with_suffix(".tflite")

    @property
    def available(self) -> bool:
        """Whether the file the app runs is there (the .keras file is for training and export)."""
        return self.tflite.exists()

    def shown_title(self) -> str:
        """The title in the page's language (`title` stays English: the cards and the README use it)."""
        return _(self.title)

    def read_card(self) -> dict[str, Any] | None:
        """The model card, or None when the model has not been trained and evaluated yet."""
        if not self.card.exists():
            return None
        return json.loads(self.card.read_text())


FACE = ModelSpec("face", N_("Facial expression (FER2013)"), MODELS_DIR / "face.keras", MODELS_DIR / "face.json")
SPEECH = ModelSpec("speech", N_("Speech emotion (RAVDESS + nEMO + EMOVO)"), MODELS_DIR / "speech.keras", MODELS_DIR / "speech.json")
ALL_MODELS: tuple[ModelSpec, ...] = (FACE, SPEECH)


class ModelMismatch(RuntimeError):
    """A model file differs from the one its card describes: the card's numbers would not hold."""


def tflite_path(spec: ModelSpec) -> Path:
    """The .tflite file the app runs, checked against the hash its card recorded."""
    path = spec.tflite
    card = spec.read_card()
    if card is not None:
        import hashlib

        recorded = {f["file"]: f["sha256"] for f in card.get("files", [])}
        if path.name in recorded and hashlib.sha256(path.read_bytes()).hexdigest() != recorded[path.name]:
            raise ModelMismatch(f"{path.name} is not the file its model card describes.")
    return path


def not_sure_below(spec: ModelSpec, default: float = 0.5) -> float:
    """The card's "not sure" threshold (from validation data), or a cautious default."""
    card = spec.read_card()
    return float(card.get("not_sure_below", default)) if card else default


def load_face_analyzer():
    """Detector + classifier, or None when the face model is not installed."""
    if not FACE.tflite.exists():
        return None
    from emotion.face.analyse import FaceAnalyzer
    from emotion.face.classify import FaceClassifier
    from emotion.face.detect import FaceDetector

    return FaceAnalyzer(FaceDetector(), FaceClassifier(tflite_path(FACE)))


def training_record(model: Path) -> dict[str, Any]:
    """What the training CLI wrote beside a model's .keras/.tflite (<name>.train.json), or {}."""
    path = model.with_suffix(".train.json")
    return json.loads(path.read_text()) if path.exists() else {}


def speech_normalisation(model: Path = SPEECH.tflite) -> str:
    """How a speech model's features are standardised: its training record says; records from
    before the choice existed mean "window"."""
    return training_record(model).get("features", {}).get("normalisation", "window")


def speech_front_end(model: Path = SPEECH.tflite) -> str:
    """What a speech model reads: "log_mel" (the project's own features), "whisper_log_mel" (a
    model on Whisper's encoder) or both (a pair averaging one of each, emotion.speech.classify.PAIR);
    records from before the choice existed mean "log_mel"."""
    return training_record(model).get("features", {}).get("front_end", "log_mel")


def speech_classifier(model: Path):
    """A SpeechClassifier for this .tflite, reading windows the way its training record says."""
    from emotion.speech import SpeechClassifier

    return SpeechClassifier(model, speech_normalisation(model), speech_front_end(model))


def load_speech_classifier():
    """The speech classifier, or None when the speech model is not installed."""
    if not SPEECH.tflite.exists():
        return None
    return speech_classifier(tflite_path(SPEECH))
