"""Factories for tiny scenarios and hand-made optimiser results."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

BASE: dict[str, Any] = {
    "name": "Tiny town",
    "currency": "EUR",
    "start_year": 2027,
    "horizon_years": 3,
    "discount_rate": 0.03,
    "budget": {"by_year": {2027: 100.0, 2028: 100.0, 2029: 100.0}, "carry_over": False},
    "fiscal": {
        "revenue_by_year": {2027: 1000.0, 2028: 1000.0, 2029: 1000.0},
        "existing_debt_service_by_year": {2027: 10.0, 2028: 10.0, 2029: 10.0},
        "max_debt_service_ratio": 0.1,
    },
    "kpis": [
        {"code": "EN: E: E: 4A", "baseline": 10.0, "target": 20.0, "weight": 1.0},
        {"code": "EC: I: WS: 3C", "baseline": 30.0, "target": 15.0, "weight": 2.0},
    ],
    "objective": {"mode": "gap_closure"},
    "constraints": {"mandatory": ["A"], "excluded": []},
    "projects": [
        {
            "id": "A",
            "name": "Alpha",
            "capex_profile": [60.0],
            "impacts": {"EN: E: E: 4A": 5.0},
            "low_cost": True,
        },
        {
            "id": "B",
            "name": "Beta",
            "capex_profile": [80.0, 40.0],
            "impacts": {"EC: I: WS: 3C": -10.0},
        },
        {
            "id": "C",
            "name": "Gamma",
            "capex_profile": [30.0],
            "impacts": {"EN: E: E: 4A": 3.0},
            "low_cost": True,
            "tags": ["risk-high"],
        },
    ],
    "mechanisms": [
        {"id": "loan", "type": "loan", "rate": 0.04, "tenor_years": 10, "capacity_total": 100.0},
        {"id": "erdf", "type": "grant", "max_share": 0.5, "award_probability": 0.7},
    ],
}


KNAPSACK: dict[str, Any] = {
    "name": "Knapsack town",
    "start_year": 2027,
    "horizon_years": 1,
    "budget": {"by_year": {2027: 100.0}},
    "objective": {"mode": "value"},
    "projects": [
        {"id": "P1", "capex_profile": [40.0], "value": 10.0},
        {"id": "P2", "capex_profile": [30.0], "value": 8.0},
        {"id": "P3", "capex_profile": [50.0], "value": 9.0},
        {"id": "P4", "capex_profile": [20.0], "value": 3.0},
    ],
}


@pytest.fixture
def knapsack() -> dict[str, Any]:
    """One year, four projects, explicit values: the optimum at each budget is known by hand."""
    return copy.deepcopy(KNAPSACK)


@pytest.fixture
def make_scenario() -> Callable[..., dict[str, Any]]:
    """A fresh copy of the tiny scenario, with top-level keys replaced."""

    def factory(**changes: Any) -> dict[str, Any]:
        scenario = copy.deepcopy(BASE)
        scenario.update(changes)
        return scenario

    return factory


# What a hand-made row leaves out, filled in so the document has the full
# ``PortfolioResult.to_dict()`` shape (``PortfolioResult.from_dict`` requires it).
CASH_FLOW_ROW: dict[str, Any] = dict.fromkeys(
    (
        "budget",
        "available",
        "own_funds_used",
        "own_capex",
        "debt_service",
        "issuance_costs",
        "opex",
        "savings",
        "carry_over_out",
        "external_funding",
    ),
    0.0,
)
KPI_ROW: dict[str, Any] = {
    "direction": "higher_is_better",
    "achievement_before": None,
    "achievement_after": None,
    "band_before": None,
    "band_after": None,
    "gap_closed_share": None,
}


def _procurement_row(row: dict[str, Any]) -> dict[str, Any]:
    return {"contract_start_year": row["tender_launch_year"], "lead_time_days": 0, **row}


def result(selected: dict[str, int], **extra: Any) -> dict[str, Any]:
    """A hand-made optimiser result (the ``PortfolioResult.to_dict()`` shape); rows of
    ``cash_flow``, ``kpi_projection`` and ``procurement_plan`` given in ``extra`` may
    name only the fields a test is about, the rest is filled in."""
    extra = dict(extra)
    extra["cash_flow"] = [{**CASH_FLOW_ROW, **r} for r in extra.get("cash_flow", [])]
    extra["kpi_projection"] = [{**KPI_ROW, **r} for r in extra.get("kpi_projection", [])]
    extra["procurement_plan"] = [_procurement_row(r) for r in extra.get("procurement_plan", [])]
    document: dict[str, Any] = {
        "scenario_name": "hand-made",
        "currency": "EUR",
        "status": "optimal",
        "proven_optimal": True,
        "mip_gap": 0.0,
        "objective": {"value": float(len(selected)), "mode": "gap_closure", "financing_cost": 0.0},
        "selected": [
            {
                "id": pid,
                "name": pid,
                "start_year": year,
                "completion_year": year,
                "capex_total": 0.0,
                "funding": {},
                "funding_by_year": {},
            }
            for pid, year in selected.items()
        ],
        "cash_flow": [],
        "kpi_projection": [],
        "u4ssc_score": {},
        "procurement_plan": [],
    }
    document.update(extra)
    return document


@pytest.fixture
def make_result() -> Callable[..., dict[str, Any]]:
    return result
