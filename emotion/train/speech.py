"""Train the speech-emotion network on RAVDESS and nEMO with speaker-independent splits.

    python -m emotion.train.speech [--corpora ravdess,nemo] [--epochs 200] [--resume]
    python -m emotion.train.speech --release-now --ensemble RUN_DIR RUN_DIR ...  # seed ensemble
    python -m emotion.train.speech --cv 4        # k-fold cross-validation over actor groups
    python -m emotion.train.speech --cv 4 --folds 0,1   # some folds (two processes can share them)
    python -m emotion.train.speech --train-also ravdess_17,nemo_EB0   # two validation speakers train too

What and why: RAVDESS alone has two sentences, one studio and one microphone, and a network
trained on it learnt those as much as the emotions (it collapsed onto one class on other
corpora). nEMO adds nine Polish actors, many sentences and another recording chain, and each
batch draws every (corpus, emotion) pair equally often, so neither corpus nor a frequent class
dominates. Features are standardised per mel band by default (a microphone's colouring goes).
Speakers never cross splits (emotion.speech.corpus): RAVDESS actors 1-16 train, 17-18 validate
(best epoch, temperature), 19-24 test (read only by the evaluate CLI, once); nEMO has its own
validation and test speakers. Validation weighs both corpora equally. Every epoch draws a fresh
random 3 s window from each clip with speed perturbation, a random channel (room, noise,
microphone, gain, narrow band, Opus: emotion.speech.channel) and SpecAugment masks; with
`--channel harsh` each shift comes more often, and all of them at once in some windows.
`--cv K` trains K models, each tested on a held-out group of six RAVDESS actors (three men,
three women), and writes the mean accuracy for the model card. `--train-also` moves some
validation speakers into training (the rest validate): two runs that swap halves read every
validation speaker with a network that never heard them, and say what more voices are worth.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from emotion.data_dir import data_dir
from emotion.export import export_tflite, with_temperature
from emotion.speech import augment
from emotion.speech.channel import CHANNEL_ODDS
from emotion.speech.classify import SpeechClassifier
from emotion.speech.corpus import CORPUS_NAMES, load_clips, read_manifest
from emotion.speech.features import (HOP_LENGTH, WINDOW_FRAMES, WINDOW_SAMPLES, BandStats, Normalisation, decibels, features,
                                     fit_window, log_mel)
from emotion.speech.network import build_speech_network
from emotion.speech.voice_activity import voiced_chunks, voiced_frames
from emotion.train.checkpoints import AveragedWeights, EpochCheckpoint, open_run, release, seed_everything
from emotion.train.run_state import DEFAULT_CACHE, REPO_RESUME, load_state, save_resume_point

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SEED = 1234
CORPORA = ("ravdess", "nemo")
SESSION_WINDOWS = 8
"""With "session" normalisation, a batch holds this many windows of each of its speakers."""


class AugmentedWindows(keras.utils.PyDataset):
    """Batches of (features, label) with fresh augmentation, drawn so that every (corpus,
    emotion) pair is equally likely; an epoch draws as many windows as there are clips.

    A batch depends only on (seed, epoch, index), so two threads can prepare batches while the
    network trains (features were ~2/3 of an epoch's time done in line) without changing them.
    """

    def __init__(self, clips: list[np.ndarray], table, batch: int, seed: int, normalisation: Normalisation,
                 warp: float | tuple[float, float] = 0.0, part_p: float = 0.0, channel: str = "default") -> None:
        super().__init__(workers=2, use_multiprocessing=False)
        self.clips, self.labels, self.batch, self.seed = clips, table.label.to_numpy(), batch, seed
        self.normalisation, self.warp, self.part_p = normalisation, warp, part_p
        self.odds = CHANNEL_ODDS[channel]
        cells = table.groupby(["corpus", "label"]).ngroup().to_numpy()
        self.weights = 1.0 / np.bincount(cells)[cells]
        self.weights /= self.weights.sum()
        self.epoch = 0
        self.order = self._draw()

    def _draw(self) -> np.ndarray:
        return np.random.default_rng((self.seed, self.epoch)).choice(len(self.clips), len(self.clips), p=self.weights)

    def __len__(self) -> int:
        return int(np.ceil(len(self.clips) / self.batch))

    def __getitem__(self, index: int):
        rng = np.random.default_rng((self.seed, self.epoch, index))
        pick = self.order[index * self.batch : (index + 1) * self.batch]
        x = np.stack([augment.spec_mask(log_mel(augment.augmented_window(self.clips[i], rng, self.part_p, self.odds),
                                                self.normalisation, augment.warp_factor(rng, self.warp)), rng)
                      for i in pick])
        return x, self.labels[pick]

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self.order = self._draw()


class SessionWindows(AugmentedWindows):
    """Batches for "session" normalisation: each batch is a few speakers, SESSION_WINDOWS
    windows of each, and a window is standardised with the voiced frames of a random 1 to
    SESSION_WINDOWS of its speaker's windows, itself among them -- from this utterance alone (an
    upload, or Live warming up) to a session of several sentences in several moods. A speaker's
    windows share one room and microphone and one vocal-tract warp, as a session does; which
    frames are voiced comes from the voice detector run once over each clean clip.

    Draws: a corpus (in proportion to its emotions, as in AugmentedWindows), one of its
    speakers, then for each window an emotion of that speaker and a clip of it."""

    def __init__(self, clips: list[np.ndarray], table, batch: int, seed: int, warp: float | tuple[float, float] = 0.0,
                 part_p: float = 0.0, channel: str = "default") -> None:
        if batch % SESSION_WINDOWS:
            raise ValueError(f"the batch size must be a multiple of {SESSION_WINDOWS}")
        self.voiced = [voiced_chunks(clip) for clip in clips]
        rows = table.reset_index(drop=True)
        self.speakers = {corpus: sorted(group.speaker.unique()) for corpus, group in rows.groupby("corpus")}
        self.corpus_share = rows.groupby("corpus").label.nunique().reindex(list(self.speakers)).to_numpy(float)
        self.corpus_share /= self.corpus_share.sum()
        self.clips_of = {speaker: {label: group.index.to_numpy() for label, group in by_speaker.groupby("label")}
                         for speaker, by_speaker in rows.groupby("speaker")}
        super().__init__(clips, table, batch, seed, "session", warp, part_p, channel)

    def _draw(self) -> np.ndarray:
        rng = np.random.default_rng((self.seed, self.epoch))
        order = []
        for _ in range(int(np.ceil(len(self.clips) / SESSION_WINDOWS))):
            corpus = list(self.speakers)[rng.choice(len(self.speakers), p=self.corpus_share)]
            by_label = self.clips_of[self.speakers[corpus][rng.integers(len(self.speakers[corpus]))]]
            labels = sorted(by_label)
            order += [rng.choice(by_label[labels[rng.integers(len(labels))]]) for _ in range(SESSION_WINDOWS)]
        return np.array(order)

    def __getitem__(self, index: int):
        rng = np.random.default_rng((self.seed, self.epoch, index))
        pick = self.order[index * self.batch : (index + 1) * self.batch]
        x = []
        for first in range(0, len(pick), SESSION_WINDOWS):
            session = pick[first : first + SESSION_WINDOWS]
            channel_seed, warp = int(rng.integers(2**32)), augment.warp_factor(rng, self.warp)
            mel_dbs, voiced = [], []
            for i in session:
                window, frames = augment.voiced_window(self.clips[i], self.voiced[i], rng, np.random.default_rng(channel_seed),
                                                       self.part_p, self.odds)
                mel_dbs.append(decibels(window, warp))
                voiced.append(frames)
            for k in range(len(session)):
                heard = [k, *rng.permutation([j for j in range(len(session)) if j != k])[: rng.integers(0, len(session))]]
                stats = BandStats.of([mel_dbs[j] for j in heard], [voiced[j] for j in heard])
                x.append(augment.spec_mask(features(mel_dbs[k], "session", stats), rng))
        return np.stack(x), self.labels[pick]


def actor_ranges(actors) -> str:
    """[3, 4, 5, 6, 13, 14] -> "3-6, 13-14": a CV fold's training actors are not one run."""
    runs: list[list[int]] = []
    for actor in sorted(int(a) for a in actors):
        if runs and actor == runs[-1][-1] + 1:
            runs[-1].append(actor)
        else:
            runs.append([actor])
    return ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def validation_set(table, normalisation: Normalisation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features, labels, weights) of one deterministic centred window per clip, each corpus
    weighing the same. With "session" normalisation every window comes twice: standardised with
    its own voiced frames (an upload, Live warming up) and with its speaker's over all their
    validation windows (a long session), each half the weight."""
    windows = []
    for clip in load_clips(list(table.file)):
        start = max(0, (len(clip) - WINDOW_SAMPLES) // 2)
        windows.append(clip[start : start + WINDOW_SAMPLES])
    labels, weights = table.label.to_numpy(), corpus_weights(table)
    if normalisation != "session":
        return np.stack([log_mel(w, normalisation) for w in windows]), labels, weights
    mel_dbs = [decibels(fit) for fit in map(fit_window, windows)]
    voiced = [voiced_frames(voiced_chunks(w), np.arange(WINDOW_FRAMES) * HOP_LENGTH) for w in windows]
    speakers = table.speaker.to_numpy()
    by_speaker = {s: BandStats.of([m for m, who in zip(mel_dbs, speakers) if who == s], [v for v, who in zip(voiced, speakers) if who == s])
                  for s in set(speakers)}
    own = [features(m, "session", BandStats.of([m], [v])) for m, v in zip(mel_dbs, voiced)]
    shared = [features(m, "session", by_speaker[s]) for m, s in zip(mel_dbs, speakers)]
    return np.stack(own + shared), np.concatenate([labels, labels]), np.concatenate([weights, weights]) / 2


def add_corpus_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that say where each corpus's manifest is and which corpora train."""
    parser.add_argument("--manifest", type=Path, help="RAVDESS (default: <data dir>/ravdess/manifest.csv)")
    parser.add_argument("--nemo-manifest", type=Path, help="nEMO (default: <data dir>/nemo/manifest.csv)")
    parser.add_argument("--emovo-manifest", type=Path, help="EMOVO (default: <data dir>/emovo/manifest.csv)")
    parser.add_argument("--corpora", type=corpus_list, default=CORPORA,
                        help=f"which corpora to train on, of {','.join(CORPUS_NAMES)} (default: {','.join(CORPORA)})")


