"""How much of the speech got a reading, and why the voice says "not sure": one code path for
Live and Upload.

A window of speech gets a reading when it names an emotion: the model did not find it unlike
the voices it learnt from, and its top probability reaches the "not sure" threshold. Coverage
is the share of the speech -- the seconds the voice detector found voiced, in windows with
speech -- that got one (each second counts once, in the reading that first heard it:
VoiceReading.new_speech_s). Readings are kept in a `SpeechTally` so that the threshold can move
afterwards (the pages have a slider, and an upload's report is cached).

When the answer is "not sure", `why_not_sure` gives one plain reason, checked in this order,
so that the reason named is the one a person can act on first:

1. too short: less speech than one window needs to be read well (MIN_SPEECH_S);
2. too quiet: speech, but at a level where the model stops reading voices (QUIET_SPEECH_DBFS);
3. unlike a person talking: the model's gate found most windows unlike every voice it learnt
   from (VoiceReading.unfamiliar; their probabilities are even odds);
4. unsure between two emotions whose probabilities are close (CLOSE_CALL);
5. else no emotion stands out: the likeliest is simply too unlikely.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from emotion.i18n import _, ngettext, number, percent
from emotion.labels import VOICE_CLASSES, display_name
from emotion.plain_words import UNFAMILIAR_VOICE, unfamiliar_in_words
from emotion.speech.classify import VoiceReading

MIN_SPEECH_S = 1.0
"""Less voiced sound than this is too short to read: the shortest sound the speech model learnt
from was a training window cut down to 1-2 s of a sentence (emotion.speech.augment.keep_span),
so under a second it hears less of a voice than it ever did in training, often a word or two."""
QUIET_SPEECH_DBFS = -50.0
"""Speech whose voiced sound is quieter than this (RMS, dBFS) is too quiet to read. Measured on 28
EMOVO sentences (another corpus than the training one; recorded at -40 to -25 dBFS) turned down in
5 dB steps: from -50 dBFS up, fewer than 1 window in 10 read unlike the voices the model knows and
about 9 in 10 named an emotion; at -55 to -50 dBFS 4 in 10 read unlike them, at -60 to -55
three in 4, and below -60 all of them."""
MOSTLY_UNFAMILIAR = 0.5
"""The sound is "unlike a person talking" when more than this share of its windows with speech
read unlike the voices the model learnt from: then their even odds outweigh what the rest say."""
CLOSE_CALL = 0.15
"""The voice is "unsure between" its top two emotions when their probabilities are at most this
far apart: with the top one under the "not sure" threshold (about 43%), the second then has at
least about two thirds of its probability, and the probabilities are temperature-calibrated, so
the two are about equally likely. On all 588 EMOVO sentences, the windows that read "not sure"
(the gate letting them through) had their top two a median 7 points apart and 9 in 10 within 16:
this names the pair for most of them, and leaves "no emotion stands out" to a leader that is
merely weak."""

TOO_SHORT, TOO_QUIET, UNLIKE_SPEECH, TORN, NONE_STANDS_OUT = (
    "too short", "too quiet", "unlike a person talking", "unsure between two", "none stands out")


class SpeechHeard(NamedTuple):
    """The speech behind a voice answer: a clip's, a Live session's so far, or one window's."""

    speech_s: float  # seconds the voice detector found voiced, in windows with speech
    read_s: float  # ...of which got a reading (named an emotion)
    level_dbfs: float | None  # the voiced sound's RMS level; None without speech
    windows: int  # windows with speech (one every half second)
    unfamiliar_windows: int  # ...that sounded unlike the voices the model learnt from

    @classmethod
    def of_window(cls, reading: VoiceReading, not_sure_below: float) -> SpeechHeard:
        """What one window heard: the speech behind Live's answer of the moment."""
        if reading.probabilities is None:
            return cls(0.0, 0.0, None, 0, 0)
        return cls(reading.speech_s, reading.speech_s if got_reading(reading, not_sure_below) else 0.0,
                   reading.speech_dbfs, 1, int(reading.unfamiliar))


class NotSureReason(NamedTuple):
    """Why the voice says "not sure": which reason (TOO_SHORT ... NONE_STANDS_OUT) and a sentence
    that says it to the person using the app."""

    kind: str
    sentence: str


def got_reading(reading: VoiceReading, not_sure_below: float) -> bool:
    """Whether a window named an emotion: speech, not unlike the training voices, sure enough."""
    return (reading.probabilities is not None and not reading.unfamiliar
            and float(np.max(reading.probabilities)) >= not_sure_below)


