"""Sensitivity of the recommended portfolio to weights and interest rates.

One re-solve per variant, all in parallel:

* each U4SSC dimension weight multiplied by each factor (default ½ and 2; an absent
  dimension weight counts as 1);
* optionally each KPI weight multiplied by each factor;
* every interest-bearing mechanism's rate shifted by each number of percentage points
  (default −1, +1, +2; the ``rates.shift_points`` override).

For each variant: the impact, and the projects that enter, leave or move compared with
the nominal plan; ``stable`` is true when the plan (ids and start years) is unchanged.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from decision_support.errors import InputError, Problem
from decision_support.kpis.catalogue import load_catalogue
from scenarios.overrides import apply_overrides
from scenarios.portfolio_edits import has_plan, impact, selection
from scenarios.runner import (
    CancelCheck,
    ProgressCallback,
    SolveExecutor,
    SolveFunction,
    SolveTask,
    analysis_budget,
    deadline_cancel,
    default_solve,
    solve_limit,
    solve_many,
)

logger = logging.getLogger(__name__)


def _dimensions(scenario: Mapping[str, Any]) -> list[str]:
    catalogue = load_catalogue()
    found = set((scenario.get("objective") or {}).get("dimension_weights") or {})
    for kpi in scenario.get("kpis") or []:
        entry = catalogue.find(str(kpi.get("code")))
        if entry is not None:
            found.add(entry.dimension)
    return sorted(found)


def _with_dimension_weight(
    scenario: Mapping[str, Any], dimension: str, factor: float
) -> dict[str, Any]:
    edited = copy.deepcopy(dict(scenario))
    objective = edited.setdefault("objective", {})
    weights = dict(objective.get("dimension_weights") or {})
    weights[dimension] = float(weights.get(dimension, 1.0)) * factor
    objective["dimension_weights"] = weights
    return edited


def _with_kpi_weight(scenario: Mapping[str, Any], index: int, factor: float) -> dict[str, Any]:
    edited = copy.deepcopy(dict(scenario))
    kpi = edited["kpis"][index]
    kpi["weight"] = float(kpi.get("weight", 1.0)) * factor
    return edited


def _kpi_label(kpi: Mapping[str, Any]) -> str:
    return f"{kpi['code']} [{kpi['data_point']}]" if kpi.get("data_point") else str(kpi["code"])


def _variants(
    scenario: Mapping[str, Any],
    factors: Sequence[float],
    rate_shifts: Sequence[float],
    include_kpis: bool,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(description, edited scenario) of every variant the analysis solves."""
    variants: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for dimension in _dimensions(scenario):
        for factor in factors:
            variants.append(
                (
                    {"kind": "dimension_weight", "target": dimension, "factor": factor},
                    _with_dimension_weight(scenario, dimension, factor),
                )
            )
    if include_kpis:
        for index, kpi in enumerate(scenario.get("kpis") or []):
            for factor in factors:
                variants.append(
                    (
                        {"kind": "kpi_weight", "target": _kpi_label(kpi), "factor": factor},
                        _with_kpi_weight(scenario, index, factor),
                    )
                )
    if any(float(m.get("rate") or 0) > 0 for m in scenario.get("mechanisms") or []):
        for shift in rate_shifts:
            variants.append(
                (
                    {
                        "kind": "rate_shift",
                        "target": "all interest-bearing mechanisms",
                        "points": shift,
                    },
                    apply_overrides(scenario, {"rates": {"shift_points": shift}}),
                )
            )
    return variants


def sensitivity_budget(
    scenario: Mapping[str, Any],
    options: Mapping[str, Any] | None = None,
    *,
    factors: Sequence[float] = (0.5, 2.0),
    rate_shifts: Sequence[float] = (-1.0, 1.0, 2.0),
    include_kpis: bool = False,
) -> dict[str, Any]:
    """Time budget of :func:`sensitivity` with these arguments: the nominal solve and one
    per variant, at the options' per-solve limit."""
    variants = _variants(scenario, factors, rate_shifts, include_kpis)
    return analysis_budget(1 + len(variants), solve_limit(options or {}))


def sensitivity(
    scenario: Mapping[str, Any],
    options: Mapping[str, Any] | None = None,
    *,
    factors: Sequence[float] = (0.5, 2.0),
    rate_shifts: Sequence[float] = (-1.0, 1.0, 2.0),
    include_kpis: bool = False,
    solve: SolveFunction = default_solve,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    executor: SolveExecutor | None = None,
) -> dict[str, Any]:
    """Re-solve ``scenario`` under weight and rate variants; report which projects change."""
    if any(f < 0 for f in factors):
        raise InputError(Problem("weight factors cannot be negative", field="factors"))
    options = dict(options or {})
    options["time_limit"] = solve_limit(options)
    variants = _variants(scenario, factors, rate_shifts, include_kpis)
    tasks = [SolveTask("nominal", dict(scenario), options)] + [
        SolveTask(f"variant-{i}", edited, options) for i, (_, edited) in enumerate(variants)
    ]
    budget = analysis_budget(len(tasks), solve_limit(options))
    logger.info("sensitivity of %d variants: time budget %s", len(variants), budget)
    outcomes = solve_many(
        tasks,
        solve=solve,
        workers=workers,
        progress=progress,
        cancel=deadline_cancel(budget, cancel),
        executor=executor,
    )
    nominal = outcomes[0].portfolio
    if nominal is None or not has_plan(nominal):
        raise InputError(Problem("the nominal scenario has no feasible plan", field="scenario"))
    base = selection(nominal)
    rows = []
    for (description, _), outcome in zip(variants, outcomes[1:], strict=True):
        result = outcome.portfolio
        row: dict[str, Any] = {
            **description,
            "status": result.status if result is not None else outcome.status,
        }
        if result is not None and has_plan(result):
            plan = selection(result)
            row.update(
                impact=impact(result),
                entered=sorted(set(plan) - set(base)),
                left=sorted(set(base) - set(plan)),
                moved=[
                    {"id": pid, "from": base[pid], "to": plan[pid]}
                    for pid in sorted(set(plan) & set(base))
                    if plan[pid] != base[pid]
                ],
            )
            row["stable"] = not (row["entered"] or row["left"] or row["moved"])
        rows.append(row)
    changed: dict[str, int] = {}
    for row in rows:
        for pid in row.get("entered", []) + row.get("left", []):
            changed[pid] = changed.get(pid, 0) + 1
    return {
        "scenario_name": scenario.get("name"),
        "nominal": {
            "impact": impact(nominal),
            "selected": [{"id": pid, "start_year": y} for pid, y in sorted(base.items())],
        },
        "variants": rows,
        "time_budget": budget,
        "projects_changing": dict(sorted(changed.items(), key=lambda kv: (-kv[1], kv[0]))),
        "stable_share": (
            sum(1 for r in rows if r.get("stable")) / sum(1 for r in rows if "stable" in r)
            if any("stable" in r for r in rows)
            else None
        ),
    }
