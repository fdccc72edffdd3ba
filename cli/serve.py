"""``decision-support serve``: serve the web app with Waitress, beside a job worker."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

import click

from scenarios.runner import available_workers


def _start_worker(workers: int) -> subprocess.Popen[bytes]:
    """The job-engine worker that executes this server's background runs."""
    command = [sys.executable, "-m", "cli", "jobs", "worker", "--workers", str(workers)]
    return subprocess.Popen(command)


def _stop_worker(process: subprocess.Popen[bytes]) -> None:
    """Stop the worker gracefully (the tasks it is running finish), then for good."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")))
@click.option("--threads", type=int, default=8, show_default=True)
@click.option(
    "--job-workers",
    type=click.IntRange(min=0, max=64),
    default=available_workers,
    show_default="the available cores",
    help="Job worker processes started beside the server (0: run them elsewhere).",
)
def serve(host: str, port: int, threads: int, job_workers: int) -> None:
    """Serve the web app (DATABASE_URL picks the database, JOB_QUEUE_URL the job queue)."""
    from waitress import serve as waitress_serve

    from web import create_app

    app = create_app()
    logging.getLogger("waitress").setLevel(logging.INFO)
    worker = _start_worker(job_workers) if job_workers else None
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    try:
        waitress_serve(app, host=host, port=port, threads=threads)
    finally:
        if worker is not None:
            _stop_worker(worker)
