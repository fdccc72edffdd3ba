"""Portfolio pages."""

from __future__ import annotations

from flask import g, jsonify, render_template
from sqlalchemy import select
from werkzeug.wrappers import Response

from models.scenarios import PortfolioRun
from web.database import db_session
from web.portfolio import api, bp


def _runs() -> list[PortfolioRun]:
    return list(
        db_session().scalars(
            select(PortfolioRun)
            .where(PortfolioRun.city_id == g.city.id)
            .order_by(PortfolioRun.created_at.desc())
        )
    )


@bp.route("/")
def index() -> str:
    """The city's optimisation runs, newest first."""
    return render_template("portfolio/index.html", runs=_runs())


@api.route("/runs")
def api_runs() -> Response:
    """The city's optimisation runs and their status."""
    return jsonify(
        {
            "runs": [
                {"id": r.id, "status": r.status, "created_at": r.created_at.isoformat()}
                for r in _runs()
            ]
        }
    )
