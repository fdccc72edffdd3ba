"""Recording changes in the audit log."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from models.audit import AuditEntry
from models.users import User


def record_change(
    session: Session,
    *,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: int | None = None,
    city_id: int | None = None,
    details: Mapping[str, object] | None = None,
) -> AuditEntry:
    """Add an audit entry for a change made by ``actor`` (None for system tasks)."""
    entry = AuditEntry(
        user_id=actor.id if actor is not None else None,
        city_id=city_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        details=dict(details or {}),
    )
    session.add(entry)
    session.flush()
    return entry
