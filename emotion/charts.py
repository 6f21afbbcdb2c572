"""Plotly figures as pure functions of data: the pages only place them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from emotion.labels import COLOURS, FACE_CLASSES, VOICE_CLASSES
from emotion.report import SOURCE_BOTH, SOURCE_FACE, SOURCE_TITLES, SOURCE_VOICE, SOURCES


def probability_bars(classes: Sequence[str], probabilities: Sequence[float], title: str = "") -> go.Figure:
    """Horizontal bars, one per class, in a fixed order so they do not jump between updates."""
    figure = go.Figure(go.Bar(
        x=list(probabilities), y=list(classes), orientation="h",
        marker_color=[COLOURS.get(c, "#888") for c in classes], textangle=0,
        text=[f"{p:.0%}" for p in probabilities], textposition="auto",
    ))
    figure.update_layout(title=title, xaxis=dict(range=[0, 1], tickformat=".0%"), yaxis=dict(autorange="reversed"),
                         height=60 + 28 * len(classes), margin=dict(l=10, r=10, t=40 if title else 10, b=10))
    return figure


def confusion_heatmap(classes: Sequence[str], counts: Sequence[Sequence[int]], title: str = "") -> go.Figure:
    """Rows = true class, columns = predicted; colour = share of the row, text = count."""
    matrix = np.asarray(counts, dtype=float)
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    figure = go.Figure(go.Heatmap(
        z=shares, x=list(classes), y=list(classes), colorscale="Purples", zmin=0, zmax=1,
        text=matrix.astype(int), texttemplate="%{text}", colorbar=dict(title="share of row", tickformat=".0%"),
        hovertemplate="true %{y}, predicted %{x}: %{text} (%{z:.0%} of %{y})<extra></extra>",
    ))
    figure.update_layout(title=title, xaxis_title="predicted", yaxis_title="true", yaxis=dict(autorange="reversed"),
                         height=140 + 40 * len(classes), margin=dict(l=10, r=10, t=40 if title else 10, b=10))
    return figure


def recall_bars(recall: dict[str, float], title: str = "", coverage: dict[str, float] | None = None) -> go.Figure:
    """Recall per class as bars; with `coverage` (per class, the share of its examples the model
    answered rather than saying "not sure"), the recall is over the answered ones and each bar
    says both, so a class found often only because it was rarely answered shows it."""
    figure = probability_bars(list(recall), list(recall.values()), title)
    if coverage:
        figure.update_traces(text=[f"{value:.0%} · {coverage.get(name, 0.0):.0%} answered" for name, value in recall.items()],
                             hovertemplate="%{y}: %{x:.0%} of the answered found; %{customdata:.0%} answered<extra></extra>",
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
        layout["annotations"].append(dict(text=SOURCE_TITLES[source], x=0.5, y=top, xref="paper", yref="paper",
                                          showarrow=False, yanchor="bottom", font=dict(size=14)))
        if part.empty:
            continue
        times = part["t"].to_numpy()
        for name in SOURCE_CLASSES[source]:
            traces.append(go.Scatter(
                x=times, y=part[f"p_{name}"].to_numpy(), mode="lines", xaxis="x", yaxis=f"y{axis}",
                name=name, legendgroup=name, showlegend=name not in shown,
                line=dict(color=COLOURS.get(name, "#999999"), width=2),
                hovertemplate=f"{SOURCE_TITLES[source]}, %{{x:.1f}} s: {name} %{{y:.0%}}<extra></extra>",
            ))
            shown.add(name)
    layout["xaxis"] = dict(title_text="seconds", anchor=f"y{len(present) if len(present) > 1 else ''}")
    return go.Figure(traces, layout=dict(layout, height=150 + 170 * len(present), showlegend=bool(traces),
                                         legend=dict(orientation="h", y=-0.15), margin=dict(l=10, r=10, t=40, b=10)))