def corpus_list(text: str) -> tuple[str, ...]:
    """--corpora "ravdess,emovo" -> ("ravdess", "emovo"), each a corpus this project reads."""
    corpora = tuple(text.split(","))
    if unknown := set(corpora) - set(CORPUS_NAMES):
        raise argparse.ArgumentTypeError(f"unknown corpus {', '.join(sorted(unknown))} (one of {', '.join(CORPUS_NAMES)})")
    return corpora


def read_corpora(args) -> pd.DataFrame:
    """Every clip of the corpora `args` names, from their manifests (--manifest, --nemo-manifest,
    --emovo-manifest, or the data dir's), with speaker, corpus and split."""
    given = {"ravdess": args.manifest, "nemo": args.nemo_manifest, "emovo": getattr(args, "emovo_manifest", None)}
    return pd.concat([read_manifest(given[corpus] or data_dir(args.data_dir) / corpus / "manifest.csv")
                      for corpus in args.corpora], ignore_index=True)


def move_to_training(table: pd.DataFrame, speakers: list[str]) -> pd.DataFrame:
    """`table` with these validation speakers training instead: a run that learns from more voices
    and validates on the rest. Test speakers are refused, so no option trains on the test split."""
    val_speakers = set(table.speaker[table.split == "val"])
    wrong = sorted(set(speakers) - val_speakers)
    if wrong:
        raise SystemExit(f"--train-also takes validation speakers ({', '.join(sorted(val_speakers))}), not {', '.join(wrong)}")
    if val_speakers <= set(speakers):
        raise SystemExit("--train-also must leave some validation speakers to choose the best epoch on")
    moved = table.copy()
    moved.loc[moved.speaker.isin(speakers), "split"] = "train"
    return moved


