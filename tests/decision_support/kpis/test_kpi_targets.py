import pytest

from decision_support.errors import InputError
from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.targets import load_reference_targets, read_targets


def test_reference_targets_cover_every_kpi_with_sources_for_every_number():
    targets = load_reference_targets()
    catalogue = load_catalogue()
    codes = {t.code for t in targets}
    assert codes == {k.code for k in catalogue}
    for t in targets:
        assert t.origin == "reference"
        assert t.note
        if t.value is not None:
            assert t.source, t
            assert t.value > 0


def test_who_air_quality_guidelines_and_itu_broadband_reference():
    targets = load_reference_targets()
    assert targets.lookup("EN: EN: AQ: 1C", "PM2.5").value == 5
    assert targets.lookup("EN: EN: AQ: 1C", "PM10").value == 15
    assert targets.lookup("EN: EN: AQ: 1C", "NO2").value == 10
    assert targets.lookup("EN: EN: AQ: 1C", "O3").value == 60
    assert targets.lookup("EN: EN: AQ: 1C", "SO2").value is None  # WHO has no annual SO2 level
    assert targets.lookup("EC: ICT: ICT: 2C", None).value == 60
    for code in ("EC: ICT: ICT: 5A", "EC: ICT: PS: 2A"):
        assert targets.lookup(code, None).value is None
    assert targets.lookup("EC: ICT: PS: 1A", "number").value is None


def test_city_targets_file_is_read_and_overrides(values_csv):
    data = values_csv(
        "code,target,data_point,target_year,source,direction",
        "EC:I:WS:3C,15,,2030,Water utility plan,",
        'EN: EN: AQ: 1C,"7,5",pm2.5,2030,Clean air plan,',
        "EN: EN: WA: 1C,5,landfill,,,lower_is_better",
        "SC: SH: SA: 3A,yes,,,,",
    )
    city = read_targets(data, "t.csv")
    assert [(t.code, t.data_point, t.value, t.target_year, t.origin) for t in city] == [
        ("EC: I: WS: 3C", None, 15.0, 2030, "city"),
        ("EN: EN: AQ: 1C", "PM2.5", 7.5, 2030, "city"),
        ("EN: EN: WA: 1C", "landfill", 5.0, None, "city"),
        ("SC: SH: SA: 3A", None, 1.0, None, "city"),
    ]
    merged = load_reference_targets().with_city_targets(city)
    assert merged.lookup("EN: EN: AQ: 1C", "PM2.5").value == 7.5
    assert merged.lookup("EN: EN: AQ: 1C", "PM10").value == 15
    assert merged.lookup("EC: I: WS: 3C", None).source == "Water utility plan"


def test_city_target_problems_are_located(values_csv):
    data = values_csv(
        "code,target,data_point,target_year,direction",
        "EC: X: Y: 1C,15,,,",
        "EC: I: WS: 3C,0,,,",
        "EC: I: WS: 4C,abc,,,",
        "EN: EN: AQ: 1C,5,PM7,,",
        "EC: P: IN: 3A,20,,,",
        "EC: I: WS: 2C,95,,20x0,sideways",
        "SC: SH: SA: 3A,no,,,",
        "EC: I: WS: 2C,96,,,",
    )
    with pytest.raises(InputError) as caught:
        read_targets(data, "t.csv")
    assert [str(p) for p in caught.value.problems] == [
        "row 2, column 1: unknown U4SSC KPI code 'EC: X: Y: 1C'",
        "row 3, column 2: target must be greater than zero (achievement is a ratio to it)",
        "row 4, column 2: 'abc' is not a number",
        "row 5, column 3: 'PM7' is not a data point of KPI EN: EN: AQ: 1C (expected one of: PM2.5, PM10, NO2, SO2, O3)",  # noqa: E501
        "row 6, column 5: KPI EC: P: IN: 3A has no fixed direction; give direction (higher_is_better or lower_is_better)",  # noqa: E501
        "row 7, column 4: year '20x0' is not a year between 1900 and 2100",
        "row 7, column 5: direction 'sideways' is not one of higher_is_better, lower_is_better, yes_is_better",  # noqa: E501
        "row 8, column 2: target of a yes/no KPI must be 'yes'",
        "row 9, column 1: duplicate target for EC: I: WS: 2C, first given in row 7",
    ]
