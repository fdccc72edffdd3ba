"""Figures for a city's dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models.cache import cached, city_key
from models.cities import City
from models.financing import FinancingMechanism
from models.kpis import Kpi, KpiValue
from models.projects import Project
from models.scenarios import PortfolioRun, Scenario


@dataclass(frozen=True)
class CityOverview:
    kpis_in_catalogue: int
    kpis_reported: int
    latest_year: int | None
    candidate_projects: int
    low_cost_projects: int
    mechanisms_enabled: int
    scenarios: int
    portfolio_runs: int

    def as_dict(self) -> dict[str, int | None]:
        return dict(self.__dict__)


def city_overview(session: Session, city: City) -> CityOverview:
    """Counts that tell a visitor how far the city's data and planning have got
    (counted once per change of the city's data)."""
    return cached(session, (*city_key(city), "overview"), lambda: _count(session, city))


def _count(session: Session, city: City) -> CityOverview:

    def count(statement: Select[Any]) -> int:
        return int(session.scalar(statement) or 0)

    return CityOverview(
        kpis_in_catalogue=count(select(func.count(Kpi.id))),
        kpis_reported=count(
            select(func.count(func.distinct(KpiValue.kpi_id))).where(
                KpiValue.city_id == city.id, KpiValue.value.is_not(None)
            )
        ),
        latest_year=session.scalar(
            select(func.max(KpiValue.year)).where(KpiValue.city_id == city.id)
        ),
        candidate_projects=count(select(func.count(Project.id)).where(Project.city_id == city.id)),
        low_cost_projects=count(
            select(func.count(Project.id)).where(Project.city_id == city.id, Project.low_cost)
        ),
        mechanisms_enabled=count(
            select(func.count(FinancingMechanism.id)).where(
                FinancingMechanism.city_id == city.id, FinancingMechanism.enabled
            )
        ),
        scenarios=count(select(func.count(Scenario.id)).where(Scenario.city_id == city.id)),
        portfolio_runs=count(
            select(func.count(PortfolioRun.id)).where(PortfolioRun.city_id == city.id)
        ),
    )
