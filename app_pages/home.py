"""Home: what the app does, how to use it, and what it does with your data."""

import streamlit as st

from emotion.ui.sidebar import PRIVACY_NOTE

st.title("🪞 Emotion Mirror")
st.markdown(
    """
Emotion Mirror reads the feelings shown by a **face** and heard in a **voice**, live from your
camera and microphone or from a photo, video or sound clip you upload. It is made for families
and teachers to show, name and practise emotions together — for example with autistic
children — and to explore how emotion recognition works. It is a learning tool, not a
diagnosis: the models read expressions that actors posed, and they can be wrong.
"""
)

st.header("How to use it")
st.markdown(
    """
1. **Live** — press *Start*, allow the camera and microphone, and make a face or say a
   sentence with feeling. Each face gets a label; the voice gets one while someone speaks.
2. **Upload** — drop in a photo, a video or a sound clip and get a report you can download.
3. **Practice** — a game for a child and a grown-up: make the face on the card, guess the face a
   grown-up makes, or say a sentence with the card's feeling. A teacher can share a deck as a link.
4. **Models** — see how each model was trained and how well it does, class by class.

When a model is unsure, the app says **"not sure"** instead of guessing.
"""
)

st.header("Your data")
st.info(PRIVACY_NOTE, icon="🔒")
