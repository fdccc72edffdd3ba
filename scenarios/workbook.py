"""The comparison workbook: XLSX bytes with native Excel charts and a council summary.

Layered as the rest of the product's spreadsheet output: :func:`comparison_sheets`
turns a comparison dictionary (:func:`scenarios.comparison.compare_runs`) into plain
rows per sheet, :func:`comparison_workbook` writes them with openpyxl and adds the
charts (``openpyxl.chart`` bar and line charts, drawn by Excel itself, so they stay
live and editable). Cells that differ from the reference scenario are filled amber.
Text cells starting with ``= + - @`` are prefixed with a quote so that a project or
scenario name can never run as a formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from decision_support.files.workbooks import (
    MONEY,
    MONEY_CENTS,
    PERCENT,
    add_sheet,
    bar_chart,
    line_chart,
    place_chart,
    print_layout,
    safe_cell,
    sheet_title,
    straight_lines,
    workbook_bytes,
    write_table,
)

__all__ = ["comparison_sheets", "comparison_workbook", "safe_cell", "sheet_title"]

DIFFERENCE_FILL = PatternFill("solid", start_color="FFE699", end_color="FFE699")
HEADER_FONT = Font(bold=True)
SHARE = PERCENT
NUMBER = MONEY_CENTS


@dataclass
class SheetRows:
    """A sheet as plain rows: a header, body rows, cells to highlight, number formats."""

    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    highlight: set[tuple[int, int]] = field(default_factory=set)  # (body row, column) 0-based
    formats: dict[int, str] = field(default_factory=dict)  # column → number format
    row_formats: dict[int, str] = field(default_factory=dict)  # body row → number format


def _changed_columns(values: Sequence[Any], first_column: int) -> set[int]:
    reference = values[0]
    return {first_column + i for i, v in enumerate(values) if i and v != reference}


def comparison_sheets(comparison: Mapping[str, Any]) -> list[SheetRows]:
    """Plain rows of every sheet of the comparison workbook, Summary first."""
    names = [s["name"] for s in comparison["scenarios"]]
    n = len(names)
    currency = comparison["scenarios"][0].get("currency", "EUR")

    summary = SheetRows("Summary", ["Measure", "Unit", *names, *[f"Δ {m}" for m in names[1:]]])
    for index, row in enumerate(comparison["summary"]):
        deltas = (row.get("deltas") or [None] * n)[1:]
        unit = currency if row["unit"] == "currency" else row["unit"]
        summary.rows.append([row["metric"], unit, *row["values"], *deltas])
        summary.row_formats[index] = {"currency": MONEY, "share": SHARE}.get(row["unit"], NUMBER)
        if row["differs"]:
            summary.highlight |= {(index, c) for c in _changed_columns(row["values"], 2)}

    projects = SheetRows(
        "Projects",
        ["Project", "Name", *[f"Start: {m}" for m in names], *[f"Change: {m}" for m in names[1:]]],
    )
    for index, row in enumerate(comparison["projects"]):
        projects.rows.append([row["id"], row["name"], *row["start_years"], *row["changes"][1:]])
        if row["differs"]:
            projects.highlight |= {(index, c) for c in _changed_columns(row["start_years"], 2)}
            projects.highlight |= {
                (index, 2 + n + i) for i, ch in enumerate(row["changes"][1:]) if ch != "same"
            }

    kpis = SheetRows(
        "KPIs",
        [
            "KPI",
            "Name",
            "Dimension",
            "Baseline",
            *[f"Target: {m}" for m in names],
            *[f"Projected: {m}" for m in names],
            *[f"Gap closed: {m}" for m in names],
        ],
    )
    for index, row in enumerate(comparison["kpis"]):
        kpis.rows.append(
            [
                row["key"],
                row["name"],
                row["dimension"],
                row["baseline"],
                *row["targets"],
                *row["projected"],
                *row["gap_closed_share"],
            ]
        )
        if row["differs"]:
            kpis.highlight |= {(index, c) for c in _changed_columns(row["projected"], 4 + n)}
    for column in range(4 + 2 * n, 4 + 3 * n):
        kpis.formats[column] = SHARE

    gaps = SheetRows("Gap closure", ["Dimension", *names])
    for index, row in enumerate(comparison["gap_closure_by_dimension"]):
        gaps.rows.append([row["dimension"], *[v or 0.0 for v in row["values"]]])
        if row["differs"]:
            gaps.highlight |= {(index, c) for c in _changed_columns(row["values"], 1)}
    gaps.formats.update({c: SHARE for c in range(1, 1 + n)})

    costs = SheetRows(
        "Cost by year",
        ["Year", *[f"Capex: {m}" for m in names], *[f"City cost: {m}" for m in names]],
    )
    for index, row in enumerate(comparison["cost_by_year"]):
        costs.rows.append([row["year"], *row["capex"], *row["city_cost"]])
        if row["differs"]:
            costs.highlight |= {(index, c) for c in _changed_columns(row["capex"], 1)}
            costs.highlight |= {(index, c) for c in _changed_columns(row["city_cost"], 1 + n)}
    costs.formats.update({c: MONEY for c in range(1, 1 + 2 * n)})

    financing = SheetRows("Financing mix", ["Mechanism", *names, *[f"Share: {m}" for m in names]])
    for index, row in enumerate(comparison["financing_mix"]):
        financing.rows.append([row["mechanism"], *row["values"], *row["shares"]])
        if row["differs"]:
            financing.highlight |= {(index, c) for c in _changed_columns(row["values"], 1)}
    financing.formats.update({c: MONEY for c in range(1, 1 + n)})
    financing.formats.update({c: SHARE for c in range(1 + n, 1 + 2 * n)})

    debt = SheetRows("Debt service", ["Year", *[f"Ratio: {m}" for m in names], "Limit"])
    for index, row in enumerate(comparison["debt_service"]):
        limits = [v for v in row["limit"] if v is not None]
        debt.rows.append(
            [row["year"], *[v or 0.0 for v in row["ratio"]], limits[0] if limits else None]
        )
        if row["differs"]:
            debt.highlight |= {(index, c) for c in _changed_columns(row["ratio"], 1)}
    debt.formats.update({c: SHARE for c in range(1, 2 + n)})

    procurement = SheetRows("Procurement load", ["Year", *[f"Tenders: {m}" for m in names]])
    for index, row in enumerate(comparison["procurement_load"]):
        procurement.rows.append([row["year"], *row["tenders"]])
        if row["differs"]:
            procurement.highlight |= {(index, c) for c in _changed_columns(row["tenders"], 1)}
    return [summary, projects, kpis, gaps, costs, financing, debt, procurement]


def _write(sheet: Worksheet, rows: SheetRows, first_row: int = 1) -> int:
    last = write_table(
        sheet,
        rows.header,
        rows.rows,
        first_row=first_row,
        formats=rows.formats,
        row_formats=rows.row_formats,
    )
    for r, c in rows.highlight:
        sheet.cell(row=first_row + 1 + r, column=c + 1).fill = DIFFERENCE_FILL
    print_layout(sheet, f"{first_row}:{first_row}")
    return max(last, first_row)


def _series(
    chart: BarChart | LineChart, sheet: Worksheet, *, columns: tuple[int, int], last_row: int
) -> None:
    """Series from the header row (titles) down to ``last_row``; categories in column A."""
    data = Reference(sheet, min_col=columns[0], max_col=columns[1], min_row=1, max_row=last_row)
    categories = Reference(sheet, min_col=1, min_row=2, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)


def comparison_workbook(comparison: Mapping[str, Any], title: str = "Scenario comparison") -> bytes:
    """The comparison as an XLSX workbook (bytes), charts included."""
    sheets = comparison_sheets(comparison)
    n = len(comparison["scenarios"])
    workbook = Workbook()
    summary_sheet = workbook.active
    assert summary_sheet is not None
    summary_sheet.title = "Summary"
    summary_sheet["A1"] = safe_cell(title)
    summary_sheet["A1"].font = Font(bold=True, size=14)
    summary_sheet["A2"] = (
        f"Reference: {safe_cell(comparison['reference'])}. Amber cells differ from the reference."
    )
    summary_sheet["A3"] = f"Prepared {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    last = _write(summary_sheet, sheets[0], first_row=5)
    notes_row = last + 2
    summary_sheet.cell(row=notes_row, column=1, value="Key changes").font = HEADER_FONT
    for offset, line in enumerate(change_lines(comparison), start=1):
        summary_sheet.cell(row=notes_row + offset, column=1, value=safe_cell(line))
    status_row = notes_row + len(change_lines(comparison)) + 2
    summary_sheet.cell(row=status_row, column=1, value="Solver status").font = HEADER_FONT
    for offset, scenario in enumerate(comparison["scenarios"], start=1):
        gap = scenario.get("mip_gap")
        proven = (
            "proven optimal"
            if scenario.get("proven_optimal")
            else f"not proven optimal (gap {gap})"
        )
        summary_sheet.cell(
            row=status_row + offset,
            column=1,
            value=safe_cell(f"{scenario['name']}: {scenario['status']}, {proven}"),
        )

    written: dict[str, tuple[Worksheet, int]] = {}
    for rows in sheets[1:]:
        sheet = add_sheet(workbook, rows.title)
        written[rows.title] = (sheet, _write(sheet, rows))

    # Charts sit below their table, each on a page of its own when printed.
    sheet, last = written["Gap closure"]
    if last > 1:
        chart = bar_chart("Share of KPI gaps closed by dimension", "share closed", share=True)
        _series(chart, sheet, columns=(2, 1 + n), last_row=last)
        place_chart(sheet, chart, last + 2)
    sheet, last = written["Cost by year"]
    if last > 1:
        chart = bar_chart("Capital spending by year", "capex")
        _series(chart, sheet, columns=(2, 1 + n), last_row=last)
        below = place_chart(sheet, chart, last + 2)
        line = line_chart("City cost by year", "cost")
        _series(line, sheet, columns=(2 + n, 1 + 2 * n), last_row=last)
        straight_lines(line)
        place_chart(sheet, line, below)
    sheet, last = written["Financing mix"]
    if last > 1:
        chart = bar_chart("Financing mix", "amount", stacked=True)
        data = Reference(sheet, min_col=2, max_col=1 + n, min_row=1, max_row=last)
        chart.add_data(data, titles_from_data=True, from_rows=False)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
        place_chart(sheet, chart, last + 2)
    sheet, last = written["Debt service"]
    if last > 1:
        line = line_chart("Debt-service ratio against the limit", "ratio")
        _series(line, sheet, columns=(2, 2 + n), last_row=last)
        straight_lines(line)
        line.y_axis.scaling.min = 0
        line.y_axis.number_format = "0%"
        place_chart(sheet, line, last + 2)
    sheet, last = written["Procurement load"]
    if last > 1:
        chart = bar_chart("Tenders launched per year", "tenders")
        _series(chart, sheet, columns=(2, 1 + n), last_row=last)
        place_chart(sheet, chart, last + 2)
    return workbook_bytes(workbook)


def change_lines(comparison: Mapping[str, Any]) -> list[str]:
    """One plain sentence per compared scenario: what it adds, removes and moves."""
    lines = []
    for name, change in comparison["changes"].items():
        parts = []
        if change["added"]:
            parts.append(f"adds {', '.join(change['added'])}")
        if change["removed"]:
            parts.append(f"drops {', '.join(change['removed'])}")
        if change["moved"]:
            parts.append(
                "moves " + ", ".join(f"{m['id']} ({m['from']}→{m['to']})" for m in change["moved"])
            )
        lines.append(
            f"{name}: "
            + ("; ".join(parts) if parts else "same projects and years as the reference")
            + "."
        )
    return lines
