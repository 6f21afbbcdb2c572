"""The sidebar every page shares: which models are installed, and what happens to your data."""

from __future__ import annotations

import streamlit as st

from emotion.registry import ALL_MODELS
from emotion.ui.models import model_problem
from emotion.ui.style import calm_toggle

PRIVACY_NOTE = (
    "Your camera, microphone and uploads are processed on this app's server while you use it "
    "(live media may pass through a TURN relay on the way). Nothing is saved: no images, "
    "sound or results are written to disk, and your session's timeline disappears when you "
    "close the tab."
)


def render_sidebar() -> None:
    with st.sidebar:
        calm_toggle()
        st.subheader("Model status")
        for spec in ALL_MODELS:
            card = spec.read_card()
            if spec.available and model_problem(spec.key):
                st.markdown(f"⚠️ **{spec.title}** — switched off: its file could not be loaded (the page says more)")
            elif spec.available and card:
                metrics = card["metrics"]
                where = "validation data" if metrics.get("split") == "val" else "unseen test data"
                if not card.get("training", {}).get("complete", True):
                    where += " (interim model: released before its training run's last epoch)"
                st.markdown(f"✅ **{spec.title}** — {metrics['accuracy']:.0%} right on {where}")
            elif spec.available:
                st.markdown(f"✅ **{spec.title}** — installed (no model card yet)")
            else:
                st.markdown(f"⏳ **{spec.title}** — not trained yet")
        st.subheader("Privacy")
        st.caption(PRIVACY_NOTE)
