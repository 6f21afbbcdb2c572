"""Upload: a photo, video or sound clip in, a report of the emotions in it out.

Pattern: the file is checked and probed first (one clear sentence if it cannot be used), then
analysed by emotion.upload with a progress bar. Reports are cached in this user's session by
the file's hash, so moving a slider redraws without decoding again, and nothing outlives the
session: no cross-user cache, no file written.
"""

import hashlib

import streamlit as st

from emotion.charts import timeline_figure
from emotion.i18n import _, ngettext, number
from emotion.labels import FACE_CLASSES, VOICE_CLASSES
from emotion.media import ALL_EXTENSIONS, EXTENSIONS, MAX_DURATION_S, MAX_UPLOAD_MB, MediaError, probe
from emotion.overlay import draw_faces
from emotion.plain_words import unfamiliar_in_words
from emotion.registry import FACE, SPEECH, not_sure_below
from emotion.report import SOURCE_BOTH, SOURCE_FACE, SOURCE_VOICE, Thresholds, build_rows, overall
from emotion.speech.coverage import UNLIKE_SPEECH, NotSureReason, SpeechHeard, why_not_sure
from emotion.timeline import STEP_S
from emotion.ui.models import face_analyzer, model_missing_note, speech_classifier
from emotion.ui.readings import (big_label, face_bars, face_text, fusion_note, not_sure_reason, speech_coverage,
                                 summary_and_downloads, voice_bars, voice_energy)
from emotion.ui.style import ANSWER, PAGE_INTRO, uploader_words
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
        picture.image(frame.image, caption=_("No face found"), width="stretch", alt=_("Your picture: no face found"))
        answer.container(key=ANSWER).warning(
            _("No face was found in this picture. Faces that are small, turned away or in shadow are hard to find."))
        return
    texts = face_text(frame.readings, frame.numbers, face_threshold)
    picture.image(draw_faces(frame.image, frame.readings, frame.numbers, face_threshold), width="stretch",
                  alt=_("Your picture, with a box and a label on each face: {faces}").format(faces="; ".join(texts)))
    with answer, st.container(key=ANSWER):
        for text, reading, face_number in zip(texts, frame.readings, frame.numbers):
            big_label("", reading.probabilities, FACE_CLASSES, face_threshold)
            st.markdown(f"**{text}**")
            face_bars(reading.probabilities, "", key=f"upload-face-{face_number}")


def clip_readings(rows, face_threshold: float, voice_threshold: float, heard: SpeechHeard,
                  voice_reason: NotSureReason | None) -> None:
    """The whole clip's face and voice readings as big labels with their bars, before the details;
    under the voice, why it is not sure (if it is) and how much of the speech got a reading, and
    its energy only where some of its speech sounded like the voices the model knows."""
    sides = [(_("Face, over the whole clip"), SOURCE_FACE, FACE_CLASSES, face_threshold, face_bars),
             (_("Voice, over the whole clip"), SOURCE_VOICE, VOICE_CLASSES, voice_threshold, voice_bars)]
    found = [(side, probabilities) for side in sides if (probabilities := overall(rows, side[1], side[2])) is not None]
    for column, ((heading, source, classes, threshold, bars), probabilities) in zip(st.columns(max(1, len(found))), found):
        with column, st.container(key=f"{ANSWER}-{source}"):
            st.markdown(f"## {heading}")
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
        bar = st.progress(0.0, text=_("Starting…"))
        report = analyse_clip(data, info, analyzer, speech, lambda f, m: bar.progress(min(1.0, f), text=m))
        bar.empty()
        return report

    report = cached_report(digest, compute)
    if info.kind == "video" and not info.has_audio:
        st.info(_("This video has no sound track, so only faces are read."), icon="🔇")
    if info.has_video and analyzer is not None and report.frames_with_faces == 0:
        st.warning(_("No face was found in this video."))
    if info.has_audio and speech is not None and report.windows_with_speech == 0:
        st.warning(_("No speech was heard in this clip."))
    rows = build_rows(report.cells, Thresholds(face=face_threshold, voice=voice_threshold), smoothing)
    heard = report.speech.heard(voice_threshold)
    voice_reason = why_not_sure(heard, overall(rows, SOURCE_VOICE, VOICE_CLASSES), voice_threshold)
    if report.windows_unfamiliar and (voice_reason is None or voice_reason.kind != UNLIKE_SPEECH):
        # When most of the speech sounds unlike the voices it knows, the voice's reason says so instead.
        st.info(unfamiliar_in_words(report.windows_unfamiliar, report.windows_with_speech), icon="🤔")
    decoded_s = float(rows["t"].max()) + STEP_S if not rows.empty else 0.0
    if info.duration_s - decoded_s > UNDECODED_WARNING_S:
        st.warning(_("Only the first {decoded} s of this {total} s clip could be read, so the report covers only that "
                     "part: the file may be damaged or cut short.").format(decoded=number(round(decoded_s)),
                                                                            total=number(round(info.duration_s))))
    clip_readings(rows, face_threshold, voice_threshold, heard, voice_reason)
    st.header(_("Timeline"))
    st.plotly_chart(timeline_figure(rows), key="upload-timeline")
    if (rows["source"] == SOURCE_BOTH).any():
        fusion_note()
    if report.key_frames:
        st.header(_("Key frames"))
        columns = st.columns(3)
        for i, key_frame in enumerate(report.key_frames):
            # TRANSLATORS: a key frame's caption: its time in the clip, then what each face in it reads.
            caption = _("{time} s — {faces}").format(
                time=number(round(key_frame.t, 1), 1),
                faces="; ".join(face_text(key_frame.readings, key_frame.numbers, face_threshold)))
            columns[i % 3].image(draw_faces(key_frame.image, key_frame.readings, key_frame.numbers, face_threshold),
                                 caption=caption, alt=_("The frame at {caption}").format(caption=caption))
    st.header(_("Summary"))
    summary_and_downloads(rows, f"{name}-emotions", key="upload")


