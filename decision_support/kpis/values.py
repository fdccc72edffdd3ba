"""A city's KPI values: the long-format file a city imports, checked cell by cell.

Format (CSV or XLSX, header in row 1, one row per value): ``code`` and ``value``
are required; ``year``, ``data_point``, ``unit``, ``source``, ``quality``,
``verified`` and ``city`` are optional. The import template's descriptive columns
(``name``, ``level``, ``definition``, ``note``…) are accepted and ignored, and in an
XLSX workbook every sheet with ``code`` and ``value`` columns is read, so a filled
template imports as it is.

The app's assessment export (``decision_support.kpis.export``) imports back as well:
its derived columns (target, band, points…) are accepted and ignored, and its
``Data quality`` column is read as ``quality``.

Cells: codes in either spelling; ``NR`` or empty = not reported (an empty value cell
is flagged ``blank``, so that an import can leave stored values alone); decimal point or
decimal comma; a ``%`` suffix only on percentage KPIs; ``yes``/``no`` for yes/no
KPIs. Everything ambiguous is rejected. All problems are collected and raised
together in one InputError (all-or-nothing import).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from decision_support.errors import InputError, Problem
from decision_support.kpis.catalogue import KPI, Catalogue, load_catalogue
from decision_support.kpis.tables import (
    Table,
    TableColumn,
    check_columns,
    form_row_table,
    match_data_points,
    parse_numbers,
    parse_years,
    problems_by_field,
    read_tables,
    resolve_codes,
)

QUALITY_FLAGS = (
    "accurate measurement",
    "extrapolated from survey",
    "extrapolated from higher-level data",
    "estimate based on assumptions",
    "personal estimate",
    "unknown",
)
_QUALITY_ALIASES = {
    **{flag: flag for flag in QUALITY_FLAGS},
    "extrapolated from inhabitant survey": "extrapolated from survey",
    "extrapolated from higher level data": "extrapolated from higher-level data",
    "unknown/not traceable": "unknown",
    "unknown / not traceable": "unknown",
    "not traceable": "unknown",
}
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_NOT_REPORTED = {"", "nr", "n/r"}
_PERCENT_UNITS = {"%", "percent", "percentage", "per cent"}

VALUE_COLUMNS = (
    TableColumn("code", required=True),
    TableColumn("value", required=True),
    TableColumn("year"),
    TableColumn("data_point"),
    TableColumn("unit"),
    TableColumn("source"),
    TableColumn("quality"),
    TableColumn("verified"),
    TableColumn("city"),
)
# Descriptive columns of the import template and derived columns of the assessment
# export: accepted, not read.
INFORMATIONAL_COLUMNS = (
    "name",
    "level",
    "dimension",
    "sub_dimension",
    "category",
    "definition",
    "note",
    "kpi",
    "target",
    "target_source",
    "achievement_%",
    "points",
    "band",
    "sdg",
    "status",
)
# Other names of value columns (the assessment export's headers).
COLUMN_ALIASES = {"data_quality": "quality"}
_SCHEMA = (*VALUE_COLUMNS, *(TableColumn(name) for name in INFORMATIONAL_COLUMNS))


@dataclass(frozen=True)
class KPIValue:
    """One reported (or explicitly not reported) KPI value.

    ``code`` is ITU's printed form; ``value`` None means not reported; yes/no KPIs
    hold 1.0 (yes) or 0.0 (no); ``unit`` is the catalogue unit when the file gave none.
    """

    code: str
    data_point: str | None
    year: int | None
    value: float | None
    unit: str
    source: str
    quality: str | None
    verified: bool | None
    city: str | None = None
    # Where the value was read from (not part of what it is: excluded from ==).
    blank: bool = field(default=False, compare=False)
    row: int | None = field(default=None, compare=False)
    sheet: str | None = field(default=None, compare=False)

    @property
    def where(self) -> str:
        """Where the value came from in its file (``sheet 'Economy' row 7``), or ''."""
        if self.row is None:
            return ""
        return f"sheet '{self.sheet}' row {self.row}" if self.sheet else f"row {self.row}"

    @property
    def reported(self) -> bool:
        return self.value is not None


def _normalise_unit(unit: str) -> str:
    unit = unit.lower().replace("µ", "u").replace("μ", "u").replace("³", "3")
    unit = re.sub(r"100[\s,.]?000", "100000", unit)
    unit = re.sub(r"\s+", " ", unit).strip()
    return re.sub(r"^number (of )?", "", unit)


def value_kind(kpi: KPI, data_point: str | None) -> str:
    """percentage / number / yes_no for a KPI value; a data point named ``number`` or
    ``percentage`` (Open Data: count of data sets and their share) sets its own kind."""
    if data_point in ("number", "percentage"):
        return data_point
    return kpi.value_kind


def unit_matches(kpi: KPI, unit: str) -> bool:
    """Whether ``unit`` (as written in a file) is the KPI's unit."""
    given = _normalise_unit(unit)
    if not given:
        return True
    if given in ("number", "count") and "number" in kpi.unit.lower():
        return True
    if kpi.value_kind == "percentage" and (
        given in _PERCENT_UNITS or given.startswith(("%", "percent"))
    ):
        return True
    if kpi.value_kind == "yes_no" and given.replace(" ", "") in ("yes/no", "boolean"):
        return True
    expected = _normalise_unit(kpi.unit)
    without_notes = _normalise_unit(re.sub(r"\(.*?\)", "", kpi.unit))
    return given in (expected, without_notes)


