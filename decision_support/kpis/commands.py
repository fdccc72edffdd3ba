"""``decision-support kpis …``: KPI catalogue look-ups, scoring and templates."""

from __future__ import annotations

import click

from decision_support.cli_output import emit, json_option
from decision_support.kpis.catalogue import load_catalogue


@click.group()
def kpis() -> None:
    """U4SSC KPIs: catalogue, scoring, import templates."""


@kpis.command("show")
@click.argument("code")
@json_option
def show(code: str, as_json: bool) -> None:
    """Show one KPI; CODE may be printed (EC: ICT: ICT: 1C) or compact (EC:ICT:ICT:1C)."""
    kpi = load_catalogue().get(code)
    payload = {
        "code": kpi.code,
        "code_compact": kpi.code_compact,
        "name": kpi.name,
        "dimension": kpi.dimension,
        "sub_dimension": kpi.sub_dimension,
        "category": kpi.category,
        "level": kpi.level,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "data_points": list(kpi.data_points),
        "definition": kpi.definition,
        "sdg_targets": list(kpi.sdg_targets),
    }
    emit(payload, as_json, lambda p: "\n".join(f"{k}: {v}" for k, v in p.items()))
