"""Budget frontier on a knapsack whose optimum at every budget is known by hand."""

from __future__ import annotations

from typing import Any

import pytest

from decision_support.errors import InputError
from decision_support.portfolio.result import ResultFormatError
from scenarios.frontier import budget_factors, frontier
from scenarios.solving import solve_scenario

# budget → best value: 20 → P4 (3); 50 → P2+P4 (11); 70 → P1+P2 (18); 90 → P1+P2+P4 (21);
# 120 → P1+P2+P3 (27); 140 → all (30)
EXPECTED = [3.0, 11.0, 18.0, 21.0, 27.0, 30.0]
FACTORS = [0.2, 0.5, 0.7, 0.9, 1.2, 1.4]


def test_frontier_matches_hand_optimum_is_monotone_and_marks_the_knee(knapsack):
    result = frontier(knapsack, "budget", FACTORS, workers=1)
    assert [p["impact"] for p in result["points"]] == pytest.approx(EXPECTED)
    assert [p["x"] for p in result["points"]] == pytest.approx([20, 50, 70, 90, 120, 140])
    assert result["monotone"] is True and result["repaired_points"] == []
    # normalised distances above the chord: .046, .139, .083, .056 → knee at budget 70
    assert result["knee_index"] == 2 and result["points"][2]["knee"] is True
    # slopes .267, .35, .15, .2, .15: only after budget 70 does the gain fall below half
    assert result["marginal_gain_drops"] == [2]
    assert {p["id"] for p in result["points"][2]["selected"]} == {"P1", "P2"}


def degraded_solve(scenario: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The real solver, but at budget 90 it 'misses' P1 as a solver stopped early might."""
    budget = float(next(iter(scenario["budget"]["by_year"].values())))
    if budget == pytest.approx(90.0) and not scenario.get("constraints", {}).get("mandatory"):
        scenario = {**scenario, "constraints": {"excluded": ["P1"]}}
    return solve_scenario(scenario, options)


def test_a_weaker_point_is_repaired_from_the_lower_plan(knapsack):
    result = frontier(knapsack, "budget", [0.5, 0.7, 0.9], solve=degraded_solve, workers=1)
    point = result["points"][2]
    # the degraded solve gives P2+P3 = 17 < 18 at budget 70; the 70 plan is re-solved at 90
    assert point["repaired_from"] == 1
    assert point["impact"] == pytest.approx(18.0)
    assert {p["id"] for p in point["selected"]} == {"P1", "P2"}
    assert result["monotone"] is True and result["repaired_points"] == [2]


def test_debt_service_axis_needs_revenue(knapsack):
    with pytest.raises(InputError, match="revenue"):
        frontier(knapsack, "debt_service_ratio", [0.05, 0.1], workers=1)


def test_budget_levels_as_factors_or_totals(knapsack):
    assert budget_factors(knapsack, "0.5:1.5:3") == pytest.approx([0.5, 1.0, 1.5])
    assert budget_factors(knapsack, "50:150:3") == pytest.approx([0.5, 1.0, 1.5])
    with pytest.raises(InputError):
        budget_factors(knapsack, "1.5:0.5:3")
    with pytest.raises(InputError):
        budget_factors(knapsack, "0.5:1.5")


def test_a_result_not_in_the_optimiser_shape_is_a_domain_error(knapsack):
    def renamed(scenario: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        result = solve_scenario(scenario, options)
        result["state"] = result.pop("status")
        return result

    with pytest.raises(ResultFormatError) as caught:
        frontier(knapsack, "budget", [0.5, 1.0], solve=renamed, workers=1)
    assert caught.value.problems[0].field == "status"
