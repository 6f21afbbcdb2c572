"""Test media made by the tests themselves: a real face photo from scikit-image, speech from
espeak-ng, a recorded voice from the RAVDESS data set's validation actors, hum and silence from
numpy. Nothing here is downloaded or committed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from emotion.media import decode_audio


def astronaut_rgb() -> np.ndarray:
    """(512, 512, 3) uint8 RGB photo of Eileen Collins, smiling: a real, happy face."""
    from skimage import data

    return data.astronaut()


def speech_wav(path: Path, text: str = "Kids are talking by the door. I am so happy to see you today!",
               voice: str = "en-us") -> Path:
    """Synthesise `text` with espeak-ng into a WAV file (22,050 Hz mono)."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is not installed; ./scripts/test installs it")
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True)
    return path


def speech_16k(tmp_path: Path, **kwargs) -> np.ndarray:
    """espeak-ng's formant voice: speech to the voice detector, but unlike any voice the speech
    model learnt from (it reads "not sure": emotion.train.unfamiliar)."""
    return decode_audio(speech_wav(tmp_path / "speech.wav", **kwargs), 16_000)


def recorded_voice_16k(clips: int = 1) -> list[np.ndarray]:
    """The first `clips` of RAVDESS's validation actors (17-18), one per emotion: a person's voice
    through a microphone. Skips the test where the data set is not at hand."""
    from emotion.data_dir import data_dir
    from emotion.speech.corpus import load_clips, read_manifest

    manifest = data_dir() / "ravdess" / "manifest.csv"
    if not manifest.exists():
        pytest.skip("RAVDESS is not at $EMOTION_DATA_DIR or ../shared/data")
    table = read_manifest(manifest)
    return load_clips(list(table[table.split == "val"].groupby("emotion").head(1).file[:clips]))


def unheard_voices_16k() -> dict[str, list[np.ndarray]]:
    """Per corpus, one clip per test speaker and emotion: voices the speech model never trained on and no choice
    was made on, in English (RAVDESS actors 19-24), Polish (nEMO IC0, SM0) and Italian (EMOVO f3, m3). Skips the
    test where a corpus is not at hand."""
    from emotion.data_dir import data_dir
    from emotion.speech.corpus import load_clips, read_manifest

    voices = {}
    for corpus in ("ravdess", "nemo", "emovo"):
        manifest = data_dir() / corpus / "manifest.csv"
        if not manifest.exists():
            pytest.skip(f"{corpus} is not at $EMOTION_DATA_DIR or ../shared/data")
        table = read_manifest(manifest)
        voices[corpus] = load_clips(list(table[table.split == "test"].groupby(["speaker", "emotion"]).head(1).file))
    return voices


def hum(seconds: float, rate: int = 16_000, level: float = 0.02, mains_hz: float = 50.0) -> np.ndarray:
    """A quiet mains hum with its second harmonic, as a fridge or a cheap adapter makes."""
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * mains_hz * t) + level / 4 * np.sin(2 * np.pi * 2 * mains_hz * t)).astype(np.float32)


def music(seconds: float, rate: int = 16_000, level: float = 0.3, seed: int = 0) -> np.ndarray:
    """A plucked melody with harmonics, a note every quarter second: music, not speech."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    out = np.zeros_like(t)
    for i, pitch in enumerate(rng.choice([220, 247, 262, 294, 330, 349, 392, 440], size=int(seconds * 4))):
        envelope = np.exp(-3 * (t - i * 0.25)) * ((t >= i * 0.25) & (t < i * 0.25 + 0.5))
        for harmonic in range(1, 6):
            out += envelope * np.sin(2 * np.pi * pitch * harmonic * t) / harmonic
    return (level * out / np.abs(out).max()).astype(np.float32)


def write_video(path: Path, frames: list[np.ndarray], fps: int = 10, audio: np.ndarray | None = None,
                audio_rate: int = 16_000) -> Path:
    """Encode RGB frames (and mono float audio) with PyAV; the container follows the suffix."""
    import av

    codec = {".mp4": "libx264", ".mov": "libx264", ".mkv": "libx264", ".webm": "libvpx", ".avi": "mpeg4"}[path.suffix]
    audio_codec = {".webm": "libopus", ".avi": "mp3"}.get(path.suffix, "aac")
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        video = container.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        sound = None
        if audio is not None:
            sound = container.add_stream(audio_codec, rate=48_000 if audio_codec == "libopus" else audio_rate, layout="mono")
        for frame in frames:
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if sound is not None:
            import soxr

            samples = soxr.resample(audio, audio_rate, sound.rate) if sound.rate != audio_rate else audio
            chunk = 1024
            for start in range(0, len(samples), chunk):
                piece = samples[start : start + chunk].astype(np.float32)[None, :]
                frame = av.AudioFrame.from_ndarray(piece, format="flt", layout="mono")
                frame.sample_rate = sound.rate
                frame.pts = start
                for packet in sound.encode(frame):
                    container.mux(packet)
            for packet in sound.encode():
                container.mux(packet)
    return path


def face_frames(seconds: float, fps: int = 10, size: tuple[int, int] = (640, 480)) -> list[np.ndarray]:
    """The astronaut drifting across a grey frame and back, so faces move between frames; one
    full period per clip, so a looping fake camera has no jump where it wraps around."""
    import cv2

    width, height = size
    face = cv2.resize(astronaut_rgb(), (height, height))
    frames = []
    count = int(seconds * fps)
    for i in range(count):
        frame = np.full((height, width, 3), 90, np.uint8)
        x = int((width - height) * (0.5 + 0.4 * np.sin(2 * np.pi * i / count)))
        frame[:, x : x + height] = face
        frames.append(frame)
    return frames


def face_and_speech_mp4(tmp_path: Path, suffix: str = ".mp4", with_audio: bool = True) -> Path:
    speech = speech_16k(tmp_path)
    seconds = len(speech) / 16_000
    return write_video(tmp_path / f"face-and-speech{suffix}", face_frames(seconds), audio=speech if with_audio else None)


def write_y4m(path: Path, frames: list[np.ndarray], fps: int = 10) -> Path:
    """Frames as a Y4M file: what Chromium's --use-file-for-fake-video-capture plays, looping."""
    import cv2

    height, width = frames[0].shape[:2]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def write_wav(path: Path, audio: np.ndarray, rate: int = 16_000) -> Path:
    """16-bit PCM WAV: what Chromium's --use-file-for-fake-audio-capture plays, looping."""
    import soundfile as sf

    sf.write(path, np.clip(audio, -1, 1), rate, subtype="PCM_16")
    return path
