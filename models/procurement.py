"""A city's planned contracts (for procedure planning and the anti-splitting check)
and its saved ICT tender checks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

CATEGORY_CHECK = "category IN ('works', 'supplies', 'services', 'social-services')"
AUTHORITY_CHECK = "authority IN ('central', 'sub-central', 'utility')"
# What kind of award the contract is; it picks the rule pack and the standstill:
# a public contract, a concession (Dir. 2014/23/EU: routed to the concessions
# pack) or a call-off under an existing framework agreement (its own standstill
# exemption). The values are those of ``CONTRACT_KINDS``.
CONTRACT_KINDS = ("contract", "concession", "call-off")
CONTRACT_KIND_CHECK = "contract_kind IN ('contract', 'concession', 'call-off')"


class PlannedContract(Base):
    """A contract the city plans to tender; valued net of VAT."""

    __tablename__ = "planned_contracts"
    __table_args__ = (
        UniqueConstraint("city_id", "code"),
        CheckConstraint(CATEGORY_CHECK, name="category"),
        CheckConstraint(AUTHORITY_CHECK, name="authority"),
        CheckConstraint(CONTRACT_KIND_CHECK, name="contract_kind"),
        CheckConstraint("estimated_value >= 0", name="value_non_negative"),
        CheckConstraint("options_value >= 0", name="options_non_negative"),
        CheckConstraint("renewals_value >= 0", name="renewals_non_negative"),
        CheckConstraint(
            "framework_years IS NULL OR framework_years > 0", name="framework_years_positive"
        ),
        CheckConstraint("length(code) > 0", name="code_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    authority: Mapped[str] = mapped_column(String(20))
    contract_kind: Mapped[str] = mapped_column(
        String(20), default="contract", server_default="contract"
    )
    estimated_value: Mapped[float] = mapped_column(Float)
    options_value: Mapped[float] = mapped_column(Float, default=0.0)
    renewals_value: Mapped[float] = mapped_column(Float, default=0.0)
    lots: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cpv: Mapped[str] = mapped_column(String(20), default="")
    notice_date: Mapped[date | None] = mapped_column(Date)
    framework_years: Mapped[float | None] = mapped_column(Float)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    pin: Mapped[bool] = mapped_column(Boolean, default=False)
    electronic: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_innovation: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_negotiation: Mapped[bool] = mapped_column(Boolean, default=False)
    direct_award_ground: Mapped[str] = mapped_column(Text, default="")
    procedure: Mapped[str] = mapped_column(String(60), default="")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class TenderCheck(Base):
    """One run of the ICT tender checker, kept as it was shown (report JSON)."""

    __tablename__ = "tender_checks"
    __table_args__ = (
        CheckConstraint("source IN ('form', 'upload')", name="source"),
        CheckConstraint("legal_failures >= 0", name="legal_failures_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(255), default="")
    pack_id: Mapped[str] = mapped_column(String(80))
    legal_failures: Mapped[int] = mapped_column(default=0)
    reports: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
