"""Portfolio pages: run, progress, result, downloads, force in/out, access by role."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models.cities import City
from models.scenarios import PortfolioRun
from models.scenarios import Scenario as SavedScenario
from models.services.portfolio import RunSettings, create_run, execute_run

TINY = {
    "name": "tiny web scenario",
    "start_year": 2027,
    "horizon_years": 2,
    "budget": {"by_year": {"2027": 100, "2028": 100}},
    "objective": {"mode": "value"},
    "projects": [
        {"id": "A", "name": "Alpha", "capex_profile": [60], "value": 5},
        {"id": "B", "name": "Beta", "capex_profile": [40], "value": 4},
        {"id": "C", "name": "Gamma", "capex_profile": [90], "value": 8},
        {"id": "D", "name": "Delta", "capex_profile": [100], "value": 2},
    ],
}


@pytest.fixture
def inline_app(app):
    app.config["PORTFOLIO_RUN_INLINE"] = True
    return app


@pytest.fixture
def saved(db):
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    scenario = SavedScenario(city_id=city.id, name="Tiny portfolio", definition=TINY)
    db.add(scenario)
    db.commit()
    return scenario


def _form(source: str, **extra: object) -> dict[str, object]:
    data = {
        "source": source,
        "mode": "",
        "time_limit": "10",
        "gap": "0.0001",
        "start_year": "2027",
        "horizon_years": "2",
        "carry_over": "y",
    }
    data.update(extra)
    return data


def test_finance_officer_runs_and_reads_the_result(inline_app, client, auth, saved, db):
    auth.login_as("finance_officer")
    response = client.post(
        "/cities/demo-city/portfolio/", data=_form(f"saved:{saved.id}", explain="y")
    )
    assert response.status_code == 302
    run_url = response.headers["Location"]
    page = client.get(run_url).get_data(as_text=True)
    assert "proven optimal" in page and "Gamma" in page and "Why this portfolio" in page
    run = db.scalars(select(PortfolioRun)).one()
    assert run.status == "optimal" and run.scenario_id == saved.id
    # 2 years of 100: C (90) + D (100) or A+B and C … the best is A+B in one year, C in the other
    assert sorted(p["id"] for p in run.results["selected"]) == ["A", "B", "C"]

    api = client.get(f"/api/cities/demo-city/portfolio/runs/{run.id}").get_json()
    assert api["status"] == "optimal" and api["result"]["proven_optimal"] is True

    xlsx = client.get(f"{run_url}/result.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    assert {"Summary", "Plan", "Funding", "Cash flow", "KPIs", "Procurement"} <= set(
        book.sheetnames
    )
    assert client.get(f"{run_url}/result.json").get_json()["status"] == "optimal"
    yaml_text = client.get(f"{run_url}/scenario.yaml").get_data(as_text=True)
    assert "tiny web scenario" in yaml_text


def test_force_out_and_re_run(inline_app, client, auth, saved, db):
    auth.login_as("city_leader")
    client.post("/cities/demo-city/portfolio/", data=_form(f"saved:{saved.id}"))
    first = db.scalars(select(PortfolioRun)).one()
    response = client.post(
        f"/cities/demo-city/portfolio/runs/{first.id}/rerun",
        data={"force_in": "D", "force_out": "C"},
    )
    assert response.status_code == 302
    db.expire_all()
    second = db.scalars(select(PortfolioRun).where(PortfolioRun.id != first.id)).one()
    selected = {p["id"] for p in second.results["selected"]}
    assert "D" in selected and "C" not in selected
    assert second.settings["force_out"] == ["C"]


def test_procurement_officer_may_look_but_not_run(inline_app, client, auth, saved):
    auth.login_as("procurement_officer")
    page = client.get("/cities/demo-city/portfolio/")
    assert page.status_code == 200
    assert "Only city leaders, finance officers" in page.get_data(as_text=True)
    response = client.post("/cities/demo-city/portfolio/", data=_form(f"saved:{saved.id}"))
    assert response.status_code == 403


def test_unknown_forced_project_is_refused_next_to_the_field(inline_app, client, auth, saved):
    auth.login_as("finance_officer")
    response = client.post(
        "/cities/demo-city/portfolio/", data=_form(f"saved:{saved.id}", force_in="A, NOPE")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "unknown project &#39;NOPE&#39;" in page or "unknown project 'NOPE'" in page
    assert 'id="force_in-err"' in page


def test_background_job_stores_status_and_timings(app, db, saved):
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    settings = RunSettings(source=f"saved:{saved.id}", time_limit=10, explain=False)
    run = create_run(db, city, None, settings)
    db.commit()
    assert run.status == "queued"
    execute_run(app.extensions["db_sessions"], run.id)
    db.expire_all()
    stored = db.get(PortfolioRun, run.id)
    assert stored.status == "optimal" and stored.progress == 1.0
    assert stored.solve_seconds is not None and stored.finished_at is not None
    assert stored.results["verification"]["passed"] is True


def test_infeasible_run_shows_the_diagnosis(inline_app, client, auth, db):
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    definition = dict(
        TINY, constraints={"mandatory": ["C", "D"]}, budget={"by_year": {"2027": 100, "2028": 50}}
    )
    scenario = SavedScenario(city_id=city.id, name="Too tight", definition=definition)
    db.add(scenario)
    db.commit()
    auth.login_as("finance_officer")
    response = client.post("/cities/demo-city/portfolio/", data=_form(f"saved:{scenario.id}"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Why no plan exists" in page and "raise the" in page


def test_demo_city_offers_the_shipped_demo_scenario(app, client, auth):
    from decision_support.portfolio import parse_scenario
    from models.services.portfolio import demo_scenario_document

    scenario = parse_scenario(demo_scenario_document())
    assert scenario.city == "Demo City (fictional)" and len(scenario.projects) >= 25
    auth.login_as("finance_officer")
    page = client.get("/cities/demo-city/portfolio/").get_data(as_text=True)
    assert "Demo portfolio scenario (fictional)" in page


def test_run_is_solved_in_the_background_after_the_request(
    app, client, auth, saved, db, job_worker
):
    import time

    auth.login_as("finance_officer")
    response = client.post("/cities/demo-city/portfolio/", data=_form(f"saved:{saved.id}"))
    assert response.status_code == 302
    response.close()  # a WSGI server closes the response once sent: the run is queued then
    run_url = response.headers["Location"]
    page = client.get(run_url).get_data(as_text=True)
    assert "refresh" in page or "proven optimal" in page
    run_id = int(run_url.rstrip("/").rsplit("/", 1)[1])
    for _ in range(600):  # a job worker solves it; wait for it rather than for a fixed time
        db.expire_all()
        if db.get(PortfolioRun, run_id).status not in ("queued", "running"):
            break
        time.sleep(0.1)
    assert db.get(PortfolioRun, run_id).status == "optimal"


def test_a_run_whose_queue_message_was_lost_is_queued_again_by_its_page(
    app, client, auth, saved, db, job_worker, monkeypatch
):
    """A queued run with no task in the queue (a Redis queue restarted without
    persistence, say) is queued again when its page is read, and is then solved."""
    import time

    monkeypatch.setenv("JOB_REQUEUE_SECONDS", "0")
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    run = create_run(db, city, None, RunSettings(source=f"saved:{saved.id}", time_limit=10))
    db.commit()  # committed, but its message never reached the queue
    run_id = run.id
    auth.login_as("city_leader")
    status = {}
    for _ in range(600):
        status = client.get(f"/api/cities/demo-city/portfolio/runs/{run_id}").get_json()
        if status["status"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    assert status["status"] == "optimal", status
    db.expire_all()
    assert db.get(PortfolioRun, run_id).attempts == 1  # queued twice at most, solved once


def test_a_queued_run_is_queued_again_only_once_its_message_is_gone(
    app, client, auth, saved, db, monkeypatch
):
    from models.jobs.queue import huey
    from models.jobs.tasks import enqueue_portfolio_run

    monkeypatch.setenv("JOB_REQUEUE_SECONDS", "0")
    huey.flush()
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    run = create_run(db, city, None, RunSettings(source=f"saved:{saved.id}", time_limit=10))
    db.commit()
    enqueue_portfolio_run(run.id, "highs")  # its message waits: no worker in this test
    auth.login_as("city_leader")
    client.get(f"/api/cities/demo-city/portfolio/runs/{run.id}")
    assert huey.pending_count() == 1
    huey.flush()
    client.get(f"/api/cities/demo-city/portfolio/runs/{run.id}")  # now the message is lost
    assert huey.pending_count() == 1
    huey.flush()


def test_queued_run_shows_progress_and_refreshes(inline_app, client, auth, saved, db):
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    run = create_run(db, city, None, RunSettings(source=f"saved:{saved.id}", time_limit=7))
    db.commit()
    auth.login_as("city_leader")
    page = client.get(f"/cities/demo-city/portfolio/runs/{run.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "Waiting to start" in page
    assert "after 7 s at most" in page
    api = client.get(f"/api/cities/demo-city/portfolio/runs/{run.id}").get_json()
    assert api["status"] == "queued" and api["result"] is None


def test_run_form_defaults_to_the_citys_own_data(client, auth):
    auth.login_as("city_leader")
    page = client.get("/cities/demo-city/portfolio/").get_data(as_text=True)
    assert '<option selected value="city">' in page
    assert 'selected value="demo"' not in page


def test_result_page_leads_with_what_a_leader_asks(inline_app, client, auth, db):
    import re

    auth.login_as("city_leader")
    response = client.post(
        "/cities/demo-city/portfolio/",
        data=_form("city", budget_per_year="5000000", horizon_years="5"),
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    run = db.scalars(select(PortfolioRun)).one()
    assert run.results["selected"]
    headline = page.index("projects funded")
    assert headline < page.index("total capital cost") < page.index("Funding by source")
    assert page.index("KPIs by U4SSC band, before") < page.index("solver details")
    solver = page.index("solver details")
    assert headline < solver < page.index("objective (")
    assert page.index("<details") < page.index("Independent check of every constraint")
    # sources by name, never by id, and no zero-amount funding lines
    mechanisms = {m["id"]: m["name"] for m in run.inputs["mechanisms"]}
    funding = page[page.index("Funding by source") : page.index("KPIs by U4SSC band")]
    used = {mid for p in run.results["selected"] for mid, a in p["funding"].items() if a > 0.5}
    for mid in used - {"own_budget"}:
        assert mechanisms[mid] in funding
        assert f"<td>{mid}</td>" not in funding
    assert not re.search(r"<td>[^<]*</td><td class=\"num\">€0</td>", funding)
    # the Gantt's colours are explained, the city's dimension scores shown as on the KPI pages
    assert "Chosen by the optimiser" in page
    assert "dimension scores (as on the KPI pages)" in page


def test_solver_time_limit_is_the_forms_default_and_its_ceiling(
    inline_app, client, auth, saved, db
):
    inline_app.config["SOLVER_TIME_LIMIT"] = 7
    auth.login_as("finance_officer")
    page = client.get("/cities/demo-city/portfolio/").get_data(as_text=True)
    assert 'name="time_limit"' in page and 'value="7' in page
    response = client.post(
        "/cities/demo-city/portfolio/", data=_form(f"saved:{saved.id}", time_limit="30")
    )
    assert response.status_code == 422
    assert "At most 7 s on this server." in response.get_data(as_text=True)
    response = client.post(
        "/cities/demo-city/portfolio/", data=_form(f"saved:{saved.id}", time_limit="5")
    )
    assert response.status_code == 302
    data = _form(f"saved:{saved.id}")
    del data["time_limit"]  # left out: the server's limit
    response = client.post("/cities/demo-city/portfolio/", data=data)
    assert response.status_code == 302
    run = db.scalars(select(PortfolioRun).order_by(PortfolioRun.id.desc())).first()
    assert run.settings["time_limit"] == 7


def test_stored_run_budget_reaches_the_optimiser(app, db, saved):
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    settings = RunSettings(source=f"saved:{saved.id}", time_limit=3.0, explain=True)
    options = settings.options()
    assert options.time_limit == 3.0 and options.explain
    run = create_run(db, city, None, settings)
    db.commit()
    assert run.settings["time_limit"] == 3.0


def test_result_page_lists_skipped_explanations(inline_app, client, auth, saved, db):
    auth.login_as("finance_officer")
    response = client.post(
        "/cities/demo-city/portfolio/",
        data=_form(f"saved:{saved.id}", explain="y", time_limit="1"),
    )
    run = db.scalars(select(PortfolioRun).order_by(PortfolioRun.id.desc())).first()
    run.results["explanations"]["skipped"] = [
        {
            "explanation": "marginal_budget",
            "id": None,
            "year": 2028,
            "what": "value of more budget in 2028",
            "reason": "time budget used up: the explanations had 0.01 s",
        }
    ]
    db.commit()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Explanations skipped" in page
    assert "value of more budget in 2028: time budget used up" in page


def test_a_run_whose_worker_stopped_offers_retry(inline_app, client, auth, saved, db):
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    run = create_run(db, city, None, RunSettings(source=f"saved:{saved.id}", time_limit=7))
    run.status, run.error = "error", "the worker running this job stopped; retry it"
    db.commit()
    auth.login_as("finance_officer")
    page = client.get(f"/cities/demo-city/portfolio/runs/{run.id}").get_data(as_text=True)
    assert "worker running this job stopped" in page
    assert 'value="Retry"' in page
    response = client.post(f"/cities/demo-city/portfolio/runs/{run.id}/retry")
    assert response.status_code == 302
    db.expire_all()
    assert db.get(PortfolioRun, run.id).status == "optimal"  # solved inline (tests)
    again = client.post(f"/cities/demo-city/portfolio/runs/{run.id}/retry")
    assert again.status_code == 302  # a finished run cannot be retried: told so, unchanged
    db.expire_all()
    assert db.get(PortfolioRun, run.id).status == "optimal"
