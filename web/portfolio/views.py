"""Portfolio pages: run the optimiser, watch it, read and download the result.

Runs are solved by a job-engine worker (``models.jobs``), queued once the creating
request has committed (``call_on_close``); the run page refreshes itself until the
run is finished, so a reload or a second tab shows the same progress, and offers a
retry when a run ended in an error (its worker stopped, say). With
``PORTFOLIO_RUN_INLINE`` (tests) the run is solved inside the request.
"""

from __future__ import annotations

import logging
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
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from decision_support.errors import InputError
from decision_support.portfolio import dump_scenario, parse_scenario
from decision_support.portfolio.workbook import result_workbook
from models.cache import data_key
from models.jobs.liveness import fail_stalled, lost_in_queue
from models.jobs.tasks import enqueue_portfolio_run
from models.permissions import Action
from models.scenarios import PortfolioRun
from models.services.portfolio import (
    SAVED_PREFIX,
    SOURCE_CITY,
    SOURCE_DEMO,
    RunSettings,
    create_rerun,
    create_run,
    retry_run,
    run_of_city,
    saved_portfolio_scenarios,
    solve_run,
)
from web.access import can, city_api_blueprint, city_blueprint, require
from web.charts import figure_html
from web.database import db_session
from web.downloads import download, json_download
from web.forms import attach_problems
from web.job_progress import elapsed_seconds, status_document
from web.portfolio import charts
from web.portfolio.forms import ForceForm, RetryForm, RunForm
from web.portfolio.summary import BAND_LABELS, funding_lines, mechanism_names, run_summary
from web.rule_packs import configured_pack_dirs
from web.templating import cached_html

logger = logging.getLogger(__name__)

bp = city_blueprint("portfolio", __name__, "portfolio")
api = city_api_blueprint("portfolio_api", __name__, "portfolio")


def _solver() -> str:
    return "cbc" if "CBC" in str(current_app.config.get("SOLVER", "")).upper() else "highs"


def _runs() -> list[PortfolioRun]:
    return list(
        db_session().scalars(
            select(PortfolioRun)
            .where(PortfolioRun.city_id == g.city.id)
            .order_by(PortfolioRun.created_at.desc(), PortfolioRun.id.desc())
        )
    )


def _launch(run: PortfolioRun, response: Response) -> Response:
    """Solve inline (tests) or queue the run once the response, and its commit, is done."""
    if current_app.config.get("PORTFOLIO_RUN_INLINE"):
        solve_run(db_session(), run, _solver())
        return response
    run_id, solver = run.id, _solver()
    response.call_on_close(lambda: enqueue_portfolio_run(run_id, solver))
    return response


def _watch(run: PortfolioRun) -> None:
    """Make a run's row tell the truth before a page shows it: fail it if its worker
    stopped, queue it again if its task message was lost (see ``models.jobs.liveness``)."""
    if run.status == "running" and fail_stalled(db_session()):
        db_session().refresh(run)
    elif not current_app.config.get("PORTFOLIO_RUN_INLINE") and lost_in_queue(
        run.status, run.created_at
    ):
        logger.warning("portfolio run %s waited queued with an empty queue: queued again", run.id)
        enqueue_portfolio_run(run.id, _solver())


def _source_choices() -> list[SelectChoice]:
    choices = [
        SelectChoice(
            SOURCE_CITY, "The city's current KPIs, targets, projects, mechanisms and fiscal profile"
        )
    ]
    if g.city.is_demo:  # the shipped file is for the demo only, never the default
        choices.append(SelectChoice(SOURCE_DEMO, "Demo portfolio scenario (fictional)"))
    choices += [
        SelectChoice(f"{SAVED_PREFIX}{s.id}", f"Saved scenario: {s.name}")
        for s in saved_portfolio_scenarios(db_session(), g.city)
    ]
    return choices


def _time_limit_setting() -> float:
    """``SOLVER_TIME_LIMIT``: the default and the most a web run may be given (seconds)."""
    return float(current_app.config["SOLVER_TIME_LIMIT"])


def _within_time_limit(form: RunForm, limit: float) -> bool:
    """False (with the error next to the field) when the form asks for more than the
    server's ``SOLVER_TIME_LIMIT``."""
    if form.time_limit.data is not None and form.time_limit.data > limit:
        form.time_limit.errors = [f"At most {limit:g} s on this server."]
        return False
    return True


