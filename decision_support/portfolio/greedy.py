"""The benefit/cost ranking a spreadsheet would produce, turned into a feasible plan.

Projects are ranked by stand-alone benefit per unit of capital cost (mandatory
projects first) and added in that order at their earliest start year that keeps
every constraint satisfied, funded from the cheapest eligible mechanisms first
and the own budget for the rest. The plan serves as the comparison baseline in
the explanations and as the MIP start of the optimiser.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from decision_support.portfolio.data import ModelData
from decision_support.portfolio.plan import Plan, evaluate_plan
from decision_support.portfolio.verify import LOWER_BOUND_FAMILIES, budget_exceeded, verify_plan


@dataclass(frozen=True)
class GreedyResult:
    plan: Plan
    ranking: tuple[tuple[str, float], ...]  # (project, benefit per unit cost)
    feasible: bool
    impact: float
    complete: bool = True  # False when ``stop`` ended it before every project was tried


def standalone_benefit(data: ModelData, project_id: str, nothing: float | None = None) -> float:
    """The impact of selecting ``project_id`` alone (the spreadsheet's 'benefit');
    0 for a project that cannot be scheduled in the horizon. ``nothing`` is the impact
    of the empty plan, when the caller already has it."""
    starts = data.starts[project_id]
    if not starts:
        return 0.0
    alone = evaluate_plan(data, Plan(starts={project_id: starts[0]})).impact
    return alone - (evaluate_plan(data, Plan()).impact if nothing is None else nothing)


def rank_projects(data: ModelData) -> list[tuple[str, float]]:
    """Projects by benefit per unit of capital cost, best first (ties by id)."""
    ranking = []
    nothing = evaluate_plan(data, Plan()).impact
    for pid, project in data.projects.items():
        benefit = standalone_benefit(data, pid, nothing)
        ranking.append((pid, benefit / max(project.capex_total, 1.0)))
    ranking.sort(key=lambda item: (-item[1], item[0]))
    return ranking


def _fund(
    data: ModelData,
    plan: Plan,
    project_id: str,
    start: int,
    keys: set[tuple[str, int]],
) -> dict[tuple[str, str, int], float]:
    """Greedy external funding for a project started in ``start`` given the plan so far.

    ``keys`` are the (mechanism, year) pairs that may fund the project.
    """
    project = data.projects[project_id]
    drawn: dict[tuple[str, int], float] = defaultdict(float)
    drawn_total: dict[str, float] = defaultdict(float)
    for (_p, mid, t), amount in plan.funding.items():
        drawn[mid, t] += amount
        drawn_total[mid] += amount
    order = sorted(
        (mid for mid, mech in data.mechanisms.items() if mech.min_amount <= 0),
        key=lambda mid: (data.unit_financing_cost[mid, data.first_year], mid),
    )
    funding: dict[tuple[str, str, int], float] = {}
    used: dict[str, float] = defaultdict(float)
    for k in range(project.duration_years):
        t = start + k
        need = data.capex.get((project_id, start, t), 0.0)
        for mid in order:
            if need <= 0 or (mid, t) not in keys:
                continue
            mechanism = data.mechanisms[mid]
            share = min(mechanism.max_share, 1 - mechanism.cofinancing_share)
            room = [need, share * project.capex_total - used[mid]]
            if mechanism.capacity_by_year is not None:
                room.append(mechanism.capacity_by_year.get(t, 0.0) - drawn[mid, t])
            if mechanism.capacity_total is not None:
                room.append(mechanism.capacity_total - drawn_total[mid])
            if mechanism.max_amount is not None:
                room.append(mechanism.max_amount - drawn[mid, t])
            if mechanism.type == "epc":
                room.append(project.savings_per_year / max(data.payment_factor[mid]) - used[mid])
            amount = min(room)
            if amount > 1e-6:
                funding[project_id, mid, t] = amount
                used[mid] += amount
                drawn[mid, t] += amount
                drawn_total[mid] += amount
                need -= amount
    return funding


def _cannot_afford(
    data: ModelData,
    own_spend: dict[int, float],
    project_id: str,
    start: int,
    funding: dict[tuple[str, str, int], float],
) -> bool:
    """A quick necessary test before the full check: adding the project costs the own
    budget at least its capital spending less its funding, plus opex less savings
    (debt service and fees only add to it), so if that already breaks the budget
    rows the trial is infeasible."""
    project = data.projects[project_id]
    trial = dict(own_spend)
    for k, amount in enumerate(project.capex_profile):
        trial[start + k] += amount
    for (_p, _m, t), amount in funding.items():
        trial[t] -= amount
    for t in range(start + project.duration_years, data.last_year + 1):
        trial[t] += project.opex_per_year - project.savings_per_year
    return budget_exceeded(data, trial)


def _try_add(
    data: ModelData,
    plan: Plan,
    project_id: str,
    keys: set[tuple[str, int]],
    own_spend: dict[int, float],
) -> tuple[Plan, dict[int, float]] | None:
    """The plan with ``project_id`` added and its yearly own spending, or None."""
    project = data.projects[project_id]
    if project_id in data.excluded or any(o in plan.starts for o in project.excludes):
        return None
    if any(r not in plan.starts for r in project.requires):
        return None
    earliest = max((plan.starts[r] for r in project.requires), default=data.first_year)
    for start in data.starts[project_id]:
        if start < earliest:
            continue
        for funded in (True, False):
            funding = _fund(data, plan, project_id, start, keys) if funded else {}
            if _cannot_afford(data, own_spend, project_id, start, funding):
                if not data.mechanisms:
                    break
                continue
            trial = Plan(
                starts={**plan.starts, project_id: start}, funding={**plan.funding, **funding}
            )
            evaluation = evaluate_plan(data, trial)
            if not verify_plan(data, trial, skip=LOWER_BOUND_FAMILIES, evaluation=evaluation):
                return trial, evaluation.own_spend
            if not data.mechanisms:
                break
    return None


def greedy_plan(data: ModelData, stop: Callable[[], bool] | None = None) -> GreedyResult:
    """Build the greedy plan (mandatory projects first, then by benefit per unit cost).

    ``stop()`` is asked before each project is tried; when it says so the plan so far
    is returned with ``complete=False`` (still checked: a MIP start, not a baseline).
    """
    ranking = rank_projects(data)
    order = [p for p, _r in ranking if p in data.mandatory]
    order += [p for p, r in ranking if p not in data.mandatory and r > 0]
    keys: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for pid, mid, t in data.funding_keys:
        keys[pid].add((mid, t))
    plan = Plan()
    own_spend = dict(evaluate_plan(data, plan).own_spend)
    pending = list(order)
    progress = True
    complete = True
    while pending and progress:  # a second pass picks up projects whose prerequisite came later
        progress = False
        for pid in list(pending):
            if stop is not None and stop():
                complete, pending = False, []
                break
            added = _try_add(data, plan, pid, keys[pid], own_spend)
            if added is not None:
                plan, own_spend = added[0], dict(added[1])
                pending.remove(pid)
                progress = True
            elif not data.projects[pid].requires:
                pending.remove(pid)
    feasible = not verify_plan(data, plan)
    return GreedyResult(
        plan=plan,
        ranking=tuple(ranking),
        feasible=feasible,
        impact=evaluate_plan(data, plan).impact,
        complete=complete,
    )
