"""The tasks the job engine's workers execute, and the calls that enqueue them.

Producers (web views, CLI commands) call the ``enqueue_*`` functions only after the
transaction that created the row has committed, so a worker never looks for a row
that is not there yet. Each task opens its own engine on ``DATABASE_URL`` (the
worker's environment names the same database as the web server's), executes, and
disposes of it; the row is the job's state, the queue only carries its id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from huey import crontab
from sqlalchemy.orm import Session, sessionmaker

from models import registry  # noqa: F401 (every table known to the ORM for flushes)
from models.jobs.liveness import fail_stalled
from models.jobs.pieces import QueueExecutor, solve_piece
from models.jobs.queue import huey
from models.scenario_worker import execute_job
from models.services.portfolio import execute_run
from models.session import make_engine, make_session_factory, transaction

logger = logging.getLogger(__name__)


@contextmanager
def _database() -> Iterator[sessionmaker[Session]]:
    engine = make_engine()
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@huey.task(name="portfolio_run")
def portfolio_run_task(run_id: int, solver: str) -> None:
    """Solve a queued portfolio run."""
    with _database() as factory:
        execute_run(factory, run_id, solver)


@huey.task(name="scenario_job")
def scenario_job_task(job_id: int) -> None:
    """Execute a queued scenario job, its solves fanned out as piece tasks."""
    with _database() as factory:
        execute_job(factory, job_id, executor=QueueExecutor(factory, job_id, enqueue_piece))


@huey.task(name="scenario_piece")
def scenario_piece_task(piece_id: int, scenario: dict[str, Any], options: dict[str, Any]) -> None:
    """Solve one piece of a fanned-out scenario job (skipped if already taken)."""
    with _database() as factory:
        solve_piece(factory, piece_id, scenario, options)


@huey.periodic_task(crontab(), name="fail_stalled_jobs")
def fail_stalled_task() -> None:
    """Every minute: fail the running jobs whose worker stopped sending heartbeats."""
    with _database() as factory, transaction(factory) as session:
        count = fail_stalled(session)
    if count:
        logger.warning("marked %d job(s) failed: their worker stopped", count)


def enqueue_portfolio_run(run_id: int, solver: str) -> None:
    """Queue a committed portfolio run for a worker."""
    portfolio_run_task(run_id, solver)


def enqueue_scenario_job(job_id: int) -> None:
    """Queue a committed scenario job for a worker."""
    scenario_job_task(job_id)


def enqueue_piece(piece_id: int, scenario: dict[str, Any], options: dict[str, Any]) -> None:
    """Queue one piece of a scenario job (called by :class:`QueueExecutor`)."""
    scenario_piece_task(piece_id, scenario, options)
