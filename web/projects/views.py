"""Candidate project pages: the library, instantiating a template, creating, editing and
deleting candidates, the project page, gap → project matching, Excel round-trip, city
sizes, and the JSON API."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from decision_support.errors import InputError
from decision_support.kpis.catalogue import load_catalogue
from decision_support.projects.candidates import candidate_to_dict
from decision_support.projects.library import city_parameters, load_library
from decision_support.projects.matching import MEANINGFUL_SHARE, MIN_LIFETIME_COST
from decision_support.projects.model import CandidateProject, ProjectTemplate
from models.cache import data_key
from models.cities import DataDomain
from models.permissions import Action
from models.services import projects as service
from web.access import city_api_blueprint, city_blueprint, require
from web.charts import figure_html
from web.database import db_session
from web.downloads import download
from web.forms import attach_problems
from web.projects.forms import (
    DeleteForm,
    InstantiateForm,
    ProjectForm,
    UploadForm,
    sizes_form_class,
)
from web.templating import cached_html
from web.uploads import UploadedFile, import_upload

bp = city_blueprint("projects", __name__, "projects")
api = city_api_blueprint("projects_api", __name__, "projects")

_FORM_FIELD = {
    "procurement.category": "procurement_category",
    "procurement.cpv": "cpv",
    "procurement.contract": "contract",
    "procurement.estimated_value": "estimated_value",
    "risk.cost_overrun": "cost_overrun_risk",
    "risk.delivery": "delivery_risk",
}


def _candidate_or_404(code: str) -> CandidateProject:
    row = service.project_by_code(db_session(), g.city, code)
    if row is None:
        abort(404)
    return service.to_candidate(row, g.city.currency)


def _attach_project_problems(form: ProjectForm, error: InputError) -> None:
    """Each problem next to its field; impact problems on their table row."""
    rows = form.used_rows()
    leftovers = []
    for problem in error.problems:
        field = problem.field or ""
        if field.startswith("impacts[") and "]." in field:
            index = int(field[len("impacts[") : field.index("]")])
            name = field.split("].", 1)[1]
            if index < len(rows):
                sub = getattr(form.impacts.entries[rows[index]].form, name, None)
                if sub is not None:
                    sub.errors = [*sub.errors, problem.message]
                    continue
        name = _FORM_FIELD.get(field, field.split("[")[0])
        target = getattr(form, name, None) if name else None
        if name == "impacts":  # about the table as a whole: shown above and in the table
            form.impacts_errors.append(problem.message)
        elif target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, problem.message]
        else:
            leftovers.append(problem)
    if leftovers:
        attach_problems(form, InputError(leftovers))


# ------------------------------------------------------------------ list and library


@bp.route("/")
def index() -> str:
    """The city's candidate projects."""
    candidates = service.list_candidates(db_session(), g.city)
    table_html = cached_html(
        (*data_key(g.city, DataDomain.PROJECTS), "projects table"),
        lambda: render_template("projects/_table.html", candidates=candidates),
    )
    return render_template(
        "projects/index.html",
        candidates=candidates,
        table_html=table_html,
        capex_total=sum(c.capex_total for c in candidates),
        low_cost_count=sum(c.low_cost for c in candidates),
    )


@bp.route("/library")
def library() -> str:
    """Browse the project library; filter by low-cost, KPI or sub-dimension."""
    lib = load_library()
    low_cost = request.args.get("low_cost") == "1"
    kpi = request.args.get("kpi") or None
    sub_dimension = request.args.get("sub_dimension") or None
    if kpi and load_catalogue().find(kpi) is None:
        kpi = None
    templates = [
        t
        for t in lib.filter(low_cost=True if low_cost else None, kpi=kpi)
        if sub_dimension is None or t.sub_dimension == sub_dimension
    ]
    used = {c.template_id for c in service.list_candidates(db_session(), g.city)}
    return render_template(
        "projects/library.html",
        templates=templates,
        total=len(lib),
        low_cost=low_cost,
        kpi=kpi,
        sub_dimension=sub_dimension,
        sub_dimensions=sorted({t.sub_dimension for t in lib}),
        kpis=sorted({i.kpi for t in lib for i in t.impacts}),
        used=used,
    )


def _size_default_text(template: ProjectTemplate) -> str:
    size = template.size
    if size.default_value is not None:
        return f"{size.default_value:g} {size.unit}"
    factor = f"{size.default_factor:g} × " if size.default_factor != 1 else ""
    return f"{factor}the city's {size.default_from}"


