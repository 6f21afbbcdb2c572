"""Models: each model's card — data, split, accuracy, per-class recall, confusion and limits.

Everything shown comes from models/<name>.json, written by the evaluate CLI. A model that may say
"not sure" shows how often it answered (coverage) beside how often its answers were right, and its
accuracy counts "not sure" as wrong; a card written before coverage was measured shows accuracy alone.
The page's own words are in the page's language; what a card records in its own words (data, the
evaluation command, intended use, limits) is shown as recorded, in one container per card
(key card-record-<model>).
"""

from datetime import date

import streamlit as st

from emotion.charts import confusion_heatmap, recall_bars
from emotion.i18n import _, long_date, ngettext, number, percent
from emotion.labels import emotion_name
from emotion.plain_words import (OTHER_CORPORA, abstains, ensemble_in_words, ferplus_in_words,
                                 strengths_and_weaknesses)
from emotion.registry import ALL_MODELS, FACE, ModelSpec


def show_card(spec: ModelSpec) -> None:
    st.header(spec.shown_title())
    card = spec.read_card()
    if card is None:
        st.info(_("This model has not been trained and evaluated yet, so there is no card to show."), icon="⏳")
        return
    training = card.get("training", {})
    if not training.get("complete", True):
        st.warning(ngettext("Interim model: released after {done} of the {planned} epoch its training run planned; "
                            "the numbers below are for this model.",
                            "Interim model: released after {done} of the {planned} epochs its training run planned; "
                            "the numbers below are for this model.", training["planned_epochs"]).format(
            done=number(training["epochs_done"]), planned=number(training["planned_epochs"])), icon="🚧")
    for sentence in strengths_and_weaknesses(card, "faces" if spec is FACE else "voices"):
        st.markdown(sentence)
    with st.expander(_("Details for experts: metrics, confusion matrix, data and commands")):
        expert_details(spec, card)


def accuracy_label(split: str, not_sure_counted: bool) -> str:
    """The accuracy metric's label: which data, and whether "not sure" counts as a wrong answer."""
    if split == "val":
        return (_("Accuracy (validation split), \"not sure\" counted as wrong") if not_sure_counted
                else _("Accuracy (validation split)"))
    return (_("Accuracy on unseen test data, \"not sure\" counted as wrong") if not_sure_counted
            else _("Accuracy on unseen test data"))


def expert_details(spec: ModelSpec, card: dict) -> None:
    metrics, training = card["metrics"], card.get("training", {})
    split = metrics.get("split", "test")
    if abstains(metrics):
        answers = st.columns(4)
        answers[0].metric(accuracy_label(split, not_sure_counted=True), percent(metrics["accuracy"], 1))
        answers[1].metric(_("Answered (coverage)"), percent(metrics["coverage"], 1),
                          help=_("The share of examples it gave an emotion for; for the rest it said \"not sure\" (or "
                                 "heard no speech)."))
        answers[2].metric(_("Right when it answered"), percent(metrics["answered_accuracy"], 1))
        answers[3].metric(_("Largest class's share of the answers"), percent(metrics["top_class_share"]),
                          help=_("{emotion}: on balanced test data about 1 in {classes} is healthy; one class taking "
                                 "most answers is a model guessing.").format(
                              emotion=emotion_name(metrics["top_class"]),
                              classes=number(len(metrics["confusion"]["classes"]))))
        columns = st.columns(4)[:3]
    else:
        columns = st.columns(4)
        columns[0].metric(accuracy_label(split, not_sure_counted=False), percent(metrics["accuracy"], 1))
        columns = columns[1:]
    columns[0].metric(_("Macro-F1"), number(metrics["macro_f1"], 3))
    floor = metrics.get("ece_if_calibrated")
    columns[1].metric(_("Calibration error (ECE)"), number(metrics["ece"], 3),
                      help=None if floor is None else _(
                          "A perfectly calibrated model would show about {floor} on {examples} examples: small sets "
                          "leave some error by chance.").format(floor=number(floor, 3), examples=number(metrics["n"])))
    latency = metrics.get("ms_per_face", metrics.get("ms_per_window"))
    columns[2].metric(_("Time per face") if "ms_per_face" in metrics else _("Time per 3 s window"),
                      f"{number(latency, 1)} ms")
    if training.get("members"):
        members = [*training["members"], training.get("whisper", {})]
        st.caption(_("This model averages {ensemble}. On the validation data together {together}, each alone "
                     "{alone}.").format(ensemble=ensemble_in_words(training), together=percent(training["val_accuracy"]),
                                        alone=", ".join(percent(member["val_accuracy"]) for member in members if member)))
    st.caption(_("Tested on {examples} examples. \"Not sure\" is shown below {threshold} confidence, where the top "
                 "guess was wrong more often than right on the validation data.").format(
        examples=number(metrics["n"]), threshold=percent(card.get("not_sure_below", 0))))
    if "accuracy_without_train_copies" in metrics:
        st.caption(_("{copies} of these images also occur in the training split; without them the accuracy is "
                     "{accuracy}.").format(copies=number(metrics["with_copy_in_train"]),
                                           accuracy=percent(metrics["accuracy_without_train_copies"], 1)))
    if "ferplus" in metrics:
        st.caption(ferplus_in_words(metrics["ferplus"]))
    for corpus, (name, language) in OTHER_CORPORA.items():
        other = metrics.get(corpus)
        if other:
            st.caption(other_corpus_in_words(name, _(language), other))
    cv = card.get("cross_validation")
    if cv:
        groups = len(cv["folds"])
        st.caption(ngettext("Cross-validation over {groups} group of unseen actors: mean accuracy {mean} (± {spread}).",
                            "Cross-validation over {groups} groups of unseen actors: mean accuracy {mean} "
                            "(± {spread}).", groups).format(groups=number(groups), mean=percent(cv["mean_accuracy"], 1),
                                                            spread=percent(cv["std_accuracy"], 1)))
    left, right = st.columns(2)
    coverage = metrics.get("per_class_coverage") if abstains(metrics) else None
    left.plotly_chart(recall_bars(metrics["per_class_recall"],
                                  _("Recall per class (of the answered)") if coverage else _("Recall per class"),
                                  coverage), key=f"{spec.key}-recall")
    if coverage:
        left.caption(_("Each class's recall counts only the examples the model answered; beside it, the share of that "
                       "class's examples it answered rather than saying \"not sure\". The confusion matrix holds the "
                       "answered examples."))
    confusion = metrics["confusion"]
    right.plotly_chart(confusion_heatmap(confusion["classes"], confusion["rows_true_columns_predicted"],
                                         _("Confusion matrix")), key=f"{spec.key}-confusion")
    card_record(spec, card)


