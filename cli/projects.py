"""``decision-support projects …``: browse the library, list a city's candidates, match
KPI gaps to projects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.output import emit, json_option
from decision_support.errors import InputError
from decision_support.projects.candidate_files import read_candidate_file
from decision_support.projects.candidates import candidate_to_dict
from decision_support.projects.currency import load_conversion
from decision_support.projects.library import load_library
from decision_support.projects.matching import MatchResult, match_gaps
from decision_support.projects.model import CandidateProject, CityProfile, ProjectTemplate
from decision_support.projects.spreadsheet import read_candidates_xlsx, write_candidates_xlsx


@click.group()
def projects() -> None:
    """Candidate projects: the sourced library, a city's candidates, gap matching."""


def _template_summary(t: ProjectTemplate) -> dict[str, Any]:
    unit_cost = t.capex_per_unit or t.capex_fixed
    return {
        "id": t.id,
        "name": t.name,
        "sub_dimension": t.sub_dimension,
        "intervention": t.intervention,
        "variant_of": t.variant_of,
        "low_cost": t.low_cost,
        "size": {"name": t.size.name, "unit": t.size.unit},
        "kpis": sorted({i.kpi for i in t.impacts}),
        "capex": {
            "basis": "per_unit" if t.capex_per_unit else "fixed",
            "low": unit_cost.low if unit_cost else 0,
            "typical": unit_cost.typical if unit_cost else 0,
            "high": unit_cost.high if unit_cost else 0,
            "currency": t.currency,
            "price_year": t.price_year,
        },
        "tags": list(t.tags),
        "procurement": {"category": t.procurement.category, "cpv": t.procurement.cpv},
        "excludes": list(t.excludes),
        "requires": list(t.requires),
    }


def _render_library(payload: dict[str, Any]) -> str:
    lines = [f"{payload['count']} templates ({payload['low_cost']} low-cost)"]
    for t in payload["templates"]:
        flag = "[low-cost] " if t["low_cost"] else ""
        c = t["capex"]
        basis = "per " + t["size"]["unit"] if c["basis"] == "per_unit" else "fixed"
        lines.append(
            f"- {t['id']}: {flag}{t['name']} — {c['typical']:,.0f} {c['currency']} "
            f"{c['price_year']} {basis}; KPIs {', '.join(t['kpis'])}"
        )
    return "\n".join(lines)


@projects.command("library")
@click.option("--low-cost", "low_cost", is_flag=True, help="Only low-cost options.")
@click.option("--kpi", "kpi", default=None, help="Only templates that move this KPI code.")
@json_option
def library(low_cost: bool, kpi: str | None, as_json: bool) -> None:
    """List the project templates of the shipped library."""
    lib = load_library()
    if kpi is not None:
        from decision_support.kpis.catalogue import load_catalogue

        load_catalogue().get(kpi)  # unknown code → exit 2 with one line
    chosen = lib.filter(low_cost=True if low_cost else None, kpi=kpi)
    payload = {
        "count": len(chosen),
        "low_cost": sum(t.low_cost for t in chosen),
        "templates": [_template_summary(t) for t in chosen],
    }
    emit(payload, as_json, _render_library)


def _load_candidates(path: str) -> tuple[CityProfile | None, list[CandidateProject]]:
    file = Path(path)
    if file.suffix.lower() == ".xlsx":
        return None, read_candidates_xlsx(file.read_bytes())
    candidate_list = read_candidate_file(file)
    return candidate_list.city, list(candidate_list.candidates)


@projects.command("candidates")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--xlsx", "xlsx_out", type=click.Path(dir_okay=False), help="Also write an .xlsx file."
)
@json_option
def candidates(path: str, xlsx_out: str | None, as_json: bool) -> None:
    """Validate and list a candidate file (candidates.yaml or .xlsx)."""
    _, items = _load_candidates(path)
    if xlsx_out:
        Path(xlsx_out).write_bytes(write_candidates_xlsx(items))
    payload = {"count": len(items), "candidates": [candidate_to_dict(c) for c in items]}
    emit(
        payload,
        as_json,
        lambda p: (
            "\n".join(
                f"- {c['id']}: {'[low-cost] ' if c['low_cost'] else ''}{c['name']} — capex "
                f"{sum(c['capex_by_year']):,.0f} {c['currency']}"
                for c in p["candidates"]
            )
            or "no candidates"
        ),
    )


