"""Financing mechanisms, the fiscal profile and funding mixes (finance officers)."""

from __future__ import annotations

from web.access import city_api_blueprint, city_blueprint

bp = city_blueprint("finance", __name__, "finance")
api = city_api_blueprint("finance_api", __name__, "finance")

from web.finance import views  # noqa: E402, F401
