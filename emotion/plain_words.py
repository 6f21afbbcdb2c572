"""A model card in words a family reads: what the model is good at and where it is weak, one
sentence each, from the card's own numbers (never typed in)."""

from __future__ import annotations

from typing import Any

from emotion.labels import display_name

GOOD_RECALL = 0.7
"""A class the model finds at least this often counts as one it is good at."""
OTHER_CORPORA = {"nemo": ("nEMO", "Polish"), "emovo": ("EMOVO", "Italian")}
"""The corpora a speech card scores beside RAVDESS (keys of its metrics): their names and languages."""


def in_ten(share: float) -> str:
    """0.648 -> "about 6 in 10"."""
    return f"about {round(10 * share)} in 10"


def joined(words: list[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def abstains(metrics: dict[str, Any]) -> bool:
    """Whether these scores say how often the model answered, and it did not always: cards written
    before coverage was measured, and models that always answer, are described by accuracy alone."""
    return metrics.get("coverage") is not None and metrics["coverage"] < 1 and metrics.get("answered_accuracy") is not None


def answered_in_words(metrics: dict[str, Any], what: str) -> str:
    """"it answers about 9 in 10 times and says "not sure" otherwise; when it answers it is right about 8 in 10
    times": how often a model answered and how often its answers were right, never "not sure" counted as a class."""
    return (f"it answers {in_ten(metrics['coverage'])} times and says \"not sure\" otherwise; when it answers it is "
            f"right {in_ten(metrics['answered_accuracy'])} times ({in_ten(metrics['accuracy'])} of all the {what})")


def strengths_and_weaknesses(card: dict[str, Any], what: str, met: str) -> tuple[str, str]:
    """Two sentences for a card: what the model is good at (with how often it answers and how often
    it is right) and where it is weak. `what` names the input ("faces"), `met` how it meets it ("saw").
    A class's recall is over the clips the model answered, where the card measured coverage."""
    metrics = card["metrics"]
    recall = metrics["per_class_recall"]
    ranked = sorted(recall, key=recall.get, reverse=True)
    good = [name for name in ranked if recall[name] >= GOOD_RECALL][:3] or ranked[:1]
    weak = ranked[-2:][::-1]
    overall = (f"On {what} it never {met} in training {answered_in_words(metrics, what)}." if abstains(metrics) else
               f"Overall it is right {in_ten(metrics['accuracy'])} times on {what} it never {met} in training.")
    strengths = f"**Good at** {joined([display_name(name) for name in good])} {what}. {overall}"
    finds = "when it answers for them it finds them" if abstains(metrics) else "it finds them"
    weaknesses = (f"**Weak at** {joined([display_name(name) for name in weak])}: {finds} only "
                  f"{joined([str(round(10 * recall[name])) for name in weak])} times in 10")
    others = [(language, metrics[corpus]) for corpus, (_, language) in OTHER_CORPORA.items() if metrics.get(corpus)]
    if others and all(abstains(other) for _, other in others):
        weaknesses += "; with other speakers, languages and microphones it does worse: " + "; ".join(
            f"in {language} it answers {in_ten(other['coverage'])} times and is right on {in_ten(other['answered_accuracy'])} "
            f"of those answers" for language, other in others)
    elif others:
        weaknesses += (f"; with other speakers, another language and another microphone it is right only "
                       f"{joined([in_ten(other['accuracy']) for _, other in others])} times")
    return strengths, weaknesses + ". When it is unsure it says \"not sure\" rather than guess."


def ensemble_in_words(training: dict[str, Any]) -> str:
    """"4 networks trained with different seeds, 1 of them on harsher microphones and rooms": how
    an ensemble's members differ, from the augmentation its training record lists per member (and
    the model on Whisper's encoder beside them, for a pair: whether it also learnt from child-like
    copies of its voices, reads the speaker, and tells sound unlike its training voices)."""
    members = len(training["members"])
    per_member = training.get("augmentation", {}).get("members", [])
    harsh = sum(member.get("channel", "default") != "default" for member in per_member)
    words = f"{members} networks trained with different seeds" + (
        f", {harsh} of them on harsher microphones and rooms" if harsh else "")
    whisper = training.get("whisper")
    if not whisper:
        return words
    def corpora(data: dict) -> list[str]:  # "RAVDESS (1,440 clips) + nEMO (1,265 clips)" -> ["RAVDESS", "nEMO"]
        return [part.split(" (")[0] for part in data.get("corpora", "").split(" + ") if part]

    more = [name for name in corpora(whisper.get("data", {})) if name not in corpora(training.get("data", {}))]
    does = [what for what, said in (
        (f"learnt {joined(more)} too (the networks did not)" if more else "", more),
        ("also learnt from child-like copies of the voices", whisper.get("augmentation", {}).get("warp_range")),
        ("reads each voice against its own", whisper.get("speaker")),
        (UNFAMILIAR_GATE.get(whisper.get("unfamiliar", {}).get("gate"), UNFAMILIAR_GATE[None]), whisper.get("unfamiliar")))
        if said]
    return words + ", and a read-out of Whisper's pre-trained speech encoder" + (f" that {joined(does)}" if does else "")


UNFAMILIAR_GATE = {
    "discriminator": "says \"not sure\" to a sound that is not a person talking (a synthetic voice, speech played backwards)",
    None: "says \"not sure\" to a sound unlike the voices it learnt from",
}
"""What the read-out's gate (its record's `unfamiliar.gate`; older records have none: the distance) does, in words."""
UNFAMILIAR_VOICE = ("This does not sound like a person talking (a synthetic voice, say), so it does not "
                    "guess an emotion.")


def unfamiliar_in_words(unfamiliar: int, with_speech: int) -> str:
    """An upload's windows of speech (one every half second) that the voice model found unlike its
    training, in words."""
    if unfamiliar == with_speech:
        part = "The clip's speech sounds" if with_speech == 1 else f"All {with_speech} half-second steps of speech sound"
    else:
        part = f"{unfamiliar} of the {with_speech} half-second steps of speech sound{'s' if unfamiliar == 1 else ''}"
    return (f"{part} unlike a person talking (a synthetic voice, say), so the voice reads "
            "\"not sure\" there rather than guess an emotion.")


def ferplus_in_words(ferplus: dict) -> str:
    """The face card's second score (issue 40): the same faces against FER+'s majority of ten votes, in words."""
    left_out = sum(ferplus["left_out"].values())
    return (f"Against FER+'s majority of ten people's votes (the faces where most votes go to contempt, \"unknown\", "
            f"\"not a face\" or a tie, {left_out:,}, left out): {ferplus['accuracy']:.1%} of {ferplus['n']:,} faces, "
            f"macro-F1 {ferplus['macro_f1']:.3f}, expected calibration error {ferplus['ece']:.3f}; FER+'s majority and "
            f"FER2013's label disagree on {ferplus['labels_disagree']:.0%} of these faces.")