def corpus_weights(table) -> np.ndarray:
    """Per clip, 1 / its corpus's clip count: each corpus counts as much in a weighted score."""
    counts = table.groupby("corpus")["corpus"].transform("size").to_numpy()
    return len(table) / (table["corpus"].nunique() * counts)


def compile_model(steps_per_epoch: int, epochs: int, lr: float) -> keras.Model:
    model = build_speech_network()
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=lr / 10, decay_steps=max(1, (epochs - 1) * steps_per_epoch),
        warmup_target=lr, warmup_steps=steps_per_epoch, alpha=0.02,
    )
    model.compile(
        optimizer=keras.optimizers.AdamW(schedule, weight_decay=1e-2, use_ema=True, ema_momentum=0.99),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        # Weighted, so that validation's per-corpus weights count (training batches carry none).
        weighted_metrics=["accuracy"],
    )
    return model


def describe(table) -> str:
    """"960 RAVDESS clips (actors 1-16) + 689 nEMO clips (KD0, MK0, MP0, TP0, WR0)": what a split holds."""
    parts = []
    for corpus, rows in table.groupby("corpus", sort=False):
        speakers = sorted(speaker.split("_", 1)[-1] for speaker in rows.speaker.unique())
        who = f"actors {actor_ranges(rows.actor.unique())}" if corpus == "ravdess" else ", ".join(speakers)
        parts.append(f"{len(rows)} {CORPUS_NAMES.get(corpus, corpus)} clips ({who})")
    return " + ".join(parts)


