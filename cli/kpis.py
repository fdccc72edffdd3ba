"""``decision-support kpis …``: KPI catalogue look-ups, scoring and templates."""

from __future__ import annotations

from pathlib import Path

import click

from cli.output import emit, json_option
from decision_support.errors import InputError
from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.export import assessment_to_dict
from decision_support.kpis.scoring import score_values
from decision_support.kpis.targets import load_reference_targets, read_targets
from decision_support.kpis.template import write_template
from decision_support.kpis.values import read_values


@click.group()
def kpis() -> None:
    """U4SSC KPIs: catalogue, scoring, import templates."""


@kpis.command("show")
@click.argument("code")
@json_option
def show(code: str, as_json: bool) -> None:
    """Show one KPI; CODE may be printed (EC: ICT: ICT: 1C) or compact (EC:ICT:ICT:1C)."""
    kpi = load_catalogue().get(code)
    payload = {
        "code": kpi.code,
        "code_compact": kpi.code_compact,
        "name": kpi.name,
        "dimension": kpi.dimension,
        "sub_dimension": kpi.sub_dimension,
        "category": kpi.category,
        "level": kpi.level,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "data_points": list(kpi.data_points),
        "definition": kpi.definition,
        "sdg_targets": list(kpi.sdg_targets),
    }
    emit(payload, as_json, lambda p: "\n".join(f"{k}: {v}" for k, v in p.items()))


def _render_assessment(payload: dict[str, object]) -> str:
    lines = ["Dimension                       score %  band    scored"]
    for group in payload["dimensions"]:  # type: ignore[attr-defined]
        score = "-" if group["score_pct"] is None else f"{group['score_pct']:.2f}"
        lines.append(
            f"{group['name']:<30}  {score:>7}  {group['band'] or '-':<6}  {group['scored']:>6}"
        )
    lines.append("")
    lines.append(f"scored values: {len(payload['kpis'])}")  # type: ignore[arg-type]
    lines.append(f"not reported: {len(payload['not_reported'])} KPIs")  # type: ignore[arg-type]
    lines.append(f"no benchmark: {', '.join(payload['no_benchmark']) or '-'}")  # type: ignore[arg-type]
    gaps = payload["priority_gaps"]
    if gaps:
        lines.append("")
        lines.append("priority gaps (lowest band first, core before advanced):")
        for gap in gaps[:10]:  # type: ignore[index]
            what = gap["code"] + (f" ({gap['data_point']})" if gap["data_point"] else "")
            lines.append(
                f"  {gap['band']:<6} {what:<28} value {gap['value']:g}, target "
                f"{gap['target']:g}, gap {gap['gap']:g} {gap['unit']}"
            )
    return "\n".join(lines)


@kpis.command("score")
@click.option(
    "--values",
    "values_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="KPI values file (CSV or XLSX, long format).",
)
@click.option(
    "--targets",
    "targets_path",
    type=click.Path(dir_okay=False),
    help="City targets (CSV or XLSX); they override the shipped reference targets.",
)
@click.option("--year", type=int, help="Score this year only (default: latest year per KPI).")
@click.option("--city", help="Score this city when the values file has a city column.")
@json_option
def score(
    values_path: str,
    targets_path: str | None,
    year: int | None,
    city: str | None,
    as_json: bool,
) -> None:
    """Score a values file against U4SSC-style targets (latest year per KPI)."""
    catalogue = load_catalogue()
    values = read_values(values_path, catalogue=catalogue)
    if city is not None:
        values = [v for v in values if v.city == city]
        if not values:
            raise InputError(f"no values for city '{city}' in {values_path}")
    targets = load_reference_targets(catalogue)
    if targets_path:
        targets = targets.with_city_targets(read_targets(targets_path, catalogue=catalogue))
    assessment = score_values(values, targets, year=year, catalogue=catalogue)
    emit(assessment_to_dict(assessment), as_json, _render_assessment)


@kpis.command("template")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@json_option
def template(out: str, as_json: bool) -> None:
    """Write the XLSX data-collection template to OUT."""
    data = write_template()
    Path(out).write_bytes(data)
    emit({"written": out, "bytes": len(data)}, as_json, lambda p: f"wrote {p['written']}")
