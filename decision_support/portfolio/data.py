"""Scenario → model data: every index set and coefficient the model needs, precomputed.

Nothing here touches PuLP. :func:`prepare_model_data` turns a validated
:class:`Scenario` into :class:`ModelData` (index dictionaries, cost profiles by
start year, repayment factors, KPI coefficients, procurement lead times), so
that the constraint functions only read dictionaries and the plain-Python
verifier uses exactly the same numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from decision_support.finance.schedules import (
    debt_service_per_unit,
    discount_factor,
    net_present_value,
)
from decision_support.kpis.catalogue import load_catalogue
from decision_support.portfolio.benchmark import achievement
from decision_support.portfolio.scenario import (
    MechanismSpec,
    ProcurementSpec,
    ProjectSpec,
    Scenario,
    split_kpi_key,
)

logger = logging.getLogger(__name__)

LeadTimeDays = Callable[[ProcurementSpec], int | None]
"""Procurement lead time in days (tender launch → contract) for a project's procurement."""


@dataclass(frozen=True)
class KPIData:
    """A KPI as the model sees it. ``direction`` is +1 (higher is better) or −1."""

    key: str
    code: str
    name: str
    dimension: str
    direction: int
    baseline: float
    target: float
    gap: float  # distance to target in the KPI's unit, ≥ 0
    urgency: float  # 1 − achievement at baseline
    weight: float  # user weight × dimension weight
    coefficient: float  # objective points per unit of gap closed
    lowest: float = 0.0  # the KPI's physical range (0–100 for shares, ≥ 0 for counts)
    highest: float | None = None

    def bounded(self, value: float) -> float:
        """``value`` held inside the KPI's physical range (no share above 100 %)."""
        value = max(self.lowest, value)
        return value if self.highest is None else min(self.highest, value)


@dataclass
class ModelData:
    """Precomputed sets and parameters of one scenario (symbols as in ``docs/portfolio.md``)."""

    scenario: Scenario
    years: tuple[int, ...]
    projects: dict[str, ProjectSpec]
    starts: dict[str, tuple[int, ...]]  # A_p: allowed start years
    capex: dict[tuple[str, int, int], float]  # c[p,s,t]: spend in t if started in s
    opex: dict[tuple[str, int, int], float]  # o[p,s,t]: running cost in t if started in s
    savings: dict[tuple[str, int, int], float]  # v[p,s,t]: savings in t if started in s
    spend_years: dict[str, tuple[int, ...]]
    mechanisms: dict[str, MechanismSpec]  # external mechanisms (all but own budget)
    own_id: str
    eligible: dict[str, tuple[str, ...]]  # E_m: projects mechanism m may fund
    funding_keys: tuple[tuple[str, str, int], ...]  # (p, m, t) with a funding variable
    payment_factor: dict[str, tuple[float, ...]]  # φ_m[k], k = years after drawing
    unit_financing_cost: dict[tuple[str, int], float]  # present cost per unit drawn in t
    budget: dict[int, float]
    revenue: dict[int, float]
    existing_debt_service: dict[int, float]
    dsr_limit: float | None
    kpis: dict[str, KPIData]
    impact: dict[tuple[str, str], float]  # Δ[p,q] in the KPI's unit
    improvement: dict[tuple[str, str], float]  # δ[p,q] = direction · Δ
    lead_days: dict[str, int]
    lead_years: dict[str, int]  # calendar years between tender launch and start
    mandatory: frozenset[str]
    excluded: frozenset[str]
    discount: dict[int, float]
    mode: str
    warnings: list[str] = field(default_factory=list)
    impacts_by_project: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        grouped: dict[str, list[tuple[str, float]]] = {}
        for (pid, key), delta in self.impact.items():
            grouped.setdefault(pid, []).append((key, delta))
        self.impacts_by_project = {pid: tuple(items) for pid, items in grouped.items()}

    @property
    def first_year(self) -> int:
        return self.years[0]

    @property
    def last_year(self) -> int:
        return self.years[-1]

    def duration(self, project_id: str) -> int:
        return self.projects[project_id].duration_years

    def completion_year(self, project_id: str, start: int) -> int:
        return start + self.duration(project_id) - 1

    def launch_year(self, project_id: str, start: int) -> int:
        """Year the tender for a start in ``start`` must be launched."""
        return max(self.first_year, start - self.lead_years[project_id])


