"""Administration pages; every view here needs the ADMINISTER action."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from decision_support.errors import InputError
from models.permissions import Action
from models.services.cities import BuyerRecord, update_city_profile
from models.services.members import (
    add_member,
    audit_page,
    audit_trail,
    invite_user,
    member_by_email,
    members_of,
    remove_member,
    reset_password,
)
from models.users import Role
from web.access import city_api_blueprint, city_blueprint, require
from web.admin.forms import (
    AuditFilterForm,
    CityProfileForm,
    InviteForm,
    MemberActionForm,
    MemberForm,
)
from web.database import db_session
from web.forms import attach_problems

bp = city_blueprint("admin", __name__, "admin")
api = city_api_blueprint("admin_api", __name__, "admin")


@bp.before_request
def _admins_only() -> None:
    require(Action.ADMINISTER)


def _members_page(
    form: MemberForm | None = None,
    invite: InviteForm | None = None,
    status: int = 200,
    issued: dict[str, str] | None = None,
) -> tuple[str, int]:
    return render_template(
        "admin/index.html",
        form=form or MemberForm(formdata=None),
        invite=invite or InviteForm(formdata=None, prefix="invite"),
        actions=MemberActionForm(formdata=None),
        members=members_of(db_session(), g.city),
        issued=issued,
    ), status


def _password_page(email: str, password: str, what: str) -> Response:
    """The members page with a temporary password shown once. It is rendered in this
    response (not flashed: the session cookie is readable) and never cached."""
    page, _ = _members_page(issued={"email": email, "password": password, "what": what})
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/", methods=["GET", "POST"])
def index() -> str | Response | tuple[str, int]:
    """Members of the city, and adding one or changing a role (after a confirmation)."""
    form = MemberForm()
    if not form.validate_on_submit():
        return _members_page(form, status=422 if request.method == "POST" else 200)
    role = Role(form.role.data)
    current = member_by_email(db_session(), g.city, form.email.data or "")
    if current is not None and current.role != role and form.confirm.data != "yes":
        form.confirm.data = "yes"
        page = render_template("admin/confirm_role.html", form=form, member=current, role=role)
        return page, 200
    try:
        add_member(db_session(), g.city, g.user, form.email.data or "", role)
    except InputError as exc:
        attach_problems(form, exc)
        return _members_page(form, status=422)
    flash(f"{form.email.data} is now {role.label}.", "success")
    return redirect(url_for("admin.index"))


@bp.route("/invite", methods=["POST"])
def invite() -> str | Response | tuple[str, int]:
    """Create an account with a temporary password and a role in this city."""
    form = InviteForm(prefix="invite")
    if form.validate_on_submit():
        role = Role(form.role.data)
        try:
            _, password = invite_user(
                db_session(), g.city, g.user, form.email.data or "", form.name.data or "", role
            )
        except InputError as exc:
            attach_problems(form, exc)
        else:
            return _password_page(
                form.email.data or "", password, f"can now log in as {role.label}"
            )
    return _members_page(invite=form, status=422)


@bp.route("/members", methods=["POST"])
def member_action() -> Response:
    """Reset a member's password or remove them from the city."""
    form = MemberActionForm()
    if not form.validate_on_submit() or not (form.reset.data or form.remove.data):
        abort(400)
    member = form.member.data or 0
    try:
        if form.reset.data:
            email, password = reset_password(db_session(), g.city, g.user, member)
            return _password_page(email, password, "has a new password")
        email = remove_member(db_session(), g.city, g.user, member)
        flash(f"{email} is no longer a member of {g.city.name}.", "success")
    except InputError as exc:
        flash(str(exc.problems[0].message), "error")
    return redirect(url_for("admin.index"))


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
                buyer=BuyerRecord(
                    language=form.language.data or "",
                    country_code=form.country_code.data or "",
                    region_code=form.region_code.data or "",
                    buyer_id_scheme=form.buyer_id_scheme.data or "",
                    buyer_id=form.buyer_id.data or "",
                ),
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
    """Who changed what, newest first: filtered by action, entity and user, paged."""
    form = AuditFilterForm(request.args)
    form.validate()
    page = audit_page(
        db_session(),
        g.city,
        action=form.action.data or "",
        entity=form.entity.data or "",
        user=form.user.data or "",
        page=form.page.data if isinstance(form.page.data, int) else 1,
    )
    form.action.choices = [SelectChoice("", "Any action")] + [
        SelectChoice(a, a.replace("_", " ")) for a in page.actions
    ]
    form.entity.choices = [SelectChoice("", "Anything")] + [
        SelectChoice(e, e.replace("_", " ")) for e in page.entities
    ]
    filters = {k: v for k, v in request.args.items() if k in ("action", "entity", "user") and v}
    return render_template("admin/audit.html", form=form, log=page, filters=filters)


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
