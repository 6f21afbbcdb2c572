"""Class names, display names, colours and emoji for both models.

The order of each tuple is the order of the model's output vector, so it must match the data
set the model was trained on (FER2013 for faces, RAVDESS for voices).
"""

from __future__ import annotations

from emotion.i18n import N_, _

FACE_CLASSES: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
"""FER2013 label order: index i of a face probability vector is FACE_CLASSES[i]."""

VOICE_CLASSES: tuple[str, ...] = (
    "neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised",
)
"""RAVDESS label order: index i of a voice probability vector is VOICE_CLASSES[i]."""

AROUSED_VOICES: tuple[str, ...] = ("happy", "angry", "fearful", "disgust", "surprised")
"""Voice classes of high arousal (an activated, energetic voice) on the circumplex of affect; the
others (neutral, calm, sad) are low. Arousal is the part of a voice's emotion that carries most
plainly in its energy, pitch and tempo, so it may survive a poor microphone when the class does not."""


def voice_arousal(probabilities) -> float:
    """The probability that a voice is aroused: the sum over AROUSED_VOICES."""
    return float(sum(probabilities[VOICE_CLASSES.index(label)] for label in AROUSED_VOICES))


EMOJI: dict[str, str] = {
    "angry": "😠", "disgust": "🤢", "fear": "😨", "happy": "😀", "sad": "😢",
    "surprise": "😮", "neutral": "😐", "calm": "😌", "fearful": "😨",
    "surprised": "😮", "not sure": "🤔", "no speech": "🔇", "no face": "🙈",
}

COLOURS: dict[str, str] = {
    "angry": "#D55E00", "disgust": "#009E73", "fear": "#CC79A7", "fearful": "#CC79A7",
    "happy": "#E69F00", "sad": "#0072B2", "surprise": "#56B4E9", "surprised": "#56B4E9",
    "neutral": "#000000", "calm": "#F0E442",
}
"""One colour per emotion, the same on every chart, box and bar: the Okabe-Ito palette, chosen to
stay apart for people with red-green or blue-yellow colour blindness (tests/test_palette.py
simulates both and measures it). Colour is never the only cue: every label is also in words."""

NOT_SURE = "not sure"
NO_SPEECH = "no speech"
NO_FACE = "no face"

NAMES: dict[str, str] = {label: label for label in (
    N_("angry"), N_("disgust"), N_("fear"), N_("happy"), N_("sad"), N_("surprise"), N_("neutral"), N_("calm"),
    N_("fearful"), N_("surprised"), N_("not sure"), N_("no speech"), N_("no face"))}
"""Every label a page shows, marked for the catalogues: the labels stay English in data (CSV, JSON,
the timeline) and are translated only where shown (`emotion_name`)."""


def emotion_name(label: str) -> str:
    """A label in the page's language: 'happy' -> 'feliz' in Spanish."""
    return _(NAMES[label]) if label in NAMES else label


def display_name(label: str) -> str:
    """A label as people read it: 'happy 😀'."""
    return f"{emotion_name(label)} {EMOJI.get(label, '')}".strip()


def top_label(probabilities, classes: tuple[str, ...], not_sure_below: float) -> tuple[str, float]:
    """(label, confidence) of the top class, or ("not sure", confidence) when it is too low."""
    best = max(range(len(classes)), key=lambda i: probabilities[i])
    confidence = float(probabilities[best])
    return (classes[best] if confidence >= not_sure_below else NOT_SURE), confidence
