"""Temperature scaling and calibration error: making "92%" mean right about 92% of the time."""

from __future__ import annotations

import numpy as np

TEMPERATURE_GRID = np.geomspace(0.25, 8.0, 400)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    probs = softmax(logits, temperature)
    return float(-np.mean(np.log(probs[np.arange(len(labels)), labels] + 1e-12)))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The T minimising validation NLL of softmax(logits / T); a dense 1-D grid is plenty."""
    losses = [nll(logits, labels, t) for t in TEMPERATURE_GRID]
    return float(TEMPERATURE_GRID[int(np.argmin(losses))])


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by bin size."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            ece += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(ece)


def not_sure_threshold(probs: np.ndarray, labels: np.ndarray, bin_width: float = 0.05, min_count: int = 20) -> float:
    """The lowest top probability from which the top guess is right at least half the time.

    Predictions are binned by confidence on held-out data; the threshold is the lowest bin edge
    above which every bin with enough samples has accuracy >= 50%. Below it the app says
    "not sure": there the top guess is more often wrong than right.
    """
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.arange(0.0, 1.0, bin_width)
    threshold = 1.0
    for edge in edges[::-1]:
        members = (confidence >= edge) & (confidence < edge + bin_width)
        if members.sum() >= min_count and correct[members].mean() < 0.5:
            break
        threshold = float(edge)
    return round(threshold, 2)
