"""A model card in words a family reads: what the model is good at and where it is weak, one
sentence each, from the card's own numbers (never typed in).

Every sentence is in the current language (emotion.i18n): the Models page's, or English where
nothing set one (the README that emotion.train.readme writes)."""

from __future__ import annotations

from typing import Any, Literal


from emotion.i18n import N_, _, ngettext, number, percent
from emotion.labels import display_name

GOOD_RECALL = 0.7
"""A class the model finds at least this often counts as one it is good at."""
OTHER_CORPORA = {
    # TRANSLATORS: a language, in "in Polish it answers…" and "On another corpus, Polish actors it never heard…".
    "nemo": ("nEMO", N_("Polish")),
    # TRANSLATORS: a language, in "in Italian it answers…" and "On another corpus, Italian actors it never heard…".
    "emovo": ("EMOVO", N_("Italian")),
}
"""The corpora a speech card scores beside RAVDESS (keys of its metrics): their names and languages
(English, as the README writes them; `_(language)` where a page shows one)."""


def in_ten(share: float) -> str:
    """0.648 -> "about 6 in 10"."""
    # TRANSLATORS: a share, put into sentences such as "it is right {share} times" (it is right about 6 in 10 times).
    return _("about {count} in 10").format(count=number(round(10 * share)))


