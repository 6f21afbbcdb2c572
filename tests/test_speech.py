"""The speech model and its stream on synthesised speech, silence, hum and damaged audio."""

from __future__ import annotations

import numpy as np
import pytest
import soxr

from emotion.labels import VOICE_CLASSES
from emotion.metrics import answers
from emotion.registry import SPEECH, not_sure_below
from emotion.speech import augment
from emotion.speech.classify import SpeechStream, clip_probabilities, to_mono
from emotion.speech.features import SAMPLE_RATE, WINDOW_SAMPLES
from emotion.speech.voice_activity import has_speech
from media import hum, music, recorded_voice_16k, speech_16k, unheard_voices_16k


def _stream_all(stream: SpeechStream, audio: np.ndarray, rate: int, channels: int = 1, chunk_s: float = 0.02):
    """Feed audio the way WebRTC does, 20 ms at a time, and collect every reading."""
    step = int(rate * chunk_s) * channels
    readings = []
    for start in range(0, len(audio), step):
        readings += stream.push(audio[start : start + step], rate, channels)
    return readings


def librosa_log_mel(window: np.ndarray) -> np.ndarray:
    """The features as the shipped speech model was trained on them, computed by librosa itself."""
    import librosa

    from emotion.speech import features as f

    spectrum = np.abs(librosa.stft(window, n_fft=f.N_FFT, hop_length=f.HOP_LENGTH, win_length=f.WIN_LENGTH)) ** 2
    filters = librosa.filters.mel(sr=SAMPLE_RATE, n_fft=f.N_FFT, n_mels=f.N_MELS, fmin=f.F_MIN, fmax=f.F_MAX)
    mel = librosa.power_to_db(filters @ spectrum, ref=1.0, amin=1e-10, top_db=f.TOP_DB)
    mel = (mel - mel.mean()) / (mel.std() + 1e-5)
    return np.stack([mel, librosa.feature.delta(mel, width=f.DELTA_WIDTH)], axis=-1)


@pytest.mark.parametrize("sound", ["speech", "quiet speech", "silence"])
def test_features_match_librosa(tmp_path, sound):
    """The app computes log-mel in numpy (librosa's import alone costs ~190 MB of the server's
    memory); it must stay what the model learnt from: librosa's features."""
    from emotion.speech.features import log_mel

    speech = speech_16k(tmp_path)[:WINDOW_SAMPLES]
    window = {"speech": speech, "quiet speech": speech * 0.01, "silence": np.zeros(WINDOW_SAMPLES, np.float32)}[sound]
    ours, reference = log_mel(window), librosa_log_mel(np.pad(window, (0, WINDOW_SAMPLES - len(window))))
    assert ours.shape == reference.shape
    assert np.abs(ours - reference).max() < 1e-3


def test_synthesised_speech_gives_eight_probabilities(tmp_path, speech_classifier):
    readings = speech_classifier.classify_clip(speech_16k(tmp_path))
    probs = clip_probabilities(readings)
    assert probs is not None, "espeak-ng speech must count as speech"
    assert probs.shape == (len(VOICE_CLASSES),)
    assert probs.sum() == pytest.approx(1.0, abs=1e-4)
    assert (probs >= 0).all()


SOUNDS_WITHOUT_SPEECH = ["digital silence", "quiet 50 Hz hum", "quiet 60 Hz hum", "pink noise", "quiet hiss", "music"]


def sound_without_speech(sound: str) -> np.ndarray:
    from emotion.speech.channel import pink_noise

    rng = np.random.default_rng(0)
    return {
        "digital silence": lambda: np.zeros(5 * SAMPLE_RATE, np.float32),
        "quiet 50 Hz hum": lambda: hum(5.0),
        "quiet 60 Hz hum": lambda: hum(5.0, mains_hz=60.0),
        "pink noise": lambda: pink_noise(5 * SAMPLE_RATE, rng) * 10 ** (-30 / 20),
        "quiet hiss": lambda: (rng.standard_normal(5 * SAMPLE_RATE) * 10 ** (-40 / 20)).astype(np.float32),
        "music": lambda: music(5.0),
    }[sound]()


