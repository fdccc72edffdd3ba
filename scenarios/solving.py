"""The one bridge from scenario dictionaries to the portfolio optimiser.

Every solve of this package (runs, frontiers, sensitivity, robustness) goes through
:func:`solve_scenario`, which validates the dictionary with the optimiser's own
reader (``parse_scenario``: schema and semantic checks, errors naming the field),
solves it with ``optimise`` and returns ``PortfolioResult.to_dict()``: the same JSON
document as ``decision-support optimise --json``. Options are plain JSON values so
that they can be stored with a run and sent to worker processes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from decision_support.errors import InputError, Problem

# Options a stored run may carry, with their type; explanations are off unless asked
# for, since their extra re-solves multiply the cost of sweeps and samples.
OPTION_TYPES: dict[str, type | tuple[type, ...]] = {
    "time_limit": (int, float),
    "gap": (int, float),
    "solver": str,
    "formulation": str,
    "warm_start": bool,
    "lexicographic": bool,
    "explain": bool,
    "explain_time_limit": (int, float),
    "max_left_out": int,
    "threads": int,
    "force_in": list,
    "force_out": list,
}


def check_options(options: Mapping[str, Any]) -> None:
    """Raise :class:`InputError` naming every unknown or mistyped option."""
    problems = []
    for key, value in options.items():
        expected = OPTION_TYPES.get(key)
        if expected is None:
            problems.append(Problem(f"unknown optimiser option '{key}'", field=f"options.{key}"))
        elif not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            problems.append(Problem(f"option '{key}' has the wrong type", field=f"options.{key}"))
    if problems:
        raise InputError(problems)


def solve_scenario(scenario: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """Validate, optimise and return the result dictionary of one scenario."""
    from decision_support.portfolio.api import OptimiseOptions, optimise
    from decision_support.portfolio.scenario_file import parse_scenario

    check_options(options)
    settings = {"explain": False, **options}
    for key in ("force_in", "force_out"):
        if key in settings:
            settings[key] = tuple(settings[key])
    parsed = parse_scenario(dict(scenario))
    return optimise(parsed, OptimiseOptions(**settings)).to_dict()
