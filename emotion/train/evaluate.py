"""Score a shipped model on labelled data, print one JSON object, optionally write its model card.

    python -m emotion.train.evaluate face --npz PATH [--split test] [--ferplus-votes VOTES.npz] [--card models/face.json]
    python -m emotion.train.evaluate speech --manifest CSV [--actors 19-24] [--card models/speech.json]

Face: any npz with x_<split> (n, h, w) uint8 grey face crops (resized to 48x48) and y_<split>
in FER2013 order; with --ferplus-votes the same faces are also scored against FER+'s majority of ten
votes (faces it gives no emotion of ours left out and counted; issue 40). Speech: any CSV with `path` (relative to the CSV) and `emotion` (RAVDESS
names); whole clips are scored window by window, as uploads are. Both go through the same
classifier code as the app. The test split should be read once, for the card; the "not sure"
threshold comes from the validation split (x_val / --val-actors), never from the test split.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import shlex
import sys
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from emotion.calibration import coverage_threshold, not_sure_threshold
from emotion.face.classify import FaceClassifier, resize_faces
from emotion.labels import FACE_CLASSES, VOICE_CLASSES
from emotion.metrics import score
from emotion.registry import FACE, SPEECH, speech_classifier, training_record
from emotion.registry import not_sure_below as card_not_sure_below
from emotion.speech.corpus import RAVDESS_SPLIT, load_clips, read_manifest
from emotion.speech.features import WINDOW_SAMPLES
from emotion.timing import median_ms

LIMITS = {
    "face": [
        "FER2013 faces were scraped from web image searches: mostly adults, posed or staged expressions, "
        "uneven across skin tones, ages and cultures; the labels are noisy (human accuracy is about 65%).",
        "Expressions are not feelings: a face can look happy without the person being happy.",
        "Disgust is rare in the training data and is recognised least reliably.",
        "Small faces, far from the camera or in a group photo, can be missed: more often on the live camera "
        "than in uploads, which also look at the picture in closer tiles (benchmarks/detector.py).",
        "Not a diagnostic or assessment tool.",
    ],
    "speech": [
        "Trained on acted emotions only: RAVDESS (24 adult North American actors, two English sentences), nEMO "
        "(9 adult Polish actors, many sentences) and, for its Whisper read-out only, EMOVO (6 adult Italian actors, 14 "
        "sentences); spontaneous speech, children, other languages and accents are harder: read on a corpus it never "
        "trained on, it answers less often and less often right (benchmarks/speech_loco.py).",
        "Rooms, noise, cheap microphones and phone-quality (8 kHz) sound lower its accuracy: see the robustness "
        "benchmark in the README.",
        "Calm and neutral sound alike and are often confused.",
        "Not a diagnostic or assessment tool.",
    ],
}


class Target(NamedTuple):
    """A goal an issue set for a model's test metrics; the card says whether the model meets it."""

    metric: str  # a key of the metrics, or "corpus.key" for a second corpus's
    words: str
    at_least: float | None = None
    at_most: float | None = None
    aim: float | None = None  # what the issue hopes for beyond the bound


TARGETS: dict[str, list[Target]] = {
    "face": [  # issue 40: PrivateTest with both label sets, calibration and cost
        Target("ferplus.accuracy", "FER2013 PrivateTest against FER+'s majority labels", at_least=0.85, aim=0.87),
        Target("accuracy", "FER2013 PrivateTest against its original labels", at_least=0.71),
        Target("ece", "expected calibration error (original labels)", at_most=0.03),
        Target("ferplus.ece", "expected calibration error (FER+ majority)", at_most=0.03),
        Target("ms_per_face", "milliseconds per face on LiteRT", at_most=2.0),
    ],
    "speech": [  # issue 39 (accuracy counts "not sure" as wrong; coverage: the share of clips answered), and 14's ECE
        Target("accuracy", "RAVDESS test actors' accuracy (\"not sure\" counted as wrong)", at_least=0.73),
        Target("coverage", "RAVDESS test actors' coverage", at_least=0.90),
        Target("nemo.accuracy", "nEMO test speakers' accuracy (\"not sure\" counted as wrong)", at_least=0.55),
        Target("nemo.coverage", "nEMO test speakers' coverage", at_least=0.90),
        Target("emovo.accuracy", "EMOVO test speakers' accuracy (\"not sure\" counted as wrong)", at_least=0.55),
        Target("emovo.coverage", "EMOVO test speakers' coverage", at_least=0.90),
        Target("ece", "RAVDESS test actors' expected calibration error", at_most=0.05),
    ],
}


