"""Validation of user-made candidates, the dict form, candidate YAML files (demo city)
and conversion to portfolio scenario entries."""

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from decision_support.projects.candidate_files import (
    dump_candidate_document,
    parse_candidate_document,
    read_candidate_file,
)
from decision_support.projects.candidates import (
    candidate_from_dict,
    candidate_to_dict,
    check_candidate_list,
    validate_candidate,
)
from decision_support.projects.model import (
    CandidateImpact,
    CandidateProject,
    ProjectError,
    ProjectProcurement,
    Risk,
)
from decision_support.projects.portfolio_entry import impact_key, to_portfolio_entry

DEMO = Path(__file__).resolve().parents[3] / "scenarios" / "demo_city" / "candidates.yaml"


def make_project(**overrides):
    values = {
        "id": "kiosk-network",
        "name": "Service kiosks",
        "capex_by_year": (100_000.0, 50_000.0),
        "opex_per_year": 5_000.0,
        "savings_per_year": 0.0,
        "duration_years": 2.0,
        "lifetime_years": 8.0,
        "impacts": (
            CandidateImpact("EC: ICT: PS: 2A", 3.0, "medium", "https://example.org/report"),
            CandidateImpact("EN: EN: AQ: 1C", -0.5, "low", "https://example.org/aq", "NO2"),
        ),
        "procurement": ProjectProcurement("supplies", "30200000", "supply", 150_000.0),
        "risk": Risk("low", "medium"),
        "tags": ("digital",),
    }
    values.update(overrides)
    return CandidateProject(**values)


def fields_of(exc_info):
    return {p.field for p in exc_info.value.problems}


def test_a_valid_project_passes():
    validate_candidate(make_project())


def test_every_broken_rule_is_reported_with_its_field():
    bad = make_project(
        id="",
        name=" ",
        capex_by_year=(-1.0, 2.0, 3.0),
        opex_per_year=-5.0,
        lifetime_years=1.0,
        impacts=(
            CandidateImpact("EC: NOPE: 1C", 1.0, "medium", "x"),
            CandidateImpact("EN: EN: AQ: 1C", 1.0, "sure", ""),
        ),
        tags=("shiny",),
        procurement=ProjectProcurement("gifts", "12AB", "", -1.0),
        risk=Risk("none", "high"),
    )
    with pytest.raises(ProjectError) as info:
        validate_candidate(bad)
    assert {
        "id",
        "name",
        "capex_by_year[0]",
        "capex_by_year",
        "opex_per_year",
        "lifetime_years",
        "impacts[0].kpi",
        "impacts[1].data_point",
        "impacts[1].confidence",
        "impacts[1].source",
        "tags",
        "procurement.category",
        "procurement.cpv",
        "procurement.estimated_value",
        "risk.cost_overrun",
    } <= fields_of(info)


def test_self_references_and_list_rules():
    with pytest.raises(ProjectError) as info:
        validate_candidate(make_project(requires=("kiosk-network",), excludes=("kiosk-network",)))
    assert {"requires", "excludes"} <= fields_of(info)
    a = make_project(id="a", requires=("c",))
    problems = check_candidate_list(
        [a, make_project(id="a"), make_project(id="b", excludes=("zz",))]
    )
    messages = [p.message for p in problems]
    assert "duplicate project id 'a'" in messages
    assert "project 'a' requires unknown project 'c'" in messages
    assert "project 'b' excludes unknown project 'zz'" in messages


def test_dict_form_round_trips():
    project = make_project(latest_start=3, earliest_start=1, notes=("n",), sources=("https://s",))
    assert candidate_from_dict(candidate_to_dict(project)) == project


def test_dict_form_problems_are_prefixed():
    data = candidate_to_dict(make_project())
    data["duration_years"] = "two"
    data["impacts"][0]["change"] = None
    with pytest.raises(ProjectError) as info:
        candidate_from_dict(data, "candidates[4].")
    assert {"candidates[4].duration_years", "candidates[4].impacts[0].change"} <= fields_of(info)


