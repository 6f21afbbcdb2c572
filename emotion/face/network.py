"""The facial-expression network: a compact VGG-style CNN in plain Keras 3.

Plain `keras.layers` only, so the same code trains on TensorFlow here and on JAX or torch on a
GPU machine. The network outputs logits; the shipped model appends temperature scaling and a
softmax (emotion.export.with_temperature), so callers always receive calibrated probabilities.
"""

from __future__ import annotations

import keras

from emotion.face.classify import FACE_SIZE
from emotion.labels import FACE_CLASSES

BLOCK_WIDTHS = (24, 48, 96, 192)
"""Filters per block; each block halves the resolution (48 -> 24 -> 12 -> 6 -> 3)."""


def _conv_bn_relu(x, filters: int, name: str):
    x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.ReLU(name=f"{name}_relu")(x)


def build_face_network(dropout: float = 0.4) -> keras.Model:
    """(n, 48, 48, 1) grey pixels in 0..255 -> (n, 7) logits in FER2013 order."""
    inputs = keras.Input((FACE_SIZE, FACE_SIZE, 1), name="face")
    x = keras.layers.Rescaling(1.0 / 255.0, name="scale")(inputs)
    for block, filters in enumerate(BLOCK_WIDTHS, start=1):
        x = _conv_bn_relu(x, filters, f"b{block}a")
        x = _conv_bn_relu(x, filters, f"b{block}b")
        x = keras.layers.MaxPooling2D(name=f"b{block}_pool")(x)
        x = keras.layers.SpatialDropout2D(0.1, name=f"b{block}_drop")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    x = keras.layers.Dropout(dropout, name="head_drop")(x)
    logits = keras.layers.Dense(len(FACE_CLASSES), name="logits")(x)
    return keras.Model(inputs, logits, name="face_net")
