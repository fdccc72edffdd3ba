"""The shipped 2024 and 2025 USD/EUR rates are the means of the ECB's daily reference
rates (copied in tests/data/ecb/, provenance in tests/data/README.md)."""

import csv
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path

import yaml

DAILY = Path(__file__).resolve().parents[2] / "data" / "ecb" / "usd_daily_2024_2025.csv"


def _table():
    text = (
        resources.files("decision_support.data.project_library")
        .joinpath("currency.yaml")
        .read_text("utf-8")
    )
    return yaml.safe_load(text)


def test_the_annual_rates_are_the_means_of_the_daily_reference_rates():
    by_year: dict[int, list[Decimal]] = defaultdict(list)
    with DAILY.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_year[int(row["Date"][:4])].append(Decimal(row["USD"]))
    assert set(by_year) == {2024, 2025}
    assert all(len(days) > 250 for days in by_year.values())  # a whole year of fixings
    block = _table()["usd_per_eur"]
    for year, days in by_year.items():
        mean = (sum(days) / len(days)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        assert Decimal(str(block["rates"][year])) == mean, year
        assert block["checks"][year] == {
            "status": "verified",
            "value": float(mean),
            "source": "ecb_daily",
        }
