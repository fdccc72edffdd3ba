"""Cities: the unit every other record belongs to."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

if TYPE_CHECKING:
    from models.users import Membership


class DataDomain(enum.StrEnum):
    """The parts of a city's data that change independently of each other. Each has
    a version on the city row (``<domain>_version``), raised by every write to it
    (``models/versioning.py``); a cached item is keyed by the versions of the domains
    it reads (``models.cache.data_key``), so a write to one domain leaves the others'
    cached items valid."""

    PROFILE = "profile"  # the city row itself (name, currency, rule pack…), memberships
    KPIS = "kpis"  # KPI values, the city's targets (and the shared catalogue, references)
    PROJECTS = "projects"  # candidate projects, their KPI impacts, city sizes
    FINANCE = "finance"  # financing mechanisms, the fiscal profile and its years
    PROCUREMENT = "procurement"  # planned contracts, tender checks
    PORTFOLIO = "portfolio"  # scenarios and their versions, portfolio runs, scenario jobs


class City(Base):
    __tablename__ = "cities"
    __table_args__ = (
        CheckConstraint("population > 0", name="population_positive"),
        CheckConstraint("households IS NULL OR households > 0", name="households_positive"),
        CheckConstraint("length(currency) = 3", name="currency_iso"),
        CheckConstraint(
            "fiscal_year_start_month BETWEEN 1 AND 12", name="fiscal_year_start_month_range"
        ),
        CheckConstraint("length(slug) > 0", name="slug_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(100))
    # The buyer record of the city's notices (rules/buyer.py checks the codes):
    # BCP 47 language, ISO 3166-1 alpha-2 country, ISO 3166-2 subdivision without
    # the country prefix (also picks the regional public holidays), and the
    # organisation identifier as an org-id.guide scheme plus the register's id.
    language: Mapped[str] = mapped_column(String(35), default="en", server_default="en")
    country_code: Mapped[str] = mapped_column(String(2), default="", server_default="")
    region_code: Mapped[str] = mapped_column(String(3), default="", server_default="")
    buyer_id_scheme: Mapped[str] = mapped_column(String(40), default="", server_default="")
    buyer_id: Mapped[str] = mapped_column(String(100), default="", server_default="")
    population: Mapped[int] = mapped_column(Integer)
    households: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    rule_pack: Mapped[str] = mapped_column(String(40))
    fiscal_year_start_month: Mapped[int] = mapped_column(Integer, default=1)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Raised by one in the same transaction as every write to the city's data, whatever
    # its domain (models/versioning.py): "has anything changed since".
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # One version per DataDomain, raised with writes to that domain only; cached pages
    # and snapshots are keyed by the versions of the domains they read.
    profile_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    kpis_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    projects_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    finance_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    procurement_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    portfolio_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="city", cascade="all, delete-orphan"
    )

    def version(self, domain: DataDomain) -> int:
        """The current version of the city's data in ``domain``."""
        value: int = getattr(self, version_column(domain))
        return value


def version_column(domain: DataDomain) -> str:
    """The name of the city column holding ``domain``'s version."""
    return f"{domain.value}_version"
