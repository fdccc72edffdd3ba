"""Engines and sessions. The database comes from ``DATABASE_URL``; without it the
embedded SQLite file ``instance/decision-support.sqlite3`` under the working
directory is used."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from models import versioning  # noqa: F401  (registers the data-version listener)
from models.cache import SESSION_INFO_KEY, SnapshotCache

DEFAULT_SQLITE_PATH = Path("instance") / "decision-support.sqlite3"


def database_url(explicit: str | None = None) -> str:
    """The database URL: the explicit one, else ``DATABASE_URL``, else the SQLite file."""
    if explicit:
        return explicit
    from_env = os.environ.get("DATABASE_URL")
    if from_env:
        # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3.
        if from_env.startswith("postgres://"):
            from_env = "postgresql+psycopg://" + from_env.removeprefix("postgres://")
        elif from_env.startswith("postgresql://"):
            from_env = "postgresql+psycopg://" + from_env.removeprefix("postgresql://")
        return from_env
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH.resolve()}"


# How long a SQLite connection waits for another process's write lock before it
# gives up with "database is locked" (seconds). Writes take milliseconds; the wait
# only matters under concurrent load from several server processes.
SQLITE_BUSY_TIMEOUT = 30


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on; write-ahead logging, so readers never wait for a writer and
    several server processes can share the file; a busy timeout for writers."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000}")
    cursor.execute("PRAGMA journal_mode=WAL")  # persistent; a no-op once set
    cursor.close()


def make_engine(url: str | None = None, pool_size: int | None = None) -> Engine:
    """Create an engine; SQLite files get foreign keys, WAL and a busy timeout.

    ``pool_size``: connections the pool keeps open (SQLAlchemy's default, 5, when
    None). A server gives it its number of request threads: a connection returned
    while the pool is full is closed, and opening a PostgreSQL connection costs
    tens of milliseconds, so a pool smaller than the threads reconnects under load.
    """
    resolved = database_url(url)
    options: dict[str, Any] = {} if pool_size is None else {"pool_size": pool_size}
    if resolved.startswith("sqlite"):
        engine = create_engine(
            resolved, future=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT}, **options
        )
        event.listen(engine, "connect", _configure_sqlite)
    else:
        engine = create_engine(resolved, future=True, **options)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine``; they share one cache of computed city snapshots."""
    return sessionmaker(
        bind=engine, expire_on_commit=False, info={SESSION_INFO_KEY: SnapshotCache()}
    )


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The one place a CLI command commits: commit on success, roll back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def command_session(url: str | None = None) -> Iterator[Session]:
    """A session for one CLI command on its own engine: committed once on success,
    rolled back on error, and the engine's connections closed either way."""
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()
