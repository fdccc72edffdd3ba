"""Racing HiGHS searches (threads ≥ 2): same verified optimum as one search, honest
status and bounds, the losers stopped once the gap is proven."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from typing import Any

import highspy
import pytest
from hypothesis import HealthCheck, assume, example, given, settings

from decision_support.portfolio import OptimiseOptions, ScenarioError, optimise, parse_scenario
from decision_support.portfolio import race as race_module
from decision_support.portfolio.race import (
    _InModelOrder,
    _permuted_copy,
    _Shared,
    race,
    relative_gap,
)
from tests.decision_support.portfolio.test_portfolio_formulations import (
    MUTUAL_DOMINANCE,
    scenarios,
)


def generate(n: int, seed: int) -> dict[str, Any]:
    """n seeded projects over 3 years, 2-year start windows, a third of the cost fundable."""
    rng = random.Random(seed)
    projects = []
    for i in range(n):
        profile = [rng.randint(20, 200) for _ in range(rng.choice((1, 2)))]
        earliest = 2027 + rng.randrange(0, 4 - len(profile))
        projects.append(
            {
                "id": f"P{i:02d}",
                "capex_profile": profile,
                "value": round(sum(profile) * rng.uniform(0.5, 1.5) / 10, 2),
                "earliest_start": earliest,
                "latest_start": min(earliest + 1, 2030 - len(profile)),
            }
        )
    budget = sum(sum(p["capex_profile"]) for p in projects) // 9
    return {
        "start_year": 2027,
        "horizon_years": 3,
        "budget": {"by_year": {2027: budget, 2028: budget, 2029: budget}},
        "objective": {"mode": "value"},
        "projects": projects,
    }


def _knapsack(seed: int, items: int = 40) -> highspy.Highs:
    """A seeded 0-1 knapsack (maximise value within half the total weight)."""
    rng = random.Random(seed)
    weights = [rng.randint(10, 60) for _ in range(items)]
    values = [w + rng.randint(-5, 5) for w in weights]
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("time_limit", 30.0)
    for value in values:
        highs.addVar(0.0, 1.0)
        highs.changeColCost(highs.getNumCol() - 1, float(value))
    highs.changeColsIntegrality(items, list(range(items)), [highspy.HighsVarType.kInteger] * items)
    highs.addRow(-highspy.kHighsInf, sum(weights) / 2, items, list(range(items)), weights)
    highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    return highs


def _single_objective(seed: int, items: int = 40) -> float:
    highs = _knapsack(seed, items)
    highs.setOptionValue("threads", 1)
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return highs.getInfo().objective_function_value


@pytest.mark.parametrize("seed", [1, 2])
def test_race_proves_the_same_optimum_as_one_search(seed: int) -> None:
    winner, outcome = race(_knapsack(seed), 2, delay=0.0)
    assert outcome.proven and outcome.searches == 2
    assert outcome.objective == pytest.approx(_single_objective(seed))
    assert outcome.gap == pytest.approx(0.0, abs=1e-9)
    # maximisation: the best bound is not below the incumbent, and is what the winner holds
    assert outcome.dual_bound is not None and outcome.dual_bound >= outcome.objective - 1e-6
    assert winner.getInfo().objective_function_value == pytest.approx(outcome.objective)
    assert len(outcome.cpu_seconds) == 2
    # the first proof ends the race: every search proved or was interrupted, none ran on
    assert set(outcome.statuses) <= {"Optimal", "Interrupted by user"}
    assert "Optimal" in outcome.statuses or outcome.proven


def test_a_permuted_copy_is_the_same_model_in_another_column_order() -> None:
    original = _knapsack(5, items=30)
    original.addRow(2.0, highspy.kHighsInf, 3, [0, 7, 29], [1.0, 1.0, 1.0])  # a second row
    copy = highspy.Highs()
    copy.setOptionValue("output_flag", False)
    order = _permuted_copy(copy, original.getModel(), seed=1)
    assert list(order.position) != list(range(30))  # really another order
    original.setOptionValue("threads", 1)
    original.run()
    copy.run()
    assert copy.getModelStatus() == highspy.HighsModelStatus.kOptimal
    best = original.getInfo().objective_function_value
    assert copy.getInfo().objective_function_value == pytest.approx(best)
    # the copy's plan, read in the model's order, is feasible and as good in the original
    values = _InModelOrder(copy, order).getSolution().col_value
    lp = original.getModel().lp_
    assert sum(c * v for c, v in zip(lp.col_cost_, values, strict=True)) == pytest.approx(best)
    assert values[0] + values[7] + values[29] >= 2.0 - 1e-9
    assert order.to_model(order.to_search(values)) == pytest.approx(values)
    # a model HiGHS has run holds its matrix column-wise; a copy of it is the same model
    assert original.getModel().lp_.a_matrix_.format_ == highspy.MatrixFormat.kColwise
    again = highspy.Highs()
    again.setOptionValue("output_flag", False)
    _permuted_copy(again, original.getModel(), seed=2)
    again.run()
    assert again.getInfo().objective_function_value == pytest.approx(best)


def test_a_proof_stops_the_other_searches() -> None:
    shared = _Shared(sense=1.0, rel_gap=1e-3, abs_gap=0.0, searches=2)
    assert shared.offer(100.0, [1.0]) == 1
    assert shared.offer(101.0, [0.0]) == 0  # not better (minimisation)
    shared.note_bound(0, 90.0)
    assert not shared.stop
    shared.note_bound(1, 99.95)  # another search's bound closes the gap to 0.05 %
    assert shared.stop and shared.combined_proof
    assert shared.bounds == [90.0, 99.95]


def test_a_race_stopped_from_outside_reports_no_false_proof() -> None:
    """Searches interrupted before any proof: feasible at best, never 'optimal'."""
    highs = _knapsack(3, items=200)
    highs.setOptionValue("time_limit", 0.05)
    _winner, outcome = race(highs, 2, delay=0.0)
    if not outcome.proven:
        assert outcome.gap is None or outcome.gap > 0.0
    else:  # fast machine: then the proof is real
        assert outcome.gap == pytest.approx(0.0, abs=1e-9)


def test_relative_gap_follows_highs() -> None:
    assert relative_gap(100.0, 99.0, 1.0) == pytest.approx(0.01)
    assert relative_gap(100.0, 101.0, -1.0) == pytest.approx(0.01)
    assert relative_gap(0.0, 0.0, 1.0) == 0.0
    assert math.isinf(relative_gap(math.inf, 0.0, 1.0))


# Found by the property below: no project's two-year profile fits a start in the last
# year, so the model has no columns and HiGHS no MIP to race.
NO_PROJECT_FITS = {
    **MUTUAL_DOMINANCE,
    "budget": {"by_year": {2027: 20, 2028: 20, 2029: 20}, "carry_over": False},
    "projects": [
        {
            **MUTUAL_DOMINANCE["projects"][0],
            "id": pid,
            "capex_profile": [10, 10],
            "earliest_start": 2029,
            "latest_start": 2029,
        }
        for pid in ("P0", "P1")
    ],
}


def _optimise(document: dict[str, Any], threads: int) -> Any:
    options = OptimiseOptions(time_limit=30, gap=0.0, explain=False, threads=threads)
    return optimise(parse_scenario(document), options)


def test_optimise_with_two_threads_gives_the_verified_optimum() -> None:
    document = generate(25, seed=5)
    one, two = _optimise(document, 1), _optimise(document, 2)
    assert one.status == two.status == "optimal"
    assert two.verification is not None and two.verification.passed
    assert two.objective.value == pytest.approx(one.objective.value)
    assert two.objective.best_bound == pytest.approx(two.objective.value)


def test_single_thread_runs_are_reproducible() -> None:
    document = generate(25, seed=6)
    first, second = _optimise(document, 1), _optimise(document, 1)
    assert first.to_dict()["selected"] == second.to_dict()["selected"]


def test_racing_keeps_infeasibility_diagnosed(make_scenario, fast) -> None:
    scenario = make_scenario(
        [{"id": "A", "capex_profile": [80], "latest_start": 2027}],
        constraints={"mandatory": ["A"]},
        budget={"by_year": {2027: 50, 2028: 0, 2029: 0}},
    )
    result = optimise(scenario, replace(fast, threads=2))
    assert result.status == "infeasible" and result.diagnosis is not None


def test_a_model_the_first_search_solves_at_once_starts_no_copy() -> None:
    _winner, outcome = race(_knapsack(4, items=10), 3, delay=30.0)
    assert outcome.proven and outcome.searches == 1
    assert outcome.objective == pytest.approx(_single_objective(4, items=10))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=scenarios())
@example(document=NO_PROJECT_FITS)
def test_racing_keeps_the_optimum_on_random_scenarios(document: dict[str, Any]) -> None:
    """Grants, loans, deal sizes, KPI modes, rules: a race from the first moment (no
    delay) proves the same optimum as one search, lexicographic solve 2 included."""
    try:
        scenario = parse_scenario(document)
    except ScenarioError:
        assume(False)
    base = OptimiseOptions(time_limit=20, gap=0.0, explain=False)
    one = optimise(scenario, base)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(race_module, "RACE_DELAY", 0.0)
        two = optimise(scenario, replace(base, threads=2))
    assert one.status == two.status
    if one.status == "infeasible":
        assert two.diagnosis is not None
        return
    assert two.status == "optimal"
    # two searches raced, unless HiGHS had no MIP to search (no project can start within
    # the horizon: no columns, node count -1)
    assert two.timings["solve_searches"] == 2 or two.timings["solve_nodes"] == -1
    assert two.verification.passed
    assert two.objective.value == pytest.approx(one.objective.value, abs=1e-6)


def test_the_second_search_sees_the_columns_project_by_project() -> None:
    from decision_support.portfolio.build import build_model
    from decision_support.portfolio.data import prepare_model_data
    from decision_support.portfolio.solve import project_major_order

    document = generate(3, seed=1)
    document["mechanisms"] = [{"id": "eu", "type": "grant", "max_share": 0.5}]
    model = build_model(prepare_model_data(parse_scenario(document)))
    variables = model.problem.variables()
    names = [variables[i].name for i in project_major_order(model)(variables)]
    assert sorted(names) == sorted(var.name for var in variables)  # a permutation
    assert names[0].startswith("fund_")  # columns of no project's selection first
    projects = [name for name in names if name.startswith(("start_", "select_"))]
    expected = []
    for pid, starts in prepare_model_data(parse_scenario(document)).starts.items():
        expected += [f"start_{pid}_{s}" for s in starts]
        expected += [f"select_{pid}"] if len(starts) > 1 else []
    assert projects == expected
