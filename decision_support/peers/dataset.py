"""The peer-city dataset: U4SSC KPI values other cities have published, read from their
reports, with each city's profile and the projects its report describes.

A dataset is a folder of three CSV (or XLSX) files, documented in ``docs/peers.md``:

* ``cities.csv``: ``city_id, name, country, region, population, population_year,
  population_source, report, report_url`` (one row per city);
* ``city_values.csv``: ``city_id, year, report, code, data_point, name_as_printed, value,
  unit_as_printed, page_url, note`` (one row per value as printed; ``NR`` = the report
  says "not reported");
* ``projects.csv``: ``city_id, name, kpis, summary, page_url`` (optional file; ``kpis``
  is a ``;``-separated list of KPI codes).

Every problem in any file is collected (file, row and column named) and raised together:
an import is all or nothing. The shipped dataset lives in ``decision_support/data/peers``.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from decision_support.errors import InputError, Problem
from decision_support.kpis.catalogue import Catalogue, load_catalogue
from decision_support.kpis.tables import (
    Table,
    TableColumn,
    check_columns,
    match_data_points,
    parse_numbers,
    parse_years,
    read_table,
    resolve_codes,
)
from decision_support.kpis.values import KPIValue, value_kind

DATA_PACKAGE = "decision_support.data.peers"
CITIES_FILE = "cities.csv"
VALUES_FILE = "city_values.csv"
PROJECTS_FILE = "projects.csv"

CITY_COLUMNS = (
    TableColumn("city_id", required=True),
    TableColumn("name", required=True),
    TableColumn("country", required=True),
    TableColumn("region", required=True),
    TableColumn("population"),
    TableColumn("population_year"),
    TableColumn("population_source"),
    TableColumn("report", required=True),
    TableColumn("report_url", required=True),
)
VALUE_COLUMNS = (
    TableColumn("city_id", required=True),
    TableColumn("year", required=True),
    TableColumn("report", required=True),
    TableColumn("code", required=True),
    TableColumn("data_point"),
    TableColumn("name_as_printed"),
    TableColumn("value", required=True),
    TableColumn("unit_as_printed", required=True),
    TableColumn("page_url", required=True),
    TableColumn("note"),
)
PROJECT_COLUMNS = (
    TableColumn("city_id", required=True),
    TableColumn("name", required=True),
    TableColumn("kpis"),
    TableColumn("summary", required=True),
    TableColumn("page_url", required=True),
)

_CITY_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_URL = re.compile(r"https?://\S+")
_NOT_REPORTED = {"nr", "not reported"}
_YES = {"yes"}
_NO = {"no"}


@dataclass(frozen=True)
class PeerCity:
    """A city that has published U4SSC results, as its report presents it.

    ``population`` is None when no source was read; ``population_source`` says where the
    figure comes from (the report page, or another source named as such).
    """

    id: str
    name: str
    country: str
    region: str
    population: int | None
    population_year: int | None
    population_source: str
    report: str
    report_url: str


@dataclass(frozen=True)
class PeerValue:
    """One KPI value as printed in a city's report (``value`` None = not reported)."""

    city_id: str
    year: int
    report: str
    code: str
    data_point: str | None
    name_as_printed: str
    value: float | None
    unit_as_printed: str
    page_url: str
    note: str

    @property
    def reported(self) -> bool:
        return self.value is not None

    def as_kpi_value(self) -> KPIValue:
        """The value in the shape the KPI scoring functions take."""
        return KPIValue(
            code=self.code,
            data_point=self.data_point,
            year=self.year,
            value=self.value,
            unit=self.unit_as_printed,
            source=self.page_url,
            quality=None,
            verified=None,
            city=self.city_id,
        )


@dataclass(frozen=True)
class PeerProject:
    """A smart-city project or initiative a city's report describes."""

    city_id: str
    name: str
    kpis: tuple[str, ...]
    summary: str
    page_url: str


@dataclass(frozen=True)
class PeerDataset:
    """Peer cities, their published values and projects."""

    cities: tuple[PeerCity, ...]
    values: tuple[PeerValue, ...]
    projects: tuple[PeerProject, ...] = ()
    _by_id: dict[str, PeerCity] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({c.id: c for c in self.cities})

    def city(self, city_id: str) -> PeerCity | None:
        """The city with ``city_id``, or None."""
        return self._by_id.get(city_id)

    def values_of(self, city_id: str) -> list[PeerValue]:
        return [v for v in self.values if v.city_id == city_id]

    def projects_of(self, city_id: str) -> list[PeerProject]:
        return [p for p in self.projects if p.city_id == city_id]

    def region_of_country(self, country: str) -> str | None:
        """The region the dataset gives cities of ``country`` (case-insensitive), or None."""
        wanted = country.strip().lower()
        return next((c.region for c in self.cities if c.country.lower() == wanted), None)

    def merged(self, other: PeerDataset) -> PeerDataset:
        """This dataset plus ``other`` (which must not repeat a city or a value)."""
        problems = check_no_overlap(self, other)
        if problems:
            raise InputError(problems)
        return PeerDataset(
            self.cities + other.cities,
            self.values + other.values,
            self.projects + other.projects,
        )


