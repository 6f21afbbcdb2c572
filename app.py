"""Emotion Mirror: reads feelings from a face and a voice, live or from a clip.

Entry point for `streamlit run app.py`: declares the pages once with st.navigation and draws
the sidebar they share. Each page lives in app_pages/ and holds UI only; the logic is in
emotion/. The folder is not called pages/: Streamlit treats a pages/ folder as a legacy
multipage app until the entry script has run once, so a first visit to /live skipped app.py.
"""

import streamlit as st

from emotion.i18n import _
from emotion.memory import limit_heap_growth
from emotion.ui import render_sidebar
from emotion.ui.language import choose_language
from emotion.ui.replica import greet_session
from emotion.ui.style import apply_style

st.set_page_config(page_title="Emotion Mirror", page_icon="🪞", layout="wide")
limit_heap_growth()  # once per process: Live streams' threads must not each grow the heap

choose_language()  # before anything with words: the address's, the browser's or the sidebar's language
PAGES = [
    st.Page("app_pages/home.py", title=_("Home"), icon="🪞", url_path="home", default=True),
    st.Page("app_pages/live.py", title=_("Live"), icon="🎥", url_path="live"),
    st.Page("app_pages/upload.py", title=_("Upload"), icon="📁", url_path="upload"),
    st.Page("app_pages/practice.py", title=_("Practice"), icon="🎯", url_path="practice"),
    st.Page("app_pages/models.py", title=_("Models"), icon="📊", url_path="models"),
]

page = st.navigation(PAGES)
apply_style()  # contrast, the phone layout and calm mode: CSS for every page
greet_session()  # behind several replicas: a sentence for a person whose replica stopped
render_sidebar()
page.run()
