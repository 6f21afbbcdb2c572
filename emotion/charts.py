"""Plotly figures as pure functions of data: the pages only place them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from emotion.labels import COLOURS


def probability_bars(classes: Sequence[str], probabilities: Sequence[float], title: str = "") -> go.Figure:
    """Horizontal bars, one per class, in a fixed order so they do not jump between updates."""
    figure = go.Figure(go.Bar(
        x=list(probabilities), y=list(classes), orientation="h",
        marker_color=[COLOURS.get(c, "#888") for c in classes],
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
