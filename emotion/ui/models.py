"""The two models, loaded once per server process (st.cache_resource) and shared by all pages."""

from __future__ import annotations

import streamlit as st

from emotion import registry


@st.cache_resource(show_spinner="Loading the face model…")
def face_analyzer():
    return registry.load_face_analyzer()


@st.cache_resource(show_spinner="Loading the speech model…")
def speech_classifier():
    return registry.load_speech_classifier()


def model_missing_note(what: str) -> None:
    st.info(f"The {what} model has not been trained yet, so this part of the page is switched off for now.", icon="⏳")
