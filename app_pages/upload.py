"""Upload: a photo, video or sound clip in, a report of the emotions in it out.

Pattern: the file is checked and probed first (one clear sentence if it cannot be used), then
analysed by emotion.upload with a progress bar. Reports are cached in this user's session by
the file's hash, so moving a slider redraws without decoding again, and nothing outlives the
session: no cross-user cache, no file written.
"""

import hashlib

import streamlit as st

from emotion.charts import timeline_figure
from emotion.labels import FACE_CLASSES, VOICE_CLASSES
from emotion.media import ALL_EXTENSIONS, MAX_DURATION_S, MAX_UPLOAD_MB, MediaError, probe
from emotion.overlay import draw_faces
from emotion.plain_words import unfamiliar_in_words
from emotion.registry import FACE, SPEECH, not_sure_below
from emotion.report import SOURCE_BOTH, SOURCE_FACE, SOURCE_VOICE, Thresholds, build_rows, overall
from emotion.speech.coverage import UNLIKE_SPEECH, NotSureReason, SpeechHeard, why_not_sure
from emotion.timeline import STEP_S
from emotion.ui.models import face_analyzer, model_missing_note, speech_classifier
from emotion.ui.readings import (big_label, face_bars, face_text, fusion_note, not_sure_reason, speech_coverage,
                                 summary_and_downloads, voice_bars, voice_energy)
from emotion.ui.style import ANSWER, PAGE_INTRO
from emotion.upload import analyse_clip, analyse_image, limits_text

REPORTS_KEPT = 3
UNDECODED_WARNING_S = 2.0  # say so when the readings end this much before the clip's stated duration


def cached_report(digest: str, compute):
    """This session's reports by file hash; the oldest is dropped beyond REPORTS_KEPT."""
    reports = st.session_state.setdefault("upload_reports", {})
    if digest not in reports:
        reports[digest] = compute()
        while len(reports) > REPORTS_KEPT:
            reports.pop(next(iter(reports)))
    return reports[digest]


def show_image(data: bytes, digest: str, face_threshold: float) -> None:
    analyzer = face_analyzer()
    if analyzer is None:
        model_missing_note("face")
        return
    frame = cached_report(digest, lambda: analyse_image(data, analyzer))
    # The answer beside a modest picture, not under a full-width one: both fit a laptop screen.
    # On a phone the answer comes first (emotion/ui/style.py).
    picture, answer = st.columns([2, 3])
    if not frame.readings:
        picture.image(frame.image, caption="No face found", width="stretch", alt="Your picture: no face found")
        answer.container(key=ANSWER).warning(
            "No face was found in this picture. Faces that are small, turned away or in shadow are hard to find.")
        return
    texts = face_text(frame.readings, frame.numbers, face_threshold)
    picture.image(draw_faces(frame.image, frame.readings, frame.numbers, face_threshold), width="stretch",
                  alt="Your picture, with a box and a label on each face: " + "; ".join(texts))
    with answer, st.container(key=ANSWER):
        for text, reading, number in zip(texts, frame.readings, frame.numbers):
            big_label("", reading.probabilities, FACE_CLASSES, face_threshold)
            st.markdown(f"**{text}**")
            face_bars(reading.probabilities, "", key=f"upload-face-{number}")


def clip_readings(rows, face_threshold: float, voice_threshold: float, heard: SpeechHeard,
                  voice_reason: NotSureReason | None) -> None:
    """The whole clip's face and voice readings as big labels with their bars, before the details;
    under the voice, why it is not sure (if it is) and how much of the speech got a reading, and
    its energy only where some of its speech sounded like the voices the model knows."""
    sides = [("Face", SOURCE_FACE, FACE_CLASSES, face_threshold, face_bars), ("Voice", SOURCE_VOICE, VOICE_CLASSES, voice_threshold, voice_bars)]
    found = [(side, probabilities) for side in sides if (probabilities := overall(rows, side[1], side[2])) is not None]
    for column, ((title, source, classes, threshold, bars), probabilities) in zip(st.columns(max(1, len(found))), found):
        with column, st.container(key=f"{ANSWER}-{source}"):
            st.markdown(f"## {title}, over the whole clip")
            big_label("", probabilities, classes, threshold)
            if source == SOURCE_VOICE:
                not_sure_reason(voice_reason)
                speech_coverage(heard)
                if heard.unfamiliar_windows < heard.windows:
                    voice_energy(probabilities)
            bars(probabilities, "", key=f"upload-{source}-overall")


