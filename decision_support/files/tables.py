"""Bounded reading of CSV and XLSX tables (uploads and files on disk).

Before anything is parsed, an XLSX archive is checked from its own metadata: the
sum of its members' declared decompressed sizes (a zip bomb is refused without
inflating it), each worksheet's declared ``<dimension>`` and then its real row and
cell counts, counted on the decompressed XML stream in chunks (a file may declare
``A1`` and hold a million rows). Only then is it read, by pandas over openpyxl's
read-only (streaming) mode, stopping after ``max_rows`` data rows. A CSV file is
size-checked and read with the same row bound.

An infinite number in a cell (which pandas' reader cannot convert) is reported at
its sheet, row and column.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import pandas as pd

from decision_support.errors import InputError, Problem
from decision_support.files.documents import format_bytes, size_reason
from decision_support.files.limits import FileLimits, current_limits

_CHUNK = 1024 * 1024
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+\d+)(?::([A-Z]+)(\d+))?\"")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
_WORKSHEET = re.compile(r"xl/worksheets/sheet(\d+)\.xml")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


class FileLimitError(InputError):
    """A file over one of the documented limits (size, rows, columns, cells)."""


def check_size(data: bytes, source: str, limits: FileLimits | None = None) -> None:
    """Refuse ``data`` larger than ``max_upload_bytes``."""
    limits = limits or current_limits()
    if len(data) > limits.max_upload_bytes:
        raise FileLimitError(f"{source}: {size_reason(limits.max_upload_bytes)}")


def column_number(letters: str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _sheet_label(member: str) -> str:
    match = _WORKSHEET.fullmatch(member)
    return f"worksheet {match.group(1)}" if match else member


def _check_counts(
    label: str,
    rows: int,
    columns: int | None,
    cells: int | None,
    limits: FileLimits,
    how: str,
) -> None:
    """Refuse counts over the limits; ``rows`` includes the header row.

    ``how`` says how the count was found: ``declares`` (the sheet's ``<dimension>``),
    ``holds at least`` (counted so far), ``holds`` (counted in full) or ``read``
    (the reader stopped one row past the limit).
    """
    found = [
        (max(rows - 1, 0), limits.max_rows, "data rows"),
        (columns, limits.max_columns, "columns"),
        (cells, limits.max_cells, "cells"),
    ]
    for count, limit, what in found:
        if count is None or count <= limit:
            continue
        if how == "read":
            raise FileLimitError(f"{label} has more than the limit of {limit:,} {what}")
        raise FileLimitError(f"{label} {how} {count:,} {what}; the limit is {limit:,}")


def _stream(archive: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    with archive.open(member) as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


def _check_worksheet(archive: zipfile.ZipFile, member: str, limits: FileLimits) -> None:
    label = _sheet_label(member)
    rows = cells = 0
    tail = b""
    declared = False
    for chunk in _stream(archive, member):
        window = tail + chunk
        if not declared:
            match = _DIMENSION.search(window)
            if match:
                declared = True
                first = _CELL_REF.fullmatch(match.group(1).decode())
                last_col = match.group(2).decode() if match.group(2) else first.group(1)  # type: ignore[union-attr]
                last_row = int(match.group(3)) if match.group(3) else int(first.group(2))  # type: ignore[union-attr]
                width = column_number(last_col) - column_number(first.group(1)) + 1  # type: ignore[union-attr]
                height = last_row - int(first.group(2)) + 1  # type: ignore[union-attr]
                _check_counts(label, height, width, height * width, limits, "declares")
            elif b"<sheetData" in window or b":sheetData" in window:
                declared = True  # no dimension element: the counts below decide
        # A tag split across two chunks is matched in the window that joins them;
        # a match lying wholly inside the carried tail was counted the time before.
        carried = len(tail)
        rows += sum(1 for m in _ROW_TAG.finditer(window) if m.end() > carried)
        cells += sum(1 for m in _CELL_TAG.finditer(window) if m.end() > carried)
        tail = window[-16:]
        _check_counts(label, rows, None, cells, limits, "holds at least")
    _check_counts(label, rows, None, cells, limits, "holds")


def check_xlsx_archive(data: bytes, source: str, limits: FileLimits | None = None) -> None:
    """Refuse an XLSX upload over the limits, judged from the archive alone.

    Data that is not a readable zip archive raises ``zipfile.BadZipFile``, which
    each reader reports in its own words.
    """
    limits = limits or current_limits()
    check_size(data, source, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            inflated = sum(m.file_size for m in members)
            if inflated > limits.max_xlsx_uncompressed_bytes:
                raise FileLimitError(
                    f"{source}: the workbook unpacks to {format_bytes(inflated)}; the limit is "
                    f"{format_bytes(limits.max_xlsx_uncompressed_bytes)}"
                )
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(
                    ".xml"
                ):
                    try:
                        _check_worksheet(archive, member.filename, limits)
                    except FileLimitError as exc:
                        raise FileLimitError(f"{source}: {exc}") from None
    except (zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError, zlib.error) as exc:
        # Unsupported compression, encryption, a truncated stream: to the readers,
        # these are all "not a zip file they can read" (each words that itself).
        raise zipfile.BadZipFile(str(exc) or type(exc).__name__) from None


def _non_finite_cell(data: bytes, sheet_name: Any) -> Problem | None:
    """The first cell holding an infinite or NaN number, located (read-only scan)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        names = workbook.sheetnames if sheet_name is None else [sheet_name]
        for name in names:
            if name not in workbook.sheetnames:
                continue
            for row in workbook[name].iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if isinstance(value, float) and not math.isfinite(value):
                        return Problem(
                            f"sheet '{name}': '{value}' is not a finite number",
                            row=cell.row,
                            column=cell.column,
                        )
    finally:
        workbook.close()
    return None


def read_xlsx(
    data: bytes,
    *,
    source: str = "workbook",
    sheet_name: str | int | None = None,
    dtype: Any = object,
    limits: FileLimits | None = None,
) -> Any:
    """``pandas.read_excel`` (openpyxl, read-only) after :func:`check_xlsx_archive`,
    stopping after ``max_rows`` data rows per sheet.

    Returns a frame for one ``sheet_name``, or a dict of frames for ``None`` (every
    sheet), as ``read_excel`` does; its own exceptions (a missing sheet, a file that
    is not a workbook) are left to the caller, except an infinite cell, which is
    raised as a located :class:`FileLimitError`.
    """
    limits = limits or current_limits()
    check_xlsx_archive(data, source, limits)
    try:
        frames = pd.read_excel(
            io.BytesIO(data),
            sheet_name=sheet_name,
            dtype=dtype,
            engine="openpyxl",
            nrows=limits.max_rows + 1,
        )
    except OverflowError:
        problem = _non_finite_cell(data, sheet_name)
        raise FileLimitError(
            problem or Problem(f"{source}: a cell holds a number too large to read")
        ) from None
    for name, frame in frames.items() if isinstance(frames, dict) else [(sheet_name, frames)]:
        label = f"{source}: sheet '{name}'" if name is not None else source
        _check_counts(label, len(frame) + 1, frame.shape[1], None, limits, "read")
    return frames


def read_csv_text(
    text: str, *, source: str = "file", limits: FileLimits | None = None, **options: Any
) -> pd.DataFrame:
    """``pandas.read_csv`` of ``text``, stopping after ``max_rows`` data rows."""
    limits = limits or current_limits()
    if len(text) > limits.max_upload_bytes:
        raise FileLimitError(f"{source}: {size_reason(limits.max_upload_bytes)}")
    frame = pd.read_csv(io.StringIO(text), nrows=limits.max_rows + 1, **options)
    _check_counts(source, len(frame) + 1, frame.shape[1], None, limits, "read")
    return frame
