"""Every page in every language, in a real browser on a phone's screen (issue 42): no text left as it is
in English, none overflowing its box, the document's language set; ?lang= chooses, the sidebar changes it.

A text is "left in English" when the same words show in English and in the other language. Names the
app does not translate (the app's own, the data sets', units) are allowed; so is the expert details'
record of how each model was made (the model card's data and commands, kept as the evaluate CLI wrote
them, inside the containers keyed "card-record-<model>").
"""

from __future__ import annotations

import re

import pytest

from accessibility import PHONE
from emotion.i18n import LANGUAGES, SOURCE_LANGUAGE
from streamlit_page import exception_texts, open_app_page, wait_until_idle

pytestmark = pytest.mark.browser

PAGES = [("", "🪞"), ("live", "🎥"), ("upload", "📁"), ("practice?mode=make", "🎯"), ("practice?mode=guess", "🎯"),
         ("practice?mode=say", "🎯"), ("models", "📊")]
"""Each page by its address and the emoji its title starts with (the title's words are translated)."""
NAMES = re.compile(r"Emotion Mirror|FER2013|FER\+|RAVDESS|nEMO|EMOVO|Whisper|WebRTC|TURN|Macro-F1|BlazeFace|LiteRT|"
                   r"English|Español|Polski|Italiano|\b[A-Z0-9]{2,5}\b|\bs\b|\bms\b|[^\W\d_]*\d[\w.,:%-]*")
"""Words no catalogue translates: names, units, file types and abbreviations (JPG, ECE), tokens with digits."""
SAME_WORD = {"es": {"neutral"}, "pl": {"Start", "Stop"}, "it": {"Home", "Privacy"}}
"""Texts that are the same word in English and in the language (its translators chose them)."""
TEXTS = """() => {
  const skip = el => el.closest('[data-testid="stIconMaterial"], [class*="st-key-card-record-"], script, style, code, pre,'
                               + ' [data-testid="stExpanderIcon"], .em-screen-reader-only, [data-testid="stToolbar"]');
  const out = [];
  for (const root of document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebar"]')) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode, text = node.textContent.trim();
      if (text && node.parentElement && !skip(node.parentElement) && node.parentElement.offsetParent !== null)
        out.push(text);
    }
  }
  return out;
}"""
OVERFLOWING = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] :is(p, h1, h2, h3, h4, li, label, button, summary),'
    + ' [data-testid="stSidebar"] :is(p, h1, h2, h3, label, button)')]
  .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1
                && getComputedStyle(el).overflowX !== 'visible')
  .map(el => el.innerText.slice(0, 80))"""


def _page_texts(page, base_url: str, path: str, emoji: str, language: str) -> list[str]:
    joiner = "&" if "?" in path else "?"
    open_app_page(page, base_url, f"{path}{joiner}lang={language}", emoji)
    if path == "models":
        experts = page.locator('[data-testid="stExpander"] summary')
        for i in range(experts.count()):
            experts.nth(i).click()
        wait_until_idle(page)
    _document_language_becomes(page, language)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, (path, language)
    assert page.evaluate(OVERFLOWING) == [], (path, language)
    assert exception_texts(page) == [], (path, language)
    return page.evaluate(TEXTS)


def _document_language_becomes(page, language: str) -> None:
    """The sidebar's script sets the document's language once the browser has drawn it, which can come after the
    run reads as finished (a full run caught it still "en" once): wait for it, up to 10 s."""
    page.wait_for_function("language => document.documentElement.lang === language", arg=language, timeout=10_000)


def _words(text: str) -> str:
    """The text without the names no catalogue translates, emoji and punctuation."""
    return re.sub(r"[^\w]+", " ", NAMES.sub(" ", text)).strip()


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def english_texts(phone, app_server) -> dict[str, list[str]]:
    return {path: _page_texts(phone, app_server.url, path, emoji, SOURCE_LANGUAGE) for path, emoji in PAGES}


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != SOURCE_LANGUAGE])
def test_every_page_speaks_the_language_with_nothing_left_in_english(phone, app_server, english_texts, language):
    left = {}
    for path, emoji in PAGES:
        english = {text for text in english_texts[path] if _words(text)}
        same = sorted(text for text in _page_texts(phone, app_server.url, path, emoji, language)
                      if text in english and _words(text) not in SAME_WORD[language])
        if same:
            left[path] = same
    assert not left, f"left in English in {LANGUAGES[language]}: {left}"


def test_the_sidebar_changes_the_language_and_the_address_keeps_it(phone, app_server):
    open_app_page(phone, app_server.url, "live?lang=en", "🎥")
    phone.locator('[data-testid="stSidebarCollapsedControl"] button, [data-testid="stExpandSidebarButton"]').first.click()
    picker = phone.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').first
    picker.wait_for()
    phone.wait_for_timeout(500)  # the sidebar slides in: a click before it stops can miss the box
    picker.click()
    picker.fill("Polski")  # the box filters its options as one types
    phone.get_by_role("option", name="Polski").click()
    phone.wait_for_url(re.compile(r"lang=pl"))
    wait_until_idle(phone)
    _document_language_becomes(phone, "pl")
    phone.reload()
    phone.locator("h1", has_text="🎥").first.wait_for()
    wait_until_idle(phone)
    _document_language_becomes(phone, "pl")
