"""The result of an optimisation as an XLSX workbook (bytes), one sheet per table.

Rows come from :meth:`PortfolioResult.to_dict` (or a stored copy of it), so a
stored run can be exported without re-solving. Cells, titles, number formats and
the print layout come from :mod:`decision_support.files.workbooks`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from decision_support.files.workbooks import (
    INTEGER,
    MONEY,
    PERCENT,
    RATIO,
    YEAR,
    add_sheet,
    human_title,
    new_workbook,
    print_layout,
    workbook_bytes,
    write_table,
)

# Number format per column title (money, shares, ratios, years).
_FORMATS = {
    "Capex": MONEY,
    "Amount": MONEY,
    "Budget": MONEY,
    "Available": MONEY,
    "Own funds used": MONEY,
    "Own capex": MONEY,
    "Debt service": MONEY,
    "Existing debt service": MONEY,
    "Issuance costs": MONEY,
    "Opex": MONEY,
    "Savings": MONEY,
    "External funding": MONEY,
    "Carry over out": MONEY,
    "Estimated value": MONEY,
    "Debt service ratio": PERCENT,
    "Debt service ratio limit": PERCENT,
    "Gap closed share": PERCENT,
    "Year": YEAR,
    "Start": YEAR,
    "Completion": YEAR,
    "Tender launch year": YEAR,
    "Contract start year": YEAR,
    "Lead time days": INTEGER,
    "Value alone": RATIO,
    "Value per million": RATIO,
    "Lost without it": RATIO,
    "Cost of forcing in": RATIO,
}


def _sheet(book: Any, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet = add_sheet(book, title)
    formats = {i: _FORMATS[name] for i, name in enumerate(header) if name in _FORMATS}
    write_table(sheet, header, rows, formats=formats)
    print_layout(sheet)


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
        "Cash flow": ([human_title(k) for k in cash_keys], cash),
        "KPIs": (["KPI", *(human_title(k) for k in kpi_keys[1:])], kpis),
        "Procurement": (["Project", *(human_title(k) for k in tender_keys[1:])], tenders),
        "Why selected": (
            ["Project", "Name", "Start", "Value alone", "Value per million", "Lost without it"],
            why,
        ),
        "Left out": (["Project", "Name", "Value per million", "Cost of forcing in"], left_out),
    }


def result_workbook(result: dict[str, Any]) -> bytes:
    """The XLSX file of a result dictionary."""
    book = new_workbook()
    for title, (header, rows) in result_rows(result).items():
        _sheet(book, title, header, rows)
    return workbook_bytes(book)
