"""Scenario documents: read from YAML/JSON or a mapping, checked, and written back.

A scenario comes from a file (:func:`load_scenario`), from a plain mapping
(:func:`parse_scenario`, used by the web layer after building one from the
database) or is written back with :func:`scenario_to_dict`. Parsing runs the JSON
Schema first, then the semantic checks of :mod:`decision_support.portfolio.validation`;
all problems are reported at once in a
:class:`~decision_support.portfolio.scenario.ScenarioError`.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from decision_support.errors import Problem
from decision_support.portfolio.scenario import (
    Budget,
    ConstraintSpec,
    Fiscal,
    KPITarget,
    MechanismSpec,
    ObjectiveSpec,
    ProcurementSpec,
    ProjectSpec,
    Scenario,
    ScenarioError,
)
from decision_support.portfolio.schema import normalise_keys, schema_problems
from decision_support.portfolio.validation import check_scenario


def _years(mapping: dict[str, Any] | None) -> dict[int, float]:
    return {int(year): float(amount) for year, amount in (mapping or {}).items()}


def _procurement(raw: dict[str, Any] | None) -> ProcurementSpec | None:
    if raw is None:
        return None
    known = {"category", "estimated_value", "cpv", "procedure", "lead_time_days"}
    return ProcurementSpec(
        category=raw.get("category", ""),
        estimated_value=raw.get("estimated_value"),
        cpv=raw.get("cpv", ""),
        procedure=raw.get("procedure", ""),
        lead_time_days=raw.get("lead_time_days"),
        extra={k: v for k, v in raw.items() if k not in known},
    )


def _project(raw: dict[str, Any]) -> ProjectSpec:
    return ProjectSpec(
        id=raw["id"],
        name=raw.get("name", raw["id"]),
        description=raw.get("description", ""),
        capex_profile=tuple(float(v) for v in raw["capex_profile"]),
        opex_per_year=float(raw.get("opex_per_year", 0.0)),
        savings_per_year=float(raw.get("savings_per_year", 0.0)),
        value=float(raw.get("value", 0.0)),
        impacts={k: float(v) for k, v in raw.get("impacts", {}).items()},
        earliest_start=raw.get("earliest_start"),
        latest_start=raw.get("latest_start"),
        low_cost=bool(raw.get("low_cost", False)),
        tags=tuple(raw.get("tags", ())),
        requires=tuple(raw.get("requires", ())),
        excludes=tuple(raw.get("excludes", ())),
        procurement=_procurement(raw.get("procurement")),
    )


def _mechanism(raw: dict[str, Any]) -> MechanismSpec:
    kind = raw["type"]
    capacity = raw.get("capacity_by_year")
    return MechanismSpec(
        id=raw["id"],
        type=kind,
        name=raw.get("name", raw["id"]),
        rate=float(raw.get("rate", 0.0)),
        tenor_years=int(raw.get("tenor_years", 1)),
        grace_years=int(raw.get("grace_years", 0)),
        style=raw.get("style", "annuity"),
        issuance_cost=float(raw.get("issuance_cost", 0.0)),
        max_share=float(raw.get("max_share", 1.0)),
        min_amount=float(raw.get("min_amount", 0.0)),
        max_amount=raw.get("max_amount"),
        capacity_total=raw.get("capacity_total"),
        capacity_by_year=_years(capacity) if capacity is not None else None,
        eligible_tags=tuple(raw.get("eligible_tags", ())),
        counts_as_debt=bool(raw.get("counts_as_debt", kind in ("loan", "bond", "green_bond"))),
        cofinancing_share=float(raw.get("cofinancing_share", 0.0)),
        lead_time_years=int(raw.get("lead_time_years", 0)),
        award_probability=float(raw.get("award_probability", 1.0)),
    )


def _build(doc: dict[str, Any]) -> Scenario:
    budget = doc.get("budget", {})
    fiscal = doc.get("fiscal", {})
    objective = doc.get("objective", {})
    constraints = doc.get("constraints", {})
    planning = doc.get("planning_date")
    return Scenario(
        name=doc.get("name", "Unnamed scenario"),
        city=doc.get("city", ""),
        currency=doc.get("currency", "EUR"),
        start_year=int(doc["start_year"]),
        horizon_years=int(doc["horizon_years"]),
        planning_date=date.fromisoformat(planning) if planning else None,
        discount_rate=float(doc.get("discount_rate", 0.03)),
        budget=Budget(_years(budget.get("by_year")), bool(budget.get("carry_over", False))),
        fiscal=Fiscal(
            revenue_by_year=_years(fiscal.get("revenue_by_year")),
            existing_debt_service_by_year=_years(fiscal.get("existing_debt_service_by_year")),
            max_debt_service_ratio=fiscal.get("max_debt_service_ratio"),
        ),
        kpis=tuple(
            KPITarget(
                code=k["code"],
                data_point=k.get("data_point"),
                baseline=float(k["baseline"]),
                target=float(k["target"]),
                weight=float(k.get("weight", 1.0)),
                direction=k.get("direction"),
            )
            for k in doc.get("kpis", [])
        ),
        objective=ObjectiveSpec(
            mode=objective.get("mode", "gap_closure"),
            dimension_weights={
                k: float(v) for k, v in objective.get("dimension_weights", {}).items()
            },
            financing_tolerance=float(objective.get("financing_tolerance", 0.001)),
        ),
        constraints=ConstraintSpec(
            mandatory=tuple(constraints.get("mandatory", ())),
            excluded=tuple(constraints.get("excluded", ())),
            min_low_cost_projects=int(constraints.get("min_low_cost_projects", 0)),
            max_tenders_per_year=constraints.get("max_tenders_per_year"),
            min_dimension_share={
                k: float(v) for k, v in constraints.get("min_dimension_share", {}).items()
            },
        ),
        projects=tuple(_project(p) for p in doc["projects"]),
        mechanisms=tuple(_mechanism(m) for m in doc.get("mechanisms", [])),
    )


def parse_scenario(document: Any) -> Scenario:
    """Validate a scenario mapping (schema, then semantics) and build the dataclasses.

    Raises :class:`ScenarioError` listing every problem found.
    """
    if not isinstance(document, dict):
        raise ScenarioError(Problem("a scenario must be a mapping of fields", field="(top level)"))
    doc = normalise_keys(document)
    problems = schema_problems(doc)
    if problems:
        raise ScenarioError(problems)
    scenario = _build(doc)
    check_scenario(scenario)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read a ``.yaml``/``.yml``/``.json`` scenario file and validate it."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ScenarioError(Problem(f"{path.name} is not valid YAML/JSON: {exc}")) from exc
    return parse_scenario(document)


def _drop_defaults(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_defaults(v) for k, v in value.items() if v not in (None, (), [], {}, "")}
    if isinstance(value, list | tuple):
        return [_drop_defaults(v) for v in value]
    return value


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as a plain mapping that :func:`parse_scenario` reads back unchanged."""
    raw = asdict(scenario)
    if scenario.planning_date:
        raw["planning_date"] = scenario.planning_date.isoformat()
    for project in raw["projects"]:
        procurement = project.get("procurement")
        if procurement:
            procurement.update(procurement.pop("extra", {}))
    return dict(_drop_defaults(raw))


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as YAML text (the file a user downloads)."""
    return yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True)
