"""Landing page, the list of one's cities, and each city's dashboard."""

from __future__ import annotations

from flask import Blueprint

from web.access import city_api_blueprint, city_blueprint

bp = Blueprint("home", __name__)
city_bp = city_blueprint("dashboard", __name__)
api = city_api_blueprint("dashboard_api", __name__)

from web.home import views  # noqa: E402, F401
