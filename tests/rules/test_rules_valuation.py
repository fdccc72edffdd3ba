"""Valuation rules (options, renewals, lots, small-lots exemption, 48 months, VAT) and
the anti-splitting check."""

from __future__ import annotations

from datetime import date

import pytest

from rules.assessment import assess
from rules.contract import Lot
from rules.errors import PlannedContractError
from rules.valuation import check_splitting, small_lots_exemption, value_contract


def test_options_and_renewals_bring_the_contract_over_the_threshold(eu2026, make_contract) -> None:
    base = make_contract(estimated_value=200_000)
    assert not assess(base, eu2026).above_threshold
    with_options = make_contract(
        estimated_value=200_000, options_value=10_000, renewals_value=6_000
    )
    valuation = value_contract(with_options, eu2026)
    assert valuation.total_value == 216_000
    assert assess(with_options, eu2026).above_threshold
    assert {line.label for line in valuation.lines} >= {"options", "renewals"}


def test_lots_are_aggregated(eu2026, make_contract) -> None:
    contract = make_contract(estimated_value=0.0, lots=(Lot(100_000, "1"), Lot(120_000, "2")))
    result = assess(contract, eu2026)
    assert result.valuation.total_value == 220_000
    assert result.above_threshold  # every lot is under, the total is over


def test_lots_must_add_up_to_the_estimated_value(eu2026, make_contract) -> None:
    with pytest.raises(PlannedContractError, match="lots add up to"):
        assess(make_contract(estimated_value=300_000, lots=(Lot(100_000), Lot(100_000))), eu2026)


def test_all_problems_are_reported_at_once(eu2026, make_contract) -> None:
    with pytest.raises(PlannedContractError) as info:
        assess(
            make_contract(category="goods", authority="city", estimated_value=-1, cpv="72"), eu2026
        )
    fields = {p.field for p in info.value.problems}
    assert fields == {"category", "authority", "estimated_value", "cpv"}


def test_small_lots_exemption_services(eu2026) -> None:
    lots = (
        Lot(500_000, "A"),
        Lot(60_000, "B"),
        Lot(50_000, "C"),
        Lot(70_000, "D"),
        Lot(90_000, "E"),
    )
    # total 770,000; 20 % = 154,000; eligible (< 80,000): C, B, D; C + B = 110,000; + D > cap
    assert [lot.id for lot in small_lots_exemption(lots, "services", eu2026)] == ["C", "B"]


def test_small_lots_exemption_works(eu2026) -> None:
    lots = (Lot(4_000_000, "A"), Lot(900_000, "B"), Lot(800_000, "C"), Lot(1_200_000, "D"))
    # total 6,900,000; 20 % = 1,380,000; eligible (< 1,000,000): C, B; C + B > cap
    assert [lot.id for lot in small_lots_exemption(lots, "works", eu2026)] == ["C"]


def test_small_lots_edge_and_single_lot(eu2026) -> None:
    assert small_lots_exemption((Lot(80_000, "A"), Lot(400_000, "B")), "supplies", eu2026) == ()
    assert small_lots_exemption((Lot(79_999, "A"), Lot(400_000, "B")), "supplies", eu2026)
    assert small_lots_exemption((Lot(50_000, "A"),), "supplies", eu2026) == ()


@pytest.mark.parametrize(
    ("duration", "expected"),
    [(None, 240_000), (36, 180_000), (48, 240_000), (60, 240_000)],
)
def test_48_month_rule(eu2026, make_contract, duration, expected) -> None:
    contract = make_contract(estimated_value=0.0, monthly_value=5_000, duration_months=duration)
    assert value_contract(contract, eu2026).total_value == expected


def test_monthly_and_total_value_together_is_an_error(eu2026, make_contract) -> None:
    with pytest.raises(PlannedContractError, match="not both"):
        assess(make_contract(monthly_value=5_000), eu2026)


def test_uk_adds_vat_before_comparing(uk2026, make_contract) -> None:
    valuation = value_contract(make_contract(estimated_value=180_000), uk2026)
    assert valuation.vat_added == pytest.approx(36_000)
    assert valuation.compared_value == pytest.approx(216_000)


def _planned(
    make_contract, cid: str, value: float, cpv: str = "72000000", day: date = date(2026, 3, 2)
):
    return make_contract(id=cid, estimated_value=value, cpv=cpv, notice_date=day)


def test_anti_splitting_flags_same_division_same_year(eu2026, make_contract) -> None:
    contracts = [
        _planned(make_contract, "A", 100_000, "72212000"),
        _planned(make_contract, "B", 90_000, "72310000", date(2026, 9, 1)),
        _planned(make_contract, "C", 50_000, "72500000"),
    ]
    [warning] = check_splitting(contracts, eu2026)
    assert warning.cpv_division == "72"
    assert warning.year == 2026
    assert warning.contract_ids == ("A", "B", "C")
    assert warning.total_value == 240_000
    assert warning.threshold == 216_000
    assert warning.citation is not None


def test_anti_splitting_quiet_cases(eu2026, make_contract) -> None:
    other_year = [
        _planned(make_contract, "A", 150_000),
        _planned(make_contract, "B", 150_000, day=date(2027, 3, 1)),
    ]
    other_division = [
        _planned(make_contract, "A", 150_000, "72000000"),
        _planned(make_contract, "B", 150_000, "48000000"),
    ]
    one_above = [_planned(make_contract, "A", 250_000), _planned(make_contract, "B", 10_000)]
    small_total = [_planned(make_contract, "A", 100_000), _planned(make_contract, "B", 100_000)]
    no_cpv = [
        make_contract(id="A", estimated_value=150_000),
        make_contract(id="B", estimated_value=150_000),
    ]
    for contracts in (other_year, other_division, one_above, small_total, no_cpv):
        assert check_splitting(contracts, eu2026) == []


def test_anti_splitting_at_exactly_the_threshold(eu2026, make_contract) -> None:
    contracts = [_planned(make_contract, "A", 108_000), _planned(make_contract, "B", 108_000)]
    assert len(check_splitting(contracts, eu2026)) == 1
