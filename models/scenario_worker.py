"""What a job-engine worker does with a scenario job: claim, run, report, finish.

:func:`execute_job` claims a queued job, runs it with the pure functions of
:mod:`scenarios` and writes progress after every solve, checking the job's
``cancel_requested`` flag before each new solve. The solves go to the ``executor``
the task passes (one job-engine task per solve, see :mod:`models.jobs.pieces`), or to
a local process pool when none is given. A heartbeat thread keeps the row marked
alive meanwhile. This function is the one place that commits a job's changes: each
progress update and the final result are committed in short transactions of their
own so that pages polling the job see them at once.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker

from decision_support.errors import DecisionSupportError
from models import registry  # noqa: F401 (every table known to the ORM for flushes)
from models.jobs.liveness import heartbeat
from models.jobs.pieces import delete_pieces
from models.scenario_jobs import ScenarioJob
from models.session import transaction
from scenarios.frontier import frontier
from scenarios.robustness import robustness
from scenarios.runner import SolveExecutor, SolveOutcome, run_scenarios
from scenarios.sensitivity import sensitivity
from scenarios.uncertainty import OVERRUN_BY_RISK, UncertaintySpec

logger = logging.getLogger(__name__)


def _claim(factory: sessionmaker[Session], job_id: int) -> ScenarioJob | None:
    """Move a queued job to running (atomically); None when it is not queued."""
    with transaction(factory) as session:
        result = session.execute(
            update(ScenarioJob)
            .where(ScenarioJob.id == job_id, ScenarioJob.status == "queued")
            .values(
                status="running",
                started_at=datetime.now(UTC),
                heartbeat_at=datetime.now(UTC),
                worker_pid=os.getpid(),
                attempts=ScenarioJob.attempts + 1,
            )
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


def execute_job(
    factory: sessionmaker[Session],
    job_id: int,
    workers: int | None = None,
    executor: SolveExecutor | None = None,
) -> str:
    """Run job ``job_id`` to the end; returns its final status (``skipped`` when it was
    not queued). ``executor`` takes the solves; without it, ``workers`` local processes."""
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
        with heartbeat(factory, ScenarioJob, job_id):
            results = _run(job, workers, executor, progress, cancelled)
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
        delete_pieces(session, job_id)


def _run(
    job: ScenarioJob,
    workers: int | None,
    executor: SolveExecutor | None,
    progress: Any,
    cancelled: Any,
) -> dict[str, Any]:
    common = {"workers": workers, "executor": executor, "progress": progress, "cancel": cancelled}
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
