"""The speech-emotion network: a small CNN over log-mel + delta, in plain Keras 3.

Outputs logits in RAVDESS order; the shipped model appends temperature scaling and a softmax
(emotion.face.network.with_temperature serves both models).
"""

from __future__ import annotations

import keras

from emotion.labels import VOICE_CLASSES
from emotion.speech.features import FEATURE_SHAPE

BLOCK_WIDTHS = (24, 48, 96, 128)


def build_speech_network(dropout: float = 0.4) -> keras.Model:
    """(n, 64, 301, 2) standardised log-mel + delta -> (n, 8) logits in RAVDESS order."""
    inputs = keras.Input(FEATURE_SHAPE, name="log_mel")
    x = inputs
    for block, filters in enumerate(BLOCK_WIDTHS, start=1):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"b{block}_conv")(x)
        x = keras.layers.BatchNormalization(name=f"b{block}_bn")(x)
        x = keras.layers.ReLU(name=f"b{block}_relu")(x)
        # Pool time harder than frequency: emotion lives in slow prosody and in the spectral shape.
        x = keras.layers.MaxPooling2D((2, 2) if block < 4 else (2, 3), name=f"b{block}_pool")(x)
        x = keras.layers.SpatialDropout2D(0.1, name=f"b{block}_drop")(x)
    # Average over time, keep the frequency profile: (n, f, t, c) -> (n, f * c)
    n_freq, n_time, channels = x.shape[1:]
    x = keras.layers.Permute((2, 1, 3), name="time_first")(x)
    x = keras.layers.Reshape((n_time, n_freq * channels), name="frames")(x)
    x = keras.layers.GlobalAveragePooling1D(name="time_mean")(x)
    x = keras.layers.Dropout(dropout, name="head_drop")(x)
    x = keras.layers.Dense(128, activation="relu", name="hidden")(x)
    x = keras.layers.Dropout(dropout, name="hidden_drop")(x)
    logits = keras.layers.Dense(len(VOICE_CLASSES), name="logits")(x)
    return keras.Model(inputs, logits, name="speech_net")