def _settings(form: RunForm) -> RunSettings:
    def number(value: Any) -> float | None:
        return float(value) if value is not None else None

    return RunSettings(
        source=form.source.data or SOURCE_CITY,
        time_limit=float(form.time_limit.data or _time_limit_setting()),
        gap=float(form.gap.data or 0.0),
        mode=form.mode.data or "",
        explain=bool(form.explain.data),
        force_in=form.forced_in,
        force_out=form.forced_out,
        start_year=int(form.start_year.data or 2027),
        horizon_years=int(form.horizon_years.data or 5),
        budget_per_year=number(form.budget_per_year.data),
        carry_over=bool(form.carry_over.data),
        revenue_per_year=number(form.revenue_per_year.data),
        existing_debt_service_per_year=number(form.existing_debt_service_per_year.data),
        max_debt_service_ratio=number(form.max_debt_service_ratio.data),
    )


@bp.route("/", methods=["GET", "POST"])
def index() -> str | Response | tuple[str, int]:
    """The city's optimisation runs, newest first, and the form to start one."""
    form = RunForm()
    form.source.choices = _source_choices()
    limit = _time_limit_setting()
    if request.method == "GET":
        form.time_limit.data = limit
    if request.method == "POST":
        require(Action.RUN_PORTFOLIO)
        if form.validate_on_submit() and _within_time_limit(form, limit):
            try:
                run = create_run(
                    db_session(), g.city, g.user, _settings(form), configured_pack_dirs()
                )
            except InputError as exc:
                attach_problems(form, exc)
            else:
                response = redirect(url_for("portfolio.run_page", run_id=run.id))
                return _launch(run, response)
        return render_template("portfolio/index.html", runs=_runs(), form=form), 422
    return render_template("portfolio/index.html", runs=_runs(), form=form)


def _run_or_404(run_id: int) -> PortfolioRun:
    run = run_of_city(db_session(), g.city, run_id)
    if run is None:
        abort(404)
    return run


_STATES = {"queued": "queued", "running": "running", "error": "failed"}
_EXPLAINING = 0.7  # the fraction the optimiser reports when the explanations start


def progress_of(run: PortfolioRun) -> dict[str, Any]:
    """The run's status in the polling contract of :mod:`web.job_progress`.

    Progress is the optimiser's own fraction (in percent). Until the explanations
    start (fraction 0.7) the estimate is the upper bound left by the time limit of
    the two solves (impact, then financing cost); the explanations have no such
    bound, so from there the page shows no estimate.
    """
    settings = RunSettings.from_stored(dict(run.settings))
    elapsed = elapsed_seconds(run.created_at, run.finished_at)
    bound = 2 * settings.time_limit - elapsed if run.progress < _EXPLAINING else None
    return status_document(
        state=_STATES.get(run.status, "done"),
        status=run.status,
        done=round(100 * run.progress),
        total=100,
        started=run.created_at,
        finished_at=run.finished_at,
        error=run.error,
        result_url=url_for("portfolio.run_page", run_id=run.id),
        unit="percent",
        estimate=max(0.0, bound) if bound is not None else None,
    )


def _project_ids(run: PortfolioRun) -> list[str]:
    projects = (run.inputs or {}).get("projects")
    return [str(p["id"]) for p in projects] if isinstance(projects, list) else []


@bp.route("/runs/<int:run_id>")
def run_page(run_id: int) -> str:
    """Progress while the run is solved, then the result."""
    run = _run_or_404(run_id)
    _watch(run)
    result_html = None
    if run.status not in ("queued", "running", "error"):
        # A run's result is written once, when it finishes: its section (hundreds of
        # formatted numbers, three charts) is rendered once per run and city profile
        # (the city's name, currency and country's number format are in it).
        key = ("run result", *data_key(g.city), run.id, run.status, str(run.finished_at))
        result_html = cached_html(key, lambda: _result_section(run))
    settings = RunSettings.from_stored(dict(run.settings))
    force = ForceForm(
        force_in=", ".join(settings.force_in), force_out=", ".join(settings.force_out)
    )
    return render_template(
        "portfolio/run.html",
        run=run,
        result_html=result_html,
        has_charts=bool((run.results or {}).get("selected")),
        force=force,
        retry=RetryForm(),
        may_run=can(Action.RUN_PORTFOLIO),
        settings=settings,
        elapsed=elapsed_seconds(run.created_at, None),
        progress=progress_of(run),
        project_ids=_project_ids(run),
    )


