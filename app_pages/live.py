"""Live: webcam and microphone through WebRTC, with a label on each face and on the voice.

Pattern: emotion.live.LiveSession owns the WebRTC callbacks (worker threads, no Streamlit
calls) and records into this user's Timeline; this page only reads `snapshot()` inside an
st.fragment that reruns a few times a second while the stream plays, so the video never waits
for the page. The session and its timeline live in st.session_state: nobody else sees them,
and they are gone when the tab closes.
"""

import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from emotion.charts import timeline_figure
from emotion.labels import FACE_CLASSES, VOICE_CLASSES
from emotion.live import LiveSession
from emotion.overlay import face_caption
from emotion.registry import FACE, SPEECH, not_sure_below
from emotion.timeline import Timeline, to_frame
from emotion.ui.models import face_analyzer, model_missing_note, speech_classifier
from emotion.ui.readings import big_label, face_bars, fusion_note, summary_and_downloads, voice_bars, voice_text
from emotion.ui.webrtc import ice_configuration

# A modest camera size and rate: the server decodes and re-encodes every frame, and on a small
# CPU that costs more than the models do.
CAMERA = {"width": {"ideal": 480}, "height": {"ideal": 360}, "frameRate": {"ideal": 15, "max": 20}}
MODES = {
    "Camera and microphone": {"video": CAMERA, "audio": True},
    "Camera only": {"video": CAMERA, "audio": False},
    "Microphone only": {"video": False, "audio": True},
}
REFRESH_S = 0.5


def live_session() -> LiveSession:
    if "live_session" not in st.session_state:
        st.session_state.live_session = LiveSession(face_analyzer(), speech_classifier(), Timeline())
    return st.session_state.live_session


def readings_panel(session: LiveSession, thresholds: dict[str, float], smoothing: float, window_s: float) -> None:
    now = session.snapshot()
    left, right = st.columns(2)
    with left:
        st.markdown("#### Face")
        if now.faces:
            face = now.faces[0]
            big_label("", face.probabilities, FACE_CLASSES, thresholds["face"])
            for other in now.faces:
                st.markdown(f"**{face_caption(other.number, other.probabilities, thresholds['face'])[0]}**")
            face_bars(face.probabilities, f"Face {face.number}", key="live-face-bars")
        else:
            st.markdown("### 🙈 no face in view" if now.video_frames else "Waiting for the camera…")
    with right:
        st.markdown("#### Voice")
        if now.voice is None:
            st.markdown("Listening…" if now.audio_seconds else "Waiting for the microphone…")
        else:
            big_label("🔇 no speech", now.voice.probabilities, VOICE_CLASSES, thresholds["voice"])
            st.markdown(f"**{voice_text(now.voice.probabilities, thresholds['voice'])}**")
            if now.voice.probabilities is not None:
                voice_bars(now.voice.probabilities, "Voice", key="live-voice-bars")
    if now.fused is not None:
        big_label("", now.fused, FACE_CLASSES, thresholds["fused"])
        st.caption("Face and voice together")
    st.caption(f"Video frames analysed: {now.video_frames} · sound received: {now.audio_seconds:.1f} s · "
               f"voice readings: {now.voice_readings}")
    frame = to_frame(session.timeline.snapshot(), thresholds, smoothing)
    st.plotly_chart(timeline_figure(frame, window_s=window_s), key="live-timeline")


def main() -> None:
    st.title("🎥 Live")
    st.write("Press **Start** and allow the camera and microphone. Every face gets a label, and the voice "
             "gets one while someone speaks. Try a big smile, a surprised face, or a sentence said sadly.")
    with st.sidebar:
        st.subheader("Controls")
        mode = st.radio("Use", list(MODES), help="Change this while stopped.")
        face_threshold = st.slider("Say \"not sure\" below (face)", 0.0, 1.0, not_sure_below(FACE), 0.05)
        voice_threshold = st.slider("Say \"not sure\" below (voice)", 0.0, 1.0, not_sure_below(SPEECH), 0.05)
        smoothing = st.slider("Smoothing (seconds)", 0.0, 5.0, 1.0, 0.5)
        window_s = st.slider("Timeline shows the last (seconds)", 30, 600, 180, 30)
    thresholds = {"face": face_threshold, "voice": voice_threshold, "fused": face_threshold}
    session = live_session()
    session.face_threshold = face_threshold
    constraints = MODES[mode]
    if constraints["video"] and session.analyzer is None:
        model_missing_note("face")
    if constraints["audio"] and session.speech is None:
        model_missing_note("speech")
    context = webrtc_streamer(
        key=f"live-{mode}",
        mode=WebRtcMode.SENDRECV,
        rtc_configuration=ice_configuration(),
        media_stream_constraints=constraints,
        video_frame_callback=session.on_video if constraints["video"] else None,
        audio_frame_callback=session.on_audio if constraints["audio"] else None,
        async_processing=True,
    )
    playing = context.state.playing
    if not playing:
        session.stop()

    @st.fragment(run_every=REFRESH_S if playing else None)
    def live_panel() -> None:
        readings_panel(session, thresholds, smoothing, window_s)

    live_panel()
    fusion_note()
    if not playing and len(session.timeline):
        st.subheader("This session")
        frame = to_frame(session.timeline.snapshot(), thresholds, smoothing)
        summary_and_downloads(frame, "emotion-mirror-session", key="live")
        st.button("Clear the timeline", on_click=session.timeline.clear, icon="🧹")
    st.caption("Video and sound go to this app's server for analysis (through a TURN relay when your network "
               "needs one) and are never saved. The timeline stays in this browser tab's session only.")


main()
