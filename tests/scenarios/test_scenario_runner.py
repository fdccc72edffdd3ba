"""Runner: parallel runs, progress, cancellation, reproducible input snapshots."""

from __future__ import annotations

import threading

from scenarios.runner import ScenarioRun, SolveTask, reproduce, run_scenarios, solve_many


def test_runs_keep_their_inputs_and_reproduce(knapsack):
    cut = {**knapsack, "budget": {"by_year": {2027: 50.0}}}
    progress = []
    runs = run_scenarios(
        [("full", knapsack), ("cut", cut)],
        {"time_limit": 10.0},
        workers=1,
        progress=lambda done, total, outcome: progress.append((done, total, outcome.key)),
    )
    assert progress == [(1, 2, "full"), (2, 2, "cut")]
    assert [r.result["objective"]["value"] for r in runs] == [21.0, 11.0]
    stored = ScenarioRun.from_dict(runs[1].to_dict())
    assert stored.scenario["budget"]["by_year"] == {"2027": 50.0}
    assert stored.input_sha256 == runs[1].input_sha256
    again = reproduce(stored)
    assert again.input_sha256 == stored.input_sha256
    assert again.result["selected"] == stored.result["selected"]


def test_a_failing_scenario_is_reported_not_raised(knapsack):
    broken = {**knapsack, "horizon_years": "soon"}
    runs = run_scenarios([("broken", broken)], workers=1)
    assert runs[0].status == "failed" and "horizon_years" in runs[0].error


def test_cancel_between_solves_in_process(knapsack):
    cancel = threading.Event()
    tasks = [SolveTask(f"t{i}", knapsack) for i in range(4)]

    def stop_after_second(done, total, outcome):
        if done == 2:
            cancel.set()

    outcomes = solve_many(tasks, workers=1, progress=stop_after_second, cancel=cancel.is_set)
    assert [o.status for o in outcomes] == ["done", "done", "cancelled", "cancelled"]


def test_cancel_in_worker_processes_lets_running_solves_finish(knapsack):
    cancel = threading.Event()
    tasks = [SolveTask(f"t{i}", knapsack) for i in range(5)]

    def stop_after_first(done, total, outcome):
        cancel.set()

    outcomes = solve_many(tasks, workers=2, progress=stop_after_first, cancel=cancel.is_set)
    statuses = [o.status for o in outcomes]
    assert statuses[:2] == ["done", "done"]  # both were already running
    assert statuses[2:] == ["cancelled"] * 3
