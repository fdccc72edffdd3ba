"""Portfolio optimisation runs and results (city leaders, finance officers)."""

from __future__ import annotations

from web.access import city_api_blueprint, city_blueprint

bp = city_blueprint("portfolio", __name__, "portfolio")
api = city_api_blueprint("portfolio_api", __name__, "portfolio")

from web.portfolio import views  # noqa: E402, F401
