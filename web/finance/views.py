"""Finance pages: mechanisms (list, details, city terms, spreadsheet), the fiscal
profile, and the funding-mix calculator. Every member may look and calculate; only
roles with ``EDIT_FINANCE`` (finance officers, admins) may change anything."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from decision_support.data.editions import data_edition
from decision_support.errors import InputError, Problem
from decision_support.finance.fiscal import DebtRules, FiscalProfile, FiscalYear, debt_rule_presets
from decision_support.finance.funding_mix import (
    FundingMixResult,
    ProjectFinanceInput,
    evaluate_funding_mix,
)
from decision_support.finance.mechanisms import Mechanism, load_mechanisms
from decision_support.finance.mix_xlsx import funding_mix_xlsx
from decision_support.finance.schedules import debt_service_per_unit
from models.permissions import Action
from models.services.finance import (
    RULE_FIELDS,
    city_mechanisms,
    fiscal_profile,
    import_mechanism_workbook,
    mechanism_rows,
    mechanism_workbook,
    reset_mechanism,
    save_fiscal_profile,
    update_mechanism,
)
from models.services.projects import list_candidates, project_by_code, to_candidate
from web.access import city_api_blueprint, city_blueprint, require
from web.charts import figure_html
from web.database import db_session
from web.downloads import download
from web.finance.forms import (
    FiscalProfileForm,
    FundingMixBaseForm,
    ImportForm,
    MechanismForm,
    funding_mix_form_class,
)
from web.uploads import UploadedFile, import_upload

bp = city_blueprint("finance", __name__, "finance")
api = city_api_blueprint("finance_api", __name__, "finance")

YEAR_ROWS = 10


def _field_error(field: Any, message: str) -> None:
    field.errors = [*field.errors, message]


def _attach(
    form: FlaskForm,
    exc: InputError,
    fields: dict[str, Any],
    key: Callable[[str], str] = str,
) -> None:
    """Show each problem next to the field ``fields[key(problem.field)]`` names (else on
    the form as a whole)."""
    for problem in exc.problems:
        target = fields.get(key(problem.field or ""))
        if target is not None:
            _field_error(target, problem.message)
        else:
            form.form_errors.append(str(problem) if problem.field is None else problem.message)


def _status() -> int:
    return 422 if request.method == "POST" else 200


@bp.route("/")
def index() -> str:
    """The mechanism catalogue as this city has set it up."""
    session = db_session()
    return render_template(
        "finance/index.html",
        mechanisms=city_mechanisms(session, g.city),
        profile=fiscal_profile(session, g.city),
        import_form=ImportForm(),
        problems=[],
        catalogue_edition=data_edition("decision_support/data/financing_mechanisms.yaml"),
    )


def _differs(value: Any, default: Any) -> bool:
    if isinstance(value, list | tuple):
        return sorted(value) != sorted(default)
    return bool(value != default)


@bp.route("/mechanisms/<mechanism_id>", methods=["GET", "POST"])
def mechanism(mechanism_id: str) -> str | Response | tuple[str, int]:
    """One mechanism: its terms with their sources, and the city's overrides."""
    session = db_session()
    current = city_mechanisms(session, g.city).find(mechanism_id)
    if current is None:
        abort(404)
    default = load_mechanisms().get(mechanism_id)
    form = MechanismForm()
    if request.method == "POST":
        require(Action.EDIT_FINANCE)
        if form.validate_on_submit():
            defaults = default.figures()
            overrides = {
                name: value
                for name, value in form.figures().items()
                if _differs(value, defaults[name])
            }
            try:
                update_mechanism(
                    session,
                    g.city,
                    g.user,
                    mechanism_id,
                    enabled=bool(form.enabled.data),
                    overrides=overrides,
                    note=form.note.data or "",
                )
            except InputError as exc:
                # "<id>.<field>" or "<id>.<field>.<list index>" → the form's field
                fields = {f"{mechanism_id}.{name}": f for name, f in form._fields.items()}
                _attach(form, exc, fields, key=lambda name: ".".join(name.split(".")[:2]))
            else:
                flash(f"{current.name}: terms saved.", "success")
                return redirect(url_for("finance.mechanism", mechanism_id=mechanism_id))
    else:
        form.load(current)
        row = mechanism_rows(session, g.city).get(mechanism_id)
        form.note.data = row.note if row is not None else ""
    return render_template(
        "finance/mechanism.html", mechanism=current, default=default, form=form
    ), _status()


