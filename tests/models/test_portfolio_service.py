"""Building a portfolio scenario from the database and running it as a stored run."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from decision_support.portfolio import ScenarioError
from decision_support.projects.portfolio_entry import impact_key
from models.cities import City
from models.services.cities import create_city
from models.services.portfolio import RunSettings, city_scenario, create_run, solve_run


@pytest.fixture
def city(db):
    return db.scalar(select(City).where(City.slug == "demo-city"))


def test_city_scenario_reads_kpis_projects_mechanisms_and_fiscal_profile(db, city):
    scenario = city_scenario(db, city, RunSettings(start_year=2027, horizon_years=5))
    assert len(scenario.projects) >= 10
    water = {k.code: k for k in scenario.kpis}["EC: I: WS: 3C"]
    assert water.baseline == 28 and water.target == 15  # latest value, the city's own target
    assert any("EC: I: WS: 3C" in p.impacts for p in scenario.projects)
    assert scenario.budget.by_year[2027] == 44_000_000  # the fiscal profile's capital budget
    assert scenario.fiscal.max_debt_service_ratio is not None
    assert scenario.fiscal.revenue_by_year[2031] == pytest.approx(496_836_361)
    types = {m.id: m.type for m in scenario.mechanisms}
    assert types.get("own_budget") == "own_budget"
    assert {"loan", "grant"} <= set(types.values())
    # procurement lead times come from the city's rule pack and are kept in the snapshot
    assert any(p.procurement and p.procurement.lead_time_days for p in scenario.projects)
    overridden = city_scenario(
        db, city, RunSettings(start_year=2027, horizon_years=5, budget_per_year=1_000)
    )
    assert overridden.budget.by_year == dict.fromkeys(range(2027, 2032), 1_000)


def test_city_without_projects_cannot_make_a_scenario(db):
    empty = create_city(
        db,
        slug="empty-town",
        name="Empty Town",
        country="X",
        population=10_000,
        currency="EUR",
        rule_pack="eu-2026",
    )
    with pytest.raises(ScenarioError) as caught:
        city_scenario(db, empty, RunSettings())
    assert caught.value.problems[0].field == "source"


def test_run_from_city_data_is_stored_with_its_inputs(db, city):
    settings = RunSettings(budget_per_year=5_000_000, time_limit=20, explain=False)
    run = create_run(db, city, None, settings)
    assert run.status == "queued" and len(run.inputs["projects"]) >= 10
    solve_run(db, run)
    assert run.status in ("optimal", "feasible")
    assert run.results["verification"]["passed"] and run.results["selected"]


def test_a_run_is_solved_once_even_if_two_workers_start(app, db, city):
    from models.scenarios import PortfolioRun
    from models.services.portfolio import execute_run

    run = create_run(
        db, city, None, RunSettings(budget_per_year=5_000_000, time_limit=10, explain=False)
    )
    db.commit()
    factory = app.extensions["db_sessions"]
    execute_run(factory, run.id)
    db.expire_all()
    first = db.get(PortfolioRun, run.id)
    finished = first.finished_at
    assert first.status in ("optimal", "feasible")
    execute_run(factory, run.id)  # a second worker finds nothing queued
    db.expire_all()
    assert db.get(PortfolioRun, run.id).finished_at == finished


@pytest.mark.parametrize("own_targets", [True, False], ids=["city targets", "reference only"])
def test_city_scenario_uses_the_values_targets_and_directions_the_kpi_pages_score(
    db, city, own_targets
):
    from models.kpis import KpiTarget
    from models.services.kpi_values import city_assessment

    if not own_targets:  # the shipped reference targets apply, as on the KPI pages
        for row in db.scalars(select(KpiTarget).where(KpiTarget.city_id == city.id)):
            db.delete(row)
        db.flush()

    _values, _targets, assessment = city_assessment(db, city)
    pages = {(s.code, s.data_point): s for s in assessment.scored}
    scenario = city_scenario(db, city, RunSettings(start_year=2027, horizon_years=5))
    assert scenario.kpis
    for kpi in scenario.kpis:
        shown = pages[kpi.code, kpi.data_point]
        assert kpi.baseline == shown.value.value
        assert kpi.target == shown.target.value
        if shown.direction != "yes_is_better":
            assert kpi.direction == shown.direction
    # every KPI a project moves and the pages score is in the scenario (reference targets too)
    moved = {key for p in scenario.projects for key in p.impacts}
    in_scenario = {k.key for k in scenario.kpis}
    scored_keys = {impact_key(code, dp) for code, dp in pages}
    assert moved & scored_keys <= in_scenario


def test_run_on_city_data_reports_the_dimension_scores_of_the_kpi_pages(db, city):
    from models.services.kpi_values import city_assessment

    run = create_run(db, city, None, RunSettings(budget_per_year=5_000_000, explain=False))
    solve_run(db, run)
    _values, _targets, assessment = city_assessment(db, city)
    pages = {d.name: d.score_pct for d in assessment.dimensions}
    scores = {s["dimension"]: s for s in run.results["city_scores"]}
    assert {name: s["before"] for name, s in scores.items()} == pages
    projection = run.results["kpi_projection"]
    touched = {k["dimension"] for k in projection}
    for name, score in scores.items():
        if name not in touched:
            assert score["after"] == score["before"]
    if any(k["band_after"] != k["band_before"] for k in projection):
        assert any(s["after"] != s["before"] for s in scores.values())


def test_project_pages_hold_a_kpi_move_in_the_kpis_range(db, city):
    from dataclasses import replace as copy_with

    from decision_support.projects.model import CandidateImpact
    from models.services.kpi_values import latest_values
    from models.services.projects import kpi_moves, list_candidates

    latest = latest_values(db, city)
    share = next(v for (code, _dp), v in latest.items() if v.kpi.unit == "Percentage" and v.value)
    count = next(
        v for v in latest.values() if v.kpi.unit.startswith("Number per") and v.value is not None
    )
    project = copy_with(
        list_candidates(db, city)[0],
        impacts=(
            CandidateImpact(share.kpi.code, 150.0, "high", "test", share.data_point or None),
            CandidateImpact(count.kpi.code, -1e9, "high", "test", count.data_point or None),
        ),
    )
    up, down = kpi_moves(db, city, project)
    assert up.after == 100.0 and down.after == 0.0


def test_a_stored_run_reads_back_as_a_typed_result(db, city):
    from decision_support.portfolio.result import PortfolioResult
    from models.scenarios import PortfolioRun

    run = create_run(db, city, None, RunSettings(budget_per_year=5_000_000, explain=True))
    solve_run(db, run)
    db.commit()
    db.expire_all()
    stored = db.get(PortfolioRun, run.id).results  # the database's JSON, years as text
    result = PortfolioResult.from_dict(stored)
    assert result.status == run.status and result.selected
    # the web's city scores are not part of the optimiser's result; the rest comes back
    assert result.to_dict() == {k: v for k, v in stored.items() if k != "city_scores"}
