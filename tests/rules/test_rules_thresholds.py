"""Threshold edges: one unit under and exactly at, for every category and authority."""

from __future__ import annotations

import pytest

from rules.assessment import assess
from rules.rule_pack import AUTHORITIES, CATEGORIES

EU_2026 = {
    ("works", "central"): 5_404_000,
    ("works", "sub-central"): 5_404_000,
    ("works", "utility"): 5_404_000,
    ("supplies", "central"): 140_000,
    ("services", "central"): 140_000,
    ("supplies", "sub-central"): 216_000,
    ("services", "sub-central"): 216_000,
    ("supplies", "utility"): 432_000,
    ("services", "utility"): 432_000,
    ("social-services", "central"): 750_000,
    ("social-services", "sub-central"): 750_000,
    ("social-services", "utility"): 1_000_000,
}
EU_2024 = {
    **{k: v for k, v in EU_2026.items()},
    ("works", "central"): 5_538_000,
    ("works", "sub-central"): 5_538_000,
    ("works", "utility"): 5_538_000,
    ("supplies", "central"): 143_000,
    ("services", "central"): 143_000,
    ("supplies", "sub-central"): 221_000,
    ("services", "sub-central"): 221_000,
    ("supplies", "utility"): 443_000,
    ("services", "utility"): 443_000,
}
UK_2026_INCL_VAT = {
    ("works", "central"): 5_193_000,
    ("works", "sub-central"): 5_193_000,
    ("works", "utility"): 5_193_000,
    ("supplies", "central"): 135_018,
    ("services", "central"): 135_018,
    ("supplies", "sub-central"): 207_720,
    ("services", "sub-central"): 207_720,
    ("supplies", "utility"): 415_440,
    ("services", "utility"): 415_440,
    ("social-services", "central"): 663_540,
    ("social-services", "sub-central"): 663_540,
    ("social-services", "utility"): 884_720,
}
PAIRS = [(c, a) for c in CATEGORIES for a in AUTHORITIES]


@pytest.mark.parametrize(("category", "authority"), PAIRS)
def test_eu_2026_edges(eu2026, make_contract, category: str, authority: str) -> None:
    threshold = EU_2026[(category, authority)]
    under = assess(
        make_contract(category=category, authority=authority, estimated_value=threshold - 1), eu2026
    )
    at = assess(
        make_contract(category=category, authority=authority, estimated_value=threshold), eu2026
    )
    assert under.threshold.value == at.threshold.value == threshold
    assert under.above_threshold is False
    assert under.regime == "below-threshold"
    assert at.above_threshold is True
    assert at.regime == ("light-touch" if category == "social-services" else "standard")


@pytest.mark.parametrize(("category", "authority"), PAIRS)
def test_eu_2024_edges(eu2024, make_contract, category: str, authority: str) -> None:
    threshold = EU_2024[(category, authority)]
    assert not assess(
        make_contract(category=category, authority=authority, estimated_value=threshold - 1), eu2024
    ).above_threshold
    assert assess(
        make_contract(category=category, authority=authority, estimated_value=threshold), eu2024
    ).above_threshold


@pytest.mark.parametrize(("category", "authority"), PAIRS)
def test_uk_thresholds_include_vat(uk2026, make_contract, category: str, authority: str) -> None:
    threshold = UK_2026_INCL_VAT[(category, authority)]
    net_at = threshold / 1.2
    at = assess(
        make_contract(category=category, authority=authority, estimated_value=net_at), uk2026
    )
    under = assess(
        make_contract(category=category, authority=authority, estimated_value=net_at - 1), uk2026
    )
    assert at.valuation.compared_value == pytest.approx(threshold)
    assert at.above_threshold is True
    assert under.above_threshold is False


@pytest.mark.parametrize(
    ("value", "regime", "procedure"),
    [
        (15_000, "micro-purchase", "micro-purchase"),
        (15_001, "below-threshold", "simplified-acquisition"),
        (350_000, "below-threshold", "simplified-acquisition"),
        (350_001, "standard", "sealed-bidding"),
    ],
)
def test_us_federal_bands_use_not_exceeding(
    us_federal, make_contract, value, regime, procedure
) -> None:
    result = assess(
        make_contract(category="supplies", authority="central", estimated_value=value), us_federal
    )
    assert result.regime == regime
    assert result.recommended.id == procedure
    assert result.currency == "USD"


def test_world_bank_regulations_apply_to_every_financed_contract(world_bank, make_contract) -> None:
    result = assess(make_contract(estimated_value=1.0), world_bank)
    assert result.above_threshold is True
    assert result.recommended.id == "rfb-open-international"
