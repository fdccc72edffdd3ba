"""XLSX export of checker reports and assessments."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from rules.assessment import assess
from rules.checker import check_tender
from rules.report_xlsx import assessment_xlsx, report_xlsx, safe_cell, workbook_bytes
from rules.tender import tender_from_mapping


def test_formula_injection_is_neutralised() -> None:
    assert safe_cell("=SUM(A1)") == "'=SUM(A1)"
    assert safe_cell("-1") == "'-1"
    assert safe_cell(-1) == -1
    book = load_workbook(BytesIO(workbook_bytes({"A" * 40: [["h"], ["@cmd"]]})))
    [sheet] = book.worksheets
    assert sheet.title == "A" * 31
    assert sheet["A2"].value == "'@cmd"


def test_report_workbook_has_findings_and_assessment(eu2026) -> None:
    tender = tender_from_mapping(
        {
            "title": "=HYPERLINK(evil)",
            "category": "services",
            "authority": "sub-central",
            "value": 300_000,
            "procedure": "open",
        }
    )
    report = check_tender(tender, eu2026)
    book = load_workbook(BytesIO(report_xlsx([report])))
    assert book.sheetnames[:2] == ["Summary", "Findings"]
    assert {"Assessment", "Timeline", "Citations"} <= set(book.sheetnames)
    findings = book["Findings"]
    assert findings.max_row == len(report.findings) + 1
    assert findings["A2"].value.startswith("'=")


def test_assessment_workbook(eu2026, make_contract) -> None:
    book = load_workbook(BytesIO(assessment_xlsx(assess(make_contract(), eu2026))))
    assert book.sheetnames == ["Assessment", "Procedures", "Timeline", "Citations"]
    assert book["Timeline"]["A2"].value == "2026-03-02"
