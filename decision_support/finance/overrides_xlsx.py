"""A city's mechanism settings as a spreadsheet: writer (bytes) and schema-checked reader.

Sheet ``Mechanisms``: one row per catalogue mechanism; columns ``id``, ``name``
(ignored on reading), ``enabled`` (yes/no) and one column per overridable figure.
A blank cell keeps the catalogue default; ``none`` means "no limit" for the
nullable figures (``max_deal``, ``capacity_total``, ``capacity_per_year``,
``min_dscr``); tags and risks are comma-separated. Only values that differ from the
catalogue are kept as overrides. Reading is all-or-nothing: every problem is
reported with its spreadsheet row (header = row 1) and column number.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from decision_support.errors import Problem
from decision_support.files.tables import FileLimitError, read_xlsx
from decision_support.files.workbooks import (
    print_layout,
    safe_cell,
    workbook_bytes,
    write_table,
)
from decision_support.finance.mechanisms import (
    FINANCING_TAGS,
    OVERRIDABLE_FIELDS,
    MechanismCatalogue,
    MechanismError,
    MechanismSetting,
    apply_city_settings,
)

SHEET = "Mechanisms"
COLUMNS: tuple[str, ...] = ("id", "name", "enabled", *OVERRIDABLE_FIELDS)

FIELD_HELP: dict[str, str] = {
    "enabled": "yes / no",
    "interest_rate": "decimal per year (0.035 = 3.5 %)",
    "issuance_cost": "share of the amount raised (0.01 = 1 %)",
    "tenor_years": "whole years, grace included",
    "grace_years": "interest-only years",
    "amortisation": "annuity / linear / bullet / none",
    "min_deal": "EUR",
    "max_deal": "EUR, or none",
    "max_share": "largest share of a project's cost (0-1)",
    "cofinancing_share": "share the city must fund from own or borrowed money (0-1)",
    "eligible_tags": f"comma-separated, from: {', '.join(FINANCING_TAGS)}",
    "counts_as_city_debt": "yes / no",
    "lead_time_months": "months before money is available",
    "capacity_total": "EUR, or none",
    "capacity_per_year": "EUR per year, or none",
    "award_probability": "chance of award (0-1]",
    "reimbursement_lag_years": "years between spending and payment",
    "min_dscr": "minimum debt-service coverage, or none",
    "risk_transferred": "comma-separated: construction, availability, performance, demand, ...",
}

_FLOAT = {
    "interest_rate",
    "issuance_cost",
    "min_deal",
    "max_share",
    "cofinancing_share",
    "award_probability",
}
_NULLABLE_FLOAT = {"max_deal", "capacity_total", "capacity_per_year", "min_dscr"}
_INT = {"tenor_years", "grace_years", "lead_time_months", "reimbursement_lag_years"}
_BOOL = {"enabled", "counts_as_city_debt"}
_LIST = {"eligible_tags", "risk_transferred"}
_TRUE = {"yes", "y", "true", "1", "1.0"}
_FALSE = {"no", "n", "false", "0", "0.0"}


def _cell(value: Any) -> Any:
    """Spreadsheet representation of a figure (formula injection neutralised)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | frozenset | set):
        return ", ".join(sorted(value))
    return safe_cell(value)