class SpeechTally:
    """A clip's or a Live session's voice readings, added up as they come, keeping what any "not
    sure" threshold needs: per window with speech, its new seconds and top probability (about
    7,200 pairs for an hour of Live speech). Asked again at the same threshold, it adds only the
    windows since the last time, so a Live refresh costs what is new. Not thread-safe: Live's
    session holds its lock."""

    def __init__(self) -> None:
        self._new_s: list[float] = []
        self._top: list[float] = []  # -inf for a window unlike the training voices: it names nothing
        self._speech_s = 0.0
        self._power_s = 0.0  # each window's voiced power times its voiced seconds...
        self._level_s = 0.0  # ...and those seconds, for the level of all the speech
        self.windows = 0
        self.unfamiliar_windows = 0
        self._threshold: float | None = None  # the threshold `_read_s` counts at...
        self._counted = 0  # ...over this many windows
        self._read_s = 0.0

    @classmethod
    def of(cls, readings: list[VoiceReading]) -> SpeechTally:
        tally = cls()
        for reading in readings:
            tally.add(reading)
        return tally

    def add(self, reading: VoiceReading) -> None:
        if reading.probabilities is None:
            return
        self.windows += 1
        self.unfamiliar_windows += reading.unfamiliar
        self._new_s.append(reading.new_speech_s)
        self._top.append(-math.inf if reading.unfamiliar else float(np.max(reading.probabilities)))
        self._speech_s += reading.new_speech_s
        if reading.speech_dbfs is not None:
            # Windows overlap, so each voiced chunk weighs in several times, all about equally.
            self._power_s += 10 ** (reading.speech_dbfs / 10) * reading.speech_s
            self._level_s += reading.speech_s

    def heard(self, not_sure_below: float) -> SpeechHeard:
        if not_sure_below != self._threshold:
            self._threshold, self._counted, self._read_s = not_sure_below, 0, 0.0
        self._read_s += sum(new_s for new_s, top in zip(self._new_s[self._counted :], self._top[self._counted :])
                            if top >= not_sure_below)
        self._counted = len(self._new_s)
        level = 10 * math.log10(self._power_s / self._level_s) if self._power_s > 0 else None
        return SpeechHeard(self._speech_s, min(self._read_s, self._speech_s), level, self.windows,
                           self.unfamiliar_windows)

    def clear(self) -> None:
        self.__init__()


def why_not_sure(heard: SpeechHeard, probabilities: np.ndarray | None, not_sure_below: float) -> NotSureReason | None:
    """One plain reason why a voice answer reads "not sure", or None when it does not (it names an
    emotion, or there was no speech). `probabilities`: the answer's, in VOICE_CLASSES order;
    `heard`: the speech behind it. The checks run in the order of the module's docstring."""
    if probabilities is None or float(np.max(probabilities)) >= not_sure_below:
        return None
    if heard.speech_s < MIN_SPEECH_S:
        # TRANSLATORS: {heard} always has one decimal (0.6); the plural form follows {minimum}.
        return NotSureReason(TOO_SHORT, ngettext(
            "The voice heard only {heard} seconds of speech, too little to read well: it needs at least {minimum} "
            "second. A longer sentence helps.",
            "The voice heard only {heard} seconds of speech, too little to read well: it needs at least {minimum} "
            "seconds. A longer sentence helps.",
            math.ceil(MIN_SPEECH_S),
        ).format(heard=number(round(heard.speech_s, 1), 1),
                 minimum=number(MIN_SPEECH_S, 0 if float(MIN_SPEECH_S).is_integer() else 1)))
    if heard.level_dbfs is not None and heard.level_dbfs < QUIET_SPEECH_DBFS:
        return NotSureReason(TOO_QUIET, _("The speech is too quiet to read well: a louder voice, or a microphone "
                                          "closer to the speaker, helps."))
    if heard.windows and heard.unfamiliar_windows > MOSTLY_UNFAMILIAR * heard.windows:
        return NotSureReason(UNLIKE_SPEECH, _(UNFAMILIAR_VOICE) if heard.windows == 1 else
                             unfamiliar_in_words(heard.unfamiliar_windows, heard.windows))
    first, second = np.argsort(probabilities)[::-1][:2]
    top, runner_up = float(probabilities[first]), float(probabilities[second])
    if top - runner_up <= CLOSE_CALL:
        return NotSureReason(TORN, _("The voice is unsure between {first} and {second}: they are about equally "
                                     "likely ({first_share} and {second_share}).").format(
            first=display_name(VOICE_CLASSES[first]), second=display_name(VOICE_CLASSES[second]),
            first_share=percent(top), second_share=percent(runner_up)))
    return NotSureReason(NONE_STANDS_OUT, _("No emotion stands out in the voice: the likeliest, {emotion}, is only "
                                            "{share} likely.").format(emotion=display_name(VOICE_CLASSES[first]),
                                                                      share=percent(top)))


