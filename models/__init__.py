"""Persistence: the SQLAlchemy 2.0 ORM, the services that map ORM rows to and
from the pure domain objects, and the Alembic migrations.

Services flush and never commit; the web request or the CLI command that called
them commits once (see ``models.session.transaction``).
"""
