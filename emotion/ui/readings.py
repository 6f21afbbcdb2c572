"""Widgets that show readings the same way on the Live and Upload pages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from emotion.charts import probability_bars
from emotion.fusion import VOICE_TO_FACE
from emotion.i18n import _, number, percent
from emotion.labels import FACE_CLASSES, VOICE_CLASSES, display_name, emotion_name, top_label, voice_arousal
from emotion.overlay import face_caption
from emotion.report import export_csv, export_json, source_title, summary
from emotion.speech.coverage import NotSureReason, SpeechHeard, coverage_in_words


def face_text(readings, numbers, not_sure_below: float) -> list[str]:
    """'Face 1: happy (92%)' for each face: what the overlay says, for screen readers too."""
    return [face_caption(n, r.probabilities, not_sure_below)[0] for r, n in zip(readings, numbers)]


def voice_text(probabilities: np.ndarray | None, not_sure_below: float) -> str:
    if probabilities is None:
        return _("Voice: {label}").format(label=emotion_name("no speech"))
    label, confidence = top_label(probabilities, VOICE_CLASSES, not_sure_below)
    return _("Voice: {label} ({confidence})").format(label=emotion_name(label), confidence=percent(confidence))


def voice_energy(probabilities: np.ndarray) -> None:
    """Arousal in plain words under the voice's label: a coarser reading than the eight classes,
    right more often off the studio's microphone (benchmarks/speech_robustness.py: about 3 times
    in 4 under all channel shifts where the classes are right about half the time; measured
    against chance, it holds up about as well as the classes, not better)."""
    aroused = voice_arousal(probabilities)
    sure = percent(max(aroused, 1 - aroused))
    st.caption(_("Energy in the voice: high (an energetic voice), {sure} sure").format(sure=sure) if aroused >= 0.5
               else _("Energy in the voice: low (a quiet, calm or low voice), {sure} sure").format(sure=sure))


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
                    alt=bars_in_words(FACE_CLASSES, probabilities, title or _("Face")))


def voice_bars(probabilities: np.ndarray, title: str, key: str) -> None:
    st.plotly_chart(probability_bars(VOICE_CLASSES, probabilities, title), key=key,
                    alt=bars_in_words(VOICE_CLASSES, probabilities, title or _("Voice")))


def bars_in_words(classes: tuple[str, ...], probabilities: np.ndarray, title: str) -> str:
    """The bars' text alternative: every class with its share, largest first."""
    order = np.argsort(probabilities)[::-1]
    shares = ", ".join(f"{emotion_name(classes[i])} {percent(probabilities[i])}" for i in order)
    return _("{title}, bars: {shares}").format(title=title, shares=shares)


def big_label(text: str, probabilities: np.ndarray | None, classes: tuple[str, ...], not_sure_below: float) -> None:
    """A large friendly label with emoji, e.g. '😀 happy'."""
    if probabilities is None:
        st.markdown(f"### {text}")
        return
    label, confidence = top_label(probabilities, classes, not_sure_below)
    st.markdown(f"### {display_name(label)} — {percent(confidence)}")


def fusion_note() -> None:
    pairs = ", ".join(f"{emotion_name(v)} → {emotion_name(f)}" for v, f in VOICE_TO_FACE.items() if v != f)
    st.caption(_("Face + voice combines both readings in the face's seven emotions, weighting each side by how "
                 "sure it is (a voice unlike any the mirror learnt from does not count). "
                 "Voice classes map as: {pairs}; the rest keep their names.").format(pairs=pairs))


def summary_and_downloads(rows: pd.DataFrame, file_stem: str, key: str) -> None:
    """Time in each emotion per source, and the report's rows as CSV and JSON."""
    table = summary(rows)
    if table.empty:
        st.info(_("Nothing was recorded yet."))
        return
    shown = pd.DataFrame({
        _("source"): table["source"].map(source_title),
        _("emotion"): table["label"].map(emotion_name),
        _("seconds"): table["seconds"].map(lambda seconds: number(seconds, 1)),
        _("share"): table["share"].map(percent),
    })
    st.dataframe(shown, hide_index=True, key=f"{key}-summary")
    left, right = st.columns(2)
    left.download_button(_("Download timeline (CSV)"), export_csv(rows), f"{file_stem}.csv", "text/csv",
                         key=f"{key}-csv", icon="⬇️")
    right.download_button(_("Download timeline (JSON)"), export_json(rows), f"{file_stem}.json", "application/json",
                          key=f"{key}-json", icon="⬇️")
