"""The job engine (Huey): runs and analyses executed by real workers, fanned out into
one task per solve, with the same results for any number of workers; a killed worker
leaves its job failed with a reason, and the job can be retried."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.job_pieces import JobPiece
from models.jobs.liveness import fail_stalled, lost_reason
from models.jobs.pieces import QueueExecutor
from models.jobs.queue import QueueConfigurationError, huey, make_queue
from models.jobs.tasks import enqueue_piece, enqueue_portfolio_run, enqueue_scenario_job
from models.scenario_jobs import ScenarioJob
from models.scenario_worker import execute_job
from models.scenarios import PortfolioRun
from models.services.portfolio import RunSettings, create_run, retry_run
from models.services.scenario_jobs import (
    retry_job,
    start_frontier_job,
    start_robustness_job,
    start_run_job,
)
from models.services.scenarios import create_scenario

REPO = Path(__file__).resolve().parents[2]
KNAPSACK = {
    "start_year": 2027,
    "horizon_years": 1,
    "budget": {"by_year": {"2027": 100.0}},
    "objective": {"mode": "value"},
    "projects": [
        {"id": "P1", "capex_profile": [40.0], "value": 10.0},
        {"id": "P2", "capex_profile": [30.0], "value": 8.0},
        {"id": "P3", "capex_profile": [50.0], "value": 9.0},
    ],
}


def _wait_until_finished(factory, model, row_id, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with factory() as session:
            row = session.get(model, row_id)
            if row.status not in ("queued", "running"):
                return row
        time.sleep(0.1)
    raise AssertionError(f"{model.__tablename__} {row_id} did not finish in {timeout} s")


def test_queue_url_picks_the_storage(tmp_path):
    assert type(make_queue(f"sqlite:///{tmp_path / 'q.sqlite3'}")).__name__ == "SqliteHuey"
    assert type(make_queue("redis://127.0.0.1:6379/15")).__name__ == "RedisHuey"
    with pytest.raises(QueueConfigurationError, match="sqlite:/// or redis://"):
        make_queue("amqp://guest@127.0.0.1/")


def test_a_portfolio_run_is_solved_by_a_worker(factory, session, city, actor, job_worker):
    saved = create_scenario(session, city, actor, name="Tiny", definition=KNAPSACK)
    run = create_run(session, city, actor, RunSettings(source=f"saved:{saved.id}", time_limit=10))
    session.commit()
    enqueue_portfolio_run(run.id, "highs")
    finished = _wait_until_finished(factory, PortfolioRun, run.id)
    assert finished.status == "optimal" and finished.attempts == 1
    assert sorted(p["id"] for p in finished.results["selected"]) == ["P1", "P3"]


def test_a_frontier_fans_out_and_matches_the_local_run(factory, session, city, actor, job_worker):
    tiny = create_scenario(session, city, actor, name="Tiny", definition=KNAPSACK)
    local, queued = (
        start_frontier_job(session, city, actor, tiny, axis="budget", low=0.3, high=1.2, steps=4)
        for _ in range(2)
    )
    session.commit()
    assert execute_job(factory, local.id, workers=1) == "done"
    enqueue_scenario_job(queued.id)
    finished = _wait_until_finished(factory, ScenarioJob, queued.id)
    assert finished.status == "done", finished.error
    with factory() as check:
        reference = check.get(ScenarioJob, local.id).results
        # the pieces were folded into the job's results and removed
        assert check.scalar(select(func.count()).select_from(JobPiece)) == 0

    def essentials(results):
        return [(p["axis_value"], p["impact"], p["selected"]) for p in results["points"]]

    assert essentials(finished.results) == essentials(reference)
    # budgets 30, 60, 90, 120: P2; P1; P1+P3; all three
    assert [p["impact"] for p in finished.results["points"]] == [8.0, 10.0, 19.0, 27.0]
    assert (finished.done, finished.total) == (4, 4)


def test_robustness_results_do_not_depend_on_who_solves(factory, session, city, actor, job_worker):
    """Same seed: a local single-process run, and pieces spread over two worker threads
    plus the job itself, give the same core indices."""
    tiny = create_scenario(session, city, actor, name="Tiny", definition=KNAPSACK)
    jobs = [
        start_robustness_job(session, city, actor, tiny, samples=6, seed=7, default_risk="high")
        for _ in range(2)
    ]
    session.commit()
    assert execute_job(factory, jobs[0].id, workers=1) == "done"
    enqueue_scenario_job(jobs[1].id)
    finished = _wait_until_finished(factory, ScenarioJob, jobs[1].id)
    assert finished.status == "done", finished.error
    with factory() as check:
        local = check.get(ScenarioJob, jobs[0].id).results
    assert finished.results["projects"] == local["projects"]


def test_the_job_solves_pieces_itself_when_no_worker_takes_them(factory, session, city, actor):
    """No consumer runs: the executor claims every piece itself, in task order."""
    tiny = create_scenario(session, city, actor, name="Tiny", definition=KNAPSACK)
    job = start_run_job(session, city, actor, [tiny, tiny])
    session.commit()
    huey.flush()
    executor = QueueExecutor(factory, job.id, enqueue_piece, poll_seconds=0.01)
    assert execute_job(factory, job.id, executor=executor) == "done"
    with factory() as check:
        row = check.get(ScenarioJob, job.id)
        assert [r["result"]["objective"]["value"] for r in row.results["runs"]] == [19.0, 19.0]
    huey.flush()  # the piece tasks left in the queue find their pieces gone


def test_a_stale_heartbeat_fails_the_job_and_retry_queues_it_again(
    factory, session, city, actor, monkeypatch
):
    monkeypatch.setenv("JOB_STALE_SECONDS", "30")
    tiny = create_scenario(session, city, actor, name="Tiny", definition=KNAPSACK)
    job = start_run_job(session, city, actor, [tiny])
    run = create_run(session, city, actor, RunSettings(source=f"saved:{tiny.id}"))
    long_ago = datetime.now(UTC) - timedelta(seconds=31)
    job.status, job.heartbeat_at, job.attempts = "running", long_ago, 1
    run.status, run.heartbeat_at = "running", long_ago
    fresh = start_run_job(session, city, actor, [tiny])
    fresh.status, fresh.heartbeat_at = "running", datetime.now(UTC)
    session.commit()

    assert fail_stalled(session) == 2
    session.commit()
    session.expire_all()
    assert (job.status, run.status, fresh.status) == ("failed", "error", "running")
    assert job.error == lost_reason(job.heartbeat_at)
    assert "stopped" in job.error and "retry" in job.error

    retry_job(session, job, actor)
    retry_run(session, run, actor)
    session.commit()
    assert (job.status, job.error, job.results, run.status) == ("queued", None, None, "queued")
    assert execute_job(factory, job.id, workers=1) == "done"
    session.expire_all()
    assert job.attempts == 2


def test_a_killed_worker_process_leaves_the_job_failed_and_a_retry_finishes_it(
    factory, session, city, actor, database_url, job_queue, monkeypatch
):
    """A real worker process is killed (SIGKILL) mid-run; the heartbeat goes stale."""
    monkeypatch.setenv("JOB_STALE_SECONDS", "3")
    tiny = create_scenario(session, city, actor, name="Tiny", definition=KNAPSACK)
    job = start_robustness_job(session, city, actor, tiny, samples=2000, seed=3)
    session.commit()
    huey.flush()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "JOB_QUEUE_URL": job_queue,
        "JOB_HEARTBEAT_SECONDS": "0.5",
        "PYTHONPATH": str(REPO),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "cli", "jobs", "worker", "--workers", "1"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        enqueue_scenario_job(job.id)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            session.expire_all()
            if job.status == "running" and job.done >= 3:
                break
            time.sleep(0.2)
        assert job.status == "running"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        session.expire_all()
        fail_stalled(session)
        session.commit()
        if job.status != "running":
            break
        time.sleep(0.5)
    assert job.status == "failed" and "worker running this job stopped" in job.error

    retry_job(session, job, actor)
    session.commit()
    # the retried job, cut to two samples to keep the test short, runs to the end
    job.params = {**job.params, "spec": {**job.params["spec"], "samples": 2}}
    job.total = 5
    session.commit()
    assert execute_job(factory, job.id, workers=1) == "done"
    session.expire_all()
    assert job.attempts == 2 and job.results["samples_requested"] == 2


def test_jobs_pending_prints_one_json_document(capsys):
    from cli.main import main

    huey.flush()
    assert main(["jobs", "pending", "--json"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out) == {"pending": 0, "scheduled": 0}
