"""A candidate project as an entry of the portfolio scenario's ``projects:`` list.

The shape follows ``decision_support.portfolio.schema`` (``SCENARIO_SCHEMA``): money as
``capex_profile`` (year offsets from the project's start), impacts keyed by the printed
KPI code, with ``" [data point]"`` appended for data-point KPIs (``"EN: EN: AQ: 1C [NO2]"``),
and start years as calendar years. The scenario has no risk field, so cost-overrun and
delivery risk travel inside ``procurement`` (which accepts extra keys) with the
contract structure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from decision_support.projects.model import CandidateProject


def impact_key(code: str, data_point: str | None) -> str:
    """Portfolio impact key: ``"CODE"`` or ``"CODE [data point]"``."""
    return f"{code} [{data_point}]" if data_point else code


def to_portfolio_entry(
    project: CandidateProject, start_year: int, kpi_keys: Iterable[str] | None = None
) -> dict[str, Any]:
    """The scenario ``projects:`` entry for ``project``; ``start_year`` is the scenario's
    first year (the project's ``earliest_start``/``latest_start`` are offsets from it).

    ``kpi_keys`` (portfolio keys, see :func:`impact_key`) keeps only the impacts on the
    scenario's KPIs, as the scenario checks require; None keeps every impact.
    """
    wanted = set(kpi_keys) if kpi_keys is not None else None
    impacts: dict[str, float] = {}
    for impact in project.impacts:
        key = impact_key(impact.kpi, impact.data_point)
        if wanted is not None and key not in wanted:
            continue
        impacts[key] = impacts.get(key, 0.0) + impact.change
    entry: dict[str, Any] = {
        "id": project.id,
        "name": project.name,
        "capex_profile": [float(v) for v in project.capex_by_year],
        "opex_per_year": float(project.opex_per_year),
        "savings_per_year": float(project.savings_per_year),
        "impacts": impacts,
        "earliest_start": start_year + project.earliest_start,
        "low_cost": project.low_cost,
        "tags": list(project.tags),
        "requires": list(project.requires),
        "excludes": list(project.excludes),
        "procurement": {
            "category": project.procurement.category,
            "estimated_value": float(project.procurement.estimated_value),
            "cpv": project.procurement.cpv,
            "contract": project.procurement.contract,
            "risk_cost_overrun": project.risk.cost_overrun,
            "risk_delivery": project.risk.delivery,
        },
    }
    if project.description:
        entry["description"] = project.description
    if project.latest_start is not None:
        entry["latest_start"] = start_year + project.latest_start
    return entry
