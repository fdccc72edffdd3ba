"""The polling contract of background jobs (web/job_progress.py) and its endpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.cities import City
from models.scenario_jobs import ScenarioJob
from web.job_progress import estimate_seconds, status_document

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_estimate_follows_the_pace_so_far():
    assert estimate_seconds(30.0, 3, 12) == pytest.approx(90.0)
    assert estimate_seconds(30.0, 0, 12) is None  # no pace yet
    assert estimate_seconds(30.0, 12, 12) is None


def test_document_of_a_running_and_of_a_failed_job():
    running = status_document(
        state="running",
        status="running",
        done=2,
        total=8,
        started=START.replace(tzinfo=None),  # SQLite's naive UTC
        finished_at=START + timedelta(seconds=20),
        error=None,
        result_url="/r",
    )
    assert (running["finished"], running["failed"], running["progress"]) == (False, False, 0.25)
    assert running["elapsed_seconds"] == 20.0 and running["estimate_seconds"] == 60.0
    assert running["estimate_is_bound"] is False
    failed = status_document(
        state="failed",
        status="failed",
        done=1,
        total=3,
        started=START,
        finished_at=START,
        error="boom",
        result_url="/r",
    )
    assert failed["finished"] and failed["failed"] and failed["estimate_seconds"] is None
    with pytest.raises(ValueError):
        status_document(
            state="odd",
            status="",
            done=0,
            total=0,
            started=None,
            finished_at=None,
            error=None,
            result_url="",
        )


def test_scenario_job_page_and_endpoint_share_the_contract(client, auth, db):
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    job = ScenarioJob(
        city_id=city.id,
        kind="run",
        title="Run: x",
        inputs=[],
        params={},
        total=3,
        done=1,
        status="failed",
        error="the solver crashed",
    )
    db.add(job)
    db.commit()
    auth.login_as("finance_officer")
    status = client.get(f"/api/cities/demo-city/scenarios/jobs/{job.id}").get_json()
    assert status["state"] == "failed" and status["failed"] and status["finished"]
    assert status["result_url"] == f"/cities/demo-city/scenarios/jobs/{job.id}"
    assert {"done", "total", "elapsed_seconds", "estimate_seconds", "error"} <= set(status)
    page = client.get(status["result_url"]).get_data(as_text=True)
    assert "The job failed: the solver crashed" in page
    assert 'data-job-finished="true"' in page
    # The polling script loads deferred (after the status box exists), not inline in <head>.
    head = page[: page.index("</head>")]
    assert 'defer src="/static/js/job-progress.js"' in head and "fetch(" not in head
