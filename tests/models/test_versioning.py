"""The city's data version (raised with every write to its data) and the snapshot
cache keyed by it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.values import check_value
from models.audit import AuditEntry
from models.cache import SESSION_INFO_KEY, SnapshotCache
from models.cities import City, DataDomain
from models.financing import FinancingMechanism
from models.kpis import Kpi
from models.projects import Project
from models.scenarios import PortfolioRun
from models.services.kpi_values import city_assessment, save_kpi_value
from models.session import make_engine, make_session_factory

CODE = "EC: ICT: ICT: 1C"


@pytest.fixture
def factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _version(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalars(select(City.data_version).where(City.slug == "demo-city")).one()


def _city(session: Session) -> City:
    return session.scalars(select(City).where(City.slug == "demo-city")).one()


def _save(session: Session, value: str) -> None:
    save_kpi_value(session, _city(session), None, check_value(CODE, value, year="2026"))


def _shown(session: Session) -> float | None:
    _, _, assessment = city_assessment(session, _city(session))
    values = [s.value.value for s in assessment.scored if s.code == CODE and s.value.year == 2026]
    return values[0] if values else None


def test_a_committed_write_raises_the_version_once_and_a_rolled_back_one_not(factory):
    before = _version(factory)
    with factory() as session:
        _save(session, "10")
        session.commit()
    assert _version(factory) == before + 1
    with factory() as session:
        _save(session, "11")
        session.flush()
        session.rollback()
    assert _version(factory) == before + 1


def test_child_rows_and_the_city_row_raise_it(factory):
    before = _version(factory)
    with factory() as session:
        project = session.scalars(select(Project).where(Project.impacts.any())).first()
        assert project is not None
        project.impacts[0].change = project.impacts[0].change + 1
        session.commit()
    assert _version(factory) == before + 1
    with factory() as session:
        _city(session).name = "Demo City (renamed)"
        session.commit()
    assert _version(factory) == before + 2


def test_shared_reference_data_raises_every_city(factory):
    with factory() as session:
        other = City(
            slug="other", name="Other", country="X", population=10, currency="EUR", rule_pack="eu"
        )
        session.add(other)
        session.commit()
        versions = {c.slug: c.data_version for c in session.scalars(select(City))}
        kpi = session.scalars(select(Kpi)).first()
        assert kpi is not None
        kpi.definition = kpi.definition + " "
        session.commit()
        after = {c.slug: c.data_version for c in session.scalars(select(City))}
    assert after == {slug: version + 1 for slug, version in versions.items()}


def test_audit_entries_and_run_progress_leave_it_alone(factory):
    with factory() as session:
        city = _city(session)
        run = PortfolioRun(city_id=city.id, status="queued", settings={}, inputs={})
        session.add(run)
        session.commit()
    before = _version(factory)
    with factory() as session:
        run = session.get(PortfolioRun, run.id)
        assert run is not None
        run.status, run.progress = "running", 0.5
        session.add(AuditEntry(city_id=run.city_id, action="note", entity="test", details={}))
        session.commit()
    assert _version(factory) == before


def test_the_snapshot_is_cached_per_version(factory):
    with factory() as session:
        first = city_assessment(session, _city(session))[2]
    with factory() as session:
        assert city_assessment(session, _city(session))[2] is first  # served from the cache
        _save(session, "20")
        session.commit()
    with factory() as session:
        assert _shown(session) == 20.0
    cache = factory.kw["info"][SESSION_INFO_KEY]
    assert cache.misses == 2


def test_a_writing_transaction_sees_its_own_data_and_never_caches_it(factory):
    with factory() as session:
        _save(session, "30")
        session.commit()
    with factory() as session:
        assert _shown(session) == 30.0
        _save(session, "31")
        assert _shown(session) == 31.0  # its own, uncommitted write
        session.rollback()
    with factory() as session:
        assert _shown(session) == 30.0  # the rolled-back value was not cached


def test_threads_missing_the_same_entry_compute_it_once():
    cache = SnapshotCache(size=4)
    calls = []
    started = threading.Event()
    release = threading.Event()

    def compute() -> str:
        calls.append(1)
        started.set()
        release.wait(5)
        return "snapshot"

    results: list[str] = []
    first = threading.Thread(target=lambda: results.append(cache.get_or_compute("k", compute)))
    first.start()
    started.wait(5)
    others = [
        threading.Thread(target=lambda: results.append(cache.get_or_compute("k", compute)))
        for _ in range(5)
    ]
    for thread in others:
        thread.start()
    release.set()
    for thread in (first, *others):
        thread.join(5)
    assert results == ["snapshot"] * 6
    assert len(calls) == 1
    for n in range(5):
        cache.get_or_compute(n, lambda: "x")
    assert len(cache) == 4  # bounded: the oldest entries go


def _versions(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as session:
        city = _city(session)
        return {"data": city.data_version} | {d.value: city.version(d) for d in DataDomain}


def _raised(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {name for name in before if after[name] != before[name]}


def test_each_write_raises_its_own_domain_only(factory):
    before = _versions(factory)
    with factory() as session:
        _save(session, "40")
        session.commit()
    after_kpi = _versions(factory)
    assert _raised(before, after_kpi) == {"data", "kpis"}
    assert after_kpi["kpis"] == before["kpis"] + 1

    with factory() as session:
        project = session.scalars(select(Project).where(Project.impacts.any())).first()
        assert project is not None
        project.impacts[0].change = project.impacts[0].change + 1  # a child row
        session.commit()
    after_project = _versions(factory)
    assert _raised(after_kpi, after_project) == {"data", "projects"}

    with factory() as session:
        mechanism = session.scalars(select(FinancingMechanism)).first()
        assert mechanism is not None
        mechanism.enabled = not mechanism.enabled
        session.commit()
    after_finance = _versions(factory)
    assert _raised(after_project, after_finance) == {"data", "finance"}

    with factory() as session:
        _city(session).name = "Demo City (renamed again)"
        session.commit()
    assert _raised(after_finance, _versions(factory)) == {"data", "profile"}


def test_one_transaction_writing_two_domains_raises_both_once(factory):
    before = _versions(factory)
    with factory() as session:
        _save(session, "41")
        project = session.scalars(select(Project)).first()
        assert project is not None
        project.name = project.name + " (two domains)"
        session.commit()
    after = _versions(factory)
    assert _raised(before, after) == {"data", "kpis", "projects"}
    assert after["kpis"] == before["kpis"] + 1 and after["projects"] == before["projects"] + 1


def test_a_catalogue_change_raises_every_domain_of_every_city(factory):
    before = _versions(factory)
    with factory() as session:
        kpi = session.scalars(select(Kpi)).first()
        assert kpi is not None
        kpi.name = kpi.name + " "
        session.commit()
    after = _versions(factory)
    assert after == {name: version + 1 for name, version in before.items()}


def test_concurrent_writers_never_lose_a_raise(factory):
    """Two writers saving values at the same time: every committed write is counted
    (each increment is computed by the database under the row lock)."""
    writes_each = 6
    codes = [k.code for k in load_catalogue() if not k.data_points and k.value_kind == "number"]
    before = _versions(factory)
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer(code: str) -> None:
        try:
            start.wait(10)
            for n in range(writes_each):
                with factory() as session:
                    save_kpi_value(
                        session, _city(session), None, check_value(code, str(n), year="2026")
                    )
                    session.commit()
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(code,)) for code in codes[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    after = _versions(factory)
    assert after["kpis"] == before["kpis"] + 2 * writes_each
    assert after["data"] == before["data"] + 2 * writes_each
    assert _raised(before, after) == {"data", "kpis"}
