import io

import pytest
from openpyxl import Workbook

from decision_support.errors import InputError
from decision_support.kpis.values import check_value, read_values

HEADER = "code,value,year,data_point,unit,source,quality,verified"


def problems_of(data: bytes, filename: str = "values.csv") -> list[str]:
    with pytest.raises(InputError) as caught:
        read_values(data, filename)
    return [str(p) for p in caught.value.problems]


def test_reads_both_code_spellings_decimal_commas_percent_and_not_reported(values_csv):
    data = values_csv(
        HEADER,
        'EC:ICT:ICT:1C,"95,5 %",2024,,%,survey 2024,Extrapolated from inhabitant survey,yes',
        'EC: ICT: ICT: 3C,"12345,5",2024,,,,accurate measurement,no',
        "EN: EN: AQ: 1C,8.25,2024,pm2.5,µg/m3,,,",
        "SC: SH: SA: 3A,Yes,2024,,yes/no,,,",
        "EC: I: WS: 3C,NR,2024,,,,,",
        "EC: I: WS: 4C,,2024,,,,,",
    )
    values = read_values(data, "v.csv")
    assert [(v.code, v.data_point, v.value) for v in values] == [
        ("EC: ICT: ICT: 1C", None, 95.5),
        ("EC: ICT: ICT: 3C", None, 12345.5),
        ("EN: EN: AQ: 1C", "PM2.5", 8.25),
        ("SC: SH: SA: 3A", None, 1.0),
        ("EC: I: WS: 3C", None, None),
        ("EC: I: WS: 4C", None, None),
    ]
    first = values[0]
    assert (first.year, first.source, first.quality, first.verified) == (
        2024,
        "survey 2024",
        "extrapolated from survey",
        True,
    )
    assert values[1].unit == "Number per 100 000 inhabitants"  # catalogue unit when none given
    assert values[1].verified is False


def test_semicolon_separated_csv_is_read(values_csv):
    values = read_values(b"code;value;year\nEC: ICT: ICT: 1C;95,5;2024\n", "v.csv")
    assert values[0].value == 95.5


def test_only_code_and_value_are_required():
    (v,) = read_values(b"code,value\nEC: ICT: ICT: 2C,30\n", "v.csv")
    assert (v.year, v.data_point, v.quality, v.verified) == (None, None, None, None)


def test_xlsx_long_format_is_read():
    book = Workbook()
    sheet = book.active
    sheet.append(["Code", "Value", "Year", "Data point"])
    sheet.append(["EN:EN:AQ:1C", 12.5, 2024, "NO2"])
    sheet.append(["EC: ICT: ICT: 2C", "NR", 2024, None])
    buffer = io.BytesIO()
    book.save(buffer)
    values = read_values(buffer.getvalue(), "v.xlsx")
    assert [(v.code, v.data_point, v.value, v.year) for v in values] == [
        ("EN: EN: AQ: 1C", "NO2", 12.5, 2024),
        ("EC: ICT: ICT: 2C", None, None, 2024),
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "EC: ICT: ICT: 9C,30,2024,,,,,",
            "row 2, column 1: unknown U4SSC KPI code 'EC: ICT: ICT: 9C'",
        ),
        (",30,2024,,,,,", "row 2, column 1: code is empty"),
        (
            "EN: EN: AQ: 1C,9,2024,PM7,,,,",
            "row 2, column 4: 'PM7' is not a data point of KPI EN: EN: AQ: 1C",
        ),
        (
            "EN: EN: AQ: 1C,9,2024,,,,,",
            "row 2, column 4: KPI EN: EN: AQ: 1C is reported per data point",
        ),
        (
            "EC: ICT: ICT: 2C,9,2024,3G,,,,",
            "row 2, column 4: KPI EC: ICT: ICT: 2C has no data points",
        ),
        ("EC: ICT: ICT: 2C,120,2024,,,,,", "row 2, column 2: percentage 120 is outside 0-100"),
        ("EC: ICT: ICT: 2C,-1,2024,,,,,", "row 2, column 2: percentage -1 is outside 0-100"),
        ("EC: ICT: ICT: 3C,-5,2024,,,,,", "row 2, column 2: value -5 is negative"),
        ("EC: ICT: ICT: 3C,12%,2024,,,,,", "row 2, column 2: '12%': a % sign is only allowed"),
        (
            "EC: ICT: ICT: 3C,12,2024,,kg,,,",
            "row 2, column 5: unit 'kg' does not match KPI EC: ICT: ICT: 3C",
        ),
        ("EC: ICT: ICT: 2C,12,2024,,kWh,,,", "row 2, column 5: unit 'kWh' does not match"),
        ("EC: ICT: ICT: 2C,lots,2024,,,,,", "row 2, column 2: 'lots' is not a number"),
        ('EC: ICT: ICT: 3C,"1,234",2024,,,,,', "row 2, column 2: '1,234' is ambiguous"),
        ('EC: ICT: ICT: 3C,"1.234,5",2024,,,,,', "row 2, column 2: '1.234,5' is ambiguous"),
        ('EC: ICT: ICT: 3C,"1,234.5",2024,,,,,', "row 2, column 2: '1,234.5' is ambiguous"),
        ("EC: ICT: ICT: 3C,1 234,2024,,,,,", "row 2, column 2: '1 234' is not a number"),
        ("SC: SH: SA: 3A,maybe,2024,,,,,", "row 2, column 2: 'maybe' is not yes or no"),
        ("EC: ICT: ICT: 2C,9,20x4,,,,,", "row 2, column 3: year '20x4' is not a year"),
        ("EC: ICT: ICT: 2C,9,2024,,,,guess,", "row 2, column 7: quality 'guess' is not one of"),
        (
            "EC: ICT: ICT: 2C,9,2024,,,,,perhaps",
            "row 2, column 8: verified 'perhaps' is not yes or no",
        ),
    ],
)
def test_each_validation_error_is_located(values_csv, row, expected):
    problems = problems_of(values_csv(HEADER, row))
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems


