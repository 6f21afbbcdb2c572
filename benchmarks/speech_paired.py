"""Is a speech candidate better than a baseline beyond clip noise? A paired bootstrap on validation speakers.

    .venv/bin/python benchmarks/speech_paired.py --candidate A.tflite [B.tflite ...] \
        --baseline S1.tflite [S2.tflite ...] [--reading uploads|session] > result.json

Prints one JSON object; progress goes to stderr. Why: the validation sets are a few speakers
(one RAVDESS validation clip is 0.8 points, one nEMO clip 0.35), and earlier choices were made on
differences smaller than one clip. This reads every validation clip (clean) with each model and
says how far apart two readings are, with a 90% interval from resampling the clips within each
speaker (`emotion.metrics.paired_bootstrap`), both corpora weighing the same.

Each model reads only the validation speakers it never heard: a run trained with `--train-also`
(emotion/train/speech.py; its .train.json beside the .tflite keeps the command) skips those. A
group's reading of a clip is the share of its models that read it and got it right, so a group of
single networks is compared as single networks (the mean of its models), and two runs that swap
validation halves read every clip once, each with the network that never heard its speaker.
`--reading session` reads each clip against its speaker's voice over all their clips (Live, in a
long session) instead of the clip's own (an upload); `--reading stream` reads each speaker's clips
as Live does, one stream through the app's SpeechStream in a seeded random order, a clip's reading
the mean of those whose window is centred in it. A clip is right where its answer at the shipped
card's "not sure" threshold is its label (`emotion.metrics.answers`): "not sure" and no speech are
wrong, never a class. `--average-candidate` reads the candidate's models as one model whose
probabilities are their mean (e.g. the CNN ensemble beside the Whisper-encoder model), as uploads.
Validation only: the test split chooses nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]
from speech_robustness import (AveragedModels, evaluation_sets, model_facts,  # noqa: E402
                               speaker_session_probabilities, speaker_stream_probabilities)

from emotion.data_dir import data_dir  # noqa: E402
from emotion.metrics import answers, paired_bootstrap  # noqa: E402
from emotion.registry import SPEECH, not_sure_below, speech_classifier  # noqa: E402
from emotion.speech.corpus import load_clips  # noqa: E402

DRAWS = 2000


def heard_validation_speakers(tflite: Path) -> set[str]:
    """The validation speakers a model trained on (`--train-also` in any of its training commands)."""
    from emotion.train.speech import training_arguments

    record = json.loads(tflite.with_suffix(".train.json").read_text())
    return {speaker for args in training_arguments(record["training_commands"]) for speaker in args.train_also}


def _log(message: str) -> None:
    print(f"[speech_paired {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", type=Path, nargs="+", required=True)
    parser.add_argument("--baseline", type=Path, nargs="+", required=True)
    parser.add_argument("--reading", choices=("uploads", "session", "stream"), default="uploads")
    parser.add_argument("--average-candidate", action="store_true",
                        help="read the candidate's models as one, their probabilities averaged (uploads reading)")
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    if args.average_candidate and args.reading != "uploads":
        parser.error("--average-candidate reads clips as uploads only")
    table, sets, _ = evaluation_sets(data_dir(args.data_dir), "val", quick=False)
    clips, labels, speakers = load_clips(list(table.file)), table.label.to_numpy(), table.speaker.to_numpy()
    right: dict[str, np.ndarray] = {}  # per model: 1/0 per clip, NaN where it heard the speaker
    threshold = not_sure_below(SPEECH)
    models = {}
    readers = {str(path): [path] for path in dict.fromkeys([*args.candidate, *args.baseline])}
    if args.average_candidate:
        candidate = " + ".join(map(str, args.candidate))
        readers = {candidate: args.candidate} | {str(path): [path] for path in args.baseline}
        args.candidate = [candidate]
    for name, paths in readers.items():
        classifier = speech_classifier(paths[0]) if len(paths) == 1 else AveragedModels([speech_classifier(p) for p in paths])
        probs = {"session": lambda: speaker_session_probabilities(classifier, clips, speakers),
                 "stream": lambda: speaker_stream_probabilities(classifier, clips, speakers),
                 "uploads": lambda: classifier.score_clips(clips).probabilities}[args.reading]()
        heard = set().union(*(heard_validation_speakers(path) for path in paths))
        right[name] = np.where(np.isin(speakers, list(heard)), np.nan, (answers(probs, threshold) == labels).astype(float))
        models[name] = {**({"averaged": [model_facts(p) for p in paths]} if len(paths) > 1 else model_facts(paths[0])),
                        "heard_validation_speakers": sorted(heard),
                        "accuracy": {s.name: float(np.nanmean(right[name][s.rows])) for s in sets}}
        _log(f"{name}: {models[name]['accuracy']}")

    def group(paths: list[Path]) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.nanmean(np.stack([right[str(p)] for p in paths]), axis=0)

    readings = {"candidate": group(args.candidate), "baseline": group(args.baseline)}
    for name, reading in readings.items():
        unread = [s.name for s in sets if np.isnan(reading[s.rows]).any()]
        if unread:
            sys.exit(f"no {name} model reads every speaker of {unread}: each needs one that never heard them")
    draws = paired_bootstrap([readings["candidate"][s.rows] for s in sets], [readings["baseline"][s.rows] for s in sets],
                             [speakers[s.rows] for s in sets], DRAWS)
    accuracy = {name: {s.name: float(r[s.rows].mean()) for s in sets} for name, r in readings.items()}
    print(json.dumps({
        "benchmark": "speech_paired",
        "split": "val",
        "reading": args.reading,
        "not_sure_below": threshold,
        "sets": {s.name: {"n": len(s.rows), "speakers": s.speakers, "one_clip_points": round(100 / len(s.rows), 2)}
                 for s in sets},
        "models": models,
        "accuracy": {name: {**by_set, "mean": float(np.mean(list(by_set.values())))} for name, by_set in accuracy.items()},
        "difference": {"mean": float(np.mean([accuracy["candidate"][s.name] - accuracy["baseline"][s.name] for s in sets])),
                       "interval_90": [float(v) for v in np.percentile(draws, [5, 95])],
                       "draws": DRAWS, "resampled": "clips within each speaker, the same draw for both readings"},
    }, indent=1))


if __name__ == "__main__":
    main()
