"""Heartbeats of running jobs, and failing the jobs whose worker stopped.

A worker writes ``heartbeat_at`` on the row it is executing every
``JOB_HEARTBEAT_SECONDS`` (default 10) from a thread of its own, so a long solve
without progress callbacks still shows the job alive. A running row whose heartbeat
is older than ``JOB_STALE_SECONDS`` (default 90) belongs to a worker that was killed
or lost its machine: :func:`fail_stalled` marks it failed with that reason, and the
user can retry it. It runs every minute as a periodic task and whenever a page reads
a job, so it works even while no worker is alive to run the periodic task.

A queued row whose task message is gone (a Redis queue restarted without persistence,
an enqueue that failed after the row's commit) would wait for ever: when a page reads a
row queued for longer than ``JOB_REQUEUE_SECONDS`` (default 30) while the queue holds
no task at all, :func:`lost_in_queue` says so and the page queues it again. A duplicate
message is harmless: a worker claims a row with one conditional UPDATE, so the second
message finds it no longer queued and does nothing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models.jobs.queue import huey
from models.scenario_jobs import ScenarioJob
from models.scenarios import PortfolioRun
from models.session import transaction

Tracked = type[ScenarioJob] | type[PortfolioRun]


def heartbeat_seconds() -> float:
    """How often a worker writes its heartbeat (``JOB_HEARTBEAT_SECONDS``)."""
    return float(os.environ.get("JOB_HEARTBEAT_SECONDS", "10"))


def stale_seconds() -> float:
    """How old a heartbeat may be before its job counts as lost (``JOB_STALE_SECONDS``)."""
    return float(os.environ.get("JOB_STALE_SECONDS", "90"))


def requeue_seconds() -> float:
    """How long a row may wait queued before its message may be lost (``JOB_REQUEUE_SECONDS``)."""
    return float(os.environ.get("JOB_REQUEUE_SECONDS", "30"))


def lost_in_queue(status: str, queued_since: datetime | None) -> bool:
    """True for a row queued longer than :func:`requeue_seconds` while the job queue is
    empty: no worker will ever see its message, so it must be queued again."""
    if status != "queued" or queued_since is None:
        return False
    since = queued_since if queued_since.tzinfo else queued_since.replace(tzinfo=UTC)
    if datetime.now(UTC) - since < timedelta(seconds=requeue_seconds()):
        return False
    return huey.pending_count() == 0


def _beat(factory: sessionmaker[Session], model: Tracked, row_id: int) -> None:
    with transaction(factory) as session:
        session.execute(
            update(model)
            .where(model.id == row_id, model.status == "running")
            .values(heartbeat_at=datetime.now(UTC))
        )


@contextmanager
def heartbeat(factory: sessionmaker[Session], model: Tracked, row_id: int) -> Iterator[None]:
    """Keep ``row_id``'s heartbeat fresh while the block runs."""
    stop = threading.Event()
    every = heartbeat_seconds()

    def beat() -> None:
        while not stop.wait(every):
            _beat(factory, model, row_id)

    _beat(factory, model, row_id)
    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__tablename__}-{row_id}")
    thread.daemon = True
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def lost_reason(last_seen: datetime | None) -> str:
    """The message a user reads on a job whose worker stopped."""
    when = f" (last heard from at {last_seen:%Y-%m-%d %H:%M:%S} UTC)" if last_seen else ""
    return f"the worker running this job stopped{when}; retry it to run it again"


def fail_stalled(session: Session, now: datetime | None = None) -> int:
    """Mark every running job and portfolio run with a stale heartbeat failed; their count."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(seconds=stale_seconds())
    failed = 0
    for model, failed_status in ((ScenarioJob, "failed"), (PortfolioRun, "error")):
        stalled = session.execute(
            select(model.id, model.heartbeat_at).where(
                model.status == "running",
                or_(
                    model.heartbeat_at < cutoff,
                    and_(model.heartbeat_at.is_(None), model.created_at < cutoff),
                ),
            )
        ).all()
        for row_id, last_seen in stalled:
            result = session.execute(
                update(model)
                .where(model.id == row_id, model.status == "running")
                .values(status=failed_status, error=lost_reason(last_seen), finished_at=now)
            )
            failed += cast(CursorResult[Any], result).rowcount
    return failed