def _labelled(label: str | None, problems: Iterable[Problem]) -> list[Problem]:
    if not label:
        return list(problems)
    return [Problem(f"{label}: {p.message}", p.row, p.column) for p in problems]


def _text(table: Table, name: str) -> pd.Series:
    if name in table.data:
        return table.data[name].str.strip()
    return pd.Series("", index=table.data.index)


def _required_cells(table: Table, names: Iterable[str]) -> list[Problem]:
    problems: list[Problem] = []
    for name in names:
        cells = _text(table, name)
        problems.extend(
            Problem(f"{name} is empty", table.row_numbers[i], table.column_number(name))
            for i in cells.index[cells == ""]
        )
    return problems


def _urls(table: Table, name: str) -> list[Problem]:
    cells = _text(table, name)
    bad = (cells != "") & ~cells.str.fullmatch(_URL.pattern)
    return [
        Problem(
            f"{name} '{cells[i]}' is not a web address (http:// or https://)",
            table.row_numbers[i],
            table.column_number(name),
        )
        for i in cells.index[bad]
    ]


def cities_from_table(
    table: Table, label: str | None = None, taken: frozenset[str] = frozenset()
) -> list[PeerCity]:
    """Check and convert a cities table (see the module docstring); ``taken`` city ids
    (already in the dataset) may not be given again."""
    problems = check_columns(table, CITY_COLUMNS)
    if problems:
        raise InputError(_labelled(label, problems))
    rows = table.row_numbers
    problems.extend(
        _required_cells(table, ("city_id", "name", "country", "region", "report", "report_url"))
    )
    problems.extend(_urls(table, "report_url"))
    ids = _text(table, "city_id")
    for i in ids.index[(ids != "") & ~ids.str.fullmatch(_CITY_ID.pattern)]:
        problems.append(
            Problem(
                f"city_id '{ids[i]}' must be lower-case letters, digits and hyphens",
                rows[i],
                table.column_number("city_id"),
            )
        )
    first: dict[str, int] = {}
    for i in ids.index:
        if ids[i] in taken:
            problems.append(
                Problem(
                    f"city_id '{ids[i]}' is already in the dataset",
                    rows[i],
                    table.column_number("city_id"),
                )
            )
        elif ids[i] in first:
            problems.append(
                Problem(
                    f"city_id '{ids[i]}' repeated, first given in row {first[ids[i]]}",
                    rows[i],
                    table.column_number("city_id"),
                )
            )
        elif ids[i]:
            first[ids[i]] = int(rows[i])
    population_text = _text(table, "population")
    populations, found = parse_numbers(population_text, rows, table.column_number("population"))
    problems.extend(found)
    bad = populations.notna() & ((populations <= 0) | (populations % 1 != 0))
    problems.extend(
        Problem(
            f"population '{population_text[i]}' must be a whole number above zero",
            rows[i],
            table.column_number("population"),
        )
        for i in populations.index[bad]
    )
    sources = _text(table, "population_source")
    problems.extend(
        Problem(
            "population_source is empty: say where the population figure comes from",
            rows[i],
            table.column_number("population_source") or table.column_number("population"),
        )
        for i in populations.index[populations.notna() & (sources == "")]
    )
    years, found = parse_years(
        table.data.get("population_year"), rows, table.column_number("population_year")
    )
    problems.extend(found)
    if problems:
        raise InputError(_labelled(label, sorted(problems, key=_order)))
    return [
        PeerCity(
            id=ids[i],
            name=_text(table, "name")[i],
            country=_text(table, "country")[i],
            region=_text(table, "region")[i],
            population=None if pd.isna(populations[i]) else int(populations[i]),
            population_year=None if pd.isna(years[i]) else int(years[i]),
            population_source=sources[i],
            report=_text(table, "report")[i],
            report_url=_text(table, "report_url")[i],
        )
        for i in table.data.index
    ]