def coverage_in_words(heard: SpeechHeard, so_far: bool = False) -> str | None:
    """"The voice got a reading for 7 of 9 seconds of speech and said "not sure" for the rest.";
    `so_far` for a session still running. None without speech (the page says so otherwise).

    A whole sentence for each case, and separate ones for whole seconds and for tenths: after a
    count the noun takes the count's plural form, after a decimal another one (in Polish)."""
    if heard.speech_s <= 0:
        return None
    decimals = 0 if heard.speech_s >= 10 else 1  # tenths of a second only where they matter
    step = 10**decimals
    total_s = round(heard.speech_s, decimals)
    read_s, read_decimals = round(heard.read_s, decimals), decimals
    if 0 < heard.read_s < heard.speech_s and read_s == total_s:  # never round a part up to "all"
        read_s = math.floor(heard.read_s * step) / step
    if 0 < heard.read_s and read_s == 0:  # nor a part down to none: tenths, then "under 0.1"
        read_s, read_decimals = round(heard.read_s, 1), 1
    read = number(read_s, read_decimals)
    if 0 < heard.read_s and read_s == 0:
        # TRANSLATORS: put in place of {read} in "The voice got a reading for {read} of {total} seconds of speech…".
        read = _("under {amount}").format(amount=number(0.1, 1))
    total, count = number(total_s, decimals), int(total_s)
    whole = decimals == 0
    if heard.read_s >= heard.speech_s:
        if whole:
            sentence = (ngettext("So far, the voice got a reading for all {total} second of speech.",
                                 "So far, the voice got a reading for all {total} seconds of speech.", count)
                        if so_far else ngettext("The voice got a reading for all {total} second of speech.",
                                                "The voice got a reading for all {total} seconds of speech.", count))
        elif so_far:
            # TRANSLATORS: {total} has one decimal (2.5).
            sentence = _("So far, the voice got a reading for all {total} seconds of speech.")
        else:
            # TRANSLATORS: {total} has one decimal (2.5).
            sentence = _("The voice got a reading for all {total} seconds of speech.")
    elif heard.read_s <= 0:
        if whole:
            sentence = (ngettext("So far, the voice got no reading in {total} second of speech: it said \"not sure\" "
                                 "throughout.",
                                 "So far, the voice got no reading in {total} seconds of speech: it said \"not sure\" "
                                 "throughout.", count)
                        if so_far else ngettext("The voice got no reading in {total} second of speech: it said "
                                                "\"not sure\" throughout.",
                                                "The voice got no reading in {total} seconds of speech: it said "
                                                "\"not sure\" throughout.", count))
        elif so_far:
            # TRANSLATORS: {total} has one decimal (2.5).
            sentence = _("So far, the voice got no reading in {total} seconds of speech: it said \"not sure\" "
                         "throughout.")
        else:
            # TRANSLATORS: {total} has one decimal (2.5).
            sentence = _("The voice got no reading in {total} seconds of speech: it said \"not sure\" throughout.")
    elif whole:
        sentence = (ngettext("So far, the voice got a reading for {read} of {total} second of speech and said "
                             "\"not sure\" for the rest.",
                             "So far, the voice got a reading for {read} of {total} seconds of speech and said "
                             "\"not sure\" for the rest.", count)
                    if so_far else ngettext("The voice got a reading for {read} of {total} second of speech and said "
                                            "\"not sure\" for the rest.",
                                            "The voice got a reading for {read} of {total} seconds of speech and said "
                                            "\"not sure\" for the rest.", count))
    elif so_far:
        # TRANSLATORS: {total} has one decimal (2.5).
        sentence = _("So far, the voice got a reading for {read} of {total} seconds of speech and said \"not sure\" "
                     "for the rest.")
    else:
        # TRANSLATORS: {total} has one decimal (2.5).
        sentence = _("The voice got a reading for {read} of {total} seconds of speech and said \"not sure\" for the "
                     "rest.")
    return sentence.format(read=read, total=total)