def targets_met(kind: str, result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each of the model's targets with the measured value and whether it is met; none off the test split, which
    is what the targets are set on."""
    if result.get("split") != "test":
        return []
    rows = []
    for target in TARGETS.get(kind, []):
        corpus, _, key = target.metric.rpartition(".")
        value = (result.get(corpus, {}) if corpus else result).get(key)
        if value is None:  # not measured here (no second corpus given)
            continue
        met = (target.at_least is None or value >= target.at_least) and (target.at_most is None or value <= target.at_most)
        rows.append({**target._asdict(), "measured": value, "met": bool(met)})
    return rows


def _file_facts(path: Path) -> dict[str, Any]:
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def evaluate_face(args) -> tuple[dict[str, Any], dict[str, Any]]:
    classifier = FaceClassifier(args.model or FACE.tflite)
    with np.load(args.npz) as data:
        arrays = {k: data[k] for k in data.files}
    x, y = resize_faces(arrays[f"x_{args.split}"]), arrays[f"y_{args.split}"].astype(np.int64)
    probs = classifier.predict(x)
    result = {"model": "face", "data": str(args.npz), "split": args.split, **score(probs, y, FACE_CLASSES)}
    result["ms_per_face"] = median_ms(lambda: classifier.predict(x[:1]))
    extra: dict[str, Any] = {}
    if args.split != "train" and "x_train" in arrays:
        # FER2013 has exact duplicates across splits: report the score without them too.
        seen = {image.tobytes() for image in arrays["x_train"]}
        unseen = np.array([image.tobytes() not in seen for image in arrays[f"x_{args.split}"]])
        result["with_copy_in_train"] = int((~unseen).sum())
        result["accuracy_without_train_copies"] = float(np.mean(probs[unseen].argmax(axis=1) == y[unseen]))
    if args.ferplus_votes:
        result["ferplus"] = ferplus_scores(probs, y, args.ferplus_votes, args.split)
    if "x_val" in arrays:  # the threshold comes from validation faces: read them once, whichever split is scored
        val_probs = probs if args.split == "val" else classifier.predict(resize_faces(arrays["x_val"]))
        extra["not_sure_below"] = not_sure_threshold(val_probs, arrays["y_val"].astype(np.int64))
    return result, extra


def ferplus_scores(probs: np.ndarray, labels: np.ndarray, votes_file: Path, split: str) -> dict[str, Any]:
    """The same faces scored against FER+'s majority (emotion.train.ferplus): the faces it leaves out (counted per
    reason), how often its label and FER2013's disagree, and what the model reads the faces most voted contempt (no
    class of ours) as."""
    from emotion.train.ferplus import LEFT_OUT, read_votes

    votes = read_votes(votes_file, split)
    if len(votes.counts) != len(labels):
        raise SystemExit(f"{votes_file} has {len(votes.counts)} rows for the {split} split, the faces {len(labels)}")
    majority = votes.majority
    kept = majority != LEFT_OUT
    scores = score(probs[kept], majority[kept], FACE_CLASSES)
    contempt = votes.counts.argmax(axis=1) == votes.columns.index("contempt")
    read_as = np.bincount(probs[contempt].argmax(axis=1), minlength=len(FACE_CLASSES))
    agreement = by_agreement(probs[kept].argmax(axis=1), labels[kept], majority[kept])
    return {"votes": str(votes_file), "n": int(kept.sum()), "left_out": votes.left_out_reasons(),
            "labels_disagree": 1.0 - agreement["agree_share"], "by_agreement": agreement,
            **{key: scores[key] for key in ("accuracy", "macro_f1", "per_class_recall", "ece", "confusion")},
            "contempt_read_as": {c: int(k) for c, k in zip(FACE_CLASSES, read_as) if k}}


def by_agreement(predicted: np.ndarray, fer2013: np.ndarray, ferplus: np.ndarray) -> dict[str, Any]:
    """Why the two accuracies pull apart: accuracy where the label sets agree, and which label the model's answer
    matches where they disagree. Where they disagree, a right answer for one is a wrong one for the other, so the two
    accuracies together are bounded: ferplus + fer2013 <= 2 x agree_share x when_agree + disagree_share."""
    agree = fer2013 == ferplus
    split = predicted[~agree]
    return {"agree_share": float(agree.mean()),
            "accuracy_when_agree": float(np.mean(predicted[agree] == fer2013[agree])) if agree.any() else None,
            "when_disagree": {"ferplus": float(np.mean(split == ferplus[~agree])),
                              "fer2013": float(np.mean(split == fer2013[~agree])),
                              "neither": float(np.mean((split != ferplus[~agree]) & (split != fer2013[~agree])))}
            if (~agree).any() else None}


def _parse_actors(text: str | None) -> list[int] | None:
    if not text:
        return None
    actors: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        actors.extend(range(int(low), int(high or low) + 1))
    return actors


VOICE_ANSWERED = 0.95
"""The voice says "not sure" below the confidence that answers this share of the validation speakers' clips (the face:
below where its top guess turns more often wrong than right). Chosen leave-one-corpus-out (issue 39,
benchmarks/speech_loco.py) by rules written first: fitted on two corpora's validation speakers and read on the third
with the shipped gate, "more often wrong than right" answered 54% of the held-out corpora's clips on average and
"right less than a third of the time" 74%, 58% of nEMO's (its fitted threshold jumped from 0.21 to 0.46 across
folds), where the issue asks for 85%; answering 95% of the validation clips came closest in every corpus (71%, 88%,
84%; the gate silences most of the rest), with the most right answers counting "not sure" as wrong (31.3% against
29.4%), and synthetic voices still "not sure" 96% of the time."""
SECOND_CORPORA = ("nemo", "emovo")
"""Corpora scored beside RAVDESS on the speakers of the same split (their manifests name speakers)."""


def evaluate_speech(args) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every clip read as an upload is. The "not sure" threshold is fitted first, on the validation speakers of every
    corpus given (else the shipped card's), so each score says how often the model answered (`metrics.score`)."""
    model = args.model or SPEECH.tflite
    classifier = speech_classifier(model)
    table = read_manifest(args.manifest)
    actors = _parse_actors(args.actors)
    test = table[table.actor.isin(actors)] if actors else table
    split = {RAVDESS_SPLIT["val"]: "val", RAVDESS_SPLIT["test"]: "test"}.get(tuple(actors or ()), "all" if not actors else "chosen")
    others = {corpus: read_manifest(path) for corpus in SECOND_CORPORA if (path := getattr(args, f"{corpus}_manifest"))}
    extra: dict[str, Any] = {}
    val_actors = _parse_actors(args.val_actors)
    if val_actors:
        val = pd.concat([table[table.actor.isin(val_actors)], *(other[other.split == "val"] for other in others.values())])
        val_probs = classifier.score_clips(load_clips(list(val.file))).probabilities
        extra["not_sure_below"] = coverage_threshold(val_probs, VOICE_ANSWERED)
    threshold = extra.get("not_sure_below", card_not_sure_below(SPEECH))
    test_scores = classifier.score_clips(load_clips(list(test.file)))
    result = {"model": "speech", "data": str(args.manifest), "actors": actors, "split": split,
              **score(test_scores.probabilities, test.label.to_numpy(), VOICE_CLASSES, threshold),
              "clips_without_speech": test_scores.silent, "clips_unlike_every_voice": int(test_scores.unfamiliar.sum())}
    window = np.random.default_rng(0).uniform(-0.1, 0.1, WINDOW_SAMPLES).astype(np.float32)
    result["ms_per_window"] = median_ms(lambda: classifier.predict_windows([window]), runs=50)
    for corpus, other in others.items():
        # The same split of another corpus: its test speakers with the test actors, and so on.
        part = other[other.split == split] if split in ("val", "test") else other
        other_scores = classifier.score_clips(load_clips(list(part.file)))
        result[corpus] = {"data": str(getattr(args, f"{corpus}_manifest")), "speakers": sorted(part.speaker.unique().tolist()),
                          **score(other_scores.probabilities, part.label.to_numpy(), VOICE_CLASSES, threshold),
                          "clips_without_speech": other_scores.silent,
                          "clips_unlike_every_voice": int(other_scores.unfamiliar.sum())}
    return result, extra


