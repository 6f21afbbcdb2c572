"""Models: each model's card — data, split, accuracy, per-class recall, confusion and limits.

Everything shown comes from models/<name>.json, written by the evaluate CLI. A model that may say
"not sure" shows how often it answered (coverage) beside how often its answers were right, and its
accuracy counts "not sure" as wrong; a card written before coverage was measured shows accuracy alone.
"""

import streamlit as st

from emotion.charts import confusion_heatmap, recall_bars
from emotion.plain_words import OTHER_CORPORA, abstains, ensemble_in_words, ferplus_in_words, strengths_and_weaknesses
from emotion.registry import ALL_MODELS, FACE, ModelSpec


def show_card(spec: ModelSpec) -> None:
    st.header(spec.title)
    card = spec.read_card()
    if card is None:
        st.info("This model has not been trained and evaluated yet, so there is no card to show.", icon="⏳")
        return
    training = card.get("training", {})
    if not training.get("complete", True):
        st.warning(f"Interim model: released after {training['epochs_done']} of the {training['planned_epochs']} epochs "
                   "its training run planned; the numbers below are for this model.", icon="🚧")
    for sentence in strengths_and_weaknesses(card, *(("faces", "saw") if spec is FACE else ("voices", "heard"))):
        st.markdown(sentence)
    with st.expander("Details for experts: metrics, confusion matrix, data and commands"):
        expert_details(spec, card)


def expert_details(spec: ModelSpec, card: dict) -> None:
    metrics, training = card["metrics"], card.get("training", {})
    split = metrics.get("split", "test")
    accuracy_label = "Accuracy" + (" (validation split)" if split == "val" else " on unseen test data")
    if abstains(metrics):
        answers = st.columns(4)
        answers[0].metric(accuracy_label + ", \"not sure\" counted as wrong", f"{metrics['accuracy']:.1%}")
        answers[1].metric("Answered (coverage)", f"{metrics['coverage']:.1%}",
                          help="The share of examples it gave an emotion for; for the rest it said \"not sure\" (or "
                               "heard no speech).")
        answers[2].metric("Right when it answered", f"{metrics['answered_accuracy']:.1%}")
        answers[3].metric("Largest class's share of the answers", f"{metrics['top_class_share']:.0%}",
                          help=f"{metrics['top_class']}: on balanced test data about 1 in "
                               f"{len(metrics['confusion']['classes'])} is healthy; one class taking most answers is a "
                               "model guessing.")
        columns = st.columns(4)[:3]
    else:
        columns = st.columns(4)
        columns[0].metric(accuracy_label, f"{metrics['accuracy']:.1%}")
        columns = columns[1:]
    columns[0].metric("Macro-F1", f"{metrics['macro_f1']:.3f}")
    floor = metrics.get("ece_if_calibrated")
    columns[1].metric("Calibration error (ECE)", f"{metrics['ece']:.3f}",
                      help=None if floor is None else f"A perfectly calibrated model would show about {floor:.3f} on "
                                                      f"{metrics['n']:,} examples: small sets leave some error by chance.")
    latency = metrics.get("ms_per_face", metrics.get("ms_per_window"))
    columns[2].metric("Time per face" if "ms_per_face" in metrics else "Time per 3 s window", f"{latency:.1f} ms")
    if training.get("members"):
        alone = ", ".join(f"{member['val_accuracy']:.0%}" for member in [*training["members"], training.get("whisper", {})]
                          if member)
        st.caption(f"This model averages {ensemble_in_words(training)}. On the validation data together "
                   f"{training['val_accuracy']:.0%}, each alone {alone}.")
    data = training.get("data", {})
    st.markdown("**Data and split** — " + "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in data.items()))
    st.caption(f"Tested on {metrics['n']:,} examples. \"Not sure\" is shown below "
               f"{card.get('not_sure_below', 0):.0%} confidence, where the top guess was wrong more often than right "
               f"on the validation data. Evaluated {card['date']} with `{card['evaluation_command']}`.")
    if "accuracy_without_train_copies" in metrics:
        st.caption(f"{metrics['with_copy_in_train']} of these images also occur in the training split; without them "
                   f"the accuracy is {metrics['accuracy_without_train_copies']:.1%}.")
    if "ferplus" in metrics:
        st.caption(ferplus_in_words(metrics["ferplus"]))
    for corpus, (name, language) in OTHER_CORPORA.items():
        other = metrics.get(corpus)
        if not other:
            continue
        scores = f"accuracy {other['accuracy']:.1%}"
        if abstains(other):
            scores += (f" counting \"not sure\" as wrong; it answered {other['coverage']:.1%} of the clips and "
                       f"{other['answered_accuracy']:.1%} of its answers were right; {other['top_class']} took "
                       f"{other['top_class_share']:.0%} of the answers")
        st.caption(f"On another corpus, {language} actors it never heard ({name}, {other['n']:,} clips): {scores}.")
    cv = card.get("cross_validation")
    if cv:
        st.caption(f"Cross-validation over {len(cv['folds'])} groups of unseen actors: mean accuracy "
                   f"{cv['mean_accuracy']:.1%} (± {cv['std_accuracy']:.1%}).")
    left, right = st.columns(2)
    coverage = metrics.get("per_class_coverage") if abstains(metrics) else None
    left.plotly_chart(recall_bars(metrics["per_class_recall"], "Recall per class" + (" (of the answered)" if coverage else ""),
                                  coverage), key=f"{spec.key}-recall")
    if coverage:
        left.caption("Each class's recall counts only the examples the model answered; beside it, the share of that "
                     "class's examples it answered rather than saying \"not sure\". The confusion matrix holds the "
                     "answered examples.")
    confusion = metrics["confusion"]
    right.plotly_chart(confusion_heatmap(confusion["classes"], confusion["rows_true_columns_predicted"], "Confusion matrix"),
                       key=f"{spec.key}-confusion")
    st.markdown(f"**Intended use** — {card['intended_use']}")
    st.markdown("**Known limits**\n" + "\n".join(f"- {limit}" for limit in card["limits"]))


st.title("📊 Models")
st.write("What each model is good at and where it is weak, measured on people it never saw in training. Both "
         "models are this project's own, trained from scratch; the details for experts are under each one.")
for model in ALL_MODELS:
    show_card(model)
