"""Saved funding scenarios and what-ifs (finance officers, city leaders)."""

from __future__ import annotations

from web.access import city_api_blueprint, city_blueprint

bp = city_blueprint("scenarios", __name__, "scenarios")
api = city_api_blueprint("scenarios_api", __name__, "scenarios")

from web.scenarios import views  # noqa: E402, F401
