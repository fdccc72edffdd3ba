"""Reading KPI value and target tables (CSV or XLSX) and checking their cells.

Every cell is read as text and parsed here, column by column with vectorised
pandas operations, so that each problem can be reported with the row and column
number a user sees in the spreadsheet (header = row 1).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from decision_support.errors import InputError, Problem
from decision_support.files.tables import check_size, read_csv_text, read_xlsx
from decision_support.kpis.catalogue import KPI, Catalogue

_PLAIN_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_DECIMAL_COMMA = r"[+-]?\d+,\d+"
# "1,234" may be one thousand two hundred and thirty-four or one point two three four.
_AMBIGUOUS_COMMA = r"[+-]?[1-9]\d{0,2},\d{3}"
_XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class TableColumn:
    """A column a reader understands; other columns are reported as unknown."""

    name: str
    required: bool = False


@dataclass
class Table:
    """One sheet (or CSV file) as text cells, with spreadsheet row and column numbers.

    ``data`` has one column per recognised header (normalised name) and one row per
    non-empty spreadsheet row; ``row_numbers`` maps its index to the 1-based row.
    """

    data: pd.DataFrame
    columns: dict[str, int]
    row_numbers: pd.Series
    sheet: str | None = None

    def column_number(self, name: str) -> int | None:
        return self.columns.get(name)


def form_row_table(fields: dict[str, str]) -> Table:
    """A one-row table of form fields (in the given order), as if read from row 2 of a
    file, so a form entry goes through exactly the file reader's checks."""
    frame = pd.DataFrame({name: [text or ""] for name, text in fields.items()})
    columns = {name: number for number, name in enumerate(fields, start=1)}
    return Table(frame, columns, pd.Series([2], index=frame.index))


def problems_by_field(error: InputError, fields: dict[str, str]) -> InputError:
    """``error`` of a :func:`form_row_table` check with each problem's column number
    replaced by the form field it came from."""
    names = list(fields)
    return InputError(
        [
            Problem(p.message, field=names[p.column - 1] if isinstance(p.column, int) else None)
            for p in error.problems
        ]
    )


def normalise_header(header: object) -> str:
    """``Data point`` / ``data-point`` / `` DATA_POINT `` → ``data_point``."""
    return re.sub(r"[\s\-]+", "_", str(header).strip().lower())


def _is_xlsx(raw: bytes, filename: str | None) -> bool:
    if filename:
        suffix = Path(filename).suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            return True
        if suffix in (".csv", ".txt"):
            return False
    return raw.startswith(_XLSX_MAGIC)


def _read_bytes(source: object, filename: str | None) -> tuple[bytes, str | None]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), filename
    if isinstance(source, str | Path):
        path = Path(source)
        return path.read_bytes(), filename or path.name
    read = getattr(source, "read", None)
    if read is None:
        raise TypeError(f"cannot read a table from {type(source).__name__}")
    content = read()
    if isinstance(content, str):
        content = content.encode("utf-8")
    return content, filename or getattr(source, "filename", None) or getattr(source, "name", None)


def _frame_to_table(frame: pd.DataFrame, sheet: str | None, header_row: int = 1) -> Table:
    frame = frame.fillna("").astype(str)
    headers = [normalise_header(h) for h in frame.columns]
    frame.columns = pd.Index(headers)
    columns = {name: number for number, name in enumerate(headers, start=1) if name}
    row_numbers = pd.Series(frame.index + header_row + 1, index=frame.index)
    non_empty = frame.apply(lambda column: column.str.strip() != "").any(axis=1)
    frame = frame.loc[non_empty]
    return Table(
        data=frame.loc[:, ~frame.columns.duplicated()],
        columns=columns,
        row_numbers=row_numbers[non_empty],
        sheet=sheet,
    )


def _csv_separator(raw: bytes) -> str:
    header = raw.split(b"\n", 1)[0]
    return ";" if header.count(b";") > header.count(b",") else ","


def read_tables(source: object, filename: str | None = None) -> list[Table]:
    """Read every sheet of an XLSX file, or the one table of a CSV file, as text.

    CSV files may be comma- or semicolon-separated (guessed from the header line)
    and must be UTF-8 (a byte-order mark is allowed).
    """
    raw, filename = _read_bytes(source, filename)
    check_size(raw, filename or "file")
    if _is_xlsx(raw, filename):
        try:
            sheets = read_xlsx(raw, source=filename or "workbook", sheet_name=None, dtype=str)
        except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
            raise InputError(f"cannot read the XLSX file: {exc}") from exc
        return [_frame_to_table(frame, str(name)) for name, frame in sheets.items()]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("the CSV file is not UTF-8 text") from exc
    if not text.strip():
        raise InputError("the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = read_csv_text(
                text,
                source=filename or "CSV file",
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                index_col=False,
                sep=_csv_separator(raw),
            )
    except pd.errors.ParserWarning as exc:
        raise InputError(f"some rows have more cells than the header row: {exc}") from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"cannot read the CSV file: {exc}") from exc
    return [_frame_to_table(frame, None)]


def read_table(source: object, filename: str | None = None) -> Table:
    """Read a one-table file: a CSV, or the first sheet of an XLSX workbook."""
    return read_tables(source, filename)[0]


