"""The speech-emotion network: a 1-D CNN over time on log-mel + delta, in plain Keras 3.

Each 10 ms frame's 64 mel bands and their deltas form one 128-channel time step; four
convolution blocks see ever longer stretches of the voice (prosody lives at 100 ms - 1 s), and
average + max pooling over time summarise the window. A 2-D CNN over the spectrogram image
cost more and, on the same data, was still near chance after ten epochs where this one learned.
Outputs logits in RAVDESS order; the shipped model adds temperature and softmax.
"""

from __future__ import annotations

import keras

from emotion.labels import VOICE_CLASSES
from emotion.speech.features import FEATURE_SHAPE

BLOCKS = ((128, 5), (128, 5), (192, 3), (256, 3))
"""(filters, kernel) per block; each block halves the time resolution."""


def build_speech_network(dropout: float = 0.4) -> keras.Model:
    """(n, 64, 301, 2) standardised log-mel + delta -> (n, 8) logits in RAVDESS order."""
    n_mels, n_frames, channels = FEATURE_SHAPE
    inputs = keras.Input(FEATURE_SHAPE, name="log_mel")
    x = keras.layers.Permute((2, 1, 3), name="time_first")(inputs)
    x = keras.layers.Reshape((n_frames, n_mels * channels), name="frames")(x)
    x = keras.layers.SpatialDropout1D(0.1, name="band_drop")(x)
    for block, (filters, kernel) in enumerate(BLOCKS, start=1):
        x = keras.layers.Conv1D(filters, kernel, padding="same", use_bias=False, name=f"b{block}_conv")(x)
        x = keras.layers.BatchNormalization(name=f"b{block}_bn")(x)
        x = keras.layers.ReLU(name=f"b{block}_relu")(x)
        x = keras.layers.MaxPooling1D(2, name=f"b{block}_pool")(x)
    pooled = keras.layers.Concatenate(name="summary")(
        [keras.layers.GlobalAveragePooling1D(name="time_mean")(x), keras.layers.GlobalMaxPooling1D(name="time_max")(x)]
    )
    x = keras.layers.Dropout(dropout, name="head_drop")(pooled)
    logits = keras.layers.Dense(len(VOICE_CLASSES), name="logits")(x)
    return keras.Model(inputs, logits, name="speech_net")
