"""Access control for city pages and the JSON API.

A city blueprint made by ``city_blueprint`` serves URLs under
``/cities/<city_slug>/…``: it requires a logged-in user, answers 404 when the user
is not a member of the city (a city one does not belong to does not exist, as far
as one can tell), and puts ``g.city`` and ``g.role`` on the request. Views call
``require(Action.X)`` to answer 403 for actions the role may not take.
``city_api_blueprint`` does the same under ``/api/cities/<city_slug>/…`` with
JSON errors (401 instead of a redirect to the login page).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, request, url_for
from werkzeug.wrappers import Response

from models.permissions import Action, may
from models.services.users import member_city
from web.database import db_session


def _take_city_slug(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values is not None and "city_slug" in values:
        g.city_slug = values.pop("city_slug")


def _load_member_city() -> None:
    """Put the city and the member's role on ``g``; 404 for non-members."""
    found = member_city(db_session(), g.user, g.city_slug)
    if found is None:
        abort(404)
    g.city, g.role = found


def _add_city_slug(endpoint: str, values: dict[str, Any]) -> None:
    if "city_slug" not in values and g.get("city") is not None:
        values["city_slug"] = g.city.slug


def _member_page() -> Response | None:
    if g.get("user") is None:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    _load_member_city()
    return None


def _member_api() -> None:
    if g.get("user") is None:
        abort(401)
    _load_member_city()


def city_blueprint(name: str, import_name: str, feature: str = "") -> Blueprint:
    """A blueprint for a city's pages under ``/cities/<city_slug>/<feature>``."""
    prefix = "/cities/<city_slug>" + (f"/{feature}" if feature else "")
    bp = Blueprint(name, import_name, url_prefix=prefix)
    bp.url_value_preprocessor(_take_city_slug)
    bp.url_defaults(_add_city_slug)
    bp.before_request(_member_page)
    return bp


def city_api_blueprint(name: str, import_name: str, feature: str = "") -> Blueprint:
    """A JSON API blueprint under ``/api/cities/<city_slug>/<feature>``."""
    prefix = "/api/cities/<city_slug>" + (f"/{feature}" if feature else "")
    bp = Blueprint(name, import_name, url_prefix=prefix)
    bp.url_value_preprocessor(_take_city_slug)
    bp.url_defaults(_add_city_slug)
    bp.before_request(_member_api)
    return bp


def require(action: Action) -> None:
    """Abort with 403 unless the current member's role may take ``action``."""
    if not may(g.role, action):
        abort(403)


def can(action: Action) -> bool:
    """For templates: may the current member take ``action``?"""
    role = g.get("role")
    return role is not None and may(role, action)
