"""What-if overrides: a base scenario plus named changes, applied by one pure function.

An overrides mapping (the ``overrides:`` block of a what-if file, see
``docs/scenarios.md``) is checked against :data:`OVERRIDES_SCHEMA` and then applied
to a copy of a scenario dictionary in the optimiser's scenario-file format. Every
problem found (schema or reference to an unknown year, mechanism, project or KPI)
is collected and raised once as :class:`OverrideError`, each naming its field.

Order of application (fixed, so that a what-if means the same thing every time):
horizon → budget → rates → mechanism types → mechanisms → grant award
probabilities → KPIs →
objective → constraints. Budget percentages apply to the base amounts, after any
absolute ``by_year`` replacements.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator

from decision_support.errors import InputError, Problem
from decision_support.files.schema import document_path
from decision_support.kpis.catalogue import DIMENSIONS, compact_code


class OverrideError(InputError):
    """A what-if's overrides are malformed or refer to something the base lacks."""


_YEAR_KEY = "^[0-9]{4}$"
_NUMBER_BY_YEAR = {
    "type": "object",
    "propertyNames": {"pattern": _YEAR_KEY},
    "additionalProperties": {"type": "number"},
}
_ID_LIST_CHANGE = {
    "oneOf": [
        {"type": "array", "items": {"type": "string"}},
        {
            "type": "object",
            "properties": {
                "add": {"type": "array", "items": {"type": "string"}},
                "remove": {"type": "array", "items": {"type": "string"}},
            },
            "additionalProperties": False,
        },
    ]
}

_MECHANISM_CHANGE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "available": {"type": "boolean"},
        "capacity_total": {"type": ["number", "null"], "minimum": 0},
        "capacity_by_year": {
            **_NUMBER_BY_YEAR,
            "additionalProperties": {"type": "number", "minimum": 0},
        },
        "capacity_change_percent": {"type": "number", "minimum": -100},
        "max_share": {"type": "number", "minimum": 0, "maximum": 1},
        "award_probability": {"type": "number", "minimum": 0, "maximum": 1},
    },
}
MECHANISM_TYPES = (
    "own_budget",
    "loan",
    "bond",
    "grant",
    "ppp",
    "epc",
    "green_bond",
    "revolving_fund",
    "tax_increment",
    "other",
)

OVERRIDES_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "What-if overrides",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "horizon_years": {"type": "integer", "minimum": 1, "maximum": 30},
        "budget": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "by_year": {
                    **_NUMBER_BY_YEAR,
                    "additionalProperties": {"type": "number", "minimum": 0},
                },
                "change_percent": {"type": "number", "minimum": -100},
                "change_percent_by_year": {
                    **_NUMBER_BY_YEAR,
                    "additionalProperties": {"type": "number", "minimum": -100},
                },
                "carry_over": {"type": "boolean"},
            },
        },
        "rates": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "shift_points": {"type": "number", "minimum": -20, "maximum": 20},
                "by_mechanism": {
                    "type": "object",
                    "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
                },
                "discount_rate": {"type": "number", "minimum": 0, "maximum": 1},
            },
        },
        "mechanisms": {"type": "object", "additionalProperties": _MECHANISM_CHANGE},
        "mechanism_types": {
            "type": "object",
            "propertyNames": {"enum": list(MECHANISM_TYPES)},
            "additionalProperties": _MECHANISM_CHANGE,
        },
        "grant_award_probability": {"type": "number", "minimum": 0, "maximum": 1},
        "kpis": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "weights": {
                    "type": "object",
                    "additionalProperties": {"type": "number", "minimum": 0},
                },
                "targets": {"type": "object", "additionalProperties": {"type": "number"}},
            },
        },
        "objective": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "mode": {"enum": ["gap_closure", "u4ssc_points", "value"]},
                "dimension_weights": {
                    "type": "object",
                    "propertyNames": {"enum": list(DIMENSIONS)},
                    "additionalProperties": {"type": "number", "minimum": 0},
                },
            },
        },
        "constraints": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "mandatory": _ID_LIST_CHANGE,
                "excluded": _ID_LIST_CHANGE,
                "min_low_cost_projects": {"type": ["integer", "null"], "minimum": 0},
                "max_tenders_per_year": {"type": ["integer", "null"], "minimum": 0},
                "max_debt_service_ratio": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                "only_low_cost": {"type": "boolean"},
            },
        },
    },
}

