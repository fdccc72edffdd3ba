"""Frontier, sensitivity and robustness runs state a total time budget and keep to it.

No timing: the budgets are arithmetic, and the deadline is checked with a fake clock.
"""

from __future__ import annotations

from typing import Any

from scenarios.frontier import frontier, frontier_budget
from scenarios.robustness import robustness_budget
from scenarios.runner import (
    ANALYSIS_SOLVE_LIMIT,
    OVERRUN,
    SolveTask,
    analysis_budget,
    deadline_cancel,
    solve_many,
)
from scenarios.sensitivity import sensitivity_budget
from scenarios.uncertainty import UncertaintySpec

TINY: dict[str, Any] = {
    "name": "tiny",
    "start_year": 2027,
    "horizon_years": 1,
    "budget": {"by_year": {"2027": 100}},
    "objective": {"mode": "value"},
    "projects": [
        {"id": "A", "capex_profile": [60], "value": 6},
        {"id": "B", "capex_profile": [40], "value": 4},
    ],
}


def test_analysis_budget_is_solves_times_limit_times_overrun():
    assert analysis_budget(4, 10.0) == {
        "solves": 4,
        "per_solve_seconds": 10.0,
        "total_seconds": 4 * 10.0 * OVERRUN,
    }
    assert frontier_budget(3, {"time_limit": 5})["solves"] == 5  # 3 points + 2 repairs
    assert frontier_budget(3, {})["per_solve_seconds"] == ANALYSIS_SOLVE_LIMIT


def test_robustness_budget_counts_three_solves_per_sample():
    spec = UncertaintySpec(samples=4, seed=1, sample_time_limit=2.0)
    budget = robustness_budget(spec, {"time_limit": 6})
    assert budget["solves"] == 13
    assert budget["total_seconds"] == (6 + 12 * 2.0) * OVERRUN


def test_sensitivity_budget_counts_its_variants():
    budget = sensitivity_budget(TINY, {"time_limit": 3})
    assert budget["solves"] >= 1 and budget["per_solve_seconds"] == 3


def test_deadline_cancels_the_solves_not_started_in_time():
    now = [0.0]
    check = deadline_cancel({"total_seconds": 5.0}, clock=lambda: now[0])
    seen = []

    def solve(scenario: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        seen.append(scenario["name"])
        now[0] += 3.0  # each solve takes 3 s on the fake clock
        return {"status": "optimal"}

    tasks = [SolveTask(str(i), {"name": str(i)}, {}) for i in range(4)]
    outcomes = solve_many(tasks, solve=solve, workers=1, cancel=check)
    assert [o.status for o in outcomes] == ["done", "done", "cancelled", "cancelled"]
    assert seen == ["0", "1"]


def test_frontier_result_carries_its_budget_and_hands_each_solve_the_limit():
    limits = []

    def solve(scenario: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        from scenarios.solving import solve_scenario

        limits.append(options["time_limit"])
        return solve_scenario(scenario, options)

    result = frontier(TINY, "budget", [0.5, 1.0], {"time_limit": 4}, solve=solve, workers=1)
    assert result["time_budget"] == frontier_budget(2, {"time_limit": 4})
    assert limits and set(limits) == {4}


def test_scenario_runs_have_a_budget_too():
    from decision_support.portfolio import OptimiseOptions
    from scenarios.runner import RUN_SOLVE_LIMIT, run_budget

    assert OptimiseOptions().time_limit == RUN_SOLVE_LIMIT
    assert run_budget(3, {"time_limit": 8})["total_seconds"] == 3 * 8 * OVERRUN
    assert run_budget(2, {})["per_solve_seconds"] == RUN_SOLVE_LIMIT
