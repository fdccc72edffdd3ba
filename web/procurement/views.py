"""Procurement pages: the procedure/timeline assessment, the ICT tender checker with
its printable report and exports, and the city's planned contracts with the
anti-splitting warnings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from decision_support.data.editions import data_edition
from decision_support.errors import InputError, Problem
from models.permissions import Action, may
from models.services.procurement import (
    PlannedContractInput,
    assess_planned_contracts,
    assess_row,
    city_projects,
    city_rule_pack,
    contract_rule_pack,
    delete_planned_contract,
    input_from_project,
    planned_contract,
    save_planned_contract,
    save_tender_check,
    tender_check,
    tender_checks,
    to_domain,
)
from rules.assessment import Assessment, assess
from rules.checker import check_tender
from rules.contract import Lot, PlannedContract
from rules.criteria_pack import load_criteria_pack
from rules.ocds_export import DEFAULT_OCID_PREFIX, export_planned_tender
from rules.ocds_review import review_document
from rules.report_xlsx import assessment_xlsx, report_xlsx
from rules.rule_pack import RulePack, available_packs, load_pack, route_pack
from rules.tender import TenderDescription, tender_from_mapping
from rules.tender_input import is_ocds, parse_tender_input, tenders_from_input
from web.access import city_api_blueprint, city_blueprint, require
from web.database import db_session
from web.downloads import download, json_download
from web.forms import attach_problems
from web.procurement.forms import (
    FEATURES,
    AssessmentForm,
    DeleteForm,
    PlannedContractForm,
    TenderForm,
    TenderUploadForm,
    clause_labels,
)
from web.rule_packs import configured_pack_dirs, pack_dirs
from web.uploads import UploadedFile, import_upload

bp = city_blueprint("procurement", __name__, "procurement")
api = city_api_blueprint("procurement_api", __name__, "procurement")

ASSESSMENT_FIELDS = {
    "estimated_value": "value",
    "options_value": "options",
    "renewals_value": "renewals",
}


def _pack(name: str | None = None, on: date | None = None) -> RulePack:
    if name:
        return load_pack(name, on=on, search_dirs=pack_dirs())
    return city_rule_pack(g.city, on, configured_pack_dirs())


def _number(value: Decimal | float | None) -> float:
    return float(value) if value is not None else 0.0


def _lot_values(text: str | None) -> tuple[float, ...]:
    return tuple(float(part) for part in (text or "").split(",") if part.strip())


def _renamed(error: InputError, names: dict[str, str]) -> InputError:
    return InputError(
        [
            Problem(p.message, p.row, p.column, names.get(p.field or "", p.field))
            for p in error.problems
        ]
    )


# --------------------------------------------------------------------------- assessment


def _contract_from_form(form: Any) -> PlannedContract:
    lots = _lot_values(form.lots.data)
    return PlannedContract(
        category=form.category.data,
        authority=form.authority.data,
        estimated_value=_number(form.value.data),
        options_value=_number(form.options.data),
        renewals_value=_number(form.renewals.data),
        lots=tuple(Lot(value=v, id=str(i)) for i, v in enumerate(lots, start=1)),
        cpv=form.cpv.data or None,
        notice_date=form.date.data,
        framework=form.framework_years.data is not None,
        framework_years=_number(form.framework_years.data) if form.framework_years.data else None,
        electronic=bool(form.electronic.data),
        pin=bool(form.pin.data),
        urgent=bool(form.urgent.data),
        documents_at_notice=not form.documents_later.data,
        needs_innovation=bool(form.innovation.data),
        needs_negotiation=bool(form.negotiation.data),
        concession=bool(form.concession.data),
        call_off=bool(form.call_off.data),
        buyer=g.city.name,
        title="Planned contract",
    )


@bp.route("/")
def index() -> str | Response | tuple[str, int]:
    """Assessment form with the answer on the same page (GET: it changes nothing)."""
    submitted = "value" in request.args
    form = AssessmentForm(formdata=request.args if submitted else None)
    form.pack.choices = _pack_choices()
    form.procedure.choices = _procedure_choices("Recommended procedure")
    result: Assessment | None = None
    contract: PlannedContract | None = None
    status = 200
    if submitted:
        if form.validate():
            contract = _contract_from_form(form)
            try:
                pack = _routed_pack(form.pack.data, contract)
                result = assess(contract, pack, procedure_id=form.procedure.data or None)
            except InputError as exc:
                attach_problems(form, _renamed(exc, ASSESSMENT_FIELDS))
        if result is None:
            status = 422
    if result is not None and contract is not None:
        export = request.args.get("export")
        if export == "xlsx":
            return download(assessment_xlsx(result), "procurement-assessment.xlsx")
        if export == "ocds":
            package = export_planned_tender(contract, result, ocid_prefix=_ocid_prefix())
            return json_download(package, "planned-tender-ocds.json")
    return render_template(
        "procurement/index.html",
        form=form,
        result=result,
        export_args={k: v for k, v in request.args.items() if k != "export"},
        recent_checks=tender_checks(db_session(), g.city)[:5],
    ), status


def _routed_pack(name: str | None, contract: PlannedContract) -> RulePack:
    """The named pack (or the city's) on the contract's notice date, routed to the
    jurisdiction's concessions pack for a concession."""
    on = contract.notice_date or date.today()
    return route_pack(_pack(name, contract.notice_date), contract.contract_kind, on, pack_dirs())


def _procedure_choices(empty_label: str) -> list[SelectChoice]:
    """The city's pack's procedures, then those of its concessions pack (if any)."""
    pack = _pack()
    concessions = route_pack(pack, "concession", date.today(), pack_dirs())
    choices = [SelectChoice("", empty_label)]
    choices += [SelectChoice(p.id, p.name) for p in pack.procedures]
    if concessions is not pack:
        choices += [SelectChoice(p.id, f"{p.name} (concession)") for p in concessions.procedures]
    return choices


def _ocid_prefix() -> str:
    return str(current_app.config.get("OCDS_OCID_PREFIX") or DEFAULT_OCID_PREFIX)


# --------------------------------------------------------------------------- checker


def _tri_state(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def tender_mapping(form: Any) -> dict[str, Any]:
    """The tender-description document a checker form describes."""
    data: dict[str, Any] = {
        "title": form.title.data,
        "category": form.category.data,
        "authority": form.authority.data,
        "electronic_submission": bool(form.electronic_submission.data),
        "currency": g.city.currency,
    }
    optional = {
        "value": float(form.value.data) if form.value.data is not None else None,
        "procedure": form.procedure.data or None,
        "notice_date": form.notice_date.data.isoformat() if form.notice_date.data else None,
        "tender_deadline": form.tender_deadline.data.isoformat()
        if form.tender_deadline.data
        else None,
        "lot_reasons": form.lot_reasons.data or None,
        "duration_months": form.duration_months.data,
        "framework_years": float(form.framework_years.data) if form.framework_years.data else None,
        "min_turnover": float(form.min_turnover.data) if form.min_turnover.data else None,
        "payment_days": form.payment_days.data,
        "specification_text": form.specification_text.data or None,
    }
    data |= {k: v for k, v in optional.items() if v is not None}
    if data.get("framework_years"):
        data["framework"] = True
    lots = _lot_values(form.lots.data)
    if lots:
        data["lots"] = [{"id": str(i), "value": v} for i, v in enumerate(lots, start=1)]
    criteria = [
        {"name": name, "type": kind, "weight": weight}
        for name, kind, weight in (
            ("Quality", "quality", form.weight_quality.data),
            ("Price", "price", form.weight_price.data),
            ("Life-cycle cost", "cost", form.weight_cost.data),
        )
        if weight
    ]
    if criteria:
        data["award_criteria"] = criteria
    features = {
        key: state
        for key in FEATURES
        if (state := _tri_state(getattr(form, f"feature_{key}").data)) is not None
    }
    clauses = {
        key: state
        for key in clause_labels()
        if (state := _tri_state(getattr(form, f"clause_{key}").data)) is not None
    }
    if features:
        data["features"] = features
    if clauses:
        data["clauses"] = clauses
    return data


def _check_tenders(
    tenders: list[TenderDescription],
    authority: str,
    pack_name: str | None = None,
    data_quality: list[Problem] | None = None,
) -> list[Any]:
    return [
        check_tender(
            tender,
            _pack(pack_name, tender.notice_date),
            default_authority=authority,
            data_quality=data_quality or (),
        )
        for tender in tenders
    ]


def _pack_choices() -> list[SelectChoice]:
    """The city's own pack first, then every installed pack."""
    return [SelectChoice("", f"The city's pack ({g.city.rule_pack})")] + [
        SelectChoice(p.id, f"{p.id}: {p.title}") for p in available_packs(pack_dirs())
    ]


@bp.route("/check", methods=["GET", "POST"])
def check() -> str | Response | tuple[str, int]:
    """The ICT tender checker: fill in the form or upload an OCDS / description file."""
    form = TenderForm(prefix="t")
    upload = TenderUploadForm(prefix="u")
    upload.pack.choices = _pack_choices()
    pack = _pack()
    form.procedure.choices = [SelectChoice("", "Not stated")] + [
        SelectChoice(p.id, p.name) for p in pack.procedures
    ]
    status = 200
    problems: list[Problem] = []
    if request.method == "POST":
        require(Action.EDIT_PROCUREMENT)
        status = 422
        if form.submit.data and form.validate():
            try:
                tender = tender_from_mapping(tender_mapping(form), "form")
                reports = _check_tenders([tender], tender.authority or "sub-central")
                saved = save_tender_check(db_session(), g.city, g.user, reports, source="form")
            except InputError as exc:
                attach_problems(form, exc)
            else:
                return redirect(url_for("procurement.report", check_id=saved.id))
        elif upload.submit.data and upload.validate() and _pack_listed(upload):
            outcome = import_upload(upload, upload.file, lambda file: _check_upload(upload, file))
            if outcome.result is not None:
                return outcome.result
            problems = outcome.problems
    return render_template(
        "procurement/check.html",
        form=form,
        upload=upload,
        problems=problems,
        pack=pack,
        features=FEATURES,
        clauses=clause_labels(),
        criteria_count=len(load_criteria_pack().criteria),
        criteria_edition=data_edition("rules/criteria/ict-criteria.yaml"),
    ), status


def _pack_listed(upload: TenderUploadForm) -> bool:
    """The chosen rule pack is one of those offered (blank: the city's own)."""
    if (upload.pack.data or "") in {str(c.value) for c in upload.pack.choices or ()}:
        return True
    upload.pack.errors = ["Choose one of the listed rule packs"]
    return False


def _check_upload(upload: TenderUploadForm, file: UploadedFile) -> Response:
    """Check every tender of an uploaded OCDS or description file and save the check."""
    document = parse_tender_input(file.content, file.filename)
    spec = upload.specification_text.data or ""
    tenders = [
        t.with_specification(spec) if spec else t
        for t in tenders_from_input(document, file.filename)
    ]
    quality = review_document(document) if is_ocds(document) else []
    reports = _check_tenders(
        tenders, upload.authority.data or "sub-central", upload.pack.data or None, quality
    )
    saved = save_tender_check(
        db_session(), g.city, g.user, reports, source="upload", filename=file.filename
    )
    return redirect(url_for("procurement.report", check_id=saved.id))


@bp.route("/checks/")
def checks() -> str:
    """Saved tender checks, newest first."""
    return render_template("procurement/checks.html", checks=tender_checks(db_session(), g.city))


def _saved_check(check_id: int) -> Any:
    saved = tender_check(db_session(), g.city, check_id)
    if saved is None:
        abort(404)
    return saved


@bp.route("/checks/<int:check_id>")
def report(check_id: int) -> str:
    """Printable report of one tender check: findings with fixes, and the timeline."""
    return render_template("procurement/report.html", check=_saved_check(check_id))


@bp.route("/checks/<int:check_id>/report.xlsx")
def report_download(check_id: int) -> Response:
    """The check's report as an Excel workbook."""
    saved = _saved_check(check_id)
    return download(report_xlsx(saved.reports), f"tender-check-{saved.id}.xlsx")


# --------------------------------------------------------------------------- planned contracts


def _contract_input(form: PlannedContractForm) -> PlannedContractInput:
    return PlannedContractInput(
        code=form.code.data or "",
        title=form.title.data or "",
        category=form.category.data or "",
        authority=form.authority.data or "",
        estimated_value=_number(form.estimated_value.data),
        options_value=_number(form.options_value.data),
        renewals_value=_number(form.renewals_value.data),
        lot_values=_lot_values(form.lots.data),
        cpv=form.cpv.data or "",
        notice_date=form.notice_date.data,
        framework_years=_number(form.framework_years.data) if form.framework_years.data else None,
        urgent=bool(form.urgent.data),
        pin=bool(form.pin.data),
        electronic=bool(form.electronic.data),
        needs_innovation=bool(form.needs_innovation.data),
        needs_negotiation=bool(form.needs_negotiation.data),
        direct_award_ground=form.direct_award_ground.data or "",
        project_id=form.project_id.data,
        procedure=form.procedure.data or "",
        contract_kind=form.contract_kind.data or "contract",
    )


def _project_choices(form: PlannedContractForm) -> None:
    form.procedure.choices = _procedure_choices("Recommended procedure")
    form.project_id.choices = [SelectChoice("", "No project")] + [
        SelectChoice(str(p.id), f"{p.code}: {p.name}") for p in city_projects(db_session(), g.city)
    ]


@bp.route("/contracts/", methods=["GET", "POST"])
def contracts() -> str | Response | tuple[str, int]:
    """The city's planned contracts, their procedures and the anti-splitting warnings.
    ``?project=<id>`` prefills the form from one of the city's projects."""
    form = PlannedContractForm()
    _project_choices(form)
    project_id = request.args.get("project", type=int)
    if request.method == "GET" and project_id is not None:
        project = next((p for p in city_projects(db_session(), g.city) if p.id == project_id), None)
        if project is None:
            abort(404)
        prefill = input_from_project(project)
        form.process(
            data={
                "project_id": prefill.project_id,
                "code": prefill.code,
                "title": prefill.title,
                "category": prefill.category,
                "authority": prefill.authority,
                "estimated_value": prefill.estimated_value,
                "cpv": prefill.cpv,
                "electronic": True,
            }
        )
    status = 200
    if request.method == "POST":
        require(Action.EDIT_PROCUREMENT)
        status = 422
        if form.validate():
            try:
                row = save_planned_contract(db_session(), g.city, g.user, _contract_input(form))
            except InputError as exc:
                attach_problems(form, exc)
            else:
                flash(f"Planned contract {row.code} saved.", "success")
                return redirect(url_for("procurement.contracts"))
    views, warnings = assess_planned_contracts(db_session(), g.city, configured_pack_dirs())
    return render_template(
        "procurement/contracts.html", form=form, views=views, warnings=warnings
    ), status


def _own_contract(contract_id: int) -> Any:
    row = planned_contract(db_session(), g.city, contract_id)
    if row is None:
        abort(404)
    return row


@bp.route("/contracts/<int:contract_id>", methods=["GET", "POST"])
def contract(contract_id: int) -> str | Response | tuple[str, int]:
    """One planned contract: its assessment and timeline, and editing it."""
    row = _own_contract(contract_id)
    form = PlannedContractForm(obj=row)
    _project_choices(form)
    if request.method == "GET":
        form.lots.data = ", ".join(f"{lot['value']:g}" for lot in row.lots or [])
    status = 200
    if request.method == "POST":
        require(Action.EDIT_PROCUREMENT)
        status = 422
        if form.validate():
            try:
                save_planned_contract(db_session(), g.city, g.user, _contract_input(form), row)
            except InputError as exc:
                attach_problems(form, exc)
            else:
                flash(f"Planned contract {row.code} saved.", "success")
                return redirect(url_for("procurement.contract", contract_id=row.id))
    domain = to_domain(row, g.city)
    try:
        result: Assessment | None = assess_row(
            row, domain, contract_rule_pack(g.city, domain, configured_pack_dirs())
        )
        problem = ""
    except InputError as exc:
        result, problem = None, str(exc)
    if result is not None and row.procedure and result.recommended.id != row.procedure:
        problem = (
            f"The chosen procedure {row.procedure!r} is not available for this contract "
            "under the rule pack; the recommended procedure is shown."
        )
    return render_template(
        "procurement/contract.html",
        row=row,
        form=form,
        delete_form=DeleteForm(),
        result=result,
        problem=problem,
        can_edit=may(g.role, Action.EDIT_PROCUREMENT),
    ), status


@bp.route("/contracts/<int:contract_id>/delete", methods=["POST"])
def contract_delete(contract_id: int) -> Response:
    """Delete a planned contract."""
    require(Action.EDIT_PROCUREMENT)
    row = _own_contract(contract_id)
    if not DeleteForm().validate():
        abort(400)
    code = row.code
    delete_planned_contract(db_session(), g.city, g.user, row)
    flash(f"Planned contract {code} deleted.", "success")
    return redirect(url_for("procurement.contracts"))


def _contract_assessment(contract_id: int) -> tuple[PlannedContract, Assessment]:
    row = _own_contract(contract_id)
    domain = to_domain(row, g.city)
    return domain, assess_row(
        row, domain, contract_rule_pack(g.city, domain, configured_pack_dirs())
    )


@bp.route("/contracts/<int:contract_id>/ocds.json")
def contract_ocds(contract_id: int) -> Response:
    """The planned contract as an OCDS 1.1.5 release package (planning/tender stage)."""
    domain, result = _contract_assessment(contract_id)
    package = export_planned_tender(domain, result, ocid_prefix=_ocid_prefix())
    return json_download(package, f"{domain.id}-ocds.json")


@bp.route("/contracts/<int:contract_id>/assessment.xlsx")
def contract_xlsx(contract_id: int) -> Response:
    """The planned contract's assessment as an Excel workbook."""
    domain, result = _contract_assessment(contract_id)
    return download(assessment_xlsx(result), f"{domain.id}-assessment.xlsx")


# --------------------------------------------------------------------------- JSON API


@api.route("/")
def api_overview() -> Response:
    """The city's procurement settings and the packs available."""
    return jsonify(
        {
            "rule_pack": g.city.rule_pack,
            "packs": [
                {
                    "id": p.id,
                    "jurisdiction": p.jurisdiction,
                    "valid_from": p.valid_from.isoformat(),
                    "valid_to": p.valid_to.isoformat() if p.valid_to else None,
                }
                for p in available_packs(pack_dirs())
            ],
        }
    )


@api.route("/assess")
def api_assess() -> Response | tuple[Response, int]:
    """Assessment of a planned contract given as query parameters (same names as the form)."""
    form = AssessmentForm(formdata=request.args)
    form.pack.choices = []
    form.procedure.choices = []
    if not form.validate():
        problems = [
            {"field": name, "message": message}
            for name, messages in form.errors.items()
            for message in messages
        ]
        return jsonify(
            {"error": {"status": 422, "message": "invalid parameters", "problems": problems}}
        ), 422
    contract = _contract_from_form(form)
    result = assess(
        contract,
        _routed_pack(form.pack.data, contract),
        procedure_id=form.procedure.data or None,
    )
    return jsonify(result.as_dict())


@api.route("/contracts")
def api_contracts() -> Response:
    """Planned contracts with their assessment and the anti-splitting warnings."""
    views, warnings = assess_planned_contracts(db_session(), g.city, configured_pack_dirs())
    return jsonify(
        {
            "contracts": [
                {
                    "id": v.row.id,
                    "code": v.row.code,
                    "title": v.row.title,
                    "category": v.row.category,
                    "contract_kind": v.row.contract_kind,
                    "estimated_value": v.row.estimated_value,
                    "notice_date": v.row.notice_date.isoformat() if v.row.notice_date else None,
                    "above_threshold": v.assessment.above_threshold if v.assessment else None,
                    "recommended_procedure": v.assessment.recommended.id if v.assessment else None,
                    "earliest_contract_signature": v.assessment.earliest_signature.isoformat()
                    if v.assessment
                    else None,
                    "problem": v.problem or None,
                }
                for v in views
            ],
            "splitting_warnings": [w.as_dict() for w in warnings],
        }
    )


@api.route("/checks/<int:check_id>")
def api_check(check_id: int) -> Response:
    """A saved tender check (its reports as JSON)."""
    saved = _saved_check(check_id)
    return jsonify(
        {
            "id": saved.id,
            "title": saved.title,
            "created_at": saved.created_at.isoformat(),
            "pack": saved.pack_id,
            "legal_failures": saved.legal_failures,
            "reports": saved.reports,
        }
    )
