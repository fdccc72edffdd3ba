"""Cities: the unit every other record belongs to."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

if TYPE_CHECKING:
    from models.users import Membership


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
    # Raised by one in the same transaction as every write to the city's data
    # (models/versioning.py); cached pages and snapshots are keyed by it.
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="city", cascade="all, delete-orphan"
    )
