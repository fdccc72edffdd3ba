"""Factories for tiny portfolio scenarios whose optimum is known by hand."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
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


def _large_document(seed: int, n: int = 120, years: int = 6) -> dict[str, Any]:
    """A seeded value-mode scenario too large to prove within a fraction of a second:
    1–3-year capex profiles, 3-year start windows, a budget of a third of the cost."""
    rng = random.Random(seed)
    projects = []
    total = 0
    for i in range(n):
        profile = [rng.randint(200, 2000) * 1000 for _ in range(rng.choice((1, 2, 3)))]
        total += sum(profile)
        earliest = 2027 + rng.randrange(0, years - len(profile) + 1)
        projects.append(
            {
                "id": f"P{i:03d}",
                "capex_profile": profile,
                "value": round(sum(profile) / 1e6 * rng.uniform(0.5, 1.5) * 10, 2),
                "earliest_start": earliest,
                "latest_start": min(earliest + 2, 2027 + years - len(profile)),
            }
        )
    return {
        "start_year": 2027,
        "horizon_years": years,
        "budget": {"by_year": {2027 + t: round(total / 3 / years) for t in range(years)}},
        "objective": {"mode": "value"},
        "projects": projects,
    }


@pytest.fixture
def large_document() -> Callable[..., dict[str, Any]]:
    """``large_document(seed, n=120, years=6)``: see :func:`_large_document`."""
    return _large_document
