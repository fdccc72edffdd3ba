"""Drop projects that add nothing from a solved plan (a tie-break the solver leaves open).

A project whose removal lowers neither the impact nor raises the financing cost is,
for the model, as good in the plan as out of it, and HiGHS may return either plan
(which one depends on the formulation and the search). A city would not fund a
project that closes no gap and brings no value, so :func:`drop_idle_projects` takes
such projects out, one at a time, as long as the plan still passes the plain-Python
check: a project needed by another one, by the low-cost minimum, a dimension share or
a deal's minimum size stays. The result is lexicographically at least as good as the
solver's plan (impact not lower, financing cost not higher).
"""

from __future__ import annotations

from decision_support.portfolio.data import ModelData
from decision_support.portfolio.plan import Plan, evaluate_plan
from decision_support.portfolio.verify import verify_plan

_TOLERANCE = 1e-9


def _without(plan: Plan, pid: str) -> Plan:
    return Plan(
        starts={p: s for p, s in plan.starts.items() if p != pid},
        funding={key: amount for key, amount in plan.funding.items() if key[0] != pid},
    )


def drop_idle_projects(data: ModelData, plan: Plan) -> Plan:
    """``plan`` without the projects that add nothing (largest capital cost first).

    Candidates are the selected projects that are not mandatory and carry no positive
    explicit value (a project with one always adds it). A candidate goes when the plan
    without it has impact ≥ the plan's − 1e-9 · max(1, |impact|), financing cost ≤ the
    plan's + 1e-9 · max(1, |cost|), and passes :func:`verify_plan`; each removal is
    judged against the plan left by the removals before it.
    """
    candidates = sorted(
        (pid for pid in plan.starts if pid not in data.mandatory and data.projects[pid].value <= 0),
        key=lambda pid: (-data.projects[pid].capex_total, pid),
    )
    if not candidates:
        return plan
    current = evaluate_plan(data, plan)
    for pid in candidates:
        trial = _without(plan, pid)
        evaluation = evaluate_plan(data, trial)
        impact_floor = current.impact - _TOLERANCE * max(1.0, abs(current.impact))
        cost_ceiling = current.financing_cost + _TOLERANCE * max(1.0, abs(current.financing_cost))
        if evaluation.impact < impact_floor or evaluation.financing_cost > cost_ceiling:
            continue
        if verify_plan(data, trial):
            continue
        plan, current = trial, evaluation
    return plan
