"""Objectives: impact (solve 1, maximised) and financing cost (solve 2, minimised).

Impact by mode:

* ``gap_closure``:  Σ_q w_q z_q + Σ_p value_p x_p, with
  w_q = 100 · weight_q · dimension weight · (1 − achievement_q) / G_q, so closing a
  KPI's whole gap earns 100 × its weights × how far it is from its target.
* ``u4ssc_points``: Σ_q weight_q · Σ_k b[q,k] + Σ_p value_p x_p (projected benchmark
  points above the 1-point floor).
* ``value``:       Σ_p value_p x_p.

Financing cost: Σ_{m,t} d_t · (ι_m + Σ_k φ_m[k] (1+r)^−k − 1) · D[m,t], the present
cost of interest and fees of each unit borrowed less the unit itself (so grants
count as a saving and cheap loans as a gain), discounted at the scenario rate r.
"""

from __future__ import annotations

import pulp

from decision_support.portfolio.model import PortfolioModel


def impact_expression(model: PortfolioModel) -> pulp.LpAffineExpression:
    """The solve-1 objective for the scenario's mode."""
    data, v, ex = model.data, model.v, model.ex
    terms = [
        data.projects[p].value * ex.selected[p] for p in data.projects if data.projects[p].value
    ]
    if data.mode == "gap_closure":
        terms += [data.kpis[key].coefficient * z for key, z in v.closure.items()]
    elif data.mode == "u4ssc_points":
        terms += [data.kpis[key].weight * b for (key, _k), b in v.band.items()]
    return pulp.lpSum(terms)


def financing_cost_expression(model: PortfolioModel) -> pulp.LpAffineExpression:
    """Present cost of financing (solve 2 minimises it)."""
    data, ex = model.data, model.ex
    return pulp.lpSum(
        data.unit_financing_cost[mid, t] * drawn for (mid, t), drawn in ex.drawn.items()
    )


def set_impact_objective(model: PortfolioModel) -> None:
    """Maximise impact (or, for elastic models, minimise weighted slack)."""
    model.problem.sense = pulp.LpMaximize
    model.problem.setObjective(model.impact)


def set_financing_objective(model: PortfolioModel, impact_floor: float) -> None:
    """Solve 2: keep impact ≥ ``impact_floor`` and minimise financing cost."""
    model.add(model.impact >= impact_floor, "impact_floor")
    model.problem.sense = pulp.LpMinimize
    model.problem.setObjective(model.financing_cost)


def set_slack_objective(model: PortfolioModel) -> None:
    """Elastic model: minimise the weighted slack."""
    model.problem.sense = pulp.LpMinimize
    model.problem.setObjective(model.slack_penalty)
