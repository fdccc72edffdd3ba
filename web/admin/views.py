"""Administration pages; every view here needs the ADMINISTER action."""

from __future__ import annotations

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from decision_support.errors import InputError
from models.permissions import Action
from models.services.cities import update_city_profile
from models.services.members import add_member, audit_trail, members_of
from models.users import Role
from web.access import city_api_blueprint, city_blueprint, require
from web.admin.forms import CityProfileForm, MemberForm
from web.database import db_session
from web.forms import attach_problems

bp = city_blueprint("admin", __name__, "admin")
api = city_api_blueprint("admin_api", __name__, "admin")


@bp.before_request
def _admins_only() -> None:
    require(Action.ADMINISTER)


@bp.route("/", methods=["GET", "POST"])
def index() -> str | Response | tuple[str, int]:
    """Members of the city, and adding or changing one."""
    form = MemberForm()
    if form.validate_on_submit():
        try:
            add_member(db_session(), g.city, g.user, form.email.data or "", Role(form.role.data))
        except InputError as exc:
            attach_problems(form, exc)
        else:
            flash(f"{form.email.data} is now {Role(form.role.data).label}.", "success")
            return redirect(url_for("admin.index"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/index.html", form=form, members=members_of(db_session(), g.city)
    ), status


@bp.route("/profile", methods=["GET", "POST"])
def profile() -> str | Response | tuple[str, int]:
    """Edit the city's profile (population, currency, rule pack, fiscal year)."""
    form = CityProfileForm(obj=g.city)
    if form.validate_on_submit():
        try:
            update_city_profile(
                db_session(),
                g.city,
                g.user,
                name=form.name.data or "",
                country=form.country.data or "",
                population=form.population.data or 0,
                households=form.households.data,
                currency=form.currency.data or "",
                rule_pack=form.rule_pack.data or "",
                fiscal_year_start_month=form.fiscal_year_start_month.data or 1,
            )
        except InputError as exc:
            attach_problems(form, exc)
        else:
            flash("City profile saved.", "success")
            return redirect(url_for("admin.profile"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/profile.html", form=form), status


@bp.route("/audit")
def audit() -> str:
    """Who changed what, newest first."""
    return render_template("admin/audit.html", entries=audit_trail(db_session(), g.city))


@api.before_request
def _api_admins_only() -> None:
    require(Action.ADMINISTER)


@api.route("/audit")
def api_audit() -> Response:
    """The city's audit log as JSON."""
    return jsonify(
        {
            "entries": [
                {
                    "at": e.at.isoformat(),
                    "user": e.user.email if e.user else None,
                    "action": e.action,
                    "entity": e.entity,
                    "entity_id": e.entity_id,
                    "details": e.details,
                }
                for e in audit_trail(db_session(), g.city)
            ]
        }
    )