@bp.route("/mechanisms/<mechanism_id>/reset", methods=["POST"])
def reset(mechanism_id: str) -> Response:
    """Go back to the catalogue's terms for one mechanism."""
    require(Action.EDIT_FINANCE)
    if mechanism_id not in load_mechanisms():
        abort(404)
    if FlaskForm().validate_on_submit():
        mechanism = reset_mechanism(db_session(), g.city, g.user, mechanism_id)
        flash(f"{mechanism.name}: back to the catalogue's terms.", "success")
    return redirect(url_for("finance.mechanism", mechanism_id=mechanism_id))


@bp.route("/mechanisms.xlsx")
def export_mechanisms() -> Response:
    """The city's mechanism settings as a workbook to edit and import again."""
    data = mechanism_workbook(db_session(), g.city)
    return download(data, f"{g.city.slug}-financing-mechanisms.xlsx")


@bp.route("/mechanisms/import", methods=["POST"])
def import_mechanisms() -> str | Response | tuple[str, int]:
    """Replace the city's mechanism settings with an edited workbook (all-or-nothing)."""
    require(Action.EDIT_FINANCE)
    session = db_session()
    form = ImportForm()
    problems: list[Problem] = []
    if form.validate_on_submit():
        outcome = import_upload(form, form.file, _import_mechanisms)
        if outcome.result is not None:
            return outcome.result
        problems = outcome.problems
    return render_template(
        "finance/index.html",
        mechanisms=city_mechanisms(session, g.city),
        profile=fiscal_profile(session, g.city),
        import_form=form,
        problems=problems,
        catalogue_edition=data_edition("decision_support/data/financing_mechanisms.yaml"),
    ), 422


def _import_mechanisms(upload: UploadedFile) -> Response:
    import_mechanism_workbook(db_session(), g.city, g.user, upload.content)
    flash("Mechanism settings imported.", "success")
    return redirect(url_for("finance.index"))


def _fill_profile_form(form: FiscalProfileForm, profile: FiscalProfile | None) -> None:
    while len(form.years.entries):
        form.years.pop_entry()
    if profile is None:
        form.discount_rate.data = 0.04
        first = datetime.date.today().year
        for offset in range(YEAR_ROWS):
            form.years.append_entry({"year": first + offset})
        return
    form.discount_rate.data = profile.discount_rate
    rules = profile.debt_rules
    form.preset.data = rules.preset or ""
    for name in RULE_FIELDS:
        getattr(form, name).data = getattr(rules, name)
    for fy in profile.years:
        form.years.append_entry(fy.__dict__)
    form.years.append_entry({"year": profile.last_year + 1})


def _rules_from_form(form: FiscalProfileForm) -> DebtRules:
    values = {name: getattr(form, name).data for name in RULE_FIELDS}
    values["count_leases_and_ppp"] = bool(values["count_leases_and_ppp"])
    preset = debt_rule_presets().get(form.preset.data or "")
    if preset is not None and all(getattr(preset, k) == v for k, v in values.items()):
        return preset
    return DebtRules(**values, status="city_override")


def _profile_from_form(form: FiscalProfileForm) -> tuple[FiscalProfile, list[Any]]:
    entries = [
        entry
        for entry in form.years.entries
        if entry.form.year.data is not None and not entry.form.is_blank()
    ]
    years = tuple(
        FiscalYear(
            **{
                name: field.data
                for name, field in entry.form._fields.items()
                if name != "csrf_token"
            }
        )
        for entry in entries
    )
    profile = FiscalProfile(
        city=g.city.name,
        currency=g.city.currency,
        discount_rate=form.discount_rate.data or 0.0,
        years=years,
        debt_rules=_rules_from_form(form),
        population=g.city.population,
    )
    return profile, entries


