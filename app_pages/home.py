"""Home: what the app does, how to use it, and what it does with your data."""

import streamlit as st

from emotion.i18n import _
from emotion.ui.sidebar import PRIVACY_NOTE

st.title("🪞 Emotion Mirror")
st.markdown(_(
    "Emotion Mirror reads the feelings shown by a **face** and heard in a **voice**, live from your camera and "
    "microphone or from a photo, video or sound clip you upload. It is made for families and teachers to show, name "
    "and practise emotions together — for example with autistic children — and to explore how emotion recognition "
    "works. It is a learning tool, not a diagnosis: the models read expressions that actors posed, and they can be "
    "wrong."))

st.header(_("How to use it"))
steps = [
    _("**Live** — press *Start*, allow the camera and microphone, and make a face or say a sentence with feeling. "
      "Each face gets a label; the voice gets one while someone speaks."),
    _("**Upload** — drop in a photo, a video or a sound clip and get a report you can download."),
    _("**Practice** — a game for a child and a grown-up: make the face on the card, guess the face a grown-up makes, "
      "or say a sentence with the card's feeling. A teacher can share a deck as a link."),
    _("**Models** — see how each model was trained and how well it does, class by class."),
]
st.markdown("\n".join(f"{position}. {step}" for position, step in enumerate(steps, start=1)) + "\n\n"
            + _("When a model is unsure, the app says **\"not sure\"** instead of guessing."))

st.header(_("Your data"))
st.info(_(PRIVACY_NOTE), icon="🔒")
