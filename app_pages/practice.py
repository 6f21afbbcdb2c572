"""Practice: an emotion-mirror game for a child and a grown-up (rules in emotion.practice).

The camera (or, for "Say it", the microphone) streams into a LiveSession as on the Live page;
a fragment rerunning twice a second checks the card in play against the session's timeline and
lays out the card, the bars and the "Matched N of M" line beside a small video. Settings sit in
the sidebar and in the address (?deck=happy,sad&mode=make&level=easy), so a teacher can share a
link. The game lives in this tab's session only.
"""

import streamlit as st

from emotion.i18n import _, number, percent
from emotion.live import LiveSession
from emotion.plain_words import UNFAMILIAR_VOICE
from emotion.practice import (CARD_BY_WORD, CARDS, DEFAULT_HOLD_S, DEFAULT_LEVEL, LEVEL_NAMES, LEVELS, MODES, Game,
                              card_name, face_reading, parse_deck, shown_table)
from emotion.timeline import Timeline
from emotion.ui.language import fragment
from emotion.ui.models import face_analyzer, speech_classifier
from emotion.ui.readings import face_bars, voice_bars
from emotion.ui.style import announce
from emotion.ui.webrtc import live_stream, stalled_warning

REFRESH_S = 0.5
GUESS_LOOK_S = 1.0  # a guess is compared with what the face model read over this last second


def settings() -> tuple[tuple[str, ...], str, str, float, bool]:
    """Deck, mode, level, hold time and bars, from the sidebar; deck, mode and level also live
    in the address so the same game can be shared."""
    params = st.query_params
    deck, unknown = parse_deck(params.get("deck"))
    if unknown:
        # The names as a link spells them (English), so that a teacher can mend the link.
        st.warning(_("This link names cards the deck does not have: {unknown}. The cards are: {cards}.").format(
            unknown=", ".join(unknown), cards=", ".join(card.word for card in CARDS)))
    mode_from_link = params.get("mode", "make")
    level_from_link = params.get("level", DEFAULT_LEVEL)
    with st.sidebar:  # keyed, so that the game goes on when the language (and so each label) changes
        st.subheader(_("Practice settings"))
        # TRANSLATORS: which game to play (make the face, guess the feeling, say it).
        mode = st.radio(_("Game"), list(MODES), format_func=lambda mode: _(MODES[mode]), key="practice-mode",
                        index=list(MODES).index(mode_from_link) if mode_from_link in MODES else 0)
        chosen = st.multiselect(_("Cards in the deck"), [card.word for card in CARDS], default=list(deck),
                                format_func=lambda word: f"{CARD_BY_WORD[word].emoji} {card_name(word)}",
                                key="practice-deck")
        strictness = _("Easy: the mirror needs to be {easy} sure; medium {medium}; hard {hard}.").format(
            easy=percent(LEVELS["easy"]), medium=percent(LEVELS["medium"]), hard=percent(LEVELS["hard"]))
        level = st.select_slider(_("How strict a match is"), list(LEVELS), help=strictness, key="practice-level",
                                 format_func=lambda level: _(LEVEL_NAMES[level]),
                                 value=level_from_link if level_from_link in LEVELS else DEFAULT_LEVEL)
        hold_s = st.slider(_("Hold the face for (seconds)"), 0.5, 3.0, DEFAULT_HOLD_S, 0.5, key="practice-hold")
        show_bars = st.toggle(_("Show the mirror's bars while playing"), value=True, key="practice-bars")
    deck = tuple(chosen) or deck
    params.update({"deck": ",".join(deck), "mode": mode, "level": level})
    return deck, mode, level, hold_s, show_bars


def live_session() -> LiveSession:
    if "practice_session" not in st.session_state:
        st.session_state.practice_session = LiveSession(face_analyzer(), speech_classifier(), Timeline())
    return st.session_state.practice_session


def current_game(session: LiveSession, deck, mode, level, hold_s) -> Game:
    """The game for these settings; changing a setting starts a new one."""
    key = (deck, mode, level, hold_s)
    if st.session_state.get("practice_key") != key:
        st.session_state.practice_key = key
        st.session_state.practice_game = Game(deck, mode, level, hold_s, clock=session.timeline.now)
        st.session_state.practice_last = None
    return st.session_state.practice_game


def prompt(game: Game) -> str:
    """The card's line: what to do now (in "guess", never the card itself)."""
    if game.card is None:
        return _("All cards played")
    if game.mode == "guess":
        return _("Grown-up, make a face; child, what is it?")
    return (_("Show me: {card}") if game.mode == "make" else _("Say a sentence that sounds: {card}")).format(
        card=card_name(game.card.word))


def card_view(game: Game) -> None:
    card = game.card
    if card is None:
        st.markdown(f"## 🌈 {prompt(game)}")
        return
    st.markdown(f"## {prompt(game)}")
    if game.mode == "guess":
        with st.expander(_("For the grown-up: the face to make")):
            st.markdown(f"# {card.emoji} {card_name(card.word)}\n\n{_(card.looks_like)}")
        return
    st.markdown(f"<div style='font-size:6rem;line-height:1' aria-hidden='true'>{card.emoji}</div>", unsafe_allow_html=True)
    if game.mode == "make":
        st.markdown(_("**What the face does:** {looks_like}").format(looks_like=_(card.looks_like)))


