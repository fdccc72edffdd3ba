"""The polling contract of background work (scenario jobs, portfolio runs).

A page that shows a background job polls one JSON status endpoint. Every such
endpoint answers with the document built here, whatever engine runs the job:

``state``            ``queued`` | ``running`` | ``done`` | ``failed`` | ``cancelled``
``status``           the engine's own status word (kept for older clients)
``finished``         true once nothing more will happen
``failed``           true when the job ended without a result; ``error`` says why
``done``/``total``   units of work finished / planned (``total`` never shrinks)
``progress``         ``done / total`` (0 … 1)
``unit``             what ``done`` counts: ``solves`` or ``percent``
``elapsed_seconds``  since the job started (or was queued), up to its end
``estimate_seconds`` time still needed, from the pace so far (null when unknown)
``estimate_is_bound`` true when the estimate is an upper bound (a time limit), not a pace
``result_url``       the page that shows the result (opened by the page when done)

``web/static/js/job-progress.js`` is the one client of this contract.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

STATES = ("queued", "running", "done", "failed", "cancelled")


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive UTC timestamps; PostgreSQL aware ones."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def elapsed_seconds(
    started: datetime | None, finished: datetime | None, now: datetime | None = None
) -> float:
    """Seconds from ``started`` to ``finished`` (or to ``now`` while running)."""
    begin = _aware(started)
    if begin is None:
        return 0.0
    end = _aware(finished) or _aware(now) or datetime.now(UTC)
    return max(0.0, (end - begin).total_seconds())


def estimate_seconds(elapsed: float, done: int, total: int) -> float | None:
    """Remaining time at the pace so far: ``elapsed / done * (total - done)``.

    None before the first unit finishes (no pace yet) or when nothing remains.
    """
    if done <= 0 or total <= done:
        return None
    return elapsed / done * (total - done)


def status_document(
    *,
    state: str,
    status: str,
    done: int,
    total: int,
    started: datetime | None,
    finished_at: datetime | None,
    error: str | None,
    result_url: str,
    unit: str = "solves",
    estimate: float | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON document a status endpoint returns (see the module docstring).

    ``estimate`` replaces the pace-based estimate by an upper bound (a time limit).
    """
    if state not in STATES:
        raise ValueError(f"unknown job state {state!r}")
    finished = state in ("done", "failed", "cancelled")
    total = max(total, done, 1 if finished else 0)
    done = total if state == "done" else done
    elapsed = elapsed_seconds(started, finished_at)
    if finished:
        remaining = None
    elif estimate is not None:
        remaining = max(0.0, estimate)
    else:
        remaining = estimate_seconds(elapsed, done, total)
    document: dict[str, Any] = {
        "state": state,
        "status": status,
        "finished": finished,
        "failed": state == "failed",
        "done": done,
        "total": total,
        "progress": done / total if total else 0.0,
        "unit": unit,
        "elapsed_seconds": round(elapsed, 1),
        "estimate_seconds": round(remaining, 1) if remaining is not None else None,
        "estimate_is_bound": estimate is not None,
        "error": error,
        "result_url": result_url,
    }
    document.update(extra or {})
    return document
