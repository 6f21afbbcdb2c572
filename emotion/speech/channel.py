"""What a real microphone and a WebRTC link do to a voice, as plain functions of 16 kHz audio.

RAVDESS was recorded in one studio through one microphone. A family's laptop adds a room's
reverberation, background noise, a cheap microphone's colouring, automatic gain, sometimes a
narrow band, and WebRTC's Opus codec. The speech model is scored under these shifts
(benchmarks/speech_robustness.py, with the fixed settings in SHIFTS) and can be trained on
them (`random_channel`, with random settings in the ranges of issue 14).

Every function takes (n,) float32 16 kHz mono in -1..1 and returns the same: same length
(codecs and resamplers that change it are padded or cut back), clipped to -1..1, as a sound
card would. Randomness comes only from the caller's `np.random.Generator`, so a seeded
generator gives the same audio every time. numpy, soxr and PyAV only: no scipy (the app must
not load it) and no files on disk.

Cost per 3 s clip on the project's 2-core CPU (medians, `python -m emotion.speech.channel`):
band_limit 8 kHz 0.2 ms, opus_round_trip 24 kbit/s 27 ms (of it ~1 ms resampling, the rest
libopus encoding and decoding), reverb 0.5 s 0.8 ms, gain_to_dbfs 0.04 ms, add_noise pink 0.8 ms,
mic_eq 1.1 ms; "all" 33 ms. random_channel 6.4 ms a clip on average, of which ~5.5 ms is the
Opus round trip drawn one time in five: Opus costs ~9x all the other shifts together.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import av
import numpy as np
import soxr

from emotion.speech.features import SAMPLE_RATE

OPUS_RATE = 48_000
"""Opus runs at 48 kHz in WebRTC; the clip is resampled up for it and back down after."""
OPUS_FRAME_S = 0.02
"""WebRTC's Opus frames are 20 ms."""
LEVEL_FRAME = 480
"""30 ms frames for measuring the level of the active speech."""
ACTIVE_WITHIN_DB = 40.0
"""A frame counts as active speech when its power is within this of the loudest frame's:
the pauses before and after a RAVDESS sentence must not lower its measured level."""
REVERB_PRE_DELAY_S = 0.01
"""Gap between the direct sound and the first reflections of a small room."""
DIRECT_TO_REVERBERANT_DB = 3.0
"""Default reverberation level: 3 dB below the direct sound, a speaker about arm's length from a
laptop in a furnished room."""
PAD_FOR_FILTER_S = 0.1
"""Zero padding before a whole-clip FFT filter, so its ringing does not wrap round the clip."""

Channel = Callable[[np.ndarray, np.random.Generator], np.ndarray]
NoiseColour = Literal["pink", "white"]


def _as_clip(audio: np.ndarray, length: int) -> np.ndarray:
    """Back to `length` samples of float32 in -1..1: what every shift hands on."""
    audio = np.asarray(audio, dtype=np.float32)
    audio = audio[:length] if len(audio) >= length else np.pad(audio, (0, length - len(audio)))
    return np.clip(audio, -1.0, 1.0)


def _fft_size(n: int) -> int:
    return 1 << max(0, int(n - 1).bit_length())


def active_rms(audio: np.ndarray) -> float:
    """RMS of the 30 ms frames within ACTIVE_WITHIN_DB of the loudest one: the speech's level,
    not diluted by the silence around it (a simple form of ITU-T P.56's active speech level)."""
    n_frames = len(audio) // LEVEL_FRAME
    if n_frames == 0:
        return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if len(audio) else 0.0
    frames = audio[: n_frames * LEVEL_FRAME].reshape(n_frames, LEVEL_FRAME).astype(np.float64)
    power = np.mean(frames**2, axis=1)
    active = power >= power.max() * 10 ** (-ACTIVE_WITHIN_DB / 10)
    return float(np.sqrt(power[active].mean()))


