"""JSON Schema of the portfolio scenario file (YAML or JSON).

The schema checks shapes and types; :mod:`decision_support.portfolio.validation`
checks what a schema cannot (references between projects, years inside the
horizon, shares that add up). Mapping keys (years) are normalised to strings
before validation because YAML reads ``2027:`` as an integer.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from decision_support.errors import Problem
from decision_support.files.schema import document_path

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
OBJECTIVE_MODES = ("gap_closure", "u4ssc_points", "value")
DIRECTIONS = ("higher_is_better", "lower_is_better")

_YEAR_KEY = "^[0-9]{4}$"
_MONEY = {"type": "number", "minimum": 0}
_SHARE = {"type": "number", "minimum": 0, "maximum": 1}
_RATE = {"type": "number", "minimum": -0.5, "maximum": 1}
_YEAR = {"type": "integer", "minimum": 1900, "maximum": 2200}
_BY_YEAR = {
    "type": "object",
    "propertyNames": {"pattern": _YEAR_KEY},
    "additionalProperties": _MONEY,
}
_ID = {"type": "string", "minLength": 1, "maxLength": 80}
_IDS = {"type": "array", "items": _ID, "uniqueItems": True}

SCENARIO_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Portfolio scenario",
    "type": "object",
    "required": ["start_year", "horizon_years", "projects"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "city": {"type": "string"},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "start_year": _YEAR,
        "horizon_years": {"type": "integer", "minimum": 1, "maximum": 30},
        "planning_date": {"type": "string", "format": "date"},
        "discount_rate": _RATE,
        "budget": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"by_year": _BY_YEAR, "carry_over": {"type": "boolean"}},
        },
        "fiscal": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "revenue_by_year": _BY_YEAR,
                "existing_debt_service_by_year": _BY_YEAR,
                "max_debt_service_ratio": _SHARE,
            },
        },
        "kpis": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "baseline", "target"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "minLength": 1},
                    "data_point": {"type": "string", "minLength": 1},
                    "baseline": {"type": "number"},
                    "target": {"type": "number"},
                    "weight": {"type": "number", "minimum": 0},
                    "direction": {"enum": list(DIRECTIONS)},
                },
            },
        },
        "objective": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "mode": {"enum": list(OBJECTIVE_MODES)},
                "dimension_weights": {
                    "type": "object",
                    "additionalProperties": {"type": "number", "minimum": 0},
                },
                "financing_tolerance": {"type": "number", "minimum": 0, "maximum": 0.5},
            },
        },
        "constraints": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "mandatory": _IDS,
                "excluded": _IDS,
                "min_low_cost_projects": {"type": "integer", "minimum": 0},
                "max_tenders_per_year": {"type": "integer", "minimum": 0},
                "min_dimension_share": {"type": "object", "additionalProperties": _SHARE},
            },
        },
        "projects": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "capex_profile"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "capex_profile": {"type": "array", "minItems": 1, "items": _MONEY},
                    "opex_per_year": _MONEY,
                    "savings_per_year": _MONEY,
                    "value": {"type": "number"},
                    "impacts": {"type": "object", "additionalProperties": {"type": "number"}},
                    "earliest_start": _YEAR,
                    "latest_start": _YEAR,
                    "low_cost": {"type": "boolean"},
                    "tags": _IDS,
                    "requires": _IDS,
                    "excludes": _IDS,
                    "procurement": {
                        "type": "object",
                        "additionalProperties": True,
                        "properties": {
                            "category": {"type": "string"},
                            "estimated_value": _MONEY,
                            "cpv": {"type": "string"},
                            "procedure": {"type": "string"},
                            "lead_time_days": {"type": "integer", "minimum": 0},
                        },
                    },
                },
            },
        },
        "mechanisms": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "type"],
                "additionalProperties": False,
                "properties": {
                    "id": _ID,
                    "name": {"type": "string"},
                    "type": {"enum": list(MECHANISM_TYPES)},
                    "rate": _RATE,
                    "tenor_years": {"type": "integer", "minimum": 1, "maximum": 60},
                    "grace_years": {"type": "integer", "minimum": 0, "maximum": 30},
                    "style": {"enum": ["annuity", "linear", "bullet"]},
                    "issuance_cost": _SHARE,
                    "max_share": _SHARE,
                    "min_amount": _MONEY,
                    "max_amount": _MONEY,
                    "capacity_total": _MONEY,
                    "capacity_by_year": _BY_YEAR,
                    "eligible_tags": _IDS,
                    "counts_as_debt": {"type": "boolean"},
                    "cofinancing_share": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
                    "lead_time_years": {"type": "integer", "minimum": 0, "maximum": 30},
                    "award_probability": _SHARE,
                },
            },
        },
    },
}

_VALIDATOR = Draft202012Validator(SCENARIO_SCHEMA)


def normalise_keys(document: Any) -> Any:
    """Return ``document`` with every mapping key turned into a string."""
    if isinstance(document, dict):
        return {str(key): normalise_keys(value) for key, value in document.items()}
    if isinstance(document, list):
        return [normalise_keys(item) for item in document]
    return document


def _message(error: Any) -> str:
    if error.validator == "additionalProperties":
        return f"unknown field: {error.message.split('(')[-1].rstrip(')')}"
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "propertyNames":
        return f"{error.instance!r} is not a four-digit year"
    return str(error.message)


def schema_problems(document: Any) -> list[Problem]:
    """Every schema violation of a (key-normalised) scenario document, located by field."""
    problems = []
    for error in sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(map(str, e.path))):
        path = list(error.absolute_path)
        if error.validator == "required" and error.message.startswith("'"):
            missing = error.message.split("'")[1]
            path = [*path, missing]
        problems.append(Problem(_message(error), field=document_path(path)))
    return problems
