"""A city's portfolio scenario, composed from its domain objects: the one recipe that
the web (a run on the city's data) and the CLI share, so the same data gives the same
plan.

Inputs are domain objects only (candidate projects, finance-catalogue mechanisms with
the city's overrides, the fiscal profile, the KPIs as the KPI pages score them, the
city's procurement rule pack); the result is a scenario document that
:func:`decision_support.portfolio.parse_scenario` checks and turns into dataclasses.

- **KPIs**: every scored KPI (or data point) that a candidate's impact touches, with
  the baseline, target and direction the KPI pages use.
- **Projects**: the candidates as scenario entries, impacts kept on those KPIs only.
- **Mechanisms**: the enabled mechanisms, mapped to the optimiser's types by their
  kind (debt, deferred payment, contribution) and type name.
- **Money**: the run's budget and fiscal figures where given, else the fiscal
  profile's (capital budget, revenue, existing debt service, debt-service-ratio limit).
- **Lead times**: each project's procurement lead time from the rule pack, written
  into its ``procurement`` entry (:func:`with_lead_times`, also used for scenario files),
  so a stored snapshot reproduces the run without the pack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from decision_support.finance.fiscal import FiscalProfile
from decision_support.finance.mechanisms import Mechanism
from decision_support.kpis.targets import ScoringDirection
from decision_support.projects.model import CandidateProject
from decision_support.projects.portfolio_entry import impact_key, to_portfolio_entry
from rules.lead_time import lead_time_estimator
from rules.rule_pack import RulePack


@dataclass(frozen=True)
class ScoredKpi:
    """A KPI (or one data point, ``data_point`` "" for the whole KPI) as the city scores it."""

    code: str
    data_point: str
    baseline: float
    target: float
    direction: ScoringDirection


@dataclass(frozen=True)
class CityInputs:
    """What a city brings to its scenario, as domain objects."""

    name: str
    currency: str
    candidates: Sequence[CandidateProject]
    scored_kpis: Sequence[ScoredKpi]
    mechanisms: Iterable[Mechanism]
    fiscal: FiscalProfile | None
    rule_pack: RulePack | None


@dataclass(frozen=True)
class PlanningChoices:
    """The horizon, objective and money settings of one run (None: the fiscal profile's)."""

    start_year: int = 2027
    horizon_years: int = 5
    mode: str = ""  # '' picks gap closure when there are KPIs, else value
    budget_per_year: float | None = None
    carry_over: bool = True
    revenue_per_year: float | None = None
    existing_debt_service_per_year: float | None = None
    max_debt_service_ratio: float | None = None

    @property
    def years(self) -> range:
        return range(self.start_year, self.start_year + self.horizon_years)


def portfolio_type(mechanism: Mechanism) -> str:
    """The optimiser's mechanism type for a finance-catalogue mechanism."""
    if mechanism.id == "own_budget":
        return "own_budget"
    if mechanism.kind == "debt":
        if "green" in mechanism.type:
            return "green_bond"
        if "bond" in mechanism.type:
            return "bond"
        return "tax_increment" if "tax_increment" in mechanism.type else "loan"
    if mechanism.kind == "deferred_payment":
        if "energy_performance" in mechanism.type:
            return "epc"
        return "ppp" if "ppp" in mechanism.type else "other"
    # contributions, earmarked own funds and user-funded concessions are not repaid by the city
    return "grant"


def portfolio_mechanism(mechanism: Mechanism, years: range) -> dict[str, Any]:
    """A finance-catalogue mechanism (with the city's overrides) as a scenario entry."""
    kind = portfolio_type(mechanism)
    if kind == "own_budget":
        return {"id": mechanism.id, "name": mechanism.name, "type": kind}
    entry: dict[str, Any] = {
        "id": mechanism.id,
        "name": mechanism.name,
        "type": kind,
        "rate": mechanism.interest_rate,
        "issuance_cost": mechanism.issuance_cost,
        "max_share": mechanism.max_share,
        "min_amount": mechanism.min_deal,
        "counts_as_debt": mechanism.counts_as_city_debt,
        "eligible_tags": sorted(mechanism.eligible_tags),
        "lead_time_years": mechanism.lead_time_months // 12,
        "award_probability": mechanism.award_probability,
    }
    if kind != "grant":
        tenor = max(1, mechanism.tenor_years)
        entry["tenor_years"] = tenor
        entry["grace_years"] = min(mechanism.grace_years, tenor - 1)
        entry["style"] = mechanism.amortisation if mechanism.amortisation != "none" else "annuity"
    elif mechanism.cofinancing_share:
        entry["cofinancing_share"] = min(mechanism.cofinancing_share, 0.99)
    if mechanism.max_deal is not None:
        entry["max_amount"] = mechanism.max_deal
    if mechanism.capacity_total is not None:
        entry["capacity_total"] = mechanism.capacity_total
    if mechanism.capacity_per_year is not None:
        entry["capacity_by_year"] = {y: mechanism.capacity_per_year for y in years}
    return entry


def money_limits(fiscal: FiscalProfile | None, choices: PlanningChoices) -> dict[str, Any]:
    """Budget, fiscal figures and discount rate: the run's choices where given, else the
    fiscal profile's (capital budget, revenue, existing debt service, DSR limit)."""
    years = choices.years
    rows = {y.year: y for y in fiscal.years} if fiscal else {}
    limits: dict[str, Any] = {}
    if fiscal is not None:
        limits["discount_rate"] = fiscal.discount_rate
    if choices.budget_per_year is not None:
        budget = {y: choices.budget_per_year for y in years}
    else:
        budget = {y: rows[y].capital_budget for y in years if y in rows}
    limits["budget"] = {"by_year": budget, "carry_over": choices.carry_over}
    ratio = choices.max_debt_service_ratio
    if ratio is None and fiscal is not None:
        ratio = fiscal.debt_rules.max_debt_service_ratio
    revenue = {
        y: choices.revenue_per_year if choices.revenue_per_year else rows[y].revenue
        for y in years
        if choices.revenue_per_year or y in rows
    }
    existing = {
        y: choices.existing_debt_service_per_year
        if choices.existing_debt_service_per_year is not None
        else rows[y].existing_debt_service
        for y in years
        if choices.existing_debt_service_per_year is not None or y in rows
    }
    if ratio is not None and len(revenue) == len(years):
        limits["fiscal"] = {
            "revenue_by_year": revenue,
            "existing_debt_service_by_year": existing,
            "max_debt_service_ratio": ratio,
        }
    return limits


@dataclass(frozen=True)
class _ProcurementView:
    """The attributes the rule pack's estimator reads, over a scenario ``procurement`` entry."""

    raw: Mapping[str, Any]

    @property
    def category(self) -> str:
        return str(self.raw.get("category", ""))

    @property
    def estimated_value(self) -> float | None:
        value = self.raw.get("estimated_value")
        return float(value) if value is not None else None

    @property
    def cpv(self) -> str:
        return str(self.raw.get("cpv", ""))

    @property
    def procedure(self) -> str:
        return str(self.raw.get("procedure", ""))


def with_lead_times(document: dict[str, Any], pack: RulePack) -> dict[str, Any]:
    """Fill each project's missing ``procurement.lead_time_days`` from ``pack`` (notices
    on 1 January of the first year); lead times already given are kept. In place."""
    estimate = lead_time_estimator(pack, date(int(document["start_year"]), 1, 1))
    for entry in document.get("projects") or []:
        procurement = entry.get("procurement") if isinstance(entry, dict) else None
        if not isinstance(procurement, dict) or procurement.get("lead_time_days") is not None:
            continue
        days = estimate(_ProcurementView(procurement))
        if days is not None:
            procurement["lead_time_days"] = int(days)
    return document


def _kpi_entries(city: CityInputs) -> dict[str, dict[str, Any]]:
    """The scored KPIs the candidates' impacts touch, by portfolio key, in project order."""
    scored = {(k.code, k.data_point): k for k in city.scored_kpis}
    entries: dict[str, dict[str, Any]] = {}
    for candidate in sorted(city.candidates, key=lambda c: c.id):
        for impact in candidate.impacts:
            kpi = scored.get((impact.kpi, impact.data_point or ""))
            key = impact_key(impact.kpi, impact.data_point or None)
            if kpi is None or key in entries:
                continue
            entry: dict[str, Any] = {"code": kpi.code, "baseline": kpi.baseline}
            entry["target"] = kpi.target
            if kpi.data_point:
                entry["data_point"] = kpi.data_point
            if kpi.direction in ("higher_is_better", "lower_is_better"):
                entry["direction"] = kpi.direction
            entries[key] = entry
    return entries


def city_scenario_document(city: CityInputs, choices: PlanningChoices) -> dict[str, Any]:
    """The scenario document of ``city`` under ``choices`` (see the module docstring)."""
    years = choices.years
    kpis = _kpi_entries(city)
    document: dict[str, Any] = {
        "name": f"{city.name} {years[0]}–{years[-1]}",
        "city": city.name,
        "currency": city.currency,
        "start_year": choices.start_year,
        "horizon_years": choices.horizon_years,
        "kpis": list(kpis.values()),
        "objective": {"mode": choices.mode or ("gap_closure" if kpis else "value")},
        "projects": [
            to_portfolio_entry(c, choices.start_year, kpis.keys())
            for c in sorted(city.candidates, key=lambda c: c.id)
        ],
        "mechanisms": [portfolio_mechanism(m, years) for m in city.mechanisms if m.enabled],
    }
    document.update(money_limits(city.fiscal, choices))
    if city.rule_pack is not None:
        with_lead_times(document, city.rule_pack)
    return document
