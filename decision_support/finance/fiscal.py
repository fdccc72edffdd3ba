"""A city's fiscal profile: revenue, capital budget, existing debt and debt rules.

Debt rules, for every year ``t`` of the profile (``DS`` debt service, ``R`` revenue,
``D`` outstanding debt at year end, ``AV`` assessed value, ``I`` interest, ``OS``
operating savings = current revenue − operating expenses − transfers):

* flow limit:   ``(DS_existing,t + DS_new,t) / R_t ≤ ρ``        (``max_debt_service_ratio``)
* stock limit:  ``(D_existing,t + D_new,t) / base_t ≤ κ``, base = ``R_t`` or ``AV_t``
  (``max_debt_stock_ratio``, ``stock_base``)
* interest limit: ``(I_existing,t + I_new,t) / OS_t ≤ λ`` (``max_interest_to_operating_savings``)

``count_leases_and_ppp`` decides whether payments under leases, PPPs and performance
contracts count as debt service even when the mechanism itself is not city debt.

Headroom: ``H_t = ρ·R_t − DS_existing,t − DS_new,t``. Borrowing capacity in year ``t``
for a mechanism with per-unit payments ``f_k`` (year ``t+1+k``) is
``min_k H_{t+1+k} / f_k`` over the profile's years (for an annuity without grace and a
constant headroom this is ``H·AF(r, n)``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jsonschema

from decision_support.errors import InputError, Problem
from decision_support.files.documents import load_yaml, read_document_file
from decision_support.files.schema import document_path

StockBase = Literal["revenue", "assessed_value"]


class FiscalProfileError(InputError):
    """A fiscal profile or a debt-rule preset is invalid."""


@dataclass(frozen=True)
class DebtRules:
    """Debt limits; ``None`` switches a limit off. Ratios are decimals."""

    max_debt_service_ratio: float | None = None
    max_debt_stock_ratio: float | None = None
    stock_base: StockBase = "revenue"
    max_interest_to_operating_savings: float | None = None
    count_leases_and_ppp: bool = False
    preset: str | None = None
    name: str = ""
    status: str = "city_override"
    url: str | None = None
    note: str = ""


@dataclass(frozen=True)
class FiscalYear:
    """One budget year. Money in the profile's currency."""

    year: int
    revenue: float
    capital_budget: float
    existing_debt_service: float
    existing_debt_outstanding: float
    existing_interest: float | None = None
    assessed_value: float | None = None
    operating_savings: float | None = None


@dataclass(frozen=True)
class HeadroomRow:
    """Debt-service room in one year under the flow limit."""

    year: int
    revenue: float
    limit: float | None
    existing_debt_service: float
    new_debt_service: float
    ratio: float
    headroom: float | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class FiscalProfile:
    """Revenue, capital budget, existing debt and debt rules of one city."""

    city: str
    currency: str
    discount_rate: float
    years: tuple[FiscalYear, ...]
    debt_rules: DebtRules = field(default_factory=DebtRules)
    population: int | None = None

    @property
    def first_year(self) -> int:
        return self.years[0].year

    @property
    def last_year(self) -> int:
        return self.years[-1].year

    def year(self, year: int) -> FiscalYear | None:
        """The profile's row for ``year``, or None outside the profile."""
        return next((y for y in self.years if y.year == year), None)

    def headroom(self, new_debt_service: Mapping[int, float] | None = None) -> list[HeadroomRow]:
        """``H_t = ρ·R_t − DS_existing,t − DS_new,t`` for every profile year
        (``headroom`` is None when no flow limit is set)."""
        new = new_debt_service or {}
        rho = self.debt_rules.max_debt_service_ratio
        rows = []
        for fy in self.years:
            added = float(new.get(fy.year, 0.0))
            total = fy.existing_debt_service + added
            rows.append(
                HeadroomRow(
                    year=fy.year,
                    revenue=fy.revenue,
                    limit=rho,
                    existing_debt_service=fy.existing_debt_service,
                    new_debt_service=added,
                    ratio=total / fy.revenue,
                    headroom=None if rho is None else rho * fy.revenue - total,
                )
            )
        return rows

    def borrowing_capacity(
        self,
        draw_year: int,
        per_unit_payments: Sequence[float],
        new_debt_service: Mapping[int, float] | None = None,
    ) -> float | None:
        """Largest amount that can be drawn in ``draw_year`` without breaking the flow
        limit in any later profile year: ``min_k H_{t+1+k}/f_k`` (None without a limit or
        when no payment falls inside the profile)."""
        room = {row.year: row.headroom for row in self.headroom(new_debt_service)}
        bounds = []
        for k, factor in enumerate(per_unit_payments):
            h = room.get(draw_year + 1 + k)
            if h is None or factor <= 0:
                continue
            bounds.append(max(h, 0.0) / factor)
        return min(bounds) if bounds else None


def _resource_text(name: str) -> str:
    return resources.files("decision_support.data").joinpath(name).read_text("utf-8")


@cache
def debt_rule_presets() -> dict[str, DebtRules]:
    """The shipped debt-rule presets by id (each with its source)."""
    document = load_yaml(_resource_text("debt_rule_presets.yaml"), source="debt_rule_presets.yaml")
    return {
        raw["id"]: DebtRules(
            max_debt_service_ratio=raw["max_debt_service_ratio"],
            max_debt_stock_ratio=raw["max_debt_stock_ratio"],
            stock_base=raw["stock_base"],
            max_interest_to_operating_savings=raw["max_interest_to_operating_savings"],
            count_leases_and_ppp=raw["count_leases_and_ppp"],
            preset=raw["id"],
            name=raw["name"],
            status=raw["status"],
            url=raw.get("url"),
            note=" ".join(str(raw.get("note", "")).split()),
        )
        for raw in document["presets"]
    }


