"""Sensitivity: which projects change when a dimension weight or the rates move."""

from __future__ import annotations

import pytest

from scenarios.frontier import frontier
from scenarios.sensitivity import sensitivity

# One year of budget for one of two projects: E closes half of an Environment gap,
# W 60 % of an Economy gap. With equal weights the optimiser prefers E (33.3 vs 30).
TWO_DIMENSIONS = {
    "name": "Two dimensions",
    "start_year": 2027,
    "horizon_years": 2,
    "budget": {"by_year": {2027: 50.0, 2028: 0.0}},
    "kpis": [
        {"code": "EN: E: E: 1C", "baseline": 10.0, "target": 30.0},
        {"code": "EC: I: WS: 3C", "baseline": 30.0, "target": 15.0},
    ],
    "projects": [
        {"id": "E", "capex_profile": [50.0], "impacts": {"EN: E: E: 1C": 10.0}},
        {"id": "W", "capex_profile": [50.0], "impacts": {"EC: I: WS: 3C": -9.0}},
    ],
    "mechanisms": [
        {"id": "loan", "type": "loan", "rate": 0.04, "tenor_years": 5, "capacity_total": 0.0}
    ],
}


def test_dimension_weights_flip_the_choice_and_rates_do_not():
    result = sensitivity(TWO_DIMENSIONS, workers=1)
    assert [p["id"] for p in result["nominal"]["selected"]] == ["E"]
    rows = {
        (r["kind"], r["target"], r.get("factor", r.get("points"))): r for r in result["variants"]
    }
    flip = rows[("dimension_weight", "Economy", 2.0)]
    assert (flip["entered"], flip["left"], flip["stable"]) == (["W"], ["E"], False)
    assert rows[("dimension_weight", "Environment", 0.5)]["entered"] == ["W"]
    assert rows[("dimension_weight", "Environment", 2.0)]["stable"] is True
    # the objective scales with the weight of the dimension the chosen project serves
    nominal = result["nominal"]["impact"]
    assert rows[("dimension_weight", "Environment", 2.0)]["impact"] == pytest.approx(2 * nominal)
    w_alone = rows[("dimension_weight", "Environment", 0.5)]["impact"]
    assert flip["impact"] == pytest.approx(2 * w_alone)
    assert all(r["stable"] for key, r in rows.items() if key[0] == "rate_shift")
    assert result["projects_changing"] == {"E": 2, "W": 2}


def test_debt_service_frontier_rises_with_the_limit(make_scenario):
    # no grant, 40 a year of own budget: B (120) needs the loan, whose debt service
    # (about 12 a year on 100) only fits once the limit leaves room above the existing 10
    scenario = make_scenario(
        budget={"by_year": {2027: 40.0, 2028: 40.0, 2029: 40.0}},
        constraints={"mandatory": [], "excluded": []},
    )
    scenario["mechanisms"] = [scenario["mechanisms"][0]]
    result = frontier(scenario, "debt_service_ratio", [0.011, 0.015, 0.03], workers=1)
    assert result["monotone"] is True
    assert [p["x"] for p in result["points"]] == [0.011, 0.015, 0.03]
    impacts = [p["impact"] for p in result["points"]]
    assert impacts[0] == pytest.approx(0.0)
    assert impacts[1] == pytest.approx(impacts[2]) and impacts[1] > 0
    assert [p["id"] for p in result["points"][1]["selected"]] == ["B"]
