"""Comparison diffs and the workbook, on hand-made results."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from decision_support.errors import InputError
from scenarios.city_cost import npv_cost_to_city, repayment_schedule
from scenarios.comparison import ComparedRun, compare_runs, gap_closure_by_dimension
from scenarios.workbook import comparison_workbook, safe_cell


def _cash(year, **values):
    row = {
        "year": year,
        "own_capex": 0.0,
        "debt_service": 0.0,
        "issuance_costs": 0.0,
        "opex": 0.0,
        "savings": 0.0,
    }
    row.update(values)
    return row


@pytest.fixture
def two_runs(make_scenario, make_result):
    scenario = make_scenario()
    reference = make_result(
        {"A": 2027, "B": 2027},
        cash_flow=[
            _cash(2027, own_capex=60, debt_service_ratio=0.01, debt_service_ratio_limit=0.1),
            _cash(
                2028,
                own_capex=0,
                debt_service=10,
                debt_service_ratio=0.02,
                debt_service_ratio_limit=0.1,
            ),
            _cash(2029, debt_service_ratio=0.02, debt_service_ratio_limit=0.1),
        ],
        kpi_projection=[
            {
                "key": "EN: E: E: 4A",
                "code": "EN: E: E: 4A",
                "name": "Energy",
                "dimension": "Environment",
                "baseline": 10,
                "target": 20,
                "projected": 15,
                "band_after": 2,
                "gap_closed_share": 0.5,
            },
            {
                "key": "EC: I: WS: 3C",
                "code": "EC: I: WS: 3C",
                "name": "Water",
                "dimension": "Economy",
                "baseline": 30,
                "target": 15,
                "projected": 20,
                "band_after": 3,
                "gap_closed_share": 2 / 3,
            },
        ],
        procurement_plan=[
            {"project_id": "A", "tender_launch_year": 2026},
            {"project_id": "B", "tender_launch_year": 2026},
        ],
    )
    reference["selected"][1]["funding"] = {"loan": 100.0, "own_budget": 20.0}
    reference["selected"][1]["funding_by_year"] = {"loan": {"2027": 100.0}}
    other = make_result(
        {"A": 2028, "C": 2027},
        cash_flow=[_cash(2027, own_capex=30), _cash(2028, own_capex=60), _cash(2029)],
        kpi_projection=[
            {
                "key": "EN: E: E: 4A",
                "code": "EN: E: E: 4A",
                "name": "Energy",
                "dimension": "Environment",
                "baseline": 10,
                "target": 20,
                "projected": 18,
                "band_after": 3,
                "gap_closed_share": 0.8,
            },
            {
                "key": "EC: I: WS: 3C",
                "code": "EC: I: WS: 3C",
                "name": "Water",
                "dimension": "Economy",
                "baseline": 30,
                "target": 15,
                "projected": 30,
                "band_after": 1,
                "gap_closed_share": 0.0,
            },
        ],
        procurement_plan=[
            {"project_id": "C", "tender_launch_year": 2026},
            {"project_id": "A", "tender_launch_year": 2027},
        ],
    )
    return [
        ComparedRun.from_stored("Base", scenario, reference),
        ComparedRun.from_stored("Cut =1", scenario, other),
    ]


def test_projects_added_removed_and_moved(two_runs):
    comparison = compare_runs(two_runs)
    assert comparison["changes"]["Cut =1"] == {
        "added": ["C"],
        "removed": ["B"],
        "moved": [{"id": "A", "from": 2027, "to": 2028, "shift": 1}],
    }
    rows = {row["id"]: row for row in comparison["projects"]}
    assert rows["A"]["changes"] == ["same", "moved"]
    assert rows["B"]["start_years"] == [2027, None]


def test_costs_mix_debt_and_procurement(two_runs):
    comparison = compare_runs(two_runs)
    capex = {row["year"]: row["capex"] for row in comparison["cost_by_year"]}
    # reference: A 60 in 2027, B 80 + 40 from 2027; other: C 30 in 2027, A 60 in 2028
    assert capex == {2027: [140.0, 30.0], 2028: [40.0, 60.0], 2029: [0.0, 0.0]}
    mix = {row["mechanism"]: row["values"] for row in comparison["financing_mix"]}
    assert mix == {"loan": [100.0, 0.0], "own_budget": [20.0, 0.0]}
    summary = {row["metric"]: row for row in comparison["summary"]}
    assert summary["Borrowed"]["values"] == [100.0, 0.0]
    assert summary["Peak debt-service ratio"]["values"] == [0.02, None]
    assert summary["Peak tenders in a year"]["values"] == [2, 1]
    load = {row["year"]: row["tenders"] for row in comparison["procurement_load"]}
    assert load[2026] == [2, 1] and load[2027] == [0, 1]
    assert summary["Total capital cost"]["deltas"] == [0.0, -90.0]
    assert summary["Total capital cost"]["differs"] is True


def test_gap_closure_per_dimension_is_weighted(make_scenario, two_runs):
    closure = gap_closure_by_dimension(make_scenario(), two_runs[0].result)
    assert closure == pytest.approx({"Economy": 2 / 3, "Environment": 0.5})


def test_npv_includes_debt_after_the_horizon(make_scenario, two_runs):
    scenario = make_scenario()
    # 100 drawn in 2027 at 4 % over 10 years: payments 2028..2037, the last 8 after 2029
    payment = repayment_schedule(100.0, 2027, rate=0.04, tenor=10, grace=0, style="annuity")[2028]
    assert payment == pytest.approx(100 * 0.04 / (1 - 1.04**-10))
    in_horizon = 60 + 10 / 1.03
    tail = sum(payment / 1.03 ** (year - 2027) for year in range(2030, 2038))
    assert npv_cost_to_city(scenario, two_runs[0].result) == pytest.approx(in_horizon + tail)


def test_linear_repayment_with_grace():
    schedule = repayment_schedule(100.0, 2027, rate=0.1, tenor=4, grace=2, style="linear")
    assert schedule == pytest.approx({2028: 10.0, 2029: 10.0, 2030: 60.0, 2031: 55.0})


def test_comparison_needs_two(two_runs):
    with pytest.raises(InputError):
        compare_runs(two_runs[:1])


def test_workbook_has_charts_highlights_and_safe_text(two_runs):
    data = comparison_workbook(compare_runs(two_runs))
    workbook = load_workbook(BytesIO(data))
    assert workbook.sheetnames[0] == "Summary"
    assert {
        "Projects",
        "KPIs",
        "Gap closure",
        "Cost by year",
        "Financing mix",
        "Debt service",
        "Procurement load",
    } <= set(workbook.sheetnames)
    chart_count = sum(len(workbook[name]._charts) for name in workbook.sheetnames)
    assert chart_count == 6
    projects = workbook["Projects"]
    header = [c.value for c in projects[1]]
    assert "'Start: Cut =1" not in header and "Start: Cut =1" in header
    rows = {row[0].value: row for row in projects.iter_rows(min_row=2)}
    assert rows["A"][3].fill.start_color.rgb.endswith("FFE699")
    assert rows["A"][2].fill.start_color.rgb in (None, "00000000")
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and safe_cell(-3) == -3


def test_summary_cells_are_formatted_by_unit(two_runs):
    summary = load_workbook(BytesIO(comparison_workbook(compare_runs(two_runs))))["Summary"]
    rows = {row[0].value: row for row in summary.iter_rows(min_row=6)}
    assert rows["Total capital cost"][2].number_format == "#,##0"
    assert rows["Peak debt-service ratio"][2].number_format == "0.0%"
