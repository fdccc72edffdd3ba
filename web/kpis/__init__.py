"""KPI baseline and U4SSC benchmarking pages (city leaders)."""

from __future__ import annotations

from web.access import city_api_blueprint, city_blueprint

bp = city_blueprint("kpis", __name__, "kpis")
api = city_api_blueprint("kpis_api", __name__, "kpis")

from web.kpis import views  # noqa: E402, F401
