"""Every word the app shows, in the family's language: English in the code, one catalogue per other
language in emotion/locales/<language>.po.

Why gettext catalogues, read with Babel: translators' tools open them, `pybabel extract` lists every
message the code marks with `_`, `ngettext` or `N_` (tests/test_i18n.py holds each catalogue to
that list), plural forms follow each language's rule (Polish has three), and Babel writes numbers
the language's way (84 % in Spanish, 1,5 s in Polish, Italian and Spanish) and dates too.

Which language: Streamlit's script sets it for its run (emotion/ui/language.py) and a Live session
for its media threads (`in_language`); code in emotion/ reads it here and never from Streamlit. A
thread starts in English (a ContextVar's default), so nothing can read a stale choice.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LANGUAGES = {"en": "English", "es": "Español", "pl": "Polski", "it": "Italiano"}
"""The languages the app speaks, each in its own words (what the picker shows)."""
SOURCE_LANGUAGE = "en"
LOCALES = Path(__file__).parent / "locales"

_language: ContextVar[str] = ContextVar("language", default=SOURCE_LANGUAGE)


@functools.cache
def _translations(language: str) -> gettext.NullTranslations:
    """The language's catalogue, compiled in memory (no .mo file to keep in step with the .po)."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    with open(LOCALES / f"{language}.po", "rb") as po_file:
        catalogue = read_po(po_file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def known_language(code: str | None) -> str | None:
    """The app's language for a code such as "pl", "es-MX" or "it_IT"; None if it speaks none of it."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def current_language() -> str:
    return _language.get()


def set_language(language: str) -> None:
    """This thread's language from now on (Streamlit's script thread, at the top of each run)."""
    _language.set(language if language in LANGUAGES else SOURCE_LANGUAGE)


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Words in `language` inside the block, the thread's own after it (a media thread's frame)."""
    token = _language.set(language if language in LANGUAGES else SOURCE_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def _(message: str) -> str:
    """`message` (English) in the current language."""
    return _translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for `count`, by the current language's plural rule."""
    return _translations(_language.get()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a message for the catalogues where it is defined (a table of names); `_` translates it where shown."""
    return message


def percent(share: float, decimals: int = 0) -> str:
    """0.843 -> "84%" ("84 %" in Spanish); with decimals=1, "84.3%" ("84,3 %")."""
    language = _language.get()
    pattern = Locale.parse(language).percent_formats[None].pattern
    if decimals:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * decimals, 1)
    return format_percent(share, format=pattern, locale=language)


def number(value: float, decimals: int = 0) -> str:
    """1.53 -> "1.5" ("1,5" in Spanish, Polish and Italian); thousands grouped the language's way."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_language.get())


def long_date(day: date) -> str:
    """A date as the language writes it: "6 December 2026", "6 de diciembre de 2026", "6 grudnia 2026"."""
    return format_date(day, format="long", locale=_language.get())
