"""A city's KPI values: the long-format file a city imports, checked cell by cell.

Format (CSV or XLSX, header in row 1, one row per value): ``code`` and ``value``
are required; ``year``, ``data_point``, ``unit``, ``source``, ``quality``,
``verified`` and ``city`` are optional. The import template's descriptive columns
(``name``, ``level``, ``definition``…) are accepted and ignored; any other column a
city's file carries (``report``, ``source_url``, ``note``, or its own) is kept in the
value's source notes as ``column: text``, never rejected. In an XLSX workbook every
sheet with ``code`` and ``value`` columns is read, so a filled template imports as
it is; a cell formatted as a percentage (Excel stores 95 % as 0.95) is read as 95.

Units are matched by meaning (:mod:`decision_support.kpis.units`): "litres/day per
capita" is "Litres per capita per day"; a unit of the same kind at another scale
("per 1 000 inhabitants") is converted and the conversion noted in the source; only
a unit that means something else is an error.

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

import io
import re
import zipfile
from dataclasses import dataclass, field

import pandas as pd
from openpyxl import load_workbook

from decision_support.errors import InputError, Problem
from decision_support.kpis.catalogue import KPI, Catalogue, load_catalogue
from decision_support.kpis.tables import (
    Table,
    TableColumn,
    _is_xlsx,
    _read_bytes,
    check_columns,
    form_row_table,
    match_data_points,
    parse_numbers,
    parse_years,
    problems_by_field,
    read_tables,
    resolve_codes,
)
from decision_support.kpis.units import conversion_factor, ratio_scale

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
    TableColumn("numerator"),
    TableColumn("denominator"),
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
    "computed",
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
# Columns kept in the source notes first (then any other extra column, in file order).
SOURCE_NOTE_COLUMNS = ("report", "source_url", "note", "notes", "comment")
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
    """Whether ``unit`` (as written in a file) is the KPI's unit (same scale)."""
    return unit_factor(kpi, unit) == 1.0


def unit_factor(kpi: KPI, unit: str) -> float | None:
    """The factor turning a value in ``unit`` into the KPI's unit: 1.0 for the same
    unit, another number for the same kind at another scale, None for a mismatch."""
    if _same_unit(kpi, unit) or _same_unit(kpi, re.sub(r"\(.*?\)", "", unit)):
        return 1.0
    return conversion_factor(unit, kpi.unit)


def _same_unit(kpi: KPI, unit: str) -> bool:
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


