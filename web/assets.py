"""Vendored front-end assets. Plotly's JavaScript is served from the installed
``plotly`` package (it ships ``plotly.min.js``), so the app works offline and
the bundle always matches the Python library that builds the figures."""

from __future__ import annotations

from importlib import resources

from flask import Blueprint, Flask, Response, send_file

bp = Blueprint("vendor", __name__, url_prefix="/vendor")


@bp.route("/plotly.min.js")
def plotly_js() -> Response:
    """Plotly's bundled JavaScript, cached for a day."""
    path = resources.files("plotly") / "package_data" / "plotly.min.js"
    with resources.as_file(path) as file:
        return send_file(file, mimetype="text/javascript", max_age=86400)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
