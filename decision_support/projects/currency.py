"""Conversion of library money (source currency, source price year) to base-year euros.

amount_EUR = amount / usd_per_eur[price_year] (USD only) × HICP[base] / HICP[price_year]

The rates and inflation figures, with their sources and status, are in
``decision_support/data/project_library/currency.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from decision_support.errors import InputError, Problem
from decision_support.files.documents import load_yaml

SUPPORTED_CURRENCIES = ("EUR", "USD")


@dataclass(frozen=True)
class ConversionTable:
    """USD/EUR annual rates and a euro-area price index normalised to 1.0 in ``base_year``."""

    base_year: int
    usd_per_eur: dict[int, float]
    price_index: dict[int, float]
    rate_source: str
    inflation_source: str

    def to_base_eur(self, amount: float, currency: str, price_year: int) -> float:
        """``amount`` in ``currency`` at ``price_year`` prices → EUR at base-year prices."""
        if currency not in SUPPORTED_CURRENCIES:
            raise InputError(
                Problem(f"unsupported library currency '{currency}'", field="currency")
            )
        if price_year not in self.price_index:
            raise InputError(
                Problem(
                    f"no conversion data for price year {price_year} "
                    f"(have {min(self.price_index)}-{max(self.price_index)})",
                    field="price_year",
                )
            )
        eur = amount / self.usd_per_eur[price_year] if currency == "USD" else amount
        return eur * self.price_index[self.base_year] / self.price_index[price_year]


@cache
def load_conversion() -> ConversionTable:
    """Load the shipped conversion table (cached)."""
    text = (
        resources.files("decision_support.data.project_library")
        .joinpath("currency.yaml")
        .read_text("utf-8")
    )
    data = load_yaml(text, source="currency.yaml")
    base = int(data["base_year"])
    rates = {int(y): float(r) for y, r in data["usd_per_eur"]["rates"].items()}
    changes = {int(y): float(c) for y, c in data["hicp_annual_change_percent"]["rates"].items()}
    first = min(rates)
    index = {first: 1.0}
    for year in range(first + 1, max(changes) + 1):
        index[year] = index[year - 1] * (1 + changes[year] / 100)
    scale = index[base]
    return ConversionTable(
        base_year=base,
        usd_per_eur=rates,
        price_index={y: v / scale for y, v in index.items()},
        rate_source=data["usd_per_eur"]["source"],
        inflation_source=data["hicp_annual_change_percent"]["source"],
    )
