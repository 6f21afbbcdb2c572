"""Classification scores for the model cards: coverage, accuracy, macro-F1, recall per class, confusion."""

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


def answers(probs: np.ndarray, not_sure_below: float = 0.0) -> np.ndarray:
    """Each row's answer: its top class, or -1 where it gives none: a row of zeros (no speech heard)
    or, with `not_sure_below`, a top probability under it ("not sure", which even odds always are).
    An abstention is never a class: argmax of even odds would be the first class."""
    confidence = probs.max(axis=1) if len(probs) else np.zeros(0)
    return np.where((confidence > 0) & (confidence >= not_sure_below), probs.argmax(axis=1) if len(probs) else 0, -1)


def coverage_scores(given: np.ndarray, labels: np.ndarray, classes: tuple[str, ...]) -> dict[str, Any]:
    """How often a model answered and how often the answers are right: `coverage` (share of rows
    answered), `accuracy` (right answers over all rows: "not sure" and no speech count as wrong),
    `answered_accuracy` (over the answered rows), and the largest class's share of the answers
    (`top_class`, `top_class_share`: about 1/k on balanced data; one class taking most answers
    is a model guessing). `given` holds answers as `answers` returns them."""
    answered = given >= 0
    counts = np.bincount(given[answered], minlength=len(classes))
    return {
        "coverage": float(answered.mean()) if len(given) else None,
        "accuracy": float(np.mean(given == labels)) if len(given) else None,
        "answered_accuracy": float(np.mean(given[answered] == labels[answered])) if answered.any() else None,
        "top_class": classes[int(counts.argmax())] if answered.any() else None,
        "top_class_share": float(counts.max() / answered.sum()) if answered.any() else None,
    }


def answered_confusion(labels: np.ndarray, given: np.ndarray, classes: tuple[str, ...]) -> np.ndarray:
    """The confusion matrix with one column past the classes for rows without an answer (`given`
    -1), so that an abstention counts against its class's recall and never as a class."""
    return confusion_matrix(labels, np.where(given >= 0, given, len(classes)), len(classes) + 1)


def answer_scores(given: np.ndarray, labels: np.ndarray, classes: tuple[str, ...]) -> dict[str, Any]:
    """`n`, `coverage_scores` and macro-F1 over the classes present for answers as `answers` gives
    them: what a reading that has answers but no probabilities (a baseline) can be scored by."""
    _, f1 = recall_and_f1(answered_confusion(labels, given, classes))
    present = np.bincount(labels, minlength=len(classes))[: len(classes)] > 0
    return {"n": int(len(labels)), **coverage_scores(given, labels, classes),
            "macro_f1": float(f1[: len(classes)][present].mean())}


def score(probs: np.ndarray, labels: np.ndarray, classes: tuple[str, ...], not_sure_below: float = 0.0) -> dict[str, Any]:
    """The numbers a model card reports for one labelled set.

    A row gives no answer when it is all zeros (a clip in which the model heard no speech) or its
    top probability is under `not_sure_below` (the page says "not sure"). No answer counts as wrong
    in `accuracy`, and is never counted as a class: `coverage` says how often the model answered,
    `answered_accuracy` how often those answers are right, `per_class_recall` is over each class's
    answered rows with `per_class_coverage` beside it, the confusion matrix holds answered rows
    only, and macro-F1 counts an unanswered row against its class's recall."""
    given = answers(probs, not_sure_below)
    answered = given >= 0
    matrix = answered_confusion(labels, given, classes)
    answered_recall, _ = recall_and_f1(matrix[: len(classes), : len(classes)])
    totals = matrix[: len(classes)].sum(axis=1)
    present = totals > 0
    class_coverage = np.divide(matrix[: len(classes), : len(classes)].sum(axis=1), totals, out=np.zeros(len(classes)),
                               where=present)
    return {
        **answer_scores(given, labels, classes),
        "not_sure_below": not_sure_below,
        "per_class_recall": {c: round(float(r), 4) for c, r, p in zip(classes, answered_recall, present) if p},
        "per_class_coverage": {c: round(float(k), 4) for c, k, p in zip(classes, class_coverage, present) if p},
        "confusion": {"classes": list(classes), "rows_true_columns_predicted": matrix[: len(classes), : len(classes)].tolist()},
        "unanswered": int(np.sum(~answered)),
        "no_speech": int(np.sum(~probs.any(axis=1))) if len(probs) else 0,
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
