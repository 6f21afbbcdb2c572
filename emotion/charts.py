"""Plotly figures as pure functions of data: the pages only place them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from emotion.labels import COLOURS
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


def timeline_figure(rows, window_s: float | None = None) -> go.Figure:
    """One panel per source: a marker per step at (time, label), coloured by label, sized by
    confidence. `rows` is emotion.report.build_rows's table; `window_s` keeps the last seconds."""
    from plotly.subplots import make_subplots

    present = [s for s in SOURCES if not rows.empty and (rows["source"] == s).any()] or [SOURCES[0]]
    figure = make_subplots(rows=len(present), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                           subplot_titles=[SOURCE_TITLES[s] for s in present])
    end = float(rows["t"].max()) if not rows.empty else 0.0
    for row, source in enumerate(present, start=1):
        part = rows[rows["source"] == source] if not rows.empty else rows
        if window_s is not None and not part.empty:
            part = part[part["t"] >= end - window_s]
        for label, group in part.groupby("label", sort=False) if not part.empty else []:
            confidence = group["confidence"].fillna(0.3)
            figure.add_trace(go.Scatter(
                x=group["t"], y=group["label"], mode="markers", name=label, legendgroup=label,
                showlegend=row == 1, marker=dict(color=COLOURS.get(label, "#999"), size=6 + 10 * confidence),
                hovertemplate="%{x:.1f} s: %{y}<extra></extra>",
            ), row=row, col=1)
    figure.update_xaxes(title_text="seconds", row=len(present), col=1)
    figure.update_layout(height=150 + 170 * len(present), margin=dict(l=10, r=10, t=40, b=10), showlegend=False)
    return figure
