"""The sidebar every page shares: which models are installed, and what happens to your data."""

from __future__ import annotations

import streamlit as st

from emotion.i18n import N_, _, percent
from emotion.registry import ALL_MODELS, ModelSpec
from emotion.ui.language import language_picker
from emotion.ui.models import model_problem
from emotion.ui.style import calm_toggle

PRIVACY_NOTE = N_(
    "Your camera, microphone and uploads are processed on this app's server while you use it "
    "(live media may pass through a TURN relay on the way). Nothing is saved: no images, "
    "sound or results are written to disk, and your session's timeline disappears when you "
    "close the tab."
)
"""Shown here and on Home, in the page's language: `_(PRIVACY_NOTE)`."""


def render_sidebar() -> None:
    with st.sidebar:
        language_picker()
        calm_toggle()
        st.subheader(_("Model status"))
        for spec in ALL_MODELS:
            st.markdown(model_status(spec))
        with st.container(key="privacy"):  # the last part drawn: tests wait for it
            st.subheader(_("Privacy"))
            st.caption(_(PRIVACY_NOTE))


def model_status(spec: ModelSpec) -> str:
    """One line per model: switched off, how often right on which data, or not trained yet."""
    card, title = spec.read_card(), spec.shown_title()
    if spec.available and model_problem(spec.key):
        return "⚠️ " + _("**{model}** — switched off: its file could not be loaded (the page says more)").format(
            model=title)
    if spec.available and card:
        metrics = card["metrics"]
        interim = not card.get("training", {}).get("complete", True)
        if metrics.get("split") == "val":
            line = _("**{model}** — {accuracy} right on validation data")
        elif interim:
            line = _("**{model}** — {accuracy} right on unseen test data (interim model: released before its "
                     "training run's last epoch)")
        else:
            line = _("**{model}** — {accuracy} right on unseen test data")
        return "✅ " + line.format(model=title, accuracy=percent(metrics["accuracy"]))
    if spec.available:
        return "✅ " + _("**{model}** — installed (no model card yet)").format(model=title)
    return "⏳ " + _("**{model}** — not trained yet").format(model=title)
