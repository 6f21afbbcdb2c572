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
from emotion.i18n import N_, _, current_language, number
from emotion.labels import FACE_CLASSES, VOICE_CLASSES, display_name, emotion_name, top_label
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
from emotion.ui.language import fragment
from emotion.ui.style import PAGE_INTRO, READINGS, announce
from emotion.ui.webrtc import live_stream, stalled_warning

MODES = {"both": (True, True), "camera": (True, False), "microphone": (False, True)}  # (camera, microphone)
MODE_NAMES = {"both": N_("Camera and microphone"), "camera": N_("Camera only"), "microphone": N_("Microphone only")}
REFRESH_S = 0.5
TIMELINE_REFRESH_S = 1.0  # the chart changes slowly; the labels beside the video refresh twice as often


def live_session() -> LiveSession:
    if "live_session" not in st.session_state:
        st.session_state.live_session = LiveSession(face_analyzer(), speech_classifier(), Timeline())
    return st.session_state.live_session


def stats_line(snapshot: LiveSnapshot) -> str:
    """Media received and analysed: the page's proof that no sound is lost (benchmarks/live.py reads it)."""
    c = snapshot.counters
    line = _("Camera: {video_analysed} of {video_received} frames analysed · Microphone: {audio_analysed} of "
             "{audio_received} sound frames analysed ({seconds} s) · voice readings: {readings}").format(
        video_analysed=c.video_analysed, video_received=c.video_received, audio_analysed=c.audio_analysed,
        audio_received=c.audio_received, seconds=number(c.audio_seconds, 1), readings=c.voice_readings)
    lost = _("{lost} sound frames lost on the way").format(lost=c.audio_lost)
    return line + (f" · {lost}" if c.audio_lost else "")


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
    rows = window_rows(session, thresholds, smoothing, window_s)[1]
    face_lines = [face_caption(face.number, face.probabilities, thresholds.face)[0] for face in now.faces]
    voice_line = None if now.voice is None else voice_text(now.voice.probabilities, thresholds.voice)
    announce(spoken_labels(now, thresholds))
    face_side, voice_side = st.columns(2)
    with face_side:
        st.markdown("## " + _("Face"))
        if now.faces:
            big_label("", now.faces[0].probabilities, FACE_CLASSES, thresholds.face)
            for line in face_lines:
                st.markdown(f"**{line}**")
        else:
            st.markdown("### 🙈 " + _("no face in view") if now.counters.video_analysed else _("Waiting for the camera…"))
    with voice_side:
        st.markdown("## " + _("Voice"))
        if now.voice is None:
            st.markdown(_("Listening…") if now.counters.audio_received else _("Waiting for the microphone…"))
        else:
            big_label(display_name("no speech"), now.voice.probabilities, VOICE_CLASSES, thresholds.voice)
            st.markdown(f"**{voice_line}**")
            if now.voice.warming_up:
                st.caption(_("Warming up: the mirror is still getting to know this voice (its first {seconds} seconds "
                             "of speech), so this reading may change.").format(seconds=number(WARM_UP_S)))
            # The reason is this window's: the answer shown is this window's reading.
            not_sure_reason(why_not_sure(SpeechHeard.of_window(now.voice, thresholds.voice), now.voice.probabilities,
                                         thresholds.voice))
            if now.voice.probabilities is not None and not now.voice.unfamiliar:
                voice_energy(now.voice.probabilities)
        speech_coverage(session.voice_heard(thresholds.voice), so_far=True)
    face_bars_side, voice_bars_side = st.columns(2)
    if now.faces:
        with face_bars_side:
            face_bars(now.faces[0].probabilities, _("Face {number}").format(number=now.faces[0].number),
                      key="live-face-bars")
    if now.voice is not None and now.voice.probabilities is not None:
        with voice_bars_side:
            voice_bars(now.voice.probabilities, _("Voice"), key="live-voice-bars")
    both = latest(rows, SOURCE_BOTH)
    if both is not None and (now.faces or now.voice is not None):
        big_label("", probabilities_of(both, FACE_CLASSES), FACE_CLASSES, thresholds.face)
        st.caption(_("Face and voice together"))
    st.caption(stats_line(now))
    notice = session.falling_behind()
    if notice:
        st.caption(f"🐢 {notice}")


