"""Scenario pages: saved scenarios and what-ifs, their history, and background analyses.

Starting an analysis creates a job row (with the input snapshot) and, once the request
has committed it, a task on the job engine (``models.jobs``); the job page polls the
JSON API for progress, so it survives a reload, and offers cancel and retry buttons.
``SCENARIO_JOB_LAUNCH = "off"`` in the app config leaves jobs unqueued (tests run them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import yaml
from flask import (
    abort,
    after_this_request,
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

from decision_support.errors import InputError, Problem
from decision_support.files.documents import DocumentError, load_yaml
from models.jobs.liveness import lost_in_queue
from models.jobs.tasks import enqueue_scenario_job
from models.permissions import Action
from models.scenario_jobs import ScenarioJob
from models.scenarios import Scenario
from models.services.scenario_jobs import (
    job_status,
    jobs_of,
    refresh_liveness,
    request_cancel,
    retry_job,
    start_frontier_job,
    start_robustness_job,
    start_run_job,
    start_sensitivity_job,
)
from models.services.scenarios import (
    clone_scenario,
    create_scenario,
    export_scenario,
    history,
    import_scenario,
    restore_version,
    save_city_data,
    scenarios_of,
    update_scenario,
)
from scenarios.comparison import ComparedRun, compare_runs
from scenarios.files import library_whatifs
from scenarios.frontier import AXES
from scenarios.robustness import (
    DEFAULT_TIME_BUDGET_SECONDS,
    planned_solves,
    samples_for_budget,
    worst_case_seconds,
)
from scenarios.runner import available_workers
from scenarios.uncertainty import OVERRUN_BY_RISK, UncertaintySpec
from scenarios.workbook import change_lines, comparison_workbook
from web.access import can, city_api_blueprint, city_blueprint, require
from web.charts import figure_html
from web.database import db_session
from web.downloads import download
from web.forms import attach_problems
from web.job_progress import status_document
from web.rule_packs import configured_pack_dirs
from web.scenarios import charts
from web.scenarios.forms import (
    CancelForm,
    CityDataForm,
    CloneForm,
    EditForm,
    FrontierForm,
    ImportForm,
    RetryForm,
    RobustnessForm,
    RunForm,
    SensitivityForm,
    WhatIfForm,
)
from web.uploads import UploadedFile, import_upload

logger = logging.getLogger(__name__)

bp = city_blueprint("scenarios", __name__, "scenarios")
api = city_api_blueprint("scenarios_api", __name__, "scenarios")


def _scenario(scenario_id: int) -> Scenario:
    scenario = db_session().get(Scenario, scenario_id)
    if scenario is None or scenario.city_id != g.city.id:
        abort(404)
    return scenario


def _job(job_id: int) -> ScenarioJob:
    job = db_session().get(ScenarioJob, job_id)
    if job is None or job.city_id != g.city.id:
        abort(404)
    return job


def _forms() -> dict[str, Any]:
    """Every form of the index page, with choices from the city's scenarios."""
    # Full scenarios first, so the single-scenario forms default to a base, not a what-if.
    saved = sorted(scenarios_of(db_session(), g.city), key=lambda s: "base" in s.definition)
    choices = [SelectChoice(s.id, s.name) for s in saved]
    whatif = WhatIfForm(prefix="whatif")
    whatif.base.choices = [SelectChoice(s.name, s.name) for s in saved]
    whatif.library.choices = [SelectChoice("", "(none)")] + [
        SelectChoice(key, w.name) for key, w in library_whatifs().items()
    ]
    run = RunForm(prefix="run")
    run.scenario_ids.choices = choices
    if request.method == "GET":
        run.time_limit.data = int(_run_time_limit())
    frontier = FrontierForm(prefix="frontier")
    frontier.scenario_id.choices = choices
    frontier.axis.choices = [SelectChoice(a.name, a.label) for a in AXES.values()]
    robustness = RobustnessForm(prefix="robustness")
    robustness.scenario_id.choices = choices
    robustness.default_risk.choices = [SelectChoice(level, level) for level in OVERRUN_BY_RISK]
    sensitivity = SensitivityForm(prefix="sensitivity")
    sensitivity.scenario_id.choices = choices
    if not robustness.default_risk.data:
        robustness.default_risk.data = "medium"
    if robustness.samples.data is None and not robustness.samples.raw_data:
        robustness.samples.data = samples_for_budget(
            DEFAULT_TIME_BUDGET_SECONDS, UncertaintySpec.sample_time_limit, available_workers()
        )
    return {
        "city_form": CityDataForm(prefix="city"),
        "import_form": ImportForm(prefix="import"),
        "whatif_form": whatif,
        "run_form": run,
        "frontier_form": frontier,
        "robustness_form": robustness,
        "sensitivity_form": sensitivity,
    }


