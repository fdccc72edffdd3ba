"""Scenario files: round trip, the demo city, solver fallback, purity of the package."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from decision_support.portfolio import (
    OptimiseOptions,
    dump_scenario,
    load_scenario,
    optimise,
    parse_scenario,
)
from decision_support.portfolio.data import repayment_factors
from decision_support.portfolio.scenario import MechanismSpec

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "scenarios" / "demo_city" / "portfolio.yaml"


def test_demo_scenario_loads_and_round_trips(tmp_path):
    scenario = load_scenario(DEMO)
    assert scenario.currency == "EUR" and scenario.years == (2027, 2028, 2029, 2030, 2031)
    assert len(scenario.projects) >= 25
    path = tmp_path / "again.yaml"
    path.write_text(dump_scenario(scenario), encoding="utf-8")
    assert load_scenario(path) == scenario


def test_cbc_fallback_gives_the_same_optimum(make_scenario):
    scenario = make_scenario(
        [
            {"id": "A", "capex_profile": [60], "value": 5},
            {"id": "B", "capex_profile": [40], "value": 4},
            {"id": "C", "capex_profile": [90], "value": 8},
        ],
        horizon_years=1,
        budget={"by_year": {2027: 100}},
    )
    highs = optimise(scenario, OptimiseOptions(explain=False))
    cbc = optimise(scenario, OptimiseOptions(explain=False, solver="cbc"))
    assert cbc.status == "optimal" and cbc.solver == "CBC"
    assert cbc.objective.value == pytest.approx(highs.objective.value)


def test_annuity_and_linear_repayment_factors():
    annuity = repayment_factors(MechanismSpec("l", "loan", rate=0.05, tenor_years=2))
    # A = r / (1 − (1 + r)^−2) = 0.537805
    assert annuity == pytest.approx((0.0, 0.537805, 0.537805), abs=1e-6)
    linear = repayment_factors(
        MechanismSpec("l", "loan", rate=0.1, tenor_years=3, grace_years=1, style="linear")
    )
    # grace: interest 0.1; then 0.5 principal + 0.1 interest, 0.5 + 0.05
    assert linear == pytest.approx((0.0, 0.1, 0.6, 0.55))
    bullet = repayment_factors(MechanismSpec("b", "bond", rate=0.04, tenor_years=3, style="bullet"))
    assert bullet == pytest.approx((0.0, 0.04, 0.04, 1.04))
    assert repayment_factors(MechanismSpec("g", "grant")) == (0.0,)


def test_tight_and_plain_formulations_agree(make_scenario):
    projects = [
        {"id": f"P{i}", "capex_profile": [10 + i, 5], "value": 3 + (i % 4)} for i in range(8)
    ] + [
        {"id": "Q", "capex_profile": [10, 5], "value": 3},
        {"id": "R", "capex_profile": [10, 5], "value": 3},
    ]
    scenario = make_scenario(projects, budget={"by_year": {2027: 40, 2028: 40, 2029: 40}})
    base = OptimiseOptions(explain=False)
    tight = optimise(scenario, base)
    plain = optimise(scenario, replace(base, formulation="plain", warm_start=False))
    assert tight.status == plain.status == "optimal"
    assert tight.objective.value == pytest.approx(plain.objective.value)


def test_u4ssc_points_for_parsed_json_document():
    doc = {
        "start_year": 2027,
        "horizon_years": 1,
        "budget": {"by_year": {"2027": 100}},
        "objective": {"mode": "u4ssc_points"},
        "kpis": [{"code": "EC:ICT:WS:1C", "baseline": 20, "target": 60}],
        "projects": [{"id": "M", "capex_profile": [100], "impacts": {"EC:ICT:WS:1C": 40}}],
    }
    result = optimise(parse_scenario(doc), OptimiseOptions(explain=False))
    # 20 of a 60 % target is 33.3 % (band 2); 60 is 100 % (band 4, 3 points above the floor)
    assert result.objective.u4ssc_points == pytest.approx(3)
    assert result.u4ssc_score == pytest.approx({"before": 50.0, "after": 100.0})


def test_savings_that_fund_other_projects_survive_the_tight_formulation(make_scenario):
    # S saves 100 a year from 2028; that is what pays for B and C in 2029.
    projects = [
        {
            "id": "S",
            "capex_profile": [50],
            "savings_per_year": 100,
            "value": 1,
            "latest_start": 2027,
        },
        {"id": "B", "capex_profile": [80], "value": 5, "earliest_start": 2029},
        {"id": "C", "capex_profile": [80], "value": 5, "earliest_start": 2029},
    ]
    scenario = make_scenario(projects, budget={"by_year": {2027: 50, 2028: 0, 2029: 60}})
    base = OptimiseOptions(explain=False)
    tight = optimise(scenario, base)
    plain = optimise(scenario, replace(base, formulation="plain", warm_start=False))
    assert sorted(tight.selected_ids) == sorted(plain.selected_ids) == ["B", "C", "S"]
