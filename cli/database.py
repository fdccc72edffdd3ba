"""``decision-support db|seed|users``: the database schema, seeding and accounts."""

from __future__ import annotations

import click

from cli.output import emit, json_option
from models import migrate
from models.services.cities import city_by_slug
from models.services.demo import seed_demo
from models.services.reference_data import load_kpi_catalogue
from models.services.users import create_user, grant_membership
from models.session import command_session, make_engine
from models.users import Role


@click.group()
def db() -> None:
    """Database schema (Alembic migrations). DATABASE_URL picks the database."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@json_option
def db_upgrade(revision: str, as_json: bool) -> None:
    """Apply migrations up to REVISION."""
    engine = make_engine()
    try:
        migrate.upgrade(engine, revision)
        database = engine.url.render_as_string(hide_password=True)
    finally:
        engine.dispose()
    emit(
        {"database": database, "revision": revision},
        as_json,
        lambda p: f"database {p['database']} upgraded to {p['revision']}",
    )


@click.group()
def seed() -> None:
    """Load reference data and the demo city (idempotent)."""


@seed.command("reference")
@json_option
def seed_reference(as_json: bool) -> None:
    """Load the shipped reference data (U4SSC KPI catalogue)."""
    with command_session() as session:
        changed = load_kpi_catalogue(session)
    emit(
        {"kpis_changed": changed},
        as_json,
        lambda p: f"KPI catalogue: {p['kpis_changed']} rows changed",
    )


@seed.command("demo")
@json_option
def seed_demo_command(as_json: bool) -> None:
    """Load reference data, then the fictional demo city and its demo users."""
    with command_session() as session:
        changed = load_kpi_catalogue(session)
        created = seed_demo(session)
    payload = {"kpis_changed": changed, "created": created}
    emit(
        payload,
        as_json,
        lambda p: (
            "demo seeded: "
            + ", ".join(f"{k} +{v}" for k, v in p["created"].items())
            + f"; KPI rows changed {p['kpis_changed']}"
        ),
    )


@click.group()
def users() -> None:
    """User accounts and city membership."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given (at least 10 characters).",
)
@click.option("--city", "city_slug", help="Slug of a city to make the user a member of.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    help="Role in --city (required with --city).",
)
@json_option
def users_create(
    email: str, name: str, password: str, city_slug: str | None, role: str | None, as_json: bool
) -> None:
    """Add a user, optionally as a member of a city with a role."""
    if (city_slug is None) != (role is None):
        raise click.UsageError("--city and --role go together")
    with command_session() as session:
        city = None
        if city_slug is not None:
            city = city_by_slug(session, city_slug)
            if city is None:
                raise click.UsageError(f"no city with slug '{city_slug}'")
        user = create_user(session, email, name, password)
        if city is not None and role is not None:
            grant_membership(session, user, city, Role(role))
        payload = {"id": user.id, "email": user.email, "city": city_slug, "role": role}
    emit(payload, as_json, lambda p: f"created user {p['email']} (id {p['id']})")