@pytest.mark.parametrize("sound", SOUNDS_WITHOUT_SPEECH)
def test_no_speech_in_silence_hum_noise_or_music(speech_classifier, sound):
    audio = sound_without_speech(sound)
    assert not has_speech(audio)
    readings = _stream_all(SpeechStream(speech_classifier), audio, SAMPLE_RATE)
    assert len(readings) == 10  # one every 0.5 s hop
    assert all(r.probabilities is None for r in readings)
    assert clip_probabilities(speech_classifier.classify_clip(audio)) is None


def test_a_recorded_voice_is_speech():
    """Real recorded speech, not only synthesised: RAVDESS validation clips, whole and quiet."""
    clips = recorded_voice_16k(len(VOICE_CLASSES))
    assert all(has_speech(clip) for clip in clips)
    assert sum(has_speech(clip * 10 ** (-20 / 20)) for clip in clips) >= len(clips) - 1


def test_a_synthetic_voice_reads_as_unfamiliar_and_even_a_recorded_one_does_not(tmp_path, speech_classifier):
    """Issue 14: sound unlike the training voices reads "not sure" rather than a word. The shipped
    model's gate (issue 39: a real-vs-synthetic discriminator) reads espeak-ng's formant voice as
    even odds in every window, as an upload and as a stream; recorded voices through the
    benchmark's harshest channel are not silenced (the threshold lets 1% of validation windows through)."""
    from emotion.speech.channel import SHIFTS

    readings = [r for r in speech_classifier.classify_clip(speech_16k(tmp_path)) if r.probabilities is not None]
    streamed = [r for r in _stream_all(SpeechStream(speech_classifier), speech_16k(tmp_path), SAMPLE_RATE)
                if r.probabilities is not None]
    for voiced in (readings, streamed):
        assert voiced and all(r.unfamiliar for r in voiced)
        np.testing.assert_allclose(np.array([r.probabilities for r in voiced]), 1 / len(VOICE_CLASSES), atol=1e-5)
    recorded = recorded_voice_16k(len(VOICE_CLASSES))
    rng = np.random.default_rng(0)
    heard = [r for clip in recorded + [SHIFTS["all"](clip, rng) for clip in recorded]
             for r in speech_classifier.classify_clip(clip) if r.probabilities is not None]
    assert all(r.unfamiliarity is not None for r in heard)
    assert sum(r.unfamiliar for r in heard) <= 0.1 * len(heard), [round(r.unfamiliarity, 2) for r in heard]
    assert all(r.probabilities.max() > 0.2 for r in heard if r.unfamiliarity < 1.0)


def test_voices_it_never_heard_pass_the_gate_and_a_synthetic_one_does_not(tmp_path, speech_classifier):
    """Issue 39: the gate of unfamiliar sound is for what is not a person talking, not for people the model has not
    met. Voices of each corpus's test speakers, in three languages, are read (not one clip in twenty wholly
    unfamiliar, and most answered at the card's threshold); espeak-ng's synthetic sentence is not."""
    threshold = not_sure_below(SPEECH)
    for corpus, clips in unheard_voices_16k().items():
        scores = speech_classifier.score_clips(clips)
        assert scores.unfamiliar.mean() <= 0.05, (corpus, scores.unfamiliar.mean())
        assert (answers(scores.probabilities, threshold) >= 0).mean() >= 0.75, corpus
    assert speech_classifier.score_clips([speech_16k(tmp_path)]).unfamiliar.all()


