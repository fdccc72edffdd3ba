"""Uncertainty model for robustness runs: cost overruns, weights and impacts.

Cost overruns. Each project's capital cost is multiplied by a factor drawn from a
triangular distribution chosen by the project's risk level. The bounds follow HM
Treasury's *Green Book supplementary guidance: optimism bias* (Mott MacDonald 2002
review of large UK public procurement, Table 2; lower (L) and upper (U) capital-cost
optimism-bias percentages; https://www.gov.uk/government/publications/green-book-supplementary-guidance-optimism-bias):
the mode is ``1 + L`` and the maximum ``1 + U`` of the matching project type, the
minimum allows a 5 % under-run. Flyvbjerg, Holm & Buhl (2003, *Transport Reviews*
23(1):71–88; 258 transport projects) report mean overruns of 20 % (roads) to 45 %
(rail) with standard deviations of 30–62 points, the same order of magnitude.

=========  ==============================  ======  =====  =====  ======
level      Green Book project type         min     mode   max    mean
=========  ==============================  ======  =====  =====  ======
low        standard buildings (L 2, U 24)  0.95    1.02   1.24   1.07
medium     standard civil eng. (L 3, U 44) 0.95    1.03   1.44   1.14
high       non-standard civil (L 6, U 66)  0.95    1.06   1.66   1.22
very_high  equipment/development (10/200)  0.95    1.10   3.00   1.68
=========  ==============================  ======  =====  =====  ======

A project's level is, in order: the run's explicit ``risk_levels`` entry, a tag
``risk-<level>`` on the project, the cost-overrun risk of its candidate record
(``procurement.risk_cost_overrun``), else ``default_risk`` (``medium``).

Weights and impacts. Each KPI weight, each dimension weight, each project's KPI impact
and explicit value is multiplied by an independent factor uniform on
``[1 − spread, 1 + spread]`` (defaults ±30 % for weights, ±25 % for impacts): a
sampling approximation of robust portfolio modelling's interval weights and scores
(Liesiö, Mild & Salo 2007, *EJOR* 181(3)), i.e. an empirical, SMAA-style core index,
not the exact set of non-dominated portfolios.

Grant awards. A mechanism with ``award_probability`` p < 1 is kept in a sample with
probability p and removed otherwise (the optimiser itself only reports p).

Reproducibility. Sample ``i`` of a run with seed ``s`` draws from
``numpy.random.default_rng([s, i])`` in a fixed order (projects in file order, then
KPIs, then dimensions, then mechanisms), so a sample does not depend on how many workers run or in
which order samples finish.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from decision_support.errors import InputError, Problem


class RobustnessSpecError(InputError):
    """The uncertainty settings of a robustness run are invalid."""


@dataclass(frozen=True)
class Triangular:
    """Triangular distribution of a cost multiplier."""

    low: float
    mode: float
    high: float

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3


OVERRUN_BY_RISK: dict[str, Triangular] = {
    "low": Triangular(0.95, 1.02, 1.24),
    "medium": Triangular(0.95, 1.03, 1.44),
    "high": Triangular(0.95, 1.06, 1.66),
    "very_high": Triangular(0.95, 1.10, 3.00),
}


@dataclass(frozen=True)
class UncertaintySpec:
    """Settings of a robustness run (see the module docstring for the model)."""

    samples: int = 200
    seed: int = 0
    default_risk: str = "medium"
    risk_levels: dict[str, str] = field(default_factory=dict)
    weight_spread: float = 0.30
    impact_spread: float = 0.25
    sample_gap: float = 0.005
    sample_time_limit: float = 10.0
    overrun: dict[str, Triangular] = field(default_factory=lambda: dict(OVERRUN_BY_RISK))

    def check(self, project_ids: set[str] | None = None) -> None:
        """Raise :class:`RobustnessSpecError` listing every invalid setting."""
        problems = []
        if self.samples < 1:
            problems.append(Problem("must be at least 1", field="samples"))
        if self.seed < 0:
            problems.append(Problem("must be a non-negative integer", field="seed"))
        for name, spread in (
            ("weight_spread", self.weight_spread),
            ("impact_spread", self.impact_spread),
        ):
            if not 0 <= spread < 1:
                problems.append(Problem("must be in [0, 1)", field=name))
        if not 0 <= self.sample_gap < 0.5:
            problems.append(Problem("must be in [0, 0.5)", field="sample_gap"))
        if self.sample_time_limit <= 0:
            problems.append(Problem("must be positive", field="sample_time_limit"))
        levels = set(self.overrun)
        if self.default_risk not in levels:
            problems.append(
                Problem(f"unknown risk level '{self.default_risk}'", field="default_risk")
            )
        for project_id, level in self.risk_levels.items():
            if level not in levels:
                problems.append(
                    Problem(f"unknown risk level '{level}'", field=f"risk_levels.{project_id}")
                )
            if project_ids is not None and project_id not in project_ids:
                problems.append(
                    Problem(f"unknown project '{project_id}'", field=f"risk_levels.{project_id}")
                )
        for level, tri in self.overrun.items():
            if not 0 < tri.low <= tri.mode <= tri.high or tri.low == tri.high:
                problems.append(
                    Problem("needs 0 < low <= mode <= high, low < high", field=f"overrun.{level}")
                )
        if problems:
            raise RobustnessSpecError(problems)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings, including the overrun distributions used."""
        return {
            "samples": self.samples,
            "seed": self.seed,
            "default_risk": self.default_risk,
            "risk_levels": dict(self.risk_levels),
            "weight_spread": self.weight_spread,
            "impact_spread": self.impact_spread,
            "sample_gap": self.sample_gap,
            "sample_time_limit": self.sample_time_limit,
            "overrun": {
                level: {"low": t.low, "mode": t.mode, "high": t.high, "mean": round(t.mean, 4)}
                for level, t in self.overrun.items()
            },
        }


