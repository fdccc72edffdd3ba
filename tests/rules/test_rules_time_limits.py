"""Minimum time limits per procedure and stage, reductions, standstill and the dated timeline."""

from __future__ import annotations

from datetime import date

import pytest

from rules.assessment import assess, earliest_contract_signature, lead_time_days
from rules.day_counting import add_days, next_working_day


def _min_days(pack, contract, procedure: str) -> dict[str, int | None]:
    """Minimum days of a given procedure (recommended or not) for the contract's flags."""
    from rules.assessment import plan_step

    flags = contract.flags()
    return {
        step.id: plan_step(step, flags).min_days
        for step in pack.procedure(procedure).steps
        if step.min_days is not None
    }


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"electronic": False}, 35),
        ({}, 30),  # electronic submission is the default: -5 days
        ({"pin": True}, 15),
        ({"urgent": True}, 15),
        ({"pin": True, "electronic": False}, 15),
    ],
)
def test_eu_open_procedure(eu2026, make_contract, flags, expected) -> None:
    result = assess(make_contract(**flags), eu2026)
    assert result.recommended.id == "open"
    assert result.min_days == {"tender_submission": expected}


@pytest.mark.parametrize(
    ("flags", "requests", "tenders"),
    [
        ({"electronic": False}, 30, 30),
        ({}, 30, 25),
        ({"pin": True}, 30, 10),
        ({"urgent": True}, 15, 10),
        ({"tender_period_agreed": True}, 30, 10),  # sub-central, by agreement
        ({"tender_period_agreed": True, "authority": "central"}, 30, 25),
    ],
)
def test_eu_restricted_procedure(eu2026, make_contract, flags, requests, tenders) -> None:
    contract = make_contract(**flags)
    assert _min_days(eu2026, contract, "restricted") == {
        "participation_requests": requests,
        "tender_submission": tenders,
    }


@pytest.mark.parametrize(
    ("flags", "requests", "tenders"),
    [
        ({}, 30, 25),
        ({"electronic": False}, 30, 30),
        ({"urgent": True}, 15, 10),
        ({"pin": True}, 30, 10),
    ],
)
def test_eu_competitive_procedure_with_negotiation(
    eu2026, make_contract, flags, requests, tenders
) -> None:
    result = assess(make_contract(needs_negotiation=True, **flags), eu2026)
    assert result.recommended.id == "competitive-procedure-with-negotiation"
    assert result.min_days == {"participation_requests": requests, "tender_submission": tenders}


def test_eu_dialogue_and_innovation_partnership(eu2026, make_contract) -> None:
    contract = make_contract(needs_innovation=True)
    result = assess(contract, eu2026)
    assert result.recommended.id == "innovation-partnership"
    assert result.min_days == {"participation_requests": 30, "tender_submission": None}
    assert _min_days(eu2026, contract, "competitive-dialogue") == {"participation_requests": 30}
    allowed = {p.id: p.allowed for p in result.procedures}
    assert allowed["competitive-dialogue"] and allowed["competitive-procedure-with-negotiation"]
    assert not allowed["negotiated-without-publication"]


def test_eu_conditions_block_procedures_without_grounds(eu2026, make_contract) -> None:
    allowed = {p.id: p.allowed for p in assess(make_contract(), eu2026).procedures}
    assert allowed == {
        "open": True,
        "restricted": True,
        "competitive-procedure-with-negotiation": False,
        "competitive-dialogue": False,
        "innovation-partnership": False,
        "negotiated-without-publication": False,
    }


def test_eu_negotiated_without_publication_has_no_standstill(eu2026, make_contract) -> None:
    result = assess(make_contract(direct_award_ground="extreme urgency (Art. 32(2)(c))"), eu2026)
    assert result.recommended.id == "negotiated-without-publication"
    assert result.recommended.ocds_method == "limited"
    assert result.standstill_days == 0
    assert result.earliest_signature == result.award_decision
    assert "veat-notice" in {n.event for n in result.notices}
    assert "contract-notice" not in {n.event for n in result.notices}


def test_eu_utilities(eu2026, make_contract) -> None:
    contract = make_contract(authority="utility", estimated_value=500_000)
    result = assess(contract, eu2026)
    ids = {p.id for p in result.procedures}
    assert {"open", "utility-restricted", "utility-negotiated-with-call"} <= ids
    assert "restricted" not in ids
    assert _min_days(eu2026, contract, "utility-restricted") == {
        "participation_requests": 30,
        "tender_submission": 10,
    }
    assert result.framework_max_years == 8
    negotiated = assess(
        make_contract(authority="utility", estimated_value=500_000, needs_negotiation=True), eu2026
    )
    assert negotiated.recommended.id == "utility-negotiated-with-call"


def test_eu_light_touch(eu2026, make_contract) -> None:
    result = assess(make_contract(category="social-services", estimated_value=800_000), eu2026)
    assert result.regime == "light-touch"
    assert result.recommended.id == "light-touch"
    assert result.min_days == {"tender_submission": None}
    assert result.standstill_days == 10


def test_eu_open_timeline_hand_checked(eu2026, make_contract) -> None:
    result = assess(make_contract(), eu2026)
    events = {e.event: e.date for e in result.timeline}
    assert events["notice"] == date(2026, 3, 2)
    assert events["tender_submission_end"] == date(2026, 4, 1)  # +30
    assert events["evaluation_end"] == date(2026, 6, 14)  # +74 typical
    assert events["standstill_end"] == date(2026, 6, 24)  # 10 days from the day after
    assert events["contract_signature"] == date(2026, 6, 25)
    assert events["contract-award-notice"] == date(2026, 7, 25)  # within 30 days
    assert result.lead_time_days == 115
    assert [e.date for e in result.timeline] == sorted(e.date for e in result.timeline)
    assert earliest_contract_signature(make_contract(), eu2026) == date(2026, 6, 25)
    assert lead_time_days(make_contract(), eu2026, notice_date=date(2026, 9, 1)) == 115


