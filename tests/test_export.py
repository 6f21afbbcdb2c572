"""What ships: a seed ensemble is one model whose logits are its members' mean, and it survives
saving, temperature and TFLite export with the same numbers."""

from __future__ import annotations

import zipfile

import keras
import numpy as np
import pytest

from emotion.calibration import softmax
from emotion.export import averaged_logits, save_release
from emotion.speech.features import FEATURE_SHAPE
from emotion.speech.network import build_speech_network
from emotion.tflite_model import TFLiteModel


def test_seed_ensemble_averages_logits_and_ships_as_one_tflite(tmp_path):
    members = []
    for seed in (1, 2):
        keras.utils.set_random_seed(seed)
        members.append(build_speech_network())
    x = np.random.default_rng(0).normal(size=(3, *FEATURE_SHAPE)).astype(np.float32)
    each = [member.predict(x, verbose=0) for member in members]
    assert not np.allclose(each[0], each[1]), "differently seeded members must differ, or the test proves nothing"

    ensemble = averaged_logits(members)
    np.testing.assert_allclose(ensemble.predict(x, verbose=0), np.mean(each, axis=0), rtol=1e-4, atol=1e-5)

    save_release(ensemble, 1.5, tmp_path / "speech.keras")
    with zipfile.ZipFile(tmp_path / "speech.keras") as archive:  # stored deflated; Keras reads it as it is
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_DEFLATED}
    expected = softmax(np.mean(each, axis=0), 1.5)
    reloaded = keras.models.load_model(tmp_path / "speech.keras")
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-5)
    shipped = TFLiteModel(tmp_path / "speech.tflite").predict(x)
    np.testing.assert_allclose(shipped, expected, rtol=1e-3, atol=1e-5)
    assert shipped.sum(axis=1) == pytest.approx(np.ones(3), abs=1e-5)


