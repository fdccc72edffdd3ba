"""Managing who belongs to a city (admins only, enforced by the web layer)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from decision_support.errors import InputError, Problem
from models.audit import AuditEntry
from models.cities import City
from models.services.audit import record_change
from models.services.users import create_user, grant_membership
from models.users import Membership, Role, User

AUDIT_PAGE_SIZE = 50


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


def temporary_password() -> str:
    """A one-time password to hand to a user (16 URL-safe characters, ~96 bits)."""
    return secrets.token_urlsafe(12)


def invite_user(
    session: Session, city: City, actor: User, email: str, name: str, role: Role
) -> tuple[Membership, str]:
    """Create a user with a temporary password and make them a member with ``role``.

    Returns the membership and the temporary password, which the admin passes on
    (nothing is e-mailed; the password is shown once and only its hash is stored).
    Audited without the password.
    """
    password = temporary_password()
    user = create_user(session, email, name, password)
    membership = grant_membership(session, user, city, role)
    record_change(
        session,
        actor=actor,
        action="invite",
        entity="membership",
        entity_id=membership.id,
        city_id=city.id,
        details={"user": user.email, "role": role.value},
    )
    return membership, password


def _member(session: Session, city: City, membership_id: int) -> Membership:
    membership = session.get(Membership, membership_id)
    if membership is None or membership.city_id != city.id:
        raise InputError(Problem("no such member of this city", field="member"))
    return membership


def reset_password(
    session: Session, city: City, actor: User, membership_id: int
) -> tuple[str, str]:
    """Give a member of ``city`` a new temporary password; returns (their e-mail, the
    password), which is never stored in clear. Audited without the password."""
    membership = _member(session, city, membership_id)
    password = temporary_password()
    membership.user.password_hash = generate_password_hash(password)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="reset_password",
        entity="user",
        entity_id=membership.user_id,
        city_id=city.id,
        details={"user": membership.user.email},
    )
    return membership.user.email, password


def _admins_left(session: Session, city: City, without: Membership) -> int:
    return int(
        session.scalar(
            select(func.count(Membership.id)).where(
                Membership.city_id == city.id,
                Membership.role == Role.ADMIN,
                Membership.id != without.id,
            )
        )
        or 0
    )


def remove_member(session: Session, city: City, actor: User, membership_id: int) -> str:
    """Take a user out of ``city`` (the account stays; other cities keep it). The last
    admin cannot be removed. Audited; returns the removed user's e-mail."""
    membership = _member(session, city, membership_id)
    if membership.role == Role.ADMIN and _admins_left(session, city, membership) == 0:
        raise InputError(Problem("the city's last admin cannot be removed", field="member"))
    email = membership.user.email
    details: dict[str, object] = {"user": email, "role": membership.role.value}
    session.delete(membership)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="remove",
        entity="membership",
        entity_id=membership_id,
        city_id=city.id,
        details=details,
    )
    return email


def member_by_email(session: Session, city: City, email: str) -> Membership | None:
    """The city's membership of the user with ``email``, if any."""
    return session.scalar(
        select(Membership)
        .join(User)
        .where(Membership.city_id == city.id, User.email == email.strip().lower())
    )


@dataclass(frozen=True)
class AuditPage:
    """One page of a filtered audit log."""

    entries: list[AuditEntry]
    total: int
    page: int
    pages: int
    actions: list[str]  # every action recorded for the city (filter choices)
    entities: list[str]


def audit_page(
    session: Session,
    city: City,
    *,
    action: str = "",
    entity: str = "",
    user: str = "",
    page: int = 1,
    per_page: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """Newest-first audit entries of ``city`` matching the filters (exact action and
    entity, user e-mail containing ``user``), ``per_page`` at a time."""
    query = select(AuditEntry).where(AuditEntry.city_id == city.id)
    if action:
        query = query.where(AuditEntry.action == action)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if user:
        query = query.join(User, User.id == AuditEntry.user_id).where(
            User.email.contains(user.strip().lower())
        )
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    entries = list(
        session.scalars(
            query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )

    def distinct(column: object) -> list[str]:
        return list(
            session.scalars(
                select(column).where(AuditEntry.city_id == city.id).distinct().order_by(column)  # type: ignore[call-overload]
            )
        )

    return AuditPage(
        entries, total, page, pages, distinct(AuditEntry.action), distinct(AuditEntry.entity)
    )


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
