"""The time limit bounds the whole run: how it is split, and what the solver is handed.

No test here measures time. A fake clock is injected and the solver call is wrapped
so that each solve "uses" the whole limit it was handed (the clock jumps by it):
then the limits, the skipped explanations and the deadline follow from arithmetic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from decision_support.portfolio import OptimiseOptions, optimise
from decision_support.portfolio import api as portfolio_api
from decision_support.portfolio import solve as portfolio_solve
from decision_support.portfolio.budget import (
    EXPLAIN_RATIO,
    MAIN_SHARE,
    MIN_RESOLVE_SECONDS,
    SECOND_SOLVE_SHARE,
    RunBudget,
    StageBudget,
    explain_floor,
)


@dataclass
class FakeClock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class SolverSpy:
    """Wraps ``solve_model``: records each call's limit and start; advances the clock."""

    clock: FakeClock
    use: float = 1.0  # share of its limit each solve "uses"
    calls: list[dict[str, Any]] = field(default_factory=list)

    def wrap(self, real: Any) -> Any:
        def spy(model: Any, settings: Any, start: Any = None) -> Any:
            self.calls.append(
                {
                    "at": self.clock.now,
                    "limit": settings.time_limit,
                    "gap": settings.gap,
                    "start": start,
                    "sense": model.problem.sense,
                }
            )
            outcome = real(model, settings, start)
            self.clock.now += self.use * settings.time_limit
            return outcome

        return spy


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> SolverSpy:
    clock = FakeClock()
    recorder = SolverSpy(clock)
    wrapped = recorder.wrap(portfolio_solve.solve_model)
    monkeypatch.setattr(portfolio_api, "solve_model", wrapped)
    monkeypatch.setattr(portfolio_solve, "solve_model", wrapped)
    return recorder


def _knapsack(make_scenario: Any, mechanisms: list[dict[str, Any]] | None = None) -> Any:
    projects = [
        {"id": "A", "capex_profile": [60], "value": 6},
        {"id": "B", "capex_profile": [40], "value": 4},
        {"id": "C", "capex_profile": [50], "value": 4.5},
        {"id": "D", "capex_profile": [30], "value": 2},
    ]
    extra = {"mechanisms": mechanisms} if mechanisms else {}
    return make_scenario(
        projects, horizon_years=2, budget={"by_year": {2027: 100, 2028: 20}}, **extra
    )


def test_budget_split_with_explanations():
    clock = FakeClock()
    budget = RunBudget(20.0, explain=True, clock=clock)
    assert budget.main_end == pytest.approx(MAIN_SHARE * 20)
    assert budget.first_solve_limit(second_solve=True) == pytest.approx(
        MAIN_SHARE * 20 * (1 - SECOND_SOLVE_SHARE)
    )
    assert budget.first_solve_limit(second_solve=False) == pytest.approx(MAIN_SHARE * 20)
    clock.now = 4.0  # solve 1 finished early: solve 2 gets the rest of the main phase
    assert budget.second_solve_limit() == pytest.approx(MAIN_SHARE * 20 - 4.0)
    # explanations: at most EXPLAIN_RATIO × the main solves' seconds, never past the end
    assert budget.explanation_allowance(4.0) == pytest.approx(EXPLAIN_RATIO * 4.0)
    clock.now = 19.5
    assert budget.explanation_allowance(15.0) == pytest.approx(0.5)
    clock.now = 25.0
    assert budget.remaining() == 0.0 and budget.explanation_allowance(15.0) == 0.0


def test_budget_without_explanations_gives_the_main_solves_everything():
    budget = RunBudget(10.0, explain=False, clock=FakeClock())
    assert budget.first_solve_limit(second_solve=False) == pytest.approx(10.0)
    assert budget.explanation_allowance(0.01) == pytest.approx(explain_floor(10.0))


def test_stage_budget_shares_fairly_and_caps():
    clock = FakeClock()
    stage = StageBudget(6.0, clock=clock)
    assert stage.share(3, cap=10.0) == pytest.approx(2.0)
    assert stage.share(3, cap=1.0) == pytest.approx(1.0)
    clock.now = 5.0
    assert stage.share(2, cap=10.0) == pytest.approx(0.5)


def test_solver_limits_add_up_to_the_run_limit(make_scenario, spy):
    mechanisms = [{"id": "g", "type": "grant", "max_share": 0.5}]
    scenario = _knapsack(make_scenario, mechanisms)
    result = optimise(scenario, OptimiseOptions(time_limit=8.0, clock=spy.clock))
    assert result.status == "optimal"
    main = spy.calls[:2]
    assert main[0]["limit"] == pytest.approx(8.0 * MAIN_SHARE * (1 - SECOND_SOLVE_SHARE))
    # solve 2 (financing cost, minimised) gets what the main phase has left
    assert main[1]["limit"] == pytest.approx(8.0 * MAIN_SHARE - main[0]["limit"])
    for call in spy.calls:  # nobody is handed more than the time left
        assert call["at"] + call["limit"] <= 8.0 + 1e-9
    assert spy.clock.now <= 8.0 + 1e-9


def test_tiny_budget_lists_every_explanation_it_skipped(make_scenario, spy):
    scenario = _knapsack(make_scenario)
    result = optimise(scenario, OptimiseOptions(time_limit=0.02, clock=spy.clock))
    assert len(spy.calls) == 1  # no room for any re-solve
    ex = result.explanations
    assert ex.left_out == () and ex.marginal_budget == ()
    kinds = [(s["explanation"], s["id"], s["year"]) for s in ex.skipped]
    assert ("left_out", "C", None) in kinds
    assert ("marginal_budget", None, 2027) in kinds and ("marginal_budget", None, 2028) in kinds
    assert all("time budget" in s["reason"] for s in ex.skipped)
    document = json.loads(json.dumps(result.to_dict()))
    assert document["explanations"]["skipped"] == [
        json.loads(json.dumps(s)) for s in result.to_dict()["explanations"]["skipped"]
    ]
    assert len(document["explanations"]["skipped"]) == len(kinds)


def test_explanations_run_in_order_of_value_and_cut_the_rest(make_scenario, spy):
    scenario = _knapsack(make_scenario)
    # each solve uses its whole limit: solve 1 takes 0.75 × 0.3 s; the explanations get
    # what is left (0.075 s), enough for one re-solve of MIN_RESOLVE_SECONDS
    result = optimise(scenario, OptimiseOptions(time_limit=0.3, clock=spy.clock))
    main, *resolves = spy.calls
    assert main["limit"] == pytest.approx(0.3 * MAIN_SHARE)
    assert [c["limit"] for c in resolves] == [pytest.approx(MIN_RESOLVE_SECONDS)]
    ex = result.explanations
    # most valuable first: the strongest left-out candidate ran, the rest was cut
    assert [r["id"] for r in ex.left_out] == ["C"] and ex.marginal_budget == ()
    skipped = [(s["explanation"], s["id"] or s["year"]) for s in ex.skipped]
    assert sorted(skipped, key=str) == sorted(
        [("marginal_budget", 2027), ("marginal_budget", 2028), ("left_out", "D")], key=str
    )
    assert any("skipped" in note for note in ex.notes)
    assert spy.clock.now <= 0.3 + 1e-9


def test_fair_shares_when_the_allowance_suffices(make_scenario, spy):
    scenario = _knapsack(make_scenario)
    # main phase 3 s of 4; the explanations get the 1 s left, a quarter per re-solve
    result = optimise(scenario, OptimiseOptions(time_limit=4.0, clock=spy.clock))
    assert [c["limit"] for c in spy.calls[1:]] == [pytest.approx(0.25)] * 4
    assert result.explanations.skipped == ()
    assert len(result.explanations.marginal_budget) == 2


def test_explanation_resolves_start_from_the_incumbent_at_a_looser_gap(make_scenario, spy):
    scenario = _knapsack(make_scenario)
    result = optimise(scenario, OptimiseOptions(time_limit=30.0, clock=spy.clock))
    assert sorted(result.selected_ids) == ["A", "B"]
    main, *resolves = spy.calls
    assert resolves and all(c["gap"] > main["gap"] for c in resolves)
    assert all(c["start"] is not None for c in resolves)

    def chosen(call: dict[str, Any]) -> set[str]:
        return {
            n.split("_")[1] for n, v in call["start"].items() if n.startswith("start_") and v > 0.5
        }

    # order of value: forcing C, the tightest budget year, forcing D, the other year
    assert "C" in chosen(resolves[0]) and "D" in chosen(resolves[2])
    # more budget keeps the recommended plan feasible: those re-solves start from it
    assert chosen(resolves[1]) == chosen(resolves[3]) == {"A", "B"}
    # forcing C in (50) drops the weakest project so that the start is feasible
    assert chosen(resolves[0]) in ({"A", "C"}, {"B", "C"})


def test_no_second_solve_without_a_financing_choice(make_scenario, spy):
    scenario = _knapsack(make_scenario)
    stages: list[str] = []
    options = OptimiseOptions(
        time_limit=10.0, explain=False, clock=spy.clock, progress=lambda f, s: stages.append(s)
    )
    result = optimise(scenario, options)
    assert result.status == "optimal"
    assert len(spy.calls) == 1 and stages == ["maximising impact"]
    # without a second solve and without explanations, solve 1 gets the whole limit
    assert spy.calls[0]["limit"] == pytest.approx(10.0)


def test_timings_state_the_limit(make_scenario):
    result = optimise(_knapsack(make_scenario), OptimiseOptions(time_limit=7.0, explain=False))
    assert result.timings["time_limit"] == 7.0


def test_runs_with_different_thread_counts_share_a_process(make_scenario):
    scenario = _knapsack(make_scenario)
    for threads in (1, 2, 1):
        result = optimise(scenario, OptimiseOptions(explain=False, threads=threads))
        assert result.status == "optimal" and sorted(result.selected_ids) == ["A", "B"]


def test_greedy_start_stops_when_told_and_says_so(make_scenario):
    from decision_support.portfolio.data import prepare_model_data
    from decision_support.portfolio.greedy import greedy_plan

    data = prepare_model_data(_knapsack(make_scenario))
    full = greedy_plan(data)
    assert full.complete and len(full.plan.starts) >= 2
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 1  # one project may be tried, then stop

    cut = greedy_plan(data, stop=stop)
    assert not cut.complete and len(cut.plan.starts) == 1 and cut.feasible


def test_run_still_solves_when_the_greedy_start_is_cut_short(make_scenario):
    scenario = _knapsack(make_scenario)

    class LateClock:
        """Jumps past the greedy share as soon as the run has started."""

        def __init__(self) -> None:
            self.calls = 0

        def __call__(self) -> float:
            self.calls += 1
            return 0.0 if self.calls == 1 else 100.0

    result = optimise(
        scenario, OptimiseOptions(time_limit=1000.0, explain=False, clock=LateClock())
    )
    assert result.status == "optimal" and sorted(result.selected_ids) == ["A", "B"]
