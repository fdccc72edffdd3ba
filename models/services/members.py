"""Managing who belongs to a city (admins only, enforced by the web layer)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from decision_support.errors import InputError, Problem
from models.audit import AuditEntry
from models.cities import City
from models.services.audit import record_change
from models.services.users import grant_membership
from models.users import Membership, Role, User


def members_of(session: Session, city: City) -> list[Membership]:
    return list(
        session.scalars(
            select(Membership).join(User).where(Membership.city_id == city.id).order_by(User.name)
        )
    )


def add_member(session: Session, city: City, actor: User, email: str, role: Role) -> Membership:
    """Give an existing user ``role`` in ``city``; the change is audited."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise InputError(
            Problem(
                f"no user with e-mail {email}; create one with 'decision-support users create'",
                field="email",
            )
        )
    membership = grant_membership(session, user, city, role)
    record_change(
        session,
        actor=actor,
        action="grant",
        entity="membership",
        entity_id=membership.id,
        city_id=city.id,
        details={"user": user.email, "role": role.value},
    )
    return membership


def audit_trail(session: Session, city: City, limit: int = 200) -> list[AuditEntry]:
    """The newest ``limit`` audit entries of ``city``."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.city_id == city.id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )
