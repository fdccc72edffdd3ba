"""Targets a KPI value is scored against: shipped reference targets and a city's own.

Reference targets (``decision_support/data/u4ssc_reference_targets.csv``) list every
KPI: a value where a defensible reference exists (an SDG target read as universal
access, a WHO guideline level, the ITU fixed-broadband reference, or an EU policy
target, each named in the row's note), or an empty value meaning "no benchmark".
U4SSC's own benchmark table is not published, so these are our references, not
U4SSC's; the note of each row says where the number comes from.

A city's targets override the reference for the same (code, data point). Look-up
order: city target for the data point, city target for the whole KPI, reference
for the data point, reference for the whole KPI.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

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
    read_table,
    resolve_codes,
)

TargetOrigin = Literal["reference", "city"]
ScoringDirection = Literal["higher_is_better", "lower_is_better", "yes_is_better"]
SCORING_DIRECTIONS: tuple[ScoringDirection, ...] = (
    "higher_is_better",
    "lower_is_better",
    "yes_is_better",
)

TARGET_COLUMNS = (
    TableColumn("code", required=True),
    TableColumn("target", required=True),
    TableColumn("data_point"),
    TableColumn("target_year"),
    TableColumn("source"),
    TableColumn("direction"),
    TableColumn("note"),
)


@dataclass(frozen=True)
class Target:
    """The level a KPI (or one of its data points) is scored against.

    ``value`` None means "no benchmark": the KPI is reported but left out of the
    scores. For yes/no KPIs the value is 1 (yes). ``direction`` overrides the
    catalogue's direction (needed for KPIs whose direction depends on context).
    """

    code: str
    data_point: str | None
    value: float | None
    target_year: int | None
    source: str
    note: str
    origin: TargetOrigin
    direction: ScoringDirection | None = None

    @property
    def is_benchmark(self) -> bool:
        return self.value is not None


class TargetSet:
    """Reference and city targets with the override rule described in the module."""

    def __init__(self, reference: Iterable[Target] = (), city: Iterable[Target] = ()) -> None:
        self._reference = {(t.code, t.data_point): t for t in reference}
        self._city = {(t.code, t.data_point): t for t in city}

    def lookup(self, code: str, data_point: str | None) -> Target | None:
        """The target that applies to ``code`` (printed form) and ``data_point``, or None."""
        for table in (self._city, self._reference):
            for key in ((code, data_point), (code, None)):
                if key in table:
                    return table[key]
        return None

    def with_city_targets(self, city: Iterable[Target]) -> TargetSet:
        """A new set where ``city`` targets are added to (and override) this set's."""
        merged = TargetSet(self._reference.values(), self._city.values())
        merged._city.update({(t.code, t.data_point): t for t in city})
        return merged

    @property
    def city_targets(self) -> list[Target]:
        return list(self._city.values())

    @property
    def reference_targets(self) -> list[Target]:
        return list(self._reference.values())

    def __iter__(self) -> Iterator[Target]:
        return iter([*self._reference.values(), *self._city.values()])


def scoring_direction(kpi: KPI, target: Target | None) -> ScoringDirection | None:
    """The direction a value is scored in: the target's own, else the catalogue's.

    None when neither gives one (context-dependent or blank), which means no benchmark.
    """
    if target is not None and target.direction is not None:
        return target.direction
    if kpi.direction in SCORING_DIRECTIONS:
        return kpi.direction
    return None


def _target_number(kpi: KPI, text: str) -> float:
    if kpi.value_kind == "yes_no":
        if text.strip().lower() != "yes":
            raise ValueError(f"target for yes/no KPI {kpi.code} must be 'yes'")
        return 1.0
    return float(text)


def load_reference_targets(catalogue: Catalogue | None = None) -> TargetSet:
    """Load the shipped reference targets (every KPI listed; empty value = no benchmark).

    With the shipped catalogue the set is read once and shared (a TargetSet is never
    changed in place: ``with_city_targets`` returns a new one)."""
    return _shipped_reference_targets() if catalogue is None else _reference_targets(catalogue)


@cache
def _shipped_reference_targets() -> TargetSet:
    return _reference_targets(load_catalogue())


def _reference_targets(catalogue: Catalogue) -> TargetSet:
    text = (
        resources.files("decision_support.data")
        .joinpath("u4ssc_reference_targets.csv")
        .read_text("utf-8")
    )
    targets = []
    for row in csv.DictReader(text.splitlines()):
        kpi = catalogue.get(row["code"])
        direction = row["direction"] or None
        targets.append(
            Target(
                code=kpi.code,
                data_point=row["data_point"] or None,
                value=_target_number(kpi, row["target"]) if row["target"] else None,
                target_year=int(row["target_year"]) if row["target_year"] else None,
                source=row["source"],
                note=row["note"],
                origin="reference",
                direction=direction,  # type: ignore[arg-type]
            )
        )
    return TargetSet(reference=targets)


