"""Login and logout views, and loading the logged-in user."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from models.services.users import authenticate
from models.users import User
from web.auth.forms import LoginForm
from web.database import db_session

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.before_app_request
def load_logged_in_user() -> None:
    """Put the logged-in user (or None) on ``g.user``."""
    user_id = session.get("user_id")
    user = db_session().get(User, user_id) if user_id is not None else None
    g.user = user if user is not None and user.is_active else None


def _safe_next(target: str | None) -> str | None:
    """Only local paths are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Log in with e-mail and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db_session(), form.email.data or "", form.password.data or "")
        if user is not None:
            session.clear()
            session["user_id"] = user.id
            return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
        form.password.errors.append("E-mail or password is not correct.")
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Log out (POST with a CSRF token, so no other site can log a user out)."""
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("home.index"))