def risk_level(project: Mapping[str, Any], spec: UncertaintySpec) -> str:
    """The risk level of a project: explicit setting, ``risk-<level>`` tag, the
    cost-overrun risk its candidate record carries (``procurement.risk_cost_overrun``,
    written by the projects feature), or the default."""
    project_id = str(project.get("id"))
    if project_id in spec.risk_levels:
        return spec.risk_levels[project_id]
    for tag in project.get("tags") or []:
        if str(tag).startswith("risk-") and str(tag)[5:] in spec.overrun:
            return str(tag)[5:]
    recorded = str((project.get("procurement") or {}).get("risk_cost_overrun") or "")
    if recorded in spec.overrun:
        return recorded
    return spec.default_risk


@dataclass(frozen=True)
class Sample:
    """One drawn scenario and the cost multipliers drawn for it."""

    index: int
    scenario: dict[str, Any]
    cost_multipliers: dict[str, float]


def sample_scenario(base: Mapping[str, Any], spec: UncertaintySpec, index: int) -> Sample:
    """Draw sample ``index`` of ``base`` (deterministic in ``spec.seed`` and ``index``)."""
    rng = np.random.default_rng([spec.seed, index])
    scenario = copy.deepcopy(dict(base))
    low, high = 1 - spec.impact_spread, 1 + spec.impact_spread
    multipliers: dict[str, float] = {}
    for project in scenario.get("projects") or []:
        tri = spec.overrun[risk_level(project, spec)]
        factor = float(rng.triangular(tri.low, tri.mode, tri.high))
        multipliers[str(project.get("id"))] = factor
        project["capex_profile"] = [float(c) * factor for c in project.get("capex_profile") or []]
        procurement = project.get("procurement")
        if isinstance(procurement, dict) and procurement.get("estimated_value") is not None:
            procurement["estimated_value"] = float(procurement["estimated_value"]) * factor
        impacts = project.get("impacts") or {}
        project["impacts"] = {
            code: float(value) * float(rng.uniform(low, high)) for code, value in impacts.items()
        }
        if project.get("value"):
            project["value"] = float(project["value"]) * float(rng.uniform(low, high))
    w_low, w_high = 1 - spec.weight_spread, 1 + spec.weight_spread
    for kpi in scenario.get("kpis") or []:
        kpi["weight"] = float(kpi.get("weight", 1.0)) * float(rng.uniform(w_low, w_high))
    objective = scenario.get("objective")
    if isinstance(objective, dict) and objective.get("dimension_weights"):
        objective["dimension_weights"] = {
            dim: float(w) * float(rng.uniform(w_low, w_high))
            for dim, w in objective["dimension_weights"].items()
        }
    refused = []
    for mechanism in scenario.get("mechanisms") or []:
        draw = float(rng.random())  # drawn for every mechanism so that the stream stays aligned
        if draw >= float(mechanism.get("award_probability", 1.0)):
            refused.append(str(mechanism.get("id")))
    if refused:
        scenario["mechanisms"] = [
            m for m in scenario.get("mechanisms") or [] if str(m.get("id")) not in refused
        ]
    return Sample(index=index, scenario=scenario, cost_multipliers=multipliers)