def main() -> None:
    # TRANSLATORS: the page's title: uploading a file (a noun, as in the menu).
    st.title("📁 " + _("Upload"))
    intro = st.container(key=PAGE_INTRO)  # on a phone it goes below the answer (emotion/ui/style.py)
    intro.write(_("Choose a photo, a video or a sound clip. The app finds the faces and listens for speech, "
                  "and shows what each one seems to express."))
    # The limits in one line you can open, so the answer to an upload still fits a laptop screen.
    minutes = MAX_DURATION_S // 60
    with intro.expander(ngettext("Which files, how large and how long: up to {size} MB and {minutes} minute; "
                                 "nothing is saved",
                                 "Which files, how large and how long: up to {size} MB and {minutes} minutes; "
                                 "nothing is saved", minutes).format(size=number(MAX_UPLOAD_MB), minutes=number(minutes))):
        pictures = ", ".join(e for e in ALL_EXTENSIONS if e in ("jpg", "png", "webp", "bmp"))
        kinds = _("Pictures: {pictures}. Videos: {videos}. Sound: {sounds}.").format(
            pictures=pictures, videos=", ".join(EXTENSIONS["video"]), sounds=", ".join(EXTENSIONS["audio"]))
        st.caption(" ".join((kinds, limits_text(), _("Your file is analysed in memory and never saved."))))
    with st.sidebar:
        st.subheader(_("Controls"))
        # Keys keep each widget's value, and the uploaded file, when the language (and so the label) changes.
        face_threshold = st.slider(_("Say \"not sure\" below (face)"), 0.0, 1.0, not_sure_below(FACE), 0.05,
                                   help=_("From the model card: below this the top guess was wrong more often than "
                                          "right."), key="upload-face-threshold")
        voice_threshold = st.slider(_("Say \"not sure\" below (voice)"), 0.0, 1.0, not_sure_below(SPEECH), 0.05,
                                    key="upload-voice-threshold")
        smoothing = st.slider(_("Smoothing (seconds)"), 0.0, 5.0, 1.0, 0.5, key="upload-smoothing",
                              help=_("Half-life of the moving average over each timeline, so labels do not flicker."))
    uploader_words(_("Choose a file"), _("Up to {size} MB per file").format(size=number(MAX_UPLOAD_MB)) + " • "
                   + ", ".join(extension.upper() for extension in ALL_EXTENSIONS))
    upload = st.file_uploader(_("Photo, video or sound clip"), type=list(ALL_EXTENSIONS), key="upload-file")
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
