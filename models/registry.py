"""Import every ORM module so that ``Base.metadata`` knows every table (Alembic's
autogenerate and the test fixtures read it from here)."""

from models import (
    audit,
    cities,
    financing,
    job_pieces,
    kpis,
    procurement,
    projects,
    scenario_jobs,
    scenario_versions,
    scenarios,
    users,
)
from models.base import Base

__all__ = [
    "Base",
    "audit",
    "cities",
    "financing",
    "job_pieces",
    "kpis",
    "procurement",
    "projects",
    "scenario_jobs",
    "scenario_versions",
    "scenarios",
    "users",
]
