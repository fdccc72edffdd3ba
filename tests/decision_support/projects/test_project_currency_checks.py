"""The per-year source checks recorded in the shipped currency table (currency.yaml)."""

from importlib import resources

import pytest
import yaml


@pytest.fixture(scope="module")
def table():
    text = (
        resources.files("decision_support.data.project_library")
        .joinpath("currency.yaml")
        .read_text("utf-8")
    )
    return yaml.safe_load(text)


@pytest.mark.parametrize("series", ["usd_per_eur", "hicp_annual_change_percent"])
def test_every_year_has_a_check_with_a_status_and_a_reason_or_source(table, series):
    block = table[series]
    assert set(block["checks"]) == set(block["rates"])
    sources = block.get("check_sources", {})
    for year, check in block["checks"].items():
        assert check["status"] in {"verified", "unverified"}, year
        if check["status"] == "verified":
            assert check["source"] in sources, year
            assert "http" in sources[check["source"]], year
        else:
            assert check["why"].strip(), year


@pytest.mark.parametrize("series", ["usd_per_eur", "hicp_annual_change_percent"])
def test_verified_values_equal_the_values_used(table, series):
    block = table[series]
    for year, check in block["checks"].items():
        if check["status"] == "verified":
            assert check["value"] == block["rates"][year], year


def test_hicp_years_confirmed_by_the_source_check(table):
    checks = table["hicp_annual_change_percent"]["checks"]
    verified = {year for year, check in checks.items() if check["status"] == "verified"}
    assert verified == {2012, 2013, 2018, 2019, 2020, 2021, 2022, 2023}
