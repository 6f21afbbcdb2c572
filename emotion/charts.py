"""Plotly figures as pure functions of data: the pages only place them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from emotion.labels import COLOURS, NO_FACE, NO_SPEECH, NOT_SURE
from emotion.report import SOURCE_TITLES, SOURCES


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


def recall_bars(recall: dict[str, float], title: str = "") -> go.Figure:
    return probability_bars(list(recall), list(recall.values()), title)


_LABEL_ORDER = list(dict.fromkeys([*COLOURS, NOT_SURE, NO_FACE, NO_SPEECH]))
_LABEL_COLOURS = [COLOURS.get(label, "#999999") for label in _LABEL_ORDER]
# A colour array of strings costs plotly ~35 us a point to validate (13 ms for 3 minutes of one
# source); numbers through a stepped colour scale cost next to nothing, and the live page redraws
# this chart twice a second.
_STEPPED_SCALE = [[edge, colour] for i, colour in enumerate(_LABEL_COLOURS)
                  for edge in (i / len(_LABEL_COLOURS), (i + 1) / len(_LABEL_COLOURS))]
PANEL_GAP = 0.08


def timeline_figure(rows, window_s: float | None = None) -> go.Figure:
    """One panel per source: a marker per step at (time, label), coloured by label, sized by
    confidence. `rows` is emotion.report.build_rows's table; `window_s` keeps the last seconds.

    The panels are laid out by hand rather than with make_subplots, which alone took ~40 ms."""
    present = [s for s in SOURCES if not rows.empty and (rows["source"] == s).any()] or [SOURCES[0]]
    height = (1 - PANEL_GAP * (len(present) - 1)) / len(present)
    end = float(rows["t"].max()) if not rows.empty else 0.0
    traces, layout = [], {"annotations": []}
    for i, source in enumerate(present):
        part = rows[rows["source"] == source] if not rows.empty else rows
        if window_s is not None and not part.empty:
            part = part[part["t"] >= end - window_s]
        axis = "" if i == 0 else str(i + 1)
        top = 1 - i * (height + PANEL_GAP)
        layout[f"yaxis{axis}"] = dict(domain=[max(0.0, top - height), top])
        layout["annotations"].append(dict(text=SOURCE_TITLES[source], x=0.5, y=top, xref="paper", yref="paper",
                                          showarrow=False, yanchor="bottom", font=dict(size=14)))
        if part.empty:
            continue
        codes = np.array([_LABEL_ORDER.index(label) if label in _LABEL_ORDER else len(_LABEL_ORDER) - 1
                          for label in part["label"]], float)
        traces.append(go.Scatter(
            x=part["t"].to_numpy(), y=part["label"].to_numpy(), mode="markers", xaxis="x", yaxis=f"y{axis}",
            marker=dict(color=(codes + 0.5) / len(_LABEL_ORDER), colorscale=_STEPPED_SCALE, cmin=0, cmax=1,
                        size=(6 + 10 * part["confidence"].fillna(0.3)).to_numpy()),
            hovertemplate="%{x:.1f} s: %{y}<extra></extra>", name=SOURCE_TITLES[source],
        ))
    layout["xaxis"] = dict(title_text="seconds", anchor=f"y{len(present) if len(present) > 1 else ''}")
    return go.Figure(traces, layout=dict(layout, height=150 + 170 * len(present), showlegend=False,
                                         margin=dict(l=10, r=10, t=40, b=10)))
