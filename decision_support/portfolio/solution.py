"""Translate between solver variable values and :class:`~decision_support.portfolio.plan.Plan`."""

from __future__ import annotations

from decision_support.portfolio.model import PortfolioModel
from decision_support.portfolio.plan import Plan, band_thresholds_met, evaluate_plan

_MONEY_EPS = 1e-6


def extract_plan(model: PortfolioModel) -> Plan:
    """The plan in the model's current variable values (call only after a solution exists)."""
    v = model.v
    starts = {pid: s for (pid, s), var in v.start.items() if (var.varValue or 0.0) > 0.5}
    funding = {}
    for key, var in v.funding.items():
        amount = var.varValue or 0.0
        if amount > _MONEY_EPS and key[0] in starts:
            funding[key] = round(amount, 6)
    return Plan(starts=starts, funding=funding)


def start_values(model: PortfolioModel, plan: Plan) -> dict[str, float]:
    """Values of every variable for ``plan`` (a MIP start for the solver)."""
    data, v = model.data, model.v
    values: dict[str, float] = {}
    for (pid, s), var in v.start.items():
        values[var.name] = 1.0 if plan.starts.get(pid) == s else 0.0
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
