"""Portfolio optimiser: which projects to start when, and how to fund them.

Public API::

    from decision_support.portfolio import load_scenario, optimise, OptimiseOptions
    result = optimise(load_scenario("portfolio.yaml"), OptimiseOptions(time_limit=30))
    result.to_dict()  # the JSON of `decision-support optimise --json`
"""

from decision_support.portfolio.api import OptimiseOptions, optimise
from decision_support.portfolio.result import PortfolioResult
from decision_support.portfolio.scenario import (
    MechanismSpec,
    ProjectSpec,
    Scenario,
    ScenarioError,
)
from decision_support.portfolio.scenario_file import (
    dump_scenario,
    load_scenario,
    parse_scenario,
    scenario_to_dict,
)

__all__ = [
    "MechanismSpec",
    "OptimiseOptions",
    "PortfolioResult",
    "ProjectSpec",
    "Scenario",
    "ScenarioError",
    "dump_scenario",
    "load_scenario",
    "optimise",
    "parse_scenario",
    "scenario_to_dict",
]