def spoken_labels(now: LiveSnapshot, thresholds: Thresholds) -> str:
    """The labels without their percentages, which change every refresh: a screen reader speaks
    when a face or the voice reads differently, not twice a second."""
    faces = [_("Face {number}: {label}").format(
        number=face.number, label=emotion_name(top_label(face.probabilities, FACE_CLASSES, thresholds.face)[0]))
        for face in now.faces] or [_("No face in view") if now.counters.video_analysed else ""]
    voice = "" if now.voice is None else _("Voice: {label}").format(label=emotion_name(
        "no speech" if now.voice.probabilities is None
        else top_label(now.voice.probabilities, VOICE_CLASSES, thresholds.voice)[0]))
    return ". ".join(part for part in (*faces, voice) if part)


def timeline_panel(session: LiveSession, thresholds: Thresholds, smoothing: float, window_s: float) -> None:
    """The probabilities over the shown window, full width under the video and labels; the chart
    is built here only, at this fragment's pace, not at the labels' twice a second."""
    key, rows = window_rows(session, thresholds, smoothing, window_s)
    st.plotly_chart(_kept("live_figure", key, lambda: timeline_figure(rows)), key="live-timeline")


def session_summary(session: LiveSession, thresholds: Thresholds, smoothing: float) -> None:
    st.header(_("This session"))
    rows: pd.DataFrame = build_rows(session.timeline.cells(), thresholds, smoothing)
    summary_and_downloads(rows, "emotion-mirror-session", key="live")
    st.button(_("Clear the timeline"), on_click=session.clear, icon="🧹")


def main() -> None:
    st.title("🎥 " + _("Live"))
    with st.container(key=PAGE_INTRO):
        st.write(_("Press **Start** and allow the camera and microphone. Every face gets a label, and the voice "
                   "gets one while someone speaks. Try a big smile, a surprised face, or a sentence said sadly."))
        st.caption(_("Up to {faces} faces per frame get a label, the most clearly found first. The voice is read "
                     "{seconds} s at a time, so its label follows speech by a second or two.").format(
            faces=MAX_FACES, seconds=number(WINDOW_S)))
    with st.sidebar:
        st.subheader(_("Controls"))
        mode = st.radio(_("Use"), list(MODES), format_func=lambda mode: _(MODE_NAMES[mode]), key="live-mode",
                        help=_("Change this while stopped."))
        face_threshold = st.slider(_("Say \"not sure\" below (face)"), 0.0, 1.0, not_sure_below(FACE), 0.05)
        voice_threshold = st.slider(_("Say \"not sure\" below (voice)"), 0.0, 1.0, not_sure_below(SPEECH), 0.05)
        smoothing = st.slider(_("Smoothing (seconds)"), 0.0, 5.0, 1.0, 0.5)
        window_s = st.slider(_("Timeline shows the last (seconds)"), 30, 600, 180, 30)
    thresholds = Thresholds(face=face_threshold, voice=voice_threshold)
    session = live_session()
    session.face_threshold = face_threshold
    session.language = current_language()
    camera, microphone = MODES[mode]
    # The video sits in a narrower column with the labels beside it, in view on a laptop without scrolling.
    video_side, readings_side = st.columns([2, 3])
    with video_side:
        playing = live_stream(session, f"live-{mode}", camera, microphone)

    @fragment(run_every=REFRESH_S if playing else None)
    def live_readings() -> None:
        readings_panel(session, thresholds, smoothing, window_s, (camera, microphone))

    @fragment(run_every=TIMELINE_REFRESH_S if playing else None)
    def live_timeline() -> None:
        timeline_panel(session, thresholds, smoothing, window_s)

    with readings_side, st.container(key=READINGS):
        live_readings()
    live_timeline()
    fusion_note()
    if not playing and len(session.timeline):
        session_summary(session, thresholds, smoothing)
    st.caption(_("Video and sound go to this app's server for analysis (through a TURN relay when your network "
                 "needs one) and are never saved. The timeline stays in this browser tab's session only."))


main()
