"""Error responses: HTML pages for people, JSON documents under ``/api/``.

Every JSON error has the shape ``{"error": {"status": 422, "message": "...",
"problems": [{"message", "row", "column", "field"}, ...]}}``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from decision_support.errors import DecisionSupportError, InputError


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


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DecisionSupportError, _domain_error)
