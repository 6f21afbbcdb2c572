"""Practice: an emotion-mirror game for a child and a grown-up (the Practice page's rules).

A deck of emotion cards; three ways to play each card:
  make  the child shows the card's face; it is matched when the face model reads the card's
        emotion at the level's confidence or more, without a break, for the hold time;
  guess a grown-up makes the card's face, the child taps the word they think it is, and the app
        shows what the face model read then; the guess and the reading are both recorded;
  say   the child says a sentence with the card's feeling; matched when one voice reading
        gives the card's emotion at the level's confidence or more.
Readings come from the live session's Timeline (emotion.timeline), so a match is judged on the
same 0.5 s grid, at the same rate, whatever the page's refresh rate. The game lives in the
browser tab's session only; nothing is stored. No Streamlit here: the page lays it out.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from emotion.i18n import N_, _, number
from emotion.labels import FACE_CLASSES, VOICE_CLASSES
from emotion.timeline import STEP_S, Cells

Mode = Literal["make", "guess", "say"]
MODES: dict[Mode, str] = {"make": N_("Make the face"), "guess": N_("Guess the feeling"), "say": N_("Say it")}
"""Each game's name: English in the table and its CSV, `_(MODES[mode])` where a page shows it."""


@dataclass(frozen=True)
class Card:
    """One emotion as a child meets it: its word, the face and voice classes it matches, and
    one plain line on what the face does. The word is the card's id (a shared link's ?deck=, the
    CSV) and stays English: `card_name` and `_(card.looks_like)` put both in the page's language."""

    word: str
    emoji: str
    face: str
    voice: str
    looks_like: str


CARDS: tuple[Card, ...] = (
    Card(N_("happy"), "😀", "happy", "happy", N_("corners of the mouth up, cheeks lifted, eyes crinkled")),
    Card(N_("sad"), "😢", "sad", "sad", N_("corners of the mouth down, inner eyebrows raised")),
    Card(N_("angry"), "😠", "angry", "angry", N_("eyebrows pulled down and together, lips pressed tight")),
    Card(N_("surprised"), "😮", "surprise", "surprised", N_("eyebrows up, eyes wide, mouth open")),
    Card(N_("scared"), "😨", "fear", "fearful", N_("eyebrows up and together, eyes wide, lips stretched back")),
    Card(N_("disgusted"), "🤢", "disgust", "disgust", N_("nose wrinkled, upper lip raised")),
    Card(N_("neutral"), "😐", "neutral", "neutral", N_("a relaxed face, nothing moving")),
)
CARD_BY_WORD = {card.word: card for card in CARDS}
ALIASES = {"surprise": "surprised", "fear": "scared", "fearful": "scared", "disgust": "disgusted"}
"""Other names a shared link may use for a card (the models' own class names)."""

LEVELS: dict[str, float] = {"easy": 0.4, "medium": 0.55, "hard": 0.7}
"""How strict a match is: the probability the model must give the card's emotion."""
LEVEL_NAMES: dict[str, str] = {
    # TRANSLATORS: a level of the Practice game: how strict a match is (easy, medium, hard).
    "easy": N_("easy"),
    # TRANSLATORS: a level of the Practice game: how strict a match is (easy, medium, hard).
    "medium": N_("medium"),
    # TRANSLATORS: a level of the Practice game: how strict a match is (easy, medium, hard).
    "hard": N_("hard"),
}
"""Each level's name: `_(LEVEL_NAMES[level])` where a page shows it."""
DEFAULT_LEVEL = "medium"
DEFAULT_HOLD_S = 1.0


def card_name(word: str) -> str:
    """A card's word in the page's language ("scared" -> "asustado" in Spanish)."""
    return _(word) if word in CARD_BY_WORD else word


def parse_deck(text: str | None) -> tuple[tuple[str, ...], list[str]]:
    """"happy,sad" (a shared link's ?deck=) -> (the cards' words in order, the names not known).
    An empty or missing deck is the whole deck."""
    words, unknown = [], []
    for name in (text or "").split(","):
        name = name.strip().lower()
        word = ALIASES.get(name, name)
        if not name:
            continue
        if word in CARD_BY_WORD:
            if word not in words:
                words.append(word)
        else:
            unknown.append(name)
    return (tuple(words) or tuple(card.word for card in CARDS)), unknown


def held_match(cells: Cells, target: int, min_probability: float, hold_s: float) -> float | None:
    """The time (seconds on the timeline) at which the faces' mean probability of class `target`
    has stayed at `min_probability` or more, in every grid cell, for `hold_s`; None if not yet.
    A cell without a face breaks the run. The run's first and last cells may hold only a frame
    or two, so it needs one cell more than `hold_s` fills: the face was held at least `hold_s`."""
    need = max(1, math.ceil(hold_s / STEP_S - 1e-9)) + 1
    present = cells.face.present
    if len(present) == 0:
        return None
    means = cells.face.sums[:, target] / np.maximum(present, 1)
    good = (present > 0) & (means >= min_probability)
    run = 0
    for i, ok in enumerate(good):
        run = run + 1 if ok else 0
        if run >= need:
            return (cells.first + i + 1) * STEP_S
    return None


def voice_match(cells: Cells, target: int, min_probability: float) -> float | None:
    """The end time of the first grid cell whose voice reading gives class `target` at
    `min_probability` or more; None if none does yet."""
    present = cells.voice.present
    means = cells.voice.sums[:, target] / np.maximum(present, 1)
    hits = np.flatnonzero((present > 0) & (means >= min_probability))
    return None if len(hits) == 0 else (cells.first + int(hits[0]) + 1) * STEP_S


def face_reading(cells: Cells) -> np.ndarray | None:
    """The faces' mean probabilities over `cells` (the last second or so), None when no face."""
    count = int(cells.face.present.sum())
    return None if count == 0 else cells.face.sums.sum(axis=0) / count


