"""Excel round-trip of a candidate list, including malformed uploads."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from decision_support.projects.candidate_files import read_candidate_file
from decision_support.projects.model import (
    CandidateImpact,
    CandidateProject,
    ProjectError,
    ProjectProcurement,
    Risk,
)
from decision_support.projects.spreadsheet import read_candidates_xlsx, write_candidates_xlsx

DEMO = Path(__file__).resolve().parents[3] / "scenarios" / "demo_city" / "candidates.yaml"


def make_project(pid="kiosks", **overrides):
    values = {
        "id": pid,
        "name": "Service kiosks",
        "capex_by_year": (100_000.0, 50_000.5),
        "opex_per_year": 5_000.0,
        "savings_per_year": 10.0,
        "duration_years": 2.0,
        "lifetime_years": 8.0,
        "impacts": (
            CandidateImpact(
                "EC: ICT: PS: 2A", 3.0, "medium", "https://example.org/report", note="n"
            ),
            CandidateImpact("EN: EN: AQ: 1C", -0.5, "low", "https://example.org/aq", "NO2"),
        ),
        "procurement": ProjectProcurement("supplies", "30200000", "framework", 150_000.5),
        "risk": Risk("low", "medium"),
        "tags": ("energy-saving", "digital"),  # the order of FINANCING_TAGS, as read back
        "low_cost": True,
        "description": '=HYPERLINK("http://evil")',
        "notes": ("first note", "second note"),
        "sources": ("https://example.org/report",),
        "earliest_start": 1,
        "latest_start": 4,
    }
    values.update(overrides)
    return CandidateProject(**values)


def workbook_of(data):
    return load_workbook(io.BytesIO(data))


def to_bytes(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def column_index(sheet, name):
    return [c.value for c in sheet[1]].index(name) + 1


def problems_of(data):
    with pytest.raises(ProjectError) as info:
        read_candidates_xlsx(data)
    return info.value.problems


def test_round_trip_keeps_every_field():
    projects = [make_project(), make_project("b", requires=("kiosks",), tags=(), low_cost=False)]
    again = read_candidates_xlsx(write_candidates_xlsx(projects))
    assert again == projects


def test_demo_city_round_trips():
    projects = list(read_candidate_file(DEMO).candidates)
    again = read_candidates_xlsx(write_candidates_xlsx(projects))
    assert [p.id for p in again] == [p.id for p in projects]
    for before, after in zip(projects, again, strict=True):
        assert after.impacts == before.impacts
        assert after.requires == before.requires and after.excludes == before.excludes
        assert after.capex_by_year == pytest.approx(before.capex_by_year, abs=0.01)


def test_writer_neutralises_formulas_and_adds_dropdowns():
    book = workbook_of(write_candidates_xlsx([make_project()]))
    projects, impacts = book["projects"], book["impacts"]
    description = projects.cell(2, column_index(projects, "description")).value
    assert description.startswith("'=")
    lists = {dv.formula1 for dv in projects.data_validations.dataValidation}
    assert '"works,supplies,services"' in lists
    assert '"yes,no"' in lists  # low cost and one column per financing tag
    assert '"low,medium,high"' in {dv.formula1 for dv in impacts.data_validations.dataValidation}
    assert column_index(projects, "tag_revenue_generating")
    assert impacts.cell(2, column_index(impacts, "kpi_unit")).value == "Number (services)"


def test_missing_sheet_and_not_a_workbook():
    book = workbook_of(write_candidates_xlsx([make_project()]))
    del book["impacts"]
    assert [p.message for p in problems_of(to_bytes(book))] == ["missing sheet 'impacts'"]
    assert "not a readable .xlsx workbook" in problems_of(b"plain text")[0].message


def test_missing_columns_are_reported_on_the_header_row():
    book = workbook_of(write_candidates_xlsx([make_project()]))
    sheet = book["projects"]
    sheet.delete_cols(column_index(sheet, "duration_years"))
    book["impacts"].delete_cols(column_index(book["impacts"], "change"))
    problems = problems_of(to_bytes(book))
    assert {(p.row, p.column) for p in problems} == {(1, "duration_years"), (1, "change")}


def test_bad_cells_are_located_by_row_and_column_letter():
    book = workbook_of(write_candidates_xlsx([make_project(), make_project("b")]))
    sheet = book["projects"]
    sheet.cell(2, column_index(sheet, "opex_per_year")).value = "lots"
    sheet.cell(3, column_index(sheet, "capex_by_year")).value = "1; two"
    sheet.cell(3, column_index(sheet, "procurement_category")).value = "gifts"
    sheet.cell(2, column_index(sheet, "low_cost")).value = "maybe"
    problems = problems_of(to_bytes(book))
    located = {(p.row, p.column) for p in problems}
    letter = lambda name: sheet.cell(1, column_index(sheet, name)).column_letter  # noqa: E731
    assert (2, letter("opex_per_year")) in located
    assert (3, letter("capex_by_year")) in located
    assert (3, letter("procurement_category")) in located
    assert (2, letter("low_cost")) in located
    assert all("sheet 'projects'" in p.message for p in problems)


def test_unknown_kpi_and_unknown_project_in_impacts():
    book = workbook_of(write_candidates_xlsx([make_project()]))
    impacts = book["impacts"]
    impacts.cell(2, column_index(impacts, "kpi")).value = "EC: ZZ: 1C"
    impacts.cell(3, column_index(impacts, "project_id")).value = "ghost"
    problems = problems_of(to_bytes(book))
    messages = {(p.row, p.message) for p in problems}
    assert (2, "sheet 'impacts', kpi: unknown U4SSC KPI code") in messages
    assert (
        3,
        "sheet 'impacts', project_id: no project with this id in sheet 'projects'",
    ) in messages


def test_duplicate_ids_and_rule_violations_are_all_or_nothing():
    book = workbook_of(write_candidates_xlsx([make_project(), make_project("b")]))
    sheet = book["projects"]
    sheet.cell(3, column_index(sheet, "id")).value = "kiosks"
    problems = problems_of(to_bytes(book))
    assert (3, "sheet 'projects', id: duplicate project id") in [
        (p.row, p.message) for p in problems
    ]

    book = workbook_of(write_candidates_xlsx([make_project(), make_project("b")]))
    sheet = book["projects"]
    sheet.cell(3, column_index(sheet, "lifetime_years")).value = 1
    sheet.cell(2, column_index(sheet, "requires")).value = "nowhere"
    impacts = book["impacts"]
    impacts.cell(3, column_index(impacts, "data_point")).value = "CO2"
    problems = problems_of(to_bytes(book))
    text = {(p.row, p.message) for p in problems}
    assert (3, "sheet 'projects', lifetime_years: lifetime must be at least the duration") in text
    assert any(r == 3 and "data point" in m for r, m in text)  # impact row of project 'kiosks'


def test_list_level_problems_point_at_the_project_row():
    book = workbook_of(write_candidates_xlsx([make_project(), make_project("b")]))
    sheet = book["projects"]
    sheet.cell(3, column_index(sheet, "excludes")).value = "nowhere"
    (problem,) = problems_of(to_bytes(book))
    assert problem.row == 3
    assert "excludes unknown project 'nowhere'" in problem.message
