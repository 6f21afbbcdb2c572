"""Practice: an emotion-mirror game for a child and a grown-up (rules in emotion.practice).

The camera (or, for "Say it", the microphone) streams into a LiveSession as on the Live page;
a fragment rerunning twice a second checks the card in play against the session's timeline and
lays out the card, the bars and the "Matched N of M" line beside a small video. Settings sit in
the sidebar and in the address (?deck=happy,sad&mode=make&level=easy), so a teacher can share a
link. The game lives in this tab's session only.
"""

import streamlit as st

from emotion.live import LiveSession
from emotion.plain_words import UNFAMILIAR_VOICE
from emotion.practice import CARD_BY_WORD, CARDS, DEFAULT_HOLD_S, DEFAULT_LEVEL, LEVELS, MODES, Game, face_reading, parse_deck
from emotion.timeline import Timeline
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
        st.warning(f"This link names cards the deck does not have: {', '.join(unknown)}. "
                   f"The cards are: {', '.join(card.word for card in CARDS)}.")
    mode_from_link = params.get("mode", "make")
    level_from_link = params.get("level", DEFAULT_LEVEL)
    with st.sidebar:
        st.subheader("Practice settings")
        mode = st.radio("Game", list(MODES), format_func=MODES.get,
                        index=list(MODES).index(mode_from_link) if mode_from_link in MODES else 0)
        chosen = st.multiselect("Cards in the deck", [card.word for card in CARDS], default=list(deck),
                                format_func=lambda word: f"{CARD_BY_WORD[word].emoji} {word}")
        level = st.select_slider("How strict a match is", list(LEVELS),
                                 value=level_from_link if level_from_link in LEVELS else DEFAULT_LEVEL,
                                 help="Easy: the mirror needs to be 40% sure; medium 55%; hard 70%.")
        hold_s = st.slider("Hold the face for (seconds)", 0.5, 3.0, DEFAULT_HOLD_S, 0.5)
        show_bars = st.toggle("Show the mirror's bars while playing", value=True)
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


PROMPTS = {"make": "Show me", "guess": "Grown-up, make a face; child, what is it?", "say": "Say a sentence that sounds"}


def prompt(game: Game) -> str:
    """The card's line: what to do now (in "guess", never the card itself)."""
    if game.card is None:
        return "All cards played"
    return PROMPTS["guess"] if game.mode == "guess" else f"{PROMPTS[game.mode]}: {game.card.word}"


def card_view(game: Game) -> None:
    card = game.card
    if card is None:
        st.markdown(f"## 🌈 {prompt(game)}")
        return
    st.markdown(f"## {prompt(game)}")
    if game.mode == "guess":
        with st.expander("For the grown-up: the face to make"):
            st.markdown(f"# {card.emoji} {card.word}\n\n{card.looks_like}")
        return
    st.markdown(f"<div style='font-size:6rem;line-height:1' aria-hidden='true'>{card.emoji}</div>", unsafe_allow_html=True)
    if game.mode == "make":
        st.markdown(f"**What the face does:** {card.looks_like}")


def guess_buttons(game: Game, session: LiveSession) -> None:
    """One big button per word in the deck; the tap records the guess and the face's reading."""
    columns = st.columns(min(4, len(game.deck)))
    for i, word in enumerate(game.deck):
        if columns[i % len(columns)].button(f"{CARD_BY_WORD[word].emoji} {word}", key=f"guess-{word}",
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
    if last.guess is not None:
        verdict = f"✅ Right: the face was **{last.card}**." if last.guess == last.card else (
            f"You said **{last.guess}**; the face was **{last.card}**.")
        read = (f"The mirror read **{last.model_read}** ({last.model_confidence:.0%})." if last.model_read
                else "The mirror saw no face just then.")
        st.info(f"{verdict} {read}")
    elif last.seconds_to_match is not None:
        st.success(f"🌟 Well done: **{last.card}** matched in {last.seconds_to_match:.1f} s.")


def summary(game: Game) -> None:
    st.subheader("How it went")
    facts = game.summary()
    columns = st.columns(len(facts))
    for column, (name, value) in zip(columns, facts.items()):
        column.metric(name, "—" if value is None else value)
    table = game.table()
    if not table.empty:
        st.dataframe(table, hide_index=True, key="practice-table")
        st.download_button("Download practice (CSV)", table.to_csv(index=False), "emotion-mirror-practice.csv",
                           "text/csv", icon="⬇️", key="practice-csv")


def main() -> None:
    st.title("🎯 Practice")
    deck, mode, level, hold_s, show_bars = settings()
    session = live_session()
    game = current_game(session, deck, mode, level, hold_s)
    uses_camera = mode in ("make", "guess")
    video_column, card_column = st.columns([2, 3])
    with video_column:
        playing = live_stream(session, f"practice-{'camera' if uses_camera else 'microphone'}", camera=uses_camera,
                              microphone=not uses_camera)
        st.caption("Press **Start** and allow the " + ("camera." if uses_camera else "microphone."))

    @st.fragment(run_every=REFRESH_S if playing else None)
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
            st.caption("Waiting for Start…" if not game.done else "")
        elif uses_camera:  # that the camera works, never which emotion (that would give a guess away)
            st.caption("📷 The mirror sees a face." if now.faces else "📷 The mirror sees no face yet.")
        elif now.voice is not None and now.voice.unfamiliar:  # it would never match a card: say why
            st.caption(f"🎙️ {UNFAMILIAR_VOICE}")
        else:
            st.caption("🎙️ The mirror hears a voice." if now.voice and now.voice.probabilities is not None
                       else "🎙️ The mirror is listening.")
        if show_bars and game.mode == "make" and now.faces:  # in "guess" the bars would give the answer away
            face_bars(now.faces[0].probabilities, "What the mirror sees", key="practice-face-bars")
        elif show_bars and not uses_camera and now.voice is not None and now.voice.probabilities is not None:
            voice_bars(now.voice.probabilities, "What the mirror hears", key="practice-voice-bars")
        if not game.done:
            st.button("Skip this card", on_click=game.skip, icon="⏭️")

    with card_column:
        play()
    if game.done or game.table().shape[0]:
        summary(game)
    st.button("Start over", icon="🔄", on_click=lambda: st.session_state.pop("practice_key", None))
    st.caption("The camera and microphone go to this app's server for reading and are never saved; the game "
               "stays in this browser tab only.")


main()