def check_columns(table: Table, schema: Sequence[TableColumn]) -> list[Problem]:
    """Problems with the header: required columns missing, unknown columns present."""
    known = {c.name for c in schema}
    problems = [
        Problem(f"required column '{c.name}' is missing", row=1)
        for c in schema
        if c.required and c.name not in table.columns
    ]
    problems.extend(
        Problem(
            f"unknown column '{name}' (expected: {', '.join(c.name for c in schema)})",
            row=1,
            column=number,
        )
        for name, number in table.columns.items()
        if name not in known
    )
    return problems


def resolve_codes(
    codes: pd.Series, rows: pd.Series, column: int | None, catalogue: Catalogue
) -> tuple[list[KPI | None], list[Problem]]:
    """Map each code cell (either spelling) to its KPI; unknown or empty codes are problems."""
    stripped = codes.str.strip()
    lookup = {code: catalogue.find(code) if code else None for code in stripped.unique()}
    kpis = stripped.map(lookup)
    problems = [
        Problem(
            f"unknown U4SSC KPI code '{stripped[i]}'" if stripped[i] else "code is empty",
            rows[i],
            column,
        )
        for i in stripped.index[kpis.isna()]
    ]
    return [k if isinstance(k, KPI) else None for k in kpis], problems


def match_data_points(
    cells: pd.Series | None,
    kpis: list[KPI | None],
    rows: pd.Series,
    column: int | None,
    *,
    required: bool,
) -> tuple[list[str | None], list[Problem]]:
    """Canonical data point per row (case-insensitive match against the KPI's list).

    With ``required`` a KPI reported per data point must name one; a data point on
    a KPI without data points is always a problem.
    """
    index = rows.index
    texts = cells.str.strip() if cells is not None else pd.Series("", index=index)
    pairs = pd.Series(
        [(k.code if k else None, t) for k, t in zip(kpis, texts, strict=True)], index=index
    )
    kpi_by_code = {k.code: k for k in kpis if k is not None}
    resolved: dict[tuple[str | None, str], str | Problem | None] = {}
    for code, text in pairs.unique():
        kpi = kpi_by_code.get(code) if code else None
        if kpi is None:
            resolved[(code, text)] = None
        elif not text:
            resolved[(code, text)] = (
                Problem(
                    f"KPI {kpi.code} is reported per data point; data_point must be one of: "
                    + ", ".join(kpi.data_points)
                )
                if kpi.data_points and required
                else None
            )
        else:
            canonical = {dp.lower(): dp for dp in kpi.data_points}.get(text.lower())
            if canonical is not None:
                resolved[(code, text)] = canonical
            elif kpi.data_points:
                resolved[(code, text)] = Problem(
                    f"'{text}' is not a data point of KPI {kpi.code} (expected one of: "
                    + ", ".join(kpi.data_points)
                    + ")"
                )
            else:
                resolved[(code, text)] = Problem(
                    f"KPI {kpi.code} has no data points, but data_point '{text}' is given"
                )
    outcome = pairs.map(resolved)
    problems = [
        Problem(outcome[i].message, rows[i], column)
        for i in index
        if isinstance(outcome[i], Problem)
    ]
    data_points = [None if isinstance(v, Problem) else v for v in outcome]
    return data_points, problems


def parse_numbers(
    cells: pd.Series, rows: pd.Series, column: int | None
) -> tuple[pd.Series, list[Problem]]:
    """Parse numbers written with a decimal point or a decimal comma; empty → NaN.

    Rejected as ambiguous: both separators in one value (``1.234,5``), a comma
    followed by exactly three digits (``1,234``: thousands or decimals?), several
    commas. Anything else that is not a plain number is "not a number".
    """
    text = cells.str.strip()
    plain = text.str.fullmatch(_PLAIN_NUMBER)
    comma = text.str.fullmatch(_DECIMAL_COMMA)
    ambiguous = text.str.fullmatch(_AMBIGUOUS_COMMA)
    mixed = text.str.contains(",", regex=False) & text.str.contains(".", regex=False)
    usable = plain | (comma & ~ambiguous)
    values = pd.to_numeric(
        text.where(~comma, text.str.replace(",", ".", regex=False)).where(usable),
        errors="coerce",
    )
    problems = []
    for i in text.index[(text != "") & ~usable]:
        if ambiguous[i] or mixed[i]:
            message = (
                f"'{text[i]}' is ambiguous: write numbers without thousands separators, "
                "with one decimal point or one decimal comma"
            )
        else:
            message = f"'{text[i]}' is not a number"
        problems.append(Problem(message, rows[i], column))
    return values.astype(float), problems


def parse_years(
    cells: pd.Series | None, rows: pd.Series, column: int | None
) -> tuple[pd.Series, list[Problem]]:
    """Parse a year column (integers 1900-2100, ``2024.0`` from spreadsheets accepted)."""
    if cells is None:
        return pd.Series(float("nan"), index=rows.index), []
    text = cells.str.strip()
    years = pd.to_numeric(text.where(text.str.fullmatch(r"\d{4}(?:\.0+)?")), errors="coerce")
    bad = (text != "") & (years.isna() | (years < 1900) | (years > 2100))
    problems = [
        Problem(f"year '{text[i]}' is not a year between 1900 and 2100", rows[i], column)
        for i in text.index[bad]
    ]
    return years.where(~bad).astype(float), problems
