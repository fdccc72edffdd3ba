"""Excel export of checker reports and assessments, in two layers: pure rows
(``*_rows``) and a writer that turns named sheets of rows into bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from decision_support.files.workbooks import (
    add_sheet,
    new_workbook,
    print_layout,
    safe_cell,
    write_table,
)
from decision_support.files.workbooks import (
    workbook_bytes as book_bytes,
)
from rules.assessment import Assessment
from rules.checker import TenderReport

__all__ = ["assessment_rows", "assessment_xlsx", "report_rows", "report_xlsx", "safe_cell"]

Rows = list[list[Any]]


def workbook_bytes(sheets: Mapping[str, Rows]) -> bytes:
    """Write named sheets (first row = header) to a printable .xlsx document."""
    book = new_workbook()
    for name, rows in sheets.items():
        sheet = add_sheet(book, name)
        if rows:
            write_table(sheet, rows[0], rows[1:])
        print_layout(sheet)
    return book_bytes(book)


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
        ["Working days", assessment.get("working_calendar", "")],
        *(
            ["Public holiday not counted", f"{h['date']} {h['name']}"]
            for h in assessment.get("holidays_skipped", [])
        ),
        *(["Warning", warning] for warning in assessment["warnings"]),
    ]
    procedures: Rows = [["Procedure", "Allowed", "Condition", "Citation"]]
    procedures += [
        [p["name"], "yes" if p["allowed"] else "no", p["condition"], p["citation"]["ref"]]
        for p in assessment["procedures"]
    ]
    timeline: Rows = [["Date", "Event", "Days from notice", "Moved past holidays", "Citation"]]
    timeline += [
        [
            e["date"],
            e["label"],
            e["days_from_notice"],
            ", ".join(f"{h['name']} {h['date']}" for h in e.get("moved_by_holidays", [])),
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
    quality: Rows = [["Tender", "Where in the record", "Problem (lib-cove-ocds)"]]
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
        if report.get("pack_validity"):
            assumptions.append([tender["title"], f"Rule pack: {report['pack_validity']}"])
        scope = report.get("scope")
        if scope:
            applied = "applied" if scope["ict"] else "not applied"
            assumptions.append([tender["title"], f"ICT criteria {applied}: {scope['reason']}"])
        quality += [
            [tender["title"], q["path"], q["message"]] for q in report.get("data_quality", [])
        ]
    sheets: dict[str, Rows] = {"Summary": summary, "Findings": findings}
    if len(assumptions) > 1:
        sheets["Assumptions"] = assumptions
    if len(quality) > 1:
        sheets["Record data quality"] = quality
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
