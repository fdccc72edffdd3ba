"""Loading the shipped reference data (the KPI catalogue) into the database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from decision_support.kpis.catalogue import KPI, load_catalogue
from models.kpis import Kpi


def _columns(kpi: KPI) -> dict[str, object]:
    return {
        "code_compact": kpi.code_compact,
        "name": kpi.name,
        "dimension": kpi.dimension,
        "sub_dimension": kpi.sub_dimension,
        "category": kpi.category,
        "core": kpi.core,
        "unit": kpi.unit,
        "value_kind": kpi.value_kind,
        "data_points": list(kpi.data_points),
        "direction": kpi.direction,
        "definition": kpi.definition,
        "sdg_targets": list(kpi.sdg_targets),
        "source": kpi.source,
    }


def load_kpi_catalogue(session: Session) -> int:
    """Insert or update the 91 KPIs from the shipped catalogue; returns how many rows
    changed (0 when the database already matches, so seeding is idempotent)."""
    existing = {k.code: k for k in session.scalars(select(Kpi))}
    changed = 0
    for kpi in load_catalogue():
        columns = _columns(kpi)
        row = existing.get(kpi.code)
        if row is None:
            session.add(Kpi(code=kpi.code, **columns))
            changed += 1
        elif any(getattr(row, name) != value for name, value in columns.items()):
            for name, value in columns.items():
                setattr(row, name, value)
            changed += 1
    session.flush()
    return changed


def kpi_ids_by_code(session: Session) -> dict[str, int]:
    """Map of printed KPI code → database id."""
    return {code: id_ for id_, code in session.execute(select(Kpi.id, Kpi.code))}