def _robustness_bound(samples: int | None) -> dict[str, Any]:
    """What the robustness form says about the time a run may take."""
    workers = available_workers()
    count = samples or 1
    return {
        "samples": count,
        "solves": planned_solves(count),
        "workers": workers,
        "limit": UncertaintySpec.sample_time_limit,
        "minutes": worst_case_seconds(count, UncertaintySpec.sample_time_limit, workers) / 60,
        "budget_minutes": DEFAULT_TIME_BUDGET_SECONDS / 60,
    }


def _index(
    forms: dict[str, Any], status: int = 200, import_problems: list[Problem] | None = None
) -> tuple[str, int]:
    return render_template(
        "scenarios/index.html",
        import_problems=import_problems or [],
        scenarios=scenarios_of(db_session(), g.city),
        jobs=jobs_of(db_session(), g.city),
        can_manage=can(Action.MANAGE_SCENARIOS),
        can_run=can(Action.RUN_PORTFOLIO),
        robustness_bound=_robustness_bound(forms["robustness_form"].samples.data),
        **forms,
    ), status


def _watch(job: ScenarioJob) -> None:
    """Make a job's row tell the truth before a page shows it: fail it if its worker
    stopped, queue it again if its task message was lost (see ``models.jobs.liveness``)."""
    refresh_liveness(db_session(), job)
    launch = current_app.config.get("SCENARIO_JOB_LAUNCH", "queue") != "off"
    if launch and lost_in_queue(job.status, job.created_at):
        logger.warning("scenario job %s waited queued with an empty queue: queued again", job.id)
        enqueue_scenario_job(job.id)


def _launch_after_commit(job: ScenarioJob) -> None:
    """Queue the job once the response (and so the request's commit) is done."""
    if current_app.config.get("SCENARIO_JOB_LAUNCH", "queue") == "off":
        return
    job_id = job.id

    @after_this_request
    def _start(response: Response) -> Response:
        response.call_on_close(lambda: enqueue_scenario_job(job_id))
        return response


@bp.route("/")
def index() -> tuple[str, int]:
    """Saved scenarios and what-ifs, forms to add and analyse them, recent jobs."""
    return _index(_forms())


@bp.route("/import", methods=["POST"])
def import_file() -> Response | tuple[str, int]:
    """Save an uploaded scenario or what-if file."""
    require(Action.MANAGE_SCENARIOS)
    forms = _forms()
    form = forms["import_form"]
    if form.validate_on_submit():
        outcome = import_upload(
            form, form.file, lambda upload: _import_scenario(form, upload), form_fields=("name",)
        )
        if outcome.result is not None:
            return outcome.result
        return _index(forms, 422, import_problems=outcome.problems)
    return _index(forms, 422)


def _import_scenario(form: ImportForm, upload: UploadedFile) -> Response:
    scenario = import_scenario(
        db_session(), g.city, g.user, upload.filename, upload.content, name=form.name.data or ""
    )
    flash(f"Imported '{scenario.name}'.", "success")
    return redirect(url_for("scenarios.detail", scenario_id=scenario.id))


def _parse_yaml(text: str, field: str) -> dict[str, Any]:
    try:
        data = load_yaml(text or "", source=field) or {}
    except DocumentError as exc:
        raise InputError(Problem(exc.located_reason, field=field)) from None
    if not isinstance(data, dict):
        raise InputError(Problem("must be a YAML mapping", field=field))
    return data


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@bp.route("/city-data", methods=["POST"])
def save_city() -> Response | tuple[str, int]:
    """Freeze the city's current data as a scenario (a base for what-ifs)."""
    require(Action.MANAGE_SCENARIOS)
    forms = _forms()
    form = forms["city_form"]
    if form.validate_on_submit():
        try:
            scenario = save_city_data(
                db_session(),
                g.city,
                g.user,
                name=form.name.data or "",
                start_year=int(form.start_year.data),
                horizon_years=int(form.horizon_years.data),
                pack_dirs=configured_pack_dirs(),
            )
        except InputError as exc:
            attach_problems(form, exc)
        else:
            flash(f"Saved the city's data as '{scenario.name}'.", "success")
            return redirect(url_for("scenarios.detail", scenario_id=scenario.id))
    return _index(forms, 422)