def _text_column(table: Table, name: str) -> pd.Series:
    if name in table.data:
        return table.data[name].str.strip()
    return pd.Series("", index=table.data.index)


def _parse_table(table: Table, catalogue: Catalogue) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse one sheet into typed columns; return them with every problem found."""
    data, rows = table.data, table.row_numbers
    col = {c.name: table.column_number(c.name) for c in VALUE_COLUMNS}
    problems: list[Problem] = []

    kpis, found = resolve_codes(data["code"], rows, col["code"], catalogue)
    problems.extend(found)
    data_points, found = match_data_points(
        data.get("data_point"), kpis, rows, col["data_point"], required=True
    )
    problems.extend(found)
    years, found = parse_years(data.get("year"), rows, col["year"])
    problems.extend(found)

    kinds = pd.Series(
        [value_kind(k, dp) if k else None for k, dp in zip(kpis, data_points, strict=True)],
        index=data.index,
    )
    raw = data["value"].str.strip()
    lowered = raw.str.lower()
    not_reported = lowered.isin(_NOT_REPORTED)
    is_yes_no = kinds == "yes_no"
    has_percent = raw.str.endswith("%")
    numeric_text = raw.str.replace(r"\s*%$", "", regex=True).where(
        ~(not_reported | is_yes_no | kinds.isna()), ""
    )
    numbers, found = parse_numbers(numeric_text, rows, col["value"])
    problems.extend(found)
    yes_no_values = lowered.map(lambda t: 1.0 if t in _YES else 0.0 if t in _NO else None)
    values = numbers.where(~is_yes_no, yes_no_values.astype(float))

    where = col["value"]
    for i in data.index[is_yes_no & ~not_reported & yes_no_values.isna()]:
        problems.append(Problem(f"'{raw[i]}' is not yes or no", rows[i], where))
    for i in data.index[has_percent & ~not_reported & (kinds == "number")]:
        problems.append(
            Problem(
                f"'{raw[i]}': a % sign is only allowed for percentage KPIs",
                rows[i],
                where,
            )
        )
    for i in data.index[(kinds == "percentage") & ((values < 0) | (values > 100))]:
        problems.append(Problem(f"percentage {raw[i]} is outside 0-100", rows[i], where))
    for i in data.index[(kinds == "number") & (values < 0)]:
        problems.append(Problem(f"value {raw[i]} is negative", rows[i], where))

    units = _text_column(table, "unit")
    unit_pairs = pd.Series(list(zip(kpis, units, strict=True)), index=data.index)
    unit_ok = {
        pair: pair[0] is None or unit_matches(pair[0], pair[1]) for pair in unit_pairs.unique()
    }
    for (kpi, unit), row in zip(unit_pairs, rows, strict=True):
        if kpi is not None and not unit_ok[(kpi, unit)]:
            problems.append(
                Problem(
                    f"unit '{unit}' does not match KPI {kpi.code} (unit: {kpi.unit})",
                    row,
                    col["unit"],
                )
            )

    quality_text = _text_column(table, "quality")
    quality = quality_text.str.lower().map(_QUALITY_ALIASES)
    for i in data.index[(quality_text != "") & quality.isna()]:
        problems.append(
            Problem(
                f"quality '{quality_text[i]}' is not one of: {', '.join(QUALITY_FLAGS)}",
                rows[i],
                col["quality"],
            )
        )
    verified_text = _text_column(table, "verified").str.lower()
    verified = verified_text.map(lambda t: True if t in _YES else False if t in _NO else None)
    for i in data.index[(verified_text != "") & verified.isna()]:
        problems.append(
            Problem(f"verified '{verified_text[i]}' is not yes or no", rows[i], col["verified"])
        )

    parsed = pd.DataFrame(
        {
            "kpi": kpis,
            "data_point": data_points,
            "year": years,
            "value": values.where(~not_reported),
            "unit": [u if u else (k.unit if k else "") for k, u in zip(kpis, units, strict=True)],
            "source": _text_column(table, "source"),
            "quality": quality.where(quality.notna(), None),
            "verified": verified,
            "city": _text_column(table, "city"),
            "blank": raw == "",
            "row": rows,
            "code_column": col["code"],
        },
        index=data.index,
    )
    problems.sort(key=lambda p: (p.row or 0, p.column if isinstance(p.column, int) else 0))
    if table.sheet is not None:
        problems = [
            Problem(f"sheet '{table.sheet}': {p.message}", p.row, p.column, p.field)
            for p in problems
        ]
    return parsed, problems


def _duplicate_problems(parsed: pd.DataFrame, sheets: list[str | None]) -> list[Problem]:
    """One problem per repeated (city, code, data point, year), naming the first row."""
    first: dict[tuple[object, ...], str] = {}
    problems = []
    for (part, _), kpi, data_point, year, city, row, column in zip(
        parsed.index,
        parsed["kpi"],
        parsed["data_point"],
        parsed["year"],
        parsed["city"],
        parsed["row"],
        parsed["code_column"],
        strict=True,
    ):
        # Rows whose KPI or data point was rejected are already reported.
        if kpi is None or (kpi.data_points and data_point is None):
            continue
        year_key = None if pd.isna(year) else int(year)
        key = (city, kpi.code, data_point, year_key)
        sheet = sheets[part]
        where = f"sheet '{sheet}' row {row}" if sheet else f"row {row}"
        if key not in first:
            first[key] = where
            continue
        what = kpi.code + (f" ({data_point})" if data_point else "")
        what += f", year {year_key}" if year_key is not None else ", no year"
        what += f", city {city}" if city else ""
        prefix = f"sheet '{sheet}': " if sheet else ""
        problems.append(
            Problem(
                f"{prefix}duplicate value for {what}, first given in {first[key]}",
                int(row),
                column,
            )
        )
    return problems


def _with_aliases(table: Table) -> Table:
    """The table with aliased headers renamed (unless the proper name is there too)."""
    renames = {
        alias: name
        for alias, name in COLUMN_ALIASES.items()
        if alias in table.columns and name not in table.columns
    }
    if not renames:
        return table
    columns = {renames.get(name, name): number for name, number in table.columns.items()}
    return Table(table.data.rename(columns=renames), columns, table.row_numbers, table.sheet)


def values_from_tables(tables: list[Table], catalogue: Catalogue | None = None) -> list[KPIValue]:
    """Check and convert already-read tables (see :func:`read_values`)."""
    catalogue = catalogue or load_catalogue()
    problems: list[Problem] = []
    tables = [_with_aliases(t) for t in tables]
    data_tables = [t for t in tables if {"code", "value"} <= set(t.columns)]
    if not data_tables:
        if len(tables) == 1:
            found = check_columns(tables[0], _SCHEMA)
            raise InputError(found or "no columns 'code' and 'value' found")
        raise InputError("no sheet has the columns 'code' and 'value'")
    several = len(data_tables) > 1
    parsed_parts: list[pd.DataFrame] = []
    sheets: list[str | None] = []
    for table in data_tables:
        sheet = table.sheet if several else None
        found = check_columns(table, _SCHEMA)
        problems.extend(
            Problem(f"sheet '{sheet}': {p.message}", p.row, p.column) if sheet else p for p in found
        )
        if found:
            continue
        parsed, found = _parse_table(
            Table(table.data, table.columns, table.row_numbers, sheet), catalogue
        )
        problems.extend(found)
        parsed_parts.append(parsed.assign(sheet=table.sheet))
        sheets.append(sheet)
    if not parsed_parts:
        raise InputError(problems)
    parsed = pd.concat(parsed_parts, keys=range(len(parsed_parts)))
    problems.extend(_duplicate_problems(parsed, sheets))
    if problems:
        raise InputError(problems)
    return [
        KPIValue(
            code=kpi.code,
            data_point=data_point,
            year=None if pd.isna(year) else int(year),
            value=None if pd.isna(value) else float(value),
            unit=unit,
            source=source,
            quality=quality,
            verified=verified,
            city=city or None,
            blank=bool(blank),
            row=int(row),
            sheet=sheet,
        )
        for (
            kpi,
            data_point,
            year,
            value,
            unit,
            source,
            quality,
            verified,
            city,
            blank,
            row,
            sheet,
        ) in zip(
            parsed["kpi"],
            parsed["data_point"],
            parsed["year"],
            parsed["value"],
            parsed["unit"],
            parsed["source"],
            parsed["quality"],
            parsed["verified"],
            parsed["city"],
            parsed["blank"],
            parsed["row"],
            parsed["sheet"],
            strict=True,
        )
    ]


def read_values(
    source: object, filename: str | None = None, catalogue: Catalogue | None = None
) -> list[KPIValue]:
    """Read a KPI values file (CSV or XLSX, long format; see the module docstring).

    ``source`` is a path, bytes or a binary file object; ``filename`` (its suffix)
    tells CSV from XLSX when ``source`` has no name. Raises InputError with every
    problem (row and column numbered) when anything is wrong.
    """
    return values_from_tables(read_tables(source, filename), catalogue)


def check_value(
    code: str,
    value: str,
    *,
    year: str = "",
    data_point: str = "",
    unit: str = "",
    source: str = "",
    quality: str = "",
    verified: str = "",
    catalogue: Catalogue | None = None,
) -> KPIValue:
    """Check one value entered in a form, with exactly the file import's rules.

    Problems carry ``field`` (the form field name) instead of row and column.
    """
    fields = {
        "code": code,
        "value": value,
        "year": year,
        "data_point": data_point,
        "unit": unit,
        "source": source,
        "quality": quality,
        "verified": verified,
    }
    try:
        return values_from_tables([form_row_table(fields)], catalogue)[0]
    except InputError as error:
        raise problems_by_field(error, fields) from None
