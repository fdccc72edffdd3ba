"""Candidate project pages."""

from __future__ import annotations

from flask import g, jsonify, render_template
from sqlalchemy import select
from werkzeug.wrappers import Response

from models.projects import Project
from web.database import db_session
from web.projects import api, bp


def _projects() -> list[Project]:
    return list(
        db_session().scalars(
            select(Project).where(Project.city_id == g.city.id).order_by(Project.code)
        )
    )


@bp.route("/")
def index() -> str:
    """The city's candidate projects."""
    return render_template("projects/index.html", projects=_projects())


@api.route("/")
def api_list() -> Response:
    """The city's candidate projects as JSON."""
    return jsonify(
        {
            "projects": [
                {
                    "id": p.code,
                    "name": p.name,
                    "low_cost": p.low_cost,
                    "capex_profile": p.capex_profile,
                    "opex_per_year": p.opex_per_year,
                    "savings_per_year": p.savings_per_year,
                    "tags": p.tags,
                }
                for p in _projects()
            ]
        }
    )
