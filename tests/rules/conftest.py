"""Fixtures for the procurement rules tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rules.contract import PlannedContract
from rules.rule_pack import RulePack, load_pack

REPO = Path(__file__).resolve().parents[2]
NOTICE = date(2026, 3, 2)  # a Monday


@pytest.fixture(scope="session")
def eu2026() -> RulePack:
    return load_pack("eu-2026")


@pytest.fixture(scope="session")
def eu2024() -> RulePack:
    return load_pack("eu-2024")


@pytest.fixture(scope="session")
def uk2026() -> RulePack:
    return load_pack("uk-2026")


@pytest.fixture(scope="session")
def us_federal() -> RulePack:
    return load_pack("us-federal")


@pytest.fixture(scope="session")
def world_bank() -> RulePack:
    return load_pack("world-bank")


@pytest.fixture
def make_contract() -> Callable[..., PlannedContract]:
    """Factory: a sub-central services contract with a fixed notice date; override anything."""

    def factory(**overrides: Any) -> PlannedContract:
        fields: dict[str, Any] = {
            "category": "services",
            "authority": "sub-central",
            "estimated_value": 300_000.0,
            "notice_date": NOTICE,
        }
        fields.update(overrides)
        return PlannedContract(**fields)

    return factory
