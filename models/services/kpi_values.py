"""Reading a city's KPI values."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.cities import City
from models.kpis import Kpi, KpiValue


@dataclass(frozen=True)
class LatestValue:
    kpi: Kpi
    data_point: str
    year: int
    value: float | None
    unit: str
    quality: str
    verified: bool


def latest_values(session: Session, city: City) -> dict[tuple[str, str], LatestValue]:
    """The most recent value per (KPI code, data point) for ``city``."""
    rows = session.execute(
        select(KpiValue, Kpi)
        .join(Kpi, Kpi.id == KpiValue.kpi_id)
        .where(KpiValue.city_id == city.id)
        .order_by(KpiValue.year)
    )
    latest: dict[tuple[str, str], LatestValue] = {}
    for value, kpi in rows:
        latest[(kpi.code, value.data_point)] = LatestValue(
            kpi=kpi,
            data_point=value.data_point,
            year=value.year,
            value=value.value,
            unit=value.unit or kpi.unit,
            quality=value.quality,
            verified=value.verified,
        )
    return latest


def catalogue(session: Session) -> list[Kpi]:
    """The KPI catalogue in ITU order (dimension, then the catalogue's own order)."""
    return list(session.scalars(select(Kpi).order_by(Kpi.id)))
