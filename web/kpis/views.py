"""KPI pages: city snapshot and benchmarking wheel, dimension tables, SDG view,
trends, priority gaps, imports and forms, exports; and the KPI JSON API."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from decision_support.errors import InputError
from decision_support.kpis.analysis import (
    benchmarking_wheel,
    city_snapshot,
    group_by_sdg,
    kpi_trend,
    priority_gaps,
)
from decision_support.kpis.catalogue import DIMENSIONS, load_catalogue
from decision_support.kpis.export import assessment_to_dict, assessment_to_xlsx, dimension_rows
from decision_support.kpis.scoring import Assessment
from decision_support.kpis.targets import TargetSet, check_target, load_reference_targets
from decision_support.kpis.template import write_template
from decision_support.kpis.values import KPIValue, check_value
from models.cache import data_key
from models.cities import DataDomain
from models.permissions import Action
from models.services.kpi_targets import (
    delete_city_target,
    import_city_targets,
    save_city_target,
    stored_city_targets,
)
from models.services.kpi_values import (
    city_assessment,
    city_values,
    import_kpi_values,
    kpi_summary,
    latest_values,
    preview_kpi_import,
    save_kpi_value,
)
from web import pending_uploads
from web.access import city_api_blueprint, city_blueprint, require
from web.charts import cached_figure_html, figure_html
from web.database import db_session
from web.downloads import download
from web.forms import attach_problems
from web.kpis.charts import trend_figure, wheel_figure
from web.kpis.forms import (
    ConfirmImportForm,
    KpiValueForm,
    TargetForm,
    TargetsImportForm,
    ValuesImportForm,
)
from web.uploads import UploadedFile, import_upload

bp = city_blueprint("kpis", __name__, "kpis")
api = city_api_blueprint("kpis_api", __name__, "kpis")

_BAND_CLASSES = {"95+": "band-95", "66-95": "band-66", "33-66": "band-33", "0-33": "band-0"}


@bp.app_template_filter("band_class")
def band_class(band: str | None) -> str:
    """CSS class of a U4SSC band (``band-none`` when there is no score)."""
    return _BAND_CLASSES.get(band or "", "band-none")


def _year_arg() -> int | None:
    year = request.args.get("year", type=int)
    return year if year is not None and 1900 <= year <= 2100 else None


def _assessment() -> tuple[list[KPIValue], TargetSet, Assessment]:
    return city_assessment(db_session(), g.city, _year_arg())


def _years(values: list[KPIValue]) -> list[int]:
    return sorted({v.year for v in values if v.year is not None}, reverse=True)


@bp.route("/")
def index() -> str:
    """City snapshot: counts, performance per dimension and sub-dimension, the wheel."""
    summary = kpi_summary(db_session(), g.city, _year_arg())
    wheel = cached_figure_html(
        (*data_key(g.city, DataDomain.KPIS), _year_arg()),
        lambda: wheel_figure(benchmarking_wheel(_assessment()[2])),
        "kpi-wheel",
    )
    return render_template(
        "kpis/snapshot.html",
        snapshot=summary.snapshot,
        wheel=wheel,
        gaps=summary.gaps[:10],
        years=list(summary.years),
        year=_year_arg(),
    )


@bp.route("/tables")
def tables() -> str:
    """One table per dimension: value, unit, target, achievement, band, SDG, quality."""
    values, _, assessment = _assessment()
    return render_template(
        "kpis/tables.html",
        tables={d: dimension_rows(assessment, d) for d in DIMENSIONS},
        dimensions=assessment.dimensions,
        years=_years(values),
        year=_year_arg(),
    )


@bp.route("/sdg")
def sdg() -> str:
    """KPIs grouped by the Sustainable Development Goal they serve."""
    values, _, assessment = _assessment()
    return render_template(
        "kpis/sdg.html", groups=group_by_sdg(assessment), years=_years(values), year=_year_arg()
    )


@bp.route("/gaps")
def gaps() -> str:
    """Priority gaps: lowest band first, core KPIs before advanced ones."""
    values, _, assessment = _assessment()
    return render_template(
        "kpis/gaps.html",
        gaps=priority_gaps(assessment),
        years=_years(values),
        year=_year_arg(),
    )


@bp.route("/kpi/<code>")
def kpi_detail(code: str) -> str:
    """One KPI: definition, values by year with a trend chart, its targets."""
    kpi = load_catalogue().find(code)
    if kpi is None:
        abort(404)
    values, targets, _ = city_assessment(db_session(), g.city)
    series = {
        data_point or kpi.name: kpi_trend(values, kpi.code, data_point, targets)
        for data_point in (kpi.data_points or (None,))
    }
    rows = [v for v in values if v.code == kpi.code]
    chart = (
        figure_html(trend_figure(series, kpi.unit), "kpi-trend") if any(series.values()) else None
    )
    return render_template(
        "kpis/kpi.html",
        kpi=kpi,
        rows=rows,
        chart=chart,
        targets={dp: targets.lookup(kpi.code, dp) for dp in (kpi.data_points or (None,))},
    )


def _imported(summary: Any) -> Response:
    flash(
        f"Imported {summary.rows} values ({summary.created} new, {summary.updated} "
        f"replaced, {summary.not_reported} not reported).",
        "success",
    )
    return redirect(url_for("kpis.index"))


@bp.route("/import", methods=["GET", "POST"])
def import_values() -> str | Response | tuple[str, int]:
    """Upload a values file; every problem is listed and nothing is stored on error.

    A file that only adds values is imported at once; one that would replace stored
    values (or turn them into "not reported") is previewed first and imported only
    when the user confirms (the upload waits in :mod:`web.pending_uploads`)."""
    require(Action.EDIT_KPIS)
    form = ValuesImportForm()
    problems: list[Any] = []
    if form.validate_on_submit():
        outcome = import_upload(form, form.file, lambda upload: _preview_or_import(form, upload))
        if outcome.result is not None:
            return outcome.result
        problems = outcome.problems
    status = 422 if request.method == "POST" else 200
    return render_template("kpis/import.html", form=form, problems=problems), status


def _preview_or_import(form: ValuesImportForm, upload: UploadedFile) -> str | Response:
    """Import a file that only adds values; preview one that replaces stored values."""
    default_year = form.default_year.data
    preview = preview_kpi_import(
        db_session(), g.city, upload.content, filename=upload.filename, default_year=default_year
    )
    if not preview.new and not preview.replaces:
        flash("Nothing to import: every value in the file equals the stored one.", "info")
        return redirect(url_for("kpis.import_values"))
    if not preview.replaces:
        return _imported(
            import_kpi_values(
                db_session(),
                g.city,
                upload.content,
                g.user,
                filename=upload.filename,
                default_year=default_year,
            )
        )
    token = pending_uploads.store(
        upload.content,
        filename=upload.filename,
        owner=(g.city.id, g.user.id),
        extra={"default_year": default_year},
    )
    return render_template(
        "kpis/import_preview.html",
        preview=preview,
        form=ConfirmImportForm(token=token),
        filename=upload.filename,
    )


@bp.route("/import/confirm", methods=["POST"])
def confirm_import() -> str | Response | tuple[str, int]:
    """Import a previewed file after the user confirmed replacing stored values."""
    require(Action.EDIT_KPIS)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    pending = pending_uploads.take(form.token.data or "", owner=(g.city.id, g.user.id))
    if pending is None:
        flash("That upload is no longer waiting (it expired or was imported): upload it again.")
        return redirect(url_for("kpis.import_values"))
    if form.cancel.data:
        flash("Import cancelled; nothing was changed.", "info")
        return redirect(url_for("kpis.import_values"))
    try:
        summary = import_kpi_values(
            db_session(),
            g.city,
            pending.content,
            g.user,
            filename=pending.filename,
            default_year=pending.extra.get("default_year"),
        )
    except InputError as exc:  # the stored data changed meanwhile in a way that matters
        return render_template(
            "kpis/import.html", form=ValuesImportForm(), problems=exc.problems
        ), 422
    return _imported(summary)


@bp.route("/values/new", methods=["GET", "POST"])
def edit_value() -> str | Response | tuple[str, int]:
    """Add or correct one value (``?code=…&data_point=…&year=…`` prefills a correction)."""
    require(Action.EDIT_KPIS)
    form = KpiValueForm()
    if request.method == "GET":
        _prefill_value_form(form)
    if form.validate_on_submit():
        try:
            value = check_value(
                form.code.data or "",
                form.value.data or "",
                year=str(form.year.data or ""),
                data_point=form.data_point.data or "",
                unit=form.unit.data or "",
                source=form.source.data or "",
                quality=form.quality.data or "",
                verified=form.verified.data or "",
            )
            save_kpi_value(db_session(), g.city, g.user, value)
        except InputError as exc:
            attach_problems(form, exc)
        else:
            flash(f"Saved {value.code} {value.data_point or ''} for {value.year}.", "success")
            return redirect(
                url_for("kpis.kpi_detail", code=load_catalogue().get(value.code).code_compact)
            )
    status = 422 if request.method == "POST" else 200
    return render_template("kpis/value_form.html", form=form), status


def _prefill_value_form(form: KpiValueForm) -> None:
    kpi = load_catalogue().find(request.args.get("code", ""))
    if kpi is None:
        return
    form.code.data = kpi.code_compact
    data_point = request.args.get("data_point") or None
    year = request.args.get("year", type=int)
    form.data_point.data = data_point or ""
    form.year.data = year
    latest = latest_values(db_session(), g.city).get((kpi.code, data_point or ""))
    if latest is not None and (year is None or latest.year == year):
        form.year.data = latest.year
        form.value.data = "NR" if latest.value is None else f"{latest.value:g}"
        form.unit.data = latest.unit
        form.quality.data = latest.quality
        form.verified.data = "yes" if latest.verified else "no"


@bp.route("/targets", methods=["GET", "POST"])
def targets() -> str | Response | tuple[str, int]:
    """The city's own targets (override the reference); add or change one."""
    form = TargetForm()
    import_form = TargetsImportForm(prefix="import")
    if request.method == "POST":
        require(Action.EDIT_KPIS)
        if form.validate_on_submit():
            try:
                target = check_target(
                    form.code.data or "",
                    form.target.data or "",
                    data_point=form.data_point.data or "",
                    target_year=str(form.target_year.data or ""),
                    source=form.source.data or "",
                    direction=form.direction.data or "",
                    note=form.note.data or "",
                )
                save_city_target(db_session(), g.city, g.user, target)
            except InputError as exc:
                attach_problems(form, exc)
            else:
                flash(f"Target for {target.code} saved.", "success")
                return redirect(url_for("kpis.targets"))
    status = 422 if request.method == "POST" else 200
    return _targets_page(form, import_form, [], status)


