"""The two models, loaded once per server process (st.cache_resource) and shared by all pages.

A model that cannot be loaded (missing, damaged, or not the file its card describes) switches
off its half of a page with a sentence that says which file and how to restore it; the other
model keeps working. Loading happens here, so no page ever shows a traceback for it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import streamlit as st

from emotion import registry

RESTORE = "Restore the shipped files with `git checkout models/`, or retrain and re-run the evaluate CLI (README)."


class Loaded(NamedTuple):
    model: Any | None  # FaceAnalyzer / SpeechClassifier, None when it could not be loaded
    problem: str | None  # why not, in one sentence; None when it is simply not trained yet


def _load(spec: registry.ModelSpec, loader) -> Loaded:
    try:
        return Loaded(loader(), None)
    except registry.ModelMismatch as mismatch:
        return Loaded(None, f"The {spec.key} model is switched off: {mismatch} {RESTORE}")
    except Exception as error:  # noqa: BLE001 - a damaged file raises whatever its parser raises
        return Loaded(None, f"The {spec.key} model is switched off: models/{spec.tflite.name} could not be loaded "
                            f"({type(error).__name__}). {RESTORE}")


@st.cache_resource(show_spinner="Loading the face model…")
def _face() -> Loaded:
    return _load(registry.FACE, registry.load_face_analyzer)


@st.cache_resource(show_spinner="Loading the speech model…")
def _speech() -> Loaded:
    return _load(registry.SPEECH, registry.load_speech_classifier)


def face_analyzer():
    return _face().model


def speech_classifier():
    return _speech().model


def model_problem(what: str) -> str | None:
    """Why the `what` ("face" or "speech") model could not be loaded, or None."""
    return (_face() if what == "face" else _speech()).problem


def model_missing_note(what: str) -> None:
    """Why the `what` ("face" or "speech") model is off: damaged or mismatched, or not trained yet."""
    problem = model_problem(what)
    if problem:
        st.error(problem, icon="⚠️")
    else:
        st.info(f"The {what} model has not been trained yet, so this part of the page is switched off for now.", icon="⏳")
