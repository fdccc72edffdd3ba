"""Finance pages."""

from __future__ import annotations

from flask import g, jsonify, render_template
from sqlalchemy import select
from werkzeug.wrappers import Response

from models.financing import FinancingMechanism
from web.database import db_session
from web.finance import api, bp


def _mechanisms() -> list[FinancingMechanism]:
    return list(
        db_session().scalars(
            select(FinancingMechanism)
            .where(FinancingMechanism.city_id == g.city.id)
            .order_by(FinancingMechanism.name)
        )
    )


@bp.route("/")
def index() -> str:
    """The financing mechanisms the city has set up."""
    return render_template("finance/index.html", mechanisms=_mechanisms())


@api.route("/mechanisms")
def api_mechanisms() -> Response:
    """The city's financing mechanisms as JSON."""
    return jsonify(
        {
            "mechanisms": [
                {
                    "id": m.key,
                    "name": m.name,
                    "type": m.mechanism_type,
                    "enabled": m.enabled,
                    "rate": m.rate,
                    "tenor_years": m.tenor_years,
                }
                for m in _mechanisms()
            ]
        }
    )
