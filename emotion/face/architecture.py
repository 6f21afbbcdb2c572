"""The facial-expression network's shape, in one place for every framework that builds it.

Training runs in PyTorch (emotion/train/face.py, which uses this CPU's bf16 units and a GPU
where there is one); the app ships the same network as Keras/.tflite (emotion/face/network.py).
Both builders read the widths and the layer names from here, and the port copies weights by
these names, so a change of shape is one edit and the port cannot pair the wrong layers.

A VGG-style stack: blocks of 3x3 conv + batch norm + ReLU, each block ending in a 2x2 max-pool
(48 -> 24 -> 12 -> 6 -> 3), then global average pooling and one dense layer to 7 logits. It
reads 48x48 grey pixels in 0..255 and scales them by 1/255 itself.
"""

from __future__ import annotations

from typing import NamedTuple

FACE_SIZE = 48
"""FER2013 faces are 48x48 grey crops; the network's input."""

BLOCK_WIDTHS: tuple[int, ...] = (64, 128, 256, 512)
"""Filters per block (4.7 M parameters): the size of the published 72-73% FER2013 networks."""

CONVS_PER_BLOCK = 2

BN_EPSILON = 1e-3
"""Batch-norm epsilon (Keras's default); the PyTorch twin uses the same, so ported outputs match."""


class ConvLayer(NamedTuple):
    name: str  # "b2a": block 2, first conv; its batch norm is "<name>_bn" in Keras
    block: int
    in_channels: int
    out_channels: int
    pools: bool  # the block's last conv: a 2x2 max-pool follows it


def scaled_widths(scale: float) -> tuple[int, ...]:
    """BLOCK_WIDTHS times `scale` (at least 8 filters a block): a narrower network costs about
    scale² of the multiply-adds, for the 2 ms a face a slower CPU needs (issue 40)."""
    return tuple(max(8, round(width * scale)) for width in BLOCK_WIDTHS)


def conv_layers(widths: tuple[int, ...] = BLOCK_WIDTHS) -> list[ConvLayer]:
    """Every conv layer in order, with the names both builders and the port use."""
    layers, channels = [], 1
    for block, width in enumerate(widths, start=1):
        for index in range(CONVS_PER_BLOCK):
            last = index == CONVS_PER_BLOCK - 1
            layers.append(ConvLayer(f"b{block}{'abcdefgh'[index]}", block, channels, width, last))
            channels = width
    return layers


def multiply_adds(widths: tuple[int, ...] = BLOCK_WIDTHS) -> int:
    """Multiply-adds to read one face: the convolutions (3x3, 'same', halving the size at each pool) and the dense
    layer; what a CPU's time a face follows."""
    total, size = 0, FACE_SIZE
    for layer in conv_layers(widths):
        total += size * size * 9 * layer.in_channels * layer.out_channels
        size = size // 2 if layer.pools else size
    return total + widths[-1] * 7
