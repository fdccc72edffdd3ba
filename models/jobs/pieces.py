"""Fan a scenario analysis out into one job-engine task per solve.

:class:`QueueExecutor` is the :class:`scenarios.runner.SolveExecutor` that a scenario
job hands to the pure analysis functions (runs, frontiers, sensitivity, robustness).
For each batch of solves it writes one :class:`~models.job_pieces.JobPiece` row per
solve and enqueues one task per piece; whichever worker claims a piece first (one
conditional UPDATE, so a piece is solved once) solves it and stores the outcome on
the row. While it waits, the job itself claims and solves pieces no worker has taken
yet, so a job never waits on a queue with no free worker, and a piece whose worker
died (claimed longer ago than its time limit allows) is taken back and solved again.

Every piece is a pure function of its scenario and options (samples are drawn from
the job's seed before the fan-out), so the results do not depend on how many
workers there are or which of them solved what.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from models.job_pieces import SETTLED_PIECE_STATUSES, JobPiece
from models.session import transaction
from scenarios.runner import (
    CancelCheck,
    ProgressCallback,
    SolveOutcome,
    SolveTask,
    default_solve,
    execute_task,
)

# Slack on top of a piece's own time limit before its worker counts as lost.
RECLAIM_SLACK_SECONDS = 60.0
DEFAULT_PIECE_TIME_LIMIT = 60.0

Enqueue = Callable[[int, dict[str, Any], dict[str, Any]], None]


def _claim(session: Session, piece_id: int, *, stale_before: datetime | None = None) -> bool:
    """Claim a queued piece (or, with ``stale_before``, one whose claim is that old)."""
    condition = JobPiece.status == "queued"
    if stale_before is not None:
        condition = (JobPiece.status == "running") & (JobPiece.claimed_at < stale_before)
    result = session.execute(
        update(JobPiece)
        .where(JobPiece.id == piece_id, condition)
        .values(status="running", claimed_at=datetime.now(UTC))
    )
    return cast(CursorResult[Any], result).rowcount == 1


def _settle(session: Session, piece_id: int, outcome: SolveOutcome) -> None:
    session.execute(
        update(JobPiece)
        .where(JobPiece.id == piece_id, JobPiece.status == "running")
        .values(
            status=outcome.status,
            result=outcome.result,
            error=outcome.error,
            seconds=round(outcome.seconds, 4),
        )
    )


def solve_piece(
    factory: sessionmaker[Session], piece_id: int, scenario: dict[str, Any], options: dict[str, Any]
) -> str:
    """Worker side: claim the piece, solve it, store the outcome. Its final status, or
    ``skipped`` when someone else has it (or the job was cancelled)."""
    with transaction(factory) as session:
        if not _claim(session, piece_id):
            return "skipped"
        key = session.scalar(select(JobPiece.key).where(JobPiece.id == piece_id)) or ""
    outcome = execute_task(default_solve, SolveTask(key, scenario, options))
    with transaction(factory) as session:
        _settle(session, piece_id, outcome)
    return outcome.status


def _outcome(piece: JobPiece) -> SolveOutcome:
    return SolveOutcome(
        piece.key,
        cast(Any, piece.status),
        result=piece.result,
        error=piece.error,
        seconds=piece.seconds,
    )


class QueueExecutor:
    """Solves batches of a scenario job as pieces on the job engine (module docstring)."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        job_id: int,
        enqueue: Enqueue,
        *,
        poll_seconds: float = 0.2,
    ) -> None:
        self.factory = factory
        self.job_id = job_id
        self.enqueue = enqueue
        self.poll_seconds = poll_seconds

    def _create(self, tasks: Sequence[SolveTask]) -> list[int]:
        with transaction(self.factory) as session:
            batch = (
                session.scalar(
                    select(func.max(JobPiece.batch)).where(JobPiece.job_id == self.job_id)
                )
                or 0
            ) + 1
            pieces = [
                JobPiece(job_id=self.job_id, batch=batch, position=i, key=task.key[:200])
                for i, task in enumerate(tasks)
            ]
            session.add_all(pieces)
            session.flush()
            return [piece.id for piece in pieces]

    def solve_many(
        self,
        tasks: Sequence[SolveTask],
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
    ) -> list[SolveOutcome]:
        """Solve ``tasks`` as pieces; outcomes in task order (the runner's contract)."""
        if not tasks:
            return []
        ids = self._create(tasks)
        for piece_id, task in zip(ids, tasks, strict=True):
            self.enqueue(piece_id, task.scenario, task.options)
        position = {piece_id: i for i, piece_id in enumerate(ids)}
        outcomes: dict[int, SolveOutcome] = {}
        while len(outcomes) < len(tasks):
            if cancel is not None and cancel():
                self._cancel_queued(ids)
            settled = self._collect(ids, outcomes)
            for piece_id in settled:
                if progress is not None:
                    progress(len(outcomes), len(tasks), outcomes[position[piece_id]])
            if len(outcomes) < len(tasks) and not settled and not self._help(ids, tasks, position):
                time.sleep(self.poll_seconds)
        return [outcomes[i] for i in range(len(tasks))]

    def _collect(self, ids: list[int], outcomes: dict[int, SolveOutcome]) -> list[int]:
        """Read newly settled pieces into ``outcomes``; their ids."""
        position = {piece_id: i for i, piece_id in enumerate(ids)}
        waiting = [piece_id for piece_id in ids if position[piece_id] not in outcomes]
        with self.factory() as session:
            settled = session.scalars(
                select(JobPiece).where(
                    JobPiece.id.in_(waiting), JobPiece.status.in_(SETTLED_PIECE_STATUSES)
                )
            ).all()
            for piece in settled:
                outcomes[position[piece.id]] = _outcome(piece)
            return [piece.id for piece in settled]

    def _help(self, ids: list[int], tasks: Sequence[SolveTask], position: dict[int, int]) -> bool:
        """Solve one piece no worker has taken (or whose worker is lost) here; False if none."""
        with transaction(self.factory) as session:
            rows = session.execute(
                select(JobPiece.id, JobPiece.status).where(
                    JobPiece.id.in_(ids), JobPiece.status.in_(("queued", "running"))
                )
            ).all()
            mine = None
            for piece_id, status in rows:
                task = tasks[position[piece_id]]
                if status == "queued":
                    claimed = _claim(session, piece_id)
                else:
                    limit = float(task.options.get("time_limit") or DEFAULT_PIECE_TIME_LIMIT)
                    lost = datetime.now(UTC) - timedelta(seconds=limit + RECLAIM_SLACK_SECONDS)
                    claimed = _claim(session, piece_id, stale_before=lost)
                if claimed:
                    mine = piece_id
                    break
        if mine is None:
            return False
        outcome = execute_task(default_solve, tasks[position[mine]])
        with transaction(self.factory) as session:
            _settle(session, mine, outcome)
        return True

    def _cancel_queued(self, ids: list[int]) -> None:
        with transaction(self.factory) as session:
            session.execute(
                update(JobPiece)
                .where(JobPiece.id.in_(ids), JobPiece.status == "queued")
                .values(status="cancelled")
            )


def delete_pieces(session: Session, job_id: int) -> None:
    """Drop a job's pieces once their outcomes are folded into the job's results."""
    session.execute(delete(JobPiece).where(JobPiece.job_id == job_id))
