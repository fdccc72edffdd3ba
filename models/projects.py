"""A city's candidate projects and the KPI changes each is expected to cause."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.kpis import Kpi


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("city_id", "code"),
        CheckConstraint("opex_per_year >= 0", name="opex_non_negative"),
        CheckConstraint("savings_per_year >= 0", name="savings_non_negative"),
        CheckConstraint("duration_years > 0", name="duration_positive"),
        CheckConstraint("lifetime_years >= duration_years", name="lifetime_covers_duration"),
        CheckConstraint(
            "procurement_category IN ('works', 'supplies', 'services', 'social-services')",
            name="procurement_category",
        ),
        CheckConstraint("risk_level IN ('low', 'medium', 'high')", name="risk_level"),
        CheckConstraint("cost_overrun_risk IN ('low', 'medium', 'high')", name="cost_overrun_risk"),
        CheckConstraint("delivery_risk IN ('low', 'medium', 'high')", name="delivery_risk"),
        CheckConstraint("cost_level IN ('low', 'typical', 'high')", name="cost_level"),
        CheckConstraint(
            "earliest_start IS NULL OR latest_start IS NULL OR earliest_start <= latest_start",
            name="start_window_ordered",
        ),
        CheckConstraint("estimated_value IS NULL OR estimated_value >= 0", name="value_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    template_id: Mapped[str | None] = mapped_column(String(80))
    low_cost: Mapped[bool] = mapped_column(Boolean, default=False)
    capex_profile: Mapped[list[float]] = mapped_column(JSON, default=list)
    opex_per_year: Mapped[float] = mapped_column(Float, default=0.0)
    savings_per_year: Mapped[float] = mapped_column(Float, default=0.0)
    duration_years: Mapped[float] = mapped_column(Float, default=1.0)
    lifetime_years: Mapped[float] = mapped_column(Float, default=10.0)
    earliest_start: Mapped[int | None] = mapped_column(Integer)
    latest_start: Mapped[int | None] = mapped_column(Integer)
    procurement_category: Mapped[str] = mapped_column(String(20), default="services")
    cpv: Mapped[str] = mapped_column(String(20), default="")
    estimated_value: Mapped[float | None] = mapped_column(Float)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    risk_level: Mapped[str] = mapped_column(String(8), default="medium")  # worse of the two
    cost_overrun_risk: Mapped[str] = mapped_column(String(8), default="medium")
    delivery_risk: Mapped[str] = mapped_column(String(8), default="medium")
    intervention: Mapped[str | None] = mapped_column(String(80))
    contract: Mapped[str] = mapped_column(Text, default="")
    cost_level: Mapped[str] = mapped_column(String(8), default="typical")
    sizes: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    requires: Mapped[list[str]] = mapped_column(JSON, default=list)
    excludes: Mapped[list[str]] = mapped_column(JSON, default=list)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    impacts: Mapped[list[ProjectImpact]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )


class ProjectImpact(Base):
    """Expected change of one KPI (data point) in the KPI's own unit once completed."""

    __tablename__ = "project_impacts"
    __table_args__ = (
        UniqueConstraint("project_id", "kpi_id", "data_point"),
        CheckConstraint("confidence IN ('low', 'medium', 'high')", name="confidence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="RESTRICT"))
    data_point: Mapped[str] = mapped_column(String(60), default="")
    change: Mapped[float] = mapped_column(Float)
    confidence: Mapped[str] = mapped_column(String(8), default="medium")
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")

    project: Mapped[Project] = relationship(back_populates="impacts")
    kpi: Mapped[Kpi] = relationship()


class CitySize(Base):
    """A size parameter of a city used to instantiate project templates (water
    connections, km of mains, street lights, ...; see ``city_parameters.yaml``).
    The reserved name ``eur_to_local`` holds the EUR → city-currency rate."""

    __tablename__ = "city_sizes"
    __table_args__ = (
        UniqueConstraint("city_id", "name"),
        CheckConstraint("value >= 0", name="value_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