@bp.route("/fiscal-profile", methods=["GET", "POST"])
def fiscal() -> str | Response | tuple[str, int]:
    """Revenue, capital budget, existing debt and debt rules, with headroom per year."""
    session = db_session()
    profile = fiscal_profile(session, g.city)
    form = FiscalProfileForm()
    status = 200
    if request.method == "POST":
        require(Action.EDIT_FINANCE)
        preset = debt_rule_presets().get(form.preset.data or "")
        if form.apply_preset.data and preset is not None:
            for name in RULE_FIELDS:
                rule_field = getattr(form, name)
                rule_field.data = getattr(preset, name)
                rule_field.raw_data = None  # render the preset, not what was posted
            flash(f"Rules of “{preset.name}” filled in; save to keep them.", "info")
        elif form.validate_on_submit():
            candidate, entries = _profile_from_form(form)
            fields: dict[str, Any] = {
                "discount_rate": form.discount_rate,
                **{f"debt_rules.{name}": getattr(form, name) for name in RULE_FIELDS},
            }
            for index, entry in enumerate(entries):
                fields.update({f"years[{index}].{n}": f for n, f in entry.form._fields.items()})
            if not entries:
                form.form_errors.append("Enter at least one year.")
                status = 422
            else:
                try:
                    save_fiscal_profile(session, g.city, g.user, candidate)
                except InputError as exc:
                    _attach(form, exc, fields)
                    status = 422
                else:
                    flash("Fiscal profile saved.", "success")
                    return redirect(url_for("finance.fiscal"))
        else:
            status = 422
    else:
        _fill_profile_form(form, profile)
    headroom = profile.headroom() if profile is not None else []
    return render_template(
        "finance/fiscal.html",
        form=form,
        profile=profile,
        headroom=headroom,
        capacities=_borrowing_capacities(profile, city_mechanisms(session, g.city).enabled),
        presets=debt_rule_presets(),
        presets_edition=data_edition("decision_support/data/debt_rule_presets.yaml"),
    ), status


def _borrowing_capacities(
    profile: FiscalProfile | None, mechanisms: tuple[Mechanism, ...]
) -> list[tuple[Mechanism, float | None]]:
    """For each enabled mechanism that counts as city debt: the most that could be drawn
    in the profile's first year without breaking the debt-service limit later."""
    if profile is None or profile.debt_rules.max_debt_service_ratio is None:
        return []
    return [
        (
            m,
            profile.borrowing_capacity(
                profile.first_year,
                debt_service_per_unit(
                    m.interest_rate, m.tenor_years, m.grace_years, m.amortisation, m.issuance_cost
                ),
            ),
        )
        for m in mechanisms
        if m.kind == "debt" and m.counts_as_city_debt
    ]


def _mix_chart(result: FundingMixResult) -> Any:
    years = [row.year for row in result.years]
    figure = go.Figure()
    outflows = {
        "Own funds": [r.own_funds for r in result.years],
        "Pre-financed grants": [r.prefinanced for r in result.years],
        "Debt service": [r.debt_service for r in result.years],
        "Deferred payments (PPP, EPC, lease)": [r.deferred_payments for r in result.years],
        "Opex": [r.opex for r in result.years],
    }
    inflows = {
        "Grants received": [-r.contributions_received for r in result.years],
        "Savings": [-r.savings for r in result.years],
        "Revenue": [-r.revenue for r in result.years],
    }
    for name, values in {**outflows, **inflows}.items():
        if any(values):
            figure.add_bar(x=years, y=values, name=name)
    figure.add_scatter(
        x=years,
        y=[r.net_cost for r in result.years],
        name="Net cost to the city",
        mode="lines+markers",
    )
    figure.update_layout(
        barmode="relative",
        title="City cash flows by year (outflows up, inflows down)",
        yaxis_title=g.city.currency,
    )
    return figure_html(figure, "funding-mix-chart")


def _project_from_form(form: FundingMixBaseForm) -> ProjectFinanceInput:
    capex: dict[int, float] = {}
    for entry in form.capex.entries:
        year, amount = entry.form.year.data, entry.form.amount.data
        if year is not None and amount:
            capex[year] = capex.get(year, 0.0) + float(amount)
    return ProjectFinanceInput(
        name=form.name.data or "",
        capex_by_year=capex,
        opex_per_year=form.opex_per_year.data or 0.0,
        savings_per_year=form.savings_per_year.data or 0.0,
        revenue_per_year=form.revenue_per_year.data or 0.0,
        lifetime_years=form.lifetime_years.data or 0,
        tags=frozenset(form.tags.data or ()),
    )


