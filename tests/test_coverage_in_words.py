"""README and the Models page say how often the voice answered (coverage) beside how often its answers were right.

A card written by the evaluate CLI since issue 39 has `coverage`, `answered_accuracy` and the largest class's share,
for RAVDESS and each other corpus, and recall per class over the answered clips with `per_class_coverage` beside it;
the tests write such a card and such a robustness result. A card or result without those keys (written before) is
described as it was, accuracy alone.
"""

from __future__ import annotations

import json

import numpy as np
from streamlit.testing.v1 import AppTest

from conftest import REPO
from emotion import registry
from emotion.labels import VOICE_CLASSES
from emotion.train import readme


def _scores(n: int, coverage: float, answered_accuracy: float, top_class: str, top_share: float) -> dict:
    return {"n": n, "coverage": coverage, "accuracy": round(coverage * answered_accuracy, 4),
            "answered_accuracy": answered_accuracy, "top_class": top_class, "top_class_share": top_share,
            "macro_f1": 0.6, "not_sure_below": 0.43}


def _card() -> dict:
    recall = dict(zip(VOICE_CLASSES, (0.9, 0.7, 0.45, 0.6, 0.8, 0.65, 0.95, 0.75)))
    confusion = {"classes": list(VOICE_CLASSES), "rows_true_columns_predicted": (10 * np.eye(8, dtype=int)).tolist()}
    metrics = {"split": "test", "actors": [19, 20, 21, 22, 23, 24], **_scores(360, 0.9, 0.8, "disgust", 0.18),
               "per_class_recall": recall, "per_class_coverage": {name: 0.85 for name in VOICE_CLASSES},
               "confusion": confusion, "ece": 0.05, "ece_if_calibrated": 0.04, "ms_per_window": 6.5,
               "nemo": {"speakers": ["nemo_IC0", "nemo_SM0"], **_scores(288, 0.75, 0.6, "angry", 0.36), "ece": 0.1},
               "emovo": {"speakers": ["emovo_f3", "emovo_m3"], **_scores(168, 0.7, 0.4, "sad", 0.3), "ece": 0.12}}
    return {"model": "speech", "title": registry.SPEECH.title, "date": "2026-12-06", "metrics": metrics,
            "training": {}, "evaluation_command": "python -m emotion.train.evaluate speech ...", "not_sure_below": 0.43,
            "limits": ["Acted emotions only."], "intended_use": "Demonstrating emotions."}


def _spec(tmp_path, card: dict) -> registry.ModelSpec:
    (tmp_path / "speech.json").write_text(json.dumps(card))
    return registry.SPEECH._replace(card=tmp_path / "speech.json")


def test_readme_says_coverage_answered_accuracy_and_the_largest_class_for_every_corpus(tmp_path):
    lines = readme._model_lines(_spec(tmp_path, _card()))
    assert lines[0].count('counting "not sure" as wrong') == 1
    assert "accuracy 72.0% counting \"not sure\" as wrong, coverage 90.0%" in lines[0]
    assert "80.0% of the answers right, the largest class (disgust) 18% of the answers" in lines[0]
    nemo, emovo = (next(line for line in lines if line.startswith(f"  - {name} (")) for name in ("nEMO", "EMOVO"))
    assert "accuracy 45.0% counting \"not sure\" as wrong, coverage 75.0%" in nemo and "(angry) 36%" in nemo
    assert "EMOVO (Italian; speakers f3, m3" in emovo and "coverage 70.0%" in emovo and "40.0% of the answers right" in emovo


def test_readme_falls_back_to_accuracy_alone_for_a_card_without_coverage(tmp_path):
    card = _card()
    for scores in (card["metrics"], card["metrics"]["nemo"]):
        for key in ("coverage", "answered_accuracy", "top_class", "top_class_share"):
            scores.pop(key)
    del card["metrics"]["emovo"]
    lines = readme._model_lines(_spec(tmp_path, card))
    assert "**: accuracy 72.0%, macro-F1 0.600" in lines[0] and "coverage" not in " ".join(lines)
    assert any(line.startswith("  - nEMO (Polish; speakers IC0, SM0, never trained on): accuracy 45.0%, macro-F1")
               for line in lines)