def _targets_page(
    form: TargetForm, import_form: TargetsImportForm, problems: list[Any], status: int
) -> tuple[str, int]:
    return render_template(
        "kpis/targets.html",
        form=form,
        import_form=import_form,
        problems=problems,
        city_targets=stored_city_targets(db_session(), g.city),
        reference=load_reference_targets().reference_targets,
        catalogue={k.code: k for k in load_catalogue()},
    ), status


@bp.route("/targets/import", methods=["POST"])
def import_targets() -> Response | tuple[str, int]:
    """Upload a targets file: all or nothing, every problem listed."""
    require(Action.EDIT_KPIS)
    import_form = TargetsImportForm(prefix="import")
    problems: list[Any] = []
    if import_form.validate_on_submit():
        outcome = import_upload(import_form, import_form.file, _import_targets)
        if outcome.result is not None:
            return outcome.result
        problems = outcome.problems
    return _targets_page(TargetForm(formdata=None), import_form, problems, 422)


def _import_targets(upload: UploadedFile) -> Response:
    count = import_city_targets(
        db_session(), g.city, upload.content, g.user, filename=upload.filename
    )
    flash(f"Imported {count} targets.", "success")
    return redirect(url_for("kpis.targets"))


@bp.route("/targets/<int:target_id>/delete", methods=["POST"])
def delete_target(target_id: int) -> Response:
    """Remove a city target; the reference target applies again."""
    require(Action.EDIT_KPIS)
    try:
        delete_city_target(db_session(), g.city, g.user, target_id)
    except InputError:
        abort(404)
    flash("Target removed; the reference target applies again.", "success")
    return redirect(url_for("kpis.targets"))