def _known_city_problems(table: Table, known: set[str]) -> list[Problem]:
    ids = _text(table, "city_id")
    return [
        Problem(
            f"city_id '{ids[i]}' is not in the cities file or the dataset",
            table.row_numbers[i],
            table.column_number("city_id"),
        )
        for i in ids.index[(ids != "") & ~ids.isin(known)]
    ]


def values_from_table(
    table: Table,
    known_cities: set[str],
    catalogue: Catalogue | None = None,
    label: str | None = None,
    taken: frozenset[tuple[str, str, str | None, int]] = frozenset(),
) -> list[PeerValue]:
    """Check and convert a values table against the catalogue and the known city ids;
    ``taken`` (city, code, data point, year) keys are already in the dataset.

    ``value`` is a number (decimal point or comma), ``yes``/``no`` for yes/no KPIs or
    ``NR`` for a KPI the report lists as not reported; percentages must lie in 0-100 and
    numbers must not be negative. Every value needs its ``page_url``.
    """
    catalogue = catalogue or load_catalogue()
    problems = check_columns(table, VALUE_COLUMNS)
    if problems:
        raise InputError(_labelled(label, problems))
    rows, col = table.row_numbers, table.column_number
    problems.extend(_required_cells(table, ("city_id", "report", "value", "page_url")))
    problems.extend(_urls(table, "page_url"))
    problems.extend(_known_city_problems(table, known_cities))
    kpis, found = resolve_codes(table.data["code"], rows, col("code"), catalogue)
    problems.extend(found)
    data_points, found = match_data_points(
        table.data.get("data_point"), kpis, rows, col("data_point"), required=True
    )
    problems.extend(found)
    years, found = parse_years(table.data["year"], rows, col("year"))
    problems.extend(found)
    problems.extend(
        Problem("year is empty", rows[i], col("year"))
        for i in years.index[years.isna() & (_text(table, "year") == "")]
    )

    raw = _text(table, "value")
    lowered = raw.str.lower()
    kinds = pd.Series(
        [value_kind(k, dp) if k else None for k, dp in zip(kpis, data_points, strict=True)],
        index=table.data.index,
    )
    not_reported = lowered.isin(_NOT_REPORTED)
    is_yes_no = kinds == "yes_no"
    numeric_text = raw.str.replace(r"\s*%$", "", regex=True).where(
        ~(not_reported | is_yes_no | kinds.isna()), ""
    )
    numbers, found = parse_numbers(numeric_text, rows, col("value"))
    problems.extend(found)
    for i in table.data.index[is_yes_no & ~not_reported & ~lowered.isin(_YES | _NO)]:
        problems.append(Problem(f"'{raw[i]}' is not yes, no or NR", rows[i], col("value")))
    for i in table.data.index[(kinds == "percentage") & ((numbers < 0) | (numbers > 100))]:
        problems.append(Problem(f"percentage {raw[i]} is outside 0-100", rows[i], col("value")))
    for i in table.data.index[(kinds == "number") & (numbers < 0)]:
        problems.append(Problem(f"value {raw[i]} is negative", rows[i], col("value")))
    units = _text(table, "unit_as_printed")
    problems.extend(
        Problem("unit_as_printed is empty", rows[i], col("unit_as_printed"))
        for i in units.index[(units == "") & ~not_reported & (raw != "")]
    )
    values = numbers.where(~is_yes_no, lowered.map(lambda t: 1.0 if t in _YES else 0.0))
    values = values.where(~not_reported)

    ids = _text(table, "city_id")
    first: dict[tuple[object, ...], int] = {}
    for i, kpi, data_point in zip(table.data.index, kpis, data_points, strict=True):
        if kpi is None or pd.isna(years[i]):
            continue
        key = (ids[i], kpi.code, data_point, int(years[i]))
        if key in taken:
            what = kpi.code + (f" ({data_point})" if data_point else "")
            problems.append(
                Problem(
                    f"{ids[i]} {what} {int(years[i])} is already in the dataset",
                    rows[i],
                    col("code"),
                )
            )
        elif key in first:
            what = kpi.code + (f" ({data_point})" if data_point else "")
            problems.append(
                Problem(
                    f"duplicate value for {ids[i]} {what} {int(years[i])}, "
                    f"first given in row {first[key]}",
                    rows[i],
                    col("code"),
                )
            )
        else:
            first[key] = int(rows[i])
    if problems:
        raise InputError(_labelled(label, sorted(problems, key=_order)))
    names = _text(table, "name_as_printed")
    reports, pages, notes = _text(table, "report"), _text(table, "page_url"), _text(table, "note")
    return [
        PeerValue(
            city_id=ids[i],
            year=int(years[i]),
            report=reports[i],
            code=kpi.code,
            data_point=data_point,
            name_as_printed=names[i] or kpi.name,
            value=None if pd.isna(values[i]) else float(values[i]),
            unit_as_printed=units[i],
            page_url=pages[i],
            note=notes[i],
        )
        for i, kpi, data_point in zip(table.data.index, kpis, data_points, strict=True)
        if kpi is not None
    ]


