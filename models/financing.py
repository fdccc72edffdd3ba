"""Financing mechanisms a city has enabled, with its own terms."""

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
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class FinancingMechanism(Base):
    """A mechanism from the shipped catalogue as this city models it.

    The typed columns are the terms the portfolio model reads; ``terms`` keeps the
    remaining catalogue fields (lead time, capacities, award probability…).
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
