"""The robustness benchmark's scores (benchmarks/speech_robustness.py): "not sure" is an abstention, never a class.

The benchmark itself takes minutes over whole data sets; these tests call its scoring functions on
a few rows written here and on a few clips the shipped model reads (a synthetic voice, a recorded
one, hum).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from conftest import REPO
from emotion.labels import VOICE_CLASSES
from media import hum, recorded_voice_16k, speech_16k

sys.path.insert(0, str(REPO / "benchmarks"))
import speech_robustness as bench  # noqa: E402

NEUTRAL, HAPPY, ANGRY = (VOICE_CLASSES.index(name) for name in ("neutral", "happy", "angry"))
EVEN = np.full(len(VOICE_CLASSES), 1 / len(VOICE_CLASSES))  # what the gate of unfamiliar sound gives


def _confident(k: int) -> np.ndarray:
    row = np.full(len(VOICE_CLASSES), 0.2 / (len(VOICE_CLASSES) - 1))
    row[k] = 0.8
    return row


def test_even_odds_and_no_speech_are_abstentions_never_neutral():
    """Three neutral clips read even odds: argmax would call all three right. At the card's threshold they give no
    answer: wrong in the accuracy, out of the answered accuracy and the class shares; coverage says so."""
    probs = np.vstack([EVEN, EVEN, EVEN, np.zeros(len(VOICE_CLASSES)), _confident(HAPPY), _confident(HAPPY),
                       _confident(ANGRY), _confident(NEUTRAL)])
    labels = np.array([NEUTRAL, NEUTRAL, NEUTRAL, NEUTRAL, HAPPY, ANGRY, ANGRY, NEUTRAL])
    result = bench.model_answer_scores(labels, probs, not_sure_below=0.43)
    assert result["n"] == 8 and result["coverage"] == 0.5
    assert result["accuracy"] == pytest.approx(3 / 8, abs=1e-4)  # "not sure" and no speech count as wrong
    assert result["answered_accuracy"] == 0.75
    assert result["top_class"] == "happy" and result["top_class_share"] == 0.5  # not neutral: even odds gave no answer
    assert result["not_sure_share"] == pytest.approx(3 / 8, abs=1e-4) and result["no_speech_share"] == 0.125
    assert 0 < result["macro_f1"] < 1
    argmax = bench.model_answer_scores(labels, probs, not_sure_below=0.0)  # with no threshold, even odds read neutral
    assert argmax["accuracy"] == pytest.approx(6 / 8, abs=1e-4) and argmax["coverage"] == 0.875


def test_arousal_counts_a_clip_without_an_answer_as_wrong():
    """Even odds sum to 5/8 aroused: a neutral clip read "not sure" must not count as rightly calm."""
    probs = np.vstack([EVEN, _confident(NEUTRAL), _confident(ANGRY), _confident(HAPPY)])
    labels = np.array([NEUTRAL, NEUTRAL, ANGRY, HAPPY])
    given = bench.answers(probs, 0.43)
    assert bench.arousal_balanced_accuracy(labels, probs, given) == 0.75  # calm clips: 1 of 2; aroused: 2 of 2
    assert bench.arousal_balanced_accuracy(labels, probs, bench.answers(probs)) == 0.75  # the even odds: aroused, wrong
    angry_even = np.vstack([EVEN, _confident(NEUTRAL)])  # an angry clip read "not sure": wrong, not rightly aroused
    assert bench.arousal_balanced_accuracy(np.array([ANGRY, NEUTRAL]), angry_even, bench.answers(angry_even, 0.43)) == 0.5
    assert bench.arousal_balanced_accuracy(np.array([ANGRY, NEUTRAL]), angry_even, bench.answers(angry_even)) == 1.0
    assert bench.arousal_balanced_accuracy(np.array([NEUTRAL]), probs[1:2], given[1:2]) == 1.0  # one group only


def test_the_baseline_always_answers_and_the_summary_reads_the_targets_on_accuracy_with_abstentions():
    labels = np.array([NEUTRAL, HAPPY, ANGRY, ANGRY])
    baseline = bench.scores(labels, np.array([NEUTRAL, HAPPY, HAPPY, ANGRY]))
    assert baseline["coverage"] == 1.0 and baseline["accuracy"] == baseline["answered_accuracy"] == 0.75
    clean = {"n": 10, "coverage": 1.0, "accuracy": 0.7, "answered_accuracy": 0.7, "top_class": "happy",
             "top_class_share": 0.2}
    # Under noise it answers half the clips, all of them right: 50% counting "not sure" as wrong, 20 points down.
    noisy = clean | {"coverage": 0.5, "accuracy": 0.5, "answered_accuracy": 1.0, "top_class_share": 0.25}
    results = {bench.CLEAN: {"model": clean}, "pink_noise_10db": {"model": noisy}}
    summary = bench.summary({name: {"model": r["model"] | {"arousal_balanced_accuracy": 0.8}}
                             for name, r in results.items()}, "model")
    assert summary["worst_shift"] == "pink_noise_10db" and summary["largest_drop_points"] == 20.0
    assert summary["worst_shift_coverage"] == 0.5 and summary["worst_shift_answered_accuracy"] == 1.0
    assert summary["clean_coverage"] == 1.0 and summary["lowest_coverage_under"] == "pink_noise_10db"
    assert not summary["meets_targets"]


def test_the_benchmark_scores_real_clips_with_coverage(tmp_path, speech_classifier):
    """A synthetic voice (even odds, unfamiliar), hum (no speech) and recorded voices, read as uploads by the shipped
    model and scored as the benchmark scores a set, labelled neutral: the synthetic clip is never a right neutral."""
    from emotion.registry import SPEECH, not_sure_below

    threshold = not_sure_below(SPEECH)
    recorded = recorded_voice_16k(3)  # neutral, calm, happy: the first validation clip of each
    clips = [speech_16k(tmp_path), hum(3.0), *recorded]
    labels = np.array([NEUTRAL, NEUTRAL, *range(3)])
    clip_scores = speech_classifier.score_clips(clips)
    result = bench.model_scores(labels, clip_scores, threshold)
    assert result["n"] == 5 and result["no_speech_share"] == 0.2 and result["unfamiliar_share"] == 0.2
    assert result["coverage"] <= 0.6 and result["not_sure_share"] >= 0.2
    assert result["accuracy"] <= 0.6
    assert result["coverage"] + result["not_sure_share"] + result["no_speech_share"] == pytest.approx(1.0, abs=1e-3)
    alone = bench.model_scores(labels[:1], bench.rows_of(clip_scores, np.array([0])), threshold)
    assert alone["coverage"] == 0.0 and alone["accuracy"] == 0.0 and alone["top_class"] is None
    shares = bench.reading_shares(clip_scores, threshold)
    assert shares["emotion_share"] == result["coverage"] and shares["not_sure_share"] == result["not_sure_share"]
