"""The checker on real published records: scope, pack date, award basis, direct-award
grounds and the record's own lib-cove-ocds findings."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from rules.checker import check_tender, ict_scope, pack_validity, recognised_ground
from rules.ocds_review import as_package, review_document
from rules.rule_pack import load_pack
from rules.tender import tender_from_mapping
from rules.tender_input import read_tender_file

REAL = Path(__file__).resolve().parents[1] / "data" / "ocds" / "real"
MASSAGE_TABLE = REAL / "ukraine-ocds-be6bcu-UA-2016-06-02-000468-c.json"


def _by_id(report):
    return {f.criterion: f for f in report.findings}


def test_a_massage_table_is_not_an_ict_tender(eu2026) -> None:
    [tender] = read_tender_file(MASSAGE_TABLE)
    report = check_tender(tender, eu2026)
    assert report.ict is False and "39121200" in report.scope_reason
    findings = report.findings
    ict_only = [f for f in findings if f.group not in ("award", "competition", "procedure")]
    ict_only = [f for f in ict_only if f.group != "transparency"]
    assert ict_only and all(f.status == "not_applicable" for f in ict_only)
    assert all("Not an ICT tender" in f.message for f in ict_only)
    forced = check_tender(tender, eu2026, ict=True)
    assert forced.ict and sum(f.status == "not_applicable" for f in forced.findings) < sum(
        f.status == "not_applicable" for f in findings
    )


def test_ict_scope_by_cpv_division_or_choice() -> None:
    base = {"title": "x", "category": "services", "authority": "sub-central"}
    software = tender_from_mapping({**base, "cpv": ["48000000-8"]})
    lease = tender_from_mapping({**base, "cpv": ["70130000-1"]})
    unknown = tender_from_mapping(base)
    assert ict_scope(software)[0] is True
    assert ict_scope(lease)[0] is False
    assert ict_scope(lease, ict=True) == (True, "chosen by the user")
    assert ict_scope(unknown) == (True, "no CPV code in the data: ICT assumed")


def test_the_report_says_which_pack_and_whether_it_was_in_force(eu2026) -> None:
    sentence = pack_validity(eu2026, date(2014, 5, 1))
    assert "NOT in force" in sentence and "2014-05-01" in sentence
    assert "was in force" in pack_validity(eu2026, date(2026, 6, 1))
    [tender] = read_tender_file(MASSAGE_TABLE)
    report = check_tender(tender, load_pack("eu", on=tender.notice_date))
    assert report.as_dict()["pack_validity"].startswith(report.pack_id)


def test_best_value_award_is_not_called_price_only(eu2026) -> None:
    tender = tender_from_mapping(
        {
            "title": "Data platform",
            "cpv": ["72000000-5"],
            "category": "services",
            "authority": "sub-central",
            "value": 300_000,
            "procedure": "open",
            "award_criteria": [
                {"type": "price", "name": "price", "weight": 40},
                {"type": "quality", "name": "quality", "weight": 60},
            ],
        }
    )
    findings = check_tender(tender, eu2026).findings
    assert _by_id(check_tender(tender, eu2026))["AWD-QUALITY"].status == "pass"
    assert not any("price only" in f.message.lower() for f in findings)


@pytest.mark.parametrize(
    ("text", "ground"),
    [
        ("Art. 32(2)(c) extreme urgency after the flood", "extreme urgency"),
        ("Only one supplier holds the exclusive rights", "exclusive rights or one supplier"),
        ("Conforme al artículo 41 de la Ley", "the provision artículo 41"),
        ("We prefer this supplier", None),
        ("see attached", None),
    ],
)
def test_direct_award_grounds_are_examined(text, ground) -> None:
    assert recognised_ground(text) == ground


def test_an_unexamined_rationale_does_not_pass(eu2026) -> None:
    base = {
        "title": "x",
        "category": "services",
        "authority": "sub-central",
        "value": 300_000,
        "procurement_method": "limited",
    }
    vague = check_tender(tender_from_mapping({**base, "method_rationale": "we like them"}), eu2026)
    cited = check_tender(
        tender_from_mapping(
            {
                **base,
                "method_rationale": "Art. 32(2)(b) exclusive rights",
                "direct_award_facts": {
                    "only_one_operator": True,
                    "no_reasonable_alternative": True,
                    "not_artificially_narrowed": True,
                },
            }
        ),
        eu2026,
    )
    assert _by_id(vague)["PROC-DIRECT"].status == "needs_information"
    assert _by_id(cited)["PROC-DIRECT"].status == "pass"


def test_the_records_own_problems_come_from_lib_cove(eu2026) -> None:
    document = json.loads(MASSAGE_TABLE.read_text(encoding="utf-8"))
    package, upgraded = as_package(document)
    assert upgraded and package["version"] == "1.1" and package["releases"]
    problems = review_document(document)
    fields = {p.field for p in problems}
    assert "releases/tag" in fields  # 'bid' is not a release tag
    assert "releases/bids" in fields  # ProZorro's own field, undeclared
    [tender] = read_tender_file(MASSAGE_TABLE)
    report = check_tender(tender, eu2026, data_quality=problems)
    assert len(report.as_dict()["data_quality"]) == len(problems)


@pytest.mark.parametrize("path", sorted(REAL.glob("*.json")), ids=lambda p: p.name[:30])
def test_every_real_record_is_reviewed_offline(path: Path) -> None:
    problems = review_document(json.loads(path.read_text(encoding="utf-8")))
    assert problems  # 2016 records predate 1.1: at least the upgrade note
    assert not any("could not be used" in p.message for p in problems)
