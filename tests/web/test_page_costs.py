"""What a main page costs: SQL statements per page (a ceiling each, first view and
repeat view), and pages that change as soon as their data does, also when the
write came through another process (another app on the same database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event, select

from models.cities import City
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
# repeat view (three of them are the user, the city and the membership).
CEILINGS = {
    "/cities/demo-city/": (16, 3),
    "/cities/demo-city/kpis/": (8, 3),
    "/cities/demo-city/projects/": (7, 3),
}
RUN_PAGE_CEILING = 4


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
