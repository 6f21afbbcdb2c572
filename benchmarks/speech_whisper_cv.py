"""Do two Whisper read-out recipes differ on speakers no choice was made on? Cross-validation over the training speakers.

    .venv/bin/python benchmarks/speech_whisper_cv.py --candidate NEW.train.json --baseline OLD.train.json > result.json
    .venv/bin/python benchmarks/speech_whisper_cv.py --candidate MODEL.train.json --fewer-speakers > result.json
    .venv/bin/python benchmarks/speech_whisper_cv.py --candidate A.train.json --candidate-also B.train.json --baseline A.train.json

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
With `--candidate-also` the candidate is several read-outs at once (two encoders, say): each recipe's head is trained
as above on its own embeddings, and a clip's answer is the class first in the mean of their probabilities.

`--fewer-speakers` asks instead whether more training speakers would help one recipe (a learning curve in speakers:
would the final read-out gain from the validation speakers too?). The candidate is the recipe as above, trained on the
other four folds; the baseline is the same recipe trained on three of them, each of the four in turn, a clip's
reading the share of those four heads that got it right. Both read the same held-out speakers, so the difference is
what one more fold of speakers (three or four RAVDESS actors and one nEMO speaker) is worth; it is also given per
held-out speaker. With `--validation` the folds are the validation speakers in two halves (one speaker of each
corpus in each): the candidate trains on the training speakers and the other half, the baseline on the training
speakers alone (the validation clips' augmented copies are embedded as the training clips' are, seeded apart).
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
import pandas as pd
from scipy.special import softmax

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


class Reader(NamedTuple):
    """A recipe and the embeddings of the training clips (and their copies) it reads."""

    recipe: Recipe
    embeddings: np.ndarray


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


def fold_probabilities(recipe: Recipe, embeddings: np.ndarray, train, held: np.ndarray,
                       unused: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Train the recipe's head without the `held` clips' speakers (nor the `unused` clips'); its probabilities for
    the held clips' centred windows per reading."""
    args, copies = recipe.args, 1 + recipe.args.copies
    trained = ~held if unused is None else ~(held | unused)
    rows = np.flatnonzero(np.tile(trained, copies))
    x, y = embeddings[rows], np.tile(train.label.to_numpy(), copies)[rows]
    weights = np.tile(whisper_cli.balanced_weights(train[trained]), copies)
    speakers = np.tile(train.speaker.to_numpy(), copies)[rows]
    held_x, held_speakers = embeddings[np.flatnonzero(held)], train.speaker.to_numpy()[held]  # copy 0: centred, clean
    if not args.speaker_k0:
        head, _ = whisper_cli.fit_head(recipe.head, x, y, weights, x[:1], y[:1], weights[:1], args.seed)
        probabilities = softmax(head.predict(held_x, verbose=0), axis=1)
        return {reading: probabilities for reading in READINGS}
    layer = fitted(args.speaker_k0, x)
    standard, _ = read_drawn(layer, x, speakers, np.random.default_rng((args.seed, 1)))
    head, _ = whisper_cli.fit_head(recipe.head, standard, y, weights, standard[:1], y[:1], weights[:1], args.seed)
    alone = list(SpeakerEmbeddings(held_x.shape[1]).model_inputs(len(held_x)).values())
    inputs = {"uploads": alone, "session": speaker_sums(held_x - np.asarray(layer.mean, np.float32), held_speakers)}
    return {reading: softmax(head.predict(standardised(layer, held_x, inputs[reading]), verbose=0), axis=1)
            for reading in READINGS}


