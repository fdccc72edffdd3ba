"""Uploads waiting for the user's confirmation (an import previewed before it replaces
stored data).

The file is kept in ``PENDING_UPLOADS_DIR`` (default: the instance folder's
``pending-uploads``) under a random token, with the city and user it belongs to; only
that user, in that city, can take it back, once. Files older than
``PENDING_UPLOAD_SECONDS`` (default one hour) are removed whenever a new one is stored.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

_TOKEN_BYTES = 24


@dataclass(frozen=True)
class PendingUpload:
    """A stored upload: its bytes, file name and what the page stored with it."""

    content: bytes
    filename: str
    extra: dict[str, Any]


def _folder() -> Path:
    configured = current_app.config.get("PENDING_UPLOADS_DIR")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "pending-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _max_age() -> float:
    return float(current_app.config.get("PENDING_UPLOAD_SECONDS", 3600))


def _expire(folder: Path) -> None:
    cutoff = time.time() - _max_age()
    for path in folder.glob("*.json"):
        if path.stat().st_mtime < cutoff:
            path.with_suffix(".bin").unlink(missing_ok=True)
            path.unlink(missing_ok=True)


def store(content: bytes, *, filename: str, owner: tuple[int, int], extra: dict[str, Any]) -> str:
    """Keep ``content`` for ``owner`` (city id, user id); returns its token."""
    folder = _folder()
    _expire(folder)
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    (folder / f"{token}.bin").write_bytes(content)
    meta = {"filename": filename, "owner": list(owner), "extra": extra}
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def take(token: str, *, owner: tuple[int, int]) -> PendingUpload | None:
    """The upload stored under ``token`` for ``owner``, removed from the store; None when
    there is none (unknown, expired, taken already, or someone else's)."""
    if not token or not all(c.isalnum() or c in "-_" for c in token):
        return None
    folder = _folder()
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.bin"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        fresh = meta_path.stat().st_mtime >= time.time() - _max_age()
    except (OSError, ValueError):
        return None
    if tuple(meta.get("owner") or ()) != tuple(owner):
        return None
    try:
        content = data_path.read_bytes()
    except OSError:
        return None
    meta_path.unlink(missing_ok=True)
    data_path.unlink(missing_ok=True)
    if not fresh:
        return None
    return PendingUpload(content, str(meta.get("filename") or "upload"), dict(meta["extra"]))
