"""Demo-city seeding step: the fictional KPI values and city targets shipped in
``scenarios/demo_city/`` (every value there is labelled "fictional demo data")."""

from __future__ import annotations

from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.cities import City
from models.kpis import KpiTarget, KpiValue
from models.services.kpi_targets import import_city_targets
from models.services.kpi_values import import_kpi_values


def _demo_file(name: str) -> bytes:
    return resources.files("scenarios").joinpath("demo_city", name).read_bytes()


def seed_demo_kpis(session: Session, city: City) -> int:
    """Import the demo KPI values and targets unless the city has KPI data already;
    returns the number of rows created (0 on a second run)."""
    created = 0
    if not session.scalar(select(func.count(KpiValue.id)).where(KpiValue.city_id == city.id)):
        summary = import_kpi_values(
            session, city, _demo_file("kpi_values.csv"), None, filename="kpi_values.csv"
        )
        created += summary.created
    if not session.scalar(select(func.count(KpiTarget.id)).where(KpiTarget.city_id == city.id)):
        created += import_city_targets(
            session, city, _demo_file("kpi_targets.csv"), None, filename="kpi_targets.csv"
        )
    return created
