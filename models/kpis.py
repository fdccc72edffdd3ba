"""The KPI catalogue, a city's KPI values and the targets they are scored against."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

QUALITY_FLAGS = (
    "accurate measurement",
    "extrapolated from survey",
    "extrapolated from higher-level data",
    "estimate based on assumptions",
    "personal estimate",
    "unknown",
)
_QUALITY_SQL = ", ".join(f"'{q}'" for q in QUALITY_FLAGS)


class Kpi(Base):
    """One of the 91 U4SSC KPIs, loaded from the shipped catalogue."""

    __tablename__ = "kpis"
    __table_args__ = (
        CheckConstraint(
            "dimension IN ('Economy', 'Environment', 'Society and Culture')", name="dimension"
        ),
        CheckConstraint("value_kind IN ('percentage', 'number', 'yes_no')", name="value_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    code_compact: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    dimension: Mapped[str] = mapped_column(String(40))
    sub_dimension: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(80))
    core: Mapped[bool] = mapped_column(Boolean)
    unit: Mapped[str] = mapped_column(String(120))
    value_kind: Mapped[str] = mapped_column(String(16))
    data_points: Mapped[list[str]] = mapped_column(JSON, default=list)
    direction: Mapped[str] = mapped_column(String(32))
    definition: Mapped[str] = mapped_column(Text, default="")
    sdg_targets: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(Text, default="")


class KpiValue(Base):
    """A city's reported value of a KPI (or one of its data points) for one year.

    ``value`` NULL means "not reported" (NR); ``data_point`` is '' for KPIs that are
    not reported per data point, so the uniqueness rule works on every database.
    """

    __tablename__ = "kpi_values"
    __table_args__ = (
        UniqueConstraint("city_id", "kpi_id", "data_point", "year"),
        CheckConstraint("year BETWEEN 1900 AND 2100", name="year_range"),
        CheckConstraint(f"quality IN ({_QUALITY_SQL})", name="quality_flag"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="RESTRICT"))
    data_point: Mapped[str] = mapped_column(String(60), default="")
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(120), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    quality: Mapped[str] = mapped_column(String(40), default="unknown")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    kpi: Mapped[Kpi] = relationship()


class KpiTarget(Base):
    """A target for a KPI (or data point): a shipped reference target (``city_id``
    NULL, scope 'reference') or a city's own, which overrides the reference."""

    __tablename__ = "kpi_targets"
    __table_args__ = (
        UniqueConstraint("city_id", "kpi_id", "data_point"),
        Index(
            "uq_kpi_targets_reference",
            "kpi_id",
            "data_point",
            unique=True,
            sqlite_where=text("city_id IS NULL"),
            postgresql_where=text("city_id IS NULL"),
        ),
        CheckConstraint("scope IN ('reference', 'city')", name="scope"),
        CheckConstraint(
            "(scope = 'reference' AND city_id IS NULL) OR (scope = 'city' AND city_id IS NOT NULL)",
            name="scope_matches_city",
        ),
        CheckConstraint(
            "target_year IS NULL OR target_year BETWEEN 1900 AND 2100", name="target_year_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"))
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="RESTRICT"))
    data_point: Mapped[str] = mapped_column(String(60), default="")
    scope: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)  # NULL: "no benchmark"
    direction: Mapped[str] = mapped_column(String(32), default="")
    target_year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")

    kpi: Mapped[Kpi] = relationship()
