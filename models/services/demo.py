"""The demo city and its demo users (one per role).

Everything here is fictional and labelled so. Seeding is idempotent: every step
looks for what it would create and leaves existing rows alone, so running it twice
changes nothing. These are the only default passwords the product creates; they
are documented in the README and belong to the demo city only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.cities import City
from models.services.cities import BuyerRecord, city_by_slug, create_city
from models.services.finance import seed_demo_finance
from models.services.kpi_demo import seed_demo_kpis
from models.services.procurement import seed_demo_procurement
from models.services.projects import seed_demo_candidates
from models.services.scenarios import seed_demo_scenarios
from models.services.users import create_user, grant_membership
from models.users import Role, User

DEMO_CITY_SLUG = "demo-city"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    password: str
    role: Role


DEMO_USERS = (
    DemoUser(
        "leader@demo-city.example", "Dana Leader (demo)", "demo-leader-2027", Role.CITY_LEADER
    ),
    DemoUser(
        "procurement@demo-city.example",
        "Pat Procurement (demo)",
        "demo-procure-2027",
        Role.PROCUREMENT_OFFICER,
    ),
    DemoUser(
        "finance@demo-city.example", "Fin Finance (demo)", "demo-finance-2027", Role.FINANCE_OFFICER
    ),
    DemoUser("admin@demo-city.example", "Ada Admin (demo)", "demo-admin-2027", Role.ADMIN),
)


# A fictional Catalan municipality publishing in English: the Spanish DIR3 code of a
# local entity (L01 + INE municipality code + check digit); 08999 is no municipality's
# code, so the identifier is fictional but has the real form.
DEMO_BUYER = BuyerRecord(
    language="en",
    country_code="ES",
    region_code="CT",
    buyer_id_scheme="ES-DIR3",
    buyer_id="L01089990",
)


def _demo_city(session: Session) -> tuple[City, int]:
    city = city_by_slug(session, DEMO_CITY_SLUG)
    if city is not None:
        return city, 0
    city = create_city(
        session,
        slug=DEMO_CITY_SLUG,
        name="Demo City (fictional)",
        country="Fictional country (demo data)",
        population=250_000,
        households=110_000,
        currency="EUR",
        rule_pack="eu-2026",
        fiscal_year_start_month=1,
        is_demo=True,
        buyer=DEMO_BUYER,
    )
    return city, 1


def _demo_buyer_record(session: Session, city: City) -> int:
    """The demo city's buyer record, for a demo city seeded before the record existed."""
    if city.country_code:
        return 0
    for name, value in asdict(DEMO_BUYER).items():
        setattr(city, name, value)
    return 1


def _demo_users(session: Session, city: City) -> int:
    created = 0
    for demo in DEMO_USERS:
        user = session.scalar(select(User).where(User.email == demo.email))
        if user is None:
            user = create_user(session, demo.email, demo.name, demo.password)
            grant_membership(session, user, city, demo.role)
            created += 1
    return created


# Steps that fill the demo city with data, in order; each returns how many rows it
# created and must create nothing when its data is already there.
DemoStep = Callable[[Session, City], int]
DEMO_DATA_STEPS: list[tuple[str, DemoStep]] = [
    ("buyer_record", _demo_buyer_record),
    ("users", _demo_users),
    ("kpis", seed_demo_kpis),
    ("projects", seed_demo_candidates),
    ("finance", seed_demo_finance),
    ("planned_contracts", seed_demo_procurement),
    ("scenarios", seed_demo_scenarios),
]


def seed_demo(session: Session) -> dict[str, int]:
    """Create the demo city and its data where missing; returns rows created per step."""
    city, created = _demo_city(session)
    counts = {"city": created}
    for name, step in DEMO_DATA_STEPS:
        counts[name] = step(session, city)
    session.flush()
    return counts
