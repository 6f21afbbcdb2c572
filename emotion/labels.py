"""Class names, display names, colours and emoji for both models.

The order of each tuple is the order of the model's output vector, so it must match the data
set the model was trained on (FER2013 for faces, RAVDESS for voices).
"""

from __future__ import annotations

FACE_CLASSES: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
"""FER2013 label order: index i of a face probability vector is FACE_CLASSES[i]."""

VOICE_CLASSES: tuple[str, ...] = (
    "neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised",
)
"""RAVDESS label order: index i of a voice probability vector is VOICE_CLASSES[i]."""

EMOJI: dict[str, str] = {
    "angry": "😠", "disgust": "🤢", "fear": "😨", "happy": "😀", "sad": "😢",
    "surprise": "😮", "neutral": "😐", "calm": "😌", "fearful": "😨",
    "surprised": "😮", "not sure": "🤔", "no speech": "🔇", "no face": "🙈",
}

COLOURS: dict[str, str] = {
    "angry": "#d62728", "disgust": "#8c564b", "fear": "#9467bd", "fearful": "#9467bd",
    "happy": "#f2b705", "sad": "#1f77b4", "surprise": "#ff7f0e", "surprised": "#ff7f0e",
    "neutral": "#7f7f7f", "calm": "#2ca02c",
}

NOT_SURE = "not sure"
NO_SPEECH = "no speech"
NO_FACE = "no face"


def display_name(label: str) -> str:
    """A label as people read it: 'happy 😀'."""
    return f"{label} {EMOJI.get(label, '')}".strip()


def top_label(probabilities, classes: tuple[str, ...], not_sure_below: float) -> tuple[str, float]:
    """(label, confidence) of the top class, or ("not sure", confidence) when it is too low."""
    best = max(range(len(classes)), key=lambda i: probabilities[i])
    confidence = float(probabilities[best])
    return (classes[best] if confidence >= not_sure_below else NOT_SURE), confidence
