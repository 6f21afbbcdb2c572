"""Train the voice's emotion head on a pre-trained Whisper encoder, tiny.en or base (RAVDESS, nEMO, EMOVO).

    python -m emotion.train.speech_whisper [--copies 8] [--stages final] [--speaker-k0 0] [--run-dir DIR] [--out DIR/speech.keras]
    python -m emotion.train.speech_whisper --stages block1+block2+block3 --unfamiliar-stage block2 --channel harsh \
        --speaker-k0 4 --warp-range 0.9 1.35 --seed 4321 --pair-with models/speech.keras --int8   # the shipped pair (README)

Why: the project's own speech networks learn from 21 speakers, and every one of them read
unseen speakers far worse than the voices it trained on (nEMO's held-out speakers 35-45%).
Whisper's encoder learnt from 680,000 hours of speech on every kind of microphone; a linear
read-out of its time-averaged states already read held-out nEMO speakers at 53% (leave one of
the seven non-test speakers out at a time) where statistics + SVM read 35-45%.

What it does: ports the encoder that `--encoder` names (emotion.train.whisper.ENCODERS) and
exports it as a .tflite that embeds each 3 s window in 384 (tiny.en) or 512 (base) numbers per
stage of the encoder that `--stages` names (its hidden
states after a block, or at its output; emotion.train.encoder.STAGES), each averaged over time,
cached in the run folder with the embeddings: the encoder is frozen, so each window is embedded
once. A stage may join several ("block1+block2+block3"): the head reads them side by side (over
the 21 training speakers, five folds each held out in turn, blocks 1-3 side by side read 5 points
more held-out clips than block 2 alone: `benchmarks/speech_whisper_cv.py`). Training windows are
every training clip's centred window plus `--copies` augmented copies of it (speed, crop, 1-2 s
parts, room/microphone/noise/codec channel: the CNN recipe's augmentation; with `--warp-range`, each copy also warped in frequency, as a smaller or larger vocal
tract would: the shipped recipe's 0.9-1.35 read child-like voices 7 points better on the
validation speakers, clean speech within a point of before), each embedded. Heads
(standardisation + a linear layer, or one hidden layer) are trained on those with every (corpus, emotion) pair weighing the same, for each stage and
each setting of HEAD_GRID (or `--heads`); the one with the best validation accuracy (the corpora weighing
the same) is chosen, fused with the encoder up to its stage into one model (Whisper log-mel in,
logits out), calibrated on validation and released like every speech model. Speakers never
cross splits (emotion.speech.corpus); the test split is never read.

`--speaker-k0 K0` reads each window against its speaker (emotion.train.speaker): every training
row is standardised by the statistics of a random number of its speaker's windows (1-200, itself
included) shrunk toward the training set's by K0 windows, and the released model does the same
in its graph with the speaker's embedding sums as inputs (emotion.speech.speaker): the clip's
other windows for an upload, the windows heard so far on Live. Such a model also returns how
unlike a person talking each window is, and reads even odds beyond a threshold (emotion.train.unfamiliar;
`--gate`: a logistic regression telling the training windows from synthetic voices and backwards speech, or the
Mahalanobis distance from the training windows), fitted so that FALSE_ALARMS of the validation clips' centred
windows, clean and under each of the robustness benchmark's channel shifts, cross it (embedded once, cached).

`--pair-with CNN.keras` then releases, as `--pair-out` (models/speech.keras), one model that
averages the probabilities of that released CNN model and the new one: on the validation
speakers the pair read 66.5% of clips against the CNN's 59.0% and the Whisper model's 63.8%,
and 65.4% against 57.4% and 59.9% over the seven channel conditions of
benchmarks/speech_robustness.py (the CNN holds up in noise, the Whisper read-out on voices it
never heard). The app feeds it both front ends (emotion.speech.classify, PAIR).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import shlex
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import keras
import numpy as np
import pandas as pd

from emotion.export import ProbabilityTemperature, export_tflite, save_keras
from emotion.labels import VOICE_CLASSES
from emotion.speech import augment
from emotion.speech.channel import CHANNEL_ODDS, SHIFTS, shifted
from emotion.speech.classify import whisper_input, whisper_inputs
from emotion.speech.corpus import CORPUS_NAMES, clip_keys, load_clips
from emotion.speech.features import WINDOW_SAMPLES, fit_window
from emotion.speech.speaker import SPEAKER_INPUTS
from emotion.speech.whisper_features import whisper_log_mel
from emotion.tflite_model import TFLiteModel
from emotion.train.checkpoints import seed_everything, ship
from emotion.train.encoder import STAGES, pooled, stages_of
from emotion.train.run_state import DEFAULT_CACHE, RunState, save_state
from emotion.train.speaker import MAX_WINDOWS, SpeakerStandardise, fitted, read_drawn, speaker_inputs
from emotion.train.speech import WarpRange, add_corpus_arguments, corpus_weights, describe, read_corpora, warp_range_entry
from emotion.train.synthetic import (FIT_SENTENCES, FIT_VOICES, FLITE_FIT_VOICES, PART_SECONDS, backwards, fit_clips,
                                     middle_parts)
from emotion.train.unfamiliar import (FALSE_ALARMS, Discriminator, Distance, Even, fit_threshold, fitted_discriminator,
                                      fitted_distance)
from emotion.train.whisper import ENCODERS, whisper_encoder

REPO = Path(__file__).resolve().parents[2]
HEAD_GRID = ({"hidden": 0, "l2": 1e-3}, {"hidden": 0, "l2": 1e-2}, {"hidden": 256, "l2": 1e-3}, {"hidden": 256, "l2": 1e-2})
"""Head settings tried; validation chooses. hidden 0 is multinomial logistic regression."""
HEAD_EPOCHS = 60
BATCH = 256


def centred(clip: np.ndarray) -> np.ndarray:
    """The clip's middle 3 s (all of it, padded, when shorter): validation's one window per clip."""
    start = max(0, (len(clip) - WINDOW_SAMPLES) // 2)
    return fit_window(clip[start : start + WINDOW_SAMPLES])


def stage_parts(stage: str) -> tuple[str, ...]:
    """The encoder stages (STAGES) a read-out stage takes side by side: "block1+block2+block3" ->
    ("block1", "block2", "block3"); a plain stage is one part."""
    return tuple(stage.split("+"))


def encoder_stages(stages: tuple[str, ...]) -> tuple[str, ...]:
    """Every encoder stage that the read-out stages `stages` take, once each, in the encoder's order:
    what one pass of the embedder returns side by side."""
    taken = {part for stage in stages for part in stage_parts(stage)}
    return tuple(stage for stage in STAGES if stage in taken)


def embedder(args) -> TFLiteModel:
    """The encoder's (`args.encoder`) time-averaged states at every stage that `args.stages`
    take, side by side, as .tflite in the run folder (exported once): one pass of the encoder
    embeds a window for every stage."""
    parts = encoder_stages(args.stages)
    path = args.run_dir / f"whisper_{args.encoder}_{'_'.join(parts)}.tflite"
    if not path.exists():
        export_tflite(pooled(whisper_encoder(encoder=args.encoder), parts), path)
    return TFLiteModel(path, num_threads=2)


def part_columns(parts: tuple[str, ...], part: str, width: int) -> slice:
    """The columns that hold `part` in embeddings of `parts` side by side, `width` numbers each."""
    return slice(parts.index(part) * width, (parts.index(part) + 1) * width)


def at_stage(embeddings: np.ndarray, stages: tuple[str, ...], stage: str) -> np.ndarray:
    """The (n, width per part) columns of `embeddings` (the embedder's for `stages`) that hold
    `stage`'s parts, side by side."""
    parts = encoder_stages(stages)
    width = embeddings.shape[1] // len(parts)
    return np.concatenate([embeddings[:, part_columns(parts, part, width)] for part in stage_parts(stage)], axis=1)


def embed(model: TFLiteModel, mels: Iterable[np.ndarray], batch: int = 32) -> np.ndarray:
    """(n, width per stage) embeddings of 3 s windows' Whisper log-mels, taken a batch at a time (so a
    generator of augmented windows never sits in memory whole)."""
    out, mels = [], iter(mels)
    while chunk := list(itertools.islice(mels, batch)):
        out.append(model.predict(np.stack(chunk)))
    return np.concatenate(out)


WARP_STREAM = 1
"""Seeds a training copy's frequency warp apart from its other draws, so a recipe with warps
augments the same windows as one without."""


def training_mels(clips: list[np.ndarray], copies: int, seed: int, part_p: float, channel: str,
                  warp_range: tuple[float, float] | None = None) -> Iterator[np.ndarray]:
    """Yields the Whisper log-mel of each clip's centred window, then of `copies` rounds of one
    augmented window per clip, each warped in frequency by a factor from `warp_range` (in 0.01
    steps) where given: vocal-tract-length perturbation, the voices of smaller (children's) and
    larger vocal tracts than the training speakers', tempo unchanged."""
    yield from (whisper_input(centred(clip)) for clip in clips)
    for copy in range(copies):
        for index, clip in enumerate(clips):
            window = augment.augmented_window(clip, np.random.default_rng((seed, copy, index)), part_p, CHANNEL_ODDS[channel])
            warp = 1.0 if warp_range is None else \
                augment.warp_factor(np.random.default_rng((seed, copy, index, WARP_STREAM)), warp_range)
            yield whisper_log_mel(window, warp)


def cached_embeddings(run_dir: Path, name: str, key: dict, make) -> np.ndarray:
    """Embeddings kept in the run folder under a hash of what made them (clips, recipe, encoder)."""
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    path = run_dir / f"{name}-{digest}.npy"
    if path.exists():
        return np.load(path)
    values = make()
    np.save(path, values)
    return values


def embedding_key(args) -> dict:
    """What makes an embedding besides its window: the encoder's weights and the stages read."""
    return {"encoder": ENCODERS[args.encoder].sha256, "stages": encoder_stages(args.stages)}


def training_embeddings(args, train: pd.DataFrame, name: str = "train", seed: int | None = None) -> np.ndarray:
    """(clips x (1 + copies), width per stage): each clip's centred window, then each round of
    augmented copies, embedded by the recipe `args` names (its seed, or `seed`), from the run
    folder's cache under `name` and the clip's corpus (made once per corpus: a recipe on other
    corpora, e.g. one that leaves a corpus out, reuses a corpus's embeddings). `train` holds each
    corpus's clips together, as `read_corpora` gives them."""
    seed = args.seed if seed is None else seed
    corpora = list(dict.fromkeys(train.corpus))
    if any(np.diff(np.flatnonzero(train.corpus.to_numpy() == corpus)).max(initial=1) > 1 for corpus in corpora):
        raise ValueError("training_embeddings needs each corpus's clips in one run of rows")
    copies = 1 + args.copies
    parts = []
    for corpus in corpora:
        files = list(train.file[train.corpus == corpus])
        recipe = {"files": files, "copies": args.copies, "part": args.part_windows, "channel": args.channel,
                  "seed": seed, **embedding_key(args)} | warp_range_entry(args)
        parts.append(np.split(cached_embeddings(args.run_dir, f"{name}-{corpus}", recipe, lambda: embed(
            embedder(args),
            training_mels(load_clips(files), args.copies, seed, args.part_windows, args.channel, args.warp_range))), copies))
    return np.concatenate([part[copy] for copy in range(copies) for part in parts])


def build_head(train_x: np.ndarray, hidden: int, l2: float, dropout: float = 0.3) -> keras.Model:
    """(n, width) embedding -> (n, 8) logits: standardised (statistics of the training
    embeddings), then a linear layer, or one hidden layer first."""
    inputs = keras.Input(train_x.shape[1:], name="embedding")
    norm = keras.layers.Normalization(name="standardise")
    norm.adapt(train_x)
    x = keras.layers.Dropout(dropout, name="embedding_drop")(norm(inputs))
    if hidden:
        x = keras.layers.Dense(hidden, activation="relu", kernel_regularizer=keras.regularizers.L2(l2), name="hidden")(x)
        x = keras.layers.Dropout(dropout, name="hidden_drop")(x)
    logits = keras.layers.Dense(len(VOICE_CLASSES), kernel_regularizer=keras.regularizers.L2(l2), name="logits")(x)
    return keras.Model(inputs, logits, name="whisper_head")


def balanced_weights(table: pd.DataFrame) -> np.ndarray:
    """Per row, 1 / the size of its (corpus, emotion) cell, scaled to mean 1."""
    cells = table.groupby(["corpus", "label"]).ngroup().to_numpy()
    weights = 1.0 / np.bincount(cells)[cells]
    return weights / weights.mean()


class StageReading(NamedTuple):
    """What heads of one stage learn and are chosen on, and how the released model reads a window."""

    train_x: np.ndarray
    val_x: np.ndarray
    layer: SpeakerStandardise | None  # None: the embedding as it is
    val_speaker: dict[str, np.ndarray]  # the validation windows' speaker inputs ({} without)
    gate: Distance | Discriminator | None  # with a speaker layer: how unlike a person talking a window is


def gate_columns(stage: str, gate: str | None, width: int) -> slice:
    """The columns of `stage`'s embedding (`width` numbers per part) that the unfamiliar-sound
    gate measures: those of its part `gate` (--unfamiliar-stage), or all of them."""
    parts = stage_parts(stage)
    if gate is None or gate == stage:
        return slice(0, width * len(parts))
    return part_columns(parts, gate, width)


def read_as_trained(args, stage: str, train_x: np.ndarray, val_x: np.ndarray, train_speakers: np.ndarray,
                    val_speakers: np.ndarray, not_person: np.ndarray | None = None) -> StageReading:
    """The embeddings as the heads read them: as they are, or with --speaker-k0 each row against
    its speaker's statistics from a random number of their windows (the same draw for every stage),
    with the gate of sound unlike a person talking (`--gate`; the discriminator learns from the
    training rows against `not_person`, this stage's embeddings of synthetic voices and backwards
    speech; its threshold not fitted yet)."""
    if not args.speaker_k0:
        return StageReading(train_x, val_x, None, {}, None)
    layer = fitted(args.speaker_k0, train_x)
    rng = np.random.default_rng((args.seed, 1))
    train_read, _ = read_drawn(layer, train_x, train_speakers, rng)
    val_read, val_others = read_drawn(layer, val_x, val_speakers, rng)
    columns = gate_columns(stage, args.unfamiliar_stage, train_x.shape[1] // len(stage_parts(stage)))
    mean = np.asarray(layer.mean, np.float32)
    gate = (fitted_distance((train_x - mean)[:, columns], columns.start) if args.gate == "mahalanobis" else
            fitted_discriminator((train_x - mean)[:, columns], (not_person - mean)[:, columns], columns.start))
    return StageReading(train_read, val_read, layer, dict(zip(SPEAKER_INPUTS, val_others)), gate)


def fit_head(setting: dict, train_x, train_y, train_w, val_x, val_y, val_w, seed: int) -> tuple[keras.Model, float]:
    """Train one head; returns it and its corpus-weighted validation accuracy."""
    seed_everything(seed)
    head = build_head(train_x, **setting)
    head.compile(optimizer=keras.optimizers.Adam(1e-3),
                 loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    head.fit(train_x, train_y, sample_weight=train_w, batch_size=BATCH, epochs=HEAD_EPOCHS, verbose=0, shuffle=True)
    right = head.predict(val_x, batch_size=1024, verbose=0).argmax(axis=1) == val_y
    return head, float(np.sum(right * val_w) / np.sum(val_w))


def fused(head: keras.Model, stage: str, encoder: str, speaker: SpeakerStandardise | None = None,
          gate: Distance | Discriminator | None = None) -> keras.Model:
    """Whisper log-mel (n, 300, 80) -> logits: the `encoder` (one of ENCODERS) up to `stage`, time-averaged, then the
    head. With `speaker` the embedding is first read against the speaker's other windows (inputs
    SPEAKER_INPUTS), and the model returns after its logits the window's embedding (centred on the
    training set's mean: what the speaker inputs of later windows add up) and its unfamiliarity
    (`gate`'s reading; above 1 the logits are even: emotion.train.unfamiliar)."""
    embedding = pooled(whisper_encoder(encoder=encoder), stage_parts(stage))
    if speaker is None:
        return keras.Model(embedding.input, head(embedding.output), name="whisper_speech")
    others = speaker_inputs(embedding.output.shape[-1])
    standardised, centred = speaker(embedding.output, *others)
    unfamiliarity = gate(centred)
    logits = Even(name="even_when_unfamiliar")(head(standardised), unfamiliarity)
    return keras.Model([embedding.input, *others], [logits, centred, unfamiliarity], name="whisper_speech")


def shifted_embeddings(args, clips_table: pd.DataFrame, clips: list[np.ndarray]) -> np.ndarray:
    """The centred window of every clip under each of the robustness benchmark's channel shifts,
    embedded (cached in the run folder per corpus), corpus by corpus, shift by shift."""
    parts = []
    for corpus in dict.fromkeys(clips_table.corpus):
        mine = np.flatnonzero(clips_table.corpus.to_numpy() == corpus)
        keys, own = [clip_keys(clips_table)[i] for i in mine], [clips[i] for i in mine]
        parts.append(cached_embeddings(args.run_dir, f"val-shifted-{corpus}", {"files": keys, "shifts": list(SHIFTS),
                                                                               **embedding_key(args)},
                                       lambda: embed(embedder(args), (whisper_input(centred(clip)) for shift in SHIFTS
                                                                      for clip in shifted(own, keys, shift)))))
    return np.concatenate(parts)


GATES = {
    "discriminator": "log-odds of a logistic regression telling the training windows (clean and augmented) from "
                     "synthetic voices (espeak-ng: " + ", ".join(FIT_VOICES) + "; flite: " + ", ".join(FLITE_FIT_VOICES)
                     + f"; {len(FIT_SENTENCES)} sentences, whole and their middle "
                     + " and ".join(f"{seconds:g} s" for seconds in PART_SECONDS)
                     + ", clean and under each channel shift) and the training clips "
                     "played backwards",
    "mahalanobis": "Mahalanobis distance squared of the embedding from the training windows' (Ledoit-Wolf covariance), "
                   "over its width",
}
"""The gates of sound unlike a person talking (`--gate`), as the record says them (emotion.train.unfamiliar)."""


def backwards_embeddings(args, corpus_table: pd.DataFrame) -> np.ndarray:
    """The clips of one corpus in `corpus_table` played backwards, each its centred window, embedded (cached in the
    run folder per corpus and clip list)."""
    corpus = corpus_table.corpus.iloc[0]
    files = list(corpus_table.file)
    return cached_embeddings(args.run_dir, f"backwards-{corpus}", {"files": files, **embedding_key(args)},
                             lambda: embed(embedder(args), (whisper_input(centred(clip))
                                                            for clip in backwards(load_clips(files)))))


def synthetic_embeddings(args) -> np.ndarray:
    """The centred windows of the synthetic voices the gate learns from (emotion.train.synthetic.fit_clips) and of
    their middle parts (PART_SECONDS), clean and under each channel shift, embedded (cached in the run folder)."""
    def make() -> np.ndarray:
        whole = fit_clips()
        clips = whole + middle_parts(whole)
        keys = [f"synthetic/{k}" for k in range(len(clips))]
        every = clips + [clip for shift in SHIFTS for clip in shifted(clips, keys, shift)]
        return embed(embedder(args), (whisper_input(centred(clip)) for clip in every))

    return cached_embeddings(args.run_dir, "synthetic-fit", {"voices": FIT_VOICES + FLITE_FIT_VOICES,
                                                             "sentences": FIT_SENTENCES, "shifts": list(SHIFTS),
                                                             "parts": list(PART_SECONDS),
                                                             **embedding_key(args)}, make)


def not_person_embeddings(args, table: pd.DataFrame) -> np.ndarray:
    """What the discriminator learns "not a person talking" from: the synthetic voices, and the training clips of
    every corpus in `table` played backwards."""
    train = table[table.split == "train"]
    return np.concatenate([synthetic_embeddings(args)] + [backwards_embeddings(args, train[train.corpus == corpus])
                                                          for corpus in dict.fromkeys(train.corpus)])


def unfamiliar_threshold(args, reading: StageReading, stage: str, val: pd.DataFrame, val_clips: list[np.ndarray],
                         val_x: np.ndarray) -> dict:
    """Set the threshold of `reading.gate` on the validation clips' centred windows, clean and
    under each of the robustness benchmark's channel shifts (embedded once, cached), and say how."""
    shifted_x = shifted_embeddings(args, val, val_clips)
    windows = np.concatenate([at_stage(val_x, args.stages, stage), at_stage(shifted_x, args.stages, stage)])
    threshold = fit_threshold(reading.gate, windows - np.asarray(reading.layer.mean, np.float32))
    return {"gate": args.gate, "score": GATES[args.gate], "stage": args.unfamiliar_stage or stage,
            "threshold": round(threshold, 4),
            "fitted_on": f"{len(windows)} validation windows (each clip's centred window), clean and under each of "
                         f"{', '.join(SHIFTS)}: {FALSE_ALARMS:.0%} of them above it read even odds"}


POOLS = ("mean", "log")
"""How the pair joins its two models' readings: "mean", the mean of their probabilities; "log",
the mean of their calibrated logits (a product of experts: a class both find likely gains)."""


def paired(cnn: keras.Model, whisper: keras.Model, pool: str = "mean", temperature: float = 1.0) -> keras.Model:
    """One model joining two calibrated speech models, the CNN ensemble on the project's log-mel
    (input "log_mel") and the Whisper-encoder model (input "whisper_log_mel"), by `pool`, then
    one `temperature` of its own: each half is calibrated alone, and their mean is not (measured:
    the mean is under-confident). Measured on the validation speakers, the two err on different
    clips: the CNN holds up better in noise, the Whisper read-out on speakers and languages it
    never heard. A Whisper model that reads the speaker keeps its inputs and its outputs after the
    probabilities (embedding, unfamiliarity), and the pair's probabilities are even where that
    model's are (emotion.train.unfamiliar)."""
    speaker = [keras.Input(tensor.shape[1:], name=tensor.name) for tensor in whisper.inputs[1:]]  # SPEAKER_INPUTS
    if speaker and pool != "mean":
        raise ValueError("a Whisper model that reads the speaker pairs by the mean of probabilities only")
    inputs = [keras.Input(cnn.input_shape[1:], name="log_mel"), keras.Input(whisper.inputs[0].shape[1:], name="whisper_log_mel")]
    halves = (cnn, whisper)
    passed_on = []  # the Whisper half's embedding and unfamiliarity, for a half that reads the speaker
    if speaker:
        whisper_probabilities, *passed_on = whisper([inputs[1], *speaker])
        probabilities = keras.layers.Average(name="mean_probabilities")([cnn(inputs[0]), whisper_probabilities])
    elif pool == "mean":
        probabilities = keras.layers.Average(name="mean_probabilities")([half(x) for half, x in zip(halves, inputs)])
    else:  # each half's logits after its own temperature, i.e. before its softmax
        logits = [keras.Model(half.input, half.get_layer("temperature").output, name=f"{half.name}_logits")(x)
                  for half, x in zip(halves, inputs)]
        probabilities = keras.layers.Softmax(name="pooled")(keras.layers.Average(name="mean_logits")(logits))
    calibrated = ProbabilityTemperature(temperature, name="pair_temperature")(probabilities)
    if speaker:  # even odds where the Whisper half finds the sound unfamiliar
        calibrated = Even(probabilities=True, name="even_when_unfamiliar")(calibrated, passed_on[1])
    return keras.Model(inputs + speaker, [calibrated, *passed_on] if passed_on else calibrated, name="speech_pair")


def window_readings(tflite: Path, clips: list[np.ndarray], labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, label) of every voiced window of `clips`, read as the app reads a clip."""
    from emotion.registry import speech_classifier

    classifier = speech_classifier(tflite)
    probs, window_labels = [], []
    for clip, label in zip(clips, labels):
        voiced = [r.probabilities for r in classifier.classify_clip(clip) if r.probabilities is not None]
        probs += voiced
        window_labels += [label] * len(voiced)
    return np.array(probs), np.array(window_labels)


def cnn_half(path: Path) -> tuple[keras.Model, dict]:
    """The released CNN model at `path` and its training record; of a released pair, its CNN half and the record the
    pair keeps of it, so a new read-out can replace a pair's old one where only the shipped files are at hand (the
    CNN members' own run folders live on the machine that trained them)."""
    from emotion.registry import training_record
    from emotion.speech.classify import PAIR

    record, model = training_record(path), keras.models.load_model(path, compile=False)
    front_end = record.get("features", {}).get("front_end", "log_mel")
    if front_end == "log_mel":
        return model, record
    if front_end != PAIR:
        raise SystemExit(f"{path} is neither a model on the project's log-mel nor a pair of one")
    half = next(layer for layer in model.layers if isinstance(layer, keras.Model) and len(layer.inputs[0].shape) == 4)
    kept = {key: value for key, value in record.items() if key not in ("cnn", "whisper", "pool", "int8_weights", "val_reading")}
    return half, kept | record["cnn"] | {
        "training_commands": [c for c in record["training_commands"] if "emotion.train.speech_whisper" not in c],
        "features": {**record["features"], "front_end": "log_mel"}}


def release_pair(cnn_path: Path, whisper_path: Path, out: Path, command: str, val: pd.DataFrame,
                 val_clips: list[np.ndarray], int8: bool, pool: str) -> None:
    """Write the pair of the released CNN model at `cnn_path` and the Whisper model at
    `whisper_path` as `out` (.keras, .tflite, .train.json: the CNN's record with both models'
    training commands, each model's own release command, temperature and validation accuracy
    under "cnn" and "whisper", the Whisper model's recipe too, and the pair's own temperature,
    fitted on the validation clips' windows as the app reads them)."""
    from emotion.calibration import fit_temperature
    from emotion.registry import speech_classifier, training_record
    from emotion.speech.classify import PAIR

    cnn, cnn_record = cnn_half(cnn_path)
    whisper_record, whisper = training_record(whisper_path), keras.models.load_model(whisper_path, compile=False)
    record = {**cnn_record, "training_commands": cnn_record["training_commands"] + whisper_record["training_commands"],
              "release_command": command, "int8_weights": int8, "pool": pool,
              "cnn": {key: cnn_record[key] for key in ("release_command", "temperature", "val_accuracy")},
              "features": {**cnn_record.get("features", {}), "front_end": PAIR},
              "whisper": {key: whisper_record[key] for key in ("release_command", "temperature", "val_accuracy", "encoder",
                                                               "head", "augmentation", "speaker", "unfamiliar", "data")
                          if key in whisper_record}}
    out.parent.mkdir(parents=True, exist_ok=True)
    tflite = out.with_suffix(".tflite")
    out.with_suffix(".train.json").write_text(json.dumps(record, indent=1) + "\n")  # says how to read the model
    export_tflite(paired(cnn, whisper, pool), tflite, quantize=int8)
    probs, labels = window_readings(tflite, val_clips, val.label.to_numpy())
    record["temperature"] = fit_temperature(np.log(np.maximum(probs, 1e-7)), labels)
    model = paired(cnn, whisper, pool, record["temperature"])
    save_keras(model, out)
    export_tflite(model, tflite, quantize=int8)
    readings = speech_classifier(tflite).score_clips(val_clips).probabilities
    heard = readings.sum(axis=1) > 0  # a clip with no voice has an all-zero row: wrong, not "neutral"
    record["val_accuracy"] = float(np.mean(heard & (readings.argmax(axis=1) == val.label.to_numpy())))
    record["val_reading"] = "whole clips, as uploads are read"
    out.with_suffix(".train.json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {out} ({pool} of {cnn_path} and {whisper_path}, temperature {record['temperature']:.3f}; validation "
          f"accuracy {record['val_accuracy']:.3f})", flush=True)


def head_setting(text: str) -> dict:
    """--heads "0:0.01" -> {"hidden": 0, "l2": 0.01}: a hidden layer's width (0: linear) and the L2 weight."""
    hidden, _, l2 = text.partition(":")
    try:
        return {"hidden": int(hidden), "l2": float(l2)}
    except ValueError:
        raise argparse.ArgumentTypeError(f"a head is HIDDEN:L2, e.g. 0:0.01, not {text!r}") from None


def stage_list(text: str) -> tuple[str, ...]:
    """--stages "block2,final" -> ("block2", "final"), each one of STAGES or several joined by "+"
    (read side by side)."""
    stages = tuple(text.split(","))
    if unknown := {part for stage in stages for part in stage_parts(stage)} - set(STAGES):
        raise argparse.ArgumentTypeError(f"unknown stage {', '.join(sorted(unknown))} "
                                         f"(one of {', '.join(STAGES)})")
    return stages


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus_arguments(parser)
    parser.add_argument("--data-dir", help="data root (default $EMOTION_DATA_DIR or ../shared/data)")
    parser.add_argument("--copies", type=int, default=8, help="augmented windows per training clip (besides its clean one)")
    parser.add_argument("--part-windows", type=float, default=0.3, help="share of augmented windows keeping only 1-2 s of voice")
    parser.add_argument("--channel", choices=sorted(CHANNEL_ODDS), default="default")
    parser.add_argument("--warp-range", type=float, nargs=2, metavar=("LOW", "HIGH"), action=WarpRange,
                        help="warp each augmented window's frequencies by a factor drawn from LOW-HIGH (vocal tract"
                             " length perturbation; above 1 a smaller vocal tract, as a child's; default: none)")
    parser.add_argument("--encoder", choices=sorted(ENCODERS), default="tiny.en",
                        help="which Whisper encoder the read-out is built on (emotion.train.whisper.ENCODERS)")
    parser.add_argument("--stages", type=stage_list, default=("final",),
                        help=f"where heads read the encoder, validation choosing: any of {','.join(STAGES)} that the"
                             " encoder has (tiny.en: 4 blocks, base: 6), or several"
                             " joined by + (e.g. block1+block2+block3), read side by side (default: final, the"
                             " encoder's output)")
    parser.add_argument("--speaker-k0", type=float, default=0.0, metavar="K0",
                        help="read each window against its speaker's embeddings so far, shrunk toward the training"
                             " set's by K0 windows (emotion.speech.speaker; default 0: the window alone)")
    parser.add_argument("--unfamiliar-stage", metavar="STAGE",
                        help="with --speaker-k0: the gate of unfamiliar sound measures this part of a joined stage"
                             " (e.g. block2 of block1+block2+block3; default: all of the stage read)")
    parser.add_argument("--gate", choices=tuple(GATES), default="discriminator",
                        help="with --speaker-k0: how the gate of sound unlike a person talking scores a window (GATES;"
                             " the discriminator needs espeak-ng and flite)")
    parser.add_argument("--heads", type=head_setting, nargs="+", default=list(HEAD_GRID), metavar="HIDDEN:L2",
                        help="the head settings validation chooses from (default: HEAD_GRID); one, e.g. 0:0.01, fixes"
                             " the head (as a choice made leave-one-corpus-out, benchmarks/speech_loco.py, does)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_CACHE / "speech-whisper")
    parser.add_argument("--int8", action="store_true",
                        help="store the released .tflite files' weights as int8 (a quarter of the size, faster on"
                             " LiteRT; activations stay float)")
    parser.add_argument("--out", type=Path, help="default: speech.keras in the run folder (copy to models/ to ship)")
    parser.add_argument("--pair-with", type=Path, metavar="CNN.keras",
                        help="also release the mean of this released CNN model (or a released pair's CNN half, e.g. the"
                             " shipped models/speech.keras) and the new one, as --pair-out")
    parser.add_argument("--pair-out", type=Path, default=REPO / "models" / "speech.keras")
    parser.add_argument("--pair-pool", choices=POOLS, default="mean", help="how the pair joins the two readings (see POOLS)")
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if missing := set(encoder_stages(args.stages)) - set(stages_of(ENCODERS[args.encoder].shape)):
        parser.error(f"Whisper {args.encoder} has no {', '.join(sorted(missing))}")
    if args.unfamiliar_stage and any(args.unfamiliar_stage not in stage_parts(stage) for stage in args.stages):
        parser.error(f"--unfamiliar-stage {args.unfamiliar_stage} is not a part of every stage in --stages")
    command = "python -m emotion.train.speech_whisper " + shlex.join(argv if argv is not None else sys.argv[1:])
    args.run_dir.mkdir(parents=True, exist_ok=True)
    out = args.out or args.run_dir / "speech.keras"
    started = time.time()
    table = read_corpora(args)
    train, val = table[table.split == "train"].reset_index(drop=True), table[table.split == "val"].reset_index(drop=True)
    print(f"train {describe(train)}, val {describe(val)}", flush=True)
    val_clips = load_clips(list(val.file))
    train_x = training_embeddings(args, train)
    val_x = cached_embeddings(args.run_dir, "val", {"files": list(val.file), **embedding_key(args)},
                              lambda: embed(embedder(args), (whisper_input(centred(c)) for c in val_clips)))
    copies = 1 + args.copies
    train_y, train_w = np.tile(train.label.to_numpy(), copies), np.tile(balanced_weights(train), copies)
    val_y, val_w = val.label.to_numpy(), corpus_weights(val)
    print(f"embedded {len(train_x)} training and {len(val_x)} validation windows ({time.time() - started:.0f} s)", flush=True)
    not_person = not_person_embeddings(args, table) if args.speaker_k0 and args.gate == "discriminator" else None
    read = {stage: read_as_trained(args, stage, at_stage(train_x, args.stages, stage), at_stage(val_x, args.stages, stage),
                                   np.tile(train.speaker.to_numpy(), copies), val.speaker.to_numpy(),
                                   None if not_person is None else at_stage(not_person, args.stages, stage))
            for stage in args.stages}
    results = []
    for stage, setting in itertools.product(args.stages, args.heads):
        head, accuracy = fit_head(setting, read[stage].train_x, train_y, train_w, read[stage].val_x, val_y, val_w, args.seed)
        results.append((accuracy, stage, setting, head))
        print(f"{stage}, head {setting}: validation accuracy {accuracy:.3f}", flush=True)
    accuracy, stage, setting, head = max(results, key=lambda result: result[0])
    val_inputs = {"whisper_log_mel": whisper_inputs([centred(c) for c in val_clips]), **read[stage].val_speaker}
    state = RunState(epochs_done=HEAD_EPOCHS, best_val_accuracy=accuracy, best_epoch=HEAD_EPOCHS,
                     seconds=time.time() - started, commands=[command])
    save_state(args.run_dir, state)
    data = {"corpora": " + ".join(f"{CORPUS_NAMES.get(c, c)} ({len(table[table.corpus == c]):,} clips)" for c in args.corpora),
            **{f"{split} speakers": describe(table[table.split == split]) for split in ("train", "val", "test")},
            "sampling": "every (corpus, emotion) pair weighs the same; validation weighs the corpora equally"}
    recipe = {"data": data, "features": {"front_end": "whisper_log_mel"},
              "encoder": {"model": ENCODERS[args.encoder].title, "source": ENCODERS[args.encoder].requirement,
                          "sha256": ENCODERS[args.encoder].sha256, "stage": stage},
              "head": {**setting, "epochs": HEAD_EPOCHS, "grid": [
                  {"stage": st, **s, "val_accuracy": round(a, 4)} for a, st, s, _ in results]},
              "augmentation": {"copies": args.copies, "part_windows": args.part_windows, "channel": args.channel}
              | warp_range_entry(args)}
    if args.speaker_k0:
        recipe["speaker"] = {"k0": args.speaker_k0, "windows_drawn": f"1-{MAX_WINDOWS}, log-uniform",
                             "reads": "each window against its speaker's other windows' embeddings (emotion.speech.speaker)"}
        recipe["unfamiliar"] = unfamiliar_threshold(args, read[stage], stage, val, val_clips, val_x)
    fused_model = fused(head, stage, args.encoder, read[stage].layer, read[stage].gate)
    ship(fused_model, [args.run_dir], val_inputs if args.speaker_k0 else val_inputs["whisper_log_mel"], val_y, out, command,
         HEAD_EPOCHS, recipe | {"int8_weights": args.int8}, quantize=args.int8)
    if args.pair_with:
        release_pair(args.pair_with, out, args.pair_out, command, val, val_clips, args.int8, args.pair_pool)


if __name__ == "__main__":
    main()
