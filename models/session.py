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


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """Create an engine; SQLite gets foreign-key enforcement switched on."""
    resolved = database_url(url)
    engine = create_engine(resolved, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


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
