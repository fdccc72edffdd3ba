"""Excel export of checker reports and assessments, in two layers: pure rows
(``*_rows``) and a writer that turns named sheets of rows into bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from rules.assessment import Assessment
from rules.checker import TenderReport

FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_SHEET_NAME = 31
MAX_COLUMN_WIDTH = 80
Rows = list[list[Any]]


def safe_cell(value: Any) -> Any:
    """Neutralise formula injection: text starting with = + - @ gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def workbook_bytes(sheets: Mapping[str, Rows]) -> bytes:
    """Write named sheets (first row = header, bold) to an .xlsx document."""
    book = Workbook()
    book.remove(book.worksheets[0])
    for name, rows in sheets.items():
        sheet = book.create_sheet(title=name[:MAX_SHEET_NAME])
        for row in rows:
            sheet.append([safe_cell(value) for value in row])
        if rows:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for index, _ in enumerate(rows[0], start=1):
                width = max(len(str(row[index - 1])) for row in rows if len(row) >= index)
                sheet.column_dimensions[get_column_letter(index)].width = min(
                    max(width + 2, 10), MAX_COLUMN_WIDTH
                )
            sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def assessment_rows(assessment: Mapping[str, Any]) -> dict[str, Rows]:
    """Sheets describing a procedure/timeline assessment (``Assessment.as_dict()``)."""
    summary: Rows = [
        ["Item", "Value"],
        ["Rule pack", f"{assessment['pack']}: {assessment['pack_title']}"],
        ["Value compared", assessment["valuation"]["compared_value"]],
        ["Threshold", assessment["threshold"]],
        ["Currency", assessment["currency"]],
        ["Regulated regime applies", "yes" if assessment["above_threshold"] else "no"],
        ["Regime", assessment["regime"]],
        ["Recommended procedure", assessment["recommended_procedure"]],
        ["Why", assessment["recommendation_reason"]],
        [
            "Standstill",
            f"{assessment['standstill_days']} {assessment['standstill_day_kind']} days",
        ],
        ["Earliest contract signature", assessment["earliest_contract_signature"]],
        *(["Warning", warning] for warning in assessment["warnings"]),
    ]
    procedures: Rows = [["Procedure", "Allowed", "Condition", "Citation"]]
    procedures += [
        [p["name"], "yes" if p["allowed"] else "no", p["condition"], p["citation"]["ref"]]
        for p in assessment["procedures"]
    ]
    timeline: Rows = [["Date", "Event", "Days from notice", "Citation"]]
    timeline += [
        [
            e["date"],
            e["label"],
            e["days_from_notice"],
            e["citation"]["ref"] if e["citation"] else "",
        ]
        for e in assessment["timeline"]
    ]
    citations: Rows = [["Reference", "URL", "Unverified"]]
    citations += [
        [c["ref"], c["url"], "yes" if c["unverified"] else ""] for c in assessment["citations"]
    ]
    return {
        "Assessment": summary,
        "Procedures": procedures,
        "Timeline": timeline,
        "Citations": citations,
    }


def report_rows(reports: Sequence[Mapping[str, Any]]) -> dict[str, Rows]:
    """Sheets for one or more checker reports (``TenderReport.as_dict()``)."""
    summary: Rows = [
        [
            "Tender",
            "OCID",
            "Pack",
            "Pass",
            "Fail",
            "Warning",
            "Not applicable",
            "Needs information",
            "Legal failures",
        ]
    ]
    findings: Rows = [
        [
            "Tender",
            "Criterion",
            "Title",
            "Group",
            "Status",
            "Severity",
            "Message",
            "Fix",
            "Evidence",
            "Citation",
        ]
    ]
    assumptions: Rows = [["Tender", "Assumption"]]
    for report in reports:
        tender = report["tender"]
        counts = report["summary"]["by_status"]
        summary.append(
            [
                tender["title"],
                tender["ocid"],
                report["pack"],
                counts["pass"],
                counts["fail"],
                counts["warning"],
                counts["not_applicable"],
                counts["needs_information"],
                report["summary"]["legal_failures"],
            ]
        )
        findings += [
            [
                tender["title"],
                f["criterion"],
                f["title"],
                f["group"],
                f["status"],
                f["severity"],
                f["message"],
                f["fix"],
                f["evidence"],
                f["citation"],
            ]
            for f in report["findings"]
        ]
        assumptions += [[tender["title"], a] for a in report["assumptions"]]
    sheets: dict[str, Rows] = {"Summary": summary, "Findings": findings}
    if len(assumptions) > 1:
        sheets["Assumptions"] = assumptions
    if len(reports) == 1 and reports[0].get("assessment"):
        sheets.update(assessment_rows(reports[0]["assessment"]))
    return sheets


def report_xlsx(reports: Sequence[TenderReport | Mapping[str, Any]]) -> bytes:
    """Checker report(s) (objects or their saved JSON) as an .xlsx document."""
    return workbook_bytes(
        report_rows([r.as_dict() if isinstance(r, TenderReport) else r for r in reports])
    )


def assessment_xlsx(assessment: Assessment | Mapping[str, Any]) -> bytes:
    """A procedure/timeline assessment (object or its JSON) as an .xlsx document."""
    data = assessment.as_dict() if isinstance(assessment, Assessment) else assessment
    return workbook_bytes(assessment_rows(data))
