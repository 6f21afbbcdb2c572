"""Classification scores for the model cards: accuracy, macro-F1, recall per class, confusion."""

from __future__ import annotations

from typing import Any

import numpy as np

from emotion.calibration import calibrated_ece, expected_calibration_error


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) counts; rows are true classes, columns predicted ones."""
    matrix = np.zeros((n_classes, n_classes), np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def recall_and_f1(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Recall and F1 of each class of a square confusion matrix; 0 where a class never occurs
    or is never predicted (so an extra "no answer" class only counts against the others)."""
    true_counts, predicted_counts, hits = matrix.sum(axis=1), matrix.sum(axis=0), np.diag(matrix)
    recall = np.divide(hits, true_counts, out=np.zeros(len(hits)), where=true_counts > 0)
    precision = np.divide(hits, predicted_counts, out=np.zeros(len(hits)), where=predicted_counts > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(len(hits)), where=(precision + recall) > 0)
    return recall, f1


def score(probs: np.ndarray, labels: np.ndarray, classes: tuple[str, ...]) -> dict[str, Any]:
    """The numbers a model card reports for one labelled set.

    A row of zeros is no answer (a clip in which the model heard no speech): it counts as wrong,
    in the accuracy and in its class's recall, and in `unanswered`, never as the first class."""
    answered = probs.max(axis=1) > 0
    predictions = np.where(answered, probs.argmax(axis=1), len(classes))  # one past the classes: no answer
    matrix = confusion_matrix(labels, predictions, len(classes) + 1)
    recall, f1 = recall_and_f1(matrix)
    present = matrix[: len(classes)].sum(axis=1) > 0
    return {
        "n": int(len(labels)),
        "accuracy": float(np.mean(predictions == labels)),
        "macro_f1": float(f1[: len(classes)][present].mean()),
        "per_class_recall": {c: round(float(r), 4) for c, r, p in zip(classes, recall, present) if p},
        "confusion": {"classes": list(classes), "rows_true_columns_predicted": matrix[: len(classes), : len(classes)].tolist()},
        "unanswered": int(np.sum(~answered)),
        "ece": expected_calibration_error(probs, labels),
        "ece_if_calibrated": calibrated_ece(probs),
    }


def paired_bootstrap(candidate: list[np.ndarray], baseline: list[np.ndarray], groups: list[np.ndarray],
                     draws: int = 2000, seed: int = 0) -> np.ndarray:
    """`draws` values of (candidate - baseline) accuracy, averaged over sets, each set's clips
    resampled with replacement within its groups (speakers), the same draw for both readings.

    Why: validation sets of a few speakers are small (one RAVDESS validation clip is 0.8 points),
    so a choice needs the spread of the difference, not the difference alone. Inputs per set:
    each clip's correctness (1/0, or a share of networks right) for both readings, and its group."""
    rng = np.random.default_rng(seed)
    differences = np.zeros(draws)
    for cand, base, group in zip(candidate, baseline, groups):
        gap = np.asarray(cand, float) - np.asarray(base, float)
        members = [np.flatnonzero(group == g) for g in np.unique(group)]
        totals = np.zeros(draws)
        for rows in members:
            picks = rows[rng.integers(0, len(rows), (draws, len(rows)))]
            totals += gap[picks].sum(axis=1)
        differences += totals / len(gap)
    return differences / len(candidate)