def fold_answers(readers: list[Reader], train, held: np.ndarray, unused: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per reading, the held clips' answers: the class first in the mean of the readers' probabilities (with one
    reader, its head's own answer)."""
    probabilities = [fold_probabilities(*reader, train, held, unused) for reader in readers]
    return {reading: np.mean([each[reading] for each in probabilities], axis=0).argmax(axis=1) for reading in READINGS}


def _log(message: str) -> None:
    print(f"[speech_whisper_cv {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def recipe_embeddings(recipe: Recipe, train) -> np.ndarray:
    every = whisper_cli.training_embeddings(recipe.args, train)
    return whisper_cli.at_stage(every, recipe.args.stages, recipe.stage)


def recipe_right(name: str, readers: list[Reader], train, folds: list[list[str]]) -> dict[str, np.ndarray]:
    """Per reading, whether each clip of the folds was read right by the heads trained without its fold."""
    speakers, labels = train.speaker.to_numpy(), train.label.to_numpy()
    right = {reading: np.zeros(len(train)) for reading in READINGS}
    for k, fold in enumerate(folds):
        held = np.isin(speakers, fold)
        for reading, answers in fold_answers(readers, train, held).items():
            right[reading][held] = answers == labels[held]
        _log(f"{name} fold {k} ({', '.join(fold)}): " + ", ".join(f"{r} {right[r][held].mean():.3f}" for r in READINGS))
    return right


def fewer_speakers_right(reader: Reader, train, folds: list[list[str]]) -> dict[str, dict[str, np.ndarray]]:
    """Per reading, each clip of the folds read by the head trained without its fold ("candidate") and the share of
    the heads trained without its fold and one other ("baseline") that read it right."""
    speakers, labels = train.speaker.to_numpy(), train.label.to_numpy()
    baseline = {reading: np.zeros(len(train)) for reading in READINGS}
    for k, fold in enumerate(folds):
        held = np.isin(speakers, fold)
        for other in (other for j, other in enumerate(folds) if j != k):
            for reading, answers in fold_answers([reader], train, held, np.isin(speakers, other)).items():
                baseline[reading][held] += (answers == labels[held]) / (len(folds) - 1)
        _log(f"one fold fewer, fold {k} ({', '.join(fold)}): "
             + ", ".join(f"{r} {baseline[r][held].mean():.3f}" for r in READINGS))
    return {"candidate": recipe_right("candidate", [reader], train, folds), "baseline": baseline}


VALIDATION_SEED = 7
"""Added to the recipe's seed for the validation clips' augmented copies, so their draws are not the first training
clips' draws over again."""


def validation_embeddings(recipe: Recipe, val) -> np.ndarray:
    """The validation clips' centred windows and augmented copies, as `training_embeddings` makes the training
    clips' (cached in the recipe's run folder)."""
    every = whisper_cli.training_embeddings(recipe.args, val, "val-copies", recipe.args.seed + VALIDATION_SEED)
    return whisper_cli.at_stage(every, recipe.args.stages, recipe.stage)


def with_validation(recipe: Recipe, table) -> tuple[pd.DataFrame, np.ndarray, list[list[str]]]:
    """Training and validation clips as one table, their embeddings copy by copy as `fold_probabilities` reads them, and
    the validation speakers in two halves (the k-th speaker of each corpus in half k)."""
    train = table[table.split == "train"].reset_index(drop=True)
    val = table[table.split == "val"].reset_index(drop=True)
    train_x, val_x = recipe_embeddings(recipe, train), validation_embeddings(recipe, val)
    copies = 1 + recipe.args.copies
    embeddings = np.concatenate([part for copy in range(copies) for part in
                                 (np.array_split(train_x, copies)[copy], np.array_split(val_x, copies)[copy])])
    by_corpus = [sorted(set(val.speaker[val.corpus == corpus])) for corpus in sorted(set(val.corpus))]
    halves = [sorted(speakers[k] for speakers in by_corpus) for k in range(2)]
    return pd.concat([train, val], ignore_index=True), embeddings, halves


def recipe_facts(recipe: Recipe, path: Path) -> dict:
    return {"record": str(path), "release_command": recipe.command, "stage": recipe.stage, "head": recipe.head,
            "speaker_k0": recipe.args.speaker_k0, "channel": recipe.args.channel}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", type=Path, required=True, help="a released model's .train.json")
    parser.add_argument("--baseline", type=Path, help="a released model's .train.json")
    parser.add_argument("--fewer-speakers", action="store_true",
                        help="instead of --baseline: the candidate's recipe trained on one fold of speakers fewer")
    parser.add_argument("--candidate-also", type=Path, nargs="+", default=[], metavar="TRAIN_JSON",
                        help="with --baseline: the candidate reads as the mean of its read-out's probabilities and"
                             " these recipes' (each head trained on its own embeddings)")
    parser.add_argument("--validation", action="store_true",
                        help="with --fewer-speakers: the folds are the validation speakers' two halves")
    cli = parser.parse_args()
    if cli.fewer_speakers == (cli.baseline is not None):
        parser.error("give either --baseline or --fewer-speakers")
    if cli.validation and not cli.fewer_speakers:
        parser.error("--validation goes with --fewer-speakers")
    if cli.candidate_also and cli.fewer_speakers:
        parser.error("--candidate-also goes with --baseline")
    candidate = recipe_of(cli.candidate)
    table = read_corpora(candidate.args)
    train = table[table.split == "train"].reset_index(drop=True)
    if cli.validation:
        train, embeddings, folds = with_validation(candidate, table)
    else:
        embeddings, folds = recipe_embeddings(candidate, train), folds_of(train.speaker.to_numpy())
    speakers = train.speaker.to_numpy()
    if cli.fewer_speakers:
        scored = np.isin(speakers, sum(folds, []))
        right = fewer_speakers_right(Reader(candidate, embeddings), train, folds)
        others = "the other half and the training speakers" if cli.validation else "the other four folds"
        recipes = {"candidate": recipe_facts(candidate, cli.candidate) | {"trained_on": others},
                   "baseline": recipe_facts(candidate, cli.candidate) | {"trained_on": "the training speakers alone" if cli.validation else
                       "three of the other four folds, each in turn (a clip's reading: the share right)"}}
    else:
        scored = np.ones(len(train), bool)
        baseline = recipe_of(cli.baseline)
        also = [recipe_of(path) for path in cli.candidate_also]
        readers = [Reader(candidate, embeddings)] + [Reader(recipe, recipe_embeddings(recipe, train)) for recipe in also]
        right = {"candidate": recipe_right("candidate", readers, train, folds),
                 "baseline": recipe_right("baseline", [Reader(baseline, recipe_embeddings(baseline, train))], train, folds)}
        recipes = {"candidate": recipe_facts(candidate, cli.candidate), "baseline": recipe_facts(baseline, cli.baseline)}
        if cli.candidate_also:
            recipes["candidate"] |= {"also": [recipe_facts(recipe, path) for recipe, path in zip(also, cli.candidate_also)],
                                     "answer": "the class first in the mean of the read-outs' probabilities"}
    corpora = {corpus: scored & (train.corpus.to_numpy() == corpus) for corpus in sorted(set(train.corpus))}
    result = {}
    for reading in READINGS:
        ours = {name: right[name][reading] for name in right}
        draws = paired_bootstrap([ours["candidate"][m] for m in corpora.values()], [ours["baseline"][m] for m in corpora.values()],
                                 [speakers[m] for m in corpora.values()], DRAWS)
        accuracy = {name: {corpus: float(ours[name][m].mean()) for corpus, m in corpora.items()} for name in ours}
        result[reading] = {"accuracy": accuracy,
                           "difference": {"mean": float(np.mean([accuracy["candidate"][c] - accuracy["baseline"][c] for c in corpora])),
                                          "interval_90": [float(v) for v in np.percentile(draws, [5, 95])]},
                           "per_speaker": {speaker: {name: round(float(ours[name][speakers == speaker].mean()), 4) for name in ours}
                                           for speaker in sorted(set(speakers[scored]))}}
    print(json.dumps({
        "benchmark": "speech_whisper_cv",
        "folds": folds,
        "recipes": recipes,
        "readings": result,
        "scored": f"each held-out {'validation' if cli.validation else 'training'} speaker's clips, centred clean window;"
                  " corpora weigh the same",
    }, indent=1))


if __name__ == "__main__":
    main()
