"""``decision-support serve``: the production server's settings, and a real start."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from cli import serve as serve_command
from cli.serve import default_workers, gunicorn_options
from web import create_app


def test_gunicorn_runs_threaded_workers_with_timeouts():
    options = gunicorn_options("127.0.0.1", 5000, workers=3, threads=8, timeout=120)
    assert options["worker_class"] == "gthread"
    assert (options["workers"], options["threads"], options["timeout"]) == (3, 8, 120)
    assert options["bind"] == "127.0.0.1:5000"
    assert options["max_requests"] == 0  # background runs live in the workers
    assert options["preload_app"] is False


def test_worker_count_follows_web_concurrency_else_the_cores(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    assert default_workers() == 5
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert default_workers() >= 2


def test_each_request_thread_has_a_pooled_database_connection(database_url, monkeypatch):
    """A pool smaller than the threads would close and reopen connections under load."""
    served = {}
    monkeypatch.setenv("DATABASE_POOL_SIZE", "")  # restored (unset) after the test
    monkeypatch.delenv("DATABASE_POOL_SIZE")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    monkeypatch.setattr(serve_command, "_serve_gunicorn", lambda options: served.update(os.environ))
    result = CliRunner().invoke(serve_command.serve, ["--threads", "12", "--job-workers", "0"])
    assert result.exit_code == 0, result.output
    assert served["DATABASE_POOL_SIZE"] == "12"
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret"})
    assert app.extensions["db_engine"].pool.size() == 12  # what each worker builds
    app.extensions["db_engine"].dispose()


@pytest.mark.skipif(os.name == "nt", reason="Gunicorn runs on POSIX systems")
def test_serve_answers_pages_from_several_processes(database_url, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret"}
    command = [sys.executable, "-m", "cli", "serve", "--job-workers", "0"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "2", "--threads", "2"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 60
        while status != 200 and time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                try:
                    conn.request("GET", "/auth/login")
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                finally:
                    conn.close()
            except OSError:
                time.sleep(0.2)
        assert status == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        _, errors = process.communicate(timeout=60)
    log = errors.decode()
    assert "Using worker: gthread" in log
    assert log.count("Booting worker") == 2


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (read from /proc)."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry))
    return children


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads the process table from /proc")
def test_stopping_the_server_stops_its_job_workers(database_url, tmp_path):
    """SIGTERM (what a service manager sends) stops serve and its whole worker group."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "JOB_QUEUE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
    }
    command = [sys.executable, "-m", "cli", "serve", "--server", "waitress", "--job-workers", "1"]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        workers: list[int] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the worker and the processes it forks
            workers = [p for w in _children(process.pid) for p in [w, *_children(w)]]
            if len(workers) >= 2:
                break
            time.sleep(0.2)
        assert len(workers) >= 2, workers
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(p) for p in workers)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
