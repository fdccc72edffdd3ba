import io

import pytest
from openpyxl import load_workbook

from decision_support.errors import InputError
from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.export import assessment_to_dict, assessment_to_xlsx
from decision_support.kpis.scoring import score_values
from decision_support.kpis.template import TEMPLATE_COLUMNS, write_template
from decision_support.kpis.values import read_values


def filled(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_template_has_a_sheet_per_dimension_with_every_kpi_and_data_point():
    book = load_workbook(io.BytesIO(write_template()))
    # Issue 16 adds the U4SSC category scoring tab after the dimension sheets.
    assert book.sheetnames == [
        "Instructions",
        "Economy",
        "Environment",
        "Society and Culture",
        "Category scores",
    ]
    rows = 0
    for name in book.sheetnames[1:4]:
        sheet = book[name]
        assert [c.value for c in sheet[1]] == list(TEMPLATE_COLUMNS)
        rows += sheet.max_row - 1
    catalogue = load_catalogue()
    assert rows == sum(max(1, len(k.data_points)) for k in catalogue)
    air = [r for r in book["Environment"].iter_rows(values_only=True) if r[0] == "EN: EN: AQ: 1C"]
    assert [r[3] for r in air] == ["PM2.5", "PM10", "NO2", "SO2", "O3"]
    lists = [dv.formula1 for dv in book["Environment"].data_validations.dataValidation]
    assert '"PM2.5,PM10,NO2,SO2,O3"' in lists
    assert any("accurate measurement" in f for f in lists if f)


def test_empty_template_imports_as_all_not_reported():
    values = read_values(write_template(), "template.xlsx")
    assert len(values) == sum(max(1, len(k.data_points)) for k in load_catalogue())
    assert all(v.value is None for v in values)


def test_filled_template_round_trips():
    book = load_workbook(io.BytesIO(write_template()))
    entries = {
        ("Economy", "EC: ICT: ICT: 2C", None): (2024, 30, "accurate measurement", "yes"),
        ("Environment", "EN: EN: AQ: 1C", "PM2.5"): (
            2024,
            "12,5",
            "estimate based on assumptions",
            "no",
        ),
        ("Society and Culture", "SC: SH: SA: 3A", None): (2024, "yes", None, None),
    }
    for (sheet_name, code, data_point), (year, value, quality, verified) in entries.items():
        sheet = book[sheet_name]
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == code and row[3].value == data_point:
                row[5].value, row[6].value, row[7].value, row[8].value = (
                    year,
                    value,
                    quality,
                    verified,
                )
    values = read_values(filled(book), "filled.xlsx")
    reported = {(v.code, v.data_point): v for v in values if v.reported}
    assert {k: (v.value, v.year, v.quality, v.verified) for k, v in reported.items()} == {
        ("EC: ICT: ICT: 2C", None): (30.0, 2024, "accurate measurement", True),
        ("EN: EN: AQ: 1C", "PM2.5"): (12.5, 2024, "estimate based on assumptions", False),
        ("SC: SH: SA: 3A", None): (1.0, 2024, None, None),
    }
    assessment = score_values(values)
    assert len(assessment.scored) == 3


def test_filled_template_problems_name_the_sheet():
    book = load_workbook(io.BytesIO(write_template()))
    sheet = book["Economy"]
    sheet["G2"] = 250  # EC: ICT: ICT: 1C is a percentage
    with pytest.raises(InputError) as caught:
        read_values(filled(book), "filled.xlsx")
    assert [str(p) for p in caught.value.problems] == [
        "row 2, column 7: sheet 'Economy': percentage 250 is outside 0-100"
    ]


def test_assessment_export_has_summary_and_coloured_dimension_sheets(sample_city_values):
    assessment = score_values(read_values(sample_city_values("Kristiansund"), "k.csv"))
    book = load_workbook(io.BytesIO(assessment_to_xlsx(assessment, "=Kristiansund")))
    assert book.sheetnames == [
        "Summary",
        "Economy",
        "Environment",
        "Society and Culture",
        "Priority gaps",
    ]
    assert book["Summary"]["A1"].value == "'=Kristiansund"  # formula injection neutralised
    sheet = book["Society and Culture"]
    header = [c.value for c in sheet[1]]
    band_col = header.index("Band")
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=2) if r[3].value is None}
    resilience = rows["SC: SH: SA: 3A"]
    assert resilience[band_col].value == "0-33"
    assert resilience[header.index("Value")].value == "no"
    assert resilience[band_col].fill.fgColor.rgb.endswith("F4A6A6")
    gender = rows["SC: SH: SI: 1C"]
    assert gender[band_col].value == "66-95"


def test_assessment_dict_is_the_cli_contract(sample_city_values):
    data = assessment_to_dict(score_values(read_values(sample_city_values("Stavanger"), "s.csv")))
    assert {
        "kpis",
        "categories",
        "sub_dimensions",
        "dimensions",
        "not_reported",
        "no_benchmark",
    } <= set(data)
    rd = next(k for k in data["kpis"] if k["code"] == "EC: P: IN: 1C")
    assert {
        k: rd[k] for k in ("data_point", "value", "target", "achievement_pct", "points", "band")
    } == {
        "data_point": None,
        "value": 1.51,
        "target": 3.0,
        "achievement_pct": 50.33,
        "points": 2,
        "band": "33-66",
    }
    assert len(data["dimensions"]) == 3 and len(data["sub_dimensions"]) == 7
    assert len(data["categories"]) == 27


def test_template_has_numerator_denominator_origin_and_category_scores():
    book = load_workbook(io.BytesIO(write_template()))
    economy = book["Economy"]
    header = [c.value for c in economy[1]]
    assert header[11:16] == ["numerator", "denominator", "computed", "data_origin", "category"]
    first = [c.value for c in economy[2]]
    assert first[13] == '=IF(AND(ISNUMBER(L2),ISNUMBER(M2),M2<>0),L2/M2*100,"")'
    assert first[15] == "ICT Infrastructure"
    scores = book["Category scores"]
    assert [c.value for c in scores[1]][:5] == [
        "dimension",
        "sub_dimension",
        "category",
        "KPIs",
        "values filled in",
    ]
    assert str(scores["E2"].value).startswith("=COUNTIFS('Economy'!P:P,C2")
    categories = {(k.dimension, k.sub_dimension, k.category) for k in load_catalogue()}
    assert scores.max_row - 1 == len(categories)


def test_numerator_and_denominator_give_the_value_with_its_origin():
    book = load_workbook(io.BytesIO(write_template()))
    sheet = book["Economy"]
    sheet["F2"], sheet["L2"], sheet["M2"], sheet["O2"] = 2024, 812, 1000, "survey"
    sheet["F3"], sheet["G3"], sheet["L3"], sheet["M3"] = 2024, 40, 300, 1000  # 30 % ≠ 40
    with pytest.raises(InputError) as caught:
        read_values(filled(book), "filled.xlsx")
    assert [str(p) for p in caught.value.problems] == [
        "row 3, column 7: sheet 'Economy': value 40 differs from numerator/denominator (30)"
    ]
    sheet["G3"] = 30
    values = {v.code: v for v in read_values(filled(book), "filled.xlsx") if v.reported}
    household = values["EC: ICT: ICT: 1C"]
    assert household.value == pytest.approx(81.2)
    assert "data_origin: survey" in household.source
    assert values["EC: ICT: ICT: 2C"].value == 30
