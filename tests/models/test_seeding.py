from sqlalchemy import func, select

from models.audit import AuditEntry
from models.cities import City
from models.kpis import Kpi
from models.services.demo import DEMO_USERS, seed_demo
from models.services.reference_data import load_kpi_catalogue
from models.session import make_engine, make_session_factory, transaction
from models.users import Membership, User


def _counts(session):
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (City, Kpi, User, Membership, AuditEntry)
    }


def test_seeding_twice_changes_nothing(database_url):
    """The test database is already seeded once; a second run creates nothing."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        before = _counts(session)
    with transaction(factory) as session:
        assert load_kpi_catalogue(session) == 0
        created = seed_demo(session)
    assert set(created.values()) == {0}
    with transaction(factory) as session:
        assert _counts(session) == before
        assert before["Kpi"] == 91
        assert before["User"] == len(DEMO_USERS)
        demo = session.scalar(select(City).where(City.slug == "demo-city"))
        assert demo is not None and demo.is_demo and "fictional" in demo.name.lower()
    engine.dispose()


def test_a_demo_city_seeded_before_the_buyer_record_gets_it(database_url):
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        demo = session.scalar(select(City).where(City.slug == "demo-city"))
        assert (demo.country_code, demo.buyer_id_scheme) == ("ES", "ES-DIR3")
        demo.country_code = demo.region_code = demo.buyer_id_scheme = demo.buyer_id = ""
    with transaction(factory) as session:
        assert seed_demo(session)["buyer_record"] == 1
    with transaction(factory) as session:
        demo = session.scalar(select(City).where(City.slug == "demo-city"))
        assert (demo.region_code, demo.buyer_id) == ("CT", "L01089990")
        assert seed_demo(session)["buyer_record"] == 0
    engine.dispose()