def test_clip_scores_say_which_clips_were_silent_and_which_wholly_unfamiliar(tmp_path, speech_classifier):
    """What the model card and the robustness benchmark count: a clip without speech scores an
    all-zero row (wrong, not the first class); the synthetic voice is unfamiliar in every window,
    as the upload page's flags say; a recorded voice is read."""
    clips = [np.zeros(3 * SAMPLE_RATE, np.float32), speech_16k(tmp_path), recorded_voice_16k(1)[0]]
    scores = speech_classifier.score_clips(clips)
    assert scores.silent == 1 and not scores.probabilities[0].any()
    assert scores.unfamiliar.tolist() == [False, True, False]
    np.testing.assert_allclose(scores.probabilities[1], 1 / len(VOICE_CLASSES), atol=1e-5)
    assert scores.probabilities[2].max() > 0.2


@pytest.mark.parametrize(("rate", "channels"), [(8_000, 1), (44_100, 2), (48_000, 2)])
def test_stream_accepts_int16_at_any_rate_and_layout(tmp_path, speech_classifier, rate, channels):
    speech = speech_16k(tmp_path)
    resampled = soxr.resample(speech, SAMPLE_RATE, rate)
    pcm = (np.clip(resampled, -1, 1) * 32767).astype(np.int16)
    interleaved = np.repeat(pcm, channels)  # L R L R ...
    stream = SpeechStream(speech_classifier)
    readings = _stream_all(stream, interleaved, rate, channels)
    duration = len(speech) / SAMPLE_RATE
    # A streaming resampler holds back a little output (its filter delay), so allow one hop less.
    assert duration / 0.5 - 2 <= len(readings) <= duration / 0.5
    assert readings[-1].end_s == pytest.approx(duration, abs=0.6)
    voiced = [r for r in readings if r.probabilities is not None]
    assert voiced, "speech fed at another rate and layout is still heard"
    assert all(r.probabilities.shape == (8,) and abs(r.probabilities.sum() - 1) < 1e-4 for r in voiced)


def test_two_dimensional_chunks_in_either_orientation():
    frames = np.arange(12, dtype=np.float32).reshape(6, 2) / 100
    assert np.allclose(to_mono(frames, 2), frames.mean(axis=1))
    assert np.allclose(to_mono(frames.T, 2), frames.mean(axis=1))
    assert np.allclose(to_mono(frames.reshape(-1), 2), frames.mean(axis=1))


def test_nan_inf_and_clipping_do_not_crash(tmp_path, speech_classifier):
    speech = speech_16k(tmp_path)
    damaged = speech.copy()
    damaged[::97] = np.nan
    damaged[::101] = np.inf
    damaged[::103] = -np.inf
    clipped = np.clip(speech * 50, -1, 1)  # hard clipping, as an overloaded microphone does
    for audio in (damaged, clipped):
        probs = clip_probabilities(speech_classifier.classify_clip(audio))
        assert probs is not None and np.isfinite(probs).all()
    readings = _stream_all(SpeechStream(speech_classifier), damaged, SAMPLE_RATE)
    assert all(np.isfinite(r.probabilities).all() for r in readings if r.probabilities is not None)


def test_rates_outside_8_to_48_khz_are_refused(speech_classifier):
    with pytest.raises(ValueError, match="outside"):
        SpeechStream(speech_classifier).push(np.zeros(100, np.float32), 96_000)


def test_latest_only_catches_up_with_one_reading(tmp_path, speech_classifier):
    speech = speech_16k(tmp_path)
    stream = SpeechStream(speech_classifier)
    readings = stream.push(speech, SAMPLE_RATE, latest_only=True)
    assert len(readings) == 1
    assert readings[0].end_s == pytest.approx(len(speech) / SAMPLE_RATE)
    assert readings[0].probabilities is not None