def active_dbfs(audio: np.ndarray) -> float:
    """The active speech level in dB relative to full scale (a full-scale square wave is
    0 dBFS, a full-scale sine -3 dBFS), as telephony's dBov counts it."""
    return 20 * float(np.log10(max(active_rms(audio), 1e-10)))


def band_limit(audio: np.ndarray, rate_hz: int) -> np.ndarray:
    """Down to `rate_hz` and back: nothing above rate_hz / 2 survives, as on a narrowband call
    or a headset that samples at 8 kHz."""
    narrow = soxr.resample(audio, SAMPLE_RATE, rate_hz, quality="HQ")
    return _as_clip(soxr.resample(narrow, rate_hz, SAMPLE_RATE, quality="HQ"), len(audio))


def _opus_encoder(bitrate: int) -> av.audio.codeccontext.AudioCodecContext:
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate = OPUS_RATE
    encoder.layout = "mono"
    encoder.format = "flt"
    encoder.bit_rate = bitrate
    encoder.options = {"application": "voip", "frame_duration": str(int(OPUS_FRAME_S * 1000))}  # as WebRTC
    encoder.open()
    return encoder


def _to_float(frame: av.AudioFrame) -> np.ndarray:
    samples = frame.to_ndarray().reshape(-1)
    if np.issubdtype(samples.dtype, np.integer):
        return samples.astype(np.float32) / float(np.iinfo(samples.dtype).max)
    return samples.astype(np.float32)


def opus_round_trip(audio: np.ndarray, bitrate: int = 24_000) -> np.ndarray:
    """Encode to Opus and decode again, in memory, as a WebRTC call carries the microphone.

    The packets go straight from the encoder to a decoder (no container). The decoder gets the
    encoder's OpusHead, whose pre-skip makes it drop the encoder's look-ahead, so the output
    lines up with the input (tests/test_channel.py measures the lag: 0 samples).
    """
    if len(audio) == 0:
        return _as_clip(audio, 0)
    wideband = soxr.resample(audio, SAMPLE_RATE, OPUS_RATE, quality="HQ").astype(np.float32)
    encoder = _opus_encoder(bitrate)
    frame = av.AudioFrame.from_ndarray(wideband[None, :], format="flt", layout="mono")
    frame.sample_rate, frame.pts = OPUS_RATE, 0
    packets = encoder.encode(frame) + encoder.encode(None)
    decoder = av.CodecContext.create("libopus", "r")
    decoder.sample_rate, decoder.layout = OPUS_RATE, "mono"
    decoder.extradata = encoder.extradata
    decoded = [f for packet in packets for f in decoder.decode(packet)] + decoder.decode(None)
    wideband_out = np.concatenate([_to_float(f) for f in decoded])
    return _as_clip(soxr.resample(wideband_out, OPUS_RATE, SAMPLE_RATE, quality="HQ"), len(audio))


def room_impulse_response(rt60_s: float, rng: np.random.Generator,
                          direct_to_reverberant_db: float = DIRECT_TO_REVERBERANT_DB) -> np.ndarray:
    """(n,) float32: a direct-path impulse of 1, a short gap, then Gaussian noise decaying by
    60 dB over rt60_s, scaled so its energy is `direct_to_reverberant_db` below the direct path's.
    Synthetic, but what matters to a spectrogram: a smeared, decaying copy of the voice."""
    pre_delay = int(REVERB_PRE_DELAY_S * SAMPLE_RATE)
    n_tail = max(1, int(rt60_s * SAMPLE_RATE))
    seconds = np.arange(n_tail) / SAMPLE_RATE
    tail = rng.standard_normal(n_tail) * np.exp(-3 * np.log(10) * seconds / rt60_s)  # amplitude: -60 dB at rt60
    tail *= np.sqrt(10 ** (-direct_to_reverberant_db / 10) / np.sum(tail**2))
    response = np.zeros(pre_delay + n_tail)
    response[0] = 1.0
    response[pre_delay:] = tail
    return response.astype(np.float32)


