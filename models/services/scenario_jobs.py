"""Starting, cancelling and listing background analyses of saved scenarios.

A job is created with the full input snapshot (each saved scenario resolved to its
solvable document, with the version it was taken from), so that its results can always
be traced back to, and reproduced from, exactly what was solved. Services flush, never
commit; a job-engine worker (:mod:`models.jobs.tasks`) executes the job once the
request has committed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from decision_support.errors import InputError, Problem
from models.cities import City
from models.jobs.liveness import fail_stalled
from models.jobs.pieces import delete_pieces
from models.scenario_jobs import ScenarioJob
from models.scenarios import Scenario
from models.services.audit import record_change
from models.services.scenarios import resolve_scenario
from models.users import User
from scenarios.frontier import AXES, frontier_budget, linspace
from scenarios.robustness import planned_solves, robustness_budget
from scenarios.runner import run_budget
from scenarios.sensitivity import sensitivity_budget
from scenarios.uncertainty import UncertaintySpec

MAX_SAMPLES = 2000
MAX_POINTS = 50


def _snapshot(session: Session, scenario: Scenario) -> dict[str, Any]:
    return {
        "scenario_id": scenario.id,
        "version": scenario.version,
        "name": scenario.name,
        "scenario": resolve_scenario(session, scenario),
    }


def _job(
    session: Session,
    city: City,
    actor: User | None,
    *,
    kind: str,
    title: str,
    inputs: list[dict[str, Any]],
    params: dict[str, Any],
    total: int,
) -> ScenarioJob:
    job = ScenarioJob(
        city_id=city.id,
        kind=kind,
        title=title[:300],
        inputs=inputs,
        params=params,
        total=total,
        created_by=actor.id if actor is not None else None,
    )
    session.add(job)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="start",
        entity="scenario_job",
        entity_id=job.id,
        city_id=city.id,
        details={"kind": kind, "title": job.title},
    )
    return job


def start_run_job(
    session: Session,
    city: City,
    actor: User | None,
    scenarios: Sequence[Scenario],
    options: dict[str, Any] | None = None,
) -> ScenarioJob:
    """Queue a run of one or more saved scenarios (compared when two or more finish)."""
    if not scenarios:
        raise InputError(Problem("choose at least one scenario to run", field="scenario_ids"))
    inputs = [_snapshot(session, s) for s in scenarios]
    return _job(
        session,
        city,
        actor,
        kind="run",
        title="Run: " + ", ".join(s.name for s in scenarios),
        inputs=inputs,
        params={
            "options": dict(options or {}),
            "time_budget": run_budget(len(inputs), dict(options or {})),
        },
        total=len(inputs),
    )


def start_frontier_job(
    session: Session,
    city: City,
    actor: User | None,
    scenario: Scenario,
    *,
    axis: str,
    low: float,
    high: float,
    steps: int,
) -> ScenarioJob:
    """Queue a frontier over ``axis`` from ``low`` to ``high`` in ``steps`` points."""
    problems = []
    if axis not in AXES:
        problems.append(Problem(f"unknown axis '{axis}'", field="axis"))
    if not 2 <= steps <= MAX_POINTS:
        problems.append(Problem(f"between 2 and {MAX_POINTS} points", field="steps"))
    if not 0 <= low < high:
        problems.append(Problem("needs 0 <= from < to", field="high"))
    if problems:
        raise InputError(problems)
    values = linspace(low, high, steps)
    return _job(
        session,
        city,
        actor,
        kind="frontier",
        title=f"Frontier ({AXES[axis].label}): {scenario.name}",
        inputs=[_snapshot(session, scenario)],
        params={"axis": axis, "values": values, "time_budget": frontier_budget(steps, {})},
        total=steps,
    )


def start_robustness_job(
    session: Session,
    city: City,
    actor: User | None,
    scenario: Scenario,
    *,
    samples: int,
    seed: int,
    weight_spread: float = 0.30,
    impact_spread: float = 0.25,
    default_risk: str = "medium",
) -> ScenarioJob:
    """Queue a Monte Carlo robustness run (core indices of the scenario's projects)."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise InputError(Problem(f"between 1 and {MAX_SAMPLES} samples", field="samples"))
    spec = UncertaintySpec(
        samples=samples,
        seed=seed,
        weight_spread=weight_spread,
        impact_spread=impact_spread,
        default_risk=default_risk,
    )
    snapshot = _snapshot(session, scenario)
    spec.check({str(p["id"]) for p in snapshot["scenario"].get("projects") or []})
    return _job(
        session,
        city,
        actor,
        kind="robustness",
        title=f"Robustness ({samples} samples): {scenario.name}",
        inputs=[snapshot],
        params={"spec": spec.to_dict(), "time_budget": robustness_budget(spec, {})},
        total=planned_solves(samples),
    )


def start_sensitivity_job(
    session: Session,
    city: City,
    actor: User | None,
    scenario: Scenario,
    *,
    include_kpis: bool = False,
) -> ScenarioJob:
    """Queue a weight and rate sensitivity analysis."""
    snapshot = _snapshot(session, scenario)
    budget = sensitivity_budget(snapshot["scenario"], {}, include_kpis=include_kpis)
    return _job(
        session,
        city,
        actor,
        kind="sensitivity",
        title=f"Sensitivity: {scenario.name}",
        inputs=[snapshot],
        params={"include_kpis": include_kpis, "time_budget": budget},
        total=1,
    )


def request_cancel(session: Session, job: ScenarioJob, actor: User | None) -> bool:
    """Ask the worker to stop after the solves already running; False if already finished."""
    if job.finished:
        return False
    if job.status == "queued":
        job.status = "cancelled"
    job.cancel_requested = True
    session.flush()
    record_change(
        session,
        actor=actor,
        action="cancel",
        entity="scenario_job",
        entity_id=job.id,
        city_id=job.city_id,
        details={},
    )
    return True


def refresh_liveness(session: Session, job: ScenarioJob) -> None:
    """Fail the jobs whose worker stopped (stale heartbeat), so the page tells the truth."""
    if job.status == "running" and fail_stalled(session):
        session.refresh(job)


def retry_job(session: Session, job: ScenarioJob, actor: User | None) -> None:
    """Queue a failed or cancelled job again from its stored input snapshot."""
    if job.status not in ("failed", "cancelled"):
        raise InputError(Problem("only a failed or cancelled job can be retried", field="job"))
    delete_pieces(session, job.id)
    job.status = "queued"
    job.progress, job.done = 0.0, 0
    job.results = job.error = None
    job.cancel_requested = False
    job.started_at = job.finished_at = job.heartbeat_at = None
    job.worker_pid = None
    session.flush()
    record_change(
        session,
        actor=actor,
        action="retry",
        entity="scenario_job",
        entity_id=job.id,
        city_id=job.city_id,
        details={"attempts": job.attempts},
    )


def jobs_of(session: Session, city: City, limit: int = 30) -> list[ScenarioJob]:
    """The city's most recent jobs, newest first."""
    return list(
        session.scalars(
            select(ScenarioJob)
            .where(ScenarioJob.city_id == city.id)
            .order_by(ScenarioJob.created_at.desc(), ScenarioJob.id.desc())
            .limit(limit)
        )
    )


def job_status(job: ScenarioJob) -> dict[str, Any]:
    """What a progress poll needs to know about a job."""
    return {
        "id": job.id,
        "kind": job.kind,
        "title": job.title,
        "status": job.status,
        "progress": job.progress,
        "done": job.done,
        "total": job.total,
        "cancel_requested": job.cancel_requested,
        "finished": job.finished,
        "error": job.error,
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