_VALIDATOR = Draft202012Validator(OVERRIDES_SCHEMA)


_DATA_POINT_KEY = re.compile(r"^(?P<code>.*?)\s*\[(?P<point>[^\]]+)\]\s*$")


def split_kpi_key(key: str) -> tuple[str, str | None]:
    """Split ``"EN: EN: AQ: 1C [PM2.5]"`` into code and data point (None when absent)."""
    match = _DATA_POINT_KEY.match(key)
    if match:
        return match["code"].strip(), match["point"].strip()
    return key.strip(), None


def check_overrides(overrides: Mapping[str, Any], prefix: str = "overrides") -> None:
    """Validate an overrides mapping against :data:`OVERRIDES_SCHEMA`.

    Raises :class:`OverrideError` listing every violation, each with its dotted field path.
    """
    if not isinstance(overrides, Mapping):
        raise OverrideError(Problem("must be a mapping", field=prefix))
    problems = [
        Problem(err.message, field=document_path([prefix, *err.absolute_path]))
        for err in sorted(
            _VALIDATOR.iter_errors(dict(overrides)), key=lambda e: [str(p) for p in e.path]
        )
    ]
    if problems:
        raise OverrideError(problems)


def _year_map(raw: Mapping[Any, Any] | None) -> dict[int, Any]:
    return {int(year): value for year, value in (raw or {}).items()}


def _scenario_years(scenario: Mapping[str, Any]) -> list[int]:
    start = int(scenario.get("start_year", 0) or 0)
    horizon = int(scenario.get("horizon_years", 0) or 0)
    return list(range(start, start + horizon)) if start and horizon else []