@bp.route("/whatif", methods=["POST"])
def create_whatif() -> Response | tuple[str, int]:
    """Create a what-if on a saved base from a standard what-if and/or own overrides."""
    require(Action.MANAGE_SCENARIOS)
    forms = _forms()
    form = forms["whatif_form"]
    if form.validate_on_submit():
        try:
            overrides: dict[str, Any] = {}
            description = form.description.data or ""
            if form.library.data:
                standard = library_whatifs()[form.library.data]
                overrides = dict(standard.overrides)
                description = description or standard.description
            overrides = _merge(overrides, _parse_yaml(form.overrides.data or "", "overrides"))
            scenario = create_scenario(
                db_session(),
                g.city,
                g.user,
                name=form.name.data or "",
                description=description,
                definition={"base": form.base.data, "overrides": overrides},
            )
        except InputError as exc:
            attach_problems(form, exc)
        else:
            flash(f"Created the what-if '{scenario.name}'.", "success")
            return redirect(url_for("scenarios.detail", scenario_id=scenario.id))
    return _index(forms, 422)


@bp.route("/<int:scenario_id>", methods=["GET", "POST"])
def detail(scenario_id: int) -> Response | tuple[str, int]:
    """A scenario: its definition, edit form (a save makes a new version) and history."""
    scenario = _scenario(scenario_id)
    form = EditForm(prefix="edit")
    if request.method == "GET":
        form.name.data = scenario.name
        form.description.data = scenario.description
        form.definition.data = yaml.safe_dump(
            scenario.definition, sort_keys=False, allow_unicode=True
        )
    elif form.validate_on_submit():
        require(Action.MANAGE_SCENARIOS)
        try:
            version = update_scenario(
                db_session(),
                scenario,
                g.user,
                name=form.name.data or "",
                description=form.description.data or "",
                definition=_parse_yaml(form.definition.data or "", "definition"),
                note=form.note.data or "",
            )
        except InputError as exc:
            attach_problems(form, exc)
        else:
            flash(f"Saved version {version.version}." if version else "Nothing changed.", "success")
            return redirect(url_for("scenarios.detail", scenario_id=scenario.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "scenarios/detail.html",
        scenario=scenario,
        form=form,
        clone_form=CloneForm(prefix="clone"),
        versions=history(db_session(), scenario),
        can_manage=can(Action.MANAGE_SCENARIOS),
    ), status


@bp.route("/<int:scenario_id>/clone", methods=["POST"])
def clone(scenario_id: int) -> Response:
    """Copy a scenario under a new name."""
    require(Action.MANAGE_SCENARIOS)
    scenario = _scenario(scenario_id)
    form = CloneForm(prefix="clone")
    if not form.validate_on_submit():
        flash("The copy needs a name.", "error")
        return redirect(url_for("scenarios.detail", scenario_id=scenario.id))
    try:
        copy = clone_scenario(db_session(), scenario, g.user, form.name.data or "")
    except InputError as exc:
        flash(str(exc), "error")
        return redirect(url_for("scenarios.detail", scenario_id=scenario.id))
    flash(f"Cloned as '{copy.name}'.", "success")
    return redirect(url_for("scenarios.detail", scenario_id=copy.id))


@bp.route("/<int:scenario_id>/restore/<int:version>", methods=["POST"])
def restore(scenario_id: int, version: int) -> Response:
    """Make an old version the newest one."""
    require(Action.MANAGE_SCENARIOS)
    scenario = _scenario(scenario_id)
    saved = restore_version(db_session(), scenario, g.user, version)
    flash(
        f"Restored version {version} as version {saved.version}." if saved else "Nothing changed.",
        "success",
    )
    return redirect(url_for("scenarios.detail", scenario_id=scenario.id))


@bp.route("/<int:scenario_id>/export")
def export(scenario_id: int) -> Response:
    """Download the scenario as a YAML file."""
    filename, data = export_scenario(_scenario(scenario_id))
    return download(data, filename)


def _selected(ids: list[int]) -> list[Scenario]:
    chosen = {s.id: s for s in scenarios_of(db_session(), g.city) if s.id in ids}
    return [chosen[i] for i in ids if i in chosen]


def _reference_first(chosen: list[Scenario]) -> list[Scenario]:
    """Full scenarios before what-ifs (stable otherwise): the base becomes the reference."""
    return sorted(chosen, key=lambda s: "overrides" in s.definition)


def _start_job(form_name: str, start: Callable[[Any], ScenarioJob]) -> Response | tuple[str, int]:
    """Validate one of the index page's job forms and start its job in the background,
    then open the job page; else show the page again with each problem at its field."""
    require(Action.RUN_PORTFOLIO)
    forms = _forms()
    form = forms[form_name]
    if form.validate_on_submit():
        try:
            job = start(form)
        except InputError as exc:
            attach_problems(form, exc)
        else:
            _launch_after_commit(job)
            return redirect(url_for("scenarios.job", job_id=job.id))
    return _index(forms, 422)


@bp.route("/jobs/run", methods=["POST"])
def start_run() -> Response | tuple[str, int]:
    """Run the ticked scenarios in the background."""
    return _start_job(
        "run_form",
        lambda form: start_run_job(
            db_session(),
            g.city,
            g.user,
            _reference_first(_selected(form.scenario_ids.data or [])),
            {"time_limit": _checked_time_limit(form.time_limit.data)},
        ),
    )


def _run_time_limit() -> float:
    """``SOLVER_TIME_LIMIT``: default and ceiling of each scenario run's whole-run budget."""
    return float(current_app.config["SOLVER_TIME_LIMIT"])


def _checked_time_limit(value: float | None) -> float:
    limit = _run_time_limit()
    if value is not None and value > limit:
        raise InputError(Problem(f"At most {limit:g} s on this server.", field="time_limit"))
    return float(value or limit)


@bp.route("/jobs/frontier", methods=["POST"])
def start_frontier() -> Response | tuple[str, int]:
    """Draw a frontier in the background."""
    return _start_job(
        "frontier_form",
        lambda form: start_frontier_job(
            db_session(),
            g.city,
            g.user,
            _scenario(form.scenario_id.data),
            axis=form.axis.data,
            low=float(form.low.data),
            high=float(form.high.data),
            steps=int(form.steps.data),
        ),
    )


@bp.route("/jobs/robustness", methods=["POST"])
def start_robustness() -> Response | tuple[str, int]:
    """Start a Monte Carlo robustness run in the background."""
    return _start_job(
        "robustness_form",
        lambda form: start_robustness_job(
            db_session(),
            g.city,
            g.user,
            _scenario(form.scenario_id.data),
            samples=int(form.samples.data),
            seed=int(form.seed.data),
            default_risk=form.default_risk.data,
        ),
    )


@bp.route("/jobs/sensitivity", methods=["POST"])
def start_sensitivity() -> Response | tuple[str, int]:
    """Start a weight and rate sensitivity analysis in the background."""
    return _start_job(
        "sensitivity_form",
        lambda form: start_sensitivity_job(
            db_session(),
            g.city,
            g.user,
            _scenario(form.scenario_id.data),
            include_kpis=bool(form.include_kpis.data),
        ),
    )


def comparison_of(job: ScenarioJob) -> dict[str, Any] | None:
    """The comparison of a run job's finished runs (None with fewer than two)."""
    runs = [r for r in (job.results or {}).get("runs", []) if r.get("result")]
    runs = [r for r in runs if r["result"].get("status") in ("optimal", "feasible")]
    if len(runs) < 2:
        return None
    return compare_runs(
        [ComparedRun.from_stored(r["name"], r["input"]["scenario"], r["result"]) for r in runs]
    )


def progress_of(job: ScenarioJob) -> dict[str, Any]:
    """The job's status in the polling contract of :mod:`web.job_progress`."""
    state = job.status if job.status in ("queued", "running", "done", "cancelled") else "failed"
    document = status_document(
        state=state,
        status=job.status,
        done=job.done,
        total=job.total,
        started=job.started_at or job.created_at,
        finished_at=job.finished_at,
        error=job.error,
        result_url=url_for("scenarios.job", job_id=job.id),
    )
    return {**job_status(job), **document}


@bp.route("/jobs/<int:job_id>")
def job(job_id: int) -> str:
    """A job's progress (polled), cancel button, and results when finished."""
    row = _job(job_id)
    _watch(row)
    figures: dict[str, Any] = {}
    comparison = None
    if row.status in ("done", "cancelled") and row.results:
        if row.kind == "run":
            comparison = comparison_of(row)
            if comparison is not None:
                figures = {
                    "cost": figure_html(charts.cost_by_year(comparison), "chart-cost"),
                    "mix": figure_html(charts.financing_mix(comparison), "chart-mix"),
                    "gaps": figure_html(charts.gap_closure(comparison), "chart-gaps"),
                    "debt": figure_html(charts.debt_service(comparison), "chart-debt"),
                    "tenders": figure_html(charts.procurement_load(comparison), "chart-tenders"),
                }
        elif row.kind == "frontier":
            figures = {
                "frontier": figure_html(charts.frontier_curve(row.results), "chart-frontier")
            }
        elif row.kind == "robustness":
            figures = {"core": figure_html(charts.core_index(row.results), "chart-core")}
    return render_template(
        "scenarios/job.html",
        job=row,
        status=progress_of(row),
        cancel_form=CancelForm(prefix="cancel"),
        retry_form=RetryForm(prefix="retry"),
        comparison=comparison,
        change_lines=change_lines(comparison) if comparison else [],
        figures=figures,
        can_run=can(Action.RUN_PORTFOLIO),
    )


@bp.route("/jobs/<int:job_id>/cancel", methods=["POST"])
def cancel(job_id: int) -> Response:
    """Ask the worker to stop after the solves already running."""
    require(Action.RUN_PORTFOLIO)
    row = _job(job_id)
    if CancelForm(prefix="cancel").validate_on_submit() and request_cancel(
        db_session(), row, g.user
    ):
        flash("Cancelling: the solves already running will finish first.", "success")
    return redirect(url_for("scenarios.job", job_id=row.id))


@bp.route("/jobs/<int:job_id>/retry", methods=["POST"])
def retry(job_id: int) -> Response:
    """Queue a failed or cancelled job again from its stored inputs."""
    require(Action.RUN_PORTFOLIO)
    row = _job(job_id)
    if RetryForm(prefix="retry").validate_on_submit():
        try:
            retry_job(db_session(), row, g.user)
        except InputError as exc:
            flash(exc.summary(), "error")
        else:
            _launch_after_commit(row)
            flash("Queued again.", "success")
    return redirect(url_for("scenarios.job", job_id=row.id))


@bp.route("/jobs/<int:job_id>/comparison.xlsx")
def comparison_download(job_id: int) -> Response:
    """The comparison workbook of a run job (native Excel charts, council summary)."""
    comparison = comparison_of(_job(job_id))
    if comparison is None:
        abort(404)
    workbook = comparison_workbook(comparison, title=f"Scenario comparison · {g.city.name}")
    return download(workbook, f"scenario-comparison-{job_id}.xlsx")


@api.route("/")
def api_list() -> Response:
    """The city's saved scenarios with their version counters."""
    return jsonify(
        {
            "scenarios": [
                {
                    "id": s.id,
                    "name": s.name,
                    "version": s.version,
                    "whatif": "overrides" in s.definition,
                }
                for s in scenarios_of(db_session(), g.city)
            ]
        }
    )


@api.route("/jobs/<int:job_id>")
def api_job(job_id: int) -> Response:
    """A job's status and progress (what the job page polls)."""
    row = _job(job_id)
    _watch(row)
    return jsonify(progress_of(row))


@api.route("/jobs/<int:job_id>/results")
def api_job_results(job_id: int) -> Response:
    """A finished job's inputs and results as JSON."""
    row = _job(job_id)
    payload: dict[str, Any] = {
        **progress_of(row),
        "params": row.params,
        "inputs": row.inputs,
        "results": row.results,
    }
    if row.kind == "run":
        payload["comparison"] = comparison_of(row)
    return jsonify(payload)