def show_clip(data: bytes, digest: str, info, face_threshold: float, voice_threshold: float, smoothing: float,
              name: str) -> None:
    analyzer, speech = face_analyzer(), speech_classifier()
    if info.has_video and analyzer is None:
        model_missing_note("face")
    if info.has_audio and speech is None:
        model_missing_note("speech")

    def compute():
        bar = st.progress(0.0, text="Starting…")
        report = analyse_clip(data, info, analyzer, speech, lambda f, m: bar.progress(min(1.0, f), text=m))
        bar.empty()
        return report

    report = cached_report(digest, compute)
    if info.kind == "video" and not info.has_audio:
        st.info("This video has no sound track, so only faces are read.", icon="🔇")
    if info.has_video and analyzer is not None and report.frames_with_faces == 0:
        st.warning("No face was found in this video.")
    if info.has_audio and speech is not None and report.windows_with_speech == 0:
        st.warning("No speech was heard in this clip.")
    rows = build_rows(report.cells, Thresholds(face=face_threshold, voice=voice_threshold), smoothing)
    heard = report.speech.heard(voice_threshold)
    voice_reason = why_not_sure(heard, overall(rows, SOURCE_VOICE, VOICE_CLASSES), voice_threshold)
    if report.windows_unfamiliar and (voice_reason is None or voice_reason.kind != UNLIKE_SPEECH):
        # When most of the speech sounds unlike the voices it knows, the voice's reason says so instead.
        st.info(unfamiliar_in_words(report.windows_unfamiliar, report.windows_with_speech), icon="🤔")
    decoded_s = float(rows["t"].max()) + STEP_S if not rows.empty else 0.0
    if info.duration_s - decoded_s > UNDECODED_WARNING_S:
        st.warning(f"Only the first {decoded_s:.0f} s of this {info.duration_s:.0f} s clip could be read, so the report "
                   "covers only that part: the file may be damaged or cut short.")
    clip_readings(rows, face_threshold, voice_threshold, heard, voice_reason)
    st.header("Timeline")
    st.plotly_chart(timeline_figure(rows), key="upload-timeline")
    if (rows["source"] == SOURCE_BOTH).any():
        fusion_note()
    if report.key_frames:
        st.header("Key frames")
        columns = st.columns(3)
        for i, key_frame in enumerate(report.key_frames):
            caption = f"{key_frame.t:.1f} s — " + "; ".join(
                face_text(key_frame.readings, key_frame.numbers, face_threshold))
            columns[i % 3].image(draw_faces(key_frame.image, key_frame.readings, key_frame.numbers, face_threshold),
                                 caption=caption, alt=f"The frame at {caption}")
    st.header("Summary")
    summary_and_downloads(rows, f"{name}-emotions", key="upload")


def main() -> None:
    st.title("📁 Upload")
    intro = st.container(key=PAGE_INTRO)  # on a phone it goes below the answer (emotion/ui/style.py)
    intro.write("Choose a photo, a video or a sound clip. The app finds the faces and listens for speech, "
                "and shows what each one seems to express.")
    # The limits in one line you can open, so the answer to an upload still fits a laptop screen.
    with intro.expander(f"Which files, how large and how long: up to {MAX_UPLOAD_MB} MB and {MAX_DURATION_S // 60} "
                     "minutes; nothing is saved"):
        st.caption(f"Pictures: {', '.join(e for e in ALL_EXTENSIONS if e in ('jpg', 'png', 'webp', 'bmp'))}. "
                   "Videos: mp4, mov, webm, mkv, avi. Sound: wav, mp3, ogg, flac, m4a, webm. " + limits_text()
                   + " Your file is analysed in memory and never saved.")
    with st.sidebar:
        st.subheader("Controls")
        face_threshold = st.slider("Say \"not sure\" below (face)", 0.0, 1.0, not_sure_below(FACE), 0.05,
                                   help="From the model card: below this the top guess was wrong more often than right.")
        voice_threshold = st.slider("Say \"not sure\" below (voice)", 0.0, 1.0, not_sure_below(SPEECH), 0.05)
        smoothing = st.slider("Smoothing (seconds)", 0.0, 5.0, 1.0, 0.5,
                              help="Half-life of the moving average over each timeline, so labels do not flicker.")
    upload = st.file_uploader("Photo, video or sound clip", type=list(ALL_EXTENSIONS))
    if upload is None:
        return
    data = upload.getvalue()
    try:
        info = probe(data, upload.name)
    except MediaError as problem:
        st.error(str(problem), icon="⚠️")
        return
    digest = hashlib.sha256(data).hexdigest()
    stem = upload.name.rsplit(".", 1)[0]
    try:
        if info.kind == "image":
            show_image(data, digest, face_threshold)
        else:
            show_clip(data, digest, info, face_threshold, voice_threshold, smoothing, stem)
    except MediaError as problem:
        st.error(str(problem), icon="⚠️")


main()