def _result_section(run: PortfolioRun) -> str:
    """The HTML of a finished run's result: figures, tables, solver details."""
    result = run.results or {}
    inputs = dict(run.inputs or {})
    names = mechanism_names(inputs)
    figures = {}
    if result.get("selected"):
        figures = {
            "plan": figure_html(charts.plan_gantt(result), "plan-chart"),
            "funding": figure_html(charts.funding_by_year(result, names), "funding-chart"),
            "cash": figure_html(charts.cash_flow(result), "cash-chart"),
        }
    return render_template(
        "portfolio/_result.html",
        run=run,
        result=result,
        figures=figures,
        summary=run_summary(result, inputs) if result else None,
        source_names=names,
        funding_lines=funding_lines,
        band_labels=BAND_LABELS,
        gantt_colours=charts.GANTT_COLOURS.values(),
    )


@bp.route("/runs/<int:run_id>/rerun", methods=["POST"])
def rerun(run_id: int) -> Response | tuple[str, int]:
    """Re-run with projects forced in or out (other settings as before)."""
    require(Action.RUN_PORTFOLIO)
    original = _run_or_404(run_id)
    form = ForceForm()
    if not form.validate_on_submit():
        reasons = [
            f"{form[name].label.text}: {'; '.join(map(str, errors))}"
            for name, errors in form.errors.items()
            if name in form
        ]
        abort(
            400,
            description="The re-run was not started. "
            + (" ".join(reasons) or "The form expired: reload the page."),
        )
    run = create_rerun(db_session(), g.user, original, form.forced_in, form.forced_out)
    return _launch(run, redirect(url_for("portfolio.run_page", run_id=run.id)))


@bp.route("/runs/<int:run_id>/retry", methods=["POST"])
def retry(run_id: int) -> Response:
    """Queue a run that ended in an error again (same inputs and settings)."""
    require(Action.RUN_PORTFOLIO)
    run = _run_or_404(run_id)
    if not RetryForm().validate_on_submit():
        abort(400)
    try:
        retry_run(db_session(), run, g.user)
    except InputError as exc:
        flash(exc.summary(), "error")
        return redirect(url_for("portfolio.run_page", run_id=run.id))
    return _launch(run, redirect(url_for("portfolio.run_page", run_id=run.id)))


@bp.route("/runs/<int:run_id>/result.json")
def download_json(run_id: int) -> Response:
    run = _run_or_404(run_id)
    if run.results is None:
        abort(404)
    return json_download(run.results, f"portfolio-run-{run.id}-result.json")


@bp.route("/runs/<int:run_id>/result.xlsx")
def download_xlsx(run_id: int) -> Response:
    run = _run_or_404(run_id)
    if run.results is None:
        abort(404)
    return download(result_workbook(run.results), f"portfolio-run-{run.id}.xlsx")


@bp.route("/runs/<int:run_id>/scenario.yaml")
def download_scenario(run_id: int) -> Response:
    run = _run_or_404(run_id)
    text = dump_scenario(parse_scenario(dict(run.inputs)))
    return download(text, f"portfolio-run-{run.id}-scenario.yaml")


@api.route("/runs")
def api_runs() -> Response:
    """The city's optimisation runs and their status."""
    return jsonify(
        {
            "runs": [
                {
                    "id": r.id,
                    "status": r.status,
                    "progress": r.progress,
                    "created_at": r.created_at.isoformat(),
                }
                for r in _runs()
            ]
        }
    )


@api.route("/runs/<int:run_id>")
def api_run(run_id: int) -> Response:
    """One run: status, progress, timings and (when finished) the result document."""
    run = _run_or_404(run_id)
    _watch(run)
    return jsonify(
        {
            **progress_of(run),
            "id": run.id,
            "status": run.status,
            "progress": run.progress,
            "error": run.error,
            "build_seconds": run.build_seconds,
            "solve_seconds": run.solve_seconds,
            "settings": run.settings,
            "result": run.results,
        }
    )
