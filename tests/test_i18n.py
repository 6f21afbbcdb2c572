"""Every message the code marks is translated in every catalogue, with the same placeholders; numbers
follow the language; a thread never inherits another's language (issue 42)."""

from __future__ import annotations

import re
import threading
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from emotion.i18n import (LANGUAGES, LOCALES, SOURCE_LANGUAGE, _, in_language, long_date, ngettext, number, percent,
                          set_language)
from emotion.labels import display_name

REPO = Path(__file__).resolve().parents[1]
TRANSLATED = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def marked_messages() -> set[str | tuple[str, str]]:
    """What `pybabel extract` finds with the project's settings (scripts/update-catalogues): singular
    messages as strings, plural ones as (singular, plural)."""
    with open(LOCALES / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(REPO), method_map, options_map, keywords={"_": None, "N_": None, "ngettext": (1, 2)}):
        found.add(message if isinstance(message, str) else tuple(message[:2]))
    return found


@pytest.fixture(scope="module")
def messages() -> set[str | tuple[str, str]]:
    found = marked_messages()
    assert len(found) > 100, "the app's pages mark their words"
    return found


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_marked_message_is_translated_with_its_placeholders(messages, language):
    with open(LOCALES / f"{language}.po", "rb") as po_file:
        catalogue = read_po(po_file, locale=language)
    entries = {message.id: message for message in catalogue if message.id}
    missing = [message for message in messages if message not in entries]
    assert not missing, f"{language}.po lacks {len(missing)} messages (run scripts/update-catalogues): {missing[:5]}"
    stale = [message_id for message_id in entries if message_id not in messages]
    assert not stale, f"{language}.po holds messages the code no longer has: {stale[:5]}"
    for message_id, entry in entries.items():
        assert not entry.fuzzy, f"{language}: a fuzzy (unchecked) translation of {message_id!r}"
        sources = [message_id] if isinstance(message_id, str) else list(message_id)
        translations = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        assert all(translations), f"{language}: {message_id!r} is not translated"
        wanted = set(PLACEHOLDER.findall(" ".join(sources)))
        for translation in translations:
            assert set(PLACEHOLDER.findall(translation)) == wanted, f"{language}: placeholders of {message_id!r}"


def test_numbers_dates_and_emotion_names_follow_the_language():
    assert (percent(0.843), number(1.53, 1), number(12345)) == ("84%", "1.5", "12,345")  # English by default
    with in_language("es"):
        assert (percent(0.843), number(1.53, 1)) == ("84\xa0%", "1,5")
        assert display_name("happy") != "happy 😀" and display_name("happy").endswith("😀")
    with in_language("pl"):
        assert number(12345) == "12\xa0345" and long_date(date(2026, 12, 6)) == "6 grudnia 2026"
        # Polish has three plural forms (1 sekunda, 2 sekundy, 5 sekund): the catalogue gives each its own.
        forms = {ngettext("The voice got a reading for all {total} second of speech.",
                          "The voice got a reading for all {total} seconds of speech.", n) for n in (1, 2, 5)}
        assert len(forms) == 3, forms
    assert percent(0.843) == "84%"  # the block's language ends with it


def test_a_thread_starts_in_english_whatever_another_chose():
    set_language("it")
    try:
        assert _("Start") != "Start"
        seen = []
        worker = threading.Thread(target=lambda: seen.append(_("Start")))
        worker.start()
        worker.join()
        assert seen == ["Start"]
    finally:
        set_language(SOURCE_LANGUAGE)
