"""A city's data versions: one counter per data domain on the city row
(``cities.<domain>_version``, :class:`models.cities.DataDomain`), raised by one in
the same transaction as every write to that domain of the city's data, so anything
computed from some domains (the KPI snapshot from the KPI values and targets, the
projects list from the projects) can be cached under those domains' versions and is
recomputed after the next change of *them*, by whichever process serves the next
page. A KPI write leaves the projects list's cached entry valid, a finance write
the KPI snapshot's. ``cities.data_version`` is raised with every write, whatever
its domain.

The counters are raised by listeners on every ORM session (services need not
remember them): ``before_flush`` notes the (city, domain) pairs whose rows are
written and ``before_commit`` raises them with one ``UPDATE cities SET
kpis_version = kpis_version + 1, …`` (atomic under concurrent writers: each
increment reads the committed value under the row lock, so no writer's raise is
lost), last in the transaction so the city rows are locked only for the commit.

Which domain a row belongs to is :data:`DOMAIN_OF` (by ORM class; a row of a class
not listed there that has a ``city_id`` raises every domain of its city, so a new
table is never served stale). The city row itself is the profile domain. A change
of the KPI catalogue raises every domain of every city (KPI names are shown
everywhere), one of a reference target the KPI domain of every city. Two kinds of
rows are exempt when only *updated*: audit entries (they always accompany another
write) and the status/progress updates of portfolio runs and scenario jobs, which
a solve writes many times (creating or deleting one still counts). Bulk
``UPDATE``/``DELETE`` statements bypass the ORM and must note their writes
themselves with :func:`note_city_write`. Until the transaction ends,
``models.cache`` serves nothing from the cache to a session that has written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, case, event, update
from sqlalchemy.orm import Session

from models.audit import AuditEntry
from models.cache import WROTE_INFO_KEY
from models.cities import City, DataDomain, version_column
from models.financing import FinancingMechanism, FiscalProfileRecord, FiscalYearRecord
from models.kpis import Kpi, KpiTarget, KpiValue
from models.procurement import PlannedContract, TenderCheck
from models.projects import CitySize, Project, ProjectImpact
from models.scenario_jobs import ScenarioJob
from models.scenario_versions import ScenarioVersion
from models.scenarios import PortfolioRun, Scenario
from models.users import Membership

ALL_DOMAINS = frozenset(DataDomain)

# The domain of each kind of city row (rows of other classes with a city raise all).
DOMAIN_OF: dict[type[Any], DataDomain] = {
    City: DataDomain.PROFILE,
    Membership: DataDomain.PROFILE,
    KpiValue: DataDomain.KPIS,
    KpiTarget: DataDomain.KPIS,
    Project: DataDomain.PROJECTS,
    ProjectImpact: DataDomain.PROJECTS,
    CitySize: DataDomain.PROJECTS,
    FinancingMechanism: DataDomain.FINANCE,
    FiscalProfileRecord: DataDomain.FINANCE,
    FiscalYearRecord: DataDomain.FINANCE,
    PlannedContract: DataDomain.PROCUREMENT,
    TenderCheck: DataDomain.PROCUREMENT,
    Scenario: DataDomain.PORTFOLIO,
    ScenarioVersion: DataDomain.PORTFOLIO,
    PortfolioRun: DataDomain.PORTFOLIO,
    ScenarioJob: DataDomain.PORTFOLIO,
}
# Rows without a city_id of their own: (parent class, foreign-key attribute).
_PARENTS: dict[type[Any], tuple[type[Any], str]] = {
    ProjectImpact: (Project, "project_id"),
    FiscalYearRecord: (FiscalProfileRecord, "profile_id"),
    ScenarioVersion: (Scenario, "scenario_id"),
}
_UPDATES_EXEMPT = (AuditEntry, PortfolioRun, ScenarioJob)
_EVERY_CITY = object()

# What a transaction has written: city id (or _EVERY_CITY) → domains.
Pending = dict[int | object, set[DataDomain]]


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


def _domains(row: Any) -> frozenset[DataDomain]:
    """The domains a write of ``row`` changes."""
    if isinstance(row, Kpi):
        return ALL_DOMAINS
    domain = DOMAIN_OF.get(type(row))
    return ALL_DOMAINS if domain is None else frozenset((domain,))


def _pending(session: Session) -> Pending:
    pending: Pending = session.info.setdefault(WROTE_INFO_KEY, {})
    return pending


def _note_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Note which cities' domains the rows about to be flushed belong to."""
    pending = _pending(session)
    changed = [(row, True) for row in (*session.new, *session.deleted)]
    changed += [(row, False) for row in session.dirty]
    with session.no_autoflush:
        for row, created_or_deleted in changed:
            if isinstance(row, City):
                if not created_or_deleted and session.is_modified(row):
                    pending.setdefault(row.id, set()).add(DataDomain.PROFILE)
                continue
            if isinstance(row, AuditEntry):
                continue
            if not created_or_deleted and isinstance(row, _UPDATES_EXEMPT):
                continue
            owner = _owner(session, row)
            if owner is None:
                continue
            domains = _domains(row)
            if domains <= pending.get(owner, set()):
                continue  # (is_modified is costly: checked once per city and domain)
            if created_or_deleted or session.is_modified(row):
                pending.setdefault(owner, set()).update(domains)
    if not pending:
        del session.info[WROTE_INFO_KEY]