def repayment_factors(mechanism: MechanismSpec) -> tuple[float, ...]:
    """Payments per unit drawn, by years after drawing (index 0 = drawing year, always 0).

    The finance engine's schedule per unit (:func:`debt_service_per_unit`: grace years of
    interest only, then annuity, linear or bullet repayment over the tenor), with the
    drawing year in front. Issuance costs are not in these factors: the model charges
    them in the drawing year.
    """
    if not mechanism.repayable:
        return (0.0,)
    return (
        0.0,
        *debt_service_per_unit(
            mechanism.rate, mechanism.tenor_years, mechanism.grace_years, mechanism.style
        ),
    )


def _direction(code: str, explicit: str | None, baseline: float, target: float) -> int:
    if explicit:
        return 1 if explicit == "higher_is_better" else -1
    known = load_catalogue().find(code)
    catalogue_direction = known.direction if known else ""
    if catalogue_direction in ("higher_is_better", "yes_is_better"):
        return 1
    if catalogue_direction == "lower_is_better":
        return -1
    return 1 if target >= baseline else -1


def _kpi_data(scenario: Scenario) -> dict[str, KPIData]:
    catalogue = load_catalogue()
    dimension_weights = scenario.objective.dimension_weights
    result = {}
    for target in scenario.kpis:
        known = catalogue.get(target.code)
        key = f"{known.code} [{target.data_point}]" if target.data_point else known.code
        direction = _direction(known.code, target.direction, target.baseline, target.target)
        gap = max(0.0, direction * (target.target - target.baseline))
        urgency = 1.0 - achievement(target.baseline, target.target, direction > 0)
        if gap > 0 and urgency <= 0:
            urgency = 0.01
        weight = target.weight * dimension_weights.get(known.dimension, 1.0)
        coefficient = 100.0 * weight * urgency / gap if gap > 0 else 0.0
        result[key] = KPIData(
            key=key,
            code=known.code,
            name=known.name + (f" ({target.data_point})" if target.data_point else ""),
            dimension=known.dimension,
            direction=direction,
            baseline=target.baseline,
            target=target.target,
            gap=gap,
            urgency=urgency,
            weight=weight,
            coefficient=coefficient,
            lowest=known.value_range[0],
            highest=known.value_range[1],
        )
    return result


def _impact_key(raw_key: str) -> str:
    code, point = split_kpi_key(raw_key)
    printed = load_catalogue().get(code).code
    return f"{printed} [{point}]" if point else printed


def _lead_days(project: ProjectSpec, lead_time_days: LeadTimeDays | None) -> int:
    spec = project.procurement
    if spec is None:
        return 0
    if spec.lead_time_days is not None:
        return spec.lead_time_days
    if lead_time_days is not None:
        days = lead_time_days(spec)
        return int(days) if days else 0
    return 0


