"""Configuration classes, read from the environment when the app is created."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from decision_support.files.limits import FileLimits, current_limits
from models.session import database_url

FORM_OVERHEAD_BYTES = 256 * 1024


def _persisted_secret_key(instance_path: str) -> str:
    """A random secret key kept in the instance folder, so sessions survive
    restarts of a local installation that has no SECRET_KEY set."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


class Config:
    """Defaults shared by every environment."""

    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None
    # Database connections each process keeps open (None: SQLAlchemy's 5); ``serve``
    # sets it to its threads per process, so no request waits for a new connection.
    DATABASE_POOL_SIZE: int | None = None
    SOLVER = "HiGHS"  # PuLP solver name; "PULP_CBC_CMD" is the fallback
    SOLVER_TIME_LIMIT = 60
    # One request-size limit for the whole app: the file limit every reader applies
    # (decision_support.files.limits, MAX_UPLOAD_BYTES) plus room for the form's
    # other fields, so a file just over the limit is refused by its reader with the
    # message next to the field, and a far larger body is cut off with 413 unread.
    MAX_CONTENT_LENGTH = FileLimits().max_upload_bytes + FORM_OVERHEAD_BYTES
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    TESTING = False
    NUMBER_LOCALE = "en"  # numbers' locale when the city's country is not recognised
    PEERS_DATASET_DIR: str | None = None  # imported peer results (docs/peers.md)

    @classmethod
    def from_environment(cls, instance_path: str) -> dict[str, Any]:
        """This class's settings with the environment's overrides applied."""
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        settings["SECRET_KEY"] = os.environ.get("SECRET_KEY") or _persisted_secret_key(
            instance_path
        )
        settings["DATABASE_URL"] = database_url(os.environ.get("DATABASE_URL"))
        settings["SOLVER"] = os.environ.get("SOLVER", cls.SOLVER)
        settings["NUMBER_LOCALE"] = os.environ.get("NUMBER_LOCALE", cls.NUMBER_LOCALE)
        settings["MAX_CONTENT_LENGTH"] = current_limits().max_upload_bytes + FORM_OVERHEAD_BYTES
        settings["PEERS_DATASET_DIR"] = os.environ.get("PEERS_DATASET_DIR") or None
        if os.environ.get("DATABASE_POOL_SIZE"):
            settings["DATABASE_POOL_SIZE"] = int(os.environ["DATABASE_POOL_SIZE"])
        if "SOLVER_TIME_LIMIT" in os.environ:
            settings["SOLVER_TIME_LIMIT"] = int(os.environ["SOLVER_TIME_LIMIT"])
        return settings


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True


class TestingConfig(Config):
    TESTING = True
    SOLVER_TIME_LIMIT = 20


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_class() -> type[Config]:
    """The class named by ``APP_ENV`` (development by default)."""
    return CONFIGS.get(os.environ.get("APP_ENV", "development"), DevelopmentConfig)
