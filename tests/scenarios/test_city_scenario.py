"""The one composition of a city's scenario, and the proof that the CLI and the web
give the same plan for the same scenario."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from cli.main import main
from decision_support.finance.fiscal import DebtRules, FiscalProfile, FiscalYear
from decision_support.finance.mechanisms import load_mechanisms
from decision_support.portfolio import parse_scenario
from decision_support.projects.model import (
    CandidateImpact,
    CandidateProject,
    ProjectProcurement,
    Risk,
)
from models.cities import City
from models.services.portfolio import RunSettings, create_run, solve_run
from rules.rule_pack import load_pack
from scenarios.city_scenario import (
    CityInputs,
    PlanningChoices,
    ScoredKpi,
    city_scenario_document,
    with_lead_times,
)
from scenarios.files import demo_city_path, read_document

DEMO_PORTFOLIO = demo_city_path().parent / "portfolio.yaml"
WATER = "EC: I: WS: 3C"
CYCLING = "EC: I: T: 4A"


def _candidate(pid: str, impacts: list[CandidateImpact], capex: float) -> CandidateProject:
    return CandidateProject(
        id=pid,
        name=f"Project {pid}",
        capex_by_year=(capex,),
        opex_per_year=0.0,
        savings_per_year=0.0,
        duration_years=1.0,
        lifetime_years=10.0,
        impacts=tuple(impacts),
        procurement=ProjectProcurement(category="works", estimated_value=capex),
        risk=Risk(cost_overrun="low", delivery="low"),
    )


def _impact(kpi: str, change: float, data_point: str | None = None) -> CandidateImpact:
    return CandidateImpact(kpi, change, "medium", "test", data_point=data_point)


@pytest.fixture
def small_city() -> CityInputs:
    fiscal = FiscalProfile(
        city="Smallville",
        currency="EUR",
        discount_rate=0.03,
        years=tuple(
            FiscalYear(
                year=y,
                revenue=10e6,
                capital_budget=1e6,
                existing_debt_service=5e5,
                existing_debt_outstanding=4e6,
            )
            for y in (2027, 2028)
        ),
        debt_rules=DebtRules(max_debt_service_ratio=0.2),
    )
    return CityInputs(
        name="Smallville",
        currency="EUR",
        candidates=[
            _candidate("B", [_impact(CYCLING, 2.0, "cycling"), _impact(WATER, -1.0)], 300_000),
            _candidate("A", [_impact(WATER, -2.0), _impact("EN: EN: AQ: 1C", -1.0, "NO2")], 6e6),
        ],
        scored_kpis=[
            ScoredKpi(WATER, "", 28.0, 15.0, "lower_is_better"),
            ScoredKpi(CYCLING, "cycling", 6.0, 10.0, "higher_is_better"),
        ],
        mechanisms=list(load_mechanisms()),
        fiscal=fiscal,
        rule_pack=load_pack("eu-2026"),
    )


def test_the_composition_maps_a_city_by_hand(small_city: CityInputs) -> None:
    document = city_scenario_document(small_city, PlanningChoices(start_year=2027, horizon_years=2))
    # KPIs: the scored ones a candidate touches, in project order (A before B); NO2 is
    # not scored, so it is left out and so is A's impact on it
    assert [(k["code"], k.get("data_point")) for k in document["kpis"]] == [
        (WATER, None),
        (CYCLING, "cycling"),
    ]
    assert document["kpis"][0] == {
        "code": WATER,
        "baseline": 28.0,
        "target": 15.0,
        "direction": "lower_is_better",
    }
    assert [p["id"] for p in document["projects"]] == ["A", "B"]
    assert document["projects"][0]["impacts"] == {WATER: -2.0}
    # money from the fiscal profile, debt-service limit from its rules
    assert document["budget"] == {"by_year": {2027: 1e6, 2028: 1e6}, "carry_over": True}
    assert document["fiscal"]["max_debt_service_ratio"] == 0.2
    assert document["objective"] == {"mode": "gap_closure"}
    # lead times from the EU pack: the 6 M works contract is above the works threshold,
    # so it takes longer than the 300 k one
    lead = {p["id"]: p["procurement"]["lead_time_days"] for p in document["projects"]}
    assert lead["A"] > lead["B"] > 0
    enabled = {m.id for m in small_city.mechanisms if m.enabled}
    assert {m["id"] for m in document["mechanisms"]} == enabled
    parse_scenario(document)  # and the optimiser accepts it


def test_lead_times_given_in_a_file_are_kept() -> None:
    document = read_document(DEMO_PORTFOLIO)
    given = {p["id"]: p["procurement"]["lead_time_days"] for p in document["projects"]}
    with_lead_times(document, load_pack("eu-2026"))
    assert {p["id"]: p["procurement"]["lead_time_days"] for p in document["projects"]} == given


def _plan(selected: list[dict]) -> list[tuple[str, int]]:
    return sorted((p["id"], p["start_year"]) for p in selected)


def _cli_plan(capsys, path: Path, *extra: str) -> list[tuple[str, int]]:
    argv = ["optimise", str(path), "--gap", "0", "--no-explain", "--time-limit", "60", "--json"]
    assert main([*argv, *extra]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "optimal"
    return _plan(result["selected"])


def test_the_cli_and_the_web_give_the_same_plan(db, capsys, tmp_path: Path) -> None:
    """The demo city's own data, composed and solved by the web service; its scenario,
    written to a file without the lead times, solved by the CLI with the city's pack:
    the same plan. The run's snapshot (lead times included) reproduces it without one."""
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    settings = RunSettings(time_limit=60, gap=0.0, explain=False)
    run = create_run(db, city, None, settings)
    solve_run(db, run)
    assert run.status == "optimal", run.error
    web_plan = _plan(run.results["selected"])

    document = copy.deepcopy(run.inputs)
    lead_times = {}
    for project in document["projects"]:
        lead_times[project["id"]] = project["procurement"].pop("lead_time_days")
    assert all(days > 0 for days in lead_times.values())  # every candidate got one
    without = tmp_path / "city-data-without-lead-times.yaml"
    without.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    assert _cli_plan(capsys, without, "--pack", city.rule_pack) == web_plan
    refilled = with_lead_times(copy.deepcopy(document), load_pack(city.rule_pack))
    assert {p["id"]: p["procurement"]["lead_time_days"] for p in refilled["projects"]} == (
        lead_times
    )

    snapshot = tmp_path / "run-snapshot.json"
    snapshot.write_text(json.dumps(run.inputs), encoding="utf-8")
    assert _cli_plan(capsys, snapshot) == web_plan


SLOW_PACK = Path(__file__).parents[1] / "data" / "rule_packs" / "slowland-2026.yaml"


def test_optimise_finds_its_pack_in_the_machines_pack_folders(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``optimise --pack`` looks in ``DECISION_SUPPORT_RULE_PACKS`` as every other command does."""
    folder = tmp_path / "packs"
    folder.mkdir()
    (folder / "slowland-2026.yaml").write_bytes(SLOW_PACK.read_bytes())
    monkeypatch.setenv("DECISION_SUPPORT_RULE_PACKS", str(folder))
    document = read_document(demo_city_path("portfolio.yaml"))
    for project in document["projects"]:
        project.get("procurement", {}).pop("lead_time_days", None)
    path = tmp_path / "demo-without-lead-times.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    assert _cli_plan(capsys, path, "--pack", "slowland-2026")
