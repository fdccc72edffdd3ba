"""Tabular limits judged from the archive before reading, and bounded reading."""

from __future__ import annotations

import pandas as pd
import pytest
from hostile_files import declaring, many_rows, rewrite_member, workbook_bytes, zip_bomb

from decision_support.files import tables
from decision_support.files.limits import MIB, FileLimits
from decision_support.files.tables import (
    FileLimitError,
    check_xlsx_archive,
    column_number,
    read_csv_text,
    read_xlsx,
)
from decision_support.kpis.values import read_values

SMALL = FileLimits(max_rows=100, max_columns=10, max_cells=500, max_xlsx_uncompressed_bytes=MIB)


def test_column_letters() -> None:
    assert [column_number(c) for c in ("A", "Z", "AA", "XFD")] == [1, 26, 27, 16384]


def test_declared_million_rows_is_refused_without_reading() -> None:
    data = declaring(workbook_bytes([["code", "value"], ["x", 1]]), "A1:T1000000")
    assert len(data) < 10_000
    with pytest.raises(
        FileLimitError, match=r"worksheet 1 declares 999,999 data rows; the limit is 100,000"
    ):
        check_xlsx_archive(data, "v.xlsx")


def test_declared_columns_and_cells_are_limits_too() -> None:
    data = declaring(workbook_bytes([["a"]]), "A1:Z20")
    with pytest.raises(FileLimitError, match="declares 26 columns; the limit is 10"):
        check_xlsx_archive(data, "v.xlsx", SMALL)
    data = declaring(workbook_bytes([["a"]]), "A1:J60")
    with pytest.raises(FileLimitError, match="declares 600 cells; the limit is 500"):
        check_xlsx_archive(data, "v.xlsx", SMALL)


def test_rows_are_counted_when_the_dimension_lies_or_is_missing() -> None:
    for dimension in ("A1:B2", None):
        data = many_rows(150, 2, dimension=dimension)
        with pytest.raises(
            FileLimitError, match=r"worksheet 1 holds (at least )?149 data rows; the limit is 100"
        ):
            check_xlsx_archive(data, "v.xlsx", SMALL)


def test_zip_bomb_is_refused_from_the_declared_sizes() -> None:
    data = zip_bomb(4 * MIB)
    assert len(data) < 30_000
    with pytest.raises(
        FileLimitError, match=r"v.xlsx: the workbook unpacks to 4\.\d MiB; the limit is 1 MiB"
    ):
        check_xlsx_archive(data, "v.xlsx", SMALL)


def test_upload_size_is_checked_first() -> None:
    with pytest.raises(FileLimitError, match=r"v\.xlsx: file is larger than the limit of 1 KiB"):
        check_xlsx_archive(b"x" * 2048, "v.xlsx", FileLimits(max_upload_bytes=1024))


def test_reading_stops_after_the_row_limit(monkeypatch) -> None:
    """Second line of defence: were the archive check ever to miss rows, pandas
    still reads no more than one row past the limit."""
    monkeypatch.setattr(tables, "check_xlsx_archive", lambda *args: None)
    data = many_rows(3000, 2, dimension="A1:B2")
    frame = read_xlsx(data, sheet_name=0, limits=FileLimits(max_rows=5000))
    assert len(frame) == 2999
    with pytest.raises(FileLimitError, match="sheet '0' has more than the limit of 20 data rows"):
        read_xlsx(data, sheet_name=0, limits=FileLimits(max_rows=20))
    read = []
    original = pd.read_excel
    monkeypatch.setattr(
        pd, "read_excel", lambda *a, **k: read.append(k["nrows"]) or original(*a, **k)
    )
    with pytest.raises(FileLimitError):
        read_xlsx(data, sheet_name=0, limits=FileLimits(max_rows=20))
    assert read == [21]


def test_infinite_cell_is_located() -> None:
    data = rewrite_member(
        workbook_bytes([["code", "value", "year"], ["EC: ICT: ICT: 2C", 12.5, 2024]]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<v>12.5</v>", b"<v>1e309</v>"),
    )
    with pytest.raises(FileLimitError) as caught:
        read_values(data, "v.xlsx")
    problem = caught.value.problems[0]
    assert (problem.row, problem.column) == (2, 2)
    assert "sheet 'Sheet': 'inf' is not a finite number" in problem.message


def test_csv_row_limit() -> None:
    text = "a,b\n" + "1,2\n" * 30
    assert len(read_csv_text(text, limits=FileLimits(max_rows=30))) == 30
    with pytest.raises(FileLimitError, match="file has more than the limit of 20 data rows"):
        read_csv_text(text, limits=FileLimits(max_rows=20))
    with pytest.raises(FileLimitError, match="has more than the limit of 1 columns"):
        read_csv_text(text, limits=FileLimits(max_columns=1))
