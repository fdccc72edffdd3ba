"""Every export shape passes lib-cove-ocds (the community's validator), offline,
against the pinned extensions shipped in rules/data/ocds/."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import Any

import pytest

from rules.assessment import assess
from rules.contract import AwardCriterion, Lot, SelectionCriterion
from rules.ocds_export import OCDSExportError, export_planned_tender
from rules.ocds_schema import EXTENSIONS, libcove_problems, libcove_review

PUBLISHED = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
CRITERIA = (AwardCriterion("price", "Price", 40), AwardCriterion("quality", "Technical merit", 60))
SELECTION = (
    SelectionCriterion("economic", "Annual turnover", "at least 2 x the contract value"),
    SelectionCriterion("technical", "Three similar contracts in the last three years"),
)

SHAPES: dict[str, dict[str, Any]] = {
    "services": {"title": "Urban data platform", "cpv": "72000000-5"},
    "works-with-lots": {
        "category": "works",
        "estimated_value": 0.0,
        "cpv": "45233140-2",
        "title": "Street lighting renewal",
        "lots": (Lot(3_000_000, "N", "North district"), Lot(2_500_000, "S", "South district")),
        "award_criteria": CRITERIA,
    },
    "framework": {
        "framework": True,
        "framework_years": 4,
        "title": "Sensor maintenance framework",
        "cpv": "50000000-5",
    },
    "innovation-partnership": {
        "needs_innovation": True,
        "title": "Adaptive traffic control",
        "selection_criteria": SELECTION,
        "award_criteria": CRITERIA,
    },
    "below-threshold": {"estimated_value": 20_000.0, "title": "Survey of cycle parking"},
    "direct-award": {"direct_award_ground": "Art. 32(2)(c) extreme urgency"},
    "identified-buyer": {
        "buyer": "Example City Council",
        "buyer_id_scheme": "GB-COH",
        "buyer_id": "00000000",
    },
}
PACKS = ["eu2026", "eu2024", "uk2026", "us_federal", "world_bank"]


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network used: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("pack_fixture", PACKS)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_export_shape_passes_lib_cove_ocds(
    *, offline, request, make_contract, shape: str, pack_fixture: str
) -> None:
    pack = request.getfixturevalue(pack_fixture)
    contract = make_contract(**SHAPES[shape])
    package = export_planned_tender(
        contract, assess(contract, pack), published=PUBLISHED, language="en"
    )
    context = libcove_review(package)
    assert context["validation_errors"] == []
    assert context["additional_fields"] == []
    assert context["additional_closed_codelist_values"] == {}
    assert not (context.get("extensions") or {}).get("invalid_extension")
    assert libcove_problems(package) == []
    declared = set(package.get("extensions", []))
    assert declared <= {ext.metadata_url for ext in EXTENSIONS.values()}
    assert all("/master/" not in url for url in declared)


def test_lots_items_and_award_criteria_use_the_extensions(eu2026, make_contract) -> None:
    contract = make_contract(**SHAPES["works-with-lots"])
    package = export_planned_tender(contract, assess(contract, eu2026), published=PUBLISHED)
    tender = package["releases"][0]["tender"]
    assert [lot["title"] for lot in tender["lots"]] == ["North district", "South district"]
    assert [item["relatedLot"] for item in tender["items"]] == ["N", "S"]
    assert tender["awardCriteria"] == "ratedCriteria"
    weights = [c["numbers"][0]["number"] for c in tender["lots"][0]["awardCriteria"]["criteria"]]
    assert weights == [40, 60]
    assert {EXTENSIONS["lots"].metadata_url, EXTENSIONS["awardCriteria"].metadata_url} == set(
        package["extensions"]
    )


def test_framework_sets_the_techniques_fields(eu2026, make_contract) -> None:
    contract = make_contract(**SHAPES["framework"])
    package = export_planned_tender(contract, assess(contract, eu2026), published=PUBLISHED)
    techniques = package["releases"][0]["tender"]["techniques"]
    assert techniques["hasFrameworkAgreement"] is True
    assert techniques["frameworkAgreement"]["period"]["durationInDays"] == 1461
    assert package["extensions"] == [EXTENSIONS["techniques"].metadata_url]


def test_parties_carry_the_organisation_identifier_and_language(eu2026, make_contract) -> None:
    contract = make_contract(**SHAPES["identified-buyer"])
    package = export_planned_tender(
        contract, assess(contract, eu2026), published=PUBLISHED, language="uk"
    )
    [release] = package["releases"]
    assert release["language"] == "uk"
    assert release["buyer"]["id"] == "GB-COH-00000000"
    assert release["parties"][0]["identifier"] == {
        "scheme": "GB-COH",
        "id": "00000000",
        "legalName": "Example City Council",
    }
    with pytest.raises(OCDSExportError):
        export_planned_tender(contract, assess(contract, eu2026), language="English")


def test_an_unpinned_extension_is_reported_not_fetched(offline) -> None:
    master = (
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
        "master/extension.json"
    )
    package = {
        "uri": "urn:x",
        "version": "1.1",
        "publishedDate": "2026-01-01T00:00:00Z",
        "publisher": {"name": "p"},
        "extensions": [master],
        "releases": [
            {
                "ocid": "ocds-xxxxxx-1",
                "id": "1",
                "date": "2026-01-01T00:00:00Z",
                "tag": ["tender"],
                "initiationType": "tender",
                "tender": {"id": "t", "status": "weird", "lots": [{"id": "1"}]},
            }
        ],
    }
    problems = libcove_problems(package)
    fields = {p.field for p in problems}
    assert master in fields
    assert "releases/tender/status" in fields
    assert "releases/tender/lots" in fields
