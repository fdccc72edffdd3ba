"""Rules every candidate project obeys, whoever made it (library, form, spreadsheet, file),
and the plain-dict form used by YAML files and the JSON API.

The rules are the library's, applied to concrete numbers: money is non-negative, the
capex profile has at most ⌈duration⌉ years, lifetime ≥ duration, impacts name catalogue
KPIs (and a valid data point where the KPI has them) with a confidence and a source, tags
and procurement category come from fixed lists, and a project neither requires nor
excludes itself. In a list, ids are unique and ``requires``/``excludes`` name projects of
the list.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from decision_support.errors import Problem
from decision_support.kpis.catalogue import Catalogue, load_catalogue
from decision_support.projects.model import (
    CONFIDENCE_LEVELS,
    COST_LEVELS,
    FINANCING_TAGS,
    LEVELS,
    PROCUREMENT_CATEGORIES,
    CandidateImpact,
    CandidateProject,
    ProjectError,
    ProjectProcurement,
    Risk,
)

PROJECT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
CPV_CODE = re.compile(r"^[0-9]{8}(-[0-9])?$")


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_candidate(project: CandidateProject, catalogue: Catalogue | None = None) -> list[Problem]:
    """Every rule broken by one project, as problems naming the field."""
    catalogue = catalogue or load_catalogue()
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(message, field=field))

    if not PROJECT_ID.match(project.id or ""):
        bad(
            "id",
            "id must be 1-40 letters, digits, '-', '_' or '.', starting with a letter or digit",
        )
    if not project.name or not project.name.strip():
        bad("name", "name is required")
    if not project.capex_by_year:
        bad("capex_by_year", "give at least one year of capex (0 is allowed)")
    for n, amount in enumerate(project.capex_by_year):
        if not (_finite(amount) and amount >= 0):
            bad(f"capex_by_year[{n}]", "capex must be a non-negative number")
    for field in ("opex_per_year", "savings_per_year"):
        value = getattr(project, field)
        if not (_finite(value) and value >= 0):
            bad(field, f"{field.replace('_', ' ')} must be a non-negative number")
    if not (_finite(project.duration_years) and project.duration_years > 0):
        bad("duration_years", "duration must be a positive number of years")
    elif len(project.capex_by_year) > max(1, math.ceil(project.duration_years - 1e-9)):
        bad(
            "capex_by_year",
            f"{len(project.capex_by_year)} years of capex for a {project.duration_years:g}-year "
            "duration: spend capex within the duration",
        )
    if not (_finite(project.lifetime_years) and project.lifetime_years > 0):
        bad("lifetime_years", "lifetime must be a positive number of years")
    elif _finite(project.duration_years) and project.lifetime_years < project.duration_years:
        bad("lifetime_years", "lifetime must be at least the duration")
    if not project.impacts:
        bad("impacts", "a project needs at least one KPI impact")
    for n, impact in enumerate(project.impacts):
        prefix = f"impacts[{n}]"
        kpi = catalogue.find(impact.kpi or "")
        if kpi is None:
            bad(f"{prefix}.kpi", f"unknown U4SSC KPI code '{impact.kpi}'")
        elif kpi.data_points and impact.data_point not in kpi.data_points:
            bad(
                f"{prefix}.data_point",
                f"{kpi.code} is reported per data point: one of {', '.join(kpi.data_points)}",
            )
        elif not kpi.data_points and impact.data_point:
            bad(f"{prefix}.data_point", f"{kpi.code} has no data points")
        if not _finite(impact.change):
            bad(f"{prefix}.change", "change must be a number (in the KPI's unit)")
        if impact.confidence not in CONFIDENCE_LEVELS:
            bad(f"{prefix}.confidence", f"confidence must be one of {', '.join(CONFIDENCE_LEVELS)}")
        if not (impact.source or "").strip():
            bad(f"{prefix}.source", "every impact needs a source")
    for tag in project.tags:
        if tag not in FINANCING_TAGS:
            bad("tags", f"unknown tag '{tag}' (allowed: {', '.join(FINANCING_TAGS)})")
    if project.procurement.category not in PROCUREMENT_CATEGORIES:
        bad("procurement.category", f"category must be one of {', '.join(PROCUREMENT_CATEGORIES)}")
    if project.procurement.cpv and not CPV_CODE.match(project.procurement.cpv):
        bad("procurement.cpv", "CPV code must be 8 digits (optionally -check digit)")
    if not (
        _finite(project.procurement.estimated_value) and project.procurement.estimated_value >= 0
    ):
        bad("procurement.estimated_value", "estimated value must be a non-negative number")
    for field in ("cost_overrun", "delivery"):
        if getattr(project.risk, field) not in LEVELS:
            bad(f"risk.{field}", f"risk must be one of {', '.join(LEVELS)}")
    if project.cost_level not in COST_LEVELS:
        bad("cost_level", f"cost level must be one of {', '.join(COST_LEVELS)}")
    if project.id in project.requires:
        bad("requires", "a project cannot require itself")
    if project.id in project.excludes:
        bad("excludes", "a project cannot exclude itself")
    if project.earliest_start < 0:
        bad("earliest_start", "earliest start must be 0 or later")
    if project.latest_start is not None and project.latest_start < project.earliest_start:
        bad("latest_start", "latest start must not be before earliest start")
    return problems


def validate_candidate(project: CandidateProject, catalogue: Catalogue | None = None) -> None:
    """Raise ProjectError listing every problem of one user-created project."""
    problems = check_candidate(project, catalogue)
    if problems:
        raise ProjectError(problems)


def check_candidate_list(projects: Iterable[CandidateProject]) -> list[Problem]:
    """List-level rules: unique ids; requires/excludes name projects of the list."""
    items = list(projects)
    problems = []
    seen: set[str] = set()
    for project in items:
        if project.id in seen:
            problems.append(Problem(f"duplicate project id '{project.id}'", field="id"))
        seen.add(project.id)
    for project in items:
        for field in ("requires", "excludes"):
            for ref in getattr(project, field):
                if ref not in seen:
                    problems.append(
                        Problem(
                            f"project '{project.id}' {field} unknown project '{ref}'", field=field
                        )
                    )
    return problems


# ---------------------------------------------------------------- dict form (YAML / JSON)


def candidate_to_dict(project: CandidateProject) -> dict[str, Any]:
    """Plain, JSON-ready dict of a candidate project (inverse of :func:`candidate_from_dict`)."""
    return {
        "id": project.id,
        "name": project.name,
        "template_id": project.template_id,
        "intervention": project.intervention,
        "description": project.description,
        "low_cost": project.low_cost,
        "currency": project.currency,
        "capex_by_year": list(project.capex_by_year),
        "opex_per_year": project.opex_per_year,
        "savings_per_year": project.savings_per_year,
        "duration_years": project.duration_years,
        "lifetime_years": project.lifetime_years,
        "earliest_start": project.earliest_start,
        "latest_start": project.latest_start,
        "cost_level": project.cost_level,
        "sizes": dict(project.sizes),
        "impacts": [
            {
                "kpi": i.kpi,
                "data_point": i.data_point,
                "change": i.change,
                "confidence": i.confidence,
                "source": i.source,
                "note": i.note,
            }
            for i in project.impacts
        ],
        "tags": list(project.tags),
        "procurement": {
            "category": project.procurement.category,
            "cpv": project.procurement.cpv,
            "contract": project.procurement.contract,
            "estimated_value": project.procurement.estimated_value,
        },
        "risk": {"cost_overrun": project.risk.cost_overrun, "delivery": project.risk.delivery},
        "requires": list(project.requires),
        "excludes": list(project.excludes),
        "sources": list(project.sources),
        "notes": list(project.notes),
    }


def _number(
    data: Mapping[str, Any],
    key: str,
    problems: list[Problem],
    where: str,
    default: float | None = None,
) -> float:
    value = data.get(key, default)
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(Problem(f"'{key}' must be a number", field=f"{where}{key}"))
        return 0.0
    return float(value)


def _strings(value: Any, field: str, problems: list[Problem]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        problems.append(Problem("must be a list of strings", field=field))
        return ()
    return tuple(value)


def candidate_from_dict(data: Mapping[str, Any], where: str = "") -> CandidateProject:
    """Build a candidate from its dict form; raises ProjectError naming every bad field.

    ``where`` prefixes field names (e.g. ``"candidates[3]."``) so a file's problems
    point at the entry.
    """
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise ProjectError(Problem("a project must be a mapping of fields", field=where or None))
    capex_raw = data.get("capex_by_year")
    if not isinstance(capex_raw, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in capex_raw
    ):
        problems.append(
            Problem("'capex_by_year' must be a list of numbers", field=f"{where}capex_by_year")
        )
        capex: tuple[float, ...] = ()
    else:
        capex = tuple(float(v) for v in capex_raw)
    impacts = []
    raw_impacts = data.get("impacts") or []
    if not isinstance(raw_impacts, list):
        problems.append(Problem("'impacts' must be a list", field=f"{where}impacts"))
        raw_impacts = []
    for n, raw in enumerate(raw_impacts):
        iw = f"{where}impacts[{n}]."
        if not isinstance(raw, Mapping):
            problems.append(Problem("an impact must be a mapping", field=f"{where}impacts[{n}]"))
            continue
        impacts.append(
            CandidateImpact(
                kpi=str(raw.get("kpi") or ""),
                change=_number(raw, "change", problems, iw),
                confidence=str(raw.get("confidence") or ""),
                source=str(raw.get("source") or ""),
                data_point=raw.get("data_point") or None,
                note=str(raw.get("note") or ""),
            )
        )
    proc = data.get("procurement") or {}
    risk = data.get("risk") or {}
    latest = data.get("latest_start")
    project = CandidateProject(
        id=str(data.get("id") or ""),
        name=str(data.get("name") or ""),
        capex_by_year=capex,
        opex_per_year=_number(data, "opex_per_year", problems, where, 0.0),
        savings_per_year=_number(data, "savings_per_year", problems, where, 0.0),
        duration_years=_number(data, "duration_years", problems, where),
        lifetime_years=_number(data, "lifetime_years", problems, where),
        impacts=tuple(impacts),
        procurement=ProjectProcurement(
            category=str(proc.get("category") or ""),
            cpv=str(proc.get("cpv") or ""),
            contract=str(proc.get("contract") or ""),
            estimated_value=float(proc.get("estimated_value") or sum(capex)),
        ),
        risk=Risk(str(risk.get("cost_overrun") or ""), str(risk.get("delivery") or "")),
        currency=str(data.get("currency") or "EUR"),
        template_id=data.get("template_id") or None,
        intervention=data.get("intervention") or None,
        description=str(data.get("description") or ""),
        low_cost=bool(data.get("low_cost", False)),
        tags=_strings(data.get("tags"), f"{where}tags", problems),
        requires=_strings(data.get("requires"), f"{where}requires", problems),
        excludes=_strings(data.get("excludes"), f"{where}excludes", problems),
        sources=_strings(data.get("sources"), f"{where}sources", problems),
        notes=_strings(data.get("notes"), f"{where}notes", problems),
        sizes={str(k): float(v) for k, v in (data.get("sizes") or {}).items()},
        cost_level=str(data.get("cost_level") or "typical"),
        earliest_start=int(data.get("earliest_start") or 0),
        latest_start=int(latest) if latest is not None else None,
    )
    if not problems:
        problems.extend(
            Problem(p.message, field=f"{where}{p.field}" if p.field else where or None)
            for p in check_candidate(project)
        )
    if problems:
        raise ProjectError(problems)
    return project
