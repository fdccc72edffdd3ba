"""The result of an optimisation as an XLSX workbook (bytes), one sheet per table.

Rows come from :meth:`PortfolioResult.to_dict` (or a stored copy of it), so a
stored run can be exported without re-solving. Text cells starting with
``= + - @`` get a leading quote so a spreadsheet never evaluates them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

_FORMULA_START = ("=", "+", "-", "@")


def safe_cell(value: Any) -> Any:
    """A cell value that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return value


def _sheet(
    book: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])


def result_rows(result: dict[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The workbook's tables as (header, rows) per sheet name (pure, testable)."""
    objective = result.get("objective") or {}
    summary = [
        ["Scenario", result.get("scenario_name")],
        ["Status", result.get("status")],
        ["Proven optimal", result.get("proven_optimal")],
        ["MIP gap", result.get("mip_gap")],
        ["Objective mode", objective.get("mode")],
        ["Objective value", objective.get("value")],
        ["Financing cost (present value)", objective.get("financing_cost")],
        ["Currency", result.get("currency")],
    ]
    diagnosis = result.get("diagnosis")
    if diagnosis:
        summary.append(["Diagnosis", diagnosis.get("summary")])
    summary += [["Warning", w] for w in result.get("warnings", [])]
    plan = [
        [p["id"], p["name"], p["start_year"], p["completion_year"], p["capex_total"], p["funding"]]
        for p in result.get("selected", [])
    ]
    funding = [
        [mechanism, int(year), amount]
        for mechanism, years in result.get("funding_plan", {}).items()
        for year, amount in years.items()
    ]
    cash_keys = [
        "year",
        "budget",
        "available",
        "own_funds_used",
        "own_capex",
        "debt_service",
        "existing_debt_service",
        "issuance_costs",
        "opex",
        "savings",
        "external_funding",
        "carry_over_out",
        "debt_service_ratio",
        "debt_service_ratio_limit",
    ]
    cash = [[row.get(k) for k in cash_keys] for row in result.get("cash_flow", [])]
    kpi_keys = [
        "key",
        "name",
        "dimension",
        "baseline",
        "target",
        "projected",
        "band_before",
        "band_after",
        "gap_closed_share",
        "contributors",
    ]
    kpis = [[row.get(k) for k in kpi_keys] for row in result.get("kpi_projection", [])]
    tender_keys = [
        "project_id",
        "tender_launch_year",
        "contract_start_year",
        "lead_time_days",
        "procedure",
        "category",
        "estimated_value",
    ]
    tenders = [[row.get(k) for k in tender_keys] for row in result.get("procurement_plan", [])]
    explanations = result.get("explanations") or {}
    why = [
        [
            row["id"],
            row["name"],
            row["start_year"],
            row["standalone_value"],
            row["value_per_million"],
            row["value_lost_without_it"],
        ]
        for row in explanations.get("projects", [])
    ]
    left_out = [
        [row["id"], row["name"], row["value_per_million"], row["cost_of_forcing"]]
        for row in explanations.get("left_out", [])
    ]
    return {
        "Summary": (["Item", "Value"], summary),
        "Plan": (["Project", "Name", "Start", "Completion", "Capex", "Funding"], plan),
        "Funding": (["Mechanism", "Year", "Amount"], funding),
        "Cash flow": (cash_keys, cash),
        "KPIs": (kpi_keys, kpis),
        "Procurement": (tender_keys, tenders),
        "Why selected": (
            ["Project", "Name", "Start", "Value alone", "Value per million", "Lost without it"],
            why,
        ),
        "Left out": (["Project", "Name", "Value per million", "Cost of forcing in"], left_out),
    }


def result_workbook(result: dict[str, Any]) -> bytes:
    """The XLSX file of a result dictionary."""
    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    for title, (header, rows) in result_rows(result).items():
        _sheet(book, title, header, rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
