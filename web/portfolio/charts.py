"""Plotly figures of a portfolio result (built from the stored result dictionary)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

GANTT_COLOURS = {
    False: ("#2a6f97", "Chosen by the optimiser"),
    True: ("#b3541e", "Mandatory (always in the plan)"),
}


def plan_gantt(result: dict[str, Any]) -> go.Figure:
    """Year-by-year plan: one bar per project from its start to its completion year,
    coloured (and named in the legend) by whether the project was mandatory."""
    projects = sorted(result.get("selected", []), key=lambda p: (p["start_year"], p["id"]))
    figure = go.Figure()
    for mandatory, (colour, label) in GANTT_COLOURS.items():
        group = [p for p in projects if bool(p.get("mandatory")) == mandatory]
        if not group:
            continue
        figure.add_bar(
            name=label,
            y=[f"{p['id']} · {p['name'][:40]}" for p in group],
            x=[p["completion_year"] - p["start_year"] + 1 for p in group],
            base=[p["start_year"] for p in group],
            orientation="h",
            hovertext=[f"{p['start_year']}–{p['completion_year']}" for p in group],
            marker={"color": colour},
        )
    figure.update_layout(
        title="Portfolio plan (start to completion)",
        showlegend=True,
        legend={"orientation": "h", "y": -0.15},
        xaxis={"title": "Year", "dtick": 1},
        yaxis={"autorange": "reversed"},
        height=max(300, 24 * len(projects) + 120),
    )
    return figure


def funding_by_year(result: dict[str, Any], names: dict[str, str] | None = None) -> go.Figure:
    """Stacked funding by source (named as in ``names``) and year."""
    names = names or {}
    figure = go.Figure()
    for mechanism, years in sorted(result.get("funding_plan", {}).items()):
        ordered = sorted(years.items(), key=lambda item: int(item[0]))
        figure.add_bar(
            name=names.get(mechanism, mechanism),
            x=[int(y) for y, _ in ordered],
            y=[a for _, a in ordered],
        )
    figure.update_layout(
        barmode="stack",
        title=f"Funding by source ({result.get('currency', '')})",
        xaxis={"dtick": 1},
    )
    return figure


def cash_flow(result: dict[str, Any]) -> go.Figure:
    """Own funds used against the budget, and the debt-service ratio against its limit."""
    rows = result.get("cash_flow", [])
    years = [r["year"] for r in rows]
    figure = go.Figure()
    figure.add_bar(name="Own funds used", x=years, y=[r["own_funds_used"] for r in rows])
    figure.add_scatter(name="Budget available", x=years, y=[r["available"] for r in rows])
    figure.add_scatter(name="Debt service (new)", x=years, y=[r["debt_service"] for r in rows])
    if any(r.get("debt_service_ratio") is not None for r in rows):
        figure.add_scatter(
            name="Debt-service ratio",
            x=years,
            y=[r.get("debt_service_ratio") for r in rows],
            yaxis="y2",
            line={"dash": "dot"},
        )
        limit = rows[0].get("debt_service_ratio_limit") if rows else None
        if limit is not None:
            figure.add_scatter(
                name="Ratio limit",
                x=years,
                y=[limit] * len(years),
                yaxis="y2",
                line={"dash": "dash", "color": "#c0392b"},
            )
    figure.update_layout(
        title="Cash flow and debt-service ratio",
        xaxis={"dtick": 1},
        yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%"},
    )
    return figure