def train_one(train, val, args, run_dir: Path, name: str) -> tuple[keras.Model, np.ndarray, np.ndarray]:
    """Train on the `train` rows, keep the best epoch on the `val` rows (both corpora weighing
    the same); returns (best, val x, val y). `name` is the run's folder under models/_resume,
    where a committed resume point is looked for."""
    clips = load_clips(list(train.file))
    warp = args.warp_range or args.warp
    batches = (SessionWindows(clips, train, args.batch_size, args.seed, warp, args.part_windows, args.channel)
               if args.normalisation == "session" else
               AugmentedWindows(clips, train, args.batch_size, args.seed, args.normalisation, warp, args.part_windows,
                                args.channel))
    val_x, val_y, val_weights = validation_set(val, args.normalisation)
    print(f"train {describe(train)}, val {describe(val)}", flush=True)
    model, state = open_run(run_dir, args.resume, lambda: compile_model(len(batches), args.epochs, args.lr),
                            args.command, name)
    batches.epoch = state.epochs_done
    batches.order = batches._draw()
    if state.epochs_done < args.epochs:
        model.fit(
            batches, validation_data=(val_x, val_y, val_weights), epochs=args.epochs,
            initial_epoch=state.epochs_done, verbose=0,
            callbacks=[AveragedWeights(resumed=state.epochs_done > 0), EpochCheckpoint(run_dir, state, args.epochs)],
        )
    return keras.models.load_model(run_dir / "best.keras"), val_x, val_y


def chosen_folds(args) -> list[int]:
    """The folds this process runs: --folds, else all --cv of them."""
    return args.folds if args.folds is not None else list(range(args.cv))


