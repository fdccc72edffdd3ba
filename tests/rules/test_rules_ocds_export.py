"""OCDS export of a planned tender validates against the OCDS 1.1.5 schemas in tests/data."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from rules.assessment import assess
from rules.contract import Lot
from rules.ocds_export import OCDSExportError, export_planned_tender, release_package
from rules.tender_input import read_tenders

PUBLISHED = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def ocds_validator(test_data: Path) -> jsonschema.Draft4Validator:
    ocds = test_data / "ocds" / "schema"
    release = json.loads((ocds / "release-schema.json").read_text())
    package = json.loads((ocds / "release-package-schema.json").read_text())
    registry: Registry = Registry().with_resource(
        release["id"], Resource.from_contents(release, default_specification=DRAFT4)
    )
    return jsonschema.Draft4Validator(package, registry=registry)


@pytest.mark.parametrize(
    ("overrides", "method", "details"),
    [
        ({}, "open", "Open procedure"),
        ({"needs_negotiation": True}, "selective", "Competitive procedure with negotiation"),
        ({"needs_innovation": True}, "selective", "Innovation partnership"),
        (
            {"direct_award_ground": "Art. 32(2)(c) extreme urgency"},
            "limited",
            "Negotiated procedure without prior publication",
        ),
    ],
)
def test_export_validates_and_maps_the_method(
    *, eu2026, make_contract, ocds_validator, overrides, method, details
) -> None:
    contract = make_contract(
        id="UDP-2026",
        title="Urban data platform",
        buyer="City of Example",
        cpv="72000000-5",
        **overrides,
    )
    package = export_planned_tender(
        contract, assess(contract, eu2026), ocid_prefix="ocds-abc123", published=PUBLISHED
    )
    assert list(ocds_validator.iter_errors(package)) == []
    [release] = package["releases"]
    assert release["ocid"] == "ocds-abc123-UDP-2026"
    assert release["tag"] == ["planning", "tender"]
    tender = release["tender"]
    assert tender["procurementMethod"] == method
    assert tender["procurementMethodDetails"] == details
    assert tender["mainProcurementCategory"] == "services"
    assert tender["value"] == {"amount": 300_000.0, "currency": "EUR"}
    assert tender["items"][0]["classification"] == {"scheme": "CPV", "id": "72000000-5"}
    if method == "limited":
        assert tender["procurementMethodRationale"].startswith("Art. 32")


def test_export_with_lots_declares_the_extension(eu2026, make_contract, ocds_validator) -> None:
    contract = make_contract(
        estimated_value=0.0,
        category="supplies",
        lots=(Lot(150_000, "1", "Sensors"), Lot(100_000, "2", "Gateways")),
    )
    package = export_planned_tender(contract, assess(contract, eu2026), published=PUBLISHED)
    assert list(ocds_validator.iter_errors(package)) == []
    assert package["extensions"]
    assert [lot["id"] for lot in package["releases"][0]["tender"]["lots"]] == ["1", "2"]
    assert package["releases"][0]["tender"]["mainProcurementCategory"] == "goods"


def test_exported_package_reads_back_into_the_checker(eu2026, make_contract) -> None:
    contract = make_contract(title="Smart lighting", cpv="34993000")
    package = export_planned_tender(contract, assess(contract, eu2026), published=PUBLISHED)
    [tender] = read_tenders(json.dumps(package))
    assert tender.value == 300_000 and tender.category == "services"
    assert tender.tender_deadline is not None and tender.electronic_submission is True


def test_invalid_release_is_rejected() -> None:
    with pytest.raises(OCDSExportError):
        release_package([{"ocid": "x"}], publisher="p", uri="urn:x", published=PUBLISHED)
