"""``decision-support jobs``: run job-engine workers and look at the queue."""

from __future__ import annotations

import logging
import sys

import click

from cli.output import emit, json_option
from scenarios.runner import available_workers


@click.group()
def jobs() -> None:
    """Background jobs (portfolio runs, scenario analyses) on the Huey job engine.

    JOB_QUEUE_URL picks the queue (default: the SQLite file instance/jobs.sqlite3;
    redis://HOST:PORT/DB for workers on several machines); DATABASE_URL the database.
    """


@jobs.command("worker")
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=available_workers,
    show_default="the available cores",
    help="Worker processes (each solves one task at a time).",
)
def worker(workers: int) -> None:
    """Execute queued jobs until stopped (Ctrl+C stops after the tasks running)."""
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    from models.jobs.tasks import huey

    huey.create_consumer(workers=workers, worker_type="process", periodic=True, max_delay=1.0).run()


@jobs.command("pending")
@json_option
def pending(as_json: bool) -> None:
    """How many tasks wait in the queue for a worker."""
    from models.jobs.tasks import huey

    emit(
        {"pending": huey.pending_count(), "scheduled": huey.scheduled_count()},
        as_json,
        lambda p: f"{p['pending']} task(s) waiting, {p['scheduled']} scheduled",
    )