def test_training_windows_are_one_window_of_perturbed_speech(tmp_path):
    """Speed perturbation plays the clip up to 10% faster or slower, and every training window
    has the model's length."""
    voice = speech_16k(tmp_path)
    assert augment.SPEEDS == (0.9, 1.1)
    assert len(augment.resample_speed(voice, 1.1)) == pytest.approx(len(voice) / 1.1, abs=2)
    for seed in range(5):
        rng = np.random.default_rng(seed)
        window = augment.augmented_window(voice, rng)
        assert window.shape == (WINDOW_SAMPLES,) and window.dtype == np.float32
        assert np.all(np.abs(window) <= 1.0) and np.any(window != 0)


def test_part_windows_keep_one_to_two_seconds_of_voice(tmp_path):
    """A part window silences all but 1-2 s of the voice, at a random place; the rest stays intact."""
    voice = speech_16k(tmp_path)
    window = augment.crop_at(voice, 0)
    spans = []
    for seed in range(20):
        part, start, stop = augment.keep_span(window, np.random.default_rng(seed))
        kept = np.flatnonzero(part)
        assert start <= kept[0] and kept[-1] < stop and 1.0 <= (stop - start) / SAMPLE_RATE <= 2.0
        assert np.array_equal(part[kept[0]:kept[-1] + 1], window[kept[0]:kept[-1] + 1])
        spans.append((kept[0], (kept[-1] - kept[0]) / SAMPLE_RATE))
    assert all(0.5 <= length <= 2.0 for _, length in spans)  # speech has pauses, so up to 2 s of it
    assert len({start // SAMPLE_RATE for start, _ in spans}) > 1  # not always the same place


def test_vocal_tract_warp_moves_the_spectrum_and_defaults_to_none(tmp_path):
    """Warp 1.0 is the app's features exactly; 0.9 and 1.1 move energy down and up the mel bands."""
    from emotion.speech.features import log_mel, mel_filters, power_spectrogram

    voice = speech_16k(tmp_path)[:WINDOW_SAMPLES]
    assert np.array_equal(log_mel(voice, "per_band"), log_mel(voice, "per_band", warp=1.0))
    power = power_spectrogram(voice).sum(axis=1)

    def centroid(warp: float) -> float:
        bands = mel_filters(warp) @ power
        return float((np.arange(len(bands)) * bands).sum() / bands.sum())

    assert centroid(0.9) < centroid(1.0) < centroid(1.1)
    rng = np.random.default_rng(0)
    warps = [augment.warp_factor(rng, 0.1) for _ in range(200)]
    assert min(warps) >= 0.9 and max(warps) <= 1.1 and len(set(warps)) > 10
    assert augment.warp_factor(rng, 0.0) == 1.0
    leaning_up = [augment.warp_factor(rng, (0.9, 1.35)) for _ in range(200)]  # --warp-range, for child-like voices
    assert min(leaning_up) >= 0.9 and max(leaning_up) <= 1.35 and np.mean(leaning_up) > 1.05
    assert augment.warp_factor(rng, (1.2, 1.2)) == 1.2


def test_whisper_training_copies_warped_for_smaller_vocal_tracts(tmp_path):
    """The Whisper read-out's --warp-range: a tone read at warp 1.25 lands in the bands of a tone
    1.25 times higher; warped copies are the unwarped recipe's windows, warped, and the clean
    centred copies stay as the app reads them."""
    from emotion.speech.whisper_features import whisper_log_mel
    from emotion.train.speech_whisper import training_mels

    seconds = np.arange(WINDOW_SAMPLES) / SAMPLE_RATE
    tone = {hz: (0.3 * np.sin(2 * np.pi * hz * seconds)).astype(np.float32) for hz in (800, 1000)}
    assert np.array_equal(whisper_log_mel(tone[800]), whisper_log_mel(tone[800], warp=1.0))
    peak = {hz: int(whisper_log_mel(t).mean(axis=0).argmax()) for hz, t in tone.items()}
    assert peak[800] < peak[1000] == int(whisper_log_mel(tone[800], warp=1.25).mean(axis=0).argmax())

    voice = speech_16k(tmp_path)
    clips = [voice, voice[::-1].copy()]
    plain = list(training_mels(clips, copies=2, seed=3, part_p=0.3, channel="harsh"))
    same = list(training_mels(clips, copies=2, seed=3, part_p=0.3, channel="harsh", warp_range=(1.0, 1.0)))
    warped = list(training_mels(clips, copies=2, seed=3, part_p=0.3, channel="harsh", warp_range=(0.9, 1.35)))
    assert len(plain) == len(warped) == 6 and all(np.array_equal(a, b) for a, b in zip(plain, same))
    assert all(np.array_equal(a, b) for a, b in zip(plain[:2], warped[:2]))  # the clean centred windows
    assert not any(np.array_equal(a, b) for a, b in zip(plain[2:], warped[2:]))


def test_training_batches_depend_only_on_epoch_and_index(tmp_path):
    """Batches are prepared on worker threads in any order: each must be the same whenever it is made."""
    from emotion.train.speech import AugmentedWindows

    import pandas as pd

    voice = speech_16k(tmp_path)
    table = pd.DataFrame({"corpus": ["ravdess", "nemo", "nemo"], "label": [0, 3, 4]})
    batches = AugmentedWindows([voice, voice[::-1].copy(), voice * 0.5], table, batch=2, seed=7, normalisation="per_band")
    later_first = batches[1]
    first, again = batches[0], batches[0]
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert not np.array_equal(first[0][:1], later_first[0][:1])
    batches.on_epoch_end()
    next_epoch = batches[0]
    assert not np.array_equal(first[0], next_epoch[0][: len(first[0])])


def test_training_draws_every_corpus_and_emotion_equally_often():
    """Nine RAVDESS clips of one emotion and one nEMO clip of another: half the draws each."""
    import pandas as pd

    from emotion.train.speech import AugmentedWindows

    table = pd.DataFrame({"corpus": ["ravdess"] * 9 + ["nemo"], "label": [0] * 9 + [3]})
    batches = AugmentedWindows([np.zeros(16_000, np.float32)] * 10, table, batch=4, seed=1, normalisation="per_band")
    draws = []
    for _ in range(200):
        draws.extend(batches.order)
        batches.on_epoch_end()
    assert np.mean(np.array(draws) == 9) == pytest.approx(0.5, abs=0.03)


def test_per_band_normalisation_removes_a_microphone_colouring(tmp_path):
    """A fixed gain per frequency band (a microphone's colouring) leaves per-band features unchanged."""
    from emotion.speech.channel import mic_eq
    from emotion.speech.features import log_mel

    voice = speech_16k(tmp_path)[:WINDOW_SAMPLES]
    coloured = mic_eq(voice, low_cut_hz=300, high_cut_hz=5_000, tilt_db_per_octave=-2, presence_db=5)
    quiet = voice * 10 ** (-30 / 20)

    def change(normalisation, other):
        return np.abs(log_mel(voice, normalisation)[..., 0] - log_mel(other, normalisation)[..., 0]).mean()

    assert change("per_band", quiet) < 0.05  # -30 dB reads the same
    assert change("per_band", coloured) < 0.6 * change("window", coloured)


def test_voice_arousal_sums_the_energetic_classes():
    from emotion.labels import AROUSED_VOICES, VOICE_CLASSES, voice_arousal

    probs = np.zeros(len(VOICE_CLASSES))
    probs[VOICE_CLASSES.index("angry")], probs[VOICE_CLASSES.index("sad")] = 0.7, 0.3
    assert voice_arousal(probs) == pytest.approx(0.7)
    assert set(AROUSED_VOICES) < set(VOICE_CLASSES) and "calm" not in AROUSED_VOICES and "sad" not in AROUSED_VOICES


def test_session_normalisation_reads_a_clip_like_its_quiet_or_coloured_copy(tmp_path):
    """Against the clip's own voice statistics, -30 dB changes next to nothing and a
    microphone's colouring little, where there is voice (the test's digital silence stays at the
    clip's floor, which no microphone colours); without statistics "session" falls back to the
    window's own per band."""
    from emotion.speech.channel import mic_eq
    from emotion.speech.classify import SpeechClassifier
    from emotion.speech.features import HOP_LENGTH, WINDOW_FRAMES, decibels, features, log_mel
    from emotion.speech.voice_activity import voiced_chunks, voiced_frames

    voice = speech_16k(tmp_path)[:WINDOW_SAMPLES]
    voiced = voiced_frames(voiced_chunks(voice), np.arange(WINDOW_FRAMES) * HOP_LENGTH)

    def read(clip):
        return features(decibels(clip), "session", SpeechClassifier.clip_stats(clip, voiced_chunks(clip)))[:, voiced, 0]

    quiet = voice * 10 ** (-30 / 20)
    coloured = mic_eq(voice, low_cut_hz=300, high_cut_hz=5_000, tilt_db_per_octave=-2, presence_db=5)
    assert voiced.sum() > 100
    assert np.abs(read(voice) - read(quiet)).mean() < 0.05
    window_change = np.abs(log_mel(voice, "window")[:, voiced, 0] - log_mel(coloured, "window")[:, voiced, 0]).mean()
    assert np.abs(read(voice) - read(coloured)).mean() < 0.75 * window_change  # measured 0.60 (per window, per band: 0.52)
    assert np.array_equal(log_mel(voice, "session"), log_mel(voice, "per_band"))


def test_band_stats_are_the_mean_and_deviation_of_the_voiced_frames():
    from emotion.speech.features import N_MELS, BandStats

    rng = np.random.default_rng(0)
    a, b = rng.normal(-40, 6, (N_MELS, 50)), rng.normal(-20, 3, (N_MELS, 30))
    voiced_a, voiced_b = rng.random(50) < 0.5, rng.random(30) < 0.5
    stats = BandStats.of([a, b], [voiced_a, voiced_b])
    chosen = np.concatenate([a[:, voiced_a], b[:, voiced_b]], axis=1)
    mean, std = stats.mean_std()
    assert stats.frames == chosen.shape[1]
    assert np.allclose(mean[:, 0], chosen.mean(axis=1)) and np.allclose(std[:, 0], chosen.std(axis=1))
    with pytest.raises(ValueError):
        BandStats().mean_std()


def test_training_window_knows_which_frames_hold_voice(tmp_path):
    """The detector's decisions on the clean clip are carried through the speed change and the
    crop: a frame is voiced in the window exactly where the clean window has the clip's voice."""
    from emotion.speech.features import HOP_LENGTH, WINDOW_FRAMES
    from emotion.speech.voice_activity import CHUNK

    rng = np.random.default_rng(5)
    # 1 s of silence, 2 s of noise standing in for voice (decided voiced, chunk by chunk), 1 s of silence
    clip = np.concatenate([np.zeros(SAMPLE_RATE), 0.3 * rng.standard_normal(2 * SAMPLE_RATE), np.zeros(SAMPLE_RATE)]).astype(np.float32)
    voiced = (np.arange(len(clip) // CHUNK) * CHUNK >= SAMPLE_RATE) & ((np.arange(len(clip) // CHUNK) + 1) * CHUNK <= 3 * SAMPLE_RATE)
    for seed in range(5):
        window, frames = augment.voiced_window(clip, voiced, np.random.default_rng(seed), np.random.default_rng(0))
        replay = np.random.default_rng(seed)
        sped = augment.resample_speed(clip, replay.uniform(*augment.SPEEDS))
        clean = augment.crop_at(sped, augment.crop_shift(len(sped), replay))
        loud = np.abs(clean[np.minimum(np.arange(WINDOW_FRAMES) * HOP_LENGTH, WINDOW_SAMPLES - 1)]) > 1e-3
        assert window.shape == (WINDOW_SAMPLES,) and frames.shape == (WINDOW_FRAMES,)
        assert frames.sum() > 100 and np.mean(frames == loud) > 0.97


def test_session_batches_hold_a_few_speakers_with_several_windows_each(tmp_path):
    import pandas as pd

    from emotion.train.speech import SESSION_WINDOWS, SessionWindows

    voice = speech_16k(tmp_path)
    table = pd.DataFrame({"corpus": ["ravdess"] * 8 + ["nemo"] * 8, "label": [0, 1] * 4 + [2, 3] * 4,
                          "speaker": [f"{corpus}_{who}" for corpus in ("ravdess", "nemo") for who in "AAAABBBB"]})
    batches = SessionWindows([voice * (0.2 + 0.05 * i) for i in range(16)], table, batch=2 * SESSION_WINDOWS, seed=3)
    speakers = table.speaker.to_numpy()[batches.order].reshape(-1, SESSION_WINDOWS)
    assert all(len(set(session)) == 1 for session in speakers)
    x, y = batches[0]
    assert x.shape[0] == 2 * SESSION_WINDOWS and np.isfinite(x).all()
    assert np.array_equal(x, batches[0][0])
    with pytest.raises(ValueError):
        SessionWindows([voice] * 8, table, batch=SESSION_WINDOWS + 1, seed=3)


def test_a_session_stream_warms_up_then_reads_against_the_voice_so_far(tmp_path, speech_classifier):
    """Each voiced frame enters the session statistics once; readings are marked warming up
    until WARM_UP_S seconds of voice were heard."""
    from emotion.speech.classify import WARM_UP_S, SpeechClassifier
    from emotion.speech.voice_activity import voiced_chunks

    from emotion.registry import SPEECH, speech_front_end, tflite_path

    session = SpeechClassifier(tflite_path(SPEECH), "session", speech_front_end())  # the shipped model, read the session way
    voice = speech_16k(tmp_path)
    clip = np.concatenate([voice, np.zeros(SAMPLE_RATE // 2, np.float32)] * 3)
    stream = SpeechStream(session)
    readings = [r for r in _stream_all(stream, clip, SAMPLE_RATE) if r.probabilities is not None]
    assert readings[0].warming_up and not readings[-1].warming_up
    assert stream._session.seconds == pytest.approx(voiced_chunks(clip).sum() * 512 / SAMPLE_RATE, rel=0.1)
    assert stream._session.seconds > WARM_UP_S
    assert all(r.probabilities.sum() == pytest.approx(1.0, abs=1e-4) for r in readings)


def test_speaker_embeddings_read_a_window_against_the_others_and_merge_clips():
    """The speaker inputs of a window read against the clip's other windows are those of the
    others alone (the model adds the window back), and a speaker made of two clips is the one made
    of their windows together."""
    from emotion.speech.speaker import SPEAKER_INPUTS, SpeakerEmbeddings

    rng = np.random.default_rng(0)
    embeddings = rng.normal(3.0, 2.0, size=(5, 384))
    speaker = SpeakerEmbeddings.of(embeddings)
    left_out = speaker.model_inputs(5, leave_out=embeddings)
    for k in range(5):
        others = SpeakerEmbeddings.of(np.delete(embeddings, k, axis=0)).model_inputs(1)
        for name in SPEAKER_INPUTS:
            np.testing.assert_allclose(left_out[name][k], others[name][0], rtol=1e-5, atol=1e-4)
    assert left_out["speaker_count"].tolist() == [[4.0]] * 5
    merged = SpeakerEmbeddings.of(embeddings[:2])
    merged.merge(SpeakerEmbeddings.of(embeddings[2:]))
    for name in SPEAKER_INPUTS:
        np.testing.assert_allclose(merged.model_inputs(1)[name], speaker.model_inputs(1)[name], rtol=1e-6)
    assert SpeakerEmbeddings(384).model_inputs(2)["speaker_sum"].shape == (2, 384)