TABLE_COLUMNS = (
    # TRANSLATORS: a Practice table header (the CSV keeps the English one): the game played.
    N_("mode"),
    N_("card"),
    # TRANSLATORS: a Practice table header: whether the card was matched (also the summary's count of matched cards).
    N_("matched"),
    # TRANSLATORS: a Practice table header: the seconds until the card was matched.
    N_("seconds_to_match"),
    # TRANSLATORS: a Practice table header: the word the child guessed.
    N_("guess"),
    # TRANSLATORS: a Practice table header: whether the guess was right.
    N_("guess_right"),
    # TRANSLATORS: a Practice table header: the card the face model read at the guess.
    N_("model_read"),
    # TRANSLATORS: a Practice table header: how sure the face model was.
    N_("model_confidence"),
    N_("skipped"),
)
"""The table's columns: English in the CSV, `shown_table` puts them in the page's language."""


@dataclass
class Attempt:
    """One card played: when, how, and how it went."""

    mode: Mode
    card: str
    started_s: float
    seconds_to_match: float | None = None
    guess: str | None = None
    model_read: str | None = None
    model_confidence: float | None = None
    skipped: bool = False


@dataclass
class Game:
    """A deck played in one mode, card by card. `clock` gives the timeline's time (seconds)."""

    deck: tuple[str, ...]
    mode: Mode
    level: str = DEFAULT_LEVEL
    hold_s: float = DEFAULT_HOLD_S
    clock: Callable[[], float] = time.monotonic
    attempts: list[Attempt] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._begin(0)

    def _begin(self, index: int) -> None:
        self.index = index
        if index < len(self.deck):
            self.attempts.append(Attempt(self.mode, self.deck[index], self.clock()))

    @property
    def card(self) -> Card | None:
        """The card in play, None once the deck is done."""
        return CARD_BY_WORD[self.deck[self.index]] if self.index < len(self.deck) else None

    @property
    def done(self) -> bool:
        return self.card is None

    @property
    def min_probability(self) -> float:
        return LEVELS[self.level]

    @property
    def matched(self) -> int:
        return sum(a.seconds_to_match is not None for a in self.attempts)

    def progress(self) -> str:
        """The line the page always shows."""
        if self.mode == "guess":
            right = sum(a.guess == a.card for a in self.attempts if a.guess is not None)
            return _("Guessed {right} of {cards} right").format(right=number(right), cards=number(len(self.deck)))
        return _("Matched {matched} of {cards}").format(matched=number(self.matched), cards=number(len(self.deck)))

    def check(self, cells_since_card: Cells) -> Attempt | None:
        """Make / say: look for a match in the readings since the card began; on a match the
        attempt is recorded, the next card begins, and the matched attempt is returned."""
        card, attempt = self.card, self.attempts[-1] if self.attempts else None
        if card is None or attempt is None or self.mode == "guess":
            return None
        if self.mode == "make":
            at = held_match(cells_since_card, FACE_CLASSES.index(card.face), self.min_probability, self.hold_s)
        else:
            at = voice_match(cells_since_card, VOICE_CLASSES.index(card.voice), self.min_probability)
        if at is None:
            return None
        attempt.seconds_to_match = round(max(0.0, at - attempt.started_s), 1)
        self._begin(self.index + 1)
        return attempt

    def record_guess(self, word: str, reading: np.ndarray | None) -> Attempt:
        """Guess: the child's word and what the face model read at that moment; next card."""
        attempt = self.attempts[-1]
        attempt.guess = word
        if reading is not None:
            best = int(np.argmax(reading))
            attempt.model_read, attempt.model_confidence = word_of_face(FACE_CLASSES[best]), round(float(reading[best]), 3)
        self._begin(self.index + 1)
        return attempt

    def skip(self) -> None:
        """Give up on this card and go on (it counts as tried, not matched)."""
        if self.card is not None:
            self.attempts[-1].skipped = True
            self._begin(self.index + 1)

    def table(self) -> pd.DataFrame:
        """Every card tried, one row each, for the summary and its CSV."""
        rows = [{"mode": MODES[a.mode], "card": a.card, "matched": a.seconds_to_match is not None,
                 "seconds_to_match": a.seconds_to_match, "guess": a.guess,
                 "guess_right": None if a.guess is None else a.guess == a.card,
                 "model_read": a.model_read, "model_confidence": a.model_confidence, "skipped": a.skipped}
                for a in self.attempts if a.skipped or a.seconds_to_match is not None or a.guess is not None]
        return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))

    def summary(self) -> dict[str, float | int | None]:
        """The summary's numbers by name: English keys, `_(name)` where a page shows them."""
        table = self.table()
        guessed = table[table.guess.notna()]
        times = table.seconds_to_match.dropna()
        return {N_("cards tried"): len(table), N_("matched"): int(table.matched.sum()),
                N_("median seconds to match"): round(float(times.median()), 1) if len(times) else None,
                N_("guesses right"): int(guessed.guess_right.sum()) if len(guessed) else None}


def word_of_face(face_class: str) -> str:
    """The card word for a face class ("fear" -> "scared")."""
    return next(card.word for card in CARDS if card.face == face_class)


def shown_table(table: pd.DataFrame) -> pd.DataFrame:
    """`Game.table()` as a page shows it: headers, games and cards in the page's language; the
    table itself stays English, as the CSV's data."""
    def cards(column: pd.Series) -> pd.Series:
        return column.map(card_name, na_action="ignore")

    shown = table.assign(mode=table["mode"].map(_), card=cards(table["card"]), guess=cards(table["guess"]),
                         model_read=cards(table["model_read"]))
    return shown.rename(columns=_)
