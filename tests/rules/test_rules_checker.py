"""The ICT tender checker on hand-written tenders and on every real OCDS record."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from rules.brand_scan import find_brands, find_standards
from rules.checker import STATUSES, check_tender
from rules.criteria_pack import load_criteria_pack
from rules.errors import RulePackError, TenderInputError
from rules.tender import tender_from_mapping
from rules.tender_input import read_tender_file, read_tenders

ALL_FEATURES_OFF = {
    name: False
    for name in (
        "context_data",
        "marketplace",
        "geospatial_data",
        "cross_border_service",
        "bespoke_software",
        "mandates_oss_component",
        "cloud_service",
        "high_value_datasets",
        "connected_products",
        "data_localisation",
        "nis2_entity",
        "iot_devices",
        "us_federal_funds",
        "video_surveillance",
        "public_space_monitoring",
        "transfers_outside_eea",
        "ai_system",
        "ai_high_risk",
        "website_or_app",
        "eaa_product",
        "data_centre",
        "servers_storage",
        "end_user_devices",
        "innovative_solution",
        "rd_services",
    )
}
GOOD_CLAUSES = {
    key: True
    for key in (
        "open_specifications",
        "functional_requirements",
        "lock_in_analysis",
        "open_api",
        "data_models",
        "open_source_considered",
        "data_ownership",
        "data_portability",
        "exit_plan",
        "open_data",
        "iso27001",
        "vulnerability_handling",
        "processor_agreement",
        "privacy_by_design",
        "consent_management",
        "accessibility_evidence",
        "energy_efficiency",
        "open_contracting",
        "sla_kpis",
        "phased_delivery",
    )
}


def good_tender(**overrides: Any) -> dict[str, Any]:
    """A well-written EU sub-central ICT services tender (hand-checked to pass)."""
    data: dict[str, Any] = {
        "id": "UDP-1",
        "title": "Urban data platform",
        "buyer": "City of Example",
        "authority": "sub-central",
        "category": "services",
        "value": 500_000,
        "currency": "EUR",
        "procedure": "open",
        "notice_date": "2026-03-02",
        "tender_deadline": "2026-04-06",
        "electronic_submission": True,
        "cpv": ["72000000-5"],
        "lots": [
            {"id": "1", "title": "Platform", "value": 300_000},
            {"id": "2", "title": "Integration", "value": 150_000},
            {"id": "3", "title": "Applications", "value": 50_000},
        ],
        "award_criteria": [
            {"name": "Quality", "type": "quality", "weight": 60},
            {"name": "Life-cycle cost", "type": "cost", "weight": 40},
        ],
        "duration_months": 36,
        "min_turnover": 300_000,
        "payment_days": 30,
        "specification_text": (
            "The platform exposes context data through open APIs. Security management shall "
            "follow ISO/IEC 27001 or equivalent. User interfaces shall meet EN 301 549 or "
            "equivalent."
        ),
        "features": {
            **ALL_FEATURES_OFF,
            "personal_data": True,
            "used_by_people": True,
            "citizen_facing": True,
        },
        "clauses": dict(GOOD_CLAUSES),
    }
    data.update(overrides)
    return data


def _by_id(report) -> dict[str, Any]:
    return {f.criterion: f for f in report.findings}


def test_criteria_pack_has_at_least_40_criteria_with_sources() -> None:
    pack = load_criteria_pack()
    assert len(pack.criteria) >= 40
    assert {c.severity for c in pack.criteria} == {"law", "law-if", "national", "recommended"}
    for criterion in pack.criteria:
        assert criterion.sources and criterion.fix and criterion.evidence and criterion.condition


def test_good_tender_has_no_failures(eu2026) -> None:
    report = check_tender(tender_from_mapping(good_tender()), eu2026)
    statuses = {f.criterion: f.status for f in report.findings}
    assert [c for c, s in statuses.items() if s in ("fail", "warning")] == []
    assert statuses["ICT-STD-01"] == "pass"
    assert statuses["ICT-STD-01B"] == "pass"
    assert statuses["PROC-TIME"] == "pass"
    assert statuses["AWD-WEIGHT"] == "pass"
    assert statuses["ICT-SME-01"] == "pass"
    assert statuses["ICT-ACC-01"] == "pass"
    assert statuses["ICT-GDPR-01"] == "pass"
    assert statuses["ICT-AI-01"] == "not_applicable"
    assert report.summary["legal_failures"] == 0
    assert report.assessment is not None and report.assessment.above_threshold


def test_bad_tender_fails_the_expected_criteria(eu2026) -> None:
    data = good_tender(
        lots=[],
        award_criteria=[{"name": "Price", "type": "price", "weight": 100}],
        specification_text="Core network: Cisco switches. Hosting on Microsoft Azure. "
        "Quality per ISO 9001.",
        tender_deadline="2026-03-22",
        payment_days=90,
        min_turnover=1_500_000,
        duration_months=72,
        framework=True,
        framework_years=6,
        clauses={**GOOD_CLAUSES, "exit_plan": False, "phased_delivery": False},
    )
    findings = _by_id(check_tender(tender_from_mapping(data), eu2026))
    expected = {
        "ICT-STD-01": "fail",
        "ICT-STD-01B": "fail",
        "PROC-TIME": "fail",
        "ICT-SME-01": "fail",
        "ICT-SME-02": "fail",
        "ICT-SME-03": "fail",
        "PROC-FRAMEWORK": "fail",
        "AWD-QUALITY": "warning",
        "ICT-LCC-01": "warning",
        "ICT-EXIT-01": "warning",
        "ICT-AGILE-01": "warning",
        "ICT-ACC-01": "fail",
    }
    assert {k: findings[k].status for k in expected} == expected
    assert "Cisco" in findings["ICT-STD-01"].message
    assert "Azure" in findings["ICT-STD-01"].message
    assert "ISO 9001" in findings["ICT-STD-01B"].message
    assert findings["PROC-TIME"].fix
    assert "2026-04-01" in findings["PROC-TIME"].message  # 30-day minimum ends then


def test_below_threshold_tender_skips_threshold_bound_law(eu2026) -> None:
    data = good_tender(value=100_000, lots=[], specification_text="Cisco routers.")
    findings = _by_id(check_tender(tender_from_mapping(data), eu2026))
    assert findings["ICT-STD-01"].status == "not_applicable"
    assert findings["ICT-SME-01"].status == "not_applicable"
    assert findings["PROC-ALLOWED"].status == "pass"


def test_unknown_features_need_information(eu2026) -> None:
    data = good_tender(features={}, clauses={})
    findings = _by_id(check_tender(tender_from_mapping(data), eu2026))
    assert findings["ICT-GDPR-01"].status == "needs_information"
    assert "personal_data" in findings["ICT-GDPR-01"].message
    assert findings["ICT-EXIT-01"].status == "needs_information"


def test_dialogue_on_price_only_breaks_the_law(eu2026) -> None:
    data = good_tender(
        procedure="competitive-dialogue",
        award_criteria=[{"name": "Price", "type": "price", "weight": 100}],
        features={
            **ALL_FEATURES_OFF,
            "negotiation_needed": True,
            "personal_data": False,
            "used_by_people": False,
        },
    )
    findings = _by_id(check_tender(tender_from_mapping(data), eu2026))
    assert findings["AWD-BPQR"].status == "fail"
    assert findings["PROC-ALLOWED"].status == "pass"


def test_procedure_without_its_ground_fails_when_grounds_are_denied(eu2026) -> None:
    data = good_tender(
        procedure="competitive-procedure-with-negotiation",
        features={**ALL_FEATURES_OFF, "negotiation_needed": False, "no_suitable_tenders": False},
    )
    findings = _by_id(check_tender(tender_from_mapping(data), eu2026))
    assert findings["PROC-ALLOWED"].status == "fail"


def test_direct_award_needs_a_rationale(eu2026) -> None:
    data = good_tender(procedure="negotiated-without-publication", procurement_method="limited")
    findings = _by_id(check_tender(tender_from_mapping(data), eu2026))
    assert findings["PROC-DIRECT"].status == "fail"
    data["method_rationale"] = "Only one supplier for technical reasons (Art. 32(2)(b)(ii))"
    # the ground's conditions (Art. 32(2)(b) last subparagraph) stated as facts
    data["direct_award_facts"] = {
        "only_one_operator": True,
        "no_reasonable_alternative": True,
        "not_artificially_narrowed": True,
    }
    findings = _by_id(check_tender(tender_from_mapping(data), eu2026))
    assert findings["PROC-DIRECT"].status == "pass"


def test_weights_that_do_not_add_up(eu2026) -> None:
    data = good_tender(
        award_criteria=[
            {"name": "Quality", "type": "quality", "weight": 60},
            {"name": "Price", "type": "price", "weight": 30},
        ]
    )
    finding = _by_id(check_tender(tender_from_mapping(data), eu2026))["AWD-WEIGHT"]
    assert finding.status == "fail"
    assert "90" in finding.message


def test_payment_between_30_and_60_days_warns(eu2026) -> None:
    findings = _by_id(check_tender(tender_from_mapping(good_tender(payment_days=45)), eu2026))
    assert findings["ICT-SME-03"].status == "warning"


def test_us_pack_applies_us_criteria_only(us_federal) -> None:
    data = good_tender(
        currency="USD",
        features={
            **ALL_FEATURES_OFF,
            "website_or_app": True,
            "used_by_people": True,
            "personal_data": False,
        },
    )
    findings = _by_id(check_tender(tender_from_mapping(data), us_federal))
    assert findings["ICT-ACC-US"].status in ("pass", "fail", "needs_information")
    assert findings["ICT-ACC-01"].status == "not_applicable"
    assert findings["ICT-ACC-02"].status == "not_applicable"


def test_brand_scan() -> None:
    text = (
        "Servers: Dell PowerEdge or equivalent. Cameras: Hikvision. "
        "Rotate along the axis. Axis cameras not required."
    )
    mentions = {m.name: m.has_equivalent for m in find_brands(text)}
    assert mentions == {"Dell": True, "Hikvision": False, "Axis": False}


def test_standard_scan() -> None:
    refs = {
        m.name: m.has_equivalent
        for m in find_standards("ISO/IEC 27001 or equivalent; EN 301 549. ITU-T Y.4903 or equal.")
    }
    assert refs == {"ISO/IEC 27001": True, "EN 301 549": False, "ITU-T Y.4903": True}


def test_tender_description_errors_are_all_located() -> None:
    with pytest.raises(TenderInputError) as info:
        tender_from_mapping(
            {
                "title": "",
                "category": "goods",
                "value": -1,
                "authority": "sub-central",
                "colour": "red",
            }
        )
    fields = {p.field for p in info.value.problems}
    assert {"title", "category", "value", "(top level)"} <= fields


def test_malformed_json_is_reported() -> None:
    with pytest.raises(TenderInputError, match="not valid JSON"):
        read_tenders('{"releases": [', "x.json")


def test_malformed_criteria_pack(tmp_path: Path) -> None:
    path = tmp_path / "criteria.yaml"
    path.write_text(
        "schema_version: 1\nid: x\ntitle: x\ncriteria:\n  - id: lower\n", encoding="utf-8"
    )
    with pytest.raises(RulePackError) as info:
        load_criteria_pack(path)
    assert any(p.field and p.field.startswith("criteria[0]") for p in info.value.problems)


_REPO = Path(__file__).resolve().parents[2]
_TEST_DATA = _REPO / "tests" / "data"
REAL = sorted((_TEST_DATA / "ocds" / "real").glob("*.json"))


def test_real_ocds_samples_are_present() -> None:
    assert len(REAL) == 12


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name[:40])
@pytest.mark.parametrize("pack_fixture", ["eu2026", "uk2026", "us_federal"])
def test_every_real_ocds_record_gives_findings(path: Path, pack_fixture: str, request) -> None:
    pack = request.getfixturevalue(pack_fixture)
    tenders = read_tender_file(path)
    assert tenders
    for tender in tenders:
        report = check_tender(tender, pack)
        assert len(report.findings) == len(load_criteria_pack().criteria)
        assert {f.status for f in report.findings} <= set(STATUSES)
        assert report.as_dict()["summary"]["total"] == len(report.findings)


def test_ocds_reading_details(test_data: Path, uk2026) -> None:
    uk = read_tender_file(
        test_data / "ocds/real/uk-contracts-finder-ocds-b5fd17-2c3698c7-adc8-11e6-9901-"
        "0019b9f3037b.json"
    )[0]
    assert uk.currency == "GBP" and uk.value == 2_000_000
    assert uk.category == "services" and uk.cpv[0].startswith("72")
    assert any("inferred from CPV" in note for note in uk.notes)
    report = check_tender(uk, uk2026)
    assert report.assessment is not None and report.assessment.above_threshold
    ukraine = read_tender_file(
        test_data / "ocds/real/ukraine-ocds-be6bcu-UA-2016-06-02-000468-c.json"
    )[0]
    assert ukraine.procurement_method == "open" and len(ukraine.lots) == 1
    assert [c.type for c in ukraine.award_criteria] == ["price"]


def test_release_package_with_two_releases_is_compiled(test_data: Path) -> None:
    import json

    planning = json.loads(
        (test_data / "ocds/examples/ocds-213czf-000-00001-01-planning.json").read_text()
    )
    tender = json.loads(
        (test_data / "ocds/examples/ocds-213czf-000-00001-02-tender.json").read_text()
    )
    package = copy.deepcopy(planning)
    package["releases"] = planning["releases"] + tender["releases"]
    [compiled] = read_tenders(json.dumps(package))
    assert compiled.value == 1_100_000  # the tender release wins over planning
    assert compiled.tender_deadline is not None
