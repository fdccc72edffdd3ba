"""Creating users, checking passwords, and membership look-ups."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from decision_support.errors import InputError, Problem
from models.cities import City
from models.users import Membership, Role, User

MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_new_user(session: Session, email: str, name: str, password: str) -> None:
    """Raise InputError naming each bad field of a new user."""
    problems = []
    if not _EMAIL.match(email):
        problems.append(Problem("not a valid e-mail address", field="email"))
    elif session.scalar(select(User.id).where(User.email == email.lower())) is not None:
        problems.append(Problem(f"a user with e-mail {email} already exists", field="email"))
    if not name.strip():
        problems.append(Problem("a name is required", field="name"))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Problem(f"use at least {MIN_PASSWORD_LENGTH} characters", field="password"))
    if problems:
        raise InputError(problems)


def create_user(session: Session, email: str, name: str, password: str) -> User:
    """Add a user with a hashed password (scrypt, via Werkzeug)."""
    check_new_user(session, email, name, password)
    user = User(
        email=email.lower(), name=name.strip(), password_hash=generate_password_hash(password)
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        return None
    return user if check_password_hash(user.password_hash, password) else None


def grant_membership(session: Session, user: User, city: City, role: Role) -> Membership:
    """Make ``user`` a member of ``city`` with ``role`` (replacing an earlier role)."""
    membership = session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.city_id == city.id)
    )
    if membership is None:
        membership = Membership(user=user, city=city, role=role)
        session.add(membership)
    else:
        membership.role = role
    session.flush()
    return membership


def member_city(session: Session, user: User, slug: str) -> tuple[City, Role] | None:
    """The city ``slug`` with ``user``'s role in it (one statement: every city page
    asks), or None when there is no such city or the user is not a member."""
    row = session.execute(
        select(City, Membership.role)
        .join(Membership, Membership.city_id == City.id)
        .where(City.slug == slug, Membership.user_id == user.id)
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def cities_of(session: Session, user: User) -> list[tuple[City, Role]]:
    """The cities ``user`` belongs to, with the role held in each, by name."""
    rows = session.execute(
        select(City, Membership.role)
        .join(Membership, Membership.city_id == City.id)
        .where(Membership.user_id == user.id)
        .order_by(City.name)
    )
    return [(city, role) for city, role in rows]
