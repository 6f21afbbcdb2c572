"""Plotly figures as pure functions of data: the pages only place them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from babel.numbers import get_decimal_symbol, get_group_symbol

from emotion.i18n import _, current_language, percent
from emotion.labels import COLOURS, FACE_CLASSES, VOICE_CLASSES, emotion_name
from emotion.report import SOURCE_BOTH, SOURCE_FACE, SOURCE_VOICE, SOURCES, source_title


def separators() -> str:
    """Plotly's decimal and thousands separators in the page's language, for its axes and hover texts
    (".," in English, ",." in Spanish and Italian)."""
    language = current_language()
    return get_decimal_symbol(language) + get_group_symbol(language)


def probability_bars(classes: Sequence[str], probabilities: Sequence[float], title: str = "") -> go.Figure:
    """Horizontal bars, one per class, in a fixed order so they do not jump between updates."""
    figure = go.Figure(go.Bar(
        x=list(probabilities), y=[emotion_name(c) for c in classes], orientation="h",
        marker_color=[COLOURS.get(c, "#888") for c in classes], textangle=0,
        text=[percent(p) for p in probabilities], textposition="auto",
    ))
    figure.update_layout(title=title, xaxis=dict(range=[0, 1], tickformat=".0%"), yaxis=dict(autorange="reversed"),
                         separators=separators(), height=60 + 28 * len(classes),
                         margin=dict(l=10, r=10, t=40 if title else 10, b=10))
    return figure


def confusion_heatmap(classes: Sequence[str], counts: Sequence[Sequence[int]], title: str = "") -> go.Figure:
    """Rows = true class, columns = predicted; colour = share of the row, text = count."""
    matrix = np.asarray(counts, dtype=float)
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    names = [emotion_name(c) for c in classes]
    # TRANSLATORS: hover text of a confusion matrix: {true} is the emotion a clip really shows, {predicted} the
    # model's answer, {count} how many clips, {share} their share of the clips that really show {true}.
    hover = _("true {true}, predicted {predicted}: {count} ({share} of {true})").format(
        true="%{y}", predicted="%{x}", count="%{text}", share="%{z:.0%}")
    figure = go.Figure(go.Heatmap(
        z=shares, x=names, y=names, colorscale="Purples", zmin=0, zmax=1,
        text=matrix.astype(int), texttemplate="%{text}", colorbar=dict(title=_("share of row"), tickformat=".0%"),
        hovertemplate=hover + "<extra></extra>",
    ))
    figure.update_layout(
        title=title,
        # TRANSLATORS: axis title of a confusion matrix: the model's answer.
        xaxis_title=_("predicted"),
        # TRANSLATORS: axis title of a confusion matrix: the emotion a clip really shows (not "true or false").
        yaxis_title=_("true"),
        yaxis=dict(autorange="reversed"), separators=separators(),
        height=140 + 40 * len(classes), margin=dict(l=10, r=10, t=40 if title else 10, b=10))
    return figure


def recall_bars(recall: dict[str, float], title: str = "", coverage: dict[str, float] | None = None) -> go.Figure:
    """Recall per class as bars; with `coverage` (per class, the share of its examples the model
    answered rather than saying "not sure"), the recall is over the answered ones and each bar
    says both, so a class found often only because it was rarely answered shows it."""
    figure = probability_bars(list(recall), list(recall.values()), title)
    if coverage:
        # TRANSLATORS: on a bar of recall per emotion: how often the model found it, and how often it answered.
        text = [_("{recall} · {coverage} answered").format(recall=percent(value),
                                                           coverage=percent(coverage.get(name, 0.0)))
                for name, value in recall.items()]
        hover = _("{emotion}: {recall} of the answered found; {coverage} answered").format(
            emotion="%{y}", recall="%{x:.0%}", coverage="%{customdata:.0%}")
        figure.update_traces(text=text, hovertemplate=hover + "<extra></extra>",
                             customdata=[coverage.get(name, 0.0) for name in recall])
    return figure


PANEL_GAP = 0.08
SOURCE_CLASSES = {SOURCE_FACE: FACE_CLASSES, SOURCE_VOICE: VOICE_CLASSES, SOURCE_BOTH: FACE_CLASSES}


def timeline_figure(rows, window_s: float | None = None) -> go.Figure:
    """One panel per source (face, voice, face + voice): a line per emotion, its probability over
    time (smoothed as the rows are), so a family sees a feeling rise and fade rather than only
    the top label; gaps where there was no face or no speech. `rows` is emotion.report.build_rows's
    table; `window_s` keeps the last seconds.

    The panels are laid out by hand rather than with make_subplots, which alone took ~40 ms: the
    live page redraws this chart twice a second."""
    present = [s for s in SOURCES if not rows.empty and (rows["source"] == s).any()] or [SOURCES[0]]
    height = (1 - PANEL_GAP * (len(present) - 1)) / len(present)
    end = float(rows["t"].max()) if not rows.empty else 0.0
    traces, layout, shown = [], {"annotations": []}, set()
    for i, source in enumerate(present):
        part = rows[rows["source"] == source] if not rows.empty else rows
        if window_s is not None and not part.empty:
            part = part[part["t"] >= end - window_s]
        axis = "" if i == 0 else str(i + 1)
        top = 1 - i * (height + PANEL_GAP)
        layout[f"yaxis{axis}"] = dict(domain=[max(0.0, top - height), top], range=[0, 1], tickformat=".0%")
        layout["annotations"].append(dict(text=source_title(source), x=0.5, y=top, xref="paper", yref="paper",
                                          showarrow=False, yanchor="bottom", font=dict(size=14)))
        if part.empty:
            continue
        times = part["t"].to_numpy()
        for name in SOURCE_CLASSES[source]:
            # TRANSLATORS: hover text on the timeline: "Face, 12.5 s: happy 84%".
            hover = _("{source}, {time} s: {emotion} {probability}").format(
                source=source_title(source), time="%{x:.1f}", emotion=emotion_name(name), probability="%{y:.0%}")
            traces.append(go.Scatter(
                x=times, y=part[f"p_{name}"].to_numpy(), mode="lines", xaxis="x", yaxis=f"y{axis}",
                name=emotion_name(name), legendgroup=name, showlegend=name not in shown,
                line=dict(color=COLOURS.get(name, "#999999"), width=2), hovertemplate=hover + "<extra></extra>",
            ))
            shown.add(name)
    layout["xaxis"] = dict(title_text=_("seconds"), anchor=f"y{len(present) if len(present) > 1 else ''}")
    return go.Figure(traces, layout=dict(layout, height=150 + 170 * len(present), showlegend=bool(traces),
                                         separators=separators(),
                                         legend=dict(orientation="h", y=-0.15), margin=dict(l=10, r=10, t=40, b=10)))
