"""The worker process that executes a background scenario job.

``python -m models.scenario_worker JOB_ID`` (``DATABASE_URL`` names the database)
claims a queued job, runs it with the pure functions of :mod:`scenarios` (which fan the
solves out to their own pool of worker processes) and writes progress after every
solve, checking the job's ``cancel_requested`` flag before each new solve. This process
is the one place that commits a job's changes: each progress update and the final
result are committed in short transactions of their own so that pages polling the job
see them at once.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker

from decision_support.errors import DecisionSupportError
from models import registry  # noqa: F401 (every table known to the ORM for flushes)
from models.scenario_jobs import ScenarioJob
from models.session import make_engine, make_session_factory, transaction
from scenarios.frontier import frontier
from scenarios.robustness import robustness
from scenarios.runner import SolveOutcome, run_scenarios
from scenarios.sensitivity import sensitivity
from scenarios.uncertainty import OVERRUN_BY_RISK, UncertaintySpec

logger = logging.getLogger(__name__)

# Workers started by this process, kept so that they are reaped (not left as zombies).
_LAUNCHED: list[subprocess.Popen[bytes]] = []


def _claim(factory: sessionmaker[Session], job_id: int) -> ScenarioJob | None:
    """Move a queued job to running (atomically); None when it is not queued."""
    with transaction(factory) as session:
        result = session.execute(
            update(ScenarioJob)
            .where(ScenarioJob.id == job_id, ScenarioJob.status == "queued")
            .values(status="running", started_at=datetime.now(UTC), worker_pid=os.getpid())
        )
        if not cast(CursorResult[Any], result).rowcount:
            return None
        job = session.get(ScenarioJob, job_id)
        assert job is not None
        session.expunge(job)
        return job


def _spec(params: dict[str, Any]) -> UncertaintySpec:
    spec = dict(params["spec"])
    spec.pop("overrun", None)
    return UncertaintySpec(**spec, overrun=dict(OVERRUN_BY_RISK))


def execute_job(factory: sessionmaker[Session], job_id: int, workers: int | None = None) -> str:
    """Run job ``job_id`` to the end; returns its final status."""
    job = _claim(factory, job_id)
    if job is None:
        return "skipped"

    def progress(done: int, total: int, outcome: SolveOutcome) -> None:
        with transaction(factory) as session:
            session.execute(
                update(ScenarioJob)
                .where(ScenarioJob.id == job_id)
                .values(done=min(done, total), total=total, progress=done / total if total else 1.0)
            )

    def cancelled() -> bool:
        with factory() as session:
            return bool(
                session.scalar(select(ScenarioJob.cancel_requested).where(ScenarioJob.id == job_id))
            )

    try:
        results = _run(job, workers, progress, cancelled)
        status = "cancelled" if cancelled() else "done"
        error = None
    except DecisionSupportError as exc:
        results, status, error = None, ("cancelled" if cancelled() else "failed"), str(exc)
    except Exception as exc:  # the page must learn that the job died, and why
        logger.exception("scenario job %s failed", job_id)
        results, status, error = None, "failed", f"{type(exc).__name__}: {exc}"
    _finish(factory, job_id, status=status, results=results, error=error)
    return status


def _finish(
    factory: sessionmaker[Session],
    job_id: int,
    *,
    status: str,
    results: dict[str, Any] | None,
    error: str | None,
) -> None:
    with transaction(factory) as session:
        row = session.get(ScenarioJob, job_id)
        assert row is not None
        row.status = status
        row.results = results
        row.error = error
        row.finished_at = datetime.now(UTC)
        if status == "done":
            row.progress, row.done = 1.0, row.total


def _run(job: ScenarioJob, workers: int | None, progress: Any, cancelled: Any) -> dict[str, Any]:
    common = {"workers": workers, "progress": progress, "cancel": cancelled}
    if job.kind == "run":
        options = dict(job.params.get("options") or {})
        runs = run_scenarios(
            [(str(item["name"]), item["scenario"]) for item in job.inputs], options, **common
        )
        return {"runs": [run.to_dict() for run in runs]}
    scenario = job.inputs[0]["scenario"]
    if job.kind == "frontier":
        return frontier(scenario, str(job.params["axis"]), list(job.params["values"]), **common)
    if job.kind == "robustness":
        return robustness(scenario, _spec(job.params), **common)
    return sensitivity(scenario, include_kpis=bool(job.params.get("include_kpis")), **common)


def launch(job_id: int, database_url: str) -> int:
    """Start a detached worker process for ``job_id``; returns its process id.

    The process outlives the request (and a restart of the web server), so a job keeps
    running while users reload or leave the page.
    """
    root = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": path}
    _LAUNCHED[:] = [p for p in _LAUNCHED if p.poll() is None]  # reap finished workers
    process = subprocess.Popen(
        [sys.executable, "-m", "models.scenario_worker", str(job_id)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    _LAUNCHED.append(process)
    return process.pid


def wait_for_workers(timeout: float | None = None) -> None:
    """Wait until the workers this process launched have exited (tests, clean shutdown)."""
    for process in list(_LAUNCHED):
        process.wait(timeout=timeout)
        _LAUNCHED.remove(process)


def main(argv: list[str] | None = None) -> int:
    """Entry point: execute the job whose id is the only argument."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].isdigit():
        sys.stderr.write("usage: python -m models.scenario_worker JOB_ID\n")
        return 2
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    engine = make_engine()
    factory = make_session_factory(engine)
    try:
        execute_job(factory, int(args[0]))
    except Exception as exc:  # e.g. the database went away mid-job: say so if we can
        logger.exception("scenario job %s crashed", args[0])
        _finish(factory, int(args[0]), status="failed", results=None, error=str(exc))
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
