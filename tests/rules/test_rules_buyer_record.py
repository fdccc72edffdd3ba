"""The buyer record of a notice: code checks (CLDR via babel, holidays regions,
org-id.guide form), criteria typed one a line, and the export that carries them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from decision_support.errors import InputError
from rules.assessment import assess
from rules.buyer import (
    countries,
    country_problems,
    identifier_problems,
    language_problems,
    region_problems,
)
from rules.contract import AwardCriterion, SelectionCriterion
from rules.criteria_text import (
    award_criteria_text,
    parse_award_criteria,
    parse_selection_criteria,
    selection_criteria_text,
)
from rules.ocds_export import export_planned_tender
from rules.ocds_schema import libcove_review

PUBLISHED = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)


def test_country_codes_are_the_249_iso_3166_1_assignments() -> None:
    assert len(countries()) == 249
    assert countries()["ES"] == "Spain"
    assert country_problems("ES") == []
    for not_iso in ("EU", "XK", "UK", "es", "ESP"):
        assert country_problems(not_iso), not_iso


def test_languages_regions_and_identifiers() -> None:
    assert language_problems("en") == language_problems("ca-ES") == []
    assert language_problems("English")[0].field == "language"
    assert "not an ISO 639" in language_problems("qq")[0].message
    assert region_problems("ES", "CT") == region_problems("GB", "SCT") == []
    assert "use one of" in region_problems("ES", "XX")[0].message
    assert region_problems("", "CT")[0].message == "give the country before its region"
    assert identifier_problems("ES-DIR3", "L01089990") == []
    assert identifier_problems("XI-LEI", "5493001KJTIIGC8Y1R12") == []
    assert [p.field for p in identifier_problems("QQ-ABC", "1")] == ["buyer_id_scheme"]
    assert [p.field for p in identifier_problems("GB-COH", "")] == ["buyer_id"]
    assert [p.field for p in identifier_problems("gb coh", "1")] == ["buyer_id_scheme"]


def test_criteria_lines_round_trip_and_bad_lines_are_numbered() -> None:
    award = parse_award_criteria("quality; Technical merit; 60\n\nprice; Price; 40 %")
    assert award == (
        AwardCriterion("quality", "Technical merit", 60),
        AwardCriterion("price", "Price", 40),
    )
    assert parse_award_criteria(award_criteria_text(award)) == award
    selection = parse_selection_criteria(
        "economic; Annual turnover; EUR 1m\ntechnical; Two references"
    )
    assert selection[1] == SelectionCriterion("technical", "Two references", "")
    assert parse_selection_criteria(selection_criteria_text(selection)) == selection
    with pytest.raises(InputError) as bad:
        parse_award_criteria("quality; Merit; 60\nbeauty; Looks\nprice; Price; forty")
    assert [p.message[:6] for p in bad.value.problems] == ["line 2", "line 3"]
    assert {p.field for p in bad.value.problems} == {"award_criteria"}
    with pytest.raises(InputError) as bad:
        parse_selection_criteria("economic")
    assert bad.value.problems[0].message == "line 1: a description is required"


def test_export_of_an_identified_buyer_with_language_address_and_criteria(
    eu2026, make_contract
) -> None:
    contract = make_contract(
        title="Urban platform",
        buyer="Example Council",
        country="ES",
        region="CT",
        buyer_id_scheme="ES-DIR3",
        buyer_id="L01089990",
        award_criteria=parse_award_criteria("quality; Technical merit; 70\nprice; Price; 30"),
        selection_criteria=parse_selection_criteria("economic; Annual turnover; EUR 600,000"),
    )
    package = export_planned_tender(
        contract, assess(contract, eu2026), published=PUBLISHED, language="ca"
    )
    context = libcove_review(package)
    assert context["validation_errors"] == []
    assert context["additional_fields"] == []
    [release] = package["releases"]
    assert release["language"] == "ca"
    [party] = release["parties"]
    assert party["id"] == release["buyer"]["id"] == "ES-DIR3-L01089990"
    assert party["identifier"]["scheme"] == "ES-DIR3"
    assert party["address"] == {"region": "ES-CT", "countryName": "Spain"}
    tender = release["tender"]
    # no lots: the criteria go on one lot covering the purchase (the extension patches Lot)
    [lot] = tender["lots"]
    assert [c["name"] for c in lot["awardCriteria"]["criteria"]] == ["Technical merit", "Price"]
    assert tender["items"][0]["relatedLot"] == lot["id"]
    assert tender["selectionCriteria"]["criteria"][0]["minimum"] == "EUR 600,000"


def test_an_unknown_country_or_identifier_register_is_refused(eu2026, make_contract) -> None:
    with pytest.raises(InputError) as bad:
        assess(make_contract(country="EU"), eu2026)
    assert bad.value.problems[0].field == "country"
    with pytest.raises(InputError) as bad:
        assess(make_contract(buyer_id_scheme="ZZ-REG", buyer_id="1"), eu2026)
    assert bad.value.problems[0].field == "buyer_id_scheme"
