"""Diagnosis of infeasible scenarios, honest status at time limits, explanations, validation."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from cli.main import main
from decision_support.portfolio import OptimiseOptions, ScenarioError, optimise, parse_scenario


def test_infeasible_budget_is_diagnosed_with_amount(make_scenario, fast):
    scenario = make_scenario(
        [
            {"id": "P-007", "capex_profile": [80], "latest_start": 2028},
            {"id": "P-008", "capex_profile": [50], "latest_start": 2027},
        ],
        constraints={"mandatory": ["P-007", "P-008"]},
        budget={"by_year": {2027: 100, 2028: 0, 2029: 0}},
    )
    result = optimise(scenario, fast)
    assert result.status == "infeasible"
    assert result.selected == []
    relaxations = result.diagnosis.relaxations
    # both need 2027 (130 > 100): raise 2027 by 30, or defer P-007 (2028 has no money either)
    budget = [r for r in relaxations if r.family == "budget"]
    assert len(budget) == 1 and budget[0].year == 2027
    assert budget[0].amount == pytest.approx(30)
    assert "P-007" in budget[0].message
    assert "raise the 2027 budget by 30 EUR" in result.diagnosis.summary


def test_unschedulable_mandatory_project_is_named(make_scenario, fast):
    scenario = make_scenario(
        [
            {"id": "LATE", "capex_profile": [10, 10], "earliest_start": 2029},
        ],
        constraints={"mandatory": ["LATE"]},
    )
    result = optimise(scenario, fast)
    assert result.status == "infeasible"
    (relaxation,) = result.diagnosis.relaxations
    assert relaxation.family == "mandatory" and relaxation.project_id == "LATE"
    assert "cannot start" in relaxation.message


def test_debt_service_ratio_already_exceeded(make_scenario, fast):
    scenario = make_scenario(
        [{"id": "A", "capex_profile": [10], "value": 1}],
        fiscal={
            "revenue_by_year": {2027: 100, 2028: 100, 2029: 100},
            "existing_debt_service_by_year": {2027: 15},
            "max_debt_service_ratio": 0.1,
        },
    )
    result = optimise(scenario, fast)
    assert result.status == "infeasible"
    (relaxation,) = result.diagnosis.relaxations
    assert relaxation.family == "debt_service_ratio" and relaxation.amount == pytest.approx(5)


def test_time_limit_result_is_not_called_optimal(large_document):
    scenario = parse_scenario(large_document(7))
    options = OptimiseOptions(time_limit=0.05, gap=0.0, explain=False)
    result = optimise(scenario, options)
    assert result.status in ("feasible", "not_solved")
    assert result.proven_optimal is False
    if result.status == "feasible":
        assert result.verification.passed
        assert result.mip_gap is None or result.mip_gap > 0


def test_forcing_cost_matches_a_forced_re_solve(make_scenario):
    scenario = make_scenario(
        [
            {"id": "A", "capex_profile": [60], "value": 6},
            {"id": "B", "capex_profile": [40], "value": 4},
            {"id": "C", "capex_profile": [50], "value": 4.5},
        ],
        horizon_years=1,
        budget={"by_year": {2027: 100}},
    )
    options = OptimiseOptions(time_limit=20, explain=True)
    result = optimise(scenario, options)
    assert sorted(result.selected_ids) == ["A", "B"]
    left_out = {row["id"]: row for row in result.explanations.left_out}
    forced = optimise(scenario, replace(options, force_in=("C",), explain=False))
    assert left_out["C"]["objective_if_forced"] == pytest.approx(forced.objective.value)
    # forced C (50) leaves room for B (40) only: 4.5 + 4 = 8.5 against 10
    assert left_out["C"]["cost_of_forcing"] == pytest.approx(10 - 8.5)
    greedy = result.explanations.greedy
    assert greedy["optimised_objective"] >= greedy["objective"]
    marginal = result.explanations.marginal_budget[0]
    assert marginal["delta"] == pytest.approx(10)


def test_validation_names_the_field(large_document):
    doc = large_document(7, 3, 3)
    doc["projects"][1]["capex_profile"][0] = -5
    doc["projects"][2]["requires"] = ["NOPE"]
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(doc)
    fields = {p.field for p in caught.value.problems}
    assert "projects[1].capex_profile[0]" in fields
    doc["projects"][1]["capex_profile"][0] = 5
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(doc)
    assert {p.field for p in caught.value.problems} == {"projects[2].requires[0]"}


def test_validation_unknown_kpi_and_year(large_document):
    doc = large_document(7, 2, 3)
    doc["kpis"] = [{"code": "XX: 1", "baseline": 1, "target": 2}]
    doc["budget"]["by_year"][2040] = 5
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(doc)
    fields = {p.field for p in caught.value.problems}
    assert {"kpis[0].code", "budget.by_year.2040"} <= fields


def test_cli_optimise_json(tmp_path, capsys, large_document):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(large_document(7, 6, 3)), encoding="utf-8")
    assert main(["optimise", str(path), "--json", "--time-limit", "10", "--no-explain"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["status"] == "optimal" and payload["proven_optimal"] is True
    for key in (
        "mip_gap",
        "objective",
        "selected",
        "cash_flow",
        "kpi_projection",
        "procurement_plan",
        "timings",
        "diagnosis",
        "explanations",
    ):
        assert key in payload
    assert all({"id", "start_year", "funding"} <= set(p) for p in payload["selected"])


def test_cli_bad_scenario_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("start_year: 2027\nhorizon_years: 2\nprojects: [{id: A}]\n", encoding="utf-8")
    assert main(["optimise", str(path), "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "projects[0].capex_profile" in err[0]


def test_semantic_problems_carry_field_not_row(large_document):
    doc = large_document(7, 2, 3)
    doc["mechanisms"] = [
        {"id": "L", "type": "loan", "tenor_years": 2, "grace_years": 3},
        {"id": "G", "type": "loan", "capacity_by_year": {2050: 5}},
    ]
    doc["constraints"] = {"mandatory": ["P000"], "excluded": ["P000"]}
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(doc)
    problems = caught.value.problems
    assert all(p.row is None for p in problems)
    assert {p.field for p in problems} == {
        "mechanisms[0].grace_years",
        "mechanisms[1].capacity_by_year.2050",
        "constraints.mandatory[0]",
    }


def test_progress_is_reported_by_stage(make_scenario):
    scenario = make_scenario(
        [{"id": "A", "capex_profile": [60], "value": 5}],
        mechanisms=[{"id": "g", "type": "grant", "max_share": 0.5}],
    )
    seen: list[tuple[float, str]] = []
    options = OptimiseOptions(time_limit=10, progress=lambda f, stage: seen.append((f, stage)))
    optimise(scenario, options)
    fractions = [f for f, _stage in seen]
    assert fractions == sorted(fractions) and fractions[0] > 0
    assert [stage for _f, stage in seen] == [
        "maximising impact",
        "minimising financing cost",
        "explaining",
    ]