def projects_from_table(
    table: Table,
    known_cities: set[str],
    catalogue: Catalogue | None = None,
    label: str | None = None,
) -> list[PeerProject]:
    """Check and convert a projects table (``kpis``: ``;``-separated KPI codes)."""
    catalogue = catalogue or load_catalogue()
    problems = check_columns(table, PROJECT_COLUMNS)
    if problems:
        raise InputError(_labelled(label, problems))
    rows = table.row_numbers
    problems.extend(_required_cells(table, ("city_id", "name", "summary", "page_url")))
    problems.extend(_urls(table, "page_url"))
    problems.extend(_known_city_problems(table, known_cities))
    codes_text = _text(table, "kpis")
    codes: list[tuple[str, ...]] = []
    for i in table.data.index:
        found: list[str] = []
        for part in (p.strip() for p in codes_text[i].split(";")):
            if not part:
                continue
            kpi = catalogue.find(part)
            if kpi is None:
                problems.append(
                    Problem(
                        f"unknown U4SSC KPI code '{part}'", rows[i], table.column_number("kpis")
                    )
                )
            else:
                found.append(kpi.code)
        codes.append(tuple(found))
    if problems:
        raise InputError(_labelled(label, sorted(problems, key=_order)))
    return [
        PeerProject(
            city_id=_text(table, "city_id")[i],
            name=_text(table, "name")[i],
            kpis=kpis,
            summary=_text(table, "summary")[i],
            page_url=_text(table, "page_url")[i],
        )
        for i, kpis in zip(table.data.index, codes, strict=True)
    ]


def _order(problem: Problem) -> tuple[int, int]:
    column = problem.column if isinstance(problem.column, int) else 0
    return (problem.row or 0, column)


def check_no_overlap(base: PeerDataset, added: PeerDataset) -> list[Problem]:
    """Problems when ``added`` repeats a city or a (city, KPI, data point, year) of ``base``."""
    problems = [
        Problem(f"cities file: city_id '{c.id}' is already in the dataset")
        for c in added.cities
        if base.city(c.id) is not None
    ]
    existing = {(v.city_id, v.code, v.data_point, v.year) for v in base.values}
    problems.extend(
        Problem(
            f"values file: {v.city_id} {v.code}"
            + (f" ({v.data_point})" if v.data_point else "")
            + f" {v.year} is already in the dataset"
        )
        for v in added.values
        if (v.city_id, v.code, v.data_point, v.year) in existing
    )
    return problems


def read_dataset(
    cities: object | None,
    values: object,
    projects: object | None = None,
    *,
    known: PeerDataset | None = None,
    catalogue: Catalogue | None = None,
) -> PeerDataset:
    """Read a set of dataset files (paths, bytes or file objects).

    ``known`` cities may be referred to without repeating them in ``cities``, and
    neither its cities nor its values may be given again. Every problem of every file is
    collected (file, row and column) and raised together in one InputError.
    """
    catalogue = catalogue or load_catalogue()
    problems: list[Problem] = []
    city_rows: list[PeerCity] = []
    taken_ids = frozenset(c.id for c in known.cities) if known else frozenset()
    taken_values = (
        frozenset((v.city_id, v.code, v.data_point, v.year) for v in known.values)
        if known
        else frozenset()
    )
    if cities is not None:
        try:
            city_rows = cities_from_table(
                read_table(cities, _name(cities)), "cities file", taken_ids
            )
        except InputError as exc:
            problems.extend(_prefixed("cities file", exc))
    known_ids = {c.id for c in city_rows} | ({c.id for c in known.cities} if known else set())
    value_rows: list[PeerValue] = []
    try:
        value_rows = values_from_table(
            read_table(values, _name(values)), known_ids, catalogue, "values file", taken_values
        )
    except InputError as exc:
        problems.extend(_prefixed("values file", exc))
    project_rows: list[PeerProject] = []
    if projects is not None:
        try:
            project_rows = projects_from_table(
                read_table(projects, _name(projects)), known_ids, catalogue, "projects file"
            )
        except InputError as exc:
            problems.extend(_prefixed("projects file", exc))
    if problems:
        raise InputError(problems)
    return PeerDataset(tuple(city_rows), tuple(value_rows), tuple(project_rows))


