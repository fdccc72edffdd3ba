"""Landing page, one's cities, a city's dashboard and their JSON twins."""

from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, render_template
from werkzeug.wrappers import Response

from models.services.dashboard import city_overview
from models.services.kpi_values import kpi_summary
from models.services.procurement import splitting_warnings
from models.services.users import cities_of
from web.access import city_api_blueprint, city_blueprint
from web.database import db_session
from web.rule_packs import configured_pack_dirs

bp = Blueprint("home", __name__)
city_bp = city_blueprint("dashboard", __name__)
api = city_api_blueprint("dashboard_api", __name__)


@bp.route("/")
def index() -> str:
    """Landing page: what the tool does; the user's cities once logged in."""
    cities = cities_of(db_session(), g.user) if g.user is not None else []
    return render_template("home/index.html", cities=cities)


@bp.route("/api/cities")
def api_cities() -> Response:
    """The cities the logged-in user belongs to, with their role."""
    if g.user is None:
        abort(401)
    return jsonify(
        {
            "cities": [
                {"slug": c.slug, "name": c.name, "role": role.value, "currency": c.currency}
                for c, role in cities_of(db_session(), g.user)
            ]
        }
    )


@city_bp.route("/")
def dashboard() -> str:
    """A city's dashboard: where it stands and what each persona can do next."""
    session = db_session()
    summary = kpi_summary(session, g.city)
    return render_template(
        "home/dashboard.html",
        overview=city_overview(session, g.city),
        snapshot=summary.snapshot,
        gaps=summary.gaps[:5],
        splitting=splitting_warnings(session, g.city, configured_pack_dirs()),
    )


@api.route("/")
def api_city() -> Response:
    """A city's profile and overview counts."""
    city = g.city
    return jsonify(
        {
            "slug": city.slug,
            "name": city.name,
            "country": city.country,
            "population": city.population,
            "households": city.households,
            "currency": city.currency,
            "rule_pack": city.rule_pack,
            "fiscal_year_start_month": city.fiscal_year_start_month,
            "is_demo": city.is_demo,
            "role": g.role.value,
            "overview": city_overview(db_session(), city).as_dict(),
        }
    )
