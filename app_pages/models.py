"""Models: each model's card — data, split, accuracy, per-class recall, confusion and limits.

Everything shown comes from models/<name>.json, written by the evaluate CLI.
"""

import streamlit as st

from emotion.charts import confusion_heatmap, recall_bars
from emotion.plain_words import ensemble_in_words, strengths_and_weaknesses
from emotion.registry import ALL_MODELS, FACE, ModelSpec


def show_card(spec: ModelSpec) -> None:
    st.header(spec.title)
    card = spec.read_card()
    if card is None:
        st.info("This model has not been trained and evaluated yet, so there is no card to show.", icon="⏳")
        return
    metrics, training = card["metrics"], card.get("training", {})
    if not training.get("complete", True):
        st.warning(f"Interim model: released after {training['epochs_done']} of the {training['planned_epochs']} epochs "
                   "its training run planned; the numbers below are for this model.", icon="🚧")
    for sentence in strengths_and_weaknesses(card, *(("faces", "saw") if spec is FACE else ("voices", "heard"))):
        st.markdown(sentence)
    with st.expander("Details for experts: metrics, confusion matrix, data and commands"):
        expert_details(spec, card)


def expert_details(spec: ModelSpec, card: dict) -> None:
    metrics, training = card["metrics"], card.get("training", {})
    columns = st.columns(4)
    split = metrics.get("split", "test")
    columns[0].metric("Accuracy" + (" (validation split)" if split == "val" else " on unseen test data"),
                      f"{metrics['accuracy']:.1%}")
    columns[1].metric("Macro-F1", f"{metrics['macro_f1']:.3f}")
    floor = metrics.get("ece_if_calibrated")
    columns[2].metric("Calibration error (ECE)", f"{metrics['ece']:.3f}",
                      help=None if floor is None else f"A perfectly calibrated model would show about {floor:.3f} on "
                                                      f"{metrics['n']:,} examples: small sets leave some error by chance.")
    latency = metrics.get("ms_per_face", metrics.get("ms_per_window"))
    columns[3].metric("Time per face" if "ms_per_face" in metrics else "Time per 3 s window", f"{latency:.1f} ms")
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
    nemo = metrics.get("nemo")
    if nemo:
        st.caption(f"On a second corpus, Polish actors it never heard (nEMO, {nemo['n']:,} clips): accuracy "
                   f"{nemo['accuracy']:.1%}.")
    cv = card.get("cross_validation")
    if cv:
        st.caption(f"Cross-validation over {len(cv['folds'])} groups of unseen actors: mean accuracy "
                   f"{cv['mean_accuracy']:.1%} (± {cv['std_accuracy']:.1%}).")
    left, right = st.columns(2)
    left.plotly_chart(recall_bars(metrics["per_class_recall"], "Recall per class"), key=f"{spec.key}-recall")
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
