"""The built model: PuLP problem, its data, variables, shared expressions, objectives."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulp

from decision_support.portfolio.data import ModelData
from decision_support.portfolio.expressions import ModelExpressions
from decision_support.portfolio.variables import ModelVariables, lp_name

FORMULATIONS = ("tight", "plain", "strong")


@dataclass
class PortfolioModel:
    """One portfolio MILP.

    ``elastic`` models (infeasibility diagnosis) carry non-negative slack
    variables on the constraints that can make a scenario infeasible; their
    objective is the weighted slack.
    """

    problem: pulp.LpProblem
    data: ModelData
    v: ModelVariables
    ex: ModelExpressions
    elastic: bool = False
    formulation: str = "tight"
    impact: pulp.LpAffineExpression = field(default_factory=pulp.LpAffineExpression)
    financing_cost: pulp.LpAffineExpression = field(default_factory=pulp.LpAffineExpression)
    slack_penalty: pulp.LpAffineExpression = field(default_factory=pulp.LpAffineExpression)

    def add(self, constraint: pulp.LpConstraint, *name_parts: object) -> None:
        """Add a constraint under a deterministic name."""
        self.problem += constraint, lp_name(*name_parts)

    def slack(self, family: str, key: object, penalty: float) -> pulp.LpVariable | float:
        """A slack variable for ``family``/``key`` in elastic models, else 0."""
        if not self.elastic:
            return 0.0
        var = self.problem.add_variable(lp_name("slack", family, key), lowBound=0)
        self.v.slack[family, key] = var
        self.slack_penalty += penalty * var
        return var
