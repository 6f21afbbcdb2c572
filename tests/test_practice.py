"""The Practice game's rules on a real Timeline with a controlled clock: when a card counts as
matched, what a guess records, shared decks, and the summary."""

from __future__ import annotations

import numpy as np
import pytest

from emotion.labels import FACE_CLASSES, VOICE_CLASSES
from emotion.practice import CARDS, LEVELS, Game, face_reading, held_match, parse_deck, word_of_face
from emotion.timeline import Timeline


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def face(label: str, p: float) -> np.ndarray:
    """One face whose probability of `label` is p, the rest spread evenly."""
    probs = np.full(len(FACE_CLASSES), (1 - p) / (len(FACE_CLASSES) - 1))
    probs[FACE_CLASSES.index(label)] = p
    return probs[None]


def show(timeline: Timeline, clock: Clock, label: str, p: float, seconds: float, fps: float = 10) -> None:
    for _ in range(int(seconds * fps)):
        clock.t += 1 / fps
        timeline.add_faces(clock.t, face(label, p))


def test_a_card_is_matched_only_after_the_face_is_held_for_the_hold_time():
    clock = Clock()
    timeline = Timeline(clock)
    game = Game(("happy", "sad"), "make", level="medium", hold_s=1.0, clock=clock)
    show(timeline, clock, "happy", 0.9, 0.6)
    assert game.check(timeline.cells(game.attempts[-1].started_s)) is None  # not held long enough
    show(timeline, clock, "happy", 0.3, 1.0)  # below the medium level: the run breaks
    assert game.check(timeline.cells(game.attempts[-1].started_s)) is None
    show(timeline, clock, "happy", 0.8, 1.2)
    matched = game.check(timeline.cells(game.attempts[-1].started_s))
    assert matched is not None and matched.card == "happy" and 1.6 < matched.seconds_to_match <= 3.0
    assert game.card.word == "sad" and game.progress() == "Matched 1 of 2"
    # The next card starts now: the happy face does not count for it.
    show(timeline, clock, "happy", 0.9, 2.0)
    assert game.check(timeline.cells(game.attempts[-1].started_s)) is None


def test_a_break_without_a_face_restarts_the_hold():
    clock = Clock()
    timeline = Timeline(clock)
    show(timeline, clock, "sad", 0.9, 0.8)
    for _ in range(6):  # 0.6 s of frames without a face
        clock.t += 0.1
        timeline.add_faces(clock.t, np.zeros((0, len(FACE_CLASSES))))
    show(timeline, clock, "sad", 0.9, 0.8)
    assert held_match(timeline.cells(), FACE_CLASSES.index("sad"), LEVELS["hard"], 1.5) is None
    show(timeline, clock, "sad", 0.9, 1.0)
    assert held_match(timeline.cells(), FACE_CLASSES.index("sad"), LEVELS["hard"], 1.5) is not None


def test_the_level_sets_how_sure_the_model_must_be():
    for level, matched in (("easy", True), ("medium", False), ("hard", False)):
        clock = Clock()
        timeline = Timeline(clock)
        game = Game(("angry",), "make", level=level, hold_s=0.5, clock=clock)
        show(timeline, clock, "angry", 0.5, 2.0)
        assert (game.check(timeline.cells()) is not None) == matched, level
        assert game.done == matched


def test_say_it_matches_on_a_voice_reading():
    clock = Clock()
    timeline = Timeline(clock)
    game = Game(("surprised",), "say", level="easy", clock=clock)
    voice = np.full(len(VOICE_CLASSES), 0.05)
    voice[VOICE_CLASSES.index("surprised")] = 0.65
    clock.t = 3.0
    timeline.add_voice(0.0, 3.0, None)  # no speech yet
    assert game.check(timeline.cells()) is None
    clock.t = 4.0
    timeline.add_voice(1.0, 4.0, voice)
    assert game.check(timeline.cells()).card == "surprised" and game.progress() == "Matched 1 of 1" and game.done


def test_a_guess_records_the_word_and_what_the_model_read():
    clock = Clock()
    timeline = Timeline(clock)
    game = Game(("scared", "happy"), "guess", clock=clock)
    show(timeline, clock, "fear", 0.7, 1.0)
    attempt = game.record_guess("surprised", face_reading(timeline.cells(clock.t - 1.0)))
    assert (attempt.card, attempt.guess, attempt.model_read) == ("scared", "surprised", "scared")
    assert attempt.model_confidence == pytest.approx(0.7)
    attempt = game.record_guess("happy", face_reading(timeline.cells(clock.t + 10)))  # no face in that second
    assert attempt.model_read is None and game.done
    table = game.table()
    assert list(table.guess_right) == [False, True] and game.progress() == "Guessed 1 of 2 right"
    assert game.summary()["guesses right"] == 1 and game.summary()["cards tried"] == 2


def test_a_shared_deck_reads_card_words_and_the_models_names():
    assert parse_deck("happy,sad") == (("happy", "sad"), [])
    assert parse_deck(" Fear, surprise ,happy,happy") == (("scared", "surprised", "happy"), [])
    assert parse_deck("happy,grumpy") == (("happy",), ["grumpy"])
    assert parse_deck(None)[0] == tuple(card.word for card in CARDS)
    assert parse_deck("grumpy")[0] == tuple(card.word for card in CARDS)


def test_every_card_names_real_classes_of_both_models():
    for card in CARDS:
        assert card.face in FACE_CLASSES and card.voice in VOICE_CLASSES and card.looks_like
        assert word_of_face(card.face) == card.word


def test_skipped_cards_count_as_tried_not_matched():
    clock = Clock()
    game = Game(("happy", "sad"), "make", clock=clock)
    game.skip()
    game.skip()
    assert game.done and game.summary() == {"cards tried": 2, "matched": 0, "median seconds to match": None,
                                            "guesses right": None}
    assert "Matched 0 of 2" == game.progress()
