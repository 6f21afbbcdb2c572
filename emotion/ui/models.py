"""The two models, loaded once per server process (st.cache_resource) and shared by all pages.

A model that cannot be loaded (missing, damaged, or not the file its card describes) switches
off its half of a page with a sentence that says which file and how to restore it; the other
model keeps working. Loading happens here, so no page ever shows a traceback for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import streamlit as st

from emotion import registry
from emotion.i18n import _


class Loaded(NamedTuple):
    """A model, or what kept it from loading. Facts, not a sentence: the cache holds them for every
    session, and each page says them in its own language (`model_problem`)."""
    model: Any | None  # FaceAnalyzer / SpeechClassifier, None when it could not be loaded
    file: str | None  # the .tflite file that could not be used; None when loaded or simply not trained yet
    error: str | None  # the parser's error type for a damaged file; None for a file unlike its card's


def _load(spec: registry.ModelSpec, loader) -> Loaded:
    try:
        return Loaded(loader(), None, None)
    except registry.ModelMismatch:  # the .tflite file differs from the one its card hashed
        return Loaded(None, spec.tflite.name, None)
    except Exception as error:  # noqa: BLE001 - a damaged file raises whatever its parser raises
        return Loaded(None, spec.tflite.name, type(error).__name__)


@st.cache_resource(show_spinner=False)
def _cached_face() -> Loaded:
    return _load(registry.FACE, registry.load_face_analyzer)


@st.cache_resource(show_spinner=False)
def _cached_speech() -> Loaded:
    return _load(registry.SPEECH, registry.load_speech_classifier)


_loaded_once: set[str] = set()
"""The models this process has loaded. The spinner's words are in the page's language, so the page
shows it (st.cache_resource's own spinner is fixed at import, in English), and only until a model
is loaded, not on every run."""


def _loaded(what: str, cached: Callable[[], Loaded], loading: str) -> Loaded:
    if what in _loaded_once:
        return cached()
    with st.spinner(loading):
        loaded = cached()
    _loaded_once.add(what)
    return loaded


def _face() -> Loaded:
    return _loaded("face", _cached_face, _("Loading the face model…"))


def _speech() -> Loaded:
    return _loaded("speech", _cached_speech, _("Loading the speech model…"))


def face_analyzer():
    return _face().model


def speech_classifier():
    return _speech().model


def model_problem(what: str) -> str | None:
    """Why the `what` ("face" or "speech") model could not be loaded, in a sentence, or None."""
    loaded = _face() if what == "face" else _speech()
    if loaded.file is None:
        return None
    if loaded.error is None and what == "face":
        off = _("The face model is switched off: {file} is not the file its model card describes.")
    elif loaded.error is None:
        off = _("The speech model is switched off: {file} is not the file its model card describes.")
    elif what == "face":
        off = _("The face model is switched off: models/{file} could not be loaded ({error}).")
    else:
        off = _("The speech model is switched off: models/{file} could not be loaded ({error}).")
    restore = _("Restore the shipped files with `git checkout models/`, or retrain and re-run the evaluate CLI "
                "(README).")
    return f"{off.format(file=loaded.file, error=loaded.error)} {restore}"


def model_missing_note(what: str) -> None:
    """Why the `what` ("face" or "speech") model is off: damaged or mismatched, or not trained yet."""
    problem = model_problem(what)
    if problem:
        st.error(problem, icon="⚠️")
    elif what == "face":
        st.info(_("The face model has not been trained yet, so this part of the page is switched off for now."),
                icon="⏳")
    else:
        st.info(_("The speech model has not been trained yet, so this part of the page is switched off for now."),
                icon="⏳")