def write_overrides_xlsx(catalogue: MechanismCatalogue) -> bytes:
    """Workbook of every mechanism's current (effective) settings, ready to edit."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for m in catalogue:
        figures = m.figures()
        sheet.append(
            [_cell(m.id), _cell(m.name), _cell(m.enabled)]
            + [_cell(figures[f]) for f in OVERRIDABLE_FIELDS]
        )
    sheet.freeze_panes = "C2"
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(name) + 2)
    print_layout(sheet)
    help_sheet = workbook.create_sheet("Fields")
    write_table(help_sheet, ["column", "meaning"], [[n, FIELD_HELP[n]] for n in COLUMNS[2:]])
    print_layout(help_sheet)
    return workbook_bytes(workbook)


def _column_number(name: str) -> int:
    return COLUMNS.index(name) + 1


def _text(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().str.lower()


def _present(series: pd.Series) -> pd.Series:
    """Cells holding a value (not blank)."""
    return series.notna() & (series.astype(str).str.strip() != "")


def _parse_column(name: str, series: pd.Series, problems: list[Problem]) -> pd.Series:
    """Convert one column (vectorised); record a problem for every bad cell.

    Blank cells come back as missing; callers use :func:`_present` to skip them."""
    present = _present(series)
    if name in _FLOAT | _NULLABLE_FLOAT | _INT:
        is_none = (
            _text(series) == "none"
            if name in _NULLABLE_FLOAT
            else pd.Series(False, index=series.index)
        )
        numbers = pd.to_numeric(series.where(~is_none), errors="coerce")
        infinite = numbers.abs() == float("inf")
        bad = present & ~is_none & (numbers.isna() | infinite)
        if name in _INT:
            bad |= present & numbers.notna() & (numbers % 1 != 0)
            kind = "a whole number"
        else:
            kind = "a number" + (" or 'none'" if name in _NULLABLE_FLOAT else "")
        _record(bad, series, name, f"must be {kind}", problems)
        parsed = numbers.astype(object).where(present & ~bad, pd.NA)
        if name in _INT:
            parsed = parsed.map(lambda v: v if v is pd.NA else int(v))
        return parsed.mask(is_none, None)
    if name in _BOOL:
        text = _text(series)
        bad = present & ~text.isin(_TRUE | _FALSE)
        _record(bad, series, name, "must be yes or no", problems)
        return text.isin(_TRUE).astype(object).where(present, pd.NA)
    if name in _LIST:
        text = _text(series)
        return text.map(lambda s: sorted({p.strip() for p in s.split(",") if p.strip()})).where(
            present, pd.NA
        )
    return series.astype(str).str.strip().where(present, pd.NA)


def _record(
    bad: pd.Series, series: pd.Series, name: str, message: str, problems: list[Problem]
) -> None:
    problems.extend(
        Problem(f"'{value}' {message}", row=int(str(index)) + 2, column=_column_number(name))
        for index, value in series[bad].items()
    )


def read_overrides_xlsx(data: bytes, catalogue: MechanismCatalogue) -> list[MechanismSetting]:
    """Read a settings workbook against the shipped ``catalogue`` (all-or-nothing).

    Returns one :class:`MechanismSetting` per row; raises :class:`MechanismError`
    with every problem located by row and column.
    """
    try:
        frame = read_xlsx(data, source="workbook", sheet_name=SHEET, dtype=object)
    except FileLimitError as exc:
        raise MechanismError(exc.problems) from None
    except ValueError as exc:
        raise MechanismError(Problem(f"the workbook has no '{SHEET}' sheet ({exc})")) from exc
    except (OSError, KeyError, TypeError, zipfile.BadZipFile, InvalidFileException) as exc:
        raise MechanismError(Problem(f"not a readable .xlsx workbook: {exc}")) from exc
    problems: list[Problem] = []
    header = [str(c).strip() for c in frame.columns]
    frame.columns = header
    for position, name in enumerate(header, start=1):
        if name not in COLUMNS:
            problems.append(Problem(f"unknown column '{name}'", row=1, column=position))
    for required in ("id", "enabled"):
        if required not in header:
            problems.append(Problem(f"missing required column '{required}'", row=1))
    if problems:
        raise MechanismError(problems)
    frame = frame.dropna(how="all")
    parsed = {name: _parse_column(name, frame[name], problems) for name in header if name != "name"}
    ids = parsed["id"]
    unknown = ids.notna() & ~ids.isin([m.id for m in catalogue])
    _record(unknown, frame["id"], "id", "is not a mechanism in the catalogue", problems)
    _record(ids.isna(), frame["id"], "id", "is missing: every row needs a mechanism id", problems)
    duplicated = ids.notna() & ids.duplicated(keep="first")
    _record(duplicated, frame["id"], "id", "appears more than once", problems)
    if problems:
        raise MechanismError(
            sorted(
                problems, key=lambda p: (p.row or 0, p.column if isinstance(p.column, int) else 0)
            )
        )
    settings, rows = _settings(frame, parsed, catalogue)
    try:
        apply_city_settings(catalogue, settings)
    except MechanismError as exc:
        raise MechanismError([_locate(p, rows) for p in exc.problems]) from exc
    return settings


def _settings(
    raw: pd.DataFrame, parsed: Mapping[str, pd.Series], catalogue: MechanismCatalogue
) -> tuple[list[MechanismSetting], dict[str, int]]:
    index = raw.index
    settings = []
    rows: dict[str, int] = {}
    columns = {name: series.to_dict() for name, series in parsed.items()}
    filled = {name: _present(series).to_dict() for name, series in raw.items()}
    for label in index:
        mechanism = catalogue.get(columns["id"][label])
        defaults = mechanism.figures()
        overrides = {}
        for name in OVERRIDABLE_FIELDS:
            if not filled.get(name, {}).get(label, False):
                continue
            value = columns[name][label]
            if value != defaults[name]:
                overrides[name] = value
        settings.append(
            MechanismSetting(
                mechanism_id=mechanism.id,
                enabled=bool(columns["enabled"][label]) if filled["enabled"][label] else True,
                overrides=overrides,
                note="spreadsheet import",
            )
        )
        rows[mechanism.id] = int(str(label)) + 2
    return settings, rows


def _locate(problem: Problem, rows: Mapping[str, int]) -> Problem:
    """Turn a ``<mechanism id>.<field>`` problem into a row/column problem."""
    mechanism_id, _, path = (problem.field or "").partition(".")
    name = re.split(r"[.\[]", path, maxsplit=1)[0]
    return Problem(
        problem.message,
        row=rows.get(mechanism_id),
        column=_column_number(name) if name in COLUMNS else None,
        field=problem.field,
    )