@bp.route("/library/<template_id>", methods=["GET", "POST"])
def instantiate(template_id: str) -> str | Response | tuple[str, int]:
    """A template's details and the form that sizes it for this city."""
    template = load_library().find(template_id)
    if template is None:
        abort(404)
    form = InstantiateForm()
    form.size.label.text = f"{template.size.description} ({template.size.unit})"
    if request.method == "POST":
        require(Action.EDIT_PROJECTS)
    if form.validate_on_submit():
        sizes = {template.size.name: form.size.data} if form.size.data else {}
        try:
            row = service.instantiate_for_city(
                db_session(),
                g.city,
                template.id,
                sizes,
                form.cost_level.data or "typical",
                g.user,
                project_id=(form.project_id.data or "").strip() or None,
                earliest_start=form.earliest_start.data or 0,
                latest_start=form.latest_start.data,
            )
        except InputError as exc:
            for problem in exc.problems:
                if problem.field == template.size.name:
                    form.size.errors = [*form.size.errors, problem.message]
                elif problem.field == "id":
                    form.project_id.errors = [*form.project_id.errors, problem.message]
                else:
                    form.form_errors.append(str(problem))
        else:
            flash(f"{row.name} added to the candidates.", "success")
            return redirect(url_for("projects.show", code=row.code))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "projects/template.html",
        template=template,
        form=form,
        size_default=_size_default_text(template),
        catalogue=load_catalogue(),
    ), status


# ------------------------------------------------------------------ create / edit / delete


def _other_projects(exclude: str | None = None) -> list[tuple[str, str]]:
    """The city's other candidates as (id, name), for the requires/excludes lists."""
    candidates = service.list_candidates(db_session(), g.city)
    return sorted(((c.id, c.name) for c in candidates if c.id != exclude), key=lambda p: p[1])


def _project_form_page(
    form: ProjectForm, base: CandidateProject | None, original_id: str | None
) -> str | Response | tuple[str, int]:
    if form.is_submitted() and form.add_impact.data:
        form.impacts.append_entry()
        form.prepare(_other_projects(original_id))
        return render_template("projects/form.html", form=form, original_id=original_id), 200
    if form.validate_on_submit():
        try:
            project = form.to_project(base, g.city.currency)
            row = service.save_candidate(
                db_session(), g.city, project, g.user, original_id=original_id
            )
        except InputError as exc:
            _attach_project_problems(form, exc)
        else:
            flash(f"Project {row.code} saved.", "success")
            return redirect(url_for("projects.show", code=row.code))
    status = 422 if request.method == "POST" else 200
    return render_template("projects/form.html", form=form, original_id=original_id), status


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response | tuple[str, int]:
    """Create a candidate by hand."""
    require(Action.EDIT_PROJECTS)
    form = ProjectForm()
    form.prepare(_other_projects())
    return _project_form_page(form, None, None)


@bp.route("/<code>/edit", methods=["GET", "POST"])
def edit(code: str) -> str | Response | tuple[str, int]:
    """Edit a candidate (all fields, KPI impacts included)."""
    require(Action.EDIT_PROJECTS)
    base = _candidate_or_404(code)
    form = ProjectForm()
    if request.method == "GET":
        form.fill(base)
    form.prepare(_other_projects(code))
    return _project_form_page(form, base, code)


@bp.route("/<code>/delete", methods=["POST"])
def delete(code: str) -> Response | tuple[str, int]:
    """Delete a candidate (references to it are removed)."""
    require(Action.EDIT_PROJECTS)
    _candidate_or_404(code)
    form = DeleteForm()
    if not form.validate_on_submit():
        abort(400)
    service.delete_candidate(db_session(), g.city, code, g.user)
    flash(f"Project {code} deleted.", "success")
    return redirect(url_for("projects.index"))


# ------------------------------------------------------------------ project page


