"""The funding-mix calculator's result as a printable XLSX workbook.

Sheets: a summary (project, NPV at the discount rate, total net cost, whether the
mix breaks a rule), the mix (amount and share per mechanism), the yearly cash flows
of the city (outflows positive) with a column chart of the net cost per year, and
every broken rule. Layout and cells come from :mod:`decision_support.files.workbooks`.
"""

from __future__ import annotations

from openpyxl.chart import Reference

from decision_support.files.workbooks import (
    MONEY,
    PERCENT,
    YEAR,
    add_sheet,
    bar_chart,
    human_title,
    new_workbook,
    place_chart,
    print_layout,
    workbook_bytes,
    write_table,
)
from decision_support.finance.funding_mix import FundingMixResult

CASH_COLUMNS = (
    "year",
    "capex",
    "own_funds",
    "prefinanced",
    "contributions_received",
    "debt_service",
    "debt_interest",
    "deferred_payments",
    "opex",
    "savings",
    "revenue",
    "debt_outstanding",
    "net_cost",
)


def funding_mix_xlsx(
    result: FundingMixResult, currency: str, names: dict[str, str] | None = None
) -> bytes:
    """The workbook of one funding-mix evaluation; ``names`` maps mechanism ids to names."""
    names = names or {}
    book = new_workbook()

    summary = add_sheet(book, "Summary")
    rows: list[list[object]] = [
        ["Project", result.project.name],
        ["Currency", currency],
        ["Net present value of the city's cost", result.npv],
        ["Discount rate", result.discount_rate],
        ["Base year (discounted to)", result.base_year],
        ["Total net cost (undiscounted)", result.total_net_cost],
        ["Rules broken", len(result.violations)],
    ]
    rows += [["Note", note] for note in result.notes]
    write_table(summary, ["Item", "Value"], rows)
    summary["B4"].number_format = MONEY
    summary["B5"].number_format = PERCENT
    summary["B6"].number_format = YEAR
    summary["B7"].number_format = MONEY
    print_layout(summary)

    total = sum(result.mix.values())
    mix = add_sheet(book, "Mix")
    write_table(
        mix,
        ["Mechanism", f"Amount ({currency})", "Share of the mix"],
        [
            [names.get(mid, mid), amount, amount / total if total else None]
            for mid, amount in result.mix.items()
        ],
        formats={1: MONEY, 2: PERCENT},
    )
    print_layout(mix)

    cash = add_sheet(book, "Cash flow")
    header = [human_title(c) for c in CASH_COLUMNS]
    header[-1] = f"Net cost ({currency})"
    last = write_table(
        cash,
        header,
        [[getattr(y, c) for c in CASH_COLUMNS] for y in result.years],
        formats={0: YEAR, **{i: MONEY for i in range(1, len(CASH_COLUMNS))}},
    )
    print_layout(cash)
    if result.years:
        chart = bar_chart("City's net cost by year", currency)
        net = len(CASH_COLUMNS)
        chart.add_data(
            Reference(cash, min_col=net, max_col=net, min_row=1, max_row=last),
            titles_from_data=True,
        )
        chart.set_categories(Reference(cash, min_col=1, min_row=2, max_row=last))
        place_chart(cash, chart, last + 2)

    problems = add_sheet(book, "Rules broken")
    write_table(
        problems,
        ["Rule", "Where"],
        [[p.message, p.field] for p in result.violations] or [["The mix breaks no rule", None]],
    )
    print_layout(problems)
    return workbook_bytes(book)
