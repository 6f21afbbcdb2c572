"""Decoding with PyAV (and OpenCV for still images): uploads, data-set files and WebRTC frames
all become numpy arrays here, after checks that turn bad input into one clear sentence."""

from __future__ import annotations

import io
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Literal, NamedTuple

import av
import cv2
import numpy as np

from emotion.i18n import N_, _, ngettext, number

AudioSource = str | os.PathLike[str] | BinaryIO | bytes
Kind = Literal["image", "video", "audio"]

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"


def _upload_limit_mb() -> int:
    """server.maxUploadSize in .streamlit/config.toml: the one place the upload limit is set, so
    Streamlit's refusal and ours agree. Streamlit counts mebibytes (2**20 bytes)."""
    return int(tomllib.loads(CONFIG.read_text())["server"]["maxUploadSize"])


MAX_UPLOAD_MB = _upload_limit_mb()
BYTES_PER_MB = 2**20
MAX_DURATION_S = 180
MAX_IMAGE_PIXELS = 40_000_000
ANALYSIS_LONG_SIDE = 960
"""Video frames are scaled down to this long side before analysis: faces stay findable, time drops."""

EXTENSIONS: dict[Kind, tuple[str, ...]] = {
    "image": ("jpg", "jpeg", "png", "webp", "bmp"),
    "video": ("mp4", "mov", "webm", "mkv", "avi"),
    "audio": ("wav", "mp3", "ogg", "flac", "m4a", "webm"),
}
ALL_EXTENSIONS = tuple(dict.fromkeys(e for group in EXTENSIONS.values() for e in group))
WRONG_EXTENSION: dict[Kind, str] = {
    "image": N_("The file is named .{extension}, but it holds an image: please check that you picked the right file."),
    "video": N_("The file is named .{extension}, but it holds a video: please check that you picked the right file."),
    "audio": N_("The file is named .{extension}, but it holds a sound clip: please check that you picked the right "
                "file."),
}
"""What `probe` says when a file's name and contents disagree: one whole sentence per kind, as the
article and the noun change together in every language."""


class MediaError(ValueError):
    """Something wrong with a user's file, said in one sentence they can act on."""


class MediaInfo(NamedTuple):
    kind: Kind
    duration_s: float  # 0 for images
    has_video: bool
    has_audio: bool
    width: int
    height: int


def _open(source: AudioSource) -> av.container.InputContainer:
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    return av.open(os.fspath(source) if isinstance(source, os.PathLike) else source, mode="r")


def decode_audio(source: AudioSource, sample_rate: int = 16_000) -> np.ndarray:
    """The first audio stream as (n,) float32 mono at `sample_rate`; empty if there is none."""
    with _open(source) as container:
        if not container.streams.audio:
            return np.zeros(0, dtype=np.float32)
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        chunks = []
        for frame in container.decode(stream):
            chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
        chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)


def decode_image(data: bytes) -> np.ndarray | None:
    """(h, w, 3) uint8 RGB, or None if the bytes are not a still image OpenCV can read."""
    array = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return None if array is None else cv2.cvtColor(array, cv2.COLOR_BGR2RGB)


def _real_video_streams(container) -> list:
    """Video streams that are not cover art (an mp3's album picture is a one-frame 'video')."""
    return [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]


def probe(data: bytes, filename: str = "") -> MediaInfo:
    """What the file holds, or a MediaError saying in one sentence why it cannot be used."""
    if not data:
        raise MediaError(_("The file is empty."))
    size_mb = len(data) / BYTES_PER_MB
    if size_mb > MAX_UPLOAD_MB:
        raise MediaError(_("The file is {size} MB; files up to {limit} MB can be analysed.").format(
            size=number(round(size_mb)), limit=number(MAX_UPLOAD_MB)))
    extension = Path(filename).suffix.lower().lstrip(".")
    image = decode_image(data)
    if image is not None:
        info = MediaInfo("image", 0.0, True, False, image.shape[1], image.shape[0])
    else:
        try:
            with _open(data) as container:
                videos, audios = _real_video_streams(container), list(container.streams.audio)
                duration = (container.duration or 0) / av.time_base
                width = videos[0].codec_context.width if videos else 0
                height = videos[0].codec_context.height if videos else 0
        except (av.FFmpegError, ValueError, OSError):
            raise MediaError(_("This file could not be read as a picture, a video or a sound clip: "
                               "it may be damaged, or not a media file at all.")) from None
        if not videos and not audios:
            raise MediaError(_("This file holds neither pictures nor sound."))
        info = MediaInfo("video" if videos else "audio", float(duration), bool(videos), bool(audios), width, height)
    if extension and extension not in EXTENSIONS[info.kind]:
        raise MediaError(_(WRONG_EXTENSION[info.kind]).format(extension=extension))
    if info.kind == "image" and info.width * info.height > MAX_IMAGE_PIXELS:
        # Width and height stay plain digits, as a picture's size is written (4000x3000).
        raise MediaError(_("The picture is {width}x{height} pixels; pictures up to {limit} megapixels can be "
                           "analysed.").format(width=info.width, height=info.height,
                                               limit=number(MAX_IMAGE_PIXELS // 1_000_000)))
    if info.duration_s > MAX_DURATION_S:
        limit = MAX_DURATION_S // 60
        # TRANSLATORS: {duration} always has one decimal (3.5); the plural form follows {limit}.
        raise MediaError(ngettext("The clip lasts {duration} minutes; clips up to {limit} minute can be analysed.",
                                  "The clip lasts {duration} minutes; clips up to {limit} minutes can be analysed.",
                                  limit).format(duration=number(round(info.duration_s / 60, 1), 1), limit=number(limit)))
    return info


def sample_video_frames(data: bytes, fps: float) -> Iterator[tuple[float, np.ndarray]]:
    """(time in s, (h, w, 3) uint8 RGB) about `fps` times a second, scaled to the analysis size."""
    with _open(data) as container:
        stream = _real_video_streams(container)[0]
        stream.thread_type = "AUTO"
        next_t = 0.0
        for frame in container.decode(stream):
            t = float(frame.time or 0.0)
            if t + 1e-6 < next_t:
                continue
            next_t = t + 1.0 / fps
            rgb = frame.to_ndarray(format="rgb24")
            scale = ANALYSIS_LONG_SIDE / max(rgb.shape[:2])
            if scale < 1:
                rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            yield t, rgb


def audio_frame_samples(frame: av.AudioFrame) -> tuple[np.ndarray, int, int]:
    """(interleaved samples, sample rate, channels) of a WebRTC audio frame, packed or planar."""
    array = frame.to_ndarray()
    channels = len(frame.layout.channels)
    interleaved = array.T.reshape(-1) if frame.format.is_planar else array.reshape(-1)
    return interleaved, frame.sample_rate, channels


def silent_like(frame: av.AudioFrame) -> av.AudioFrame:
    """A frame of silence with the same format and timing: sent back so the microphone is not echoed."""
    silent = av.AudioFrame.from_ndarray(np.zeros_like(frame.to_ndarray()), format=frame.format.name,
                                        layout=frame.layout.name)
    silent.sample_rate, silent.pts = frame.sample_rate, frame.pts
    if frame.time_base is not None:
        silent.time_base = frame.time_base
    return silent
