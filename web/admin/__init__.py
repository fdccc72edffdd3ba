"""City administration: members, city profile, audit log (admins)."""

from __future__ import annotations

from web.access import city_api_blueprint, city_blueprint

bp = city_blueprint("admin", __name__, "admin")
api = city_api_blueprint("admin_api", __name__, "admin")

from web.admin import views  # noqa: E402, F401