def joined(words: list[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    if len(words) == 1:
        return words[0]
    # TRANSLATORS: the end of a list such as "happy, sad and angry" ({items} is "happy, sad").
    return _("{items} and {last}").format(items=", ".join(words[:-1]), last=words[-1])


def abstains(metrics: dict[str, Any]) -> bool:
    """Whether these scores say how often the model answered, and it did not always: cards written
    before coverage was measured, and models that always answer, are described by accuracy alone."""
    return metrics.get("coverage") is not None and metrics["coverage"] < 1 and metrics.get("answered_accuracy") is not None


def strengths_and_weaknesses(card: dict[str, Any], what: Literal["faces", "voices"]) -> tuple[str, str]:
    """Two sentences for a card: what the model is good at (with how often it answers and how often
    it is right) and where it is weak. `what` names the input the model reads. A class's recall is
    over the clips the model answered, where the card measured coverage. Each sentence is written
    whole for faces and for voices: the words around them change with the language."""
    metrics = card["metrics"]
    recall = metrics["per_class_recall"]
    ranked = sorted(recall, key=recall.get, reverse=True)
    good = [name for name in ranked if recall[name] >= GOOD_RECALL][:3] or ranked[:1]
    weak = ranked[-2:][::-1]
    faces, answers = what == "faces", abstains(metrics)
    if answers and faces:
        overall = _("On faces it never saw in training it answers {coverage} times and says \"not sure\" otherwise; "
                    "when it answers it is right {answered} times ({accuracy} of all the faces).")
    elif answers:
        overall = _("On voices it never heard in training it answers {coverage} times and says \"not sure\" "
                    "otherwise; when it answers it is right {answered} times ({accuracy} of all the voices).")
    elif faces:
        overall = _("Overall it is right {accuracy} times on faces it never saw in training.")
    else:
        overall = _("Overall it is right {accuracy} times on voices it never heard in training.")
    shares = {"accuracy": in_ten(metrics["accuracy"])}
    if answers:
        shares |= {"coverage": in_ten(metrics["coverage"]), "answered": in_ten(metrics["answered_accuracy"])}
    overall = overall.format(**shares)
    good_at = _("**Good at** {emotions} faces.") if faces else _("**Good at** {emotions} voices.")
    strengths = f"{good_at.format(emotions=joined([display_name(name) for name in good]))} {overall}"

    others = [(_(language), metrics[corpus])
              for corpus, (name, language) in OTHER_CORPORA.items() if metrics.get(corpus)]
    named = {"emotions": joined([display_name(name) for name in weak]),
             "counts": joined([number(round(10 * recall[name])) for name in weak])}
    if others and all(abstains(other) for language, other in others):
        named["by_language"] = "; ".join(
            _("in {language} it answers {coverage} times and is right on {answered} of those answers").format(
                language=language, coverage=in_ten(other["coverage"]), answered=in_ten(other["answered_accuracy"]))
            for language, other in others)
        weaknesses = (_("**Weak at** {emotions}: when it answers for them it finds them only {counts} times in 10; "
                        "with other speakers, languages and microphones it does worse: {by_language}.") if answers else
                      _("**Weak at** {emotions}: it finds them only {counts} times in 10; with other speakers, "
                        "languages and microphones it does worse: {by_language}."))
    elif others:
        named["shares"] = joined([in_ten(other["accuracy"]) for language, other in others])
        weaknesses = (_("**Weak at** {emotions}: when it answers for them it finds them only {counts} times in 10; "
                        "with other speakers, another language and another microphone it is right only {shares} "
                        "times.") if answers else
                      _("**Weak at** {emotions}: it finds them only {counts} times in 10; with other speakers, "
                        "another language and another microphone it is right only {shares} times."))
    else:
        weaknesses = (_("**Weak at** {emotions}: when it answers for them it finds them only {counts} times in 10.")
                      if answers else _("**Weak at** {emotions}: it finds them only {counts} times in 10."))
    unsure = _("When it is unsure it says \"not sure\" rather than guess.")
    return strengths, f"{weaknesses.format(**named)} {unsure}"


def ensemble_in_words(training: dict[str, Any]) -> str:
    """"4 networks trained with different seeds, 1 of them on harsher microphones and rooms": how
    an ensemble's members differ, from the augmentation its training record lists per member (and
    the model on Whisper's encoder beside them, for a pair: whether it also learnt from child-like
    copies of its voices, reads the speaker, and tells sound unlike its training voices)."""
    members = len(training["members"])
    per_member = training.get("augmentation", {}).get("members", [])
    harsh = sum(member.get("channel", "default") != "default" for member in per_member)
    if harsh:
        words = ngettext("{members} network trained with different seeds, {harsh} of them on harsher microphones "
                         "and rooms", "{members} networks trained with different seeds, {harsh} of them on harsher "
                         "microphones and rooms", members)
    else:
        words = ngettext("{members} network trained with different seeds",
                         "{members} networks trained with different seeds", members)
    words = words.format(members=number(members), harsh=number(harsh))
    whisper = training.get("whisper")
    if not whisper:
        return words
    def corpora(data: dict) -> list[str]:  # "RAVDESS (1,440 clips) + nEMO (1,265 clips)" -> ["RAVDESS", "nEMO"]
        return [part.split(" (")[0] for part in data.get("corpora", "").split(" + ") if part]

    more = [name for name in corpora(whisper.get("data", {})) if name not in corpora(training.get("data", {}))]
    # TRANSLATORS: what the read-out of Whisper's encoder does, listed after "a read-out of Whisper's pre-trained
    # speech encoder that…" ({corpora}: corpus names such as "EMOVO").
    learnt_more = _("learnt {corpora} too (the networks did not)").format(corpora=joined(more)) if more else ""
    does = [what for what, said in (
        (learnt_more, more),
        # TRANSLATORS: also what the read-out does: it learnt from copies of the voices made to sound like children's.
        (_("also learnt from child-like copies of the voices"), whisper.get("augmentation", {}).get("warp_range")),
        # TRANSLATORS: also what the read-out does: it reads each voice against that speaker's usual voice.
        (_("reads each voice against its own"), whisper.get("speaker")),
        (_(UNFAMILIAR_GATE.get(whisper.get("unfamiliar", {}).get("gate"), UNFAMILIAR_GATE[None])),
         whisper.get("unfamiliar")))
        if said]
    return (_("{networks}, and a read-out of Whisper's pre-trained speech encoder that {does}") if does else
            _("{networks}, and a read-out of Whisper's pre-trained speech encoder")).format(
        networks=words, does=joined(does) if does else "")


UNFAMILIAR_GATE = {
    "discriminator": N_("says \"not sure\" to a sound that is not a person talking (a synthetic voice, speech played "
                        "backwards)"),
    None: N_("says \"not sure\" to a sound unlike the voices it learnt from"),
}
"""What the read-out's gate (its record's `unfamiliar.gate`; older records have none: the distance) does, in words."""
UNFAMILIAR_VOICE = N_("This does not sound like a person talking (a synthetic voice, say), so it does not "
                      "guess an emotion.")
"""English, as data (tests compare with it): a page shows `_(UNFAMILIAR_VOICE)`."""


def unfamiliar_in_words(unfamiliar: int, with_speech: int) -> str:
    """An upload's windows of speech (one every half second) that the voice model found unlike its
    training, in words."""
    if unfamiliar == with_speech == 1:
        return _("The clip's speech sounds unlike a person talking (a synthetic voice, say), so the voice reads "
                 "\"not sure\" there rather than guess an emotion.")
    if unfamiliar == with_speech:
        return ngettext("All {count} half-second step of speech sounds unlike a person talking (a synthetic voice, "
                        "say), so the voice reads \"not sure\" there rather than guess an emotion.",
                        "All {count} half-second steps of speech sound unlike a person talking (a synthetic voice, "
                        "say), so the voice reads \"not sure\" there rather than guess an emotion.",
                        with_speech).format(count=number(with_speech))
    return ngettext("{unfamiliar} of the {count} half-second steps of speech sounds unlike a person talking (a "
                    "synthetic voice, say), so the voice reads \"not sure\" there rather than guess an emotion.",
                    "{unfamiliar} of the {count} half-second steps of speech sound unlike a person talking (a "
                    "synthetic voice, say), so the voice reads \"not sure\" there rather than guess an emotion.",
                    unfamiliar).format(unfamiliar=number(unfamiliar), count=number(with_speech))


def ferplus_in_words(ferplus: dict) -> str:
    """The face card's second score (issue 40): the same faces against FER+'s majority of ten votes, in words."""
    left_out = sum(ferplus["left_out"].values())
    return _("Against FER+'s majority of ten people's votes (the faces where most votes go to contempt, \"unknown\", "
             "\"not a face\" or a tie, {left_out}, left out): {accuracy} of {faces} faces, macro-F1 {macro_f1}, "
             "expected calibration error {ece}; FER+'s majority and FER2013's label disagree on {disagree} of these "
             "faces.").format(left_out=number(left_out), accuracy=percent(ferplus["accuracy"], 1),
                              faces=number(ferplus["n"]), macro_f1=number(ferplus["macro_f1"], 3),
                              ece=number(ferplus["ece"], 3), disagree=percent(ferplus["labels_disagree"]))
