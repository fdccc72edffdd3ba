"""Error responses: HTML pages for people, JSON documents under ``/api/``.

Every JSON error has the shape ``{"error": {"status": 422, "message": "...",
"problems": [{"message", "row", "column", "field"}, ...]}}``.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from decision_support.errors import DecisionSupportError, InputError
from web.uploads import upload_limit_message


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, message: str, problems: list[dict[str, Any]] | None = None) -> Response:
    response = jsonify(
        {"error": {"status": status, "message": message, "problems": problems or []}}
    )
    response.status_code = status
    return response


def _http_error(exc: HTTPException) -> Response | tuple[str, int]:
    status = exc.code or 500
    if wants_json():
        return json_error(status, exc.description or exc.name)
    return render_template(
        "error.html", status=status, title=exc.name, message=exc.description
    ), status


def _csrf_error(exc: CSRFError) -> Response | tuple[str, int]:
    if wants_json():
        return json_error(400, f"CSRF check failed: {exc.description}")
    return render_template(
        "error.html", status=400, title="Form expired", message=exc.description
    ), 400


def _domain_error(exc: DecisionSupportError) -> Response | tuple[str, int]:
    problems = [p.as_dict() for p in exc.problems] if isinstance(exc, InputError) else []
    if wants_json():
        return json_error(422, str(exc), problems)
    return render_template(
        "error.html", status=422, title="Input not accepted", message=str(exc), problems=problems
    ), 422


def _same_site_page(referrer: str | None) -> str | None:
    """The path of the page the form was on, when it is this site's own page."""
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path or None


def _too_large(exc: RequestEntityTooLarge) -> Response | tuple[str, int]:
    """413: JSON for the API; for a form, the page it came from again, with the
    message next to its file field (``g.upload_error``), or an error page."""
    message = upload_limit_message()
    if wants_json():
        return json_error(
            413, message, [{"message": message, "row": None, "column": None, "field": "file"}]
        )
    path = _same_site_page(request.referrer) or request.path
    if request.method == "POST" and not getattr(g, "upload_error", None):
        environ = {
            key: value
            for key, value in request.environ.items()
            if key not in {"CONTENT_TYPE", "CONTENT_LENGTH", "wsgi.input", "QUERY_STRING"}
        }
        environ.update(
            {
                "REQUEST_METHOD": "GET",
                "PATH_INFO": path,
                "wsgi.input": BytesIO(b""),
                "CONTENT_LENGTH": "0",
            }
        )
        g.upload_error = message
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        with app.request_context(environ):
            page = app.full_dispatch_request()
        if page.status_code == 200 and page.mimetype == "text/html":
            page.status_code = 413
            return page
    return render_template("error.html", status=413, title="File too large", message=message), 413


def init_app(app: Flask) -> None:
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DecisionSupportError, _domain_error)