_RATIO = {"type": ["number", "null"], "minimum": 0}
_MONEY = {"type": "number", "minimum": 0}
_OPTIONAL_MONEY = {"type": ["number", "null"], "minimum": 0}

PROFILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["city", "currency", "discount_rate", "years"],
    "additionalProperties": False,
    "properties": {
        "city": {"type": "string", "minLength": 1},
        "population": {"type": ["integer", "null"], "minimum": 0},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "discount_rate": {"type": "number", "minimum": 0, "maximum": 1},
        "debt_rules": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "preset": {"type": "string"},
                "max_debt_service_ratio": _RATIO,
                "max_debt_stock_ratio": _RATIO,
                "stock_base": {"enum": ["revenue", "assessed_value"]},
                "max_interest_to_operating_savings": _RATIO,
                "count_leases_and_ppp": {"type": "boolean"},
                "note": {"type": "string"},
                "url": {"type": "string"},
            },
        },
        "years": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "year",
                    "revenue",
                    "capital_budget",
                    "existing_debt_service",
                    "existing_debt_outstanding",
                ],
                "properties": {
                    "year": {"type": "integer", "minimum": 1900, "maximum": 2200},
                    "revenue": {"type": "number", "exclusiveMinimum": 0},
                    "capital_budget": _MONEY,
                    "existing_debt_service": _MONEY,
                    "existing_debt_outstanding": _MONEY,
                    "existing_interest": _OPTIONAL_MONEY,
                    "assessed_value": _OPTIONAL_MONEY,
                    "operating_savings": {"type": ["number", "null"]},
                },
            },
        },
    },
}


def _debt_rules(raw: Mapping[str, Any], problems: list[Problem]) -> DebtRules:
    preset_id = raw.get("preset")
    presets = debt_rule_presets()
    if preset_id is not None and preset_id not in presets:
        problems.append(
            Problem(
                f"unknown debt-rule preset '{preset_id}'; choose one of {', '.join(presets)}",
                field="debt_rules.preset",
            )
        )
        preset_id = None
    base = presets[preset_id] if preset_id else DebtRules()
    explicit: dict[str, Any] = {k: v for k, v in raw.items() if k != "preset"}
    if any(k not in ("note", "url") for k in explicit):
        explicit["status"] = "city_override"
    return replace(base, **explicit)


def check_fiscal_years(years: Sequence[FiscalYear], rules: DebtRules) -> list[Problem]:
    """Cross-row checks: consecutive unique years; data each active rule needs."""
    problems = []
    numbers = [y.year for y in years]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        problems.append(
            Problem("years must be consecutive and in order, without repeats", field="years")
        )
    for index, fy in enumerate(years):
        problems.extend(
            Problem("must be a finite number", field=f"years[{index}].{name}")
            for name, value in fy.__dict__.items()
            if isinstance(value, float) and not math.isfinite(value)
        )
        if (
            rules.max_debt_stock_ratio is not None
            and rules.stock_base == "assessed_value"
            and (fy.assessed_value is None or fy.assessed_value <= 0)
        ):
            problems.append(
                Problem(
                    f"{fy.year}: the debt-stock rule uses assessed value; "
                    "enter a positive assessed value",
                    field=f"years[{index}].assessed_value",
                )
            )
        if rules.max_interest_to_operating_savings is not None:
            if fy.operating_savings is None:
                problems.append(
                    Problem(
                        f"{fy.year}: the interest rule needs operating savings",
                        field=f"years[{index}].operating_savings",
                    )
                )
            if fy.existing_interest is None:
                problems.append(
                    Problem(
                        f"{fy.year}: the interest rule needs the interest on existing debt",
                        field=f"years[{index}].existing_interest",
                    )
                )
    return problems


def parse_fiscal_profile(document: Mapping[str, Any]) -> FiscalProfile:
    """Validate a fiscal-profile document and build the profile.

    ``debt_rules.preset`` names a shipped preset; any explicit rule keys override it.
    Raises :class:`FiscalProfileError` with every problem, each naming its field.
    """
    validator = jsonschema.Draft202012Validator(PROFILE_SCHEMA)
    problems = [
        Problem(err.message, field=document_path(err.absolute_path))
        for err in validator.iter_errors(document)
    ]
    if problems:
        raise FiscalProfileError(problems)
    if not math.isfinite(document["discount_rate"]):
        problems.append(Problem("must be a finite number", field="discount_rate"))
    rules = _debt_rules(document.get("debt_rules") or {}, problems)
    problems.extend(
        Problem("must be a finite number", field=f"debt_rules.{name}")
        for name, value in rules.__dict__.items()
        if isinstance(value, float) and not math.isfinite(value)
    )
    years = tuple(
        FiscalYear(
            year=int(raw["year"]),
            revenue=float(raw["revenue"]),
            capital_budget=float(raw["capital_budget"]),
            existing_debt_service=float(raw["existing_debt_service"]),
            existing_debt_outstanding=float(raw["existing_debt_outstanding"]),
            existing_interest=raw.get("existing_interest"),
            assessed_value=raw.get("assessed_value"),
            operating_savings=raw.get("operating_savings"),
        )
        for raw in document["years"]
    )
    problems.extend(check_fiscal_years(years, rules))
    if problems:
        raise FiscalProfileError(problems)
    return FiscalProfile(
        city=document["city"],
        currency=document["currency"],
        discount_rate=float(document["discount_rate"]),
        years=years,
        debt_rules=rules,
        population=document.get("population"),
    )


def load_fiscal_profile(path: str | Path) -> FiscalProfile:
    """Load a fiscal profile from a YAML file (see ``docs/finance.md``)."""
    return parse_fiscal_profile(read_document_file(path) or {})
