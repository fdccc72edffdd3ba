"""A city's own KPI targets (they override the shipped reference targets).

Reference targets are read from the package (``decision_support/data``), not
stored: the database holds the city's targets only (``scope = 'city'``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from decision_support.errors import InputError, Problem
from decision_support.kpis.targets import Target, TargetSet, load_reference_targets, read_targets
from models.cities import City
from models.kpis import Kpi, KpiTarget
from models.services.audit import record_change
from models.services.reference_data import kpi_ids_by_code
from models.users import User


@dataclass(frozen=True)
class StoredTarget:
    """A city target with its database id (for edit and delete links)."""

    id: int
    target: Target


def stored_city_targets(session: Session, city: City) -> list[StoredTarget]:
    """The city's own targets in catalogue order (read as columns, not ORM rows: the
    KPI rows' JSON columns would cost more to decode than the targets themselves)."""
    rows = session.execute(
        select(
            KpiTarget.id,
            Kpi.code,
            KpiTarget.data_point,
            KpiTarget.value,
            KpiTarget.target_year,
            KpiTarget.source,
            KpiTarget.note,
            KpiTarget.direction,
        )
        .join(Kpi, Kpi.id == KpiTarget.kpi_id)
        .where(KpiTarget.city_id == city.id)
        .order_by(Kpi.id, KpiTarget.data_point)
    )
    return [
        StoredTarget(
            row_id,
            Target(
                code=code,
                data_point=data_point or None,
                value=value,
                target_year=target_year,
                source=source,
                note=note,
                origin="city",
                direction=direction or None,
            ),
        )
        for row_id, code, data_point, value, target_year, source, note, direction in rows
    ]


def target_set(session: Session, city: City) -> TargetSet:
    """Reference targets overridden by the city's own."""
    return load_reference_targets().with_city_targets(
        s.target for s in stored_city_targets(session, city)
    )


def _upsert(session: Session, city: City, targets: list[Target]) -> tuple[list[KpiTarget], int]:
    ids = kpi_ids_by_code(session)
    existing = {
        (row.kpi_id, row.data_point): row
        for row in session.scalars(select(KpiTarget).where(KpiTarget.city_id == city.id))
    }
    rows, created = [], 0
    for target in targets:
        key = (ids[target.code], target.data_point or "")
        row = existing.get(key)
        if row is None:
            row = KpiTarget(city_id=city.id, kpi_id=key[0], data_point=key[1], scope="city")
            session.add(row)
            existing[key] = row
            created += 1
        row.value = target.value
        row.direction = target.direction or ""
        row.target_year = target.target_year
        row.source = target.source
        row.note = target.note
        rows.append(row)
    session.flush()
    return rows, created


def save_city_target(session: Session, city: City, actor: User | None, target: Target) -> KpiTarget:
    """Add or change one city target (checked with ``check_target`` first); audited."""
    (row,), created = _upsert(session, city, [target])
    record_change(
        session,
        actor=actor,
        action="add" if created else "change",
        entity="kpi_target",
        entity_id=row.id,
        city_id=city.id,
        details={
            "code": target.code,
            "data_point": target.data_point or "",
            "target": target.value,
            "target_year": target.target_year,
        },
    )
    return row


def import_city_targets(
    session: Session, city: City, source: object, actor: User | None, filename: str | None = None
) -> int:
    """Import a targets file (``code, target[, data_point, target_year, source, direction,
    note]``): all or nothing; existing targets for the same KPI/data point are replaced.
    Returns how many targets were written; one audit entry."""
    targets = read_targets(source, filename)
    rows, created = _upsert(session, city, targets)
    record_change(
        session,
        actor=actor,
        action="import",
        entity="kpi_targets",
        city_id=city.id,
        details={"file": filename or "", "created": created, "updated": len(rows) - created},
    )
    return len(rows)


def delete_city_target(session: Session, city: City, actor: User | None, target_id: int) -> None:
    """Remove one of the city's targets (the reference applies again); audited."""
    row = session.get(KpiTarget, target_id)
    if row is None or row.city_id != city.id:
        raise InputError(Problem("no such target for this city", field="target"))
    kpi = session.get(Kpi, row.kpi_id)
    details: dict[str, object] = {
        "code": kpi.code if kpi else "",
        "data_point": row.data_point,
        "target": row.value,
    }
    session.delete(row)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="delete",
        entity="kpi_target",
        entity_id=target_id,
        city_id=city.id,
        details=details,
    )
