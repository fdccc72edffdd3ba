"""An assessment as plain data (JSON) and as a formatted XLSX workbook.

Three layers: :func:`assessment_to_dict` and :func:`dimension_rows` give plain
rows; :func:`assessment_to_xlsx` turns them into bytes; the web layer sends them.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from decision_support.files.workbooks import print_layout, workbook_bytes
from decision_support.kpis.analysis import city_snapshot, priority_gaps, sdg_goals
from decision_support.kpis.catalogue import DIMENSIONS, KPI, Catalogue, load_catalogue
from decision_support.kpis.scoring import Assessment, GroupScore
from decision_support.kpis.spreadsheet import (
    HEADER_FILL,
    HEADER_FONT,
    band_fill,
    safe_cell,
    sheet_title,
)


def _group_dict(group: GroupScore) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": group.name,
        "score_pct": group.score_pct,
        "band": group.band,
        "scored": group.scored,
        "points": group.points,
        "dimension": group.dimension,
    }
    if group.level == "category":
        row["sub_dimension"] = group.sub_dimension
    return row


def assessment_to_dict(assessment: Assessment) -> dict[str, Any]:
    """The assessment as JSON-ready data (the ``kpis score --json`` contract).

    Keys: ``kpis`` (one per scored KPI or data point: ``code``, ``data_point``,
    ``value``, ``target``, ``achievement_pct``, ``points``, ``band`` and more),
    ``categories``, ``sub_dimensions``, ``dimensions`` (``name``, ``score_pct``,
    ``band``, ``scored``), ``not_reported``, ``no_benchmark`` (codes), and
    ``priority_gaps``.
    """
    return {
        "kpis": [
            {
                "code": s.code,
                "data_point": s.data_point,
                "value": s.value.value,
                "target": s.target.value,
                "achievement_pct": s.achievement_pct,
                "points": s.points,
                "band": s.band,
                "name": s.kpi.name,
                "year": s.value.year,
                "unit": s.kpi.unit,
                "direction": s.direction,
                "target_origin": s.target.origin,
                "quality": s.value.quality,
            }
            for s in assessment.scored
        ],
        "categories": [_group_dict(g) for g in assessment.categories],
        "sub_dimensions": [_group_dict(g) for g in assessment.sub_dimensions],
        "dimensions": [_group_dict(g) for g in assessment.dimensions],
        "not_reported": assessment.not_reported,
        "no_benchmark": assessment.no_benchmark,
        "priority_gaps": [
            {
                "code": g.code,
                "data_point": g.data_point,
                "value": g.value,
                "target": g.target,
                "gap": g.gap,
                "unit": g.unit,
                "achievement_pct": g.achievement_pct,
                "band": g.band,
                "core": g.core,
            }
            for g in priority_gaps(assessment)
        ],
    }


DIMENSION_HEADERS = (
    "Category",
    "Code",
    "KPI",
    "Data point",
    "Level",
    "Year",
    "Value",
    "Unit",
    "Target",
    "Target source",
    "Achievement %",
    "Points",
    "Band",
    "SDG",
    "Data quality",
    "Status",
)


def _shown(kpi: KPI, value: float | None) -> float | str | None:
    """Yes/no values as 'yes'/'no', others as they are."""
    if kpi.value_kind == "yes_no" and value is not None:
        return "yes" if value >= 1 else "no"
    return value


def dimension_rows(
    assessment: Assessment, dimension: str, catalogue: Catalogue | None = None
) -> list[tuple[Any, ...]]:
    """Table rows of one dimension: every KPI/data point, scored or why not.

    Columns as in DIMENSION_HEADERS; yes/no values are shown as 'yes'/'no'.
    """
    catalogue = catalogue or load_catalogue()
    scored = {(s.code, s.data_point): s for s in assessment.scored}
    unscored = {(u.kpi.code, u.data_point): u for u in assessment.unscored}
    rows: list[tuple[Any, ...]] = []
    for kpi in catalogue:
        if kpi.dimension != dimension:
            continue
        sdg = ", ".join(str(g) for g in sdg_goals(kpi))
        for data_point in kpi.data_points or (None,):
            s = scored.get((kpi.code, data_point))
            if s is not None:
                rows.append(
                    (
                        kpi.category,
                        kpi.code,
                        kpi.name,
                        data_point,
                        kpi.level,
                        s.value.year,
                        _shown(kpi, s.value.value),
                        kpi.unit,
                        s.target.value,
                        s.target.origin,
                        s.achievement_pct,
                        s.points,
                        s.band,
                        sdg,
                        s.value.quality,
                        "scored",
                    )
                )
                continue
            u = unscored.get((kpi.code, data_point)) or unscored.get((kpi.code, None))
            value = u.value if u is not None else None
            status = (
                "no benchmark" if u is not None and u.reason == "no_benchmark" else "not reported"
            )
            rows.append(
                (
                    kpi.category,
                    kpi.code,
                    kpi.name,
                    data_point,
                    kpi.level,
                    value.year if value else None,
                    _shown(kpi, value.value) if value else None,
                    kpi.unit,
                    None,
                    None,
                    None,
                    None,
                    None,
                    sdg,
                    value.quality if value else None,
                    status,
                )
            )
    return rows


def _write_header(sheet: Any, headers: tuple[str, ...]) -> None:
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    sheet.freeze_panes = "A2"


def assessment_to_xlsx(assessment: Assessment, title: str = "U4SSC KPI assessment") -> bytes:
    """A workbook: a summary sheet and one sheet per dimension, bands as cell colours."""
    catalogue = load_catalogue()
    snapshot = city_snapshot(assessment, catalogue)
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append([safe_cell(title)])
    summary["A1"].font = HEADER_FONT
    summary.append([])
    for label, number in (
        ("KPIs in the U4SSC set", snapshot.total_kpis),
        ("KPIs reported", snapshot.reported),
        ("KPIs not reported", snapshot.not_reported),
        ("KPIs with a value but no benchmark", snapshot.no_benchmark),
        ("Values scored", snapshot.scored_values),
    ):
        summary.append([label, number])
    summary.append([])
    header_row = summary.max_row + 1
    summary.append(["Level", "Name", "Dimension", "Score %", "Band", "Scored values"])
    for cell in summary[header_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for group in (*assessment.dimensions, *assessment.sub_dimensions, *assessment.categories):
        summary.append(
            [
                group.level.replace("_", "-"),
                safe_cell(group.name),
                safe_cell(group.dimension),
                group.score_pct,
                group.band or "no score",
                group.scored,
            ]
        )
        summary.cell(summary.max_row, 5).fill = band_fill(group.band)
    _widths(summary, (14, 40, 22, 10, 10, 14))

    band_column = DIMENSION_HEADERS.index("Band") + 1
    for dimension in DIMENSIONS:
        sheet = book.create_sheet(sheet_title(dimension))
        _write_header(sheet, DIMENSION_HEADERS)
        for row in dimension_rows(assessment, dimension, catalogue):
            sheet.append([safe_cell(v) for v in row])
            sheet.cell(sheet.max_row, band_column).fill = band_fill(row[band_column - 1])
        _widths(sheet, (24, 18, 40, 14, 9, 7, 10, 24, 9, 10, 13, 7, 8, 10, 26, 13))

    gaps = book.create_sheet("Priority gaps")
    # "Current value", not "Value": this sheet repeats the dimension sheets' values, and
    # an import of the workbook reads every sheet with "code" and "value" columns.
    _write_header(
        gaps,
        (
            "Code",
            "KPI",
            "Data point",
            "Level",
            "Current value",
            "Target",
            "Gap",
            "Unit",
            "Achievement %",
            "Band",
        ),
    )
    for g in priority_gaps(assessment):
        gaps.append(
            [
                g.code,
                safe_cell(g.name),
                g.data_point,
                "Core" if g.core else "Advanced",
                g.value,
                g.target,
                g.gap,
                safe_cell(g.unit),
                g.achievement_pct,
                g.band,
            ]
        )
        gaps.cell(gaps.max_row, 10).fill = band_fill(g.band)
    _widths(gaps, (18, 40, 14, 9, 10, 10, 10, 24, 13, 8))
    print_layout(summary, f"{header_row}:{header_row}")
    return workbook_bytes(book)


def _widths(sheet: Any, widths: tuple[int, ...]) -> None:
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
