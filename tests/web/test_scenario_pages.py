"""Scenario pages: what-ifs, versions, background jobs with progress and cancel, results."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models.scenario_jobs import ScenarioJob
from models.scenario_worker import execute_job
from models.scenarios import Scenario

KNAPSACK_YAML = b"""name: Tiny
start_year: 2027
horizon_years: 1
budget: {by_year: {2027: 100}}
objective: {mode: value}
projects:
  - {id: P1, capex_profile: [40], value: 10}
  - {id: P2, capex_profile: [30], value: 8}
  - {id: P3, capex_profile: [50], value: 9}
"""


@pytest.fixture
def offline(app):
    """Jobs stay queued; the test executes them as the worker process would."""
    app.config["SCENARIO_JOB_LAUNCH"] = "off"
    return app


def _scenario_id(db, name):
    return db.scalar(select(Scenario.id).where(Scenario.name == name))


def _import_tiny(client):
    return client.post(
        "/cities/demo-city/scenarios/import",
        data={"import-file": (io.BytesIO(KNAPSACK_YAML), "tiny.yaml"), "import-name": ""},
        content_type="multipart/form-data",
    )


def test_index_lists_the_demo_scenarios_and_forms(client, auth):
    auth.login_as("finance_officer")
    page = client.get("/cities/demo-city/scenarios/").get_data(as_text=True)
    assert "Demo City (fictional) 2027-2031" in page and "Budget cut 20 %" in page
    assert "Run in the background" in page and "Draw the frontier" in page


def test_procurement_officer_may_look_but_not_change(client, auth):
    auth.login_as("procurement_officer")
    assert client.get("/cities/demo-city/scenarios/").status_code == 200
    assert _import_tiny(client).status_code == 403


def test_import_whatif_edit_clone_restore_export(client, auth, db):
    auth.login_as("finance_officer")
    response = _import_tiny(client)
    assert response.status_code == 302
    tiny = _scenario_id(db, "Tiny")
    response = client.post(
        "/cities/demo-city/scenarios/whatif",
        data={
            "whatif-name": "Tiny cut",
            "whatif-base": "Tiny",
            "whatif-library": "budget-cut-20",
            "whatif-overrides": "constraints: {excluded: [P3]}",
            "whatif-description": "",
        },
    )
    assert response.status_code == 302
    cut = db.get(Scenario, _scenario_id(db, "Tiny cut"))
    assert cut.definition == {
        "base": "Tiny",
        "overrides": {"budget": {"change_percent": -20}, "constraints": {"excluded": ["P3"]}},
    }
    # a bad override is shown next to the field with status 422
    response = client.post(
        "/cities/demo-city/scenarios/whatif",
        data={
            "whatif-name": "Bad",
            "whatif-base": "Tiny",
            "whatif-library": "",
            "whatif-overrides": "budget: {change_percent: lots}",
        },
    )
    assert response.status_code == 422 and "change_percent" in response.get_data(as_text=True)
    # editing saves version 2, visible in the history with what changed
    page = client.get(f"/cities/demo-city/scenarios/{tiny}").get_data(as_text=True)
    assert "version 1" in page
    response = client.post(
        f"/cities/demo-city/scenarios/{tiny}",
        data={
            "edit-name": "Tiny",
            "edit-description": "smaller",
            "edit-definition": KNAPSACK_YAML.decode().replace("100", "90"),
            "edit-note": "budget",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/cities/demo-city/scenarios/{tiny}").get_data(as_text=True)
    assert "version 2" in page and "definition.budget" in page
    assert client.post(f"/cities/demo-city/scenarios/{tiny}/restore/1").status_code == 302
    db.expire_all()
    assert db.get(Scenario, tiny).version == 3
    response = client.post(
        f"/cities/demo-city/scenarios/{tiny}/clone", data={"clone-name": "Tiny 2"}
    )
    assert response.status_code == 302 and _scenario_id(db, "Tiny 2") is not None
    download = client.get(f"/cities/demo-city/scenarios/{tiny}/export")
    assert download.status_code == 200 and b"name: Tiny" in download.data


def test_run_job_progress_survives_reload_and_compares(client, auth, db, offline):
    auth.login_as("finance_officer")
    _import_tiny(client)
    client.post(
        "/cities/demo-city/scenarios/whatif",
        data={"whatif-name": "Tiny cut", "whatif-base": "Tiny", "whatif-library": "budget-cut-20"},
    )
    ids = [_scenario_id(db, "Tiny cut"), _scenario_id(db, "Tiny")]  # the base becomes the reference
    response = client.post(
        "/cities/demo-city/scenarios/jobs/run",
        data={"run-scenario_ids": [str(i) for i in ids], "run-time_limit": "20"},
    )
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    status = client.get(f"/api/cities/demo-city/scenarios/jobs/{job_id}").get_json()
    assert status["status"] == "queued" and status["total"] == 2
    assert "Cancel" in client.get(f"/cities/demo-city/scenarios/jobs/{job_id}").get_data(
        as_text=True
    )

    execute_job(offline.extensions["db_sessions"], job_id, workers=1)

    status = client.get(f"/api/cities/demo-city/scenarios/jobs/{job_id}").get_json()
    assert (status["status"], status["done"], status["progress"]) == ("done", 2, 1.0)
    page = client.get(f"/cities/demo-city/scenarios/jobs/{job_id}").get_data(as_text=True)
    assert "Comparison" in page and "chart-cost" in page and "drops P3" in page
    workbook = client.get(f"/cities/demo-city/scenarios/jobs/{job_id}/comparison.xlsx")
    assert workbook.status_code == 200
    assert load_workbook(io.BytesIO(workbook.data)).sheetnames[0] == "Summary"
    results = client.get(f"/api/cities/demo-city/scenarios/jobs/{job_id}/results").get_json()
    assert results["comparison"]["changes"]["Tiny cut"]["removed"] == ["P3"]


def test_cancel_button_stops_a_queued_job(client, auth, db, offline):
    auth.login_as("finance_officer")
    _import_tiny(client)
    response = client.post(
        "/cities/demo-city/scenarios/jobs/frontier",
        data={
            "frontier-scenario_id": str(_scenario_id(db, "Tiny")),
            "frontier-axis": "budget",
            "frontier-low": "0.5",
            "frontier-high": "1.5",
            "frontier-steps": "5",
        },
    )
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert client.post(f"/cities/demo-city/scenarios/jobs/{job_id}/cancel").status_code == 302
    assert (
        client.get(f"/api/cities/demo-city/scenarios/jobs/{job_id}").get_json()["status"]
        == "cancelled"
    )
    assert execute_job(offline.extensions["db_sessions"], job_id, workers=1) == "skipped"


def test_frontier_and_robustness_pages(client, auth, db, offline):
    auth.login_as("city_leader")
    auth.logout()
    auth.login_as("finance_officer")
    _import_tiny(client)
    tiny = str(_scenario_id(db, "Tiny"))
    factory = offline.extensions["db_sessions"]
    response = client.post(
        "/cities/demo-city/scenarios/jobs/frontier",
        data={
            "frontier-scenario_id": tiny,
            "frontier-axis": "budget",
            "frontier-low": "0.3",
            "frontier-high": "1.2",
            "frontier-steps": "4",
        },
    )
    frontier_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    execute_job(factory, frontier_id, workers=1)
    page = client.get(f"/cities/demo-city/scenarios/jobs/{frontier_id}").get_data(as_text=True)
    assert "chart-frontier" in page and "Monotone: yes" in page
    response = client.post(
        "/cities/demo-city/scenarios/jobs/robustness",
        data={
            "robustness-scenario_id": tiny,
            "robustness-samples": "4",
            "robustness-seed": "1",
            "robustness-default_risk": "high",
        },
    )
    robustness_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    execute_job(factory, robustness_id, workers=1)
    page = client.get(f"/cities/demo-city/scenarios/jobs/{robustness_id}").get_data(as_text=True)
    assert "chart-core" in page and "Core (always chosen)" in page
    response = client.post(
        "/cities/demo-city/scenarios/jobs/sensitivity",
        data={"sensitivity-scenario_id": tiny},
    )
    sensitivity_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert execute_job(factory, sensitivity_id, workers=1) == "done"
    page = client.get(f"/cities/demo-city/scenarios/jobs/{sensitivity_id}").get_data(as_text=True)
    assert "Nominal plan: P1, P3" in page
    bad = client.post(
        "/cities/demo-city/scenarios/jobs/robustness",
        data={
            "robustness-scenario_id": tiny,
            "robustness-samples": "0",
            "robustness-seed": "1",
            "robustness-default_risk": "high",
        },
    )
    assert bad.status_code == 422


def _status_when_finished(client, job_id, seconds=90.0):
    """The job's API status once it has finished (or the last one after ``seconds``),
    polled as the job page does."""
    deadline = time.monotonic() + seconds
    status = {}
    while time.monotonic() < deadline:
        status = client.get(f"/api/cities/demo-city/scenarios/jobs/{job_id}").get_json()
        if status["finished"]:
            break
        time.sleep(0.2)
    return status


def test_a_real_worker_runs_the_job(client, auth, db, app, job_worker):
    auth.login_as("finance_officer")
    _import_tiny(client)
    tiny = _scenario_id(db, "Tiny")
    db.rollback()  # hold no SQLite read lock while the worker writes
    response = client.post(
        "/cities/demo-city/scenarios/jobs/run",
        data={"run-scenario_ids": [str(tiny)], "run-time_limit": "20"},
    )
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    response.close()  # the job is queued once the response is closed (after the commit)
    status = _status_when_finished(client, job_id)
    assert status["status"] == "done", status


def test_a_job_whose_queue_message_was_lost_is_queued_again_by_its_page(
    client, auth, db, app, job_worker, monkeypatch
):
    from models.cities import City
    from models.services.scenario_jobs import start_run_job

    monkeypatch.setenv("JOB_REQUEUE_SECONDS", "0")
    auth.login_as("finance_officer")
    _import_tiny(client)
    tiny = db.get(Scenario, _scenario_id(db, "Tiny"))
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    job_id = start_run_job(db, city, None, [tiny]).id
    db.commit()  # committed, but its message never reached the queue
    status = _status_when_finished(client, job_id)
    assert status["status"] == "done", status


def test_city_data_saved_as_a_scenario_and_a_whatif_on_it(client, auth, db):
    auth.login_as("finance_officer")
    response = client.post(
        "/cities/demo-city/scenarios/city-data",
        data={"city-name": "Our data 2027", "city-start_year": "2027", "city-horizon_years": "5"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = db.get(Scenario, _scenario_id(db, "Our data 2027"))
    assert saved.definition["projects"] and saved.definition["start_year"] == 2027
    response = client.post(
        "/cities/demo-city/scenarios/whatif",
        data={
            "whatif-name": "Our data, rates +2",
            "whatif-base": "Our data 2027",
            "whatif-library": "rate-shock-+2pt",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        "/cities/demo-city/scenarios/city-data",
        data={"city-name": "Our data 2027", "city-start_year": "2027", "city-horizon_years": "5"},
    )
    assert bad.status_code == 422 and "already has a scenario" in bad.get_data(as_text=True)


def test_analysis_job_states_its_time_budget_before_it_runs(client, auth, db, offline):
    auth.login_as("finance_officer")
    _import_tiny(client)
    response = client.post(
        "/cities/demo-city/scenarios/jobs/frontier",
        data={
            "frontier-scenario_id": str(_scenario_id(db, "Tiny")),
            "frontier-axis": "budget",
            "frontier-low": "0.5",
            "frontier-high": "1.5",
            "frontier-steps": "5",
        },
    )
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    page = client.get(f"/cities/demo-city/scenarios/jobs/{job_id}").get_data(as_text=True)
    # 5 points + at most 4 repairs, 20 s each, × 1.25: stated while the job is queued
    assert "Time budget: at most 225 s in all (9 solves at most, 20 s each)" in page


def test_a_failed_job_can_be_retried_from_its_page(client, auth, db, offline):
    from models.scenario_jobs import ScenarioJob

    auth.login_as("finance_officer")
    _import_tiny(client)
    response = client.post(
        "/cities/demo-city/scenarios/jobs/sensitivity",
        data={"sensitivity-scenario_id": str(_scenario_id(db, "Tiny"))},
    )
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    row = db.get(ScenarioJob, job_id)
    row.status, row.error = "failed", "the worker running this job stopped; retry it"
    db.commit()
    page = client.get(f"/cities/demo-city/scenarios/jobs/{job_id}").get_data(as_text=True)
    assert "worker running this job stopped" in page and 'value="Retry"' in page
    assert client.post(f"/cities/demo-city/scenarios/jobs/{job_id}/retry").status_code == 302
    status = client.get(f"/api/cities/demo-city/scenarios/jobs/{job_id}").get_json()
    assert (status["status"], status["error"]) == ("queued", None)
    assert execute_job(offline.extensions["db_sessions"], job_id, workers=1) == "done"


def test_comparison_writes_large_amounts_without_exponents(client, auth, db, offline):
    import re

    big = (
        KNAPSACK_YAML.replace(b"Tiny", b"Big")
        .replace(b"2027: 100}", b"2027: 100000000}")
        .replace(b"[40]", b"[40000000]")
        .replace(b"[30]", b"[32650000]")
        .replace(b"[50]", b"[50000000]")
    )
    auth.login_as("finance_officer")
    client.post(
        "/cities/demo-city/scenarios/import",
        data={"import-file": (io.BytesIO(big), "big.yaml"), "import-name": ""},
        content_type="multipart/form-data",
    )
    client.post(
        "/cities/demo-city/scenarios/whatif",
        data={"whatif-name": "Big cut", "whatif-base": "Big", "whatif-library": "budget-cut-20"},
    )
    ids = [_scenario_id(db, "Big cut"), _scenario_id(db, "Big")]
    response = client.post(
        "/cities/demo-city/scenarios/jobs/run",
        data={"run-scenario_ids": [str(i) for i in ids], "run-time_limit": "20"},
    )
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    execute_job(offline.extensions["db_sessions"], job_id, workers=1)
    page = client.get(f"/cities/demo-city/scenarios/jobs/{job_id}").get_data(as_text=True)
    assert "Comparison" in page
    text = re.sub(r"<script.*?</script>", "", page, flags=re.S)  # chart data may use exponents
    assert "Comparison" in text and not re.search(r"\d\.?\d*e[+-]\d+", text)  # no 7.265e+07
    assert "72,650,000" in page  # P1 + P2, the plan under the full budget


def test_scenario_run_budget_follows_solver_time_limit(client, auth, db, offline, app):
    app.config["SOLVER_TIME_LIMIT"] = 15
    auth.login_as("finance_officer")
    _import_tiny(client)
    page = client.get("/cities/demo-city/scenarios/").get_data(as_text=True)
    assert 'name="run-time_limit"' in page and 'value="15"' in page
    tiny = str(_scenario_id(db, "Tiny"))
    response = client.post(
        "/cities/demo-city/scenarios/jobs/run",
        data={"run-scenario_ids": [tiny], "run-time_limit": "100"},
    )
    assert response.status_code == 422
    assert "At most 15 s on this server." in response.get_data(as_text=True)
    response = client.post(
        "/cities/demo-city/scenarios/jobs/run", data={"run-scenario_ids": [tiny]}
    )
    assert response.status_code == 302
    job = db.get(ScenarioJob, int(response.headers["Location"].rstrip("/").split("/")[-1]))
    assert job.params["options"]["time_limit"] == 15