def read_targets(
    source: object, filename: str | None = None, catalogue: Catalogue | None = None
) -> list[Target]:
    """Read a city's targets file (CSV or XLSX): ``code, target[, data_point, target_year,
    source, direction, note]``.

    ``target`` is a number (decimal comma accepted) or ``yes`` for yes/no KPIs and
    must be positive (a ratio against zero is undefined). KPIs without a direction
    in the catalogue need ``direction`` (higher_is_better / lower_is_better).
    Raises InputError listing every problem with its row and column.
    """
    return targets_from_table(read_table(source, filename), catalogue)


def check_target(
    code: str,
    target: str,
    *,
    data_point: str = "",
    target_year: str = "",
    source: str = "",
    direction: str = "",
    note: str = "",
    catalogue: Catalogue | None = None,
) -> Target:
    """Check one city target entered in a form, with the file reader's rules.

    Problems carry ``field`` (the form field name) instead of row and column.
    """
    fields = {
        "code": code,
        "target": target,
        "data_point": data_point,
        "target_year": target_year,
        "source": source,
        "direction": direction,
        "note": note,
    }
    try:
        return targets_from_table(form_row_table(fields), catalogue)[0]
    except InputError as error:
        raise problems_by_field(error, fields) from None


def targets_from_table(frame: Table, catalogue: Catalogue | None = None) -> list[Target]:
    """Check and convert an already-read targets table (see :func:`read_targets`)."""
    catalogue = catalogue or load_catalogue()
    problems = check_columns(frame, TARGET_COLUMNS)
    if problems:
        raise InputError(problems)
    col = {c.name: frame.column_number(c.name) for c in TARGET_COLUMNS}
    data = frame.data
    rows = frame.row_numbers
    kpis, code_problems = resolve_codes(data["code"], rows, col["code"], catalogue)
    problems.extend(code_problems)
    data_points, dp_problems = match_data_points(
        data.get("data_point"), kpis, rows, col["data_point"], required=False
    )
    problems.extend(dp_problems)

    raw = data["target"].str.strip()
    is_yes_no = pd.Series(
        [k is not None and k.value_kind == "yes_no" for k in kpis], index=data.index
    )
    yes = raw.str.lower() == "yes"
    numbers, number_problems = parse_numbers(raw.where(~is_yes_no, ""), rows, col["target"])
    numbers = numbers.where(~(is_yes_no & yes), 1.0)
    problems.extend(number_problems)
    for index in data.index[is_yes_no & ~yes]:
        problems.append(Problem("target of a yes/no KPI must be 'yes'", rows[index], col["target"]))
    missing = (raw == "") & ~is_yes_no
    for index in data.index[missing]:
        problems.append(Problem("target is empty", rows[index], col["target"]))
    for index in data.index[numbers.notna() & (numbers <= 0) & ~is_yes_no]:
        problems.append(
            Problem(
                "target must be greater than zero (achievement is a ratio to it)",
                rows[index],
                col["target"],
            )
        )

    years, year_problems = parse_years(data.get("target_year"), rows, col["target_year"])
    problems.extend(year_problems)

    directions: list[str | None] = (
        [d or None for d in data["direction"].str.strip().str.lower()]
        if "direction" in data
        else [None] * len(data)
    )
    for row, kpi, direction in zip(rows, kpis, directions, strict=True):
        if direction is not None and direction not in SCORING_DIRECTIONS:
            problems.append(
                Problem(
                    f"direction '{direction}' is not one of {', '.join(SCORING_DIRECTIONS)}",
                    row,
                    col["direction"],
                )
            )
        elif direction is None and kpi is not None and kpi.direction not in SCORING_DIRECTIONS:
            problems.append(
                Problem(
                    f"KPI {kpi.code} has no fixed direction; give direction "
                    "(higher_is_better or lower_is_better)",
                    row,
                    col["direction"] or col["code"],
                )
            )

    first_row: dict[tuple[str, str | None], int] = {}
    for row, kpi, data_point in zip(rows, kpis, data_points, strict=True):
        if kpi is None:
            continue
        key = (kpi.code, data_point)
        if key in first_row:
            problems.append(
                Problem(
                    f"duplicate target for {kpi.code}"
                    + (f" ({data_point})" if data_point else "")
                    + f", first given in row {first_row[key]}",
                    row,
                    col["code"],
                )
            )
        else:
            first_row[key] = row
    if problems:
        raise InputError(sorted(problems, key=_problem_order))

    sources = data["source"].str.strip() if "source" in data else pd.Series("", index=data.index)
    notes = data["note"].str.strip() if "note" in data else pd.Series("", index=data.index)
    return [
        Target(
            code=kpi.code,
            data_point=dp,
            value=float(value),
            target_year=None if pd.isna(year) else int(year),
            source=src,
            note=note,
            origin="city",
            direction=direction,
        )
        for kpi, dp, value, year, src, note, direction in zip(
            kpis, data_points, numbers, years, sources, notes, directions, strict=True
        )
        if kpi is not None
    ]


def _problem_order(problem: Problem) -> tuple[int, int]:
    column = problem.column if isinstance(problem.column, int) else 0
    return (problem.row or 0, column)
