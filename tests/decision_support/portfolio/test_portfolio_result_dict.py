"""``PortfolioResult.from_dict``: exact round trips of real results and stored runs, and
clear errors for documents that are not in the optimiser's shape."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from decision_support.files.documents import read_document_file
from decision_support.portfolio import OptimiseOptions, optimise, parse_scenario
from decision_support.portfolio.result import PortfolioResult, ResultFormatError

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "scenarios/demo_city/portfolio.yaml"
SAVED_RUN = REPO / "tests/data/portfolio/demo-city-saved-run.json"


def _round_trips(document: dict[str, Any]) -> PortfolioResult:
    """``document`` and its JSON text both come back exactly."""
    result = PortfolioResult.from_dict(document)
    assert result.to_dict() == document
    text = json.dumps(document)
    assert json.dumps(PortfolioResult.from_dict(json.loads(text)).to_dict()) == text
    return result


@pytest.fixture(scope="module")
def demo_result() -> dict[str, Any]:
    scenario = parse_scenario(read_document_file(DEMO))
    return optimise(scenario, OptimiseOptions(time_limit=20, explain=True)).to_dict()


def test_the_demo_city_result_round_trips(demo_result):
    result = _round_trips(demo_result)
    assert result.status == "optimal" and result.selected
    assert result.explanations is not None and result.explanations.projects
    # years are integers again, as the optimiser made them
    assert all(
        isinstance(year, int)
        for p in result.selected
        for y in p.funding_by_year.values()
        for year in y
    )


def test_an_infeasible_result_round_trips_with_its_diagnosis(make_scenario):
    scenario = make_scenario(
        [{"id": "A", "capex_profile": [150]}], constraints={"mandatory": ["A"]}
    )
    result = _round_trips(optimise(scenario, OptimiseOptions(time_limit=20)).to_dict())
    assert result.status == "infeasible" and result.objective is None
    assert result.diagnosis is not None and result.diagnosis.relaxations


def test_a_time_limit_result_round_trips(large_document):
    options = OptimiseOptions(time_limit=0.05, gap=0.0, explain=False)
    result = _round_trips(optimise(parse_scenario(large_document(11)), options).to_dict())
    assert result.status in ("feasible", "not_solved") and not result.proven_optimal


def test_a_saved_run_file_round_trips():
    stored = json.loads(SAVED_RUN.read_text(encoding="utf-8"))["result"]
    result = _round_trips(stored)
    assert result.status == "optimal" and result.funding_plan


def test_keys_added_by_the_web_are_left_out(demo_result):
    stored = {**copy.deepcopy(demo_result), "city_scores": [{"dimension": "Economy"}]}
    assert PortfolioResult.from_dict(stored).to_dict() == demo_result


def test_fields_with_a_default_may_be_absent(demo_result):
    older = copy.deepcopy(demo_result)
    del older["explanations"]["skipped"], older["warnings"], older["cash_flow"][0]["revenue"]
    result = PortfolioResult.from_dict(older)
    assert result.warnings == [] and result.explanations.skipped == ()
    assert result.cash_flow[0].revenue is None


def _problems(document: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ResultFormatError) as caught:
        PortfolioResult.from_dict(document)
    return {str(p.field): p.message for p in caught.value.problems}


def test_a_missing_or_renamed_key_names_its_field(demo_result):
    broken = copy.deepcopy(demo_result)
    del broken["selected"][0]["start_year"]
    broken["state"] = broken.pop("status")
    problems = _problems(broken)
    assert set(problems) == {"selected[0].start_year", "status"}
    assert "has no 'start_year'" in problems["selected[0].start_year"]


def test_a_value_of_the_wrong_type_names_its_field(demo_result):
    broken = copy.deepcopy(demo_result)
    broken["mip_gap"] = "small"
    broken["cash_flow"] = {"2027": {}}
    broken["funding_plan"] = {"loan": {"soon": 1.0}}
    broken["proven_optimal"] = 1
    assert set(_problems(broken)) == {
        "mip_gap",
        "cash_flow",
        "funding_plan.loan.soon",
        "proven_optimal",
    }


def test_a_document_that_is_not_a_mapping_is_refused():
    assert set(_problems([])) == {"(top level)"}  # type: ignore[arg-type]
