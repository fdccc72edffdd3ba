"""Build the portfolio MILP; :func:`build_model` reads like the formulation's table of contents."""

from __future__ import annotations

import pulp

from decision_support.portfolio import constraints as c
from decision_support.portfolio import strengthening
from decision_support.portfolio.data import ModelData
from decision_support.portfolio.expressions import build_expressions
from decision_support.portfolio.model import FORMULATIONS, PortfolioModel
from decision_support.portfolio.objective import (
    financing_cost_expression,
    impact_expression,
    set_impact_objective,
    set_slack_objective,
)
from decision_support.portfolio.variables import define_variables


def build_model(
    data: ModelData, formulation: str = "tight", elastic: bool = False
) -> PortfolioModel:
    """Build the model for ``data``.

    ``formulation`` is ``tight`` (the constraint families over selection variables x_p
    plus symmetry breaking between identical projects: the default), ``plain`` (the
    constraint families over start variables only, x_p as Σ_s y[p,s]) or
    ``strong`` (``tight`` plus interval knapsacks and dominance rows). ``strong`` is kept
    for the benchmark's ablation: on the generated instances of ``bench/`` its extra,
    dense rows slow HiGHS down (see ``docs/portfolio.md``), so it is not the default.
    ``elastic`` adds penalised slacks and minimises them (infeasibility diagnosis).
    """
    if formulation not in FORMULATIONS:
        raise ValueError(f"unknown formulation {formulation!r}")
    problem = pulp.LpProblem("portfolio", pulp.LpMaximize)
    v = define_variables(problem, data, selection=formulation != "plain")
    model = PortfolioModel(
        problem=problem,
        data=data,
        v=v,
        ex=build_expressions(data, v),
        elastic=elastic,
        formulation=formulation,
    )

    # selection and scheduling
    c.add_one_start_constraints(model)
    c.add_mandatory_excluded_constraints(model)
    c.add_dependency_constraints(model)
    c.add_low_cost_constraints(model)
    c.add_tender_constraints(model)
    # financing
    c.add_funding_link_constraints(model)
    c.add_max_share_constraints(model)
    c.add_cofinancing_constraints(model)
    c.add_capacity_constraints(model)
    c.add_deal_size_constraints(model)
    c.add_epc_savings_constraints(model)
    # money limits
    c.add_budget_constraints(model)
    c.add_debt_service_ratio_constraints(model)
    # impact
    c.add_kpi_closure_constraints(model)
    c.add_band_constraints(model)
    c.add_dimension_share_constraints(model)
    # strengthening (no change to the integer solutions)
    if formulation in ("tight", "strong") and not elastic:
        strengthening.add_symmetry_breaking(model)
    if formulation == "strong" and not elastic:
        strengthening.add_interval_knapsack_inequalities(model)
        strengthening.add_dominance_inequalities(model)

    model.impact = impact_expression(model)
    model.financing_cost = financing_cost_expression(model)
    if elastic:
        set_slack_objective(model)
    else:
        set_impact_objective(model)
    return model