def _fill_from_project(form: FundingMixBaseForm, project: ProjectFinanceInput) -> None:
    """Pre-fill the calculator with a stored candidate project's costs and tags."""
    form.name.data = project.name
    years = sorted(project.capex_by_year)
    while len(form.capex.entries) < len(years):
        form.capex.append_entry()
    for entry in form.capex.entries:
        entry.form.amount.data = None
    for entry, year in zip(form.capex.entries, years, strict=False):
        entry.form.year.data = year
        entry.form.amount.data = project.capex_by_year[year]
    form.opex_per_year.data = project.opex_per_year
    form.savings_per_year.data = project.savings_per_year
    form.revenue_per_year.data = project.revenue_per_year
    form.lifetime_years.data = project.lifetime_years
    form.tags.data = sorted(project.tags)


@bp.route("/mix", methods=["GET", "POST"])
def mix() -> str | Response | tuple[str, int]:
    """Funding-mix calculator for one project: cash flows, NPV, chart and broken rules."""
    session = db_session()
    mechanisms = city_mechanisms(session, g.city)
    profile = fiscal_profile(session, g.city)
    enabled: list[Mechanism] = list(mechanisms.enabled)
    form = funding_mix_form_class(enabled)()
    result = None
    chart = None
    status = 200
    if request.method == "GET":
        first = profile.first_year + 1 if profile else datetime.date.today().year + 1
        for index, entry in enumerate(form.capex.entries):
            entry.form.year.data = first + index
        code = request.args.get("project")
        if code:
            row = project_by_code(session, g.city, code)
            if row is None:
                abort(404)
            candidate = to_candidate(row, g.city.currency)
            _fill_from_project(form, ProjectFinanceInput.from_candidate(candidate, first))
    elif form.validate_on_submit():
        project = _project_from_form(form)
        amounts = {mid: field.data for mid, field in form.amount_fields() if field.data}
        try:
            result = evaluate_funding_mix(project, amounts, mechanisms, profile)
        except InputError as exc:
            _attach(
                form,
                exc,
                {
                    "opex_per_year": form.opex_per_year,
                    "savings_per_year": form.savings_per_year,
                    "revenue_per_year": form.revenue_per_year,
                    "lifetime_years": form.lifetime_years,
                    "tags": form.tags,
                },
            )
            status = 422
        else:
            if request.form.get("export") == "xlsx":
                data = funding_mix_xlsx(result, g.city.currency, {m.id: m.name for m in mechanisms})
                return download(data, "funding-mix.xlsx")
            chart = _mix_chart(result)
    else:
        status = 422
    return render_template(
        "finance/mix.html",
        form=form,
        result=result,
        chart=chart,
        profile=profile,
        mechanisms={m.id: m for m in mechanisms},
        projects=list_candidates(session, g.city),
        chosen_project=request.args.get("project", ""),
    ), status


@api.route("/mechanisms")
def api_mechanisms() -> Response:
    """The city's financing mechanisms (catalogue with the city's terms) as JSON."""
    catalogue = city_mechanisms(db_session(), g.city)
    return jsonify(
        {
            "currency": catalogue.currency,
            "mechanisms": [{**m.as_dict(), "rate": m.interest_rate} for m in catalogue],
        }
    )


@api.route("/fiscal-profile")
def api_fiscal_profile() -> Response:
    """The city's fiscal profile with debt-service headroom per year, or 404."""
    profile = fiscal_profile(db_session(), g.city)
    if profile is None:
        abort(404)
    rules = profile.debt_rules
    return jsonify(
        {
            "city": profile.city,
            "currency": profile.currency,
            "discount_rate": profile.discount_rate,
            "debt_rules": {
                **{name: getattr(rules, name) for name in RULE_FIELDS},
                "preset": rules.preset,
                "status": rules.status,
                "url": rules.url,
            },
            "years": [fy.__dict__ for fy in profile.years],
            "headroom": [row.as_dict() for row in profile.headroom()],
        }
    )
