"""An uploaded file in, a report out: the Upload page's work, without Streamlit.

Images: every face with its probabilities. Video and audio: frames sampled ANALYSIS_FPS times a
second go through the same face code as live video; the sound, resampled to 16 kHz, through
the same speech code as the live microphone; both land in a Timeline, whose cells the page
turns into rows with emotion.report, as the Live page does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import av
import numpy as np

from emotion.face.analyse import MAX_FACES, FaceAnalyzer, FaceReading
from emotion.i18n import _, ngettext, number
from emotion.media import (ANALYSIS_LONG_SIDE, MAX_DURATION_S, MAX_UPLOAD_MB, MediaError, MediaInfo, decode_audio,
                           decode_image, sample_video_frames)
from emotion.speech.classify import SpeechClassifier, VoiceReading
from emotion.speech.coverage import SpeechTally
from emotion.speech.features import SAMPLE_RATE
from emotion.timeline import Cells, Timeline
from emotion.tracking import FaceTracker

ANALYSIS_FPS = 2.0
VOICE_HOP_S = 0.5
KEY_FRAMES = 6
Progress = Callable[[float, str], None]


def limits_text() -> str:
    """Every limit an upload meets and what happens past it, in words, from the constants that
    enforce them (the upload size from .streamlit/config.toml, read by emotion.media)."""
    minutes = MAX_DURATION_S // 60
    # TRANSLATORS: the plural form follows {minutes}; {size}, {pixels}, {fps} and {faces} are other settings
    # that may change: write them in a form that fits any number.
    return ngettext(
        "Up to {size} MB and {minutes} minute: a larger or longer file is refused with a note, nothing is cut "
        "silently. Pictures and video frames are read at up to {pixels} px on their long side (larger ones are "
        "scaled down), videos {fps} frames a second, and up to {faces} faces per picture or frame get a label, the "
        "most clearly found first.",
        "Up to {size} MB and {minutes} minutes: a larger or longer file is refused with a note, nothing is cut "
        "silently. Pictures and video frames are read at up to {pixels} px on their long side (larger ones are "
        "scaled down), videos {fps} frames a second, and up to {faces} faces per picture or frame get a label, the "
        "most clearly found first.",
        minutes,
    ).format(size=number(MAX_UPLOAD_MB), minutes=number(minutes), pixels=number(ANALYSIS_LONG_SIDE),
             fps=number(ANALYSIS_FPS, 0 if ANALYSIS_FPS.is_integer() else 1), faces=number(MAX_FACES))


class FacesInFrame(NamedTuple):
    t: float
    image: np.ndarray  # (h, w, 3) uint8 RGB at analysis size
    readings: list[FaceReading]
    numbers: list[int]


class ClipReport(NamedTuple):
    info: MediaInfo
    cells: Cells
    key_frames: list[FacesInFrame]  # up to KEY_FRAMES frames with faces, spread over the clip
    frames_analysed: int
    frames_with_faces: int
    voice_windows: int
    windows_with_speech: int
    windows_unfamiliar: int  # with speech unlike the voice model's training (read as even odds)
    speech: SpeechTally  # the sound's readings added up: how much speech got one, at any "not sure" threshold


def analyse_image(data: bytes, analyzer: FaceAnalyzer) -> FacesInFrame:
    rgb = decode_image(data)
    if rgb is None:
        raise MediaError(_("This picture could not be decoded."))
    readings = analyzer.analyse(rgb, tiles=True)
    return FacesInFrame(0.0, rgb, readings, list(range(1, len(readings) + 1)))


def _spread(items: list, count: int) -> list:
    if len(items) <= count:
        return items
    return [items[int(i)] for i in np.linspace(0, len(items) - 1, count)]


def analyse_clip(data: bytes, info: MediaInfo, analyzer: FaceAnalyzer | None, speech: SpeechClassifier | None,
                 progress: Progress = lambda fraction, message: None) -> ClipReport:
    """Face and voice readings over a video or audio clip, on the timeline's grid.

    The probe read the file's header; a file damaged further in can still fail to decode, and
    that becomes a MediaError sentence like any other bad input."""
    try:
        return _analyse_clip(data, info, analyzer, speech, progress)
    except (av.FFmpegError, ValueError, OSError) as problem:
        raise MediaError(_("Part of this file could not be decoded, so it cannot be analysed: it may be damaged "
                           "({error}).").format(error=type(problem).__name__)) from None


def _analyse_clip(data: bytes, info: MediaInfo, analyzer: FaceAnalyzer | None, speech: SpeechClassifier | None,
                  progress: Progress) -> ClipReport:
    timeline = Timeline()
    frames: list[FacesInFrame] = []
    duration = max(info.duration_s, 1e-3)
    if info.has_video and analyzer is not None:
        tracker = FaceTracker()
        progress(0.0, _("Looking at the video frames…"))
        for t, rgb in sample_video_frames(data, ANALYSIS_FPS):
            readings = analyzer.analyse(rgb, tiles=True)
            numbers = tracker.assign([r.box for r in readings])
            frames.append(FacesInFrame(t, rgb, readings, numbers))
            timeline.add_faces(t, np.array([r.probabilities for r in readings]))
            progress(min(0.8, 0.8 * t / duration), _("Looking at the video frames… {done} s of {total} s").format(
                done=number(round(t)), total=number(round(duration))))
    voices: list[VoiceReading] = []
    if info.has_audio and speech is not None:
        progress(0.8 if info.has_video else 0.0, _("Listening to the sound…"))
        voices = speech.classify_clip(decode_audio(data, SAMPLE_RATE), hop_s=VOICE_HOP_S)
        for reading in voices:
            timeline.add_voice(reading.start_s, reading.end_s, reading.probabilities)
    progress(1.0, _("Done."))
    with_faces = [f for f in frames if f.readings]
    # Key frames keep their pixels; the other frames drop them so the report stays small.
    return ClipReport(
        info, timeline.cells(), _spread(with_faces, KEY_FRAMES), len(frames), len(with_faces),
        len(voices), sum(v.probabilities is not None for v in voices), sum(v.unfamiliar for v in voices),
        SpeechTally.of(voices),
    )
