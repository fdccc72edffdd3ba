"""A city's data version: one counter on the city row, raised by one in the same
transaction as every write to the city's data, so anything computed from that data
(the KPI snapshot, the dashboard's counts, charts) can be cached under
``(city, data_version)`` and is recomputed after the next change, by whichever
process serves the next page.

The counter is raised by listeners on every ORM session (services need not
remember it): ``before_flush`` notes the cities whose rows are written and
``before_commit`` raises their versions with one ``UPDATE … SET data_version =
data_version + 1`` (atomic under concurrent writers), last in the transaction so
the city rows are locked only for the commit. Inserting, changing or deleting a
row that belongs to a city (it has a ``city_id``, or a parent that has one) raises
that city's version; a change of the KPI catalogue or of a reference target raises every city's. Two
kinds of rows are exempt when only *updated*: audit entries (they always accompany
another write) and the status/progress updates of portfolio runs and scenario jobs,
which a solve writes many times (creating or deleting one still counts). Bulk
``UPDATE``/``DELETE`` statements bypass the ORM and must note their city themselves
with :func:`note_city_write`. Until the transaction ends, ``models.cache`` serves
nothing from the cache to a session that has written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from models.audit import AuditEntry
from models.cache import WROTE_INFO_KEY
from models.cities import City
from models.financing import FiscalProfileRecord, FiscalYearRecord
from models.kpis import Kpi, KpiTarget
from models.projects import Project, ProjectImpact
from models.scenario_jobs import ScenarioJob
from models.scenario_versions import ScenarioVersion
from models.scenarios import PortfolioRun, Scenario

# Rows without a city_id of their own: (parent class, foreign-key attribute).
_PARENTS: dict[type[Any], tuple[type[Any], str]] = {
    ProjectImpact: (Project, "project_id"),
    FiscalYearRecord: (FiscalProfileRecord, "profile_id"),
    ScenarioVersion: (Scenario, "scenario_id"),
}
_UPDATES_EXEMPT = (AuditEntry, PortfolioRun, ScenarioJob)
_EVERY_CITY = object()


def _owner(session: Session, row: Any) -> int | object | None:
    """The id of the city ``row`` belongs to, ``_EVERY_CITY`` for shared reference
    data (or when it cannot be told), None for rows outside any city's data."""
    if isinstance(row, Kpi):
        return _EVERY_CITY
    if isinstance(row, KpiTarget) and row.city_id is None and row.scope != "city":
        return _EVERY_CITY
    parent = _PARENTS.get(type(row))
    if parent is not None:
        parent_class, attribute = parent
        parent_id = getattr(row, attribute)
        owner = session.get(parent_class, parent_id) if parent_id is not None else None
        return _owner(session, owner) if owner is not None else _EVERY_CITY
    if not hasattr(row, "city_id"):
        return None
    if row.city_id is not None:
        return int(row.city_id)
    city = getattr(row, "city", None)
    return city.id if isinstance(city, City) and city.id is not None else _EVERY_CITY


def _note_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Note which cities the rows about to be flushed belong to."""
    pending: set[int | object] = session.info.setdefault(WROTE_INFO_KEY, set())
    changed = [(row, True) for row in (*session.new, *session.deleted)]
    changed += [(row, False) for row in session.dirty]
    with session.no_autoflush:
        for row, created_or_deleted in changed:
            if isinstance(row, City):
                if not created_or_deleted and session.is_modified(row):
                    pending.add(row.id)
                continue
            if isinstance(row, AuditEntry):
                continue
            if not created_or_deleted and isinstance(row, _UPDATES_EXEMPT):
                continue
            owner = _owner(session, row)
            if owner is None or owner in pending:
                continue  # (is_modified is costly: checked once per city, not per row)
            if created_or_deleted or session.is_modified(row):
                pending.add(owner)
    if not pending:
        del session.info[WROTE_INFO_KEY]


def _bump_before_commit(session: Session) -> None:
    """Raise the noted cities' versions as the transaction's last statement, so the
    city rows stay locked (PostgreSQL) for the commit only, not for a long import."""
    session.flush()  # the commit would flush these after this hook: note them now
    pending: set[int | object] = session.info.get(WROTE_INFO_KEY) or set()
    if not pending:
        return
    table = City.__table__
    statement = update(table).values(data_version=table.c.data_version + 1)  # type: ignore[arg-type]
    if _EVERY_CITY not in pending:
        ids = sorted(p for p in pending if isinstance(p, int))
        statement = statement.where(table.c.id.in_(ids))  # sorted: a stable lock order
    session.execute(statement)
    for row in list(session.identity_map.values()):
        if isinstance(row, City):
            session.expire(row, ["data_version"])


def note_city_write(session: Session, city_id: int | None = None) -> None:
    """Count a write the ORM cannot see (a bulk statement) for ``city_id`` (None: every
    city): its version is raised when the transaction commits."""
    session.info.setdefault(WROTE_INFO_KEY, set()).add(_EVERY_CITY if city_id is None else city_id)


def _transaction_ended(session: Session, *_args: Any) -> None:
    session.info.pop(WROTE_INFO_KEY, None)


event.listen(Session, "before_flush", _note_before_flush)
event.listen(Session, "before_commit", _bump_before_commit)
event.listen(Session, "after_commit", _transaction_ended)
event.listen(Session, "after_rollback", _transaction_ended)