def prepare_model_data(
    scenario: Scenario,
    lead_time_days: LeadTimeDays | None = None,
) -> ModelData:
    """Precompute the model's index sets and coefficients.

    ``lead_time_days`` gives the procurement lead time for a project's
    :class:`ProcurementSpec` (e.g. from a procurement rule pack); an explicit
    ``procurement.lead_time_days`` in the scenario wins. The earliest start year
    is the year of ``planning_date + lead time``.
    """
    years = scenario.years
    first, last = years[0], years[-1]
    planning = scenario.planning_date or date(first, 1, 1)
    projects = {p.id: p for p in scenario.projects}
    warnings: list[str] = []

    lead_days = {pid: _lead_days(p, lead_time_days) for pid, p in projects.items()}
    lead_years = {
        pid: (planning + timedelta(days=days)).year - planning.year
        for pid, days in lead_days.items()
    }

    starts: dict[str, tuple[int, ...]] = {}
    for pid, project in projects.items():
        earliest = max(first, project.earliest_start or first, planning.year + lead_years[pid])
        latest = min(project.latest_start or last, last - project.duration_years + 1)
        starts[pid] = tuple(range(earliest, latest + 1))
        if not starts[pid]:
            warnings.append(
                f"{pid} cannot be scheduled: its {project.duration_years}-year spending "
                f"cannot start in {earliest} or later (window, procurement lead time) "
                f"and end by {last}"
                if earliest <= (project.latest_start or last)
                else f"{pid} cannot be scheduled: procurement takes until {earliest}, after "
                f"its latest start {project.latest_start}"
            )

    capex: dict[tuple[str, int, int], float] = {}
    opex: dict[tuple[str, int, int], float] = {}
    savings: dict[tuple[str, int, int], float] = {}
    spend_years: dict[str, tuple[int, ...]] = {}
    for pid, project in projects.items():
        spend: set[int] = set()
        for s in starts[pid]:
            for k, amount in enumerate(project.capex_profile):
                if amount > 0:
                    capex[pid, s, s + k] = amount
                    spend.add(s + k)
            for t in range(s + project.duration_years, last + 1):
                if project.opex_per_year:
                    opex[pid, s, t] = project.opex_per_year
                if project.savings_per_year:
                    savings[pid, s, t] = project.savings_per_year
        spend_years[pid] = tuple(sorted(spend))

    mechanisms = {m.id: m for m in scenario.mechanisms if m.type != "own_budget"}
    eligible = {
        mid: tuple(
            pid
            for pid, p in projects.items()
            if not m.eligible_tags or set(p.tags) & set(m.eligible_tags)
        )
        for mid, m in mechanisms.items()
    }
    funding_keys = tuple(
        (pid, mid, t)
        for mid, m in mechanisms.items()
        for pid in eligible[mid]
        for t in spend_years[pid]
        if t >= first + m.lead_time_years
        and (m.capacity_by_year is None or m.capacity_by_year.get(t, 0) > 0)
    )
    rate = scenario.discount_rate
    discount = {t: discount_factor(rate, t - first) for t in years}
    payment_factor = {mid: repayment_factors(m) for mid, m in mechanisms.items()}
    unit_cost = {}
    for mid, m in mechanisms.items():
        pv_payments = net_present_value(rate, payment_factor[mid])
        for t in years:
            unit_cost[mid, t] = discount[t] * (m.issuance_cost + pv_payments - 1.0)

    kpis = _kpi_data(scenario)
    impact: dict[tuple[str, str], float] = {}
    improvement: dict[tuple[str, str], float] = {}
    for pid, project in projects.items():
        for raw_key, delta in project.impacts.items():
            key = _impact_key(raw_key)
            if key in kpis and delta:
                impact[pid, key] = delta
                improvement[pid, key] = kpis[key].direction * delta

    mode = scenario.objective.mode
    if mode != "value" and not kpis:
        warnings.append(f"no kpis given: objective mode '{mode}' uses the projects' values")
        mode = "value"

    fiscal = scenario.fiscal
    return ModelData(
        scenario=scenario,
        years=years,
        projects=projects,
        starts=starts,
        capex=capex,
        opex=opex,
        savings=savings,
        spend_years=spend_years,
        mechanisms=mechanisms,
        own_id=scenario.own_budget_id,
        eligible=eligible,
        funding_keys=funding_keys,
        payment_factor=payment_factor,
        unit_financing_cost=unit_cost,
        budget={t: scenario.budget.by_year.get(t, 0.0) for t in years},
        revenue={t: fiscal.revenue_by_year.get(t, 0.0) for t in years},
        existing_debt_service={t: fiscal.existing_debt_service_by_year.get(t, 0.0) for t in years},
        dsr_limit=fiscal.max_debt_service_ratio,
        kpis=kpis,
        impact=impact,
        improvement=improvement,
        lead_days=lead_days,
        lead_years=lead_years,
        mandatory=frozenset(scenario.constraints.mandatory),
        excluded=frozenset(scenario.constraints.excluded),
        discount=discount,
        mode=mode,
        warnings=warnings,
    )
