"""Factories for KPI tests: value files as bytes, and the real city values in tests/data."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parents[3]
SAMPLE = _REPO / "tests" / "data" / "u4ssc" / "city_values_sample.csv"

# Rows of the sample that report one data point of a KPI, by KPI name as printed.
_SAMPLE_DATA_POINTS = {
    "Open Data Sets Published": "number",
    "Open Data Sets % Availability": "percentage",
    "Open Data Sets Availability": "percentage",
    "Wastewater Treatment: Primary": "primary",
    "Wastewater Treatment: Secondary": "secondary",
    "Wastewater Treatment: Tertiary": "tertiary",
}


def _sample_data_point(name: str) -> str:
    if name in _SAMPLE_DATA_POINTS:
        return _SAMPLE_DATA_POINTS[name]
    if name.startswith("Transportation Mode Share: "):
        mode = name.split(": ", 1)[1].split(" (", maxsplit=1)[0]
        return "para-transport" if mode == "para transport" else mode
    return ""


@pytest.fixture
def sample_city_values() -> Callable[..., bytes]:
    """Long-format CSV bytes for one city of the U4SSC sample in tests/data (real report values)."""

    def make(city_prefix: str) -> bytes:
        with SAMPLE.open(encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r["city"].startswith(city_prefix)]
        assert rows, city_prefix
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["code", "value", "year", "data_point", "source"])
        for r in rows:
            writer.writerow(
                [r["code"], r["value"], r["year"], _sample_data_point(r["name"]), r["source_url"]]
            )
        return out.getvalue().encode("utf-8")

    return make


@pytest.fixture
def values_csv() -> Callable[..., bytes]:
    """CSV bytes from a header and rows (lists of cells)."""

    def make(header: str, *rows: str) -> bytes:
        return ("\n".join([header, *rows]) + "\n").encode("utf-8")

    return make
