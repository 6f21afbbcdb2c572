"""Sound that is not a person talking, made here: synthetic voices (espeak-ng, flite) and speech played backwards.

Why: the voice's gate (emotion.train.unfamiliar) learns "not a person talking" from such sound, and the benchmarks
check it on other voices and sentences of the same engines. The engines are Debian packages (training and benchmarks
only: apt-get install espeak-ng flite); each clip is decoded at the voice model's 16 kHz.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from emotion.media import decode_audio
from emotion.speech.features import SAMPLE_RATE

FIT_VOICES = ("en-us+m3", "en-gb+f2", "de", "es", "fr", "it", "pt", "ru", "cs", "nl")
"""espeak-ng voices the gate learns "not a person" from; the benchmarks check it on others."""
FLITE_FIT_VOICES = ("kal", "awb")
"""flite voices it learns from too; the benchmarks check flite's other voices."""
FIT_SENTENCES = (
    "Where did you put the red ball this morning?",
    "We are going to the park after lunch.",
    "That was the best day of my whole life!",
    "Please do not touch that, it is very hot.",
    "I lost my keys again and I am late.",
    "Look at the little bird in the tree.",
    "Can you help me carry these bags upstairs?",
    "Nobody told me the shop was closed today.",
)
"""Sentences the fitted voices read; none of the benchmarks' check sentences."""


def espeak(voices: tuple[str, ...], sentences: tuple[str, ...]) -> list[np.ndarray]:
    """Each sentence in each espeak-ng voice; none where espeak-ng is not installed."""
    if shutil.which("espeak-ng") is None:
        return []
    return _spoken(voices, sentences, lambda voice, text, path: ["espeak-ng", "-v", voice, "-s", "150", "-w", path, text])


def flite_voices() -> list[str]:
    """flite's general built-in voices (awb_time speaks the time of day only); none where flite is not installed."""
    if shutil.which("flite") is None:
        return []
    listed = subprocess.run(["flite", "-lv"], capture_output=True, text=True, check=True).stdout.split(":")[-1].split()
    return [voice for voice in listed if not voice.endswith("_time")]


def flite_check_voices() -> list[str]:
    """flite's voices the gate never learns from (all but FLITE_FIT_VOICES): the benchmarks' check."""
    return [voice for voice in flite_voices() if voice not in FLITE_FIT_VOICES]


def flite(voices: list[str] | tuple[str, ...], sentences: tuple[str, ...]) -> list[np.ndarray]:
    """Each sentence in each flite voice (another engine than espeak-ng's)."""
    return _spoken(voices, sentences, lambda voice, text, path: ["flite", "-voice", voice, "-t", text, "-o", path])


def _spoken(voices, sentences, command) -> list[np.ndarray]:
    clips = []
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "sentence.wav")
        for voice in voices:
            for text in sentences:
                subprocess.run(command(voice, text, path), check=True, capture_output=True)
                clips.append(decode_audio(path, SAMPLE_RATE))
    return clips


def fit_clips() -> list[np.ndarray]:
    """The synthetic clips the gate learns from: FIT_VOICES and FLITE_FIT_VOICES reading FIT_SENTENCES. Raises
    where an engine is missing: a gate fitted without it would be another gate."""
    missing = [engine for engine in ("espeak-ng", "flite") if shutil.which(engine) is None]
    if missing:
        raise SystemExit(f"the gate learns from synthetic voices: install {' and '.join(missing)} "
                         "(Debian: apt-get install espeak-ng flite)")
    return espeak(FIT_VOICES, FIT_SENTENCES) + flite(FLITE_FIT_VOICES, FIT_SENTENCES)


PART_SECONDS = (1.0, 2.0)
"""The middle parts of each synthetic clip the gate also learns from: the lengths of the training CLI's part windows of
real clips (so length alone tells nothing), which a stream's first windows and a one-word upload resemble."""


def middle_parts(clips: list[np.ndarray], seconds: tuple[float, ...] = PART_SECONDS) -> list[np.ndarray]:
    """Each clip's middle `seconds` (the whole clip where shorter), one list per length, one after the other."""
    out = []
    for length in seconds:
        samples = int(length * SAMPLE_RATE)
        out += [clip[max(0, (len(clip) - samples) // 2):][:samples] for clip in clips]
    return out


def backwards(clips: list[np.ndarray]) -> list[np.ndarray]:
    """Each clip played backwards: a voice's sound with no speech in it."""
    return [clip[::-1].copy() for clip in clips]