def cross_validate(table, args) -> None:
    """K folds of actors; each fold's test group is half men, half women (odd actors are men).

    A fold's best epoch is exported and its test clips are scored window by window through the
    app's TFLite path, as the evaluate CLI scores the card's test split. `--folds` runs some of
    the folds, so two processes can share them; the summary is written once all have a result.
    """
    actors = np.arange(1, 25)
    groups = np.array_split(actors, args.cv)
    ravdess, others = table[table.corpus == "ravdess"], table[table.corpus != "ravdess"]
    for k in chosen_folds(args):
        run_dir, name = args.run_dir / f"cv{k}", f"speech-cv{k}"
        committed = REPO_RESUME / name / "result.json"
        if args.resume and committed.exists() and not (run_dir / "result.json").exists():
            run_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy2(committed, run_dir / "result.json")
        if (run_dir / "result.json").exists():
            continue
        test_group = [int(a) for a in groups[k]]
        rest = [int(a) for a in actors if a not in test_group]
        train = pd.concat([ravdess[ravdess.actor.isin(rest[2:])], others[others.split == "train"]])
        val = pd.concat([ravdess[ravdess.actor.isin(rest[:2])], others[others.split == "val"]])  # one man, one woman
        best, _, _ = train_one(train, val, args, run_dir, name)
        classifier = SpeechClassifier(export_tflite(with_temperature(best, 1.0), run_dir / "best.tflite"), args.normalisation)
        test = ravdess[ravdess.actor.isin(test_group)]
        probs = classifier.score_clips(load_clips(list(test.file))).probabilities
        accuracy = float(np.mean(probs.argmax(axis=1) == test.label.to_numpy()))
        result = {"fold": k, "test_actors": test_group, "accuracy": accuracy, "command": args.command}
        (run_dir / "result.json").write_text(json.dumps(result))
        print(f"fold {k}: test actors {test_group} accuracy {accuracy:.4f}", flush=True)
    done = [args.run_dir / f"cv{k}" / "result.json" for k in range(args.cv)]
    if not all(path.exists() for path in done):
        print(f"folds with a result: {sum(path.exists() for path in done)} of {args.cv}", flush=True)
        return
    results = [json.loads(path.read_text()) for path in done]
    accuracies = [r["accuracy"] for r in results]
    summary = {
        "folds": [{key: r[key] for key in ("fold", "test_actors", "accuracy")} for r in results],
        "mean_accuracy": float(np.mean(accuracies)), "std_accuracy": float(np.std(accuracies)),
        "epochs": args.epochs, "scoring": "whole clips, window by window, as the evaluate CLI scores them",
        "commands": sorted({r["command"] for r in results}),
    }
    args.out.with_suffix(".cv.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary), flush=True)


def resume_name(args) -> str:
    """The run's folder under models/_resume: runs with other seeds (ensemble members) keep their own."""
    return "speech" if args.seed == DEFAULT_SEED else f"speech-seed{args.seed}"


def save_cv_resume_points(args) -> None:
    """Per fold, its result if it has one, else its last checkpoint, into models/_resume/speech-cv<k>/."""
    for k in chosen_folds(args):
        run_dir = args.run_dir / f"cv{k}"
        if (run_dir / "result.json").exists():
            print(f"saved {save_resume_point(run_dir, f'speech-cv{k}', ('result.json',))}", flush=True)
        elif (run_dir / "last.keras").exists():
            print(f"saved {save_resume_point(run_dir, f'speech-cv{k}')}", flush=True)


def augmentation_of(args) -> dict:
    """The training recipe's augmentation settings, as the card records them."""
    return {"warp": args.warp, "part_windows": args.part_windows, "channel": args.channel} | warp_range_entry(args)


class WarpRange(argparse.Action):
    """`--warp-range LOW HIGH` (both speech training CLIs take it), kept as a (LOW, HIGH) tuple and
    refused unless 0 < LOW <= HIGH."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        low, high = values
        if not 0 < low <= high:
            parser.error(f"{option_string} needs 0 < LOW <= HIGH")
        setattr(namespace, self.dest, (low, high))


def warp_range_entry(args) -> dict:
    """{"warp_range": [LOW, HIGH]} for a record or a cache key where `--warp-range` was given, else
    nothing, so the records and caches of recipes without it stay as they were."""
    return {"warp_range": list(args.warp_range)} if args.warp_range else {}


def training_arguments(commands: list[str]) -> list[argparse.Namespace]:
    """Recorded training commands ("python -m emotion.train.speech ...") parsed back into the
    options they ran with, defaults filled in: what a run was trained with, from its record.
    Commands of other training CLIs are left out."""
    parser, parsed = build_parser(), []
    for command in commands:
        words = shlex.split(command)
        if "emotion.train.speech" in words:  # not another CLI's (emotion.train.speech_whisper has none of these options)
            parsed.append(parser.parse_args(words[words.index("emotion.train.speech") + 1 :]))
    return parsed


def ensemble_augmentation(run_dirs: list[Path]) -> dict:
    """The members' augmentation, read back from the command that trained each: one dict when
    they share a recipe, else one per member (an ensemble may mix channel odds)."""
    settings = [augmentation_of(a) for a in training_arguments([load_state(d).commands[0] for d in run_dirs])]
    return settings[0] if all(s == settings[0] for s in settings) else {"members": settings}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus_arguments(parser)
    parser.add_argument("--normalisation", choices=["per_band", "window", "session"], default="per_band",
                        help="standardise features per mel band (default), over the whole window, or per mel band"
                             " with the speaker's voiced sound so far (session)")
    parser.add_argument("--warp", type=float, default=0.0,
                        help="vocal tract length perturbation: mel filters warped by up to this fraction (e.g. 0.1)")
    parser.add_argument("--warp-range", type=float, nargs=2, metavar=("LOW", "HIGH"), action=WarpRange,
                        help="instead of --warp, warp by a factor drawn from LOW-HIGH (above 1 a smaller vocal tract,"
                             " as a child's; e.g. 0.9 1.35)")
    parser.add_argument("--part-windows", type=float, default=0.0,
                        help="share of training windows that keep only 1-2 s of voice (e.g. 0.5)")
    parser.add_argument("--channel", choices=sorted(CHANNEL_ODDS), default="default",
                        help="how often training windows meet each channel shift (emotion.speech.channel.CHANNEL_ODDS);"
                             " harsh: more often, and sometimes all at once")
    parser.add_argument("--train-also", type=lambda text: text.split(","), default=[], metavar="SPEAKERS",
                        help="validation speakers to train on as well, e.g. ravdess_17,nemo_EB0 (the others still"
                             " validate): what more voices are worth, measured on the voices left out")
    parser.add_argument("--data-dir", help="data root (default $EMOTION_DATA_DIR or ../shared/data)")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--run-dir", type=Path, help="default: ~/.cache/emotion/speech (other seeds: speech-seed<N>)")
    parser.add_argument("--out", type=Path, help="default: models/speech.keras (other seeds, ensemble members:"
                                                 " speech.keras in the run dir, so they never replace the shipped model)")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--release-now", action="store_true",
                        help="do not train: calibrate and release the best epoch so far")
    parser.add_argument("--save-resume-point", action="store_true",
                        help="do not train: copy the last checkpoint to models/_resume/speech (with --cv: each"
                             " fold's result or last checkpoint to models/_resume/speech-cv<k>) for committing")
    parser.add_argument("--ensemble", type=Path, nargs="+", metavar="RUN_DIR",
                        help="with --release-now: release the average of these runs' best epochs (one recipe"
                             " trained with different --seed values, or with other --channel odds) as one model")
    parser.add_argument("--cv", type=int, default=0, help="run K-fold cross-validation over actor groups")
    parser.add_argument("--folds", type=lambda text: [int(k) for k in text.split(",")],
                        help="with --cv: only these folds, e.g. 0,1 (results are kept per fold)")
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.warp_range and args.warp:
        parser.error("--warp-range and --warp exclude each other")
    args.command = "python -m emotion.train.speech " + shlex.join(argv if argv is not None else sys.argv[1:])
    args.run_dir = args.run_dir or DEFAULT_CACHE / resume_name(args)
    args.out = args.out or (REPO / "models" if args.seed == DEFAULT_SEED else args.run_dir) / "speech.keras"
    seed_everything(args.seed)
    table = read_corpora(args)
    if args.train_also:
        table = move_to_training(table, args.train_also)
    if args.cv:
        save_cv_resume_points(args) if args.save_resume_point else cross_validate(table, args)
        return
    # In words, as the Models page shows it: which speakers each split holds, and how batches are drawn.
    data = {"corpora": " + ".join(f"{CORPUS_NAMES.get(c, c)} ({len(table[table.corpus == c]):,} clips)" for c in args.corpora),
            **{f"{split} speakers": describe(table[table.split == split]) for split in ("train", "val", "test")},
            "sampling": "every (corpus, emotion) pair equally likely; validation weighs the corpora equally"}
    recipe = {"data": data, "features": {"normalisation": args.normalisation},
              "augmentation": augmentation_of(args)}
    if args.save_resume_point:
        finished = load_state(args.run_dir).epochs_done >= args.epochs  # a member waiting for the others
        files = ("last.keras", "best.keras", "state.json") if finished else ("last.keras", "state.json")
        print(f"saved {save_resume_point(args.run_dir, resume_name(args), files)}", flush=True)
        return
    val = table[table.split == "val"]
    if args.release_now:
        if args.ensemble:
            recipe["augmentation"] = ensemble_augmentation(args.ensemble)
        val_x, val_y, _ = validation_set(val, args.normalisation)
        release(args.ensemble or [args.run_dir], val_x, val_y, args.out, args.command, args.epochs, recipe)
        return
    _, val_x, val_y = train_one(table[table.split == "train"], val, args, args.run_dir, resume_name(args))
    release([args.run_dir], val_x, val_y, args.out, args.command, args.epochs, recipe)


if __name__ == "__main__":
    main()
