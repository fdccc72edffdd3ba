"""Benchmark: import 100 cities × 91 KPIs × 10 years (≈ 91 000 rows) from XLSX.

Reports the median time of ``read_values`` (our checked import) as a ratio to a
bare ``pandas.read_excel`` of the same file (aim: ≤ 2×). The workbook is written
to a temporary directory and deleted afterwards.

Run: ``PYTHONPATH=. python bench/bench_kpi_import.py [--repeat 3]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.values import QUALITY_FLAGS, read_values

CITIES = 100
YEARS = range(2015, 2025)


def write_workbook(path: Path) -> int:
    """One row per (city, KPI, year): the first data point of KPIs that have them."""
    rng = random.Random(42)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("values")
    sheet.append(["city", "code", "data_point", "year", "value", "quality", "verified"])
    rows = 0
    kpis = list(load_catalogue())
    for city in range(CITIES):
        for kpi in kpis:
            for year in YEARS:
                if kpi.value_kind == "yes_no":
                    value: object = rng.choice(["yes", "no"])
                elif kpi.value_kind == "percentage":
                    value = round(rng.uniform(0, 100), 2)
                else:
                    value = round(rng.uniform(0, 5000), 2)
                sheet.append(
                    [
                        f"City {city:03d}",
                        kpi.code,
                        kpi.data_points[0] if kpi.data_points else None,
                        year,
                        value,
                        rng.choice(QUALITY_FLAGS),
                        rng.choice(["yes", "no"]),
                    ]
                )
                rows += 1
    book.save(path)
    return rows


def timed(function: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "kpi_values.xlsx"
        rows = write_workbook(path)
        bare, ours = [], []
        for _ in range(options.repeat):
            bare.append(timed(pd.read_excel, path))
            ours.append(timed(read_values, path))
        imported = len(read_values(path))
    assert imported == rows
    bare_median, ours_median = statistics.median(bare), statistics.median(ours)
    print(f"rows: {rows}")
    print(f"pandas.read_excel median: {bare_median:.2f} s")
    print(f"read_values median:       {ours_median:.2f} s")
    print(f"ratio: {ours_median / bare_median:.2f}x (aim <= 2x)")


if __name__ == "__main__":
    main()