def _parse_table(
    table: Table,
    catalogue: Catalogue,
    percent_rows: frozenset[int] = frozenset(),
    extra_columns: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse one sheet into typed columns; return them with every problem found.

    ``percent_rows`` are the rows whose value cell is formatted as a percentage in
    the workbook (the stored 0.95 means 95 %); ``extra_columns`` go to the source notes.
    """
    data, rows = table.data, table.row_numbers
    col = {c.name: table.column_number(c.name) for c in VALUE_COLUMNS}
    problems: list[Problem] = []

    kpis, found = resolve_codes(data["code"], rows, col["code"], catalogue)
    problems.extend(found)
    data_points, found = match_data_points(
        _data_points_with_names(table, kpis), kpis, rows, col["data_point"], required=True
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
    percent_formatted = rows.isin(percent_rows) & ~has_percent
    numbers = numbers.where(
        ~(percent_formatted & (kinds == "percentage")), (numbers * 100).round(9)
    )
    for i in data.index[percent_formatted & numbers.notna() & (kinds == "number")]:
        problems.append(
            Problem(
                f"the cell is formatted as a percentage but {kpis[i].code if kpis[i] else ''} "
                "is not a percentage KPI",
                rows[i],
                col["value"],
            )
        )
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

    values, found = _ratio_values(table, kpis, values, not_reported, rows)
    problems.extend(found)
    not_reported = not_reported & values.isna()

    units = _text_column(table, "unit")
    unit_pairs = pd.Series(list(zip(kpis, units, strict=True)), index=data.index)
    factors = {
        pair: 1.0 if pair[0] is None else unit_factor(pair[0], pair[1])
        for pair in unit_pairs.unique()
    }
    conversion_notes = pd.Series("", index=data.index)
    for i, (kpi, unit), row in zip(data.index, unit_pairs, rows, strict=True):
        factor = factors[(kpi, unit)]
        if kpi is None:
            continue
        if factor is None:
            problems.append(
                Problem(
                    f"unit '{unit}' does not match KPI {kpi.code} (unit: {kpi.unit})",
                    row,
                    col["unit"],
                )
            )
        elif factor != 1.0 and pd.notna(values[i]):
            conversion_notes[i] = f"converted from {raw[i]} {unit} (x {factor:g})"
            values[i] = values[i] * factor

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
            "unit": [_stored_unit(k, u, factors[(k, u)]) for k, u in zip(kpis, units, strict=True)],
            "source": _source_notes(table, extra_columns, conversion_notes),
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


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9%]+", " ", text.lower()).strip()


def infer_data_point(kpi: KPI, name: str, unit: str) -> str:
    """The data point a row names when the file has no ``data_point`` cell.

    Published tables name it in the KPI name ("Transportation Mode Share: public
    transport", "Wastewater Treatment: Primary"); for the Open Data KPI (number and
    percentage of data sets) a % unit, or "%"/"percent"/"availability" in the name,
    means the percentage, else the number. Empty when the row names none.
    """
    squashed = _squash(name)
    named = [dp for dp in kpi.data_points if f" {_squash(dp)} " in f" {squashed} "]
    if len(named) == 1:
        return named[0]
    if set(kpi.data_points) == {"number", "percentage"} and name:
        shared = _normalise_unit(unit) in _PERCENT_UNITS or any(
            word in squashed for word in ("%", "percent", "availability")
        )
        return "percentage" if shared else "number"
    return ""


def _data_points_with_names(table: Table, kpis: list[KPI | None]) -> pd.Series | None:
    """The data_point column, filled from the name (and unit) where it is empty."""
    given = table.data.get("data_point")
    if "name" not in table.data:
        return given
    names = _text_column(table, "name")
    units = _text_column(table, "unit")
    filled = given.str.strip() if given is not None else pd.Series("", index=table.data.index)
    for position, i in enumerate(table.data.index):
        kpi = kpis[position]
        if kpi is not None and kpi.data_points and not filled[i]:
            filled[i] = infer_data_point(kpi, names[i], units[i])
    return filled


RATIO_TOLERANCE = 0.005  # a value may differ from numerator/denominator by 0.5 % (rounding)


def _ratio_values(
    table: Table,
    kpis: list[KPI | None],
    values: pd.Series,
    not_reported: pd.Series,
    rows: pd.Series,
) -> tuple[pd.Series, list[Problem]]:
    """Values computed from numerator/denominator (x the KPI's scale) where the value
    cell is empty; a given value must agree with them."""
    problems: list[Problem] = []
    if "numerator" not in table.data and "denominator" not in table.data:
        return values, problems
    numerators, found = parse_numbers(
        _text_column(table, "numerator"), rows, table.column_number("numerator")
    )
    problems.extend(found)
    denominators, found = parse_numbers(
        _text_column(table, "denominator"), rows, table.column_number("denominator")
    )
    problems.extend(found)
    values = values.copy()
    where = table.column_number("denominator")
    for position, i in enumerate(table.data.index):
        kpi, top, bottom = kpis[position], numerators[i], denominators[i]
        if kpi is None or (pd.isna(top) and pd.isna(bottom)):
            continue
        if pd.isna(top) or pd.isna(bottom):
            problems.append(Problem("give both numerator and denominator", rows[i], where))
            continue
        if bottom == 0:
            problems.append(Problem("the denominator is 0", rows[i], where))
            continue
        computed = round(float(top) / float(bottom) * ratio_scale(kpi), 9)
        if not_reported[i] or pd.isna(values[i]):
            values[i] = computed
        elif abs(values[i] - computed) > RATIO_TOLERANCE * max(abs(computed), 1e-9):
            problems.append(
                Problem(
                    f"value {values[i]:g} differs from numerator/denominator ({computed:g})",
                    rows[i],
                    table.column_number("value"),
                )
            )
    return values, problems


def _stored_unit(kpi: KPI | None, unit: str, factor: float | None) -> str:
    """The unit kept with a value: the KPI's after a conversion or when none was given."""
    if kpi is None:
        return unit
    if not unit or factor not in (None, 1.0):
        return kpi.unit
    return unit


def _source_notes(table: Table, extra: tuple[str, ...], notes: pd.Series) -> pd.Series:
    """The source cell, then ``column: text`` for every extra column, then conversions."""
    parts = [_text_column(table, "source")]
    parts += [
        _text_column(table, name).map(lambda text, name=name: f"{name}: {text}" if text else "")
        for name in extra
    ]
    parts.append(notes)
    frame = pd.concat(parts, axis=1)
    joined = ["; ".join(cell for cell in cells if cell) for cells in frame.to_numpy()]
    return pd.Series(joined, index=frame.index, dtype=object)


def _extra_columns(table: Table) -> tuple[str, ...]:
    known = {c.name for c in _SCHEMA}
    extra = [name for name in table.columns if name not in known]
    first = [name for name in SOURCE_NOTE_COLUMNS if name in extra]
    return (*first, *(name for name in extra if name not in first))


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


def values_from_tables(
    tables: list[Table],
    catalogue: Catalogue | None = None,
    percent_cells: frozenset[tuple[str | None, int, int]] = frozenset(),
) -> list[KPIValue]:
    """Check and convert already-read tables (see :func:`read_values`);
    ``percent_cells`` holds (sheet, row, column) of cells formatted as percentages."""
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
        # Extra columns are kept as source notes, never rejected: only missing ones count.
        found = [p for p in check_columns(table, _SCHEMA) if "unknown column" not in p.message]
        problems.extend(
            Problem(f"sheet '{sheet}': {p.message}", p.row, p.column) if sheet else p for p in found
        )
        if found:
            continue
        value_column = table.column_number("value")
        percent_rows = frozenset(
            row
            for name, row, column in percent_cells
            if name == table.sheet and column == value_column
        )
        parsed, found = _parse_table(
            Table(table.data, table.columns, table.row_numbers, sheet),
            catalogue,
            percent_rows,
            _extra_columns(table),
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
    raw, name = _read_bytes(source, filename)
    return values_from_tables(read_tables(raw, name), catalogue, percent_formatted_cells(raw, name))


def percent_formatted_cells(
    raw: bytes, filename: str | None
) -> frozenset[tuple[str | None, int, int]]:
    """(sheet, row, column) of every numeric cell with a percentage number format."""
    if not _is_xlsx(raw, filename):
        return frozenset()
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return frozenset()  # read_tables has reported the unreadable file
    cells = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = getattr(cell, "value", None)
                if (
                    isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and "%" in str(getattr(cell, "number_format", ""))
                ):
                    cells.add((sheet.title, cell.row, cell.column))
    book.close()
    return frozenset(cells)


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
