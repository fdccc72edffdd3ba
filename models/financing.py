"""Financing mechanisms a city has enabled, with its own terms, and its fiscal profile."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base


class FinancingMechanism(Base):
    """A mechanism from the shipped catalogue as this city models it.

    The typed columns are the terms the portfolio model reads; ``terms`` keeps every
    effective figure (lead time, capacities, award probability…, as in
    ``Mechanism.figures()``); ``overrides`` holds only what the city changed from the
    shipped catalogue, so catalogue updates reach figures the city did not touch.
    """

    __tablename__ = "financing_mechanisms"
    __table_args__ = (
        UniqueConstraint("city_id", "key"),
        CheckConstraint("rate >= 0 AND rate <= 1", name="rate_range"),
        CheckConstraint("tenor_years >= 0 AND tenor_years <= 100", name="tenor_range"),
        CheckConstraint("grace_years >= 0 AND grace_years <= tenor_years", name="grace_range"),
        CheckConstraint("max_share > 0 AND max_share <= 1", name="max_share_range"),
        CheckConstraint("min_amount >= 0", name="min_amount_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    mechanism_type: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    rate: Mapped[float] = mapped_column(Float, default=0.0)
    tenor_years: Mapped[int] = mapped_column(Integer, default=0)
    grace_years: Mapped[int] = mapped_column(Integer, default=0)
    max_share: Mapped[float] = mapped_column(Float, default=1.0)
    min_amount: Mapped[float] = mapped_column(Float, default=0.0)
    counts_as_debt: Mapped[bool] = mapped_column(Boolean, default=False)
    eligible_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    terms: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(Text, default="")
    overrides: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")


class FiscalProfileRecord(Base):
    """A city's discount rate and debt rules (one per city); years in :class:`FiscalYearRecord`."""

    __tablename__ = "fiscal_profiles"
    __table_args__ = (
        CheckConstraint("discount_rate >= 0 AND discount_rate <= 1", name="discount_rate_range"),
        CheckConstraint(
            "max_debt_service_ratio IS NULL OR max_debt_service_ratio >= 0",
            name="debt_service_ratio_non_negative",
        ),
        CheckConstraint(
            "max_debt_stock_ratio IS NULL OR max_debt_stock_ratio >= 0",
            name="debt_stock_ratio_non_negative",
        ),
        CheckConstraint(
            "max_interest_to_operating_savings IS NULL OR max_interest_to_operating_savings >= 0",
            name="interest_ratio_non_negative",
        ),
        CheckConstraint("stock_base IN ('revenue', 'assessed_value')", name="stock_base_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(
        ForeignKey("cities.id", ondelete="CASCADE"), unique=True, index=True
    )
    discount_rate: Mapped[float] = mapped_column(Float, default=0.04)
    preset: Mapped[str | None] = mapped_column(String(60))
    max_debt_service_ratio: Mapped[float | None] = mapped_column(Float)
    max_debt_stock_ratio: Mapped[float | None] = mapped_column(Float)
    stock_base: Mapped[str] = mapped_column(String(20), default="revenue")
    max_interest_to_operating_savings: Mapped[float | None] = mapped_column(Float)
    count_leases_and_ppp: Mapped[bool] = mapped_column(Boolean, default=False)
    rules_status: Mapped[str] = mapped_column(String(20), default="city_override")
    rules_url: Mapped[str | None] = mapped_column(Text)
    rules_note: Mapped[str] = mapped_column(Text, default="")

    years: Mapped[list[FiscalYearRecord]] = relationship(
        back_populates="profile",
        cascade="all, delete-orphan",
        order_by="FiscalYearRecord.year",
    )


class FiscalYearRecord(Base):
    """One budget year of a city's fiscal profile (money in the city's currency)."""

    __tablename__ = "fiscal_years"
    __table_args__ = (
        UniqueConstraint("profile_id", "year"),
        CheckConstraint("revenue > 0", name="revenue_positive"),
        CheckConstraint("capital_budget >= 0", name="capital_budget_non_negative"),
        CheckConstraint("existing_debt_service >= 0", name="debt_service_non_negative"),
        CheckConstraint("existing_debt_outstanding >= 0", name="debt_outstanding_non_negative"),
        CheckConstraint(
            "existing_interest IS NULL OR existing_interest >= 0", name="interest_non_negative"
        ),
        CheckConstraint(
            "assessed_value IS NULL OR assessed_value >= 0", name="assessed_value_non_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("fiscal_profiles.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[float] = mapped_column(Float)
    capital_budget: Mapped[float] = mapped_column(Float)
    existing_debt_service: Mapped[float] = mapped_column(Float, default=0.0)
    existing_debt_outstanding: Mapped[float] = mapped_column(Float, default=0.0)
    existing_interest: Mapped[float | None] = mapped_column(Float)
    assessed_value: Mapped[float | None] = mapped_column(Float)
    operating_savings: Mapped[float | None] = mapped_column(Float)

    profile: Mapped[FiscalProfileRecord] = relationship(back_populates="years")