def test_pin_notice_is_placed_before_the_contract_notice(eu2026, make_contract) -> None:
    result = assess(make_contract(pin=True), eu2026)
    pin = next(n for n in result.notices if n.event == "prior-information-notice")
    assert pin.date == date(2026, 1, 26)  # at least 35 days before


def test_framework_longer_than_the_maximum_warns(eu2026, make_contract) -> None:
    result = assess(make_contract(framework=True, framework_years=6), eu2026)
    assert result.framework_max_years == 4
    assert any("exceeds the 4-year maximum" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({}, 25),
        ({"documents_at_notice": False}, 30),
        ({"electronic": False}, 30),
        ({"electronic": False, "documents_at_notice": False}, 35),
        ({"pin": True}, 10),
        ({"urgent": True}, 10),
    ],
)
def test_uk_open_tendering_period(uk2026, make_contract, flags, expected) -> None:
    result = assess(make_contract(**flags), uk2026)
    assert result.min_days == {"tender_submission": expected}


def test_uk_competitive_flexible_and_standstill(uk2026, make_contract) -> None:
    sub_central = make_contract(needs_negotiation=True)
    result = assess(sub_central, uk2026)
    assert result.recommended.id == "competitive-flexible"
    assert result.min_days == {"participation_requests": 25, "tender_submission": 10}
    central = assess(
        make_contract(needs_negotiation=True, authority="central", estimated_value=200_000), uk2026
    )
    assert central.min_days == {"participation_requests": 25, "tender_submission": 25}
    urgent = assess(make_contract(needs_negotiation=True, urgent=True), uk2026)
    assert urgent.min_days["participation_requests"] == 10


def test_uk_standstill_counts_working_days(uk2026, make_contract) -> None:
    result = assess(make_contract(), uk2026)
    assert result.award_decision == date(2026, 5, 26)  # Tuesday
    events = {e.event: e.date for e in result.timeline}
    assert events["standstill_end"] == date(2026, 6, 5)  # 8 working days from Wednesday
    assert result.earliest_signature == date(2026, 6, 8)  # next working day (Monday)
    assert result.standstill_days == 8
    assert result.standstill_day_kind == "working"


def test_add_working_days_skips_weekends() -> None:
    friday = date(2026, 3, 6)
    assert add_days(friday, 1, "working") == date(2026, 3, 9)
    assert add_days(friday, 5, "working") == date(2026, 3, 13)
    assert add_days(friday, 3) == date(2026, 3, 9)
    assert next_working_day(date(2026, 3, 7)) == date(2026, 3, 9)


def test_earliest_start_year_rolls_into_the_next_year(eu2026, make_contract) -> None:
    from rules.assessment import earliest_start_year

    assert earliest_start_year(make_contract(), eu2026) == 2026
    late = make_contract(notice_date=date(2026, 10, 1))
    assert earliest_contract_signature(late, eu2026) == date(2027, 1, 24)  # +115 days
    assert earliest_start_year(late, eu2026) == 2027


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"documents_at_notice": False}, 35),  # 30 + 5 (Art. 53(1))
        ({"documents_at_notice": False, "pin": True}, 20),  # 15 + 5
        ({"documents_at_notice": False, "urgent": True}, 15),  # no extension in urgency
        ({"documents_at_notice": False, "electronic": False}, 40),
    ],
)
def test_eu_documents_not_available_electronically_add_five_days(
    eu2026, make_contract, flags, expected
) -> None:
    assert assess(make_contract(**flags), eu2026).min_days == {"tender_submission": expected}


def test_eu_cpn_initial_tenders_by_agreement(eu2026, make_contract) -> None:
    contract = make_contract(needs_negotiation=True, tender_period_agreed=True)
    assert assess(contract, eu2026).min_days["tender_submission"] == 10


def test_chosen_procedure_drives_the_timeline(eu2026, make_contract) -> None:
    from rules.errors import PlannedContractError

    restricted = assess(make_contract(), eu2026, procedure_id="restricted")
    assert restricted.recommended.id == "restricted"
    assert restricted.min_days == {"participation_requests": 30, "tender_submission": 25}
    dialogue = assess(make_contract(), eu2026, procedure_id="competitive-dialogue")
    assert any("may be used only if" in w for w in dialogue.warnings)
    with pytest.raises(PlannedContractError, match="not a procedure"):
        assess(make_contract(), eu2026, procedure_id="light-touch")


def test_lead_time_estimator_for_portfolio_specs(eu2026) -> None:
    from dataclasses import dataclass

    from rules.lead_time import lead_time_estimator

    @dataclass(frozen=True)
    class Spec:
        category: str = "services"
        estimated_value: float | None = 300_000.0
        cpv: str = ""
        procedure: str = ""

    estimate = lead_time_estimator(eu2026, date(2026, 3, 2))
    assert estimate(Spec()) == 115  # open: 30 + 74 + 11
    assert estimate(Spec(estimated_value=None)) is None
    assert estimate(Spec(category="unknown")) is None
    assert estimate(Spec(category="goods")) == 115
    assert estimate(Spec(procedure="restricted")) == 30 + 21 + 25 + 74 + 11
    below = Spec(estimated_value=100_000.0, procedure="restricted")
    assert estimate(below) == 21 + 30  # national below-threshold placeholder, no standstill
