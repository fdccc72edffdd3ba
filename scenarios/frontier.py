"""Frontiers: the best achievable impact as one resource is varied.

Axes:

* ``budget``: every yearly own budget multiplied by a factor (``1.0`` = the scenario's
  budget); the point's ``x`` is the total budget over the horizon.
* ``debt_service_ratio``: the fiscal ``max_debt_service_ratio`` set to each value.

Each point is solved independently (in parallel), by default without the optimiser's
second, financing-cost solve (``lexicographic: false``; pass ``lexicographic: true`` in
the options to have each point's funding cost minimised too: slower). Both axes only
*relax* constraints as the value grows, so the best impact can never fall. The solver
can still return less (a time limit with a gap): the frontier is then **repaired**: the
plan of a lower point is fixed (:func:`scenarios.portfolio_edits.fix_portfolio`) and
re-solved at the higher point; that verified plan, with its better impact, replaces the
weaker one and the point records ``repaired_from``. A frontier is reported ``monotone``
only after this check. Knees follow :mod:`scenarios.knees`.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from decision_support.errors import InputError, Problem
from scenarios.city_cost import npv_cost_to_city
from scenarios.knees import find_knees
from scenarios.portfolio_edits import (
    budget_total,
    fix_portfolio,
    has_plan,
    impact,
    scale_budget,
    set_debt_service_limit,
)
from scenarios.runner import (
    CancelCheck,
    ProgressCallback,
    SolveExecutor,
    SolveFunction,
    SolveOutcome,
    SolveTask,
    analysis_budget,
    deadline_cancel,
    default_solve,
    solve_limit,
    solve_many,
    worker_pool,
)

logger = logging.getLogger(__name__)

IMPACT_TOLERANCE = 1e-6
FACTOR_LIMIT = 10.0


@dataclass(frozen=True)
class Axis:
    """A frontier axis: how a value edits the scenario and how it is labelled."""

    name: str
    label: str
    apply: Callable[[Mapping[str, Any], float], dict[str, Any]]


AXES: dict[str, Axis] = {
    "budget": Axis("budget", "Budget (factor of the scenario's yearly budgets)", scale_budget),
    "debt_service_ratio": Axis(
        "debt_service_ratio", "Maximum debt-service ratio", set_debt_service_limit
    ),
}


def parse_range(text: str, field: str = "range") -> tuple[float, float, int]:
    """Parse ``FROM:TO:STEPS`` (STEPS ≥ 2 points, FROM < TO)."""
    parts = text.split(":")
    try:
        low, high, steps = float(parts[0]), float(parts[1]), int(parts[2])
        if len(parts) != 3:
            raise ValueError
    except (ValueError, IndexError) as exc:
        raise InputError(Problem(f"'{text}' is not FROM:TO:STEPS", field=field)) from exc
    if steps < 2 or low < 0 or high <= low:
        raise InputError(Problem(f"'{text}' needs 0 <= FROM < TO and STEPS >= 2", field=field))
    return low, high, steps


def linspace(low: float, high: float, steps: int) -> list[float]:
    """``steps`` evenly spaced values from ``low`` to ``high`` inclusive."""
    return [low + (high - low) * i / (steps - 1) for i in range(steps)]


def budget_factors(scenario: Mapping[str, Any], text: str) -> list[float]:
    """Budget factors from ``FROM:TO:STEPS``.

    FROM and TO up to 10 are factors of the scenario's budget (``0.5:1.5:11``); larger
    values are absolute totals over the horizon in the scenario's currency
    (``20e6:60e6:11``), turned into factors of the scenario's total budget.
    """
    low, high, steps = parse_range(text, "budgets")
    if high <= FACTOR_LIMIT:
        return linspace(low, high, steps)
    total = budget_total(scenario)
    if total <= 0:
        raise InputError(Problem("the scenario has no budget to scale", field="budget.by_year"))
    return [value / total for value in linspace(low, high, steps)]


def _point(
    axis: Axis, value: float, scenario: Mapping[str, Any], outcome: SolveOutcome
) -> dict[str, Any]:
    result = outcome.portfolio
    planned = result if has_plan(result) else None
    point: dict[str, Any] = {
        "axis_value": value,
        "x": budget_total(scenario) if axis.name == "budget" else value,
        "status": result.status if result is not None else outcome.status,
        "error": outcome.error,
        "proven_optimal": result.proven_optimal if result is not None else None,
        "mip_gap": result.mip_gap if result is not None else None,
        "impact": impact(planned) if planned is not None else None,
        "financing_cost": (
            result.objective.financing_cost
            if result is not None and result.objective is not None
            else None
        ),
        "selected": [{"id": p.id, "start_year": p.start_year} for p in planned.selected]
        if planned is not None
        else [],
        "total_capex": sum(float(p.capex_total) for p in planned.selected)
        if planned is not None
        else None,
        "npv_cost": npv_cost_to_city(scenario, planned) if planned is not None else None,
        "u4ssc_score_after": result.u4ssc_score.get("after") if result is not None else None,
        "diagnosis": (
            result.diagnosis.summary
            if result is not None and result.diagnosis is not None
            else None
        ),
        "repaired_from": None,
        "seconds": round(outcome.seconds, 4),
    }
    return point


def frontier(
    scenario: Mapping[str, Any],
    axis_name: str,
    values: Sequence[float],
    options: Mapping[str, Any] | None = None,
    *,
    solve: SolveFunction = default_solve,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    executor: SolveExecutor | None = None,
) -> dict[str, Any]:
    """Solve ``scenario`` at each axis value and return the (repaired) frontier with knees."""
    if axis_name not in AXES:
        raise InputError(
            Problem(f"unknown axis '{axis_name}' (choose {', '.join(AXES)})", field="axis")
        )
    if len(values) < 2:
        raise InputError(Problem("a frontier needs at least two points", field="values"))
    axis = AXES[axis_name]
    values = sorted(values)
    scenarios = [axis.apply(scenario, value) for value in values]
    # The frontier is about impact; the second (financing-cost) solve is opt-in.
    options = {"lexicographic": False, **(options or {})}
    options["time_limit"] = solve_limit(options)
    budget = frontier_budget(len(values), options)
    logger.info("frontier of %d points: time budget %s", len(values), budget)
    cancel = deadline_cancel(budget, cancel)
    tasks = [
        SolveTask(f"{axis.name}={v:g}", s, options) for v, s in zip(values, scenarios, strict=True)
    ]
    with worker_pool(workers) as pool:
        outcomes = solve_many(
            tasks,
            solve=solve,
            workers=workers,
            progress=progress,
            cancel=cancel,
            pool=pool,
            executor=executor,
        )
        points = [
            _point(axis, v, s, o) for v, s, o in zip(values, scenarios, outcomes, strict=True)
        ]
        _repair(
            axis,
            values,
            scenarios,
            points,
            options,
            solve=solve,
            workers=workers,
            pool=pool,
            cancel=cancel,
            executor=executor,
        )
    feasible = [i for i, p in enumerate(points) if p["impact"] is not None]
    monotone = all(
        points[b]["impact"] >= points[a]["impact"] - IMPACT_TOLERANCE
        for a, b in itertools.pairwise(feasible)
    )
    xs = [float(points[i]["x"]) for i in feasible]
    ys = [float(points[i]["impact"]) for i in feasible]
    knees = find_knees(xs, ys)
    for i in feasible:
        points[i]["knee"] = False
        points[i]["marginal_gain_drop"] = False
    if knees.main is not None:
        points[feasible[knees.main]]["knee"] = True
    for k in knees.drops:
        points[feasible[k]]["marginal_gain_drop"] = True
    for a, b in itertools.pairwise(feasible):
        dx = float(points[b]["x"]) - float(points[a]["x"])
        points[b]["marginal_impact"] = (
            (points[b]["impact"] - points[a]["impact"]) / dx if dx else None
        )
    return {
        "axis": axis.name,
        "axis_label": axis.label,
        "scenario_name": scenario.get("name"),
        "currency": scenario.get("currency", "EUR"),
        "base_budget_total": budget_total(scenario),
        "points": points,
        "monotone": monotone,
        "repaired_points": [i for i, p in enumerate(points) if p["repaired_from"] is not None],
        "knee_index": feasible[knees.main] if knees.main is not None else None,
        "marginal_gain_drops": [feasible[k] for k in knees.drops],
        "cancelled": any(o.status == "cancelled" for o in outcomes),
        "financing_minimised": bool(options["lexicographic"]),
        "time_budget": budget,
    }


def frontier_budget(points: int, options: Mapping[str, Any]) -> dict[str, Any]:
    """Time budget of a frontier: its points plus at most one repair per later point."""
    return analysis_budget(2 * points - 1, solve_limit(options))


def _repair(
    axis: Axis,
    values: Sequence[float],
    scenarios: Sequence[dict[str, Any]],
    points: list[dict[str, Any]],
    options: dict[str, Any],
    *,
    solve: SolveFunction,
    workers: int | None,
    pool: ProcessPoolExecutor,
    cancel: CancelCheck | None,
    executor: SolveExecutor | None,
) -> None:
    """Re-solve each weaker point with the better lower plan fixed; keep it if better."""
    repairs = _repairs(points)
    if not repairs:
        return
    repair_tasks = [
        SolveTask(
            f"repair {axis.name}={values[i]:g}",
            fix_portfolio(scenarios[i], {p["id"]: p["start_year"] for p in points[j]["selected"]}),
            options,
        )
        for i, j in repairs
    ]
    repaired = solve_many(
        repair_tasks, solve=solve, workers=workers, cancel=cancel, pool=pool, executor=executor
    )
    for (i, j), outcome in zip(repairs, repaired, strict=True):
        result = outcome.portfolio
        if (
            result is not None
            and has_plan(result)
            and impact(result) > (points[i]["impact"] or float("-inf"))
        ):
            replacement = _point(axis, values[i], scenarios[i], outcome)
            replacement["repaired_from"] = j
            replacement["solver_status"] = points[i]["status"]
            points[i] = replacement


def _repairs(points: Sequence[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """(weaker point, better lower point) pairs where impact fell as the axis grew."""
    pairs = []
    best_index: int | None = None
    for i, point in enumerate(points):
        if point["status"] == "cancelled":
            continue
        if best_index is not None:
            best = points[best_index]["impact"]
            here = point["impact"]
            if here is None or here < best - IMPACT_TOLERANCE:
                pairs.append((i, best_index))
                continue
        if point["impact"] is not None and (
            best_index is None or point["impact"] >= points[best_index]["impact"]
        ):
            best_index = i
    return pairs
