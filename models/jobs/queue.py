"""The Huey instance every producer and worker shares, chosen by ``JOB_QUEUE_URL``.

- unset: a SQLite file, ``instance/jobs.sqlite3`` under the working directory (the
  embedded default: nothing to install or start beside Python);
- ``sqlite:///PATH``: that SQLite file;
- ``redis://HOST:PORT/DB``: a Redis server, so that workers on other machines take
  the same tasks.

The queue keeps only task messages; every job's state, progress and results live in
the application database, which is what pages read.
"""

from __future__ import annotations

import os
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

from decision_support.errors import DecisionSupportError

DEFAULT_QUEUE_PATH = Path("instance") / "jobs.sqlite3"
QUEUE_NAME = "city-investment-planner"


class QueueConfigurationError(DecisionSupportError):
    """``JOB_QUEUE_URL`` names a queue this product cannot use."""


def queue_url(explicit: str | None = None) -> str:
    """The queue URL: the explicit one, else ``JOB_QUEUE_URL``, else the SQLite file."""
    url = explicit or os.environ.get("JOB_QUEUE_URL")
    if url:
        return url
    DEFAULT_QUEUE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_QUEUE_PATH.resolve()}"


def make_queue(url: str) -> Huey:
    """A Huey instance on the storage ``url`` names (see the module docstring)."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    raise QueueConfigurationError(
        f"JOB_QUEUE_URL must start with sqlite:/// or redis://, not {url.split(':', 1)[0]!r}"
    )


huey = make_queue(queue_url())


def use_queue(url: str) -> None:
    """Point the shared instance (and so every task) at another queue, e.g. a test's."""
    replacement = make_queue(url)
    huey.storage_class = replacement.storage_class
    huey.storage = replacement.storage
