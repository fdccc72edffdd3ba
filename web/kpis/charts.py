"""Plotly figures of the KPI pages: the benchmarking wheel and trend lines."""

from __future__ import annotations

from collections import Counter
from typing import Any

import plotly.graph_objects as go

from decision_support.kpis.analysis import TrendPoint, WheelNode

# The colours of the CSS bands (web/static/css/app.css).
BAND_COLOURS = {"95+": "#1e7b34", "66-95": "#7cb342", "33-66": "#f2a900", "0-33": "#c62828"}
NO_SCORE_COLOUR = "#e6e9ed"


def wheel_figure(nodes: list[WheelNode]) -> dict[str, Any]:
    """The U4SSC benchmarking wheel: dimensions inside, KPIs outside, coloured by band.

    Every KPI (or data point) counts as one unit of angle; a group's size is the
    number of KPIs below it. Built as a Plotly figure document rather than graph
    objects: it is rebuilt after every change of the city's KPI data, and validating
    150 segments cost more than the rest of the rebuild (the tests validate it).
    """
    leaves = Counter[str]()
    parent_of = {n.id: n.parent for n in nodes}
    for node in nodes:
        if node.level == "kpi":
            ancestor = node.id
            while ancestor:
                leaves[ancestor] += 1
                ancestor = parent_of.get(ancestor, "")
    sunburst = {
        "type": "sunburst",
        "ids": [n.id for n in nodes],
        "labels": [n.label for n in nodes],
        "parents": [n.parent for n in nodes],
        "values": [leaves[n.id] for n in nodes],
        "branchvalues": "total",
        "marker": {
            "colors": [BAND_COLOURS.get(n.band or "", NO_SCORE_COLOUR) for n in nodes],
            "line": {"color": "#ffffff", "width": 1},
        },
        "hovertext": [n.hover for n in nodes],
        "hoverinfo": "text",
        "insidetextorientation": "radial",
        "maxdepth": 3,
    }
    layout = {
        "height": 620,
        "title": {"text": "Benchmarking wheel (click a segment to zoom)"},
        # labels too small to read are hidden rather than drawn illegibly (narrow screens)
        "uniformtext": {"minsize": 10, "mode": "hide"},
    }
    return {"data": [sunburst], "layout": layout}


def trend_figure(series: dict[str, list[TrendPoint]], unit: str) -> go.Figure:
    """Values by year, one line per data point, with the target as a dashed line."""
    figure = go.Figure()
    for label, points in series.items():
        if not points:
            continue
        figure.add_trace(
            go.Scatter(
                x=[p.year for p in points],
                y=[p.value for p in points],
                mode="lines+markers",
                name=label,
                marker={
                    "size": 11,
                    "color": [BAND_COLOURS.get(p.band or "", NO_SCORE_COLOUR) for p in points],
                    "line": {"color": "#333333", "width": 1},
                },
            )
        )
        targets = [p.target for p in points]
        if targets[-1] is not None:
            figure.add_trace(
                go.Scatter(
                    x=[p.year for p in points],
                    y=[targets[-1]] * len(points),
                    mode="lines",
                    name=f"target{'' if len(series) == 1 else ' ' + label}",
                    line={"dash": "dash", "color": "#555555"},
                )
            )
    figure.update_layout(
        height=380, xaxis={"title": "Year", "dtick": 1}, yaxis={"title": unit}, showlegend=True
    )
    return figure
