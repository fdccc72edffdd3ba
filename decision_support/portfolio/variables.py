"""Decision variables of the portfolio model, with stable names.

==================  =========================  =======================================
symbol              name in the LP             meaning
==================  =========================  =======================================
y[p,s] ∈ {0,1}      ``start_<p>_<s>``          project p starts in year s ∈ A_p
x[p] ∈ {0,1}        ``select_<p>``             project p is selected (``tight``/``strong``)
f[p,m,t] ≥ 0        ``fund_<p>_<m>_<t>``       amount mechanism m pays for p in year t
u[m,t] ∈ {0,1}      ``deal_<m>_<t>``           a deal with m is signed in year t
z[q] ≤ G_q          ``closure_<q>``            credited gap closure of KPI q
b[q,k] ∈ {0,1}      ``band_<q>_<k>``           KPI q reaches U4SSC threshold k
e[·] ≥ 0            ``slack_<family>_<…>``     elastic slack (diagnosis model only)
==================  =========================  =======================================

Start windows (earliest/latest start, procurement lead time, profile inside the
horizon) are enforced by the index set A_p: no variable exists for a start
year outside it.

The ``tight`` and ``strong`` formulations carry the selection x_p = Σ_s y[p,s] as a
variable of its own for every project with more than one allowed start (for one start
x_p is y[p,s] itself). The LP relaxation is the same, but HiGHS can then branch on
"selected or not" rather than on one start year at a time, a far more balanced
branch: on the bench instances it needs about 0.6 × the nodes (``docs/portfolio.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pulp

from decision_support.portfolio.benchmark import BAND_THRESHOLDS
from decision_support.portfolio.data import ModelData

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def lp_name(*parts: object) -> str:
    """A solver-safe, deterministic name built from ``parts``."""
    return "_".join(_UNSAFE.sub("_", str(part)) for part in parts)


@dataclass
class ModelVariables:
    start: dict[tuple[str, int], pulp.LpVariable]
    funding: dict[tuple[str, str, int], pulp.LpVariable]
    deal: dict[tuple[str, int], pulp.LpVariable]
    closure: dict[str, pulp.LpVariable]
    band: dict[tuple[str, int], pulp.LpVariable]
    select: dict[str, pulp.LpVariable] = field(default_factory=dict)
    slack: dict[tuple[str, object], pulp.LpVariable] = field(default_factory=dict)

    def selected(self, data: ModelData, project_id: str) -> pulp.LpAffineExpression:
        """x_p: 1 when project p is selected (its variable, or Σ_s y[p,s] without one)."""
        if project_id in self.select:
            return pulp.LpAffineExpression(self.select[project_id])
        return pulp.lpSum(self.start[project_id, s] for s in data.starts[project_id])


def define_start_variables(
    problem: pulp.LpProblem, data: ModelData
) -> dict[tuple[str, int], pulp.LpVariable]:
    return {
        (pid, s): problem.add_variable(lp_name("start", pid, s), cat=pulp.LpBinary)
        for pid, starts in data.starts.items()
        for s in starts
    }


def define_select_variables(problem: pulp.LpProblem, data: ModelData) -> dict[str, pulp.LpVariable]:
    """x_p for every project with more than one allowed start year."""
    return {
        pid: problem.add_variable(lp_name("select", pid), cat=pulp.LpBinary)
        for pid, starts in data.starts.items()
        if len(starts) > 1
    }


def define_funding_variables(
    problem: pulp.LpProblem, data: ModelData
) -> dict[tuple[str, str, int], pulp.LpVariable]:
    return {
        (pid, mid, t): problem.add_variable(lp_name("fund", pid, mid, t), lowBound=0)
        for pid, mid, t in data.funding_keys
    }


def define_deal_variables(
    problem: pulp.LpProblem, data: ModelData
) -> dict[tuple[str, int], pulp.LpVariable]:
    """Binary deal indicators only where a minimum deal size applies."""
    years_with_funding: dict[str, set[int]] = {}
    for _pid, mid, t in data.funding_keys:
        years_with_funding.setdefault(mid, set()).add(t)
    return {
        (mid, t): problem.add_variable(lp_name("deal", mid, t), cat=pulp.LpBinary)
        for mid, mechanism in data.mechanisms.items()
        if mechanism.min_amount > 0
        for t in sorted(years_with_funding.get(mid, ()))
    }


def define_closure_variables(
    problem: pulp.LpProblem, data: ModelData
) -> dict[str, pulp.LpVariable]:
    """z[q] ∈ [min(0, Σ_p min(δ,0)), G_q]: gap-closure credit, capped at the gap."""
    if data.mode != "gap_closure":
        return {}
    variables = {}
    for key, kpi in data.kpis.items():
        if kpi.coefficient <= 0:
            continue
        worst = sum(min(0.0, d) for (_p, q), d in data.improvement.items() if q == key)
        variables[key] = problem.add_variable(
            lp_name("closure", key), lowBound=worst, upBound=kpi.gap
        )
    return variables


def define_band_variables(
    problem: pulp.LpProblem, data: ModelData
) -> dict[tuple[str, int], pulp.LpVariable]:
    if data.mode != "u4ssc_points":
        return {}
    return {
        (key, k): problem.add_variable(lp_name("band", key, k), cat=pulp.LpBinary)
        for key in data.kpis
        for k in range(len(BAND_THRESHOLDS))
    }


def define_variables(
    problem: pulp.LpProblem, data: ModelData, selection: bool = True
) -> ModelVariables:
    """All decision variables of the model (``selection``: with the x_p variables)."""
    return ModelVariables(
        start=define_start_variables(problem, data),
        select=define_select_variables(problem, data) if selection else {},
        funding=define_funding_variables(problem, data),
        deal=define_deal_variables(problem, data),
        closure=define_closure_variables(problem, data),
        band=define_band_variables(problem, data),
    )
