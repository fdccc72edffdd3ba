"""A city's KPI values: reading, importing, adding and correcting them, and scoring."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from decision_support.errors import InputError, Problem
from decision_support.kpis.analysis import CitySnapshot, PriorityGap, city_snapshot, priority_gaps
from decision_support.kpis.scoring import Assessment, score_values
from decision_support.kpis.targets import TargetSet
from decision_support.kpis.values import KPIValue, read_values
from models.cache import cached, data_key
from models.cities import City, DataDomain
from models.kpis import Kpi, KpiValue
from models.services.audit import record_change
from models.services.kpi_targets import target_set
from models.services.reference_data import kpi_ids_by_code
from models.users import User


@dataclass(frozen=True)
class LatestValue:
    kpi: Kpi
    data_point: str
    year: int
    value: float | None
    unit: str
    quality: str
    verified: bool


def latest_values(session: Session, city: City) -> dict[tuple[str, str], LatestValue]:
    """The most recent value per (KPI code, data point) for ``city``."""
    rows = session.execute(
        select(KpiValue, Kpi)
        .join(Kpi, Kpi.id == KpiValue.kpi_id)
        .where(KpiValue.city_id == city.id)
        .order_by(KpiValue.year)
    )
    latest: dict[tuple[str, str], LatestValue] = {}
    for value, kpi in rows:
        latest[(kpi.code, value.data_point)] = LatestValue(
            kpi=kpi,
            data_point=value.data_point,
            year=value.year,
            value=value.value,
            unit=value.unit or kpi.unit,
            quality=value.quality,
            verified=value.verified,
        )
    return latest


def catalogue(session: Session) -> list[Kpi]:
    """The KPI catalogue in ITU order (dimension, then the catalogue's own order)."""
    return list(session.scalars(select(Kpi).order_by(Kpi.id)))


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed."""

    created: int
    updated: int
    not_reported: int
    years: tuple[int, ...]

    @property
    def rows(self) -> int:
        return self.created + self.updated


def city_values(session: Session, city: City) -> list[KPIValue]:
    """Every stored value of ``city`` (all years), as domain objects ('' data point →
    None). Reads the columns it needs, not ORM rows: the KPI rows' JSON columns cost
    more to decode than the whole scoring."""
    rows = session.execute(
        select(
            Kpi.code,
            Kpi.unit,
            KpiValue.data_point,
            KpiValue.year,
            KpiValue.value,
            KpiValue.unit,
            KpiValue.source,
            KpiValue.quality,
            KpiValue.verified,
        )
        .join(Kpi, Kpi.id == KpiValue.kpi_id)
        .where(KpiValue.city_id == city.id)
        .order_by(Kpi.id, KpiValue.data_point, KpiValue.year)
    )
    return [
        KPIValue(
            code=code,
            data_point=data_point or None,
            year=year,
            value=value,
            unit=unit or kpi_unit,
            source=source,
            quality=quality,
            verified=verified,
        )
        for code, kpi_unit, data_point, year, value, unit, source, quality, verified in rows
    ]


def _check_city_and_years(
    values: list[KPIValue], city: City, default_year: int | None
) -> list[KPIValue]:
    """Values ready to store: rows with an empty value cell dropped (an empty cell never
    overwrites a stored value; ``NR`` does), the default year applied. Every problem
    names its row."""
    problems = []
    values = [v for v in values if not v.blank]
    for v in values:
        if v.city and v.city not in (city.name, city.slug):
            problems.append(
                Problem(
                    f"{_where(v)}the value is for {v.city}, not {city.name}: import it there",
                    row=v.row,
                )
            )
    if default_year is None:
        problems += [
            Problem(
                f"{_where(v)}some rows have no year: fill in this row's year "
                f"({v.code}), or give the year to use for every such row",
                row=v.row,
                field="year",
            )
            for v in values
            if v.year is None
        ]
    if problems:
        raise InputError(problems)
    return [v if v.year is not None else replace(v, year=default_year) for v in values]


def _where(value: KPIValue) -> str:
    """``sheet 'Economy': `` for values from a workbook sheet (the row is the problem's)."""
    return f"sheet '{value.sheet}': " if value.sheet else ""


class _StoredDetails(Protocol):
    """What :func:`_kept_details` reads of a stored value (an ORM row or a column row)."""

    @property
    def source(self) -> str: ...
    @property
    def quality(self) -> str: ...
    @property
    def verified(self) -> bool: ...


class _Stored(NamedTuple):
    """A stored value's details, as a preview compares them."""

    value: float | None
    quality: str
    verified: bool
    source: str


def _kept(value: KPIValue, row: _StoredDetails) -> tuple[str, str | None, bool | None]:
    """(source, quality, verified) of ``value``, the stored ones wherever its own cell
    was empty (or its file had no such column): an empty cell never overwrites."""
    return (
        value.source or row.source or "",
        value.quality or row.quality,
        row.verified if value.verified is None else value.verified,
    )


def _kept_details(value: KPIValue, row: _StoredDetails) -> KPIValue:
    """``value`` with the details :func:`_kept` keeps."""
    source, quality, verified = _kept(value, row)
    return replace(value, source=source, quality=quality, verified=verified)


def _upsert(
    session: Session, city: City, values: list[KPIValue], *, keep_details: bool = False
) -> tuple[list[tuple[KpiValue, KPIValue, dict[str, object] | None]], int]:
    """Insert or update each value; returns (row, value, previous or None) and new count.

    ``keep_details`` (file imports): empty source/quality/verified cells keep what is
    stored (see :func:`_kept_details`)."""
    ids = kpi_ids_by_code(session)
    wanted = {ids[v.code] for v in values}
    existing = {
        (row.kpi_id, row.data_point, row.year): row
        for row in session.scalars(
            select(KpiValue).where(KpiValue.city_id == city.id, KpiValue.kpi_id.in_(wanted))
        )
    }
    changed = []
    created = 0
    for given in values:
        assert given.year is not None
        key = (ids[given.code], given.data_point or "", given.year)
        row = existing.get(key)
        value = given
        previous: dict[str, object] | None = None
        if row is None:
            row = KpiValue(city_id=city.id, kpi_id=key[0], data_point=key[1], year=key[2])
            session.add(row)
            existing[key] = row
            created += 1
        else:
            previous = {"value": row.value, "quality": row.quality, "verified": row.verified}
            if keep_details:
                value = _kept_details(given, row)
        row.value = value.value
        row.unit = value.unit
        row.source = value.source
        row.quality = value.quality or "unknown"
        row.verified = bool(value.verified)
        changed.append((row, value, previous))
    session.flush()
    return changed, created


@dataclass(frozen=True)
class ValueChange:
    """One value of an import compared with what is stored (``before`` None: nothing
    stored, or stored as not reported)."""

    code: str
    data_point: str
    year: int
    before: float | None
    after: float | None
    where: str


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do, before it does it."""

    new: tuple[ValueChange, ...]
    changed: tuple[ValueChange, ...]
    unchanged: tuple[ValueChange, ...]
    to_not_reported: tuple[ValueChange, ...]
    blank_rows: int

    @property
    def replaces(self) -> bool:
        """Whether the import would overwrite any stored value (then the user confirms)."""
        return bool(self.changed or self.to_not_reported)


def preview_kpi_import(
    session: Session,
    city: City,
    source: object,
    *,
    filename: str | None = None,
    default_year: int | None = None,
) -> ImportPreview:
    """Check a values file exactly as :func:`import_kpi_values` would and sort its values
    into new / changed / unchanged / would become not reported. Writes nothing."""
    read = read_values(source, filename)
    values = _check_city_and_years(read, city, default_year)
    ids = kpi_ids_by_code(session)
    rows = select(
        KpiValue.kpi_id,
        KpiValue.data_point,
        KpiValue.year,
        KpiValue.value,
        KpiValue.quality,
        KpiValue.verified,
        KpiValue.source,
    ).where(KpiValue.city_id == city.id)
    # plain tuples: a preview only compares, and ORM objects cost 10 x more to load
    stored = {(k, dp, year): _Stored(*details) for k, dp, year, *details in session.execute(rows)}
    groups: dict[str, list[ValueChange]] = {"new": [], "changed": [], "same": [], "nr": []}
    for given in values:
        assert given.year is not None
        row = stored.get((ids[given.code], given.data_point or "", given.year))
        change = ValueChange(
            given.code,
            given.data_point or "",
            given.year,
            row.value if row is not None else None,
            given.value,
            given.where,
        )
        if row is None:
            groups["new"].append(change)
            continue
        source, quality, verified = _kept(given, row)
        if row.value is not None and given.value is None:
            groups["nr"].append(change)
        elif (row.value, row.quality, bool(row.verified), row.source or "") != (
            given.value,
            quality or "unknown",
            bool(verified),
            source,
        ):
            groups["changed"].append(change)
        else:
            groups["same"].append(change)
    return ImportPreview(
        new=tuple(groups["new"]),
        changed=tuple(groups["changed"]),
        unchanged=tuple(groups["same"]),
        to_not_reported=tuple(groups["nr"]),
        blank_rows=sum(1 for v in read if v.blank),
    )


def import_kpi_values(
    session: Session,
    city: City,
    source: object,
    actor: User | None,
    *,
    filename: str | None = None,
    default_year: int | None = None,
) -> ImportSummary:
    """Import a values file (CSV/XLSX, see docs/kpis.md) into ``city``: all or nothing.

    Every row is checked before anything is written (InputError lists every
    problem, each naming its row); existing (KPI, data point, year) values are
    replaced (:func:`preview_kpi_import` shows which first), except by rows whose value
    cell is empty: those are skipped. Rows without a year take ``default_year``.
    Flushes, never commits; one audit entry.
    """
    values = _check_city_and_years(read_values(source, filename), city, default_year)
    changed, created = _upsert(session, city, values, keep_details=True)
    summary = ImportSummary(
        created=created,
        updated=len(changed) - created,
        not_reported=sum(1 for v in values if v.value is None),
        years=tuple(sorted({v.year for v in values if v.year is not None})),
    )
    record_change(
        session,
        actor=actor,
        action="import",
        entity="kpi_values",
        city_id=city.id,
        details={
            "file": filename or "",
            "created": summary.created,
            "updated": summary.updated,
            "not_reported": summary.not_reported,
            "years": list(summary.years),
        },
    )
    return summary


def save_kpi_value(session: Session, city: City, actor: User | None, value: KPIValue) -> KpiValue:
    """Add or correct one value (checked with :func:`check_value` first); audited."""
    if value.year is None:
        raise InputError(Problem("year is required", field="year"))
    ((row, _, previous),), created = _upsert(session, city, [value])
    record_change(
        session,
        actor=actor,
        action="add" if created else "correct",
        entity="kpi_value",
        entity_id=row.id,
        city_id=city.id,
        details={
            "code": value.code,
            "data_point": value.data_point or "",
            "year": value.year,
            "value": value.value,
            "previous": previous,
        },
    )
    return row


def city_assessment(
    session: Session, city: City, year: int | None = None
) -> tuple[list[KPIValue], TargetSet, Assessment]:
    """The city's values, its targets (reference + own) and their assessment.

    Computed once per change of the city's KPI data (``models/cache.py``): the result is
    shared between requests, so callers must not change the target set."""

    def compute() -> tuple[tuple[KPIValue, ...], TargetSet, Assessment]:
        values = city_values(session, city)
        targets = target_set(session, city)
        return tuple(values), targets, score_values(values, targets, year=year)

    key = (*data_key(city, DataDomain.KPIS), "assessment", year)
    values, targets, assessment = cached(session, key, compute)
    return list(values), targets, assessment


@dataclass(frozen=True)
class KpiSummary:
    """What the dashboard and the snapshot page show of an assessment."""

    snapshot: CitySnapshot
    gaps: tuple[PriorityGap, ...]  # priority order
    years: tuple[int, ...]  # years with values, newest first


def kpi_summary(session: Session, city: City, year: int | None = None) -> KpiSummary:
    """The snapshot, priority gaps and value years of the city's assessment, computed
    once per change of the city's KPI data (they walk every stored value)."""

    def compute() -> KpiSummary:
        values, _, assessment = city_assessment(session, city, year)
        return KpiSummary(
            snapshot=city_snapshot(assessment),
            gaps=tuple(priority_gaps(assessment)),
            years=tuple(sorted({v.year for v in values if v.year is not None}, reverse=True)),
        )

    return cached(session, (*data_key(city, DataDomain.KPIS), "summary", year), compute)
