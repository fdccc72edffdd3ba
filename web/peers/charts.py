"""Plotly figures of the peer pages: distributions with the city highlighted, the index."""

from __future__ import annotations

import plotly.graph_objects as go

from decision_support.peers.compare import IndexColumn, KPIComparison
from web.kpis.charts import BAND_COLOURS, NO_SCORE_COLOUR

CITY_COLOUR = "#1565c0"


def distribution_figure(row: KPIComparison, city_name: str) -> go.Figure:
    """Box and points of the peers' reported values in the KPI's unit; the city as a star."""
    reported = row.reported_peers
    figure = go.Figure()
    numbers = [p.number for p in reported]
    figure.add_trace(
        go.Box(
            x=numbers,
            y=["peers"] * len(numbers),
            name="peer distribution",
            boxpoints=False,
            line={"color": "#777777"},
            fillcolor="rgba(0,0,0,0.03)",
            orientation="h",
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=numbers,
            y=["peers"] * len(numbers),
            mode="markers",
            name="peers (band colour)",
            text=[p.city.name for p in reported],
            hovertemplate="%{text}: %{x}<extra></extra>",
            marker={
                "size": 12,
                "color": [BAND_COLOURS.get(p.band or "", NO_SCORE_COLOUR) for p in reported],
                "line": {"color": "#333333", "width": 1},
            },
        )
    )
    city = row.city_value
    if city is not None and city.value is not None:
        figure.add_trace(
            go.Scatter(
                x=[city.value],
                y=["peers"],
                mode="markers",
                name=city_name,
                marker={"symbol": "star", "size": 20, "color": CITY_COLOUR},
                hovertemplate=f"{city_name}: %{{x}}<extra></extra>",
            )
        )
    if row.has_benchmark and row.target is not None:
        figure.add_vline(x=row.target.value, line_dash="dash", annotation_text="target")
    figure.update_layout(
        height=260, xaxis={"title": row.kpi.unit}, showlegend=True, title=row.kpi.name
    )
    return figure


def achievement_figure(rows: list[KPIComparison], city_name: str) -> go.Figure:
    """Achievement (% of target, capped at 150) per benchmarked KPI: peers as dots
    coloured by band, the city as a star."""
    scored = [r for r in rows if r.has_benchmark]
    labels = [r.label for r in scored]
    figure = go.Figure()
    xs, ys, texts, colours = [], [], [], []
    for row, label in zip(scored, labels, strict=True):
        for peer in row.peers:
            if peer.scored is None:
                continue
            pct = peer.scored.achievement_pct
            xs.append(150.0 if pct is None else min(pct, 150.0))
            ys.append(label)
            texts.append(f"{peer.city.name}: {peer.number:g} ({peer.band})")
            colours.append(BAND_COLOURS.get(peer.band or "", NO_SCORE_COLOUR))
    figure.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            name="peers",
            text=texts,
            hoverinfo="text",
            marker={"size": 11, "color": colours, "line": {"color": "#333333", "width": 1}},
        )
    )
    city_x, city_y, city_text = [], [], []
    for row, label in zip(scored, labels, strict=True):
        if row.city_scored is not None:
            pct = row.city_scored.achievement_pct
            city_x.append(150.0 if pct is None else min(pct, 150.0))
            city_y.append(label)
            city_text.append(
                f"{city_name}: {row.city_scored.value.value:g} ({row.city_scored.band})"
            )
    figure.add_trace(
        go.Scatter(
            x=city_x,
            y=city_y,
            mode="markers",
            name=city_name,
            text=city_text,
            hoverinfo="text",
            marker={"symbol": "star", "size": 18, "color": CITY_COLOUR},
        )
    )
    for edge in (33, 66, 95):
        figure.add_vline(x=edge, line_dash="dot", line_color="#999999")
    figure.update_layout(
        height=max(260, 28 * len(labels) + 120),
        xaxis={"title": "% of target (capped at 150)", "range": [0, 155]},
        yaxis={"autorange": "reversed", "type": "category"},
        title="Achievement against the same targets",
    )
    return figure


def index_figure(columns: list[IndexColumn]) -> go.Figure:
    """U4SSC score per dimension, one bar group per dimension, one bar per city."""
    figure = go.Figure()
    for column in columns:
        figure.add_trace(
            go.Bar(
                x=[d.name for d in column.dimensions],
                y=[d.score_pct for d in column.dimensions],
                name=column.name,
                marker={"color": CITY_COLOUR} if column.is_city else None,
                text=[
                    "no scored value" if d.score_pct is None else f"{d.score_pct:.0f} %"
                    for d in column.dimensions
                ],
                textposition="outside",
            )
        )
    figure.update_layout(barmode="group", height=420, yaxis={"title": "score %", "range": [0, 110]})
    return figure
