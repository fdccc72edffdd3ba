"""Tiny portfolios, one per constraint family, with optima worked out by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from decision_support.portfolio import optimise
from decision_support.portfolio.data import prepare_model_data
from decision_support.portfolio.plan import Plan
from decision_support.portfolio.verify import verify_plan


def _ids(result):
    assert result.status == "optimal"
    assert result.verification is not None and result.verification.passed
    return sorted(result.selected_ids)


def test_budget_knapsack_picks_best_pair(make_scenario, fast):
    # one year, budget 100: A+B (60+40, value 9) beats C (90, value 8) and A alone.
    scenario = make_scenario(
        [
            {"id": "A", "capex_profile": [60], "value": 5},
            {"id": "B", "capex_profile": [40], "value": 4},
            {"id": "C", "capex_profile": [90], "value": 8},
        ],
        horizon_years=1,
        budget={"by_year": {2027: 100}},
    )
    result = optimise(scenario, fast)
    assert _ids(result) == ["A", "B"]
    assert result.objective.value == pytest.approx(9)


def test_start_windows_spread_projects_over_years(make_scenario, fast):
    # each year fits one project of 100; windows force A in 2027, B in 2027-2028.
    scenario = make_scenario(
        [
            {"id": "A", "capex_profile": [100], "value": 3, "latest_start": 2027},
            {"id": "B", "capex_profile": [100], "value": 2, "latest_start": 2028},
            {"id": "C", "capex_profile": [100], "value": 1, "earliest_start": 2029},
        ]
    )
    result = optimise(scenario, fast)
    starts = {p.id: p.start_year for p in result.selected}
    assert starts == {"A": 2027, "B": 2028, "C": 2029}


def test_profile_must_fit_in_horizon(make_scenario, fast):
    scenario = make_scenario(
        [{"id": "A", "capex_profile": [10, 10, 10], "value": 1, "earliest_start": 2028}]
    )
    result = optimise(scenario, fast)
    assert result.selected == []
    assert any("cannot be scheduled" in w for w in result.warnings)


def test_carry_over_lets_a_big_project_wait(make_scenario, fast):
    projects = [{"id": "BIG", "capex_profile": [150], "value": 10}]
    without = optimise(make_scenario(projects), fast)
    assert without.selected == []
    with_carry = optimise(
        make_scenario(projects, budget={"by_year": {2027: 100, 2028: 100}, "carry_over": True}),
        fast,
    )
    assert [(p.id, p.start_year) for p in with_carry.selected] == [("BIG", 2028)]


def test_opex_and_savings_use_the_budget(make_scenario, fast):
    # A saves 50 a year from 2028, which pays for B in 2028.
    scenario = make_scenario(
        [
            {
                "id": "A",
                "capex_profile": [100],
                "savings_per_year": 50,
                "value": 1,
                "latest_start": 2027,
            },
            {
                "id": "B",
                "capex_profile": [150],
                "value": 5,
                "earliest_start": 2028,
                "latest_start": 2028,
            },
        ]
    )
    assert _ids(optimise(scenario, fast)) == ["A", "B"]


def test_mandatory_and_excluded(make_scenario, fast):
    projects = [
        {"id": "A", "capex_profile": [100], "value": 1},
        {"id": "B", "capex_profile": [100], "value": 9},
    ]
    scenario = make_scenario(
        projects,
        horizon_years=1,
        budget={"by_year": {2027: 100}},
        constraints={"mandatory": ["A"]},
    )
    assert _ids(optimise(scenario, fast)) == ["A"]
    scenario = make_scenario(
        projects, horizon_years=1, budget={"by_year": {2027: 200}}, constraints={"excluded": ["B"]}
    )
    assert _ids(optimise(scenario, fast)) == ["A"]


def test_prerequisite_starts_no_earlier_and_exclusions(make_scenario, fast):
    scenario = make_scenario(
        [
            {"id": "BASE", "capex_profile": [100], "value": 0.5, "earliest_start": 2028},
            {"id": "APP", "capex_profile": [50], "value": 5, "requires": ["BASE"]},
            {"id": "ALT", "capex_profile": [50], "value": 4, "excludes": ["APP"]},
        ]
    )
    result = optimise(scenario, fast)
    starts = {p.id: p.start_year for p in result.selected}
    assert set(starts) == {"BASE", "APP"}
    assert starts["APP"] >= starts["BASE"]


def test_min_low_cost_projects(make_scenario, fast):
    scenario = make_scenario(
        [
            {"id": "BIG", "capex_profile": [100], "value": 10},
            {"id": "S1", "capex_profile": [50], "value": 1, "low_cost": True},
            {"id": "S2", "capex_profile": [50], "value": 1, "low_cost": True},
        ],
        horizon_years=1,
        budget={"by_year": {2027: 100}},
        constraints={"min_low_cost_projects": 2},
    )
    assert _ids(optimise(scenario, fast)) == ["S1", "S2"]


def test_max_tenders_per_year_with_lead_time(make_scenario, fast):
    # 400-day procurement: a 2028 start is tendered in 2027; one tender per year.
    projects = [
        {
            "id": p,
            "capex_profile": [10],
            "value": v,
            "procurement": {"category": "works", "lead_time_days": 400},
        }
        for p, v in (("A", 3), ("B", 2), ("C", 1))
    ]
    result = optimise(make_scenario(projects, constraints={"max_tenders_per_year": 1}), fast)
    plan = {
        i.project_id: (i.tender_launch_year, i.contract_start_year) for i in result.procurement_plan
    }
    assert plan == {"A": (2027, 2028), "B": (2028, 2029)}


def test_lead_time_callable_sets_earliest_start(make_scenario, fast):
    from decision_support.portfolio import OptimiseOptions

    projects = [
        {"id": "A", "capex_profile": [10], "value": 1, "procurement": {"category": "works"}}
    ]
    options = replace(fast, lead_time_days=lambda spec: 800 if spec.category == "works" else 0)
    result = optimise(make_scenario(projects), options)
    assert result.selected[0].start_year == 2029
    assert isinstance(options, OptimiseOptions)


def test_grant_with_cofinancing_and_cheapest_funding(make_scenario, fast):
    # The grant may pay 80 % but needs 20 % own match: of 100, grant 80, own 20.
    scenario = make_scenario(
        [{"id": "A", "capex_profile": [100], "value": 1}],
        horizon_years=1,
        budget={"by_year": {2027: 30}},
        mechanisms=[{"id": "eu", "type": "grant", "cofinancing_share": 0.2}],
    )
    result = optimise(scenario, fast)
    assert result.selected[0].funding == pytest.approx({"eu": 80.0, "own_budget": 20.0})


def test_eligibility_tags_and_max_share(make_scenario, fast):
    scenario = make_scenario(
        [
            {"id": "G", "capex_profile": [100], "value": 1, "tags": ["green"]},
            {"id": "R", "capex_profile": [100], "value": 1},
        ],
        horizon_years=1,
        budget={"by_year": {2027: 150}},
        mechanisms=[{"id": "gg", "type": "grant", "max_share": 0.5, "eligible_tags": ["green"]}],
    )
    result = optimise(scenario, fast)
    funding = {p.id: p.funding for p in result.selected}
    assert funding["G"] == pytest.approx({"gg": 50.0, "own_budget": 50.0})
    assert funding["R"] == pytest.approx({"own_budget": 100.0})


def test_loan_debt_service_and_ratio_limit(make_scenario, fast):
    # Zero-rate 2-year loan: 100 drawn in 2027 costs 50 in 2028 and 2029.
    projects = [
        {"id": "A", "capex_profile": [100], "value": 5, "latest_start": 2027},
        {
            "id": "B",
            "capex_profile": [50],
            "value": 1,
            "earliest_start": 2028,
            "latest_start": 2028,
        },
    ]
    loan = {"id": "loan", "type": "loan", "rate": 0.0, "tenor_years": 2, "counts_as_debt": True}
    scenario = make_scenario(
        projects,
        budget={"by_year": {2027: 0, 2028: 100, 2029: 100}},
        mechanisms=[loan],
    )
    result = optimise(scenario, fast)
    assert _ids(result) == ["A", "B"]
    flows = {row.year: row for row in result.cash_flow}
    assert flows[2028].debt_service == pytest.approx(50)
    # a 10 % limit on revenue 400 allows 40 of debt service: the loan no longer fits
    limited = make_scenario(
        projects,
        budget={"by_year": {2027: 0, 2028: 100, 2029: 100}},
        mechanisms=[loan],
        fiscal={
            "revenue_by_year": {2027: 400, 2028: 400, 2029: 400},
            "max_debt_service_ratio": 0.1,
        },
    )
    assert _ids(optimise(limited, fast)) == ["B"]


def test_minimum_deal_size(make_scenario, fast):
    scenario = make_scenario(
        [{"id": "A", "capex_profile": [100], "value": 1}],
        horizon_years=1,
        budget={"by_year": {2027: 100}},
        mechanisms=[
            {"id": "bond", "type": "bond", "rate": -0.1, "tenor_years": 5, "min_amount": 150}
        ],
    )
    result = optimise(scenario, fast)
    assert result.selected[0].funding == {"own_budget": 100.0}


def test_capacity_per_year(make_scenario, fast):
    scenario = make_scenario(
        [{"id": "A", "capex_profile": [100], "value": 1}],
        horizon_years=1,
        budget={"by_year": {2027: 100}},
        mechanisms=[{"id": "g", "type": "grant", "capacity_by_year": {2027: 30}}],
    )
    result = optimise(scenario, fast)
    assert result.selected[0].funding == pytest.approx({"g": 30.0, "own_budget": 70.0})


def test_gap_closure_caps_credit_at_target(make_scenario, fast):
    water = "EC: I: WS: 3C"
    # gap 30 (40 → 10). A closes 30 alone; adding B (another 20) earns nothing.
    scenario = make_scenario(
        [
            {"id": "A", "capex_profile": [50], "impacts": {water: -30}},
            {"id": "B", "capex_profile": [50], "impacts": {water: -20}},
        ],
        horizon_years=1,
        budget={"by_year": {2027: 100}},
        objective={"mode": "gap_closure"},
        kpis=[{"code": water, "baseline": 40, "target": 10}],
    )
    result = optimise(scenario, fast)
    # urgency 1 − 10/40 = 0.75 → full closure is worth 75 points
    assert result.objective.value == pytest.approx(75)
    assert result.kpi_projection[0].gap_closed_share == pytest.approx(1.0)


def test_u4ssc_points_mode_reaches_band(make_scenario, fast):
    water = "EC: I: WS: 3C"
    # baseline 40, target 10: achievement 25 % (band 1). Need value ≤ 10/0.33 = 30.3 for band 2.
    scenario = make_scenario(
        [
            {"id": "SMALL", "capex_profile": [50], "impacts": {water: -9}},
            {"id": "ENOUGH", "capex_profile": [100], "impacts": {water: -10}},
        ],
        horizon_years=1,
        budget={"by_year": {2027: 100}},
        objective={"mode": "u4ssc_points"},
        kpis=[{"code": water, "baseline": 40, "target": 10}],
    )
    result = optimise(scenario, fast)
    assert _ids(result) == ["ENOUGH"]
    assert result.kpi_projection[0].band_after == 2


def test_dimension_share(make_scenario, fast):
    water = "EC: I: WS: 3C"  # Economy
    air = "EN: EN: AQ: 1C"  # Environment
    scenario = make_scenario(
        [
            {"id": "W", "capex_profile": [100], "impacts": {water: -30}},
            {"id": "A", "capex_profile": [100], "impacts": {f"{air} [PM10]": -5}},
        ],
        horizon_years=1,
        budget={"by_year": {2027: 100}},
        objective={"mode": "gap_closure"},
        kpis=[
            {"code": water, "baseline": 40, "target": 10},
            {"code": air, "data_point": "PM10", "baseline": 30, "target": 20, "weight": 0.1},
        ],
        constraints={"min_dimension_share": {"Environment": 0.5}},
    )
    assert _ids(optimise(scenario, fast)) == ["A"]


def test_verifier_catches_violations(make_scenario):
    scenario = make_scenario(
        [{"id": "A", "capex_profile": [150], "value": 1}, {"id": "B", "capex_profile": [10]}],
        constraints={"mandatory": ["B"]},
    )
    data = prepare_model_data(scenario)
    violations = verify_plan(data, Plan(starts={"A": 2027}))
    families = {v.family for v in violations}
    assert families == {"budget", "mandatory"}


def test_tight_model_branches_on_selection_variables(make_scenario):
    from decision_support.portfolio.build import build_model
    from decision_support.portfolio.solution import start_values

    scenario = make_scenario(
        [
            {"id": "W", "capex_profile": [40], "value": 3, "earliest_start": 2027},
            {"id": "O", "capex_profile": [40], "value": 2, "earliest_start": 2029},
        ]
    )
    data = prepare_model_data(scenario)
    tight = build_model(data, formulation="tight")
    # x_W is a variable of its own, defined by Σ_s y[W,s] = x_W; O has one start only
    assert set(tight.v.select) == {"W"}
    row = tight.problem.get_constraint_by_name("one_start_W")
    assert row.sense == 0 and row[tight.v.select["W"]] == -1
    assert set(tight.ex.selected["W"].keys()) == {tight.v.select["W"]}
    values = start_values(tight, Plan(starts={"W": 2028}))
    assert values["select_W"] == 1.0 and values["start_W_2028"] == 1.0
    plain = build_model(data, formulation="plain")
    assert plain.v.select == {} and plain.problem.get_constraint_by_name("one_start_W").sense == -1
