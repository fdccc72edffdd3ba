"""KPI pages."""

from __future__ import annotations

from flask import g, jsonify, render_template
from werkzeug.wrappers import Response

from models.services.kpi_values import catalogue, latest_values
from web.database import db_session
from web.kpis import api, bp


@bp.route("/")
def index() -> str:
    """The 91 U4SSC KPIs with the city's latest reported value of each."""
    session = db_session()
    return render_template(
        "kpis/index.html", kpis=catalogue(session), latest=latest_values(session, g.city)
    )


@api.route("/values")
def api_values() -> Response:
    """The city's latest KPI values (code in ITU's printed form)."""
    values = latest_values(db_session(), g.city)
    return jsonify(
        {
            "values": [
                {
                    "code": v.kpi.code,
                    "data_point": v.data_point or None,
                    "year": v.year,
                    "value": v.value,
                    "unit": v.unit,
                    "quality": v.quality,
                    "verified": v.verified,
                }
                for v in values.values()
            ]
        }
    )
