"""Property: the strengthened (tight) model has the same optimum as the plain one.

Random tiny scenarios mix budgets with and without carry-over, opex and savings,
identical and dominated projects, grants and loans, prerequisites and exclusions,
KPI impacts in every objective mode, low-cost, tender and dimension-share limits;
the valid inequalities, symmetry breaking and dominance rows must never cut off
the optimum.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from decision_support.portfolio import OptimiseOptions, ScenarioError, optimise, parse_scenario

project = st.fixed_dictionaries(
    {
        "capex": st.lists(st.integers(10, 90), min_size=1, max_size=2),
        "value": st.integers(0, 9),
        "opex": st.sampled_from([0, 0, 5, 20]),
        "savings": st.sampled_from([0, 0, 10, 60]),
        "earliest": st.integers(0, 2),
        "window": st.integers(0, 2),
        "tag": st.sampled_from(["green", "digital"]),
        "water": st.sampled_from([0, 0, -2, -5, -12]),
        "pm10": st.sampled_from([0, 0, -1, -3]),
        "low_cost": st.booleans(),
        "lead_days": st.sampled_from([0, 0, 200, 400]),
    }
)
WATER = "EC: I: WS: 3C"
PM10 = "EN: EN: AQ: 1C [PM10]"


def _task(
    i: int, capex: list[int], window: tuple[int, int], water: int = 0, value: int = 0
) -> dict:
    return {
        "id": f"P{i}",
        "capex_profile": capex,
        "value": value,
        "opex_per_year": 0,
        "savings_per_year": 0,
        "earliest_start": window[0],
        "latest_start": window[1],
        "tags": ["green"],
        "low_cost": False,
        "impacts": {WATER: water} if water else {},
        "procurement": {"category": "works", "lead_time_days": 0},
    }


# Found by the property below (u4ssc_points, strong formulation, greedy start): HiGHS 1.16
# reported the better plan it found from the start in its presolved space (5 points) but
# handed back the starting plan (4 points) as "optimal".
MIP_START_POSTSOLVE = {
    "start_year": 2027,
    "horizon_years": 3,
    "budget": {"by_year": {2027: 31, 2028: 31, 2029: 31}, "carry_over": False},
    "objective": {"mode": "u4ssc_points"},
    "kpis": [
        {"code": WATER, "baseline": 30, "target": 15},
        {
            "code": "EN: EN: AQ: 1C",
            "data_point": "PM10",
            "baseline": 30,
            "target": 20,
            "weight": 0.5,
        },
    ],
    "constraints": {"min_low_cost_projects": 0, "min_dimension_share": {}},
    "projects": [
        _task(0, [10], (2027, 2027), water=-5),
        _task(1, [10], (2028, 2028), water=-5),
        _task(2, [10], (2027, 2027)),
        _task(3, [10, 12], (2027, 2027), value=1),
        _task(4, [11], (2027, 2029), value=1),
        _task(5, [11, 10], (2027, 2028), value=1),
    ],
}


# Found by the property below (value mode, strong formulation): P1 and P2 differ only in a
# KPI impact, which value mode does not weigh, so each dominated the other; the two
# dominance rows forced "both or neither", and neither fits the budget: 0 instead of 2.
MUTUAL_DOMINANCE = {
    "start_year": 2027,
    "horizon_years": 3,
    "budget": {"by_year": {2027: 20, 2028: 20, 2029: 20}, "carry_over": True},
    "objective": {"mode": "value"},
    "kpis": MIP_START_POSTSOLVE["kpis"],
    "constraints": {"min_low_cost_projects": 0, "min_dimension_share": {}},
    "projects": [
        _task(0, [10], (2027, 2027)),
        {**_task(1, [31], (2028, 2029), value=2), "opex_per_year": 5},
        {**_task(2, [31], (2028, 2029), water=-2, value=2), "opex_per_year": 5},
    ],
}


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    raw = draw(st.lists(project, min_size=2, max_size=7))
    if draw(st.booleans()):  # an identical twin for the symmetry rows
        raw.append(dict(raw[0]))
    projects = []
    for i, p in enumerate(raw):
        earliest = 2027 + p["earliest"]
        projects.append(
            {
                "id": f"P{i}",
                "capex_profile": p["capex"],
                "value": p["value"],
                "opex_per_year": p["opex"],
                "savings_per_year": p["savings"],
                "earliest_start": min(earliest, 2029),
                "latest_start": min(earliest + p["window"], 2029),
                "tags": [p["tag"]],
                "low_cost": p["low_cost"],
                "impacts": {k: v for k, v in ((WATER, p["water"]), (PM10, p["pm10"])) if v},
                "procurement": {"category": "works", "lead_time_days": p["lead_days"]},
            }
        )
    if draw(st.booleans()) and len(projects) > 2:
        projects[1]["requires"] = ["P0"]
        projects[2]["excludes"] = ["P1"]
    budget = draw(st.integers(20, 150))
    document = {
        "start_year": 2027,
        "horizon_years": 3,
        "budget": {
            "by_year": {2027: budget, 2028: budget, 2029: budget},
            "carry_over": draw(st.booleans()),
        },
        "objective": {"mode": draw(st.sampled_from(["value", "gap_closure", "u4ssc_points"]))},
        "kpis": [
            {"code": WATER, "baseline": 30, "target": 15},
            {
                "code": "EN: EN: AQ: 1C",
                "data_point": "PM10",
                "baseline": 30,
                "target": 20,
                "weight": 0.5,
            },
        ],
        "constraints": {
            "min_low_cost_projects": draw(st.integers(0, 1)),
            "max_tenders_per_year": draw(st.sampled_from([None, 1, 2])),
            "min_dimension_share": draw(st.sampled_from([{}, {"Environment": 0.2}])),
        },
        "projects": projects,
    }
    if document["constraints"]["max_tenders_per_year"] is None:
        del document["constraints"]["max_tenders_per_year"]
    if draw(st.booleans()):
        document["mechanisms"] = [
            {
                "id": "g",
                "type": "grant",
                "max_share": 0.5,
                "eligible_tags": ["green"],
                "capacity_total": 60,
            },
            {"id": "l", "type": "loan", "rate": 0.02, "tenor_years": 4, "capacity_total": 80},
        ]
    return document


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
@example(document=MIP_START_POSTSOLVE)
@example(document=MUTUAL_DOMINANCE)
def test_tight_formulation_keeps_the_optimum(document: dict) -> None:
    try:
        scenario = parse_scenario(document)
    except ScenarioError:  # e.g. more low-cost projects asked for than exist
        assume(False)
    base = OptimiseOptions(time_limit=20, gap=0.0, explain=False, lexicographic=False)
    tight = optimise(scenario, base)
    plain = optimise(scenario, replace(base, formulation="plain", warm_start=False))
    assert tight.status == plain.status
    if plain.status == "infeasible":
        return
    assert plain.status == "optimal"
    assert tight.objective.value == pytest.approx(plain.objective.value, abs=1e-6)
    assert tight.verification.passed and plain.verification.passed
    strong = optimise(scenario, replace(base, formulation="strong"))
    assert strong.status == "optimal"
    assert strong.objective.value == pytest.approx(plain.objective.value, abs=1e-6)
    assert strong.verification.passed


def test_a_plan_that_disagrees_with_the_solvers_objective_is_solved_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    scenario = parse_scenario(MIP_START_POSTSOLVE)
    options = OptimiseOptions(
        time_limit=20, gap=0.0, explain=False, lexicographic=False, formulation="strong"
    )
    with caplog.at_level(logging.WARNING, logger="decision_support.portfolio.solve"):
        result = optimise(scenario, options)
    assert result.status == "optimal"
    assert result.objective.value == pytest.approx(5.0)
    assert result.verification.passed
    assert {p.id for p in result.selected} >= {"P0", "P1"}
    # the path taken: the disagreement was seen and the start dropped (if HiGHS is
    # ever fixed, this message disappears and the optimum is found directly)
    assert not caplog.records or "solving again without the start" in caplog.text
