"""Procedures, timelines and ICT tender checks (procurement officers)."""

from __future__ import annotations

from web.access import city_api_blueprint, city_blueprint

bp = city_blueprint("procurement", __name__, "procurement")
api = city_api_blueprint("procurement_api", __name__, "procurement")

from web.procurement import views  # noqa: E402, F401