def _robustness(with_coverage: bool) -> dict:
    def summary(clean: float, worst: float) -> dict:
        out = {"clean_accuracy": clean, "worst_shift": "all", "worst_shift_accuracy": worst, "largest_drop_points": 10.0,
               "largest_top_class_share": 0.25, "largest_top_class_share_under": "all", "largest_top_class": "happy"}
        if with_coverage:
            out |= {"clean_coverage": 0.92, "clean_answered_accuracy": round(clean / 0.92, 4), "worst_shift_coverage": 0.8,
                    "worst_shift_answered_accuracy": round(worst / 0.8, 4), "lowest_coverage": 0.8,
                    "lowest_coverage_under": "all"}
        return out

    def result(accuracy: float) -> dict:
        return {"model": {"accuracy": accuracy, "top_class_share": 0.2, "top_class": "happy"}}

    out = {"split": "test", "quick": False, "shifts": {"all": {}},
           "targets": {"max_drop_points": 5.0, "max_top_class_share": 0.3},
           "sets": {"ravdess": {"title": "RAVDESS actors 19-24", "n": 360}},
           "summary": {"ravdess": {"model": summary(0.7, 0.6), "baseline_mfcc_svm": summary(0.45, 0.13)}},
           "results": {"ravdess": {"clean": result(0.7), "all": result(0.6)}}}
    if with_coverage:
        out["not_sure_below"] = 0.43
        out["summary"]["ravdess"]["baseline_mfcc_svm"] |= {"clean_coverage": 1.0, "worst_shift_coverage": 1.0}
    return out


def test_robustness_lines_say_coverage_where_the_result_has_it():
    intro, line = readme._robustness_lines(_robustness(with_coverage=True))
    assert "\"not sure\" threshold (43%): accuracy counts \"not sure\" and no speech as wrong" in intro
    assert "70.0% clean (92% answered, 76.1% of them right), 60.0% under `all` (80% answered, 75.0% of them right)" in line
    assert "at worst 80% of the clips answered (under `all`)" in line and "baseline (it always answers)" in line
    old_intro, old_line = readme._robustness_lines(_robustness(with_coverage=False))
    assert "answered" not in old_intro + old_line and "70.0% clean, 60.0% under `all`;" in old_line


def test_models_page_says_how_often_the_voice_answered_and_how_often_it_was_right(tmp_path, monkeypatch):
    spec = _spec(tmp_path, _card())
    monkeypatch.setattr(registry, "ALL_MODELS", (registry.FACE, spec))
    app = AppTest.from_file(str(REPO / "app_pages" / "models.py"), default_timeout=60).run()
    assert not app.exception, app.exception
    plain = [m.value for m in app.main.markdown if m.value.startswith(("**Good at**", "**Weak at**"))]
    voice_good, voice_weak = plain[2:]
    assert ("On voices it never heard in training it answers about 9 in 10 times and says \"not sure\" otherwise; when it "
            "answers it is right about 8 in 10 times (about 7 in 10 of all the voices).") in voice_good
    assert "when it answers for them it finds them only" in voice_weak
    assert "in Polish it answers about 8 in 10 times" in voice_weak and "in Italian it answers about 7 in 10 times" in voice_weak
    voice = app.expander[1]
    shown = {metric.label: metric.value for metric in voice.metric}
    assert shown["Answered (coverage)"] == "90.0%" and shown["Right when it answered"] == "80.0%"
    assert shown["Accuracy on unseen test data, \"not sure\" counted as wrong"] == "72.0%"
    assert shown["Largest class's share of the answers"] == "18%"
    assert {"Macro-F1", "Calibration error (ECE)", "Time per 3 s window"} <= set(shown)
    captions = " ".join(caption.value for caption in voice.caption)
    assert "(EMOVO, 168 clips): accuracy 28.0% counting \"not sure\" as wrong; it answered 70.0% of the clips" in captions
    assert "recall counts only the examples the model answered" in captions
    face = {metric.label for metric in app.expander[0].metric}  # the face card has no coverage yet: accuracy alone
    assert len(face) == 4 and "Answered (coverage)" not in face


def test_recall_bars_show_each_class_coverage_beside_its_recall():
    from emotion.charts import recall_bars

    figure = recall_bars({"happy": 0.8, "sad": 0.5}, "Recall", {"happy": 0.9, "sad": 0.6})
    assert list(figure.data[0].text) == ["80% · 90% answered", "50% · 60% answered"]
    assert list(recall_bars({"happy": 0.8}).data[0].text) == ["80%"]
