"""Re-check a plan in plain Python against every constraint family of the model.

The solver's answer is never shown before this passes: a violation means a
modelling or solver bug, and the result is flagged (and logged) rather than
presented as a valid plan.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from decision_support.portfolio.data import ModelData
from decision_support.portfolio.plan import Plan, PlanEvaluation, evaluate_plan

# Money tolerance: solvers work to ~1e-6 relative feasibility; one cent per million.
_REL_TOL = 1e-6
_ABS_TOL = 1e-3

# Families a partial plan can still satisfy later by adding projects (greedy skips them).
LOWER_BOUND_FAMILIES = frozenset({"mandatory", "min_low_cost", "min_dimension_share"})


@dataclass(frozen=True)
class Violation:
    family: str
    message: str

    def __str__(self) -> str:
        return f"{self.family}: {self.message}"


def _exceeds(value: float, limit: float) -> bool:
    return value > limit + _ABS_TOL + _REL_TOL * max(abs(limit), abs(value))


def _check_starts(data: ModelData, plan: Plan, out: list[Violation]) -> None:
    for pid, s in plan.starts.items():
        if pid not in data.projects:
            out.append(Violation("one_start", f"unknown project {pid}"))
        elif s not in data.starts[pid]:
            out.append(
                Violation("start_window", f"{pid} starts in {s}, outside {data.starts[pid]}")
            )


def _check_selection_rules(data: ModelData, plan: Plan, out: list[Violation]) -> None:
    for pid in data.mandatory - plan.starts.keys():
        out.append(Violation("mandatory", f"mandatory project {pid} is not selected"))
    for pid in data.excluded & plan.starts.keys():
        out.append(Violation("excluded", f"excluded project {pid} is selected"))
    for pid, s in plan.starts.items():
        project = data.projects[pid]
        for other in project.requires:
            if other not in plan.starts or plan.starts[other] > s:
                out.append(
                    Violation("prerequisite", f"{pid} starts before its prerequisite {other}")
                )
        for other in project.excludes:
            if other in plan.starts:
                out.append(Violation("exclusion", f"{pid} and {other} exclude each other"))
    wanted = data.scenario.constraints.min_low_cost_projects
    low = sum(1 for pid in plan.starts if data.projects[pid].low_cost)
    if low < wanted:
        out.append(
            Violation("min_low_cost", f"{low} low-cost projects, at least {wanted} required")
        )


def _check_funding(data: ModelData, plan: Plan, ev: PlanEvaluation, out: list[Violation]) -> None:
    allowed = set(data.funding_keys)
    per_project: dict[tuple[str, str], float] = defaultdict(float)
    for (pid, mid, t), amount in plan.funding.items():
        if amount < -_ABS_TOL:
            out.append(Violation("funding", f"negative amount from {mid} for {pid} in {t}"))
        if amount > _ABS_TOL and (pid, mid, t) not in allowed:
            out.append(Violation("eligibility", f"{mid} may not fund {pid} in {t}"))
        if pid not in plan.starts and amount > _ABS_TOL:
            out.append(Violation("funding", f"{mid} funds unselected project {pid}"))
        per_project[pid, mid] += amount
    for (pid, t), amount in ev.external.items():
        if _exceeds(amount, ev.capex.get((pid, t), 0.0)):
            out.append(Violation("funding_link", f"{pid} gets more than its {t} spending"))
    for (pid, mid), amount in per_project.items():
        mechanism = data.mechanisms[mid]
        total = data.projects[pid].capex_total
        if _exceeds(amount, mechanism.max_share * total):
            out.append(
                Violation("max_share", f"{mid} pays over {mechanism.max_share:.0%} of {pid}")
            )
        if mechanism.cofinancing_share:
            own = total - sum(v for (p, _m), v in per_project.items() if p == pid)
            need = mechanism.cofinancing_share / (1 - mechanism.cofinancing_share) * amount
            if _exceeds(need, own):
                out.append(Violation("cofinancing", f"{pid} lacks own co-financing for {mid}"))
        if mechanism.type == "epc":
            payment = max(data.payment_factor[mid]) * amount
            if _exceeds(payment, data.projects[pid].savings_per_year):
                out.append(Violation("epc_savings", f"EPC payments for {pid} exceed its savings"))
    for mid, mechanism in data.mechanisms.items():
        total = 0.0
        for t in data.years:
            amount = ev.drawn.get((mid, t), 0.0)
            total += amount
            cap = (mechanism.capacity_by_year or {}).get(t) if mechanism.capacity_by_year else None
            if cap is not None and _exceeds(amount, cap):
                out.append(
                    Violation("capacity", f"{mid} lends {amount:,.0f} in {t}, cap {cap:,.0f}")
                )
            if mechanism.max_amount is not None and _exceeds(amount, mechanism.max_amount):
                out.append(Violation("deal_size", f"{mid} deal in {t} above max_amount"))
            if amount > _ABS_TOL and _exceeds(mechanism.min_amount, amount):
                out.append(Violation("deal_size", f"{mid} deal in {t} below min_amount"))
        if mechanism.capacity_total is not None and _exceeds(total, mechanism.capacity_total):
            out.append(Violation("capacity", f"{mid} total {total:,.0f} above its capacity"))


def budget_exceeded(data: ModelData, own_spend: dict[int, float]) -> bool:
    """True when yearly own spending ``own_spend`` breaks the own-budget rows (the
    same test, with the same tolerance, as the ``budget`` family below)."""
    carry = data.scenario.budget.carry_over
    spent = available = 0.0
    for t in data.years:
        spent += own_spend[t]
        available += data.budget[t]
        if _exceeds(spent, available) if carry else _exceeds(own_spend[t], data.budget[t]):
            return True
    return False


def _check_money(data: ModelData, ev: PlanEvaluation, out: list[Violation]) -> None:
    carry = data.scenario.budget.carry_over
    spent = available = 0.0
    for t in data.years:
        spent += ev.own_spend[t]
        available += data.budget[t]
        if carry and _exceeds(spent, available):
            out.append(Violation("budget", f"cumulative own spending to {t} exceeds the budget"))
        if not carry and _exceeds(ev.own_spend[t], data.budget[t]):
            out.append(Violation("budget", f"own spending in {t} exceeds the budget"))
        if data.dsr_limit is not None:
            total = ev.counted_debt_service[t] + data.existing_debt_service[t]
            if _exceeds(total, data.dsr_limit * data.revenue[t]):
                out.append(Violation("debt_service_ratio", f"debt service in {t} above the limit"))
    limit = data.scenario.constraints.max_tenders_per_year
    if limit is not None:
        for t, count in ev.tenders.items():
            if count > limit:
                out.append(Violation("tenders", f"{count} tenders launched in {t}, limit {limit}"))


def _check_impact_rules(
    data: ModelData, plan: Plan, ev: PlanEvaluation, out: list[Violation]
) -> None:
    shares = data.scenario.constraints.min_dimension_share
    if not shares or data.mode == "value":
        return
    by_dimension: dict[str, float] = defaultdict(float)
    for (pid, key), delta in data.improvement.items():
        if pid in plan.starts:
            by_dimension[data.kpis[key].dimension] += data.kpis[key].coefficient * delta
    total = sum(by_dimension.values())
    for dimension, share in shares.items():
        if _exceeds(share * total, by_dimension[dimension]):
            out.append(
                Violation(
                    "min_dimension_share", f"{dimension} gets less than {share:.0%} of impact"
                )
            )


def verify_plan(
    data: ModelData,
    plan: Plan,
    skip: frozenset[str] = frozenset(),
    evaluation: PlanEvaluation | None = None,
) -> list[Violation]:
    """Every constraint violation of ``plan`` (empty when the plan is valid).

    ``evaluation`` is ``evaluate_plan(data, plan)`` when the caller already has it.
    """
    ev = evaluation if evaluation is not None else evaluate_plan(data, plan)
    out: list[Violation] = []
    _check_starts(data, plan, out)
    _check_selection_rules(data, plan, out)
    _check_funding(data, plan, ev, out)
    _check_money(data, ev, out)
    _check_impact_rules(data, plan, ev, out)
    return [v for v in out if v.family not in skip]
