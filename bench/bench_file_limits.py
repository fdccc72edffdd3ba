"""Benchmark: time and peak memory of the largest accepted file versus files over
the limits (issue 15).

Each case runs in a fresh child process, so its peak resident set size (RSS) is its
own; ``baseline`` is the child's RSS after imports, before reading. Cases:

- the largest accepted KPI values workbook: ``MAX_ROWS`` (100 000) data rows in the
  national shape (city, code, data point, year, value, quality, verified), and the
  same as CSV;
- one row more than the limit;
- the issue's attack: 1 000 000 rows x 20 columns, declared in ``<dimension>``;
- 1 000 000 rows x 5 columns with no ``<dimension>`` (found by counting the stream);
- a zip bomb: a workbook with a member of 1 GiB of zeros (about 1 MB on disk).

Run: ``PYTHONPATH=. python bench/bench_file_limits.py``
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from openpyxl import Workbook

from decision_support.files.limits import current_limits
from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.values import QUALITY_FLAGS

HEADER = ["city", "code", "data_point", "year", "value", "quality", "verified"]
CHILD_TIMEOUT_S = 300


def national_rows(count: int) -> list[list[object]]:
    """``count`` distinct (city, KPI, year) rows of plausible values."""
    rng = random.Random(7)
    kpis = list(load_catalogue())
    rows: list[list[object]] = []
    city = 0
    while len(rows) < count:
        for kpi in kpis:
            for year in range(2015, 2025):
                if kpi.value_kind == "yes_no":
                    value: object = rng.choice(["yes", "no"])
                elif kpi.value_kind == "percentage":
                    value = round(rng.uniform(0, 100), 2)
                else:
                    value = round(rng.uniform(0, 5000), 2)
                point = kpi.data_points[0] if kpi.data_points else None
                rows.append(
                    [f"City {city:04d}", kpi.code, point, year, value,
                     rng.choice(QUALITY_FLAGS), rng.choice(["yes", "no"])]
                )  # fmt: skip
        city += 1
    return rows[:count]


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("values")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)


def write_csv(path: Path, rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def _minimal_workbook() -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_crafted(path: Path, rows: int, columns: int, *, declare: bool) -> None:
    """A sheet of ``rows`` identical rows of numbers without cell references."""
    source = zipfile.ZipFile(io.BytesIO(_minimal_workbook()))
    row = b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>"
    last = f"{chr(ord('A') + columns - 1)}{rows}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info.filename))
                continue
            with target.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                )
                if declare:
                    sheet.write(f'<dimension ref="A1:{last}"/>'.encode())
                sheet.write(b"<sheetData>")
                block = row * 10_000
                for _ in range(rows // 10_000):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")


def write_zip_bomb(path: Path, inflated: int) -> None:
    path.write_bytes(_minimal_workbook())
    zeros = b"\0" * (16 * 1024 * 1024)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/padding.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(inflated // len(zeros)):
            member.write(zeros)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: str) -> None:
    """Read one file as ``kpis score`` does; print time, memory and outcome as JSON."""
    from decision_support.errors import DecisionSupportError
    from decision_support.kpis.values import read_values

    baseline = _rss_mib()
    started = time.perf_counter()
    try:
        outcome = f"accepted: {len(read_values(Path(path)))} values"
    except DecisionSupportError as exc:
        outcome = f"refused: {str(exc)[:110]}"
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mib": _rss_mib(), "baseline_mib": baseline,
                      "outcome": outcome}))  # fmt: skip


def measure(path: Path) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", str(path)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=True,
    )
    result: dict[str, object] = json.loads(completed.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child)
        return
    limit = current_limits().max_rows
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        rows = national_rows(limit + 1)
        cases = {
            f"accepted: {limit:,} rows XLSX": (
                "largest.xlsx", lambda p: write_xlsx(p, rows[:limit])
            ),
            f"accepted: {limit:,} rows CSV": ("largest.csv", lambda p: write_csv(p, rows[:limit])),
            f"refused: {limit + 1:,} rows XLSX": ("over.xlsx", lambda p: write_xlsx(p, rows)),
            f"refused: {limit + 1:,} rows CSV": ("over.csv", lambda p: write_csv(p, rows)),
            "refused: 1,000,000 x 20 declared": (
                "attack.xlsx", lambda p: write_crafted(p, 1_000_000, 20, declare=True)
            ),
            "refused: 1,000,000 x 5 undeclared": (
                "undeclared.xlsx", lambda p: write_crafted(p, 1_000_000, 5, declare=False)
            ),
            "refused: zip bomb, 1 GiB inflated": (
                "bomb.xlsx", lambda p: write_zip_bomb(p, 1024**3)
            ),
        }  # fmt: skip
        print(f"{'case':38} {'on disk':>9} {'time':>8} {'peak RSS':>9} {'baseline':>9}  outcome")
        for name, (filename, write) in cases.items():
            path = folder / filename
            write(path)
            result = measure(path)
            size = path.stat().st_size / 1024 / 1024
            print(
                f"{name:38} {size:7.1f}MB {result['seconds']:7.2f}s "
                f"{result['peak_mib']:7.0f}MiB {result['baseline_mib']:7.0f}MiB  "
                f"{result['outcome']}"
            )
            path.unlink()


if __name__ == "__main__":
    main()
