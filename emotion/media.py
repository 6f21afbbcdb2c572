"""Decoding with PyAV: uploads, data-set files and WebRTC frames all become numpy arrays here."""

from __future__ import annotations

import io
import os
from typing import BinaryIO

import av
import numpy as np

AudioSource = str | os.PathLike[str] | BinaryIO | bytes


def _open(source: AudioSource) -> av.container.InputContainer:
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    return av.open(source if not isinstance(source, os.PathLike) else os.fspath(source), mode="r")


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
