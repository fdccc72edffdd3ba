"""Vendored front-end assets. Plotly's JavaScript is served from the installed
``plotly`` package (it ships ``plotly.min.js``), so the app works offline and
the bundle always matches the Python library that builds the figures.

The bundle is 4.85 MB; it is gzip-compressed once per process (≈ 1.4 MB on the
wire), its URL carries the plotly version (``?v=…``) so browsers may keep it for
a year without asking again, and pages load it with ``defer`` so they draw
before the script runs (chart fragments wait for ``DOMContentLoaded``, see
:func:`web.charts.figure_html`).
"""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from importlib import resources
from importlib.metadata import version

from flask import Blueprint, Flask, Response, request

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

ONE_YEAR = 365 * 24 * 3600


@cache
def _plotly_bundle() -> tuple[bytes, bytes, str]:
    """The bundle, its gzip-compressed copy and an entity tag (read once per process)."""
    raw = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    compressed = gzip.compress(raw, compresslevel=9, mtime=0)
    return raw, compressed, hashlib.sha256(raw).hexdigest()[:20]


def plotly_version() -> str:
    """The installed plotly package's version (cache-busting part of the bundle URL)."""
    return version("plotly")


def _accepts_gzip() -> bool:
    return any(
        part.split(";")[0].strip() == "gzip"
        for part in request.headers.get("Accept-Encoding", "").split(",")
    )


@bp.route("/plotly.min.js")
def plotly_js() -> Response:
    """Plotly's bundled JavaScript: gzip when the browser accepts it, cached for a year."""
    raw, compressed, etag = _plotly_bundle()
    gzipped = _accepts_gzip()
    response = Response(compressed if gzipped else raw, mimetype="text/javascript")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(f"{etag}-gz" if gzipped else etag)
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["plotly_version"] = plotly_version