def write_card(kind: str, result: dict[str, Any], extra: dict[str, Any], command: str, card: Path) -> None:
    """The model card: everything the app and README show about a model, from measurements."""
    spec = FACE if kind == "face" else SPEECH
    training = training_record(spec.weights)
    import keras  # only card writing needs Keras itself

    import emotion.export  # noqa: F401 - registers the speech pair's temperature layer
    import emotion.train.encoder  # noqa: F401 - registers the layers of models on Whisper's encoder
    import emotion.train.speaker  # noqa: F401 - registers the layer that reads a window against its speaker
    import emotion.train.unfamiliar  # noqa: F401 - registers the layers that read unfamiliar sound

    keras_model = keras.models.load_model(spec.weights)
    cv_file = spec.weights.with_suffix(".cv.json")
    files = [_file_facts(spec.weights), _file_facts(spec.tflite)]
    card_data = {
        "model": kind,
        "title": spec.title,
        "date": dt.date.today().isoformat(),
        "files": files,
        "parameters": int(keras_model.count_params()),
        "classes": list(FACE_CLASSES if kind == "face" else VOICE_CLASSES),
        "training": {k: v for k, v in training.items() if k != "history"},
        "evaluation_command": command,
        "metrics": {k: v for k, v in result.items() if k not in ("model",)},
        "cross_validation": json.loads(cv_file.read_text()) if cv_file.exists() else None,
        "targets": targets_met(kind, result),
        "limits": LIMITS[kind],
        "intended_use": "Demonstrating and practising emotions, and learning how emotion recognition works; "
        "not for diagnosis, assessment, surveillance or decisions about people.",
        **extra,
        "history": _history(card, files),
    }
    card.write_text(json.dumps(card_data, indent=1) + "\n")


