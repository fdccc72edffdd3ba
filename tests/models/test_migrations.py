"""The Alembic migrations build exactly the ORM's schema, from empty, on the
database under test (SQLite by default, PostgreSQL in CI's second run)."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import DataError, IntegrityError

from models import migrate
from models.cities import City
from models.kpis import Kpi, KpiValue
from models.registry import Base
from models.session import make_engine, make_session_factory


def test_migrations_apply_from_empty_and_match_the_models(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        assert inspect(engine).get_table_names() == []
        migrate.upgrade(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_migrations_downgrade_to_empty_and_upgrade_again(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)
        assert "kpi_values" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_there_is_a_single_migration_head():
    assert len(migrate.current_heads()) == 1


@pytest.fixture
def session(database_url):
    engine = make_engine(database_url)
    session = make_session_factory(engine)()
    yield session
    session.close()
    engine.dispose()


def _city(**overrides):
    fields = dict(
        slug="x-city", name="X", country="Y", population=1000, currency="EUR", rule_pack="eu-2026"
    )
    fields.update(overrides)
    return City(**fields)


@pytest.mark.parametrize(
    "overrides",
    [{"population": 0}, {"currency": "EURO"}, {"fiscal_year_start_month": 13}, {"slug": ""}],
)
def test_check_constraints_keep_bad_cities_out(session, overrides):
    session.add(_city(**overrides))
    # PostgreSQL refuses an over-long string before checking constraints (DataError).
    with pytest.raises((IntegrityError, DataError)):
        session.flush()


def test_a_kpi_value_is_unique_per_city_kpi_data_point_and_year(session):
    city = _city()
    session.add(city)
    kpi = session.query(Kpi).filter_by(code="EC: ICT: ICT: 1C").one()
    session.flush()
    session.add(KpiValue(city_id=city.id, kpi_id=kpi.id, year=2024, value=50.0))
    session.add(KpiValue(city_id=city.id, kpi_id=kpi.id, year=2024, value=60.0))
    with pytest.raises(IntegrityError):
        session.flush()


@pytest.mark.parametrize(
    "overrides", [{"quality": "guesswork"}, {"year": 1800}, {"kpi_id": 999_999}]
)
def test_kpi_values_reject_bad_flags_years_and_unknown_kpis(session, overrides):
    city = _city()
    session.add(city)
    kpi = session.query(Kpi).filter_by(code="EC: ICT: ICT: 1C").one()
    session.flush()
    fields = dict(city_id=city.id, kpi_id=kpi.id, year=2024, value=50.0)
    fields.update(overrides)
    session.add(KpiValue(**fields))
    with pytest.raises(IntegrityError):
        session.flush()
