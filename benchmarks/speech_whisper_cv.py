"""Do two Whisper read-out recipes differ on speakers no choice was made on? Cross-validation over the training speakers.

    .venv/bin/python benchmarks/speech_whisper_cv.py --candidate NEW.train.json --baseline OLD.train.json > result.json

Prints one JSON object; progress goes to stderr. Why: the validation speakers are four (two per corpus), too few to
tell some differences from clip noise, and every choice so far has been made on them. The training speakers (21) are
only ever trained on, so they can hold each other out: a fair second opinion on the part of a model that training
makes, the read-out of Whisper's encoder (the CNNs beside it in a pair are not retrained here: their runs take hours).

Each record is a released model's training record (a Whisper model's, or a pair's, whose "whisper" part is read): its
Whisper release command names the recipe (run folder, stages, channels, `--speaker-k0`), and its record the stage and
head that validation chose. Each recipe's head is trained FOLDS times, each time without a fifth of the training
speakers (RAVDESS actors in groups of three or four, and one nEMO speaker), on the run folder's cached embeddings
(made there as the CLI makes them where missing), and reads the held-out speakers' centred clean windows: "uploads",
each window alone, and "session", each window against its speaker's other windows (the same as uploads for a recipe
that does not read the speaker). Per reading: each corpus's accuracy and the candidate-minus-baseline difference
with a 90% interval (`emotion.metrics.paired_bootstrap`: clips resampled within speakers, corpora weighing the same).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
import emotion.train.speech_whisper as whisper_cli  # noqa: E402
from emotion.metrics import paired_bootstrap  # noqa: E402
from emotion.speech.speaker import SPEAKER_INPUTS, SpeakerEmbeddings  # noqa: E402
from emotion.train.speaker import fitted, read_drawn, standardised  # noqa: E402
from emotion.train.speech import read_corpora  # noqa: E402

FOLDS = 5
DRAWS = 2000
READINGS = ("uploads", "session")


class Recipe(NamedTuple):
    """A Whisper read-out as its record says it was made."""

    command: str  # the Whisper model's release command
    args: argparse.Namespace  # its options
    stage: str
    head: dict  # hidden, l2


def recipe_of(record_path: Path) -> Recipe:
    record = json.loads(record_path.read_text())
    part = record.get("whisper", record)
    words = shlex.split(part["release_command"])
    args = whisper_cli.build_parser().parse_args(words[words.index("emotion.train.speech_whisper") + 1 :])
    head = {key: part["head"][key] for key in ("hidden", "l2")}
    return Recipe(part["release_command"], args, part["encoder"].get("stage", "final"), head)


def folds_of(speakers: np.ndarray) -> list[list[str]]:
    """FOLDS groups of training speakers: RAVDESS actors in consecutive groups, one nEMO speaker each."""
    ravdess = sorted(s for s in set(speakers) if s.startswith("ravdess"))
    others = sorted(set(speakers) - set(ravdess))
    return [list(group) + others[k :: FOLDS] for k, group in enumerate(np.array_split(ravdess, FOLDS))]


def speaker_sums(centred: np.ndarray, speakers: np.ndarray) -> list[np.ndarray]:
    """Each row's speaker inputs: those of its speaker's other rows (as the app reads an upload's windows)."""
    sums = {name: np.zeros((len(centred), 1 if name == "speaker_count" else centred.shape[1]), np.float32)
            for name in SPEAKER_INPUTS}
    for speaker in set(speakers):
        mine = speakers == speaker
        for name, values in SpeakerEmbeddings.of(centred[mine]).model_inputs(mine.sum(), leave_out=centred[mine]).items():
            sums[name][mine] = values
    return [sums[name] for name in SPEAKER_INPUTS]


def fold_readings(recipe: Recipe, embeddings: np.ndarray, train, held: np.ndarray) -> dict[str, np.ndarray]:
    """Train the recipe's head without the `held` clips' speakers; its answers for their centred windows per reading."""
    args, copies = recipe.args, 1 + recipe.args.copies
    rows = np.flatnonzero(np.tile(~held, copies))
    x, y = embeddings[rows], np.tile(train.label.to_numpy(), copies)[rows]
    weights = np.tile(whisper_cli.balanced_weights(train[~held]), copies)
    speakers = np.tile(train.speaker.to_numpy(), copies)[rows]
    held_x, held_speakers = embeddings[np.flatnonzero(held)], train.speaker.to_numpy()[held]  # copy 0: centred, clean
    if not args.speaker_k0:
        head, _ = whisper_cli.fit_head(recipe.head, x, y, weights, x[:1], y[:1], weights[:1], args.seed)
        answers = head.predict(held_x, verbose=0).argmax(axis=1)
        return {reading: answers for reading in READINGS}
    layer = fitted(args.speaker_k0, x)
    standard, _ = read_drawn(layer, x, speakers, np.random.default_rng((args.seed, 1)))
    head, _ = whisper_cli.fit_head(recipe.head, standard, y, weights, standard[:1], y[:1], weights[:1], args.seed)
    alone = list(SpeakerEmbeddings(held_x.shape[1]).model_inputs(len(held_x)).values())
    inputs = {"uploads": alone, "session": speaker_sums(held_x - np.asarray(layer.mean, np.float32), held_speakers)}
    return {reading: head.predict(standardised(layer, held_x, inputs[reading]), verbose=0).argmax(axis=1)
            for reading in READINGS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", type=Path, required=True, help="a released model's .train.json")
    parser.add_argument("--baseline", type=Path, required=True, help="a released model's .train.json")
    cli = parser.parse_args()
    recipes = {"candidate": recipe_of(cli.candidate), "baseline": recipe_of(cli.baseline)}
    table = read_corpora(recipes["candidate"].args)
    train = table[table.split == "train"].reset_index(drop=True)
    speakers, labels = train.speaker.to_numpy(), train.label.to_numpy()
    folds = folds_of(speakers)
    answers = {name: {reading: np.zeros(len(train), int) for reading in READINGS} for name in recipes}
    for name, recipe in recipes.items():
        every = whisper_cli.training_embeddings(recipe.args, train)
        embeddings = whisper_cli.at_stage(every, recipe.args.stages, recipe.stage)
        for k, fold in enumerate(folds):
            held = np.isin(speakers, fold)
            for reading, fold_answers in fold_readings(recipe, embeddings, train, held).items():
                answers[name][reading][held] = fold_answers
            print(f"[speech_whisper_cv {time.strftime('%H:%M:%S')}] {name} fold {k} ({', '.join(fold)}): "
                  + ", ".join(f"{r} {np.mean(answers[name][r][held] == labels[held]):.3f}" for r in READINGS),
                  file=sys.stderr, flush=True)
    corpora = {corpus: train.corpus.to_numpy() == corpus for corpus in sorted(set(train.corpus))}
    result = {}
    for reading in READINGS:
        right = {name: (answers[name][reading] == labels).astype(float) for name in recipes}
        draws = paired_bootstrap([right["candidate"][m] for m in corpora.values()], [right["baseline"][m] for m in corpora.values()],
                                 [speakers[m] for m in corpora.values()], DRAWS)
        accuracy = {name: {corpus: float(right[name][m].mean()) for corpus, m in corpora.items()} for name in recipes}
        result[reading] = {"accuracy": accuracy,
                           "difference": {"mean": float(np.mean([accuracy["candidate"][c] - accuracy["baseline"][c] for c in corpora])),
                                          "interval_90": [float(v) for v in np.percentile(draws, [5, 95])]}}
    print(json.dumps({
        "benchmark": "speech_whisper_cv",
        "folds": folds,
        "recipes": {name: {"record": str(path), "release_command": recipe.command, "stage": recipe.stage,
                           "head": recipe.head, "speaker_k0": recipe.args.speaker_k0, "channel": recipe.args.channel}
                    for (name, recipe), path in zip(recipes.items(), (cli.candidate, cli.baseline))},
        "readings": result,
        "scored": "each held-out training speaker's clips, centred clean window; corpora weigh the same",
    }, indent=1))


if __name__ == "__main__":
    main()
