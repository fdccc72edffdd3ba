"""Migration facts_0001: planned contracts gain a kind (public contract, concession,
framework call-off); rows stored before it read as public contracts."""

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from models import migrate
from models.session import make_engine

INSERT_CITY = (
    "INSERT INTO cities (slug, name, country, population, currency, rule_pack, "
    "fiscal_year_start_month, is_demo, created_at) "
    "VALUES ('m-city', 'M', 'ES', 1000, 'EUR', 'eu-2026', 1, false, CURRENT_TIMESTAMP)"
)
INSERT_CONTRACT = (
    "INSERT INTO planned_contracts (city_id, code, title, category, authority, "
    "estimated_value, options_value, renewals_value, lots, cpv, urgent, pin, electronic, "
    "needs_innovation, needs_negotiation, direct_award_ground, procedure, updated_at{extra}) "
    "SELECT id, :code, 'T', 'services', 'sub-central', 1000, 0, 0, '[]', '', false, false, "
    "true, false, false, '', '', CURRENT_TIMESTAMP{value} FROM cities WHERE slug = 'm-city'"
)


def _columns(engine):
    return {c["name"] for c in inspect(engine).get_columns("planned_contracts")}


def test_existing_rows_become_public_contracts_and_bad_kinds_are_refused(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        migrate.upgrade(engine, "load_0001")
        assert "contract_kind" not in _columns(engine)
        with engine.begin() as conn:
            conn.execute(text(INSERT_CITY))
            conn.execute(text(INSERT_CONTRACT.format(extra="", value="")), {"code": "OLD"})
        migrate.upgrade(engine, "facts_0001")
        with engine.begin() as conn:
            kind = conn.execute(
                text("SELECT contract_kind FROM planned_contracts WHERE code = 'OLD'")
            ).scalar_one()
        assert kind == "contract"
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(
                text(INSERT_CONTRACT.format(extra=", contract_kind", value=", 'lease'")),
                {"code": "BAD"},
            )
        with engine.begin() as conn:
            conn.execute(
                text(INSERT_CONTRACT.format(extra=", contract_kind", value=", 'concession'")),
                {"code": "CONC"},
            )
        migrate.downgrade(engine, "load_0001")
        assert "contract_kind" not in _columns(engine)
        with engine.begin() as conn:
            codes = set(conn.execute(text("SELECT code FROM planned_contracts")).scalars())
        assert codes == {"OLD", "CONC"}
    finally:
        engine.dispose()
