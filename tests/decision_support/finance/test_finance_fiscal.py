"""Fiscal profile, debt-rule presets and headroom."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from decision_support.finance.fiscal import (
    FiscalProfileError,
    debt_rule_presets,
    load_fiscal_profile,
    parse_fiscal_profile,
)
from decision_support.finance.schedules import debt_service_per_unit

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "scenarios" / "demo_city" / "fiscal_profile.yaml"


def make_document(**changes):
    document = {
        "city": "Testville",
        "currency": "EUR",
        "discount_rate": 0.04,
        "debt_rules": {"max_debt_service_ratio": 0.10},
        "years": [
            {
                "year": 2026 + i,
                "revenue": 100.0,
                "capital_budget": 10.0,
                "existing_debt_service": 6.0,
                "existing_debt_outstanding": 50.0,
            }
            for i in range(3)
        ],
    }
    document.update(changes)
    return document


def test_presets_carry_sources():
    presets = debt_rule_presets()
    assert presets["newport_news_va"].max_debt_service_ratio == 0.095
    assert presets["newport_news_va"].stock_base == "assessed_value"
    assert presets["colombia_law_358"].max_interest_to_operating_savings == 0.40
    assert presets["colombia_law_358"].status == "unverified"
    for rules in presets.values():
        assert rules.url and rules.url.startswith("http")


def test_demo_profile_loads_with_headroom():
    profile = load_fiscal_profile(DEMO)
    assert profile.city == "Demo City (fictional)"
    assert (profile.first_year, profile.last_year) == (2026, 2035)
    assert profile.years[0].revenue == 450_000_000
    assert profile.debt_rules.max_debt_service_ratio == 0.10
    headroom = profile.headroom()
    # 0.10 x 450 M - 29.6 M
    assert headroom[0].headroom == pytest.approx(15_400_000)
    assert headroom[0].ratio == pytest.approx(29.6 / 450)


def test_borrowing_capacity_uses_the_tightest_later_year():
    profile = load_fiscal_profile(DEMO)
    factors = debt_service_per_unit(0.05, 10)
    capacity = profile.borrowing_capacity(2026, factors)
    # the tightest year is 2027: 0.10 x 459 M - 29.0 M = 16.9 M of room
    assert capacity == pytest.approx(16_900_000 / factors[0])
    reduced = profile.borrowing_capacity(2026, factors, {2027: 1_900_000})
    assert reduced == pytest.approx(15_000_000 / factors[0])


def test_explicit_rules_override_preset():
    profile = parse_fiscal_profile(
        make_document(debt_rules={"preset": "newport_news_va", "max_debt_stock_ratio": None})
    )
    assert profile.debt_rules.max_debt_service_ratio == 0.095
    assert profile.debt_rules.max_debt_stock_ratio is None
    assert profile.debt_rules.status == "city_override"


def test_problems_name_their_fields():
    document = make_document(discount_rate=-1, debt_rules={"preset": "nowhere"})
    document["years"][1]["revenue"] = 0
    with pytest.raises(FiscalProfileError) as caught:
        parse_fiscal_profile(document)
    fields = {p.field for p in caught.value.problems}
    assert {"discount_rate", "years[1].revenue"} <= fields


def test_rule_needs_its_data():
    document = make_document(debt_rules={"preset": "newport_news_va"})
    document["years"][2]["year"] = 2030
    with pytest.raises(FiscalProfileError) as caught:
        parse_fiscal_profile(document)
    fields = {p.field for p in caught.value.problems}
    assert "years" in fields
    assert "years[0].assessed_value" in fields
    with pytest.raises(FiscalProfileError, match="unknown debt-rule preset"):
        parse_fiscal_profile(make_document(debt_rules={"preset": "nowhere"}))


def test_demo_yaml_is_plain_data():
    assert yaml.safe_load(DEMO.read_text("utf-8"))["population"] == 250_000


def test_non_finite_numbers_are_rejected():
    document = make_document(discount_rate=float("nan"))
    document["years"][0]["revenue"] = float("inf")
    document["debt_rules"] = {"max_debt_service_ratio": float("inf")}
    with pytest.raises(FiscalProfileError) as caught:
        parse_fiscal_profile(document)
    fields = {p.field for p in caught.value.problems}
    assert {"discount_rate", "years[0].revenue", "debt_rules.max_debt_service_ratio"} <= fields
