"""Saved scenarios: versions, clone, import/export, what-if resolution, jobs and the worker."""

from __future__ import annotations

import pytest
import yaml

from decision_support.errors import InputError
from models.scenario_jobs import ScenarioJob
from models.scenario_worker import execute_job
from models.services.scenario_jobs import request_cancel, start_frontier_job, start_run_job
from models.services.scenarios import (
    clone_scenario,
    create_scenario,
    export_scenario,
    history,
    import_scenario,
    resolve_scenario,
    restore_version,
    scenario_by_name,
    scenarios_of,
    update_scenario,
)
from scenarios.files import demo_city_path, read_document

KNAPSACK = {
    "start_year": 2027,
    "horizon_years": 1,
    "budget": {"by_year": {"2027": 100.0}},
    "objective": {"mode": "value"},
    "projects": [
        {"id": "P1", "capex_profile": [40.0], "value": 10.0},
        {"id": "P2", "capex_profile": [30.0], "value": 8.0},
        {"id": "P3", "capex_profile": [50.0], "value": 9.0},
    ],
}


def test_demo_city_has_its_base_and_whatifs(session, city):
    names = {s.name for s in scenarios_of(session, city)}
    assert "Demo City (fictional) 2027-2031" in names
    assert {"Budget cut 20 %", "EU cohesion grant refused", "Rate shock +2 points"} <= names
    cut = resolve_scenario(session, scenario_by_name(session, city, "Budget cut 20 %"))
    base = read_document(demo_city_path())
    assert cut["budget"]["by_year"]["2027"] == pytest.approx(0.8 * base["budget"]["by_year"][2027])


def test_versions_record_who_changed_what_and_can_be_restored(session, city, actor):
    scenario = create_scenario(session, city, actor, name="Tiny", definition=KNAPSACK)
    changed = {**KNAPSACK, "budget": {"by_year": {"2027": 70.0}}}
    version = update_scenario(session, scenario, actor, name="Tiny", definition=changed, note="cut")
    assert version is not None and version.version == 2
    assert version.changes == ["definition.budget"] and version.changed_by == actor.id
    assert update_scenario(session, scenario, actor, name="Tiny", definition=changed) is None
    restore_version(session, scenario, actor, 1)
    assert scenario.version == 3 and scenario.definition["budget"]["by_year"]["2027"] == 100.0
    assert [v.version for v in history(session, scenario)] == [3, 2, 1]


def test_whatif_on_a_saved_base_clone_and_rename_follow(session, city, actor):
    create_scenario(session, city, actor, name="Tiny", definition=KNAPSACK)
    whatif = create_scenario(
        session,
        city,
        actor,
        name="Tiny cut",
        definition={"base": "Tiny", "overrides": {"budget": {"change_percent": -30}}},
    )
    assert resolve_scenario(session, whatif)["budget"]["by_year"]["2027"] == pytest.approx(70.0)
    base = scenario_by_name(session, city, "Tiny")
    update_scenario(session, base, actor, name="Tiny base", definition=KNAPSACK)
    assert whatif.definition["base"] == "Tiny base"
    copy = clone_scenario(session, whatif, actor, "Tiny cut (copy)")
    assert copy.version == 1 and copy.definition == whatif.definition


def test_bad_definitions_name_their_field(session, city, actor):
    with pytest.raises(InputError) as caught:
        create_scenario(
            session, city, actor, name="Bad", definition={**KNAPSACK, "horizon_years": 0}
        )
    assert caught.value.problems[0].field.startswith("definition.horizon_years")
    with pytest.raises(InputError) as caught:
        create_scenario(
            session, city, actor, name="Bad", definition={"base": "Nope", "overrides": {}}
        )
    assert "Nope" in str(caught.value)
    with pytest.raises(InputError):
        create_scenario(session, city, actor, name="", definition=KNAPSACK)


def test_export_import_round_trip(session, city, actor):
    scenario = create_scenario(
        session, city, actor, name="Tiny", definition=KNAPSACK, description="d"
    )
    filename, data = export_scenario(scenario)
    assert filename == "tiny.yaml" and yaml.safe_load(data)["name"] == "Tiny"
    again = import_scenario(session, city, actor, filename, data, name="Tiny again")
    assert (
        resolve_scenario(session, again)["projects"]
        == resolve_scenario(session, scenario)["projects"]
    )


def test_run_job_executes_and_cancel_stops_it(factory, session, city, actor):
    tiny = create_scenario(session, city, actor, name="Tiny", definition=KNAPSACK)
    cut = create_scenario(
        session,
        city,
        actor,
        name="Tiny cut",
        definition={"base": "Tiny", "overrides": {"budget": {"change_percent": -30}}},
    )
    job = start_run_job(session, city, actor, [tiny, cut])
    session.commit()
    assert execute_job(factory, job.id, workers=1) == "done"
    session.refresh(job)
    assert (job.status, job.done, job.total, job.progress) == ("done", 2, 2, 1.0)
    values = [r["result"]["objective"]["value"] for r in job.results["runs"]]
    assert values == [19.0, 18.0]  # budget 100: P1+P3; budget 70: P1+P2
    assert job.inputs[1]["version"] == 1 and job.inputs[1]["scenario"]["name"] == "Tiny cut"

    frontier_job = start_frontier_job(
        session, city, actor, tiny, axis="budget", low=0.5, high=1.0, steps=3
    )
    request_cancel(session, frontier_job, actor)
    session.commit()
    assert frontier_job.status == "cancelled"
    assert execute_job(factory, frontier_job.id, workers=1) == "skipped"


def test_cancel_while_running_keeps_finished_solves(factory, session, city, actor):
    tiny = create_scenario(session, city, actor, name="Tiny", definition=KNAPSACK)
    job = start_run_job(session, city, actor, [tiny, tiny, tiny])
    session.commit()
    job_id = job.id

    # the flag is raised from another session while the worker runs, as the page would
    import models.scenario_worker as worker

    original = worker.run_scenarios

    def run_and_cancel(*args, **kwargs):
        progress = kwargs["progress"]

        def cancelling_progress(done, total, outcome):
            progress(done, total, outcome)
            with factory() as other:
                row = other.get(ScenarioJob, job_id)
                request_cancel(other, row, None)
                other.commit()

        kwargs["progress"] = cancelling_progress
        return original(*args, **kwargs)

    worker.run_scenarios = run_and_cancel
    try:
        assert execute_job(factory, job_id, workers=1) == "cancelled"
    finally:
        worker.run_scenarios = original
    session.expire_all()
    row = session.get(ScenarioJob, job_id)
    assert [r["status"] for r in row.results["runs"]] == ["done", "cancelled", "cancelled"]