def test_demo_city_candidate_list_loads():
    candidate_list = read_candidate_file(DEMO)
    projects = {c.id: c for c in candidate_list.candidates}
    assert candidate_list.city.name == "Demo City (fictional)"
    assert candidate_list.city.population == 250_000
    assert 25 <= len(projects) <= 35
    assert sum(c.low_cost for c in projects.values()) >= 8
    for project in projects.values():
        validate_candidate(project)
        assert project.template_id and project.sources and project.impacts
    assert projects["real-time-passenger-information"].requires == ("gtfs-static-feed",)
    assert projects["nrw-performance-contract"].excludes == ("active-leak-detection",)
    assert projects["active-leak-detection"].excludes == ("nrw-performance-contract",)
    assert projects["nrw-performance-contract"].earliest_start == 1
    # 26 000 of 62 000 connections get smart meters
    meters = {i.kpi: i.change for i in projects["smart-water-meters"].impacts}
    assert meters["EC: ICT: WS: 1C"] == pytest.approx(100 * 26_000 / 62_000, abs=1e-4)


def test_candidate_file_errors_are_collected_and_located():
    document = {
        "city": {"name": "X", "population": 1000, "households": 400},
        "candidates": [
            {"template": "no-such-template"},
            {"template": "gtfs-static-feed", "sizes": {"agencies": -2}},
            {"template": "gtfs-static-feed", "colour": "red"},
            {"id": "own", "name": "Own"},
        ],
    }
    with pytest.raises(ProjectError) as info:
        parse_candidate_document(document)
    fields = fields_of(info)
    assert "candidates[0].template" in fields
    assert "candidates[1].agencies" in fields
    assert "candidates[2].colour" in fields
    assert "candidates[3].capex_by_year" in fields
    with pytest.raises(ProjectError, match="'population' must be a positive number"):
        parse_candidate_document({"city": {"households": 3}, "candidates": []})


def test_written_out_document_reads_back_identically():
    candidate_list = read_candidate_file(DEMO)
    text = dump_candidate_document(candidate_list.city, list(candidate_list.candidates[:5]))
    again = parse_candidate_document(yaml.safe_load(text))
    assert again.candidates == candidate_list.candidates[:5]


def test_portfolio_entry_shape():
    project = make_project(earliest_start=1, latest_start=3, requires=("x",), low_cost=True)
    entry = to_portfolio_entry(project, start_year=2026)
    assert entry["capex_profile"] == [100_000.0, 50_000.0]
    assert entry["impacts"] == {"EC: ICT: PS: 2A": 3.0, "EN: EN: AQ: 1C [NO2]": -0.5}
    assert entry["earliest_start"] == 2027 and entry["latest_start"] == 2029
    assert entry["low_cost"] is True and entry["requires"] == ["x"]
    assert entry["procurement"] == {
        "category": "supplies",
        "estimated_value": 150_000.0,
        "cpv": "30200000",
        "contract": "supply",
        "risk_cost_overrun": "low",
        "risk_delivery": "medium",
    }
    assert impact_key("EC: I: T: 4A", "cycling") == "EC: I: T: 4A [cycling]"
    only = to_portfolio_entry(project, 2026, kpi_keys=["EN: EN: AQ: 1C [NO2]"])
    assert only["impacts"] == {"EN: EN: AQ: 1C [NO2]": -0.5}


def test_demo_candidates_make_a_valid_portfolio_scenario():
    from decision_support.portfolio.scenario_file import parse_scenario

    candidate_list = read_candidate_file(DEMO)
    kpis = [
        {"code": "EC: I: WS: 3C", "baseline": 28, "target": 15},
        {"code": "EC: ICT: WS: 1C", "baseline": 18, "target": 60},
        {"code": "EC: I: T: 4A", "data_point": "cycling", "baseline": 6, "target": 10},
    ]
    keys = [impact_key(k["code"], k.get("data_point")) for k in kpis]
    document = {
        "start_year": 2026,
        "horizon_years": 10,
        "budget": {"by_year": {str(y): 20e6 for y in range(2026, 2036)}},
        "kpis": kpis,
        "projects": [to_portfolio_entry(c, 2026, keys) for c in candidate_list.candidates],
    }
    parsed = parse_scenario(document)
    assert len(parsed.projects) == len(candidate_list.candidates)


def test_latest_start_is_optional_in_the_entry():
    entry = to_portfolio_entry(replace(make_project(), latest_start=None), 2030)
    assert "latest_start" not in entry and entry["earliest_start"] == 2030
