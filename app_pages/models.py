"""Models: each model's card — data, split, accuracy, per-class recall and known limits."""

import streamlit as st

from emotion.registry import ALL_MODELS

st.title("📊 Models")
for spec in ALL_MODELS:
    st.header(spec.title)
    card = spec.read_card()
    if card is None:
        st.info("This model has not been trained and evaluated yet, so there is no card to show.", icon="⏳")
    else:
        st.json(card, expanded=False)
