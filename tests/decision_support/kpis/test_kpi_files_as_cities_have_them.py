"""KPI files as cities publish them: the real U4SSC sample (tests/data/u4ssc), extra
columns, units written their own way, and percentages formatted in Excel."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

import pytest
from openpyxl import Workbook

from decision_support.errors import InputError
from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.scoring import score_values
from decision_support.kpis.targets import load_reference_targets
from decision_support.kpis.units import conversion_factor
from decision_support.kpis.values import infer_data_point, read_values

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "u4ssc" / "city_values_sample.csv"


def test_every_row_of_the_published_sample_imports_as_it_is() -> None:
    rows = SAMPLE.read_text(encoding="utf-8").strip().splitlines()[1:]
    values = read_values(SAMPLE)
    assert len(values) == len(rows) == 47
    first = values[0]
    assert first.code == "EC: ICT: ES: 1C" and first.value == pytest.approx(95.01)
    assert "report: U4SSC Factsheet June 2020" in first.source
    assert "source_url: https://www.itu.int/" in first.source
    water = next(v for v in values if v.code == "EN: EN: WS: 2C")
    assert water.value == pytest.approx(147.7)  # "litres/day per capita" is the KPI's unit
    modes = {v.data_point for v in values if v.code == "EC: I: T: 4A"}
    assert {"public transport", "para-transport"} <= modes


def test_each_reported_value_with_a_reference_target_gets_a_band() -> None:
    catalogue = load_catalogue()
    targets = load_reference_targets(catalogue)
    by_city = defaultdict(list)
    for value in read_values(SAMPLE, catalogue=catalogue):
        by_city[value.city].append(value)
    banded = 0
    for city, values in by_city.items():
        assessment = score_values(values, targets, catalogue=catalogue)
        scored = {(s.code, s.data_point): s for s in assessment.scored}
        for value in values:
            target = targets.lookup(value.code, value.data_point)
            if value.value is None or target is None or target.value is None:
                continue  # not reported, or no reference target (a "no benchmark" row)
            kpi = catalogue.find(value.code)
            assert kpi is not None
            key = (kpi.code, value.data_point)
            assert key in scored, f"{city}: {key} has a target but no score"
            assert scored[key].band, f"{city}: {key} has no band"
            banded += 1
    assert banded >= 10  # measured: 10 of the 47 published values have a reference target


@pytest.mark.parametrize(
    ("given", "expected", "factor"),
    [
        ("litres/day per capita", "Litres per capita per day", 1.0),
        ("per 1 000 inhabitants", "Number per 100,000 inhabitants", 100.0),
        ("m3 per capita per day", "Litres per capita per day", 1000.0),
        ("hours", "Minutes", 60.0),
        ("km per 100000 inhabitants", "Litres per capita per day", None),
        ("kWh per year", "Minutes", None),
    ],
)
def test_units_match_by_meaning_and_convert(given, expected, factor) -> None:
    assert conversion_factor(given, expected) == factor


def test_a_unit_at_another_scale_is_converted_and_noted(values_csv) -> None:
    data = values_csv("code,value,unit", "EN: EN: WS: 2C,0.1477,m3 per capita per day")
    [value] = read_values(data, "v.csv")
    assert value.value == pytest.approx(147.7)
    assert value.unit == "Litres per capita per day"
    assert "converted from 0.1477 m3 per capita per day (x 1000)" in value.source


def test_a_unit_that_means_something_else_is_an_error(values_csv) -> None:
    with pytest.raises(InputError) as caught:
        read_values(values_csv("code,value,unit", "EN: EN: WS: 2C,147,kWh per year"), "v.csv")
    assert "unit 'kWh per year' does not match" in str(caught.value.problems[0])


def _xlsx(rows, percent_cells=()) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for ref in percent_cells:
        sheet[ref].number_format = "0.00%"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_cell_formatted_as_a_percentage_is_read_as_percent() -> None:
    data = _xlsx(
        [["code", "value"], ["EC: ICT: ES: 1C", 0.9501], ["EC: ICT: ES: 2A", 91.41]],
        percent_cells=["B2"],
    )
    first, second = read_values(data, "v.xlsx")
    assert first.value == pytest.approx(95.01)
    assert second.value == pytest.approx(91.41)  # plain number cell: already in percent


def test_percentage_format_on_a_number_kpi_is_an_error() -> None:
    data = _xlsx([["code", "value"], ["EN: EN: WS: 2C", 1.5]], percent_cells=["B2"])
    with pytest.raises(InputError) as caught:
        read_values(data, "v.xlsx")
    assert "formatted as a percentage" in str(caught.value.problems[0])


def test_data_points_are_read_from_the_published_name() -> None:
    catalogue = load_catalogue()
    modes = catalogue.find("EC: I: T: 4A")
    open_data = catalogue.find("EC: ICT: PS: 1A")
    assert modes is not None and open_data is not None
    assert infer_data_point(modes, "Transportation Mode Share: para transport", "%") == (
        "para-transport"
    )
    assert infer_data_point(open_data, "Open Data Sets Published", "") == "number"
    assert infer_data_point(open_data, "Open Data Sets % Availability", "%") == "percentage"
    assert infer_data_point(modes, "Transportation Mode Share", "%") == ""