def test_duplicate_code_data_point_year_is_rejected_in_either_spelling(values_csv):
    problems = problems_of(
        values_csv(
            HEADER,
            "EN: EN: AQ: 1C,9,2024,PM10,,,,",
            "EN: EN: AQ: 1C,9,2024,PM2.5,,,,",
            "EN:EN:AQ:1C,10,2024,pm10,,,,",
            "EN: EN: AQ: 1C,9,2025,PM10,,,,",
        )
    )
    assert problems == [
        "row 4, column 1: duplicate value for EN: EN: AQ: 1C (PM10), year 2024, first given in row 2"  # noqa: E501
    ]


def test_every_problem_is_listed_at_once(values_csv):
    problems = problems_of(
        values_csv(
            HEADER,
            "EC: ICT: ICT: 9C,30,2024,,,,,",
            "EC: ICT: ICT: 2C,120,2024,,,,,",
            "EC: ICT: ICT: 3C,-5,20x4,,,,,",
        )
    )
    assert len(problems) == 4
    assert [p.split(":")[0] for p in problems] == [
        "row 2, column 1",
        "row 3, column 2",
        "row 4, column 2",
        "row 4, column 3",
    ]


def test_header_problems(values_csv):
    assert problems_of(values_csv("code,year", "EC: ICT: ICT: 2C,2024")) == [
        "row 1: required column 'value' is missing"
    ]
    # Issue 16: a city's extra columns are kept as source notes, never rejected
    # (this assertion replaces "row 1, column 3: unknown column 'colour'").
    [value] = read_values(values_csv("code,value,colour", "EC: ICT: ICT: 2C,3,red"), "v.csv")
    assert value.value == 3 and value.source == "colour: red"


def test_malformed_files_are_input_errors():
    assert problems_of(b"", "v.csv") == ["the file is empty"]
    assert problems_of(b"\xff\xfe\x00", "v.csv") == ["the CSV file is not UTF-8 text"]
    assert problems_of(b"code,value\nEC: ICT: ICT: 2C,3,4\n", "v.csv")[0].startswith(
        "some rows have more cells"
    )
    assert problems_of(b"not a zip", "v.xlsx")[0].startswith("cannot read the XLSX file")


def test_rows_keep_their_spreadsheet_numbers_after_blank_rows(values_csv):
    problems = problems_of(
        values_csv(
            HEADER, "EC: ICT: ICT: 2C,9,2024,,,,,", ",,,,,,,", "EC: ICT: ICT: 2C,x,2023,,,,,"
        )
    )
    assert problems == ["row 4, column 2: 'x' is not a number"]


def test_cities_are_kept_apart_for_duplicates():
    data = b"city,code,value,year\nA,EC: ICT: ICT: 2C,3,2024\nB,EC: ICT: ICT: 2C,4,2024\n"
    assert [v.city for v in read_values(data, "v.csv")] == ["A", "B"]


def test_check_value_reports_form_fields():
    assert check_value("EC:ICT:ICT:2C", "45,5", year="2024").value == 45.5
    with pytest.raises(InputError) as caught:
        check_value("EC: ICT: ICT: 2C", "145", year="20x4")
    assert {(p.field, p.row) for p in caught.value.problems} == {("value", None), ("year", None)}
