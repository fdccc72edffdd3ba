"""Scenario pages."""

from __future__ import annotations

from flask import g, jsonify, render_template
from sqlalchemy import select
from werkzeug.wrappers import Response

from models.scenarios import Scenario
from web.database import db_session
from web.scenarios import api, bp


def _scenarios() -> list[Scenario]:
    return list(
        db_session().scalars(
            select(Scenario).where(Scenario.city_id == g.city.id).order_by(Scenario.name)
        )
    )


@bp.route("/")
def index() -> str:
    """The city's saved scenarios."""
    return render_template("scenarios/index.html", scenarios=_scenarios())


@api.route("/")
def api_list() -> Response:
    """The city's saved scenarios with their version counters."""
    return jsonify(
        {"scenarios": [{"id": s.id, "name": s.name, "version": s.version} for s in _scenarios()]}
    )
