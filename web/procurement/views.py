"""Procurement pages."""

from __future__ import annotations

from flask import g, jsonify, render_template
from werkzeug.wrappers import Response

from web.procurement import api, bp


@bp.route("/")
def index() -> str:
    """Procurement overview: the rule pack the city uses."""
    return render_template("procurement/index.html")


@api.route("/")
def api_overview() -> Response:
    """The city's procurement settings."""
    return jsonify({"rule_pack": g.city.rule_pack})
