"""The page's own CSS: contrast, the compact phone layout, calm mode, and text only screen readers see.

Streamlit's theme (.streamlit/config.toml) is one for every visitor and has no setting for
captions, which it draws at 60% opacity: 4.4:1 on our background, under WCAG's 4.5:1
(axe-core's colour-contrast rule, tests/test_accessibility_browser.py). Calm mode is per person, so
it is CSS too. Containers with a key carry the class `st-key-<key>` (inside a layout wrapper, the child
of the flex column that CSS `order` moves): the pages name the parts the
phone layout moves (PAGE_INTRO goes below the answer on a narrow screen, ANSWER comes before the
picture) instead of hiding anything.
"""

from __future__ import annotations

import html
import json

import streamlit as st

from emotion.i18n import _

CALM_PARAMETER = "calm"
"""?calm=1 in the address turns calm mode on, so a parent can bookmark or share it."""
PAGE_INTRO = "page-intro"
ANSWER = "answer"
READINGS = "readings"
"""Keys of the containers the CSS below reaches: a page's introduction, Upload's answer, the
readings beside Live's video (its section headings, "Face" and "Voice", are h2 but small)."""
PHONE_MAX_PX = 640  # Streamlit stacks columns below this width

BASE_CSS = f"""
[data-testid="stCaptionContainer"] {{ color: #5b5665; opacity: 1; }}
.st-key-{READINGS} h2, [class*="st-key-{ANSWER}"] h2 {{ font-size: 1.1rem !important; padding: 0.5rem 0 0 !important; }}
.em-screen-reader-only {{
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;
}}
@media (max-width: {PHONE_MAX_PX}px) {{
  [data-testid="stMainBlockContainer"] {{ padding: 3.5rem 0.75rem 2rem; }}
  h1 {{ font-size: 1.6rem !important; padding: 0.25rem 0 !important; }}
  [data-testid="stVerticalBlock"] > :has(> .st-key-{PAGE_INTRO}) {{ order: 100; }}
  [data-testid="stHorizontalBlock"] > :has([class*="st-key-{ANSWER}"]) {{ order: -1; }}
}}
"""
CALM_CSS = """
*, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; }
html { font-size: 20px; }
[data-testid="stMain"], [data-testid="stSidebar"] { filter: saturate(0.45); }
"""
"""No motion, muted colours (the charts' and the alerts' too) and text a quarter larger."""


def apply_style() -> None:
    """Once per run of every page (app.py): the base CSS, and calm mode's when this person chose it."""
    calm = calm_mode()
    st.html(f"<style>{BASE_CSS}{CALM_CSS if calm else ''}</style>")


def calm_mode() -> bool:
    """Whether calm mode is on: from the address on a first visit, then from the sidebar's toggle,
    and kept in the address on every page so a link or a reload keeps it."""
    if "calm" not in st.session_state:
        st.session_state.calm = st.query_params.get(CALM_PARAMETER) == "1"
    if st.session_state.calm:
        st.query_params[CALM_PARAMETER] = "1"
    elif CALM_PARAMETER in st.query_params:
        del st.query_params[CALM_PARAMETER]
    return st.session_state.calm


def calm_toggle() -> None:
    st.toggle(_("Calm mode"), key="calm",
              help=_("No motion, softer colours and larger text; add ?calm=1 to the address to start in it."))


def uploader_words(button: str, instructions: str) -> None:
    """The file uploader's button and instructions in the page's language: Streamlit writes them in
    English in the browser and has no setting for them, so CSS hides its words and shows these, and
    a script gives the button the same name for screen readers (CSS text is not a button's name)."""
    dropzone = '[data-testid="stFileUploaderDropzone"]'
    st.html(f"""<style>
{dropzone} button [data-testid="stMarkdownContainer"] p,
[data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}
{dropzone} button [data-testid="stMarkdownContainer"]::after {{ content: {_css_string(button)}; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{ content: {_css_string(instructions)}; font-size: 0.875rem; }}
</style>""")
    # The script from the sidebar: in the main column it would take a line of its own above the answer.
    st.sidebar.html(f"""<script>
window.emUploaderName = {json.dumps(button)};
if (!window.emUploaderNamer) {{
  const name = () => document.querySelectorAll('{dropzone} button').forEach(
    b => b.getAttribute('aria-label') === window.emUploaderName || b.setAttribute('aria-label', window.emUploaderName));
  window.emUploaderNamer = new MutationObserver(name);
  window.emUploaderNamer.observe(document.body, {{childList: true, subtree: true}});
}}
document.querySelectorAll('{dropzone} button').forEach(b => b.setAttribute('aria-label', window.emUploaderName));
</script>""", unsafe_allow_javascript=True)


def _css_string(text: str) -> str:
    """`text` as a quoted CSS string: backslashes and quotes escaped, nothing that can end the rule."""
    return '"' + "".join(ch if ch.isalnum() or ch in " .,:;•()%-" else f"\\{ord(ch):x} " for ch in text) + '"'


def announce(text: str) -> None:
    """Say `text` to screen readers when it changes (a polite live region, not shown on screen);
    callers pass words that change with the reading, not every refresh's percentages. Markdown, not
    st.html: a page's refresh keeps a markdown element's node (and a reader's queue) while st.html
    makes it anew each time (tests/test_accessibility_browser.py)."""
    st.markdown(f'<div role="status" aria-live="polite" class="em-screen-reader-only">{html.escape(text)}</div>',
                unsafe_allow_html=True)
