"""What a main page costs: SQL statements per page (a ceiling each, first view and
repeat view), and pages that change as soon as their data does, also when the
write came through another process (another app on the same database)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event, select

from decision_support.kpis.catalogue import load_catalogue
from models.cache import SESSION_INFO_KEY, SnapshotCache
from models.cities import City
from models.financing import FinancingMechanism
from models.kpis import Kpi, KpiValue
from models.projects import Project
from models.scenarios import PortfolioRun, Scenario
from models.services.portfolio import RunSettings, create_run, solve_run
from web import create_app

TINY = {
    "name": "tiny",
    "start_year": 2027,
    "horizon_years": 2,
    "budget": {"by_year": {"2027": 100, "2028": 100}},
    "objective": {"mode": "value"},
    "projects": [
        {"id": "A", "name": "Alpha", "capex_profile": [60], "value": 5},
        {"id": "B", "name": "Beta", "capex_profile": [40], "value": 4},
    ],
}

# Statements per page: the first view after a change of the city's data, then a
# repeat view (two of them are the user, and the city with the user's membership).
CEILINGS = {
    "/cities/demo-city/": (9, 2),  # one count statement per data domain
    "/cities/demo-city/kpis/": (4, 2),
    "/cities/demo-city/projects/": (4, 2),
}
RUN_PAGE_CEILING = 3


class StatementCounter:
    def __init__(self, app: Flask) -> None:
        self.count = 0
        event.listen(app.extensions["db_engine"], "before_cursor_execute", self._seen)

    def _seen(self, *_args: object) -> None:
        self.count += 1

    def during(self, client, url: str) -> int:  # type: ignore[no-untyped-def]
        self.count = 0
        response = client.get(url)
        assert response.status_code == 200, url
        return self.count


@pytest.fixture
def counter(app: Flask) -> StatementCounter:
    return StatementCounter(app)


@pytest.mark.parametrize("url", sorted(CEILINGS))
def test_main_pages_stay_under_their_statement_ceilings(client, auth, counter, url):
    auth.login_as("city_leader")
    first, repeat = CEILINGS[url]
    assert counter.during(client, url) <= first
    assert counter.during(client, url) <= repeat


def test_projects_list_does_not_query_per_project(client, auth, counter, db):
    """Loading impacts and their KPIs takes the same statements for 31 projects as for 1."""
    auth.login_as("city_leader")
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    with_all = counter.during(client, "/cities/demo-city/projects/")  # first view: not cached

    for project in db.scalars(select(Project).where(Project.city_id == city.id)).all()[1:]:
        db.delete(project)
    db.commit()
    assert counter.during(client, "/cities/demo-city/projects/") == with_all


def test_portfolio_result_page_reads_the_run_once(app, client, auth, counter, db):
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    saved = Scenario(city_id=city.id, name="tiny", definition=TINY)
    db.add(saved)
    db.flush()
    run = create_run(db, city, None, RunSettings(source=f"saved:{saved.id}", time_limit=10))
    solve_run(db, run)
    db.commit()
    auth.login_as("city_leader")
    url = f"/cities/demo-city/portfolio/runs/{run.id}"
    assert counter.during(client, url) <= RUN_PAGE_CEILING
    assert counter.during(client, url) <= RUN_PAGE_CEILING
    assert 'id="plan-chart"' in client.get(url).get_data(as_text=True)


def _kpi_value_shown(client, code: str, year: int) -> float | None:  # type: ignore[no-untyped-def]
    data = client.get("/api/cities/demo-city/kpis/assessment").get_json()
    values = [k["value"] for k in data["kpis"] if k["code"] == code and k["year"] == year]
    return values[0] if values else None


def _post_value(client, value: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/cities/demo-city/kpis/values/new",
        data={
            "code": "EC:ICT:ICT:1C",
            "year": "2026",
            "value": value,
            "quality": "",
            "verified": "no",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def second_app(database_url: str) -> Iterator[Flask]:
    """Another app (as another server process would be) on the same database."""
    other = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
        }
    )
    yield other
    other.extensions["db_engine"].dispose()


def test_a_write_in_one_process_shows_on_the_next_page_of_another(client, auth, second_app):
    other = second_app.test_client()
    for c in (client, other):
        c.post(
            "/auth/login",
            data={"email": "leader@demo-city.example", "password": "demo-leader-2027"},
        )
    auth.login_as("city_leader")
    _post_value(client, "12.5")
    assert _kpi_value_shown(other, "EC: ICT: ICT: 1C", 2026) == 12.5
    snapshot = other.get("/cities/demo-city/kpis/").get_data(as_text=True)  # cached now
    _post_value(client, "13.5")
    assert _kpi_value_shown(other, "EC: ICT: ICT: 1C", 2026) == 13.5
    assert _kpi_value_shown(client, "EC: ICT: ICT: 1C", 2026) == 13.5
    # the wheel (a cached chart) is rebuilt too: its hover text carries the value
    assert other.get("/cities/demo-city/kpis/").get_data(as_text=True) != snapshot


def test_cached_pages_follow_targets_and_projects(client, auth, db):
    auth.login_as("city_leader")
    before = client.get("/cities/demo-city/projects/").get_data(as_text=True)

    project = db.scalars(select(Project).order_by(Project.code)).first()
    project.name = "Renamed for the cache test"
    db.commit()
    after = client.get("/cities/demo-city/projects/").get_data(as_text=True)
    assert "Renamed for the cache test" not in before
    assert "Renamed for the cache test" in after


def test_run_progress_does_not_invalidate_the_city_snapshot(db):
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    run = PortfolioRun(city_id=city.id, status="queued", progress=0.0, settings={}, inputs={})
    db.add(run)
    db.commit()
    version = city.data_version
    run.progress = 0.5
    run.status = "running"
    db.commit()
    db.refresh(city)
    assert city.data_version == version


def _misses(app: Flask) -> int:
    cache: SnapshotCache = app.extensions["db_sessions"].kw["info"][SESSION_INFO_KEY]
    return cache.misses


def _unreported_kpi(db) -> str:  # type: ignore[no-untyped-def]
    """A numeric KPI without data points that the demo city has not reported."""
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    reported = set(
        db.scalars(
            select(Kpi.code)
            .join(KpiValue)
            .where(KpiValue.city_id == city.id, KpiValue.value.is_not(None))
        )
    )
    return next(
        k.code_compact
        for k in load_catalogue()
        if not k.data_points and k.value_kind != "yes_no" and k.code not in reported
    )


def test_a_kpi_write_invalidates_the_kpi_pages_but_not_the_projects_list(
    app, client, auth, counter, db
):
    auth.login_as("city_leader")
    code = _unreported_kpi(db)
    for url in ("/cities/demo-city/", "/cities/demo-city/kpis/", "/cities/demo-city/projects/"):
        client.get(url)
    dashboard = client.get("/cities/demo-city/").get_data(as_text=True)

    response = client.post(
        "/cities/demo-city/kpis/values/new",
        data={"code": code, "year": "2026", "value": "7.25", "quality": "", "verified": "no"},
    )
    assert response.status_code == 302

    misses = _misses(app)
    assert (
        counter.during(client, "/cities/demo-city/projects/")
        <= CEILINGS["/cities/demo-city/projects/"][1]
    )
    assert _misses(app) == misses  # the projects list came from the cache
    # the KPI pages show the new value at once
    assert "7.25" in client.get(f"/cities/demo-city/kpis/kpi/{code}").get_data(as_text=True)
    assert _misses(app) > misses
    after = client.get("/cities/demo-city/").get_data(as_text=True)
    assert after != dashboard  # one more KPI reported
    reported = re.compile(r'stat-value">(\d+)/\d+<')
    assert int(reported.findall(after)[0]) == int(reported.findall(dashboard)[0]) + 1


def test_a_finance_write_leaves_the_kpi_snapshot_cached(app, client, auth, counter, db):
    auth.login_as("city_leader")
    client.get("/cities/demo-city/kpis/")
    client.get("/cities/demo-city/")
    mechanism = db.scalars(select(FinancingMechanism).order_by(FinancingMechanism.id)).first()
    mechanism.enabled = not mechanism.enabled
    db.commit()
    misses = _misses(app)
    assert (
        counter.during(client, "/cities/demo-city/kpis/") <= CEILINGS["/cities/demo-city/kpis/"][1]
    )
    assert _misses(app) == misses
    client.get("/cities/demo-city/")  # the dashboard counts the mechanisms again, only them
    assert _misses(app) == misses + 1
