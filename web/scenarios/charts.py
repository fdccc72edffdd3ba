"""Plotly figures of comparisons, frontiers and robustness results (pure dict → figure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

CLASS_COLOURS = {"core": "#1a7f37", "borderline": "#d4a72c", "exterior": "#8c959f"}


def _names(comparison: Mapping[str, Any]) -> list[str]:
    return [s["name"] for s in comparison["scenarios"]]


def cost_by_year(comparison: Mapping[str, Any]) -> go.Figure:
    """Capital spending per year, one bar per scenario."""
    years = [row["year"] for row in comparison["cost_by_year"]]
    figure = go.Figure(
        [
            go.Bar(name=name, x=years, y=[row["capex"][i] for row in comparison["cost_by_year"]])
            for i, name in enumerate(_names(comparison))
        ]
    )
    figure.update_layout(title="Capital spending by year", barmode="group", yaxis_title="capex")
    return figure


def financing_mix(comparison: Mapping[str, Any]) -> go.Figure:
    """Funding by mechanism, stacked per scenario."""
    names = _names(comparison)
    figure = go.Figure(
        [
            go.Bar(name=row["mechanism"], x=names, y=row["values"])
            for row in comparison["financing_mix"]
        ]
    )
    figure.update_layout(title="Financing mix", barmode="stack", yaxis_title="amount")
    return figure


def gap_closure(comparison: Mapping[str, Any]) -> go.Figure:
    """Weighted share of KPI gaps closed per U4SSC dimension."""
    rows = comparison["gap_closure_by_dimension"]
    figure = go.Figure(
        [
            go.Bar(name=name, x=[r["dimension"] for r in rows], y=[r["values"][i] for r in rows])
            for i, name in enumerate(_names(comparison))
        ]
    )
    figure.update_layout(
        title="KPI gaps closed by dimension", barmode="group", yaxis_tickformat=".0%"
    )
    return figure


def debt_service(comparison: Mapping[str, Any]) -> go.Figure:
    """Debt-service ratio per year against the limit."""
    rows = comparison["debt_service"]
    years = [r["year"] for r in rows]
    traces = [
        go.Scatter(name=name, x=years, y=[r["ratio"][i] for r in rows], mode="lines+markers")
        for i, name in enumerate(_names(comparison))
    ]
    limits = [next((v for v in r["limit"] if v is not None), None) for r in rows]
    if any(v is not None for v in limits):
        traces.append(
            go.Scatter(name="limit", x=years, y=limits, mode="lines", line={"dash": "dash"})
        )
    figure = go.Figure(traces)
    figure.update_layout(title="Debt-service ratio", yaxis_tickformat=".1%")
    return figure


def procurement_load(comparison: Mapping[str, Any]) -> go.Figure:
    """Tenders launched per year."""
    rows = comparison["procurement_load"]
    figure = go.Figure(
        [
            go.Bar(name=name, x=[r["year"] for r in rows], y=[r["tenders"][i] for r in rows])
            for i, name in enumerate(_names(comparison))
        ]
    )
    figure.update_layout(title="Tenders launched per year", barmode="group")
    return figure


def frontier_curve(result: Mapping[str, Any]) -> go.Figure:
    """Impact against the axis, the knee and marginal-gain drops marked."""
    points = [p for p in result["points"] if p["impact"] is not None]
    x = [p["x"] for p in points]
    figure = go.Figure(
        go.Scatter(
            x=x,
            y=[p["impact"] for p in points],
            mode="lines+markers",
            name="best impact",
            text=[
                f"{len(p['selected'])} projects: " + ", ".join(s["id"] for s in p["selected"])
                for p in points
            ],
            hovertemplate="%{x:,.0f} → %{y:.4g}<br>%{text}<extra></extra>",
        )
    )
    knees = [p for p in points if p.get("knee")]
    drops = [p for p in points if p.get("marginal_gain_drop") and not p.get("knee")]
    if knees:
        figure.add_trace(
            go.Scatter(
                x=[p["x"] for p in knees],
                y=[p["impact"] for p in knees],
                mode="markers",
                marker={"size": 16, "symbol": "star"},
                name="knee",
            )
        )
    if drops:
        figure.add_trace(
            go.Scatter(
                x=[p["x"] for p in drops],
                y=[p["impact"] for p in drops],
                mode="markers",
                marker={"size": 11, "symbol": "diamond"},
                name="marginal-gain drop",
            )
        )
    x_title = (
        "total budget over the horizon" if result["axis"] == "budget" else result["axis_label"]
    )
    figure.update_layout(title=result["axis_label"], xaxis_title=x_title, yaxis_title="impact")
    return figure


def core_index(result: Mapping[str, Any]) -> go.Figure:
    """Each project's core index, coloured by class."""
    rows = [p for p in result["projects"] if p["core_index"] is not None]
    figure = go.Figure(
        go.Bar(
            x=[p["core_index"] for p in rows],
            y=[f"{p['id']} {p['name']}" for p in rows],
            orientation="h",
            marker={"color": [CLASS_COLOURS[p["class"]] for p in rows]},
        )
    )
    figure.update_layout(
        title="Core index (share of samples in which the project is selected)",
        xaxis={"range": [0, 1], "tickformat": ".0%"},
        yaxis={"autorange": "reversed"},
        height=max(300, 22 * len(rows) + 80),
    )
    return figure
