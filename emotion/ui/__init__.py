"""Streamlit widgets shared by the pages; the only part of `emotion` that imports streamlit."""

from emotion.ui.sidebar import render_sidebar

__all__ = ["render_sidebar"]