def other_corpus_in_words(name: str, language: str, other: dict) -> str:
    """A speech model's scores on a corpus it never trained on (`language`: in the page's language)."""
    scores = {"language": language, "name": name, "clips": number(other["n"]), "accuracy": percent(other["accuracy"], 1)}
    if not abstains(other):
        return ngettext("On another corpus, {language} actors it never heard ({name}, {clips} clip): accuracy "
                        "{accuracy}.",
                        "On another corpus, {language} actors it never heard ({name}, {clips} clips): accuracy "
                        "{accuracy}.", other["n"]).format(**scores)
    return ngettext("On another corpus, {language} actors it never heard ({name}, {clips} clip): accuracy {accuracy} "
                    "counting \"not sure\" as wrong; it answered {coverage} of the clips and {answered} of its answers "
                    "were right; {top_class} took {top_share} of the answers.",
                    "On another corpus, {language} actors it never heard ({name}, {clips} clips): accuracy {accuracy} "
                    "counting \"not sure\" as wrong; it answered {coverage} of the clips and {answered} of its answers "
                    "were right; {top_class} took {top_share} of the answers.", other["n"]).format(
        **scores, coverage=percent(other["coverage"], 1), answered=percent(other["answered_accuracy"], 1),
        top_class=emotion_name(other["top_class"]), top_share=percent(other["top_class_share"]))


def card_record(spec: ModelSpec, card: dict) -> None:
    """What the evaluate CLI wrote into the card in its own words (data, command, use, limits): shown as
    recorded, in English, inside a container a test can tell from the app's translated words."""
    data = card.get("training", {}).get("data", {})
    with st.container(key=f"card-record-{spec.key}"):
        st.markdown(_("**Data and split** — {record}").format(
            record="; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in data.items())))
        st.caption(_("Evaluated {date} with `{command}`.").format(date=long_date(date.fromisoformat(card["date"])),
                                                                   command=card["evaluation_command"]))
        st.markdown(_("**Intended use** — {record}").format(record=card["intended_use"]))
        st.markdown(_("**Known limits**") + "\n" + "\n".join(f"- {limit}" for limit in card["limits"]))


st.title("📊 " + _("Models"))
st.write(_("What each model is good at and where it is weak, measured on people it never saw in training. Both "
           "models are this project's own, trained from scratch; the details for experts are under each one."))
for model in ALL_MODELS:
    show_card(model)
