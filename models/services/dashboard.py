"""Figures for a city's dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from models.cache import cached, data_key
from models.cities import City, DataDomain
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
    """Counts that tell a visitor how far the city's data and planning have got, one
    statement per data domain, each counted once per change of its domain."""

    def counted(domain: DataDomain, statement: Select[Any]) -> tuple[Any, ...]:
        def compute() -> tuple[Any, ...]:
            return tuple(session.execute(statement).one())

        return cached(session, (*data_key(city, domain), "overview"), compute)

    kpis_in_catalogue, kpis_reported, latest_year = counted(
        DataDomain.KPIS,
        select(
            select(func.count(Kpi.id)).scalar_subquery(),
            select(func.count(func.distinct(KpiValue.kpi_id)))
            .where(KpiValue.city_id == city.id, KpiValue.value.is_not(None))
            .scalar_subquery(),
            select(func.max(KpiValue.year)).where(KpiValue.city_id == city.id).scalar_subquery(),
        ),
    )
    candidate_projects, low_cost_projects = counted(
        DataDomain.PROJECTS,
        select(
            func.count(Project.id), func.coalesce(func.sum(case((Project.low_cost, 1), else_=0)), 0)
        ).where(Project.city_id == city.id),
    )
    (mechanisms_enabled,) = counted(
        DataDomain.FINANCE,
        select(func.count(FinancingMechanism.id)).where(
            FinancingMechanism.city_id == city.id, FinancingMechanism.enabled
        ),
    )
    scenarios, portfolio_runs = counted(
        DataDomain.PORTFOLIO,
        select(
            select(func.count(Scenario.id)).where(Scenario.city_id == city.id).scalar_subquery(),
            select(func.count(PortfolioRun.id))
            .where(PortfolioRun.city_id == city.id)
            .scalar_subquery(),
        ),
    )
    return CityOverview(
        kpis_in_catalogue=int(kpis_in_catalogue or 0),
        kpis_reported=int(kpis_reported or 0),
        latest_year=latest_year,
        candidate_projects=int(candidate_projects or 0),
        low_cost_projects=int(low_cost_projects or 0),
        mechanisms_enabled=int(mechanisms_enabled or 0),
        scenarios=int(scenarios or 0),
        portfolio_runs=int(portfolio_runs or 0),
    )