def reverb(audio: np.ndarray, rt60_s: float, rng: np.random.Generator,
           direct_to_reverberant_db: float = DIRECT_TO_REVERBERANT_DB) -> np.ndarray:
    """The voice in a room with reverberation time rt60_s; the direct sound keeps its level and
    timing, the reverberation adds to it."""
    response = room_impulse_response(rt60_s, rng, direct_to_reverberant_db)
    size = _fft_size(len(audio) + len(response) - 1)
    wet = np.fft.irfft(np.fft.rfft(audio, size) * np.fft.rfft(response, size), size)
    return _as_clip(wet, len(audio))


def gain_to_dbfs(audio: np.ndarray, dbfs: float) -> np.ndarray:
    """Scale so the active speech sits at `dbfs` (see `active_dbfs`), clipping what overflows,
    as a quiet microphone or an over-eager automatic gain does. Silence stays silence."""
    level = active_rms(audio)
    if level < 1e-6:
        return _as_clip(audio, len(audio))
    return _as_clip(audio * (10 ** (dbfs / 20) / level), len(audio))


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """(n,) float32 noise of RMS 1 whose power falls 3 dB an octave, like a room's hum of
    ventilation and traffic (white noise is flat: hiss)."""
    if n == 0:
        return np.zeros(0, np.float32)
    bins = n // 2 + 1
    spectrum = rng.standard_normal(bins) + 1j * rng.standard_normal(bins)
    spectrum[0] = 0.0
    spectrum[1:] /= np.sqrt(np.arange(1, bins))
    noise = np.fft.irfft(spectrum, n)
    return (noise / max(float(np.sqrt(np.mean(noise**2))), 1e-12)).astype(np.float32)


def add_noise(audio: np.ndarray, snr_db: float, rng: np.random.Generator, colour: NoiseColour = "pink") -> np.ndarray:
    """Background noise whose power is `snr_db` below the active speech's (see `active_rms`)."""
    if colour == "pink":
        noise = pink_noise(len(audio), rng)
    elif colour == "white":
        noise = rng.standard_normal(len(audio)).astype(np.float32)
        noise /= max(float(np.sqrt(np.mean(noise**2))), 1e-12)
    else:
        raise ValueError(f"noise colour {colour!r} is neither 'pink' nor 'white'")
    return _as_clip(audio + noise * (active_rms(audio) * 10 ** (-snr_db / 20)), len(audio))


def mic_response(freqs_hz: np.ndarray, low_cut_hz: float, high_cut_hz: float, tilt_db_per_octave: float = 0.0,
                 presence_db: float = 0.0, presence_hz: float = 3_000.0) -> np.ndarray:
    """Magnitude response of a small microphone and its housing at `freqs_hz`: a 12 dB/octave
    low cut (tiny capsules have no bass), a 24 dB/octave high cut, a tilt around 1 kHz and a
    presence peak about an octave wide."""
    freqs = np.maximum(freqs_hz, 1.0)
    low_cut = 1 / np.sqrt(1 + (low_cut_hz / freqs) ** 4)
    high_cut = 1 / np.sqrt(1 + (freqs / high_cut_hz) ** 8)
    octaves_from_1k, octaves_from_peak = np.log2(freqs / 1_000.0), np.log2(freqs / presence_hz)
    shape_db = tilt_db_per_octave * octaves_from_1k + presence_db * np.exp(-0.5 * (octaves_from_peak / 0.5) ** 2)
    return low_cut * high_cut * 10 ** (shape_db / 20)


def mic_eq(audio: np.ndarray, low_cut_hz: float, high_cut_hz: float, tilt_db_per_octave: float = 0.0,
           presence_db: float = 0.0, presence_hz: float = 3_000.0) -> np.ndarray:
    """The clip as a cheap microphone colours it (`mic_response`), zero-phase, over the whole
    clip at once: a laptop's microphone thins the voice below a few hundred Hz and rolls off
    the top, which a studio condenser does not."""
    size = _fft_size(len(audio) + int(PAD_FOR_FILTER_S * SAMPLE_RATE))
    response = mic_response(np.fft.rfftfreq(size, 1 / SAMPLE_RATE), low_cut_hz, high_cut_hz, tilt_db_per_octave,
                            presence_db, presence_hz)
    return _as_clip(np.fft.irfft(np.fft.rfft(audio, size) * response, size), len(audio))