def _prefixed(label: str, error: InputError) -> list[Problem]:
    return [
        p
        if p.message.startswith(f"{label}:")
        else Problem(f"{label}: {p.message}", p.row, p.column)
        for p in error.problems
    ]


def _name(source: object) -> str | None:
    return str(source) if isinstance(source, str | Path) else None


def read_dataset_dir(folder: Path, known: PeerDataset | None = None) -> PeerDataset:
    """Read a dataset folder (``cities.csv``, ``city_values.csv``, optional ``projects.csv``)."""
    if not (folder / VALUES_FILE).is_file():
        raise InputError(f"peer dataset folder {folder} has no {VALUES_FILE}")
    cities = folder / CITIES_FILE
    projects = folder / PROJECTS_FILE
    return read_dataset(
        cities if cities.is_file() else None,
        folder / VALUES_FILE,
        projects if projects.is_file() else None,
        known=known,
    )


@cache
def shipped_dataset() -> PeerDataset:
    """The dataset shipped with the product (read from the package; cached)."""
    files = resources.files(DATA_PACKAGE)
    return read_dataset(
        files.joinpath(CITIES_FILE).read_bytes(),
        files.joinpath(VALUES_FILE).read_bytes(),
        files.joinpath(PROJECTS_FILE).read_bytes(),
    )


def load_dataset(extra: Path | str | None = None) -> PeerDataset:
    """The shipped dataset, plus the imported one in folder ``extra`` when given."""
    base = shipped_dataset()
    if extra is None or not Path(extra).exists():
        return base
    return base.merged(read_dataset_dir(Path(extra), known=base))


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        frame.to_csv(out, index=False)
    os.replace(temporary, path)


def _rows(dataset: PeerDataset) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    cities = pd.DataFrame(
        [
            {
                "city_id": c.id,
                "name": c.name,
                "country": c.country,
                "region": c.region,
                "population": "" if c.population is None else c.population,
                "population_year": "" if c.population_year is None else c.population_year,
                "population_source": c.population_source,
                "report": c.report,
                "report_url": c.report_url,
            }
            for c in dataset.cities
        ],
        columns=[c.name for c in CITY_COLUMNS],
    )
    values = pd.DataFrame(
        [
            {
                "city_id": v.city_id,
                "year": v.year,
                "report": v.report,
                "code": v.code,
                "data_point": v.data_point or "",
                "name_as_printed": v.name_as_printed,
                "value": _value_text(v),
                "unit_as_printed": v.unit_as_printed,
                "page_url": v.page_url,
                "note": v.note,
            }
            for v in dataset.values
        ],
        columns=[c.name for c in VALUE_COLUMNS],
    )
    projects = pd.DataFrame(
        [
            {
                "city_id": p.city_id,
                "name": p.name,
                "kpis": ";".join(p.kpis),
                "summary": p.summary,
                "page_url": p.page_url,
            }
            for p in dataset.projects
        ],
        columns=[c.name for c in PROJECT_COLUMNS],
    )
    return cities, values, projects


def _value_text(value: PeerValue) -> str:
    if value.value is None:
        return "NR"
    kpi = load_catalogue().get(value.code)
    if value_kind(kpi, value.data_point) == "yes_no":
        return "yes" if value.value >= 1 else "no"
    return repr(value.value)


@dataclass(frozen=True)
class ImportSummary:
    """What an import added to the extra dataset folder."""

    folder: str
    cities: int
    values: int
    projects: int


def import_dataset(
    folder: Path,
    values: object,
    cities: object | None = None,
    projects: object | None = None,
) -> ImportSummary:
    """Add published results to the extra dataset in ``folder`` (created if needed).

    The new files are checked together with the shipped dataset and what ``folder``
    already holds; on any problem nothing is written (InputError with every problem).
    """
    base = shipped_dataset()
    existing = (
        read_dataset_dir(folder, known=base)
        if (folder / VALUES_FILE).is_file()
        else PeerDataset((), ())
    )
    known = base.merged(existing)
    added = read_dataset(cities, values, projects, known=known)
    combined = existing.merged(added)
    folder.mkdir(parents=True, exist_ok=True)
    city_frame, value_frame, project_frame = _rows(combined)
    _write_csv(city_frame, folder / CITIES_FILE)
    _write_csv(project_frame, folder / PROJECTS_FILE)
    _write_csv(value_frame, folder / VALUES_FILE)
    return ImportSummary(str(folder), len(added.cities), len(added.values), len(added.projects))