@bp.route("/export.xlsx")
def export_xlsx() -> Response:
    """The assessment as a formatted workbook."""
    _, _, assessment = _assessment()
    data = assessment_to_xlsx(assessment, f"U4SSC KPI assessment · {g.city.name}")
    return download(data, f"{g.city.slug}-kpis.xlsx")


@bp.route("/template.xlsx")
def template_xlsx() -> Response:
    """The blank data-collection template (imports back as it is)."""
    return download(write_template(), "u4ssc-kpi-template.xlsx")


@bp.route("/template-filled.xlsx")
def filled_template_xlsx() -> Response:
    """The template pre-filled with the city's latest value of every KPI."""
    values = city_values(db_session(), g.city)
    return download(write_template(values=values), f"{g.city.slug}-kpi-template.xlsx")


@api.route("/values")
def api_values() -> Response:
    """The city's latest KPI values (code in ITU's printed form)."""
    values = latest_values(db_session(), g.city)
    return jsonify(
        {
            "values": [
                {
                    "code": v.kpi.code,
                    "data_point": v.data_point or None,
                    "year": v.year,
                    "value": v.value,
                    "unit": v.unit,
                    "quality": v.quality,
                    "verified": v.verified,
                }
                for v in values.values()
            ]
        }
    )


@api.route("/assessment")
def api_assessment() -> Response:
    """The assessment as in ``decision-support kpis score --json`` (``?year=`` optional)."""
    _, _, assessment = _assessment()
    return jsonify(assessment_to_dict(assessment))