class _Applier:
    """Applies one overrides mapping to a deep copy of a scenario, collecting problems."""

    def __init__(self, base: Mapping[str, Any]) -> None:
        self.scenario: dict[str, Any] = copy.deepcopy(dict(base))
        self.problems: list[Problem] = []

    def problem(self, message: str, field: str) -> None:
        self.problems.append(Problem(message, field=field))

    def mechanisms_by_id(self) -> dict[str, dict[str, Any]]:
        return {str(m.get("id")): m for m in self.scenario.get("mechanisms") or []}

    def project_ids(self) -> set[str]:
        return {str(p.get("id")) for p in self.scenario.get("projects") or []}

    # -- horizon ------------------------------------------------------------------
    def horizon(self, years: int) -> None:
        """Set the horizon; new years inherit the last base year's budget and fiscal data."""
        old_years = _scenario_years(self.scenario)
        self.scenario["horizon_years"] = years
        new_years = _scenario_years(self.scenario)
        if not old_years or not new_years:
            return
        budget = self.scenario.get("budget")
        if isinstance(budget, dict) and isinstance(budget.get("by_year"), dict):
            budget["by_year"] = self._extend(_year_map(budget["by_year"]), new_years)
        fiscal = self.scenario.get("fiscal")
        if isinstance(fiscal, dict):
            for key in ("revenue_by_year", "existing_debt_service_by_year"):
                if isinstance(fiscal.get(key), dict):
                    fiscal[key] = self._extend(_year_map(fiscal[key]), new_years)

    @staticmethod
    def _extend(by_year: dict[int, Any], years: list[int]) -> dict[int, Any]:
        if not by_year:
            return by_year
        last = by_year[max(by_year)]
        return {year: by_year.get(year, last) for year in years}

    # -- budget -------------------------------------------------------------------
    def budget(self, spec: Mapping[str, Any]) -> None:
        """Absolute amounts replace years; percentages scale (1 + p/100); carry-over toggles."""
        budget = self.scenario.setdefault("budget", {})
        by_year = _year_map(budget.get("by_year"))
        known = set(by_year) | set(_scenario_years(self.scenario))
        for year, amount in _year_map(spec.get("by_year")).items():
            if known and year not in known:
                self.problem(f"year {year} is outside the scenario horizon", "budget.by_year")
                continue
            by_year[year] = float(amount)
        if "change_percent" in spec:
            factor = 1 + float(spec["change_percent"]) / 100
            by_year = {year: amount * factor for year, amount in by_year.items()}
        for year, percent in _year_map(spec.get("change_percent_by_year")).items():
            if year not in by_year:
                self.problem(
                    f"no budget for year {year} to change", "budget.change_percent_by_year"
                )
                continue
            by_year[year] *= 1 + float(percent) / 100
        budget["by_year"] = by_year
        if "carry_over" in spec:
            budget["carry_over"] = bool(spec["carry_over"])

    # -- rates --------------------------------------------------------------------
    def rates(self, spec: Mapping[str, Any]) -> None:
        """Shift every interest-bearing mechanism's rate by points/100; set named rates."""
        mechanisms = self.mechanisms_by_id()
        shift = float(spec.get("shift_points", 0.0)) / 100
        if shift:
            for mechanism in mechanisms.values():
                if "rate" in mechanism and float(mechanism.get("rate") or 0.0) > 0:
                    mechanism["rate"] = max(0.0, float(mechanism["rate"]) + shift)
        for mech_id, rate in (spec.get("by_mechanism") or {}).items():
            if mech_id not in mechanisms:
                self.problem(f"unknown mechanism '{mech_id}'", f"rates.by_mechanism.{mech_id}")
                continue
            mechanisms[mech_id]["rate"] = float(rate)
        if "discount_rate" in spec:
            self.scenario["discount_rate"] = float(spec["discount_rate"])

    # -- mechanisms ---------------------------------------------------------------
    def mechanisms(self, spec: Mapping[str, Mapping[str, Any]]) -> None:
        """Availability (unavailable mechanisms are removed), capacities, share caps."""
        mechanisms = self.mechanisms_by_id()
        removed: set[str] = set()
        for mech_id, change in spec.items():
            field = f"mechanisms.{mech_id}"
            if mech_id not in mechanisms:
                self.problem(f"unknown mechanism '{mech_id}'", field)
                continue
            mechanism = mechanisms[mech_id]
            if change.get("available") is False:
                removed.add(mech_id)
                continue
            if "capacity_total" in change:
                mechanism["capacity_total"] = change["capacity_total"]
            if "capacity_by_year" in change:
                by_year = _year_map(mechanism.get("capacity_by_year"))
                by_year.update(
                    {y: float(v) for y, v in _year_map(change["capacity_by_year"]).items()}
                )
                mechanism["capacity_by_year"] = by_year
            if "capacity_change_percent" in change:
                factor = 1 + float(change["capacity_change_percent"]) / 100
                if mechanism.get("capacity_total") is not None:
                    mechanism["capacity_total"] = float(mechanism["capacity_total"]) * factor
                if isinstance(mechanism.get("capacity_by_year"), dict):
                    mechanism["capacity_by_year"] = {
                        y: float(v) * factor
                        for y, v in _year_map(mechanism["capacity_by_year"]).items()
                    }
                if mechanism.get("capacity_total") is None and not mechanism.get(
                    "capacity_by_year"
                ):
                    self.problem(
                        "the mechanism has no capacity to change",
                        f"{field}.capacity_change_percent",
                    )
            if "max_share" in change:
                mechanism["max_share"] = float(change["max_share"])
            if "award_probability" in change:
                mechanism["award_probability"] = float(change["award_probability"])
        if removed:
            self.scenario["mechanisms"] = [
                m for m in self.scenario.get("mechanisms") or [] if str(m.get("id")) not in removed
            ]

    def mechanism_types(self, spec: Mapping[str, Mapping[str, Any]]) -> None:
        """The same change for every mechanism of a type (e.g. all grants unavailable)."""
        for kind, change in spec.items():
            ids = [
                str(m.get("id"))
                for m in self.scenario.get("mechanisms") or []
                if m.get("type") == kind
            ]
            if not ids:
                self.problem(f"the scenario has no '{kind}' mechanism", f"mechanism_types.{kind}")
            self.mechanisms(dict.fromkeys(ids, change))

    def grant_award_probability(self, probability: float) -> None:
        """Set the award probability of every grant-type mechanism."""
        grants = [m for m in self.scenario.get("mechanisms") or [] if m.get("type") == "grant"]
        if not grants:
            self.problem("the scenario has no grant mechanism", "grant_award_probability")
        for mechanism in grants:
            mechanism["award_probability"] = float(probability)

    # -- KPIs and objective ---------------------------------------------------------
    def kpis(self, spec: Mapping[str, Mapping[str, float]]) -> None:
        """Per-KPI weights and targets, matched on either code spelling.

        A key ``code [data point]`` names one data point; a bare code names every entry
        of that KPI.
        """
        entries = self.scenario.get("kpis") or []
        for key in ("weights", "targets"):
            attribute = key[:-1]
            for name, value in (spec.get(key) or {}).items():
                code, point = split_kpi_key(name)
                matches = [
                    entry
                    for entry in entries
                    if compact_code(str(entry.get("code"))) == compact_code(code)
                    and (point is None or entry.get("data_point") == point)
                ]
                if not matches:
                    self.problem(f"KPI '{name}' is not in the scenario", f"kpis.{key}.{name}")
                for entry in matches:
                    entry[attribute] = float(value)

    def objective(self, spec: Mapping[str, Any]) -> None:
        """Objective mode and dimension weights (merged into the base weights)."""
        objective = self.scenario.setdefault("objective", {})
        if "mode" in spec:
            objective["mode"] = spec["mode"]
        if "dimension_weights" in spec:
            weights = dict(objective.get("dimension_weights") or {})
            weights.update({d: float(w) for d, w in spec["dimension_weights"].items()})
            objective["dimension_weights"] = weights

    # -- constraints ----------------------------------------------------------------
    def constraints(self, spec: Mapping[str, Any]) -> None:
        """Mandatory/excluded lists (replace or add/remove), counts, low-cost-only filter."""
        constraints = self.scenario.setdefault("constraints", {})
        ids = self.project_ids()
        for key in ("mandatory", "excluded"):
            if key not in spec:
                continue
            change = spec[key]
            current = list(constraints.get(key) or [])
            if isinstance(change, list):
                wanted, removed = list(change), []
                current = []
            else:
                wanted, removed = list(change.get("add") or []), list(change.get("remove") or [])
            for project_id in [*wanted, *removed]:
                if project_id not in ids:
                    self.problem(f"unknown project '{project_id}'", f"constraints.{key}")
            current = [p for p in current if p not in removed]
            current += [p for p in wanted if p not in current]
            constraints[key] = current
        for key in ("min_low_cost_projects", "max_tenders_per_year"):
            if key in spec:
                constraints[key] = spec[key]
        if "max_debt_service_ratio" in spec:
            self.scenario.setdefault("fiscal", {})["max_debt_service_ratio"] = spec[
                "max_debt_service_ratio"
            ]
        if spec.get("only_low_cost"):
            others = [
                str(p.get("id"))
                for p in self.scenario.get("projects") or []
                if not p.get("low_cost", False)
            ]
            mandatory_others = set(others) & set(constraints.get("mandatory") or [])
            if mandatory_others:
                self.problem(
                    f"mandatory projects are not low-cost: {', '.join(sorted(mandatory_others))}",
                    "constraints.only_low_cost",
                )
            excluded = list(constraints.get("excluded") or [])
            constraints["excluded"] = excluded + [p for p in others if p not in excluded]
        clash = set(constraints.get("mandatory") or []) & set(constraints.get("excluded") or [])
        if clash:
            self.problem(
                f"projects both mandatory and excluded: {', '.join(sorted(clash))}", "constraints"
            )


def apply_overrides(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return a new scenario dictionary: ``base`` with ``overrides`` applied.

    ``base`` is never modified. Raises :class:`OverrideError` (every problem, each with
    its field) when the overrides are malformed or name a year, mechanism, project or KPI
    that the base scenario does not have.
    """
    check_overrides(overrides)
    applier = _Applier(base)
    if "horizon_years" in overrides:
        applier.horizon(int(overrides["horizon_years"]))
    if "budget" in overrides:
        applier.budget(overrides["budget"])
    if "rates" in overrides:
        applier.rates(overrides["rates"])
    if "mechanism_types" in overrides:
        applier.mechanism_types(overrides["mechanism_types"])
    if "mechanisms" in overrides:
        applier.mechanisms(overrides["mechanisms"])
    if "grant_award_probability" in overrides:
        applier.grant_award_probability(float(overrides["grant_award_probability"]))
    if "kpis" in overrides:
        applier.kpis(overrides["kpis"])
    if "objective" in overrides:
        applier.objective(overrides["objective"])
    if "constraints" in overrides:
        applier.constraints(overrides["constraints"])
    if applier.problems:
        raise OverrideError(
            [Problem(p.message, field=f"overrides.{p.field}") for p in applier.problems]
        )
    return applier.scenario
