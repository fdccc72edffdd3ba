"""Creating cities and finding them."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from decision_support.errors import InputError, Problem
from models.cities import City
from models.services.audit import record_change
from models.users import User
from rules.buyer import (
    country_problems,
    identifier_problems,
    language_problems,
    region_problems,
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class BuyerRecord:
    """What a notice needs to know about the city as a buyer (see rules/buyer.py)."""

    language: str = "en"
    country_code: str = ""
    region_code: str = ""
    buyer_id_scheme: str = ""
    buyer_id: str = ""

    def problems(self) -> list[Problem]:
        """Each field whose code is not valid, named by the field."""
        problems = language_problems(self.language)
        if self.country_code:
            problems += country_problems(self.country_code)
        problems += region_problems(self.country_code, self.region_code)
        problems += identifier_problems(self.buyer_id_scheme, self.buyer_id)
        return problems


def buyer_record(city: City) -> BuyerRecord:
    """The city's stored buyer record."""
    return BuyerRecord(
        language=city.language,
        country_code=city.country_code,
        region_code=city.region_code,
        buyer_id_scheme=city.buyer_id_scheme,
        buyer_id=city.buyer_id,
    )


def check_city(
    session: Session,
    *,
    slug: str,
    name: str,
    population: int,
    currency: str,
    month: int,
    buyer: BuyerRecord,
) -> None:
    """Raise InputError naming each bad field of a new city."""
    problems = buyer.problems()
    if not _SLUG.match(slug):
        problems.append(Problem("use lower-case letters, digits and hyphens", field="slug"))
    elif session.scalar(select(City.id).where(City.slug == slug)) is not None:
        problems.append(Problem(f"a city with slug '{slug}' already exists", field="slug"))
    if not name.strip():
        problems.append(Problem("a name is required", field="name"))
    if population <= 0:
        problems.append(Problem("must be a positive number of inhabitants", field="population"))
    if not re.fullmatch(r"[A-Z]{3}", currency):
        problems.append(Problem("use a three-letter ISO 4217 code such as EUR", field="currency"))
    if not 1 <= month <= 12:
        problems.append(Problem("must be a month number 1-12", field="fiscal_year_start_month"))
    if problems:
        raise InputError(problems)


def create_city(
    session: Session,
    *,
    slug: str,
    name: str,
    country: str,
    population: int,
    currency: str,
    rule_pack: str,
    households: int | None = None,
    fiscal_year_start_month: int = 1,
    is_demo: bool = False,
    buyer: BuyerRecord | None = None,
) -> City:
    """A new city (checked first; ``buyer`` defaults to English and no codes)."""
    buyer = buyer or BuyerRecord()
    check_city(
        session,
        slug=slug,
        name=name,
        population=population,
        currency=currency,
        month=fiscal_year_start_month,
        buyer=buyer,
    )
    city = City(
        **asdict(buyer),
        slug=slug,
        name=name.strip(),
        country=country,
        population=population,
        households=households,
        currency=currency,
        rule_pack=rule_pack,
        fiscal_year_start_month=fiscal_year_start_month,
        is_demo=is_demo,
    )
    session.add(city)
    session.flush()
    return city


def city_by_slug(session: Session, slug: str) -> City | None:
    return session.scalar(select(City).where(City.slug == slug))


def update_city_profile(
    session: Session,
    city: City,
    actor: User,
    *,
    name: str,
    country: str,
    population: int,
    households: int | None,
    currency: str,
    rule_pack: str,
    fiscal_year_start_month: int,
    buyer: BuyerRecord | None = None,
) -> City:
    """Change a city's profile, recording the old and new values in the audit log
    (``buyer``: the buyer record; None keeps the stored one)."""
    buyer = buyer or buyer_record(city)
    problems = buyer.problems()
    if not name.strip():
        problems.append(Problem("a name is required", field="name"))
    if population <= 0:
        problems.append(Problem("must be a positive number of inhabitants", field="population"))
    if households is not None and households <= 0:
        problems.append(Problem("must be a positive number", field="households"))
    if not re.fullmatch(r"[A-Z]{3}", currency):
        problems.append(Problem("use a three-letter ISO 4217 code such as EUR", field="currency"))
    if not 1 <= fiscal_year_start_month <= 12:
        problems.append(Problem("must be a month number 1-12", field="fiscal_year_start_month"))
    if problems:
        raise InputError(problems)
    new = {
        "name": name.strip(),
        "country": country.strip(),
        "population": population,
        "households": households,
        "currency": currency,
        "rule_pack": rule_pack,
        "fiscal_year_start_month": fiscal_year_start_month,
        **asdict(buyer),
    }
    changes = {
        field: {"from": getattr(city, field), "to": value}
        for field, value in new.items()
        if getattr(city, field) != value
    }
    for field, value in new.items():
        setattr(city, field, value)
    session.flush()
    if changes:
        record_change(
            session,
            actor=actor,
            action="update",
            entity="city",
            entity_id=city.id,
            city_id=city.id,
            details=changes,
        )
    return city