LAPTOP_MIC = {"low_cut_hz": 200.0, "high_cut_hz": 6_000.0, "tilt_db_per_octave": 0.0, "presence_db": 4.0}
"""The benchmark's fixed microphone: thin below 200 Hz, dull above 6 kHz, a bit of 3 kHz edge."""
BENCHMARK_SNR_DB = 10.0
BENCHMARK_DBFS = -25.0
BENCHMARK_RT60_S = 0.5
BENCHMARK_OPUS_BITRATE = 24_000
NARROWBAND_HZ = 8_000


def all_shifts(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Every shift at once, in the order the sound meets them: the room, the noise in it, the
    microphone, the gain control, a narrowband link and the codec."""
    audio = reverb(audio, BENCHMARK_RT60_S, rng)
    audio = add_noise(audio, BENCHMARK_SNR_DB, rng, "pink")
    audio = mic_eq(audio, **LAPTOP_MIC)
    audio = gain_to_dbfs(audio, BENCHMARK_DBFS)
    audio = band_limit(audio, NARROWBAND_HZ)
    return opus_round_trip(audio, BENCHMARK_OPUS_BITRATE)


SHIFTS: dict[str, Channel] = {
    "8khz": lambda audio, rng: band_limit(audio, NARROWBAND_HZ),
    "opus_24k": lambda audio, rng: opus_round_trip(audio, BENCHMARK_OPUS_BITRATE),
    "reverb": lambda audio, rng: reverb(audio, BENCHMARK_RT60_S, rng),
    "gain_-25dbfs": lambda audio, rng: gain_to_dbfs(audio, BENCHMARK_DBFS),
    "pink_noise_10db": lambda audio, rng: add_noise(audio, BENCHMARK_SNR_DB, rng, "pink"),
    "all": all_shifts,
}
"""The robustness benchmark's channel shifts (issue 14), each at fixed settings."""
SHIFT_SETTINGS: dict[str, str] = {
    "8khz": f"resampled to {NARROWBAND_HZ} Hz and back (nothing above {NARROWBAND_HZ // 2} Hz)",
    "opus_24k": f"Opus round trip at {BENCHMARK_OPUS_BITRATE // 1000} kbit/s, 48 kHz, 20 ms frames, VoIP mode",
    "reverb": f"a synthetic room, RT60 {BENCHMARK_RT60_S} s, reverberation {DIRECT_TO_REVERBERANT_DB:.0f} dB below the direct sound",
    "gain_-25dbfs": f"active speech level set to {BENCHMARK_DBFS:.0f} dBFS",
    "pink_noise_10db": f"pink noise {BENCHMARK_SNR_DB:.0f} dB below the active speech",
    "all": "in this order: reverb, pink noise, a laptop microphone (low cut {low_cut_hz:.0f} Hz, high cut {high_cut_hz:.0f} Hz, "
           "{presence_db:+.0f} dB near 3 kHz), {dbfs:.0f} dBFS, 8 kHz, Opus {kbits} kbit/s".format(
               **LAPTOP_MIC, dbfs=BENCHMARK_DBFS, kbits=BENCHMARK_OPUS_BITRATE // 1000),
}
"""What each of SHIFTS does, in words, for the benchmark's output."""


def shifted(clips: list[np.ndarray], keys: list[str], shift: str) -> list[np.ndarray]:
    """Every clip through one of SHIFTS ("clean": as they are), each with a generator seeded by
    (shift, the clip's key), so a clip meets the same room and noise on every machine."""
    if shift not in SHIFTS:
        return clips
    channel = SHIFTS[shift]
    return [channel(clip, np.random.default_rng([zlib.crc32(shift.encode()), zlib.crc32(key.encode())]))
            for clip, key in zip(clips, keys)]


def random_mic_eq(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A microphone drawn at random, from a thin headset to a dull webcam."""
    return mic_eq(audio, low_cut_hz=rng.uniform(80, 400), high_cut_hz=rng.uniform(3_500, 7_800),
                  tilt_db_per_octave=rng.uniform(-2, 2), presence_db=rng.uniform(-3, 6),
                  presence_hz=rng.uniform(2_000, 5_000))


@dataclass(frozen=True)
class ChannelOdds:
    """How often `random_channel` applies each shift; `everything`: the chance that a window
    meets every shift at once (a reverberant room, noise, a cheap microphone, a narrow band and
    Opus), which independent draws at these odds make rare."""

    reverb: float = 0.3
    noise: float = 0.5
    mic: float = 0.5
    narrowband: float = 0.2
    opus: float = 0.2
    everything: float = 0.0


CHANNEL_ODDS: dict[str, ChannelOdds] = {
    "default": ChannelOdds(),
    "harsh": ChannelOdds(reverb=0.5, noise=0.6, mic=0.6, narrowband=0.3, opus=0.3, everything=0.15),
}
"""Training's channel mixes by name (the training CLI's --channel); "harsh" meets the shifts,
and all of them together, more often."""


def random_channel(audio: np.ndarray, rng: np.random.Generator, odds: ChannelOdds = CHANNEL_ODDS["default"]) -> np.ndarray:
    """For training: each shift with some probability (`odds`) and random settings, in the order
    of `all_shifts`; the gain always (-30..0 dBFS), so level never tells the emotion. Pitch and
    speed are left to the training code's own augmentation."""
    every = odds.everything > 0 and rng.random() < odds.everything  # no draw at zero odds: old recipes replay
    if every or rng.random() < odds.reverb:
        audio = reverb(audio, rng.uniform(0.2, 0.8), rng, direct_to_reverberant_db=rng.uniform(0, 10))
    if every or rng.random() < odds.noise:
        audio = add_noise(audio, rng.uniform(0, 20), rng, "pink" if rng.random() < 0.5 else "white")
    if every or rng.random() < odds.mic:
        audio = random_mic_eq(audio, rng)
    audio = gain_to_dbfs(audio, rng.uniform(-30, 0))
    if every or rng.random() < odds.narrowband:
        audio = band_limit(audio, NARROWBAND_HZ)
    if every or rng.random() < odds.opus:
        audio = opus_round_trip(audio, int(rng.integers(16, 33)) * 1_000)
    return _as_clip(audio, len(audio))


def _time_per_clip() -> dict[str, float]:
    """ms per 3 s clip of each shift (medians) and of `random_channel` (the mean: its rare Opus
    draws are what it costs), on a sweep with a syllable-like envelope: no data needed."""
    import time

    from emotion.timing import median_ms

    rng = np.random.default_rng(0)
    seconds = np.arange(3 * SAMPLE_RATE) / SAMPLE_RATE
    clip = (0.3 * np.sin(2 * np.pi * (150 + 600 * seconds) * seconds) * (np.sin(2 * np.pi * 4 * seconds) > 0)).astype(np.float32)
    calls: dict[str, Callable[[], object]] = {name: (lambda s=shift: s(clip, rng)) for name, shift in SHIFTS.items()}
    calls["mic_eq"] = lambda: random_mic_eq(clip, rng)
    timings = {name: median_ms(call, runs=50) for name, call in calls.items()}
    start, runs = time.perf_counter(), 500
    for _ in range(runs):
        random_channel(clip, rng)
    timings["random_channel_mean"] = round(1000 * (time.perf_counter() - start) / runs, 3)
    return timings


if __name__ == "__main__":
    import json

    print(json.dumps(_time_per_clip()))
