"""Widgets that show readings the same way on the Live and Upload pages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from emotion.charts import probability_bars
from emotion.fusion import VOICE_TO_FACE
from emotion.labels import FACE_CLASSES, VOICE_CLASSES, display_name, top_label, voice_arousal
from emotion.overlay import face_caption
from emotion.report import SOURCE_TITLES, export_csv, export_json, summary
from emotion.speech.coverage import NotSureReason, SpeechHeard, coverage_in_words


def face_text(readings, numbers, not_sure_below: float) -> list[str]:
    """'Face 1: happy (92%)' for each face: what the overlay says, for screen readers too."""
    return [face_caption(n, r.probabilities, not_sure_below)[0] for r, n in zip(readings, numbers)]


def voice_text(probabilities: np.ndarray | None, not_sure_below: float) -> str:
    if probabilities is None:
        return "Voice: no speech"
    label, confidence = top_label(probabilities, VOICE_CLASSES, not_sure_below)
    return f"Voice: {label} ({confidence:.0%})"


def voice_energy(probabilities: np.ndarray) -> None:
    """Arousal in plain words under the voice's label: a coarser reading than the eight classes,
    right more often off the studio's microphone (benchmarks/speech_robustness.py: about 3 times
    in 4 under all channel shifts where the classes are right about half the time; measured
    against chance, it holds up about as well as the classes, not better)."""
    aroused = voice_arousal(probabilities)
    level = "high (an energetic voice)" if aroused >= 0.5 else "low (a quiet, calm or low voice)"
    st.caption(f"Energy in the voice: {level}, {max(aroused, 1 - aroused):.0%} sure")


def not_sure_reason(reason: NotSureReason | None) -> None:
    """Why the voice says "not sure", under its label (emotion.speech.coverage.why_not_sure)."""
    if reason is not None:
        st.caption(f"🤔 {reason.sentence}")


def speech_coverage(heard: SpeechHeard, so_far: bool = False) -> None:
    """How much of the speech got a reading, in words; nothing before there is speech."""
    words = coverage_in_words(heard, so_far)
    if words:
        st.caption(words)


def face_bars(probabilities: np.ndarray, title: str, key: str) -> None:
    st.plotly_chart(probability_bars(FACE_CLASSES, probabilities, title), key=key,
                    alt=bars_in_words(FACE_CLASSES, probabilities, title or "Face"))


def voice_bars(probabilities: np.ndarray, title: str, key: str) -> None:
    st.plotly_chart(probability_bars(VOICE_CLASSES, probabilities, title), key=key,
                    alt=bars_in_words(VOICE_CLASSES, probabilities, title or "Voice"))


def bars_in_words(classes: tuple[str, ...], probabilities: np.ndarray, title: str) -> str:
    """The bars' text alternative: every class with its share, largest first."""
    order = np.argsort(probabilities)[::-1]
    return f"{title}, bars: " + ", ".join(f"{classes[i]} {probabilities[i]:.0%}" for i in order)


def big_label(text: str, probabilities: np.ndarray | None, classes: tuple[str, ...], not_sure_below: float) -> None:
    """A large friendly label with emoji, e.g. '😀 happy'."""
    if probabilities is None:
        st.markdown(f"### {text}")
        return
    label, confidence = top_label(probabilities, classes, not_sure_below)
    st.markdown(f"### {display_name(label)} — {confidence:.0%}")


def fusion_note() -> None:
    pairs = ", ".join(f"{v} → {f}" for v, f in VOICE_TO_FACE.items() if v != f)
    st.caption("Face + voice combines both readings in the face's seven emotions, weighting each side by how "
               "sure it is (a voice unlike any the mirror learnt from does not count). "
               f"Voice classes map as: {pairs}; the rest keep their names.")


def summary_and_downloads(rows: pd.DataFrame, file_stem: str, key: str) -> None:
    """Time in each emotion per source, and the report's rows as CSV and JSON."""
    table = summary(rows)
    if table.empty:
        st.info("Nothing was recorded yet.")
        return
    shown = table.assign(source=table["source"].map(SOURCE_TITLES), seconds=table["seconds"].round(1),
                         share=(100 * table["share"]).round(0).astype("Int64"))
    st.dataframe(shown.rename(columns={"share": "share %"}), hide_index=True, key=f"{key}-summary")
    left, right = st.columns(2)
    left.download_button("Download timeline (CSV)", export_csv(rows), f"{file_stem}.csv", "text/csv",
                         key=f"{key}-csv", icon="⬇️")
    right.download_button("Download timeline (JSON)", export_json(rows), f"{file_stem}.json", "application/json",
                          key=f"{key}-json", icon="⬇️")