def match_to_dict(result: MatchResult) -> dict[str, Any]:
    """JSON-ready form of a match result."""

    def gap_dict(gap: Any) -> dict[str, Any]:
        return {
            "code": gap.code,
            "data_point": gap.data_point,
            "name": getattr(gap, "name", ""),
            "value": getattr(gap, "value", None),
            "target": getattr(gap, "target", None),
            "gap": gap.gap,
            "direction": gap.direction,
            "band": getattr(gap, "band", ""),
            "core": getattr(gap, "core", False),
        }

    return {
        "gaps": [
            {
                **gap_dict(m.gap),
                "options": [
                    {
                        "project_id": o.project_id,
                        "name": o.name,
                        "kind": o.kind,
                        "low_cost": o.low_cost,
                        "change": o.change,
                        "share_closed": round(o.share_closed, 6),
                        "lifetime_cost": round(o.lifetime_cost, 2),
                        "score": round(o.score, 6),
                        "confidence": o.confidence,
                    }
                    for o in m.options
                ],
            }
            for m in result.matches
        ],
        "uncovered": [gap_dict(g) for g in result.uncovered],
    }


def _render_match(payload: dict[str, Any]) -> str:
    lines = []
    for gap in payload["gaps"]:
        label = gap["code"] + (f" [{gap['data_point']}]" if gap["data_point"] else "")
        lines.append(f"{label} {gap['name']}: gap {gap['gap']:g}")
        for o in gap["options"][:5]:
            flag = "[low-cost] " if o["low_cost"] else ""
            lines.append(
                f"    {flag}{o['project_id']} ({o['kind']}): closes {o['share_closed']:.0%}, "
                f"{o['score']:.3g} of the gap per million"
            )
        if not gap["options"]:
            lines.append("    no candidate project")
    lines.append(f"{len(payload['uncovered'])} gaps without any candidate")
    if payload.get("money_conversion"):
        lines.append(f"Converted with {payload['money_conversion']}")
    return "\n".join(lines)


@projects.command("match")
@click.option(
    "--values", "values_path", required=True, type=click.Path(exists=True, dir_okay=False)
)
@click.option("--targets", "targets_path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--candidates",
    "candidates_path",
    type=click.Path(exists=True, dir_okay=False),
    help="The city's candidates.yaml (its city profile also sizes the templates).",
)
@click.option(
    "--population",
    type=click.FloatRange(min=1),
    help="Without --candidates: the city's population.",
)
@click.option(
    "--households", type=click.FloatRange(min=1), help="Without --candidates: its households."
)
@click.option("--no-templates", is_flag=True, help="Match only the candidates, not the library.")
@json_option
def match(
    values_path: str,
    targets_path: str | None,
    candidates_path: str | None,
    population: float | None,
    households: float | None,
    no_templates: bool,
    as_json: bool,
) -> None:
    """Rank the projects that close each priority KPI gap (values scored against targets)."""
    try:
        from decision_support.kpis.analysis import priority_gaps
        from decision_support.kpis.catalogue import load_catalogue
        from decision_support.kpis.scoring import score_values
        from decision_support.kpis.targets import load_reference_targets, read_targets
        from decision_support.kpis.values import read_values
    except ImportError as exc:  # pragma: no cover - depends on the KPI feature being installed
        raise click.UsageError(f"KPI scoring is not available: {exc}") from exc
    catalogue = load_catalogue()
    targets = load_reference_targets(catalogue)
    if targets_path:
        targets = targets.with_city_targets(read_targets(targets_path, catalogue=catalogue))
    assessment = score_values(read_values(values_path, catalogue=catalogue), targets)
    gaps = priority_gaps(assessment)
    city: CityProfile | None = None
    items: list[CandidateProject] = []
    if candidates_path:
        city, items = _load_candidates(candidates_path)
    elif population and households:
        city = CityProfile("city", population, households)
    if not items and (no_templates or city is None):
        raise InputError(
            "give --candidates (a candidates.yaml) or --population and --households to match"
        )
    result = match_gaps(gaps, items, templates=() if no_templates else load_library(), city=city)
    payload = match_to_dict(result)
    if not no_templates:
        ecb = load_conversion().ecb
        payload["money_conversion"] = (
            "library money: annual average rates of the price year, "
            + (ecb.source if ecb else "hand-kept table (currency.yaml)")
            + "; euro-area HICP inflation (currency.yaml)"
        )
    emit(payload, as_json, _render_match)
