"""Factories for tiny portfolio scenarios whose optimum is known by hand."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from decision_support.portfolio import OptimiseOptions, Scenario, parse_scenario

WATER = "EC: I: WS: 3C"  # Water supply loss (lower is better)


def base_document() -> dict[str, Any]:
    return {
        "name": "tiny",
        "start_year": 2027,
        "horizon_years": 3,
        "budget": {"by_year": {2027: 100, 2028: 100, 2029: 100}},
        "objective": {"mode": "value"},
        "projects": [],
    }


@pytest.fixture
def make_scenario():
    """Build a scenario from the tiny base document plus overrides."""

    def factory(projects: list[dict[str, Any]], **overrides: Any) -> Scenario:
        doc = copy.deepcopy(base_document())
        doc["projects"] = projects
        doc.update(overrides)
        return parse_scenario(doc)

    return factory


@pytest.fixture
def fast() -> OptimiseOptions:
    return OptimiseOptions(time_limit=20, explain=False)