def guess_buttons(game: Game, session: LiveSession) -> None:
    """One big button per word in the deck; the tap records the guess and the face's reading."""
    columns = st.columns(min(4, len(game.deck)))
    for i, word in enumerate(game.deck):
        if columns[i % len(columns)].button(f"{CARD_BY_WORD[word].emoji} {card_name(word)}", key=f"guess-{word}",
                                             use_container_width=True):
            reading = face_reading(session.timeline.cells(since_s=session.timeline.now() - GUESS_LOOK_S))
            st.session_state.practice_last = game.record_guess(word, reading)
            if game.done:
                st.rerun()


def last_result(game: Game) -> None:
    """What just happened, in words (the page's only celebration: calm, no motion, no sound)."""
    last = st.session_state.get("practice_last")
    if last is None:
        return
    card = card_name(last.card)
    if last.guess is not None:
        verdict = "✅ " + _("Right: the face was **{card}**.").format(card=card) if last.guess == last.card else (
            _("You said **{guess}**; the face was **{card}**.").format(guess=card_name(last.guess), card=card))
        read = (_("The mirror read **{read}** ({confidence}).").format(read=card_name(last.model_read),
                                                                      confidence=percent(last.model_confidence))
                if last.model_read else _("The mirror saw no face just then."))
        st.info(f"{verdict} {read}")
    elif last.seconds_to_match is not None:
        st.success("🌟 " + _("Well done: **{card}** matched in {seconds} s.").format(
            card=card, seconds=number(last.seconds_to_match, 1)))


def summary(game: Game) -> None:
    st.subheader(_("How it went"))
    facts = game.summary()
    columns = st.columns(len(facts))
    for column, (name, value) in zip(columns, facts.items()):
        column.metric(_(name), "—" if value is None else number(value, 1 if isinstance(value, float) else 0))
    table = game.table()
    if not table.empty:
        st.dataframe(shown_table(table), hide_index=True, key="practice-table")
        st.download_button(_("Download practice (CSV)"), table.to_csv(index=False), "emotion-mirror-practice.csv",
                           "text/csv", icon="⬇️", key="practice-csv")


def main() -> None:
    st.title("🎯 " + _("Practice"))
    deck, mode, level, hold_s, show_bars = settings()
    session = live_session()
    game = current_game(session, deck, mode, level, hold_s)
    uses_camera = mode in ("make", "guess")
    video_column, card_column = st.columns([2, 3])
    with video_column:
        playing = live_stream(session, f"practice-{'camera' if uses_camera else 'microphone'}", camera=uses_camera,
                              microphone=not uses_camera)
        st.caption(_("Press **Start** and allow the camera.") if uses_camera
                   else _("Press **Start** and allow the microphone."))

    @fragment(run_every=REFRESH_S if playing else None)
    def play() -> None:
        stalled_warning(session, camera=uses_camera, microphone=not uses_camera)
        attempt = game.attempts[-1] if game.attempts else None
        if playing and attempt is not None and not game.done:
            matched = game.check(session.timeline.cells(since_s=attempt.started_s))
            if matched is not None:
                st.session_state.practice_last = matched
                if game.done:
                    st.rerun()  # the whole page: the summary below the fragment appears
        if game.mode == "guess" and not game.done:
            guess_buttons(game, session)  # before the line below, so a tap counts in this run
        announce(f"{game.progress()}. {prompt(game)}")  # screen readers hear a new card and each match
        st.markdown(f"## {game.progress()}")
        last_result(game)
        card_view(game)
        now = session.snapshot()
        if not playing:
            st.caption(_("Waiting for Start…") if not game.done else "")
        elif uses_camera:  # that the camera works, never which emotion (that would give a guess away)
            st.caption("📷 " + (_("The mirror sees a face.") if now.faces else _("The mirror sees no face yet.")))
        elif now.voice is not None and now.voice.unfamiliar:  # it would never match a card: say why
            st.caption(f"🎙️ {_(UNFAMILIAR_VOICE)}")
        else:
            st.caption("🎙️ " + (_("The mirror hears a voice.") if now.voice and now.voice.probabilities is not None
                                else _("The mirror is listening.")))
        if show_bars and game.mode == "make" and now.faces:  # in "guess" the bars would give the answer away
            face_bars(now.faces[0].probabilities, _("What the mirror sees"), key="practice-face-bars")
        elif show_bars and not uses_camera and now.voice is not None and now.voice.probabilities is not None:
            voice_bars(now.voice.probabilities, _("What the mirror hears"), key="practice-voice-bars")
        if not game.done:
            st.button(_("Skip this card"), on_click=game.skip, icon="⏭️")

    with card_column:
        play()
    if game.done or game.table().shape[0]:
        summary(game)
    st.button(_("Start over"), icon="🔄", on_click=lambda: st.session_state.pop("practice_key", None))
    st.caption(_("The camera and microphone go to this app's server for reading and are never saved; the game "
                 "stays in this browser tab only."))


main()
