"""Building a portfolio scenario from the database and running it as a stored run."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from decision_support.portfolio import ScenarioError
from models.cities import City
from models.kpis import Kpi
from models.projects import Project, ProjectImpact
from models.services.portfolio import RunSettings, city_scenario, create_run, solve_run


@pytest.fixture
def city(db):
    return db.scalar(select(City).where(City.slug == "demo-city"))


def _add_project(db, city, code, capex, change, **extra):
    kpi = db.scalar(select(Kpi).where(Kpi.code == "EC: I: WS: 3C"))
    project = Project(
        city_id=city.id,
        code=code,
        name=f"Project {code}",
        capex_profile=capex,
        duration_years=len(capex),
        procurement_category="works",
        **extra,
    )
    project.impacts.append(ProjectImpact(kpi_id=kpi.id, change=change))
    db.add(project)
    db.flush()
    return project


def test_city_scenario_reads_kpis_projects_mechanisms_and_fiscal_profile(db, city):
    _add_project(db, city, "W-1", [1_000_000, 500_000], -5.0, tags=["water", "green"])
    scenario = city_scenario(db, city, RunSettings(start_year=2027, horizon_years=5))
    (kpi,) = scenario.kpis
    assert kpi.code == "EC: I: WS: 3C" and kpi.baseline == 28 and kpi.target == 15
    assert scenario.projects[0].impacts == {"EC: I: WS: 3C": -5.0}
    assert scenario.budget.by_year[2027] == 44_000_000  # the fiscal profile's capital budget
    assert scenario.fiscal.max_debt_service_ratio is not None
    assert scenario.fiscal.revenue_by_year[2031] == pytest.approx(496_836_361)
    types = {m.id: m.type for m in scenario.mechanisms}
    assert types.get("own_budget") == "own_budget"
    assert "loan" in types.values() or "bond" in types.values()
    overridden = city_scenario(
        db, city, RunSettings(start_year=2027, horizon_years=5, budget_per_year=1_000)
    )
    assert overridden.budget.by_year == dict.fromkeys(range(2027, 2032), 1_000)


def test_city_without_projects_cannot_make_a_scenario(db, city):
    with pytest.raises(ScenarioError) as caught:
        city_scenario(db, city, RunSettings())
    assert caught.value.problems[0].field == "source"


def test_run_from_city_data_is_stored_with_its_inputs(db, city):
    _add_project(db, city, "W-1", [400_000], -5.0)
    _add_project(db, city, "W-2", [300_000], -4.0)
    settings = RunSettings(budget_per_year=500_000, time_limit=10, explain=False)
    run = create_run(db, city, None, settings)
    assert run.status == "queued" and {p["id"] for p in run.inputs["projects"]} == {"W-1", "W-2"}
    solve_run(db, run)
    assert run.status == "optimal" and run.results["verification"]["passed"]
    assert {p["id"] for p in run.results["selected"]} == {"W-1", "W-2"}
