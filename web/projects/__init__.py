"""Candidate projects and the project library (city leaders)."""

from __future__ import annotations

from web.access import city_api_blueprint, city_blueprint

bp = city_blueprint("projects", __name__, "projects")
api = city_api_blueprint("projects_api", __name__, "projects")

from web.projects import views  # noqa: E402, F401
