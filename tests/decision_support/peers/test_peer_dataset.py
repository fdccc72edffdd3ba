"""The shipped peer dataset and the dataset files' reader and import (all or nothing)."""

import re
from pathlib import Path

import pytest

from decision_support.errors import InputError
from decision_support.peers.dataset import import_dataset, load_dataset, shipped_dataset

REPORT_PAGE = re.compile(
    r"https://(www\.)?itu\.int/en/publications/[Dd]ocuments/tsb/.+/basic-html/page\d+\.html"
)

CITIES = (
    "city_id,name,country,region,population,population_year,population_source,report,report_url\n"
    "testville,Testville,Norway,Northern Europe,30000,2021,https://example.org/p3.html,"
    "U4SSC Verification Report Testville 2021,https://example.org/report.html\n"
)
VALUES = (
    "city_id,year,report,code,data_point,name_as_printed,value,unit_as_printed,page_url,note\n"
    "testville,2021,VR 2021,EC: I: WS: 3C,,Water Supply Loss,20.5,%,https://example.org/p9.html,\n"
    "testville,2021,VR 2021,EC: ICT: PS: 1A,number,Open Data Sets,300,number,https://example.org/p9.html,\n"
    "testville,2021,VR 2021,SC: SH: SA: 3A,,Resilience Plans,yes,yes/no,https://example.org/p9.html,\n"
)


def test_every_shipped_value_has_its_report_page():
    dataset = shipped_dataset()
    assert dataset.values
    for value in dataset.values:
        assert REPORT_PAGE.fullmatch(value.page_url), (value.city_id, value.code, value.page_url)
        assert value.report and value.year >= 2017
        if value.reported:
            assert value.unit_as_printed, (value.city_id, value.code)
    for project in dataset.projects:
        assert REPORT_PAGE.fullmatch(project.page_url), project.name
    for city in dataset.cities:
        assert REPORT_PAGE.fullmatch(city.report_url), city.id
        assert city.population is None or city.population_source


def test_shipped_dataset_as_collected():
    dataset = shipped_dataset()
    assert len(dataset.cities) == 9
    reported = {c.id: sum(v.reported for v in dataset.values_of(c.id)) for c in dataset.cities}
    assert reported == {
        "alesund-region": 18,
        "valencia": 16,
        "stavanger": 13,
        "kristiansund": 13,
        "riyadh": 24,
        "rana": 0,
        "karmoy": 14,
        "asker": 14,
        "bizerte": 20,
    }
    loss = next(v for v in dataset.values_of("karmoy") if v.code == "EC: I: WS: 3C")
    assert loss.value == 35.42 and loss.page_url.endswith("page14.html")
    riyadh_open_data = [v for v in dataset.values_of("riyadh") if v.code == "EC: ICT: PS: 1A"]
    assert riyadh_open_data and all(v.value is None for v in riyadh_open_data)  # NR, not zero


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_adds_a_city_and_loads_with_the_shipped_dataset(tmp_path):
    extra = tmp_path / "extra"
    summary = import_dataset(
        extra, _write(tmp_path, "v.csv", VALUES), _write(tmp_path, "c.csv", CITIES)
    )
    assert (summary.cities, summary.values, summary.projects) == (1, 3, 0)
    dataset = load_dataset(extra)
    assert dataset.city("testville").population == 30000
    assert dataset.city("karmoy") is not None
    resilience = next(v for v in dataset.values_of("testville") if v.code == "SC: SH: SA: 3A")
    assert resilience.value == 1.0
    # The same values again are refused, and the folder is unchanged.
    before = (extra / "city_values.csv").read_text(encoding="utf-8")
    with pytest.raises(InputError, match="already in the dataset") as caught:
        import_dataset(extra, tmp_path / "v.csv", tmp_path / "c.csv")
    located = {(p.row, p.column) for p in caught.value.problems}
    assert {(2, 1), (2, 4), (3, 4), (4, 4)} <= located  # the city row and each value row
    assert (extra / "city_values.csv").read_text(encoding="utf-8") == before


def test_bad_files_list_every_problem_with_row_and_column_and_write_nothing(tmp_path):
    bad = (
        "city_id,year,report,code,data_point,name_as_printed,value,unit_as_printed,page_url,note\n"
        "testville,2021,VR,EC: XX: 9Z,,?,1,%,https://example.org/p.html,\n"
        "nowhere,2021,VR,EC: I: WS: 3C,,Loss,20,%,https://example.org/p.html,\n"
        "testville,2021,VR,EC: I: WS: 4C,,Collection,120,%,https://example.org/p.html,\n"
        "testville,2021,VR,EC: I: WS: 5C,,Sanitation,99,%,page 12,\n"
        "testville,2021,VR,EC: ICT: PS: 1A,,Open data,5,number,https://example.org/p.html,\n"
        "testville,2021,VR,SC: SH: SA: 3A,,Resilience,maybe,yes/no,https://example.org/p.html,\n"
        "testville,2021,VR,EC: I: WS: 4C,,Collection,80,%,https://example.org/p.html,\n"
        "testville,20x1,VR,EC: I: WS: 1C,,Basic,80,,https://example.org/p.html,\n"
    )
    extra = tmp_path / "extra"
    with pytest.raises(InputError) as caught:
        import_dataset(extra, _write(tmp_path, "v.csv", bad), _write(tmp_path, "c.csv", CITIES))
    found = {(p.row, p.column): p.message for p in caught.value.problems}
    assert "unknown U4SSC KPI code 'EC: XX: 9Z'" in found[(2, 4)]
    assert "city_id 'nowhere' is not in the cities file" in found[(3, 1)]
    assert "outside 0-100" in found[(4, 7)]
    assert "not a web address" in found[(5, 9)]
    assert "reported per data point" in found[(6, 5)]
    assert "not yes, no or NR" in found[(7, 7)]
    assert "duplicate value" in found[(8, 4)]
    assert "not a year" in found[(9, 2)] and "unit_as_printed is empty" in found[(9, 8)]
    assert all(p.message.startswith("values file:") for p in caught.value.problems)
    assert not extra.exists()


def test_cities_file_problems(tmp_path):
    bad = (
        "city_id,name,country,region,population,population_year,population_source,report,report_url\n"
        "Test Ville,T,Norway,Northern Europe,-5,2021,,VR,https://example.org/r.html\n"
        "karmoy,K,Norway,,1000,,somewhere,VR,ftp://example.org\n"
    )
    with pytest.raises(InputError) as caught:
        import_dataset(
            tmp_path / "x", _write(tmp_path, "v.csv", VALUES), _write(tmp_path, "c.csv", bad)
        )
    messages = [str(p) for p in caught.value.problems]
    assert any("row 2, column 1" in m and "lower-case" in m for m in messages)
    assert any("row 2, column 5" in m and "whole number above zero" in m for m in messages)
    assert any("row 3, column 4" in m and "region is empty" in m for m in messages)
    assert any("row 3, column 9" in m and "not a web address" in m for m in messages)
    assert any("city_id 'testville' is not in the cities file" in m for m in messages)
