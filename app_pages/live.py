"""Live: webcam and microphone through WebRTC, with a label on each face and on the voice.

Pattern: emotion.live.LiveSession owns the WebRTC callbacks (worker threads, no Streamlit
calls) and records into this user's Timeline; this page only reads a snapshot and the report's
rows for the shown window (emotion.report) inside an st.fragment that reruns twice a second
while the stream plays, so the video never waits for the page and a refresh costs the same in
the first minute and the hundredth. The session and its timeline live in st.session_state:
nobody else sees them, and they are gone when the tab closes.
"""

import pandas as pd
import streamlit as st

from emotion.charts import timeline_figure
from emotion.face.analyse import MAX_FACES
from emotion.labels import FACE_CLASSES, VOICE_CLASSES, top_label
from emotion.live import LiveSession, LiveSnapshot
from emotion.overlay import face_caption
from emotion.registry import FACE, SPEECH, not_sure_below
from emotion.report import SOURCE_BOTH, Thresholds, build_rows, latest, probabilities_of
from emotion.speech.classify import WARM_UP_S
from emotion.speech.coverage import SpeechHeard, why_not_sure
from emotion.speech.features import WINDOW_S
from emotion.timeline import Timeline
from emotion.ui.models import face_analyzer, speech_classifier
from emotion.ui.readings import (big_label, face_bars, fusion_note, not_sure_reason, speech_coverage,
                                 summary_and_downloads, voice_bars, voice_energy, voice_text)
from emotion.ui.style import PAGE_INTRO, READINGS, announce
from emotion.ui.webrtc import live_stream, stalled_warning

MODES = {  # (camera, microphone)
    "Camera and microphone": (True, True),
    "Camera only": (True, False),
    "Microphone only": (False, True),
}
REFRESH_S = 0.5
WARMING_UP = (f"Warming up: the mirror is still getting to know this voice (its first {WARM_UP_S:.0f} seconds of speech), "
              "so this reading may change.")
TIMELINE_REFRESH_S = 1.0  # the chart changes slowly; the labels beside the video refresh twice as often


def live_session() -> LiveSession:
    if "live_session" not in st.session_state:
        st.session_state.live_session = LiveSession(face_analyzer(), speech_classifier(), Timeline())
    return st.session_state.live_session


def stats_line(snapshot: LiveSnapshot) -> str:
    """Media received and analysed: the page's proof that no sound is lost (benchmarks/live.py reads it)."""
    c = snapshot.counters
    line = (f"Camera: {c.video_analysed} of {c.video_received} frames analysed · Microphone: {c.audio_analysed} of "
            f"{c.audio_received} sound frames analysed ({c.audio_seconds:.1f} s) · voice readings: {c.voice_readings}")
    return line + (f" · {c.audio_lost} sound frames lost on the way" if c.audio_lost else "")


def _kept(name: str, key: tuple, compute):
    """compute(), kept in this session's state under `name` until `key` changes."""
    kept = st.session_state.get(name)
    if kept is None or kept[0] != key:
        kept = (key, compute())
        st.session_state[name] = kept
    return kept[1]


def window_rows(session: LiveSession, thresholds: Thresholds, smoothing: float, window_s: float):
    """(key, the report's rows for the last `window_s`), rebuilt only when the timeline or a
    setting changed since the last refresh; the key says which rows these are."""
    key = (session.timeline.version, thresholds, smoothing, window_s)
    return key, _kept("live_rows", key, lambda: build_rows(
        session.timeline.cells(since_s=session.timeline.now() - window_s), thresholds, smoothing))


def readings_panel(session: LiveSession, thresholds: Thresholds, smoothing: float, window_s: float,
                   media: tuple[bool, bool]) -> None:
    """The labels now, then their bars: beside the video on a laptop, right under it on a phone, so both
    labels are in view without scrolling; screen readers hear a label when it changes."""
    now = session.snapshot()
    stalled_warning(session, *media)
    _, rows = window_rows(session, thresholds, smoothing, window_s)
    face_lines = [face_caption(face.number, face.probabilities, thresholds.face)[0] for face in now.faces]
    voice_line = None if now.voice is None else voice_text(now.voice.probabilities, thresholds.voice)
    announce(spoken_labels(now, thresholds))
    face_side, voice_side = st.columns(2)
    with face_side:
        st.markdown("## Face")
        if now.faces:
            big_label("", now.faces[0].probabilities, FACE_CLASSES, thresholds.face)
            for line in face_lines:
                st.markdown(f"**{line}**")
        else:
            st.markdown("### 🙈 no face in view" if now.counters.video_analysed else "Waiting for the camera…")
    with voice_side:
        st.markdown("## Voice")
        if now.voice is None:
            st.markdown("Listening…" if now.counters.audio_received else "Waiting for the microphone…")
        else:
            big_label("🔇 no speech", now.voice.probabilities, VOICE_CLASSES, thresholds.voice)
            st.markdown(f"**{voice_line}**")
            if now.voice.warming_up:
                st.caption(WARMING_UP)
            # The reason is this window's: the answer shown is this window's reading.
            not_sure_reason(why_not_sure(SpeechHeard.of_window(now.voice, thresholds.voice), now.voice.probabilities,
                                         thresholds.voice))
            if now.voice.probabilities is not None and not now.voice.unfamiliar:
                voice_energy(now.voice.probabilities)
        speech_coverage(session.voice_heard(thresholds.voice), so_far=True)
    face_bars_side, voice_bars_side = st.columns(2)
    if now.faces:
        with face_bars_side:
            face_bars(now.faces[0].probabilities, f"Face {now.faces[0].number}", key="live-face-bars")
    if now.voice is not None and now.voice.probabilities is not None:
        with voice_bars_side:
            voice_bars(now.voice.probabilities, "Voice", key="live-voice-bars")
    both = latest(rows, SOURCE_BOTH)
    if both is not None and (now.faces or now.voice is not None):
        big_label("", probabilities_of(both, FACE_CLASSES), FACE_CLASSES, thresholds.face)
        st.caption("Face and voice together")
    st.caption(stats_line(now))
    notice = session.falling_behind()
    if notice:
        st.caption(f"🐢 {notice}")


