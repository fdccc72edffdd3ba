"""Translate between solver variable values and :class:`~decision_support.portfolio.plan.Plan`."""

from __future__ import annotations

from collections import defaultdict

from decision_support.portfolio.model import PortfolioModel
from decision_support.portfolio.plan import Plan, band_thresholds_met, evaluate_plan

_MONEY_EPS = 1e-6


def extract_plan(model: PortfolioModel) -> Plan:
    """The plan in the model's current variable values (call only after a solution exists).

    Solver tolerances leave crumbs (a few cents of funding in a year without spending);
    those are dropped and each project-year's external funding is scaled down to the
    year's spending when noise pushes it over, so the plan the verifier checks is the
    one a user would sign. Amounts are not rounded: rounding can break a budget row
    that binds exactly.
    """
    data, v = model.data, model.v
    starts = {pid: s for (pid, s), var in v.start.items() if (var.varValue or 0.0) > 0.5}
    amounts: dict[tuple[str, str, int], float] = {}
    per_year: dict[tuple[str, int], float] = defaultdict(float)
    for key, var in v.funding.items():
        amount = var.varValue or 0.0
        if amount > _MONEY_EPS and key[0] in starts:
            amounts[key] = amount
            per_year[key[0], key[2]] += amount
    funding = {}
    for (pid, mid, t), amount in amounts.items():
        spend = data.capex.get((pid, starts[pid], t), 0.0)
        if spend <= 0:
            continue
        total = per_year[pid, t]
        funding[pid, mid, t] = amount * spend / total if total > spend else amount
    return Plan(starts=starts, funding=funding)


def start_values(model: PortfolioModel, plan: Plan) -> dict[str, float]:
    """Values of every variable for ``plan`` (a MIP start for the solver)."""
    data, v = model.data, model.v
    values: dict[str, float] = {}
    for (pid, s), var in v.start.items():
        values[var.name] = 1.0 if plan.starts.get(pid) == s else 0.0
    for pid, var in v.select.items():
        values[var.name] = 1.0 if pid in plan.starts else 0.0
    for fund_key, var in v.funding.items():
        values[var.name] = plan.funding.get(fund_key, 0.0)
    evaluation = evaluate_plan(data, plan)
    for (mid, t), var in v.deal.items():
        values[var.name] = 1.0 if evaluation.drawn.get((mid, t), 0.0) > _MONEY_EPS else 0.0
    for key, var in v.closure.items():
        improvement = sum(data.improvement.get((pid, key), 0.0) for pid in plan.starts)
        values[var.name] = min(data.kpis[key].gap, improvement)
    for (key, k), var in v.band.items():
        met = band_thresholds_met(data, key, evaluation.projected[key])
        values[var.name] = 1.0 if met[k] else 0.0
    return values
