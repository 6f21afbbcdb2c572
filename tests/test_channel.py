"""Channel shifts (emotion/speech/channel.py) on speech synthesised by espeak-ng: each keeps the
clip's length, type and range, is repeatable, and does what it says to the sound."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from emotion.speech import channel
from emotion.speech.features import SAMPLE_RATE
from media import speech_16k

TRAILING_SILENCE_S = 0.6


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> np.ndarray:
    """A sentence at -25 dBFS followed by silence (where reverberation must show up)."""
    voice = channel.gain_to_dbfs(speech_16k(tmp_path_factory.mktemp("speech")), -25.0)
    return np.concatenate([voice, np.zeros(int(TRAILING_SILENCE_S * SAMPLE_RATE), np.float32)])


def _band_energy(audio: np.ndarray, low_hz: float, high_hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(audio)) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1 / SAMPLE_RATE)
    return float(spectrum[(freqs >= low_hz) & (freqs < high_hz)].sum())


def _lag_of_peak(reference: np.ndarray, shifted: np.ndarray) -> int:
    """Samples by which `shifted` lags `reference`, from the peak of their cross-correlation."""
    size = 2 * len(reference)
    correlation = np.fft.irfft(np.conj(np.fft.rfft(reference, size)) * np.fft.rfft(shifted, size), size)
    lag = int(np.argmax(correlation))
    return lag if lag < len(reference) else lag - size


SHIFTED = {**channel.SHIFTS, "mic_eq": channel.random_mic_eq, "random_channel": channel.random_channel}


@pytest.mark.parametrize("name", list(SHIFTED))
def test_shift_keeps_length_type_and_range_and_repeats(speech, name):
    shift = SHIFTED[name]
    loud = channel.gain_to_dbfs(speech, -3.0)  # near full scale: what overflows must be clipped
    for audio in (speech, loud, speech[:5_000]):
        out = shift(audio, np.random.default_rng(7))
        assert out.dtype == np.float32 and out.shape == audio.shape
        assert np.isfinite(out).all() and np.abs(out).max() <= 1.0
        np.testing.assert_array_equal(out, shift(audio, np.random.default_rng(7)))


def test_random_channel_varies_with_the_seed_and_keeps_a_sane_level(speech):
    outputs = [channel.random_channel(speech, np.random.default_rng(seed)) for seed in range(12)]
    assert len({out.tobytes() for out in outputs}) == len(outputs)
    levels = [channel.active_dbfs(out) for out in outputs]
    assert all(-34.0 < level < 1.0 for level in levels), levels


def test_channel_odds_of_everything_stack_every_shift(speech):
    """At odds of 1 for "everything" each window meets every shift, whatever the single odds say:
    a narrow band (nothing above 4 kHz) and noise in the pauses; at zero odds only the gain."""
    hissy = channel.add_noise(speech, 20.0, np.random.default_rng(1), "white")
    nothing = channel.ChannelOdds(reverb=0, noise=0, mic=0, narrowband=0, opus=0)
    plain = channel.random_channel(hissy, np.random.default_rng(5), nothing)
    stacked = channel.random_channel(hissy, np.random.default_rng(5), dataclasses.replace(nothing, everything=1.0))
    assert _band_energy(plain, 4_100, 8_000) > 0.01 * _band_energy(plain, 300, 3_400)
    assert _band_energy(stacked, 4_100, 8_000) < 1e-3 * _band_energy(stacked, 300, 3_400)
    assert np.corrcoef(plain, stacked)[0, 1] < 0.9
    assert channel.CHANNEL_ODDS["harsh"].everything > 0 and channel.CHANNEL_ODDS["default"].everything == 0


def test_opus_round_trip_lines_up_and_keeps_the_speech_band(speech):
    out = channel.opus_round_trip(speech, 24_000)
    assert abs(_lag_of_peak(speech, out)) <= 2
    kept = _band_energy(out, 300, 3_400) / _band_energy(speech, 300, 3_400)
    assert 0.7 < kept < 1.3
    assert np.corrcoef(speech, out)[0, 1] > 0.7


def test_band_limit_removes_what_lies_above_4_khz(speech):
    hissy = channel.add_noise(speech, 20.0, np.random.default_rng(1), "white")  # energy up to 8 kHz for sure
    out = channel.band_limit(hissy, 8_000)
    assert _band_energy(out, 4_100, 8_000) < 1e-3 * _band_energy(hissy, 4_100, 8_000)
    assert _band_energy(out, 300, 3_400) == pytest.approx(_band_energy(hissy, 300, 3_400), rel=0.05)
    assert abs(_lag_of_peak(hissy, out)) <= 1


@pytest.mark.parametrize("dbfs", [-35.0, -25.0, -10.0])
def test_gain_to_dbfs_hits_its_level(speech, dbfs):
    out = channel.gain_to_dbfs(speech, dbfs)
    assert channel.active_dbfs(out) == pytest.approx(dbfs, abs=1.0)
    # the level of the voiced part itself, measured without the helper: frames above -60 dBFS
    frames = out[: len(out) // 480 * 480].reshape(-1, 480)
    power = np.mean(frames.astype(np.float64) ** 2, axis=1)
    assert 10 * np.log10(power[power > 1e-6].mean()) == pytest.approx(dbfs, abs=2.0)


def test_gain_leaves_silence_silent():
    silence = np.zeros(SAMPLE_RATE, np.float32)
    np.testing.assert_array_equal(channel.gain_to_dbfs(silence, -25.0), silence)


@pytest.mark.parametrize("colour", ["pink", "white"])
@pytest.mark.parametrize("snr_db", [0.0, 10.0, 20.0])
def test_add_noise_hits_its_snr(speech, colour, snr_db):
    noise = channel.add_noise(speech, snr_db, np.random.default_rng(3), colour) - speech
    measured = 20 * np.log10(channel.active_rms(speech) / np.sqrt(np.mean(noise.astype(np.float64) ** 2)))
    assert measured == pytest.approx(snr_db, abs=1.0)


def test_pink_noise_has_equal_energy_per_octave():
    noise = channel.pink_noise(4 * SAMPLE_RATE, np.random.default_rng(0))
    octaves = [_band_energy(noise, low, 2 * low) for low in (125, 250, 500, 1_000, 2_000, 4_000)]
    assert np.ptp(10 * np.log10(octaves)) < 1.5
    assert np.sqrt(np.mean(noise**2)) == pytest.approx(1.0, rel=1e-3)


def test_reverb_leaves_a_decay_after_the_speech_ends(speech):
    last_sound = int(np.flatnonzero(np.abs(speech) > 1e-3)[-1])
    after = slice(last_sound + int(0.03 * SAMPLE_RATE), last_sound + int(0.3 * SAMPLE_RATE))
    assert np.abs(speech[after]).max() < 1e-3

    def level_after_db(rt60_s: float) -> float:
        wet = channel.reverb(speech, rt60_s, np.random.default_rng(5))
        return 20 * np.log10(np.sqrt(np.mean(wet[after].astype(np.float64) ** 2)) / channel.active_rms(speech))

    short, long = level_after_db(0.2), level_after_db(0.8)
    assert long > -40.0, "an 0.8 s room must still ring in the quarter second after the last word"
    assert long > short + 10.0
    wet = channel.reverb(speech, 0.5, np.random.default_rng(5))
    assert _lag_of_peak(speech, wet) == 0, "the direct sound keeps its place"


def test_mic_eq_thins_the_bass_and_dulls_the_top(speech):
    hissy = channel.add_noise(speech, 20.0, np.random.default_rng(1), "white")
    out = channel.mic_eq(hissy, low_cut_hz=300.0, high_cut_hz=4_000.0)
    assert _band_energy(out, 50, 120) < 0.05 * _band_energy(hissy, 50, 120)
    assert _band_energy(out, 6_500, 8_000) < 0.03 * _band_energy(hissy, 6_500, 8_000)  # -17 dB at 6.5 kHz, -24 at 8
    assert _band_energy(out, 1_000, 2_000) == pytest.approx(_band_energy(hissy, 1_000, 2_000), rel=0.15)


@pytest.mark.parametrize("name", list(channel.SHIFTS))
def test_speech_through_each_shift_still_gets_a_reading(speech, speech_classifier, name):
    shifted = channel.SHIFTS[name](speech, np.random.default_rng(0))
    readings = speech_classifier.classify_clip(shifted)
    assert any(r.probabilities is not None for r in readings), f"{name}: the voice went unheard"