def spoken_labels(now: LiveSnapshot, thresholds: Thresholds) -> str:
    """The labels without their percentages, which change every refresh: a screen reader speaks
    when a face or the voice reads differently, not twice a second."""
    faces = [f"Face {face.number}: {top_label(face.probabilities, FACE_CLASSES, thresholds.face)[0]}"
             for face in now.faces] or ["No face in view" if now.counters.video_analysed else ""]
    voice = "" if now.voice is None else (
        "Voice: no speech" if now.voice.probabilities is None
        else f"Voice: {top_label(now.voice.probabilities, VOICE_CLASSES, thresholds.voice)[0]}")
    return ". ".join(part for part in (*faces, voice) if part)


def timeline_panel(session: LiveSession, thresholds: Thresholds, smoothing: float, window_s: float) -> None:
    """The probabilities over the shown window, full width under the video and labels; the chart
    is built here only, at this fragment's pace, not at the labels' twice a second."""
    key, rows = window_rows(session, thresholds, smoothing, window_s)
    st.plotly_chart(_kept("live_figure", key, lambda: timeline_figure(rows)), key="live-timeline")


def session_summary(session: LiveSession, thresholds: Thresholds, smoothing: float) -> None:
    st.header("This session")
    rows: pd.DataFrame = build_rows(session.timeline.cells(), thresholds, smoothing)
    summary_and_downloads(rows, "emotion-mirror-session", key="live")
    st.button("Clear the timeline", on_click=session.clear, icon="🧹")


def main() -> None:
    st.title("🎥 Live")
    with st.container(key=PAGE_INTRO):
        st.write("Press **Start** and allow the camera and microphone. Every face gets a label, and the voice "
                 "gets one while someone speaks. Try a big smile, a surprised face, or a sentence said sadly.")
        st.caption(f"Up to {MAX_FACES} faces per frame get a label, the most clearly found first. The voice is read "
                   f"{WINDOW_S:g} s at a time, so its label follows speech by a second or two.")
    with st.sidebar:
        st.subheader("Controls")
        mode = st.radio("Use", list(MODES), help="Change this while stopped.")
        face_threshold = st.slider("Say \"not sure\" below (face)", 0.0, 1.0, not_sure_below(FACE), 0.05)
        voice_threshold = st.slider("Say \"not sure\" below (voice)", 0.0, 1.0, not_sure_below(SPEECH), 0.05)
        smoothing = st.slider("Smoothing (seconds)", 0.0, 5.0, 1.0, 0.5)
        window_s = st.slider("Timeline shows the last (seconds)", 30, 600, 180, 30)
    thresholds = Thresholds(face=face_threshold, voice=voice_threshold)
    session = live_session()
    session.face_threshold = face_threshold
    camera, microphone = MODES[mode]
    # The video sits in a narrower column with the labels beside it, in view on a laptop without scrolling.
    video_side, readings_side = st.columns([2, 3])
    with video_side:
        playing = live_stream(session, f"live-{mode}", camera, microphone)

    @st.fragment(run_every=REFRESH_S if playing else None)
    def live_readings() -> None:
        readings_panel(session, thresholds, smoothing, window_s, (camera, microphone))

    @st.fragment(run_every=TIMELINE_REFRESH_S if playing else None)
    def live_timeline() -> None:
        timeline_panel(session, thresholds, smoothing, window_s)

    with readings_side, st.container(key=READINGS):
        live_readings()
    live_timeline()
    fusion_note()
    if not playing and len(session.timeline):
        session_summary(session, thresholds, smoothing)
    st.caption("Video and sound go to this app's server for analysis (through a TURN relay when your network "
               "needs one) and are never saved. The timeline stays in this browser tab's session only.")


main()
