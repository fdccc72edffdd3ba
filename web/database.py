"""The request's database session. Views and services use ``db_session()``;
the request commits once, after the view, when the response is not an error —
the one place web changes are committed. Errors roll everything back."""

from __future__ import annotations

from flask import Flask, Response, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from models.session import make_engine, make_session_factory


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"], app.config.get("DATABASE_POOL_SIZE"))
    app.extensions["db_engine"] = engine
    app.extensions["db_sessions"] = make_session_factory(engine)
    app.after_request(_commit_or_roll_back)
    app.teardown_appcontext(_close)


def session_factory() -> sessionmaker[Session]:
    factory: sessionmaker[Session] = current_app.extensions["db_sessions"]
    return factory


def db_session() -> Session:
    """The session of the current request (created on first use)."""
    if "db_session" not in g:
        g.db_session = session_factory()()
    session: Session = g.db_session
    return session


def _commit_or_roll_back(response: Response) -> Response:
    session: Session | None = g.get("db_session")
    if session is not None:
        if response.status_code < 400:
            session.commit()
        else:
            session.rollback()
    return response


def _close(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()  # no-op after a commit; undoes work of a failed request
        session.close()
