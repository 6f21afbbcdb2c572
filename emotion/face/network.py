"""The facial-expression network in plain Keras 3: the shape that ships as models/face.keras.

Its weights come from the PyTorch training run (emotion/train/face.py ports them); the shape is
emotion/face/architecture.py's. The network outputs logits; the shipped model appends temperature
scaling and a softmax (emotion.export.with_temperature), so callers receive calibrated
probabilities.
"""

from __future__ import annotations

import keras

from emotion.face.architecture import BLOCK_WIDTHS, BN_EPSILON, FACE_SIZE, conv_layers
from emotion.labels import FACE_CLASSES


def build_face_network(widths: tuple[int, ...] = BLOCK_WIDTHS) -> keras.Model:
    """(n, 48, 48, 1) grey pixels in 0..255 -> (n, 7) logits in FER2013 order (inference shape:
    no dropout, which the training twin applies and which carries no weights)."""
    inputs = keras.Input((FACE_SIZE, FACE_SIZE, 1), name="face")
    x = keras.layers.Rescaling(1.0 / 255.0, name="scale")(inputs)
    for layer in conv_layers(widths):
        x = keras.layers.Conv2D(layer.out_channels, 3, padding="same", use_bias=False, name=f"{layer.name}_conv")(x)
        x = keras.layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{layer.name}_bn")(x)
        x = keras.layers.ReLU(name=f"{layer.name}_relu")(x)
        if layer.pools:
            x = keras.layers.MaxPooling2D(name=f"b{layer.block}_pool")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    logits = keras.layers.Dense(len(FACE_CLASSES), name="logits")(x)
    return keras.Model(inputs, logits, name="face_net")
