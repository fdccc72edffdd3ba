"""``decision-support serve``: serve the web app with its production server,
beside a job worker.

Gunicorn (POSIX) runs ``--workers`` processes of ``--threads`` threads each
("gthread" workers). Pages are Python work that holds the interpreter lock, so
one process per core is what turns cores into throughput; threads let a process
go on serving while one request waits on the database or on a long upload, and a
slow request holds one thread, never the others. The defaults fit the machine:
``WEB_CONCURRENCY`` or the number of usable cores (at least 2) processes, 8
threads each. Waitress (one process, threads only) is the fallback where
Gunicorn does not run (Windows) and on request (``--server waitress``).
Background runs (portfolio runs, scenario analyses) are executed by job-engine
worker processes started beside the server (``--job-workers``), never in the
server's request threads. See README.md, "Serving in production".
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from typing import Any

import click

from scenarios.runner import available_workers

DEFAULT_THREADS = 8
# Seconds a worker may stay silent before the master replaces it. Requests run in
# threads and the solver releases the interpreter lock, so a slow request does not
# silence its worker; this only catches a process that has hung.
DEFAULT_TIMEOUT = 120
GRACEFUL_TIMEOUT = 30  # seconds to finish requests in flight on shutdown or reload
KEEPALIVE = 5  # seconds an idle browser connection is kept open


def default_workers() -> int:
    """``WEB_CONCURRENCY`` when set, else the cores this process may use (at least 2)."""
    if os.environ.get("WEB_CONCURRENCY"):
        return max(1, int(os.environ["WEB_CONCURRENCY"]))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(2, cores or 1)


def gunicorn_options(
    host: str, port: int, workers: int, threads: int, timeout: int
) -> dict[str, Any]:
    """The Gunicorn settings ``serve`` uses (also read by the load benchmark)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": timeout,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": KEEPALIVE,
        # Each worker builds its own app (own database pool) after the fork.
        "preload_app": False,
        # No recycling after a number of requests (max_requests 0): the caches are
        # bounded, and a recycled process would start with a cold cache.
        "max_requests": 0,
        # Gunicorn 25+ opens a control socket in the home folder by default: one
        # path for every server of the user, so a second server would take it over.
        "control_socket_disable": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
    }


def _start_worker(workers: int) -> subprocess.Popen[bytes]:
    """The job-engine worker that executes this server's background runs, in a process
    group of its own, so that stopping it reaches the worker processes it forks."""
    command = [sys.executable, "-m", "cli", "jobs", "worker", "--workers", str(workers)]
    return subprocess.Popen(command, start_new_session=True)


def _stop_worker(process: subprocess.Popen[bytes]) -> None:
    """Stop the worker's whole group gracefully (running tasks finish), then for good."""
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:  # it had stopped already
        process.wait()


def _exit_on_sigterm() -> None:
    """Turn SIGTERM (a service manager's stop) into a normal exit, so the job worker is
    stopped too; Gunicorn installs its own handlers in its arbiter."""
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))


def _serve_gunicorn(options: dict[str, Any]) -> None:
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:  # settings older releases lack are skipped
                    self.cfg.set(key, value)

        def load(self) -> Any:
            from web import create_app

            return create_app()

    Application().run()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")))
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Server processes [default: WEB_CONCURRENCY or the number of cores, at least 2].",
)
@click.option("--threads", type=click.IntRange(min=1), default=DEFAULT_THREADS, show_default=True)
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds before a hung worker process is replaced.",
)
@click.option(
    "--job-workers",
    type=click.IntRange(min=0, max=64),
    default=available_workers,
    show_default="the available cores",
    help="Job worker processes started beside the server (0: run them elsewhere).",
)
@click.option(
    "--server",
    type=click.Choice(["gunicorn", "waitress"]),
    default="waitress" if os.name == "nt" else "gunicorn",
    show_default=True,
)
def serve(
    host: str,
    port: int,
    workers: int | None,
    threads: int,
    timeout: int,
    job_workers: int,
    server: str,
) -> None:
    """Serve the web app (DATABASE_URL picks the database, JOB_QUEUE_URL the job queue)."""
    from web import create_app

    # One pooled database connection per request thread (the workers inherit this).
    os.environ.setdefault("DATABASE_POOL_SIZE", str(threads))
    # Fail here, with one message, rather than in every worker after the fork.
    app = create_app()
    worker = _start_worker(job_workers) if job_workers else None
    _exit_on_sigterm()
    try:
        if server == "waitress":
            from waitress import serve as waitress_serve

            logging.getLogger("waitress").setLevel(logging.INFO)
            click.echo(f"Serving on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
            waitress_serve(app, host=host, port=port, threads=threads, channel_timeout=timeout)
            return
        app.extensions["db_engine"].dispose()
        processes = workers or default_workers()
        click.echo(
            f"Serving on http://{host}:{port}/ with {processes} processes × {threads} threads "
            "(Ctrl+C to stop)",
            err=True,
        )
        _serve_gunicorn(gunicorn_options(host, port, processes, threads, timeout))
    finally:
        if worker is not None:
            _stop_worker(worker)