def test_a_shared_model_gives_every_thread_the_same_answer_with_at_most_one_interpreter_per_core():
    """Several sessions call one TFLiteModel at once: the pool lends each call its own interpreter,
    up to max_parallel, and the answers are those of a lone call."""
    import threading

    from emotion.registry import FACE

    model = TFLiteModel(FACE.tflite, max_parallel=3)
    batches = [np.random.default_rng(k).normal(size=(1 + k % 2, *model.input_shape)).astype(np.float32) for k in range(6)]
    alone = [model.predict(batch) for batch in batches]
    wrong: list[int] = []

    def stream(k: int) -> None:
        for _ in range(10):
            if not np.array_equal(model.predict(batches[k]), alone[k]):
                wrong.append(k)

    threads = [threading.Thread(target=stream, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == [] and 1 <= model.interpreters <= 3


def test_a_model_with_two_inputs_takes_each_by_its_name(tmp_path):
    """The speech pair reads the project's log-mel and Whisper's: TFLiteModel feeds each input by
    its Keras name, whatever order the converter gave them, and an unnamed input is an error."""
    from emotion.export import export_tflite

    first, second = keras.Input((3,), name="whisper_log_mel"), keras.Input((2,), name="log_mel")
    out = keras.layers.Concatenate()([keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")(first),
                                      keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")(second)])
    model = TFLiteModel(export_tflite(keras.Model([first, second], out), tmp_path / "two.tflite"))
    batch = {"log_mel": np.ones((4, 2), np.float32), "whisper_log_mel": np.full((4, 3), 2.0, np.float32)}
    assert np.allclose(model.predict(batch), [[6.0, 0.0]] * 4)
    assert np.allclose(model.predict(dict(reversed(batch.items()))), [[6.0, 0.0]] * 4)
    with pytest.raises(KeyError):
        model.predict({"log_mel": batch["log_mel"]})


def test_a_model_with_two_outputs_returns_them_in_keras_order(tmp_path):
    """A read-out that also returns what it computed on the way (e.g. a window's embedding): the
    converter lists the outputs in another order, TFLiteModel gives them back in Keras's."""
    from ai_edge_litert.interpreter import Interpreter

    from emotion.export import export_tflite

    inputs = keras.Input((6,), name="embedding")
    hidden = keras.layers.Dense(4, name="hidden")(inputs)
    probabilities = keras.layers.Dense(2, activation="softmax", name="head")(hidden * hidden)
    model = keras.Model(inputs, [probabilities, hidden])
    batch = np.random.default_rng(0).normal(size=(3, 6)).astype(np.float32)
    expected = model.predict(batch, verbose=0)
    lite = TFLiteModel(export_tflite(model, tmp_path / "two_outputs.tflite"))
    interpreter = Interpreter(model_path=str(tmp_path / "two_outputs.tflite"))
    interpreter_order = [tuple(d["shape_signature"][1:]) for d in interpreter.get_output_details()]
    assert interpreter_order == [(4,), (2,)]  # the converter's order is not Keras's: the test can fail
    outputs = lite.outputs(batch)
    assert [o.shape for o in outputs] == [(3, 2), (3, 4)]
    assert all(np.abs(got - want).max() < 1e-5 for got, want in zip(outputs, expected))
    assert np.allclose(lite.predict(batch), expected[0], atol=1e-5)


def test_the_speech_pair_joins_two_calibrated_models_and_takes_one_temperature_of_its_own(tmp_path):
    """The pair's two pools, checked against numpy: "mean" is the halves' mean probability, "log"
    the softmax of their mean calibrated logits, and either is then softened or sharpened by the
    pair's temperature, the same after saving, reloading and TFLite export."""
    from emotion.export import export_tflite, with_temperature
    from emotion.train.speech_whisper import paired

    rng = np.random.default_rng(0)
    halves, logits = [], []
    x = {"log_mel": rng.normal(size=(5, 4)).astype(np.float32), "whisper_log_mel": rng.normal(size=(5, 6)).astype(np.float32)}
    for name, temperature in (("log_mel", 0.8), ("whisper_log_mel", 1.7)):
        inputs = keras.Input(x[name].shape[1:], name=name)
        dense = keras.layers.Dense(8, kernel_initializer=keras.initializers.RandomNormal(stddev=2.0, seed=len(halves)))
        half = with_temperature(keras.Model(inputs, dense(inputs)), temperature)
        halves.append(half)
        logits.append(dense(x[name]).numpy() / temperature)
    mean_p = (softmax(logits[0], 1.0) + softmax(logits[1], 1.0)) / 2
    expected = {"mean": softmax(np.log(mean_p), 1.5), "log": softmax((logits[0] + logits[1]) / 2, 1.5)}
    assert not np.allclose(expected["mean"], expected["log"], atol=1e-3), "the pools must differ, or this proves nothing"
    for pool, want in expected.items():
        model = paired(*halves, pool=pool, temperature=1.5)
        np.testing.assert_allclose(model.predict([x["log_mel"], x["whisper_log_mel"]], verbose=0), want, rtol=1e-4, atol=1e-5)
        model.save(tmp_path / f"{pool}.keras")
        reloaded = keras.models.load_model(tmp_path / f"{pool}.keras")
        np.testing.assert_allclose(reloaded.predict([x["log_mel"], x["whisper_log_mel"]], verbose=0), want, rtol=1e-4, atol=1e-5)
        shipped = TFLiteModel(export_tflite(model, tmp_path / f"{pool}.tflite")).predict(x)
        np.testing.assert_allclose(shipped, want, rtol=1e-3, atol=1e-5)


def test_the_distance_reads_unfamiliar_windows_and_even_odds_follow_it_through_reload_and_tflite(tmp_path):
    """emotion.train.unfamiliar against numpy: the distance is the Mahalanobis distance squared
    over the width under the training rows' shrunk covariance (about 1 for them), its fitted threshold
    lets FALSE_ALARMS of the validation rows through, and the gate leaves logits below it, turns
    them even from 1 + RAMP on (probabilities mixed toward 1 / classes), the same after saving,
    reloading and int8 TFLite export."""
    from sklearn.covariance import LedoitWolf

    from emotion.export import export_tflite
    from emotion.train.unfamiliar import FALSE_ALARMS, RAMP, Even, fit_threshold, fitted_distance

    rng = np.random.default_rng(0)
    mixing = rng.normal(size=(16, 16)) * np.linspace(0.2, 3.0, 16)  # correlated, uneven spread
    train, val = (rng.normal(size=(n, 16)) @ mixing for n in (4000, 1000))
    distance = fitted_distance(train)
    precision = np.linalg.inv(LedoitWolf(assume_centered=True).fit(train).covariance_)
    want = np.einsum("ij,jk,ik->i", val, precision, val) / 16
    got = keras.ops.convert_to_numpy(distance(val.astype(np.float32)))[:, 0]
    np.testing.assert_allclose(got, want, rtol=1e-4)
    assert 0.8 < float(keras.ops.convert_to_numpy(distance(train.astype(np.float32))).mean()) < 1.05  # ~1, less the shrinkage
    threshold = fit_threshold(distance, val)
    assert threshold == pytest.approx(np.quantile(got, 1 - FALSE_ALARMS), rel=1e-6) and distance.threshold == threshold
    far = np.concatenate([val[:3], val[:3] * 5.0]).astype(np.float32)  # three familiar rows, then far copies of them

    inputs = keras.Input((16,), name="embedding")
    unfamiliarity = distance(inputs)
    logits = keras.layers.Dense(8, kernel_initializer=keras.initializers.RandomNormal(stddev=2.0, seed=1))(inputs)
    even_logits = Even(name="even_logits")(logits, unfamiliarity)
    probabilities = Even(probabilities=True, name="even_probabilities")(keras.layers.Softmax()(logits), unfamiliarity)
    model = keras.Model(inputs, [even_logits, probabilities, unfamiliarity])
    model.save(tmp_path / "gate.keras")
    for outputs in (model.predict(far, verbose=0), keras.models.load_model(tmp_path / "gate.keras").predict(far, verbose=0),
                    TFLiteModel(export_tflite(model, tmp_path / "gate.tflite", quantize=True)).outputs(far)):
        ratio = outputs[2][:, 0]
        assert (ratio[:3] < 1.0).all() and (ratio[3:] > 1.0 + RAMP).all()
        assert np.abs(outputs[0][:3]).max() > 1.0 and np.abs(outputs[0][3:]).max() < 1e-6
        assert outputs[1][:3].max(axis=1).min() > 0.2 and np.allclose(outputs[1][3:], 1 / 8, atol=1e-6)


def test_the_unfamiliar_gate_can_measure_some_columns_of_an_embedding(tmp_path):
    """A gate fitted on columns 8-15 of the training rows reads those columns of whole rows (as a
    read-out of several encoder stages side by side keeps one stage's gate), also once saved."""
    from emotion.train.unfamiliar import fitted_distance

    rng = np.random.default_rng(1)
    train, val = (rng.normal(size=(n, 16)) * np.linspace(0.5, 2.0, 16) for n in (2000, 50))
    part = fitted_distance(train[:, 8:], start=8)
    alone = fitted_distance(train[:, 8:])
    want = keras.ops.convert_to_numpy(alone(val[:, 8:].astype(np.float32)))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(part(val.astype(np.float32))), want, rtol=1e-5)
    val[:, :8] *= 100.0  # far off in the columns the gate does not measure: no change
    np.testing.assert_allclose(keras.ops.convert_to_numpy(part(val.astype(np.float32))), want, rtol=1e-5)
    inputs = keras.Input((16,))
    keras.Model(inputs, part(inputs)).save(tmp_path / "part.keras")
    reloaded = keras.models.load_model(tmp_path / "part.keras")
    np.testing.assert_allclose(reloaded.predict(val.astype(np.float32), verbose=0), want, rtol=1e-5)


def test_the_discriminator_is_the_logistic_regression_and_gates_synthetic_like_rows_through_reload_and_tflite(tmp_path):
    """emotion.train.unfamiliar.Discriminator against sklearn: its raw score is the log-odds of a logistic regression on
    standardised columns (the standardisation folded into the layer), its fitted threshold lets FALSE_ALARMS of the
    validation rows through, and rows like the "not a person" ones turn even odds, measured on columns from `start`
    on, the same after saving, reloading and int8 TFLite export."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from emotion.export import export_tflite
    from emotion.train.unfamiliar import FALSE_ALARMS, RAMP, Even, fit_threshold, fitted_discriminator

    rng = np.random.default_rng(2)
    spread = np.linspace(0.5, 3.0, 12)
    person, val = (rng.normal(size=(n, 12)) * spread for n in (3000, 800))
    not_person = (rng.normal(size=(600, 12)) + np.r_[np.zeros(6), np.full(6, 3.0)]) * spread  # 3 sd off in 6 columns
    gate = fitted_discriminator(person, not_person, start=4)
    x = np.concatenate([person, not_person])
    scaler = StandardScaler().fit(x)
    regression = LogisticRegression(class_weight="balanced", max_iter=2000).fit(
        scaler.transform(x), np.r_[np.zeros(len(person)), np.ones(len(not_person))])
    wide = np.concatenate([rng.normal(size=(len(val), 4)) * 100.0, val], axis=1)  # 4 columns the gate does not read
    got = keras.ops.convert_to_numpy(gate.raw(wide.astype(np.float32)))[:, 0]
    np.testing.assert_allclose(got, regression.decision_function(scaler.transform(val)), rtol=1e-3, atol=1e-3)
    threshold = fit_threshold(gate, wide)
    assert threshold == pytest.approx(np.quantile(got, 1 - FALSE_ALARMS), rel=1e-5) and gate.threshold == threshold
    synthetic_like = np.concatenate([rng.normal(size=(20, 4)), not_person[:20]], axis=1)
    rows = np.concatenate([wide[:20], synthetic_like]).astype(np.float32)

    inputs = keras.Input((16,), name="embedding")
    unfamiliarity = gate(inputs)
    probabilities = Even(probabilities=True, name="even")(keras.layers.Softmax()(keras.layers.Dense(8)(inputs)), unfamiliarity)
    model = keras.Model(inputs, [probabilities, unfamiliarity])
    model.save(tmp_path / "discriminator.keras")
    for outputs in (model.predict(rows, verbose=0), keras.models.load_model(tmp_path / "discriminator.keras").predict(rows, verbose=0),
                    TFLiteModel(export_tflite(model, tmp_path / "discriminator.tflite", quantize=True)).outputs(rows)):
        gated = outputs[1][:, 0] > 1.0 + RAMP
        assert gated[:20].mean() <= 0.1 and gated[20:].mean() >= 0.9
        assert np.allclose(outputs[0][gated], 1 / 8, atol=1e-6)