@api.route("/snapshot")
def api_snapshot() -> Response:
    """Counts and performance per dimension and sub-dimension."""
    _, _, assessment = _assessment()
    snapshot = city_snapshot(assessment)
    data = assessment_to_dict(assessment)
    return jsonify(
        {
            "total_kpis": snapshot.total_kpis,
            "reported": snapshot.reported,
            "not_reported": snapshot.not_reported,
            "no_benchmark": snapshot.no_benchmark,
            "scored_values": snapshot.scored_values,
            "band_counts": snapshot.band_counts,
            "dimensions": data["dimensions"],
            "sub_dimensions": data["sub_dimensions"],
        }
    )


@api.route("/gaps")
def api_gaps() -> Response:
    """Priority gaps (the input of project matching)."""
    _, _, assessment = _assessment()
    return jsonify({"priority_gaps": assessment_to_dict(assessment)["priority_gaps"]})


@api.route("/trend/<code>")
def api_trend(code: str) -> Response:
    """Values of one KPI by year (``?data_point=`` for KPIs reported per data point)."""
    kpi = load_catalogue().find(code)
    if kpi is None:
        abort(404)
    values, targets, _ = city_assessment(db_session(), g.city)
    data_point = request.args.get("data_point") or None
    points = kpi_trend(values, kpi.code, data_point, targets)
    return jsonify(
        {
            "code": kpi.code,
            "data_point": data_point,
            "unit": kpi.unit,
            "points": [
                {
                    "year": p.year,
                    "value": p.value,
                    "target": p.target,
                    "achievement_pct": p.achievement_pct,
                    "band": p.band,
                }
                for p in points
            ],
        }
    )
