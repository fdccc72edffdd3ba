"""Fixtures shared by every test package.

Databases: each test that asks for ``database_url`` gets a fresh database with the
schema migrated and the reference data and demo city seeded. On SQLite (default)
a migrated template file is copied per test; when ``DATABASE_URL`` points at
PostgreSQL, a template database is built once per session and each test gets
``CREATE DATABASE … TEMPLATE …`` (named after the URL's database, dropped after
the test; the database named in the URL itself is never touched).

Property tests are repeatable: every run draws the same examples (Hypothesis's
``derandomize``), so a suite that passed passes again on the same code, and a new
failing example is a change's doing. ``make fuzz`` (``HYPOTHESIS_PROFILE=fuzz``) draws
fresh ones; what it finds goes in as an ``@example``.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from huey.consumer import Consumer
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from models import migrate
from models.jobs.queue import huey, use_queue
from models.services.demo import DEMO_USERS, seed_demo
from models.services.reference_data import load_kpi_catalogue
from models.session import make_engine, make_session_factory, transaction
from tests.read_guard import OUTSIDE_READS, install_read_guard

REPO = Path(__file__).resolve().parents[1]
TEST_DATA = REPO / "tests" / "data"


install_read_guard(REPO)

settings.register_profile("repeatable", derandomize=True, deadline=None)
if os.environ.get("HYPOTHESIS_PROFILE", "ci") != "fuzz":
    settings.load_profile("repeatable")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if code under test swallowed a refused read beside the repository."""
    if OUTSIDE_READS:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name every file the suite tried to read beside the repository."""
    for path in sorted(set(OUTSIDE_READS)):
        terminalreporter.write_line(f"read outside the repository: {path}", red=True)


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return None


def _build(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    with transaction(make_session_factory(engine)) as session:
        load_kpi_catalogue(session)
        seed_demo(session)
    engine.dispose()


class SQLiteDatabases:
    def __init__(self, directory: Path) -> None:
        self.template = directory / "template.sqlite3"
        _build(f"sqlite:///{self.template}")

    def fresh(self, directory: Path) -> str:
        path = directory / "test.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def empty(self, directory: Path) -> str:
        return f"sqlite:///{directory / 'empty.sqlite3'}"

    def drop(self, url: str) -> None:
        """Nothing to do: the file lives in the test's tmp_path."""

    def close(self) -> None:
        """Nothing to do: the template lives in pytest's temporary directory."""


class PostgresDatabases:
    def __init__(self, url: str) -> None:
        self.base = make_url(url)
        self.admin = create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        self.prefix = f"{self.base.database}_{os.getpid()}"
        self.template = f"{self.prefix}_tpl"
        self.counter = itertools.count()
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.template}"')
        _build(self.base.set(database=self.template).render_as_string(hide_password=False))

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def fresh(self, directory: Path) -> str:
        name = f"{self.prefix}_t{next(self.counter)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self.base.set(database=name).render_as_string(hide_password=False)

    def empty(self, directory: Path) -> str:
        name = f"{self.prefix}_e{next(self.counter)}"
        self._execute(f'CREATE DATABASE "{name}"')
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def databases(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SQLiteDatabases | PostgresDatabases]:
    pg = _postgres_url()
    provider = PostgresDatabases(pg) if pg else SQLiteDatabases(tmp_path_factory.mktemp("db"))
    yield provider
    provider.close()


@pytest.fixture
def database_url(databases: SQLiteDatabases | PostgresDatabases, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, seeded database for this test."""
    url = databases.fresh(tmp_path)
    yield url
    databases.drop(url)


@pytest.fixture
def empty_database_url(
    databases: SQLiteDatabases | PostgresDatabases, tmp_path: Path
) -> Iterator[str]:
    """A fresh database with no tables at all."""
    url = databases.empty(tmp_path)
    yield url
    databases.drop(url)


@pytest.fixture(scope="session", autouse=True)
def job_queue(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The job queue of this run: ``JOB_QUEUE_URL`` (CI's Redis run), else a SQLite file."""
    url = os.environ.get("JOB_QUEUE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('queue') / 'jobs.sqlite3'}"
    )
    use_queue(url)
    huey.flush()
    return url


@pytest.fixture
def job_worker(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Consumer]:
    """A real Huey consumer (two worker threads in this process) on the test's database.

    Tasks find the database through ``DATABASE_URL``, as a worker process would; the
    queue starts empty. Huey's signal handlers are undone so pytest keeps its own.
    """
    monkeypatch.setenv("DATABASE_URL", database_url)
    huey.flush()
    consumer = huey.create_consumer(
        workers=2, worker_type="thread", periodic=False, initial_delay=0.05, max_delay=0.2
    )
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    handlers = {sig: signal.getsignal(sig) for sig in signals}
    consumer.start()
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    yield consumer
    consumer.stop(graceful=True)
    huey.flush()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    from web import create_app

    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "PENDING_UPLOADS_DIR": str(tmp_path / "pending-uploads"),
        }
    )
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture
def csrf_app(app: Flask) -> Flask:
    """The app with CSRF protection switched on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session on the test's database, for arranging data and checking results."""
    session: Session = app.extensions["db_sessions"]()
    yield session
    session.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str):  # type: ignore[no-untyped-def]
        return self._client.post("/auth/login", data={"email": email, "password": password})

    def login_as(self, role: str):  # type: ignore[no-untyped-def]
        """Log in as the demo city's user holding ``role`` (city_leader, admin, …)."""
        demo = next(u for u in DEMO_USERS if u.role.value == role)
        response = self.login(demo.email, demo.password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def logout(self):  # type: ignore[no-untyped-def]
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture(scope="session")
def test_data() -> Path:
    """``tests/data``: every file a test reads (provenance in ``tests/data/README.md``)."""
    return TEST_DATA
