"""The family's language on every page: from the address (?lang=pl), else the browser's, else English;
changeable in the sidebar and kept in the address so a link or a reload keeps it.

Streamlit runs each rerun, and each fragment's rerun, in a thread of its own: app.py sets the
language at the top of a full run, and `fragment` (used instead of st.fragment) at the top of
each fragment's run, so words inside a fragment come out in the page's language too.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

import streamlit as st

from emotion.i18n import LANGUAGES, SOURCE_LANGUAGE, _, known_language, set_language

LANGUAGE_PARAMETER = "lang"
STATE_KEY = "language"


def choose_language() -> str:
    """This person's language for this run (set for emotion.i18n) and in the address."""
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = (known_language(st.query_params.get(LANGUAGE_PARAMETER))
                                       or known_language(st.context.locale) or SOURCE_LANGUAGE)
    language = st.session_state[STATE_KEY]
    if st.query_params.get(LANGUAGE_PARAMETER) != language:
        st.query_params[LANGUAGE_PARAMETER] = language
    set_language(language)
    # The document's language, so a screen reader speaks the page with the right voice (from the sidebar: a
    # script in the main column would take a line of its own there).
    st.sidebar.html(f"<script>document.documentElement.lang = {json.dumps(language)};</script>",
                    unsafe_allow_javascript=True)
    return language


def language_picker() -> None:
    st.selectbox("🌐 " + _("Language"), list(LANGUAGES), format_func=LANGUAGES.get, key=STATE_KEY)


def fragment(run_every: float | None = None) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """st.fragment, with the page's language set at the top of every run of the fragment."""
    def wrap(body: Callable[[], None]) -> Callable[[], None]:
        @functools.wraps(body)
        def in_page_language() -> None:
            set_language(st.session_state.get(STATE_KEY, SOURCE_LANGUAGE))
            body()
        return st.fragment(run_every=run_every)(in_page_language)
    return wrap