def _history(card: Path, files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cards of the models this one replaced, newest first, in brief: a reader sees the step.
    Re-scoring the same files keeps the history as it was."""
    if not card.exists():
        return []
    previous = json.loads(card.read_text())
    if previous.get("files") == files:
        return previous.get("history", [])
    metrics = previous["metrics"]
    brief = {"date": previous["date"], "evaluation_command": previous["evaluation_command"],
             **{key: metrics[key] for key in ("split", "n", "accuracy", "macro_f1", "ece") if key in metrics}}
    for corpus in SECOND_CORPORA:
        if corpus in metrics:
            brief[f"{corpus}_accuracy"] = metrics[corpus]["accuracy"]
    if "coverage" in metrics:
        brief["coverage"] = metrics["coverage"]
    if "ferplus" in metrics:
        brief["ferplus_accuracy"] = metrics["ferplus"]["accuracy"]
    return [brief, *previous.get("history", [])]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="kind", required=True)
    face = sub.add_parser("face", help="score the face classifier on an npz of face crops")
    face.add_argument("--npz", type=Path, required=True)
    face.add_argument("--split", default="test")
    face.add_argument("--ferplus-votes", type=Path,
                      help="also score against FER+'s majority: its ferplus_votes.npz (rows aligned with --npz)")
    speech = sub.add_parser("speech", help="score the speech classifier on a CSV manifest")
    speech.add_argument("--manifest", type=Path, required=True)
    speech.add_argument("--actors", help="only these actors, e.g. 19-24 (needs an `actor` column)")
    speech.add_argument("--val-actors", help="actors for the not-sure threshold, e.g. 17-18")
    speech.add_argument("--nemo-manifest", type=Path,
                        help="also score nEMO's speakers of the same split (its validation speakers join the threshold)")
    speech.add_argument("--emovo-manifest", type=Path,
                        help="also score EMOVO's speakers of the same split (its validation speakers join the threshold)")
    for each in (face, speech):
        each.add_argument("--model", type=Path, help="a .tflite file (default: the shipped model)")
        each.add_argument("--card", type=Path, help="also write the model card here")
    args = parser.parse_args(argv)
    command = "python -m emotion.train.evaluate " + shlex.join(argv if argv is not None else sys.argv[1:])
    result, extra = evaluate_face(args) if args.kind == "face" else evaluate_speech(args)
    print(json.dumps({**result, **extra}))
    if args.card:
        write_card(args.kind, result, extra, command, args.card)


if __name__ == "__main__":
    main()
