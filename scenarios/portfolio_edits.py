"""Small pure edits of a scenario dictionary shared by frontiers, sensitivity and robustness,
and what those analyses read from a :class:`PortfolioResult`."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from decision_support.errors import InputError, Problem
from decision_support.portfolio.result import STATUS_FEASIBLE, STATUS_OPTIMAL, PortfolioResult


def budget_total(scenario: Mapping[str, Any]) -> float:
    """Sum of the yearly own budgets."""
    return float(
        sum(float(v) for v in ((scenario.get("budget") or {}).get("by_year") or {}).values())
    )


def scale_budget(scenario: Mapping[str, Any], factor: float) -> dict[str, Any]:
    """A copy with every yearly budget multiplied by ``factor`` (≥ 0)."""
    if factor < 0:
        raise InputError(Problem("a budget factor cannot be negative", field="budget"))
    by_year = (scenario.get("budget") or {}).get("by_year") or {}
    if not by_year:
        raise InputError(
            Problem("the scenario has no yearly budget to scale", field="budget.by_year")
        )
    edited = copy.deepcopy(dict(scenario))
    edited["budget"]["by_year"] = {year: float(v) * factor for year, v in by_year.items()}
    return edited


def set_debt_service_limit(scenario: Mapping[str, Any], limit: float) -> dict[str, Any]:
    """A copy whose fiscal ``max_debt_service_ratio`` is ``limit`` (needs yearly revenue)."""
    if not 0 <= limit <= 1:
        raise InputError(Problem("a debt-service ratio limit must be in [0, 1]", field="fiscal"))
    fiscal = scenario.get("fiscal") or {}
    if not fiscal.get("revenue_by_year"):
        raise InputError(
            Problem(
                "the scenario has no yearly revenue, so a debt-service ratio limit means nothing",
                field="fiscal.revenue_by_year",
            )
        )
    edited = copy.deepcopy(dict(scenario))
    edited["fiscal"]["max_debt_service_ratio"] = float(limit)
    return edited


def fix_portfolio(scenario: Mapping[str, Any], starts: Mapping[str, int]) -> dict[str, Any]:
    """A copy in which exactly the projects in ``starts`` are selected, at those start years.

    Selected projects become mandatory with a one-year start window; every other project
    is excluded. Solving it evaluates that portfolio (funding is still optimised).
    """
    edited = copy.deepcopy(dict(scenario))
    constraints = edited.setdefault("constraints", {})
    ids = [str(p["id"]) for p in edited.get("projects") or []]
    constraints["mandatory"] = [pid for pid in ids if pid in starts]
    constraints["excluded"] = [pid for pid in ids if pid not in starts]
    for project in edited.get("projects") or []:
        if str(project["id"]) in starts:
            project["earliest_start"] = int(starts[str(project["id"])])
            project["latest_start"] = int(starts[str(project["id"])])
    constraints.pop("min_low_cost_projects", None)
    constraints.pop("min_dimension_share", None)
    return edited


def relax_funding(scenario: Mapping[str, Any]) -> dict[str, Any]:
    """A copy whose money never binds: each yearly budget raised by the total capital,
    opex and a margin, and no debt-service limit. Used to evaluate the impact of a fixed
    plan that cannot be funded (impact does not depend on how a plan is paid for)."""
    edited = copy.deepcopy(dict(scenario))
    projects = edited.get("projects") or []
    horizon = int(edited.get("horizon_years") or 1)
    room = sum(float(sum(p.get("capex_profile") or [])) for p in projects) + horizon * sum(
        float(p.get("opex_per_year") or 0.0) for p in projects
    )
    budget = edited.setdefault("budget", {})
    start = int(edited["start_year"])
    by_year = {int(y): float(v) for y, v in (budget.get("by_year") or {}).items()}
    budget["by_year"] = {
        year: by_year.get(year, 0.0) + room + 1.0 for year in range(start, start + horizon)
    }
    fiscal = edited.get("fiscal")
    if isinstance(fiscal, dict):
        fiscal.pop("max_debt_service_ratio", None)
    return edited


def selection(result: PortfolioResult) -> dict[str, int]:
    """Project id → start year of a result's selected projects."""
    return {p.id: p.start_year for p in result.selected}


def has_plan(result: PortfolioResult | None) -> bool:
    """True when a result carries a verified plan (optimal, or feasible with a gap).

    A plan that failed the optimiser's independent plain-Python check does not count.
    """
    if result is None or result.status not in (STATUS_OPTIMAL, STATUS_FEASIBLE):
        return False
    return result.verification is None or result.verification.passed


def impact(result: PortfolioResult) -> float:
    """What the optimiser maximised first (``objective.value``)."""
    return float(result.objective.value) if result.objective is not None else 0.0
