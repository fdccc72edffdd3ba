"""Fixtures for the database-layer tests: a session factory on the test's database,
one session, the demo city and its finance officer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.cities import City
from models.services.demo import DEMO_CITY_SLUG
from models.session import make_engine, make_session_factory
from models.users import User


@pytest.fixture
def factory(database_url):
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def session(factory):
    with factory() as session:
        yield session


@pytest.fixture
def city(session):
    return session.scalar(select(City).where(City.slug == DEMO_CITY_SLUG))


@pytest.fixture
def actor(session):
    return session.scalar(select(User).where(User.email == "finance@demo-city.example"))