def _cost_chart(project: CandidateProject) -> Any:
    years = max(len(project.capex_by_year), int(project.lifetime_years + 0.999))
    labels = [f"Year {n + 1}" for n in range(years)]
    capex = [*project.capex_by_year, *([0.0] * (years - len(project.capex_by_year)))]
    start = len(project.capex_by_year)
    opex = [project.opex_per_year if n >= start - 1 else 0.0 for n in range(years)]
    savings = [-project.savings_per_year if n >= start - 1 else 0.0 for n in range(years)]
    figure = go.Figure()
    figure.add_bar(name="Capex", x=labels, y=capex)
    figure.add_bar(name="Opex", x=labels, y=opex)
    if project.savings_per_year:
        figure.add_bar(name="Savings", x=labels, y=savings)
    figure.update_layout(
        barmode="relative",
        title=f"Costs over time ({project.currency})",
        yaxis_title=project.currency,
        height=360,
    )
    return figure_html(figure, "project-costs")


@bp.route("/<code>")
def show(code: str) -> str:
    """One project: KPIs moved (before → after, band change), costs over time, tags,
    procurement, dependencies, sources and estimate notes."""
    project = _candidate_or_404(code)
    others = {c.id: c for c in service.list_candidates(db_session(), g.city)}
    template = load_library().find(project.template_id) if project.template_id else None
    return render_template(
        "projects/show.html",
        project=project,
        moves=service.kpi_moves(db_session(), g.city, project),
        chart=_cost_chart(project),
        others=others,
        required_by=[c for c in others.values() if project.id in c.requires],
        template=template,
        delete_form=DeleteForm(),
    )


# ------------------------------------------------------------------ matching


@bp.route("/match")
def match() -> str:
    """Priority KPI gaps with the candidates and templates that close them."""
    gaps = service.priority_gaps_for_city(db_session(), g.city)
    return render_template(
        "projects/match.html",
        result=service.match_for_city(db_session(), g.city, gaps),
        meaningful_share=MEANINGFUL_SHARE,
        min_cost=MIN_LIFETIME_COST,
    )


# ------------------------------------------------------------------ Excel and sizes


@bp.route("/export.xlsx")
def export_xlsx() -> Response:
    """Download the candidate list as a workbook."""
    data = service.export_candidates_xlsx(db_session(), g.city)
    return download(data, f"{g.city.slug}-candidates.xlsx")


@bp.route("/import", methods=["GET", "POST"])
def import_xlsx() -> str | Response | tuple[str, int]:
    """Upload an edited workbook: all-or-nothing, problems listed by row and column."""
    require(Action.EDIT_PROJECTS)
    form = UploadForm()
    problems: list[Any] = []
    if form.validate_on_submit():
        outcome = import_upload(form, form.file, lambda upload: _import_workbook(form, upload))
        if outcome.result is not None:
            return outcome.result
        problems = outcome.problems
    status = 422 if request.method == "POST" else 200
    return render_template("projects/import.html", form=form, problems=problems), status


def _import_workbook(form: UploadForm, upload: UploadedFile) -> Response:
    written = service.import_candidates_xlsx(
        db_session(), g.city, upload.content, g.user, replace_all=bool(form.replace_all.data)
    )
    flash(f"Workbook imported: {written} project(s) created or changed.", "success")
    return redirect(url_for("projects.index"))


@bp.route("/sizes", methods=["GET", "POST"])
def sizes() -> str | Response | tuple[str, int]:
    """The city's size parameters that templates scale with."""
    names = [n for n in city_parameters() if n not in ("population", "households")]
    names.append(service.EUR_RATE_SIZE)
    form_class = sizes_form_class(names)
    current = service.city_sizes(db_session(), g.city)
    form = form_class(data=current) if request.method == "GET" else form_class()
    if request.method == "POST":
        require(Action.EDIT_PROJECTS)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in names}
        try:
            service.set_city_sizes(db_session(), g.city, values, g.user)
        except InputError as exc:
            attach_problems(form, exc)
        else:
            flash("City sizes saved.", "success")
            return redirect(url_for("projects.sizes"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "projects/sizes.html",
        form=form,
        names=names,
        parameters=city_parameters(),
        eur_rate=service.EUR_RATE_SIZE,
    ), status


# ------------------------------------------------------------------ JSON API


@api.route("/")
def api_list() -> Response:
    """The city's candidate projects (full detail) as JSON."""
    candidates = service.list_candidates(db_session(), g.city)
    return jsonify(
        {
            "city": g.city.slug,
            "currency": g.city.currency,
            "count": len(candidates),
            "projects": [candidate_to_dict(c) for c in candidates],
        }
    )


@api.route("/<code>")
def api_show(code: str) -> Response:
    """One candidate project as JSON."""
    return jsonify(candidate_to_dict(_candidate_or_404(code)))