def _increment(column: str, cities: set[int] | None) -> ColumnElement[Any]:
    """``column + 1`` for ``cities`` (None: every city the statement touches)."""
    current = City.__table__.c[column]
    if cities is None:
        return current + 1
    return current + case((City.__table__.c.id.in_(sorted(cities)), 1), else_=0)


def _bump_before_commit(session: Session) -> None:
    """Raise the noted versions as the transaction's last statement, so the city
    rows stay locked (PostgreSQL) for the commit only, not for a long import."""
    session.flush()  # the commit would flush these after this hook: note them now
    pending: Pending = session.info.get(WROTE_INFO_KEY) or {}
    if not pending:
        return
    every = pending.get(_EVERY_CITY, set())
    cities = {owner: domains for owner, domains in pending.items() if isinstance(owner, int)}
    values: dict[str, ColumnElement[Any]] = {"data_version": City.__table__.c.data_version + 1}
    for domain in DataDomain:
        if domain in every:
            values[version_column(domain)] = _increment(version_column(domain), None)
            continue
        raised = {city for city, domains in cities.items() if domain in domains}
        if raised:
            whole = raised == set(cities) and not every
            values[version_column(domain)] = _increment(
                version_column(domain), None if whole else raised
            )
    table = City.__table__
    statement = update(table).values(values)  # type: ignore[arg-type]
    if not every:
        statement = statement.where(table.c.id.in_(sorted(cities)))  # a stable lock order
    session.execute(statement)
    for row in list(session.identity_map.values()):
        if isinstance(row, City):
            session.expire(row, ["data_version", *map(version_column, DataDomain)])


def note_city_write(
    session: Session, city_id: int | None = None, domains: Iterable[DataDomain] = ALL_DOMAINS
) -> None:
    """Count a write the ORM cannot see (a bulk statement) to ``domains`` of
    ``city_id`` (None: every city): their versions are raised when the transaction
    commits."""
    owner = _EVERY_CITY if city_id is None else city_id
    _pending(session).setdefault(owner, set()).update(domains)


def _transaction_ended(session: Session, *_args: Any) -> None:
    session.info.pop(WROTE_INFO_KEY, None)


event.listen(Session, "before_flush", _note_before_flush)
event.listen(Session, "before_commit", _bump_before_commit)
event.listen(Session, "after_commit", _transaction_ended)
event.listen(Session, "after_rollback", _transaction_ended)
