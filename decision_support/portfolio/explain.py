"""Explanations of a recommended plan.

* per selected project: the KPIs it moves, the share of each gap it closes, its
  stand-alone value per million of capital, and what the plan loses without it;
* for the strongest candidates left out: the objective cost of forcing each in
  (a re-solve with the project mandatory, started from the recommended plan with
  the project added and its weakest projects dropped until it fits);
* the marginal value of more budget in each year (a re-solve with the year's
  budget raised by Δ, started from the recommended plan, which stays feasible;
  exact for that Δ up to the re-solve's gap, not an LP dual);

The re-solves share the time the run's budget leaves them
(:mod:`~decision_support.portfolio.budget`), most valuable first; those that do not
fit are listed in ``skipped`` with the reason.
* the greedy benefit/cost plan and how much value the optimiser adds to it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from decision_support.portfolio.budget import MIN_RESOLVE_SECONDS, StageBudget
from decision_support.portfolio.data import ModelData, prepare_model_data
from decision_support.portfolio.greedy import rank_projects
from decision_support.portfolio.plan import Plan, evaluate_plan
from decision_support.portfolio.result import Explanations
from decision_support.portfolio.verify import verify_plan

if TYPE_CHECKING:
    from decision_support.portfolio.api import OptimiseOptions

_PER = 1e6  # value per million of capital


def _project_rows(data: ModelData, plan: Plan, impact: float) -> list[dict[str, Any]]:
    rows = []
    for pid, start in sorted(plan.starts.items(), key=lambda item: (item[1], item[0])):
        project = data.projects[pid]
        kpis = []
        for (p, key), change in sorted(data.impact.items()):
            if p != pid:
                continue
            kpi = data.kpis[key]
            share = data.improvement[p, key] / kpi.gap if kpi.gap > 0 else None
            kpis.append({"kpi": key, "name": kpi.name, "change": change, "gap_share": share})
        without = Plan(
            starts={k: s for k, s in plan.starts.items() if k != pid},
            funding={k: a for k, a in plan.funding.items() if k[0] != pid},
        )
        alone = evaluate_plan(data, Plan(starts={pid: start})).impact
        rows.append(
            {
                "id": pid,
                "name": project.name,
                "start_year": start,
                "capex_total": project.capex_total,
                "kpis": kpis,
                "standalone_value": alone,
                "value_per_million": alone / project.capex_total * _PER
                if project.capex_total
                else None,
                "value_lost_without_it": impact - evaluate_plan(data, without).impact,
                "mandatory": pid in data.mandatory,
            }
        )
    return rows


EXPLAIN_GAP = 1e-2
"""Relative gap at which an explanation re-solve stops (the main solve used ``gap``)."""

REPAIR_DROPS = 10
"""Projects a forced-in start may drop from the recommended plan to become feasible."""


@dataclass(frozen=True)
class _Resolve:
    """One explanation re-solve: its kind, its key, the edited data and a start plan."""

    kind: str  # "left_out" | "marginal_budget"
    key: str | int
    data: Callable[[], ModelData]
    start: Callable[[ModelData], Plan | None]


def _resolve(
    data: ModelData, options: OptimiseOptions, limit: float, start: Plan | None
) -> tuple[str, float | None]:
    """Re-solve ``data`` for impact only, from ``start`` when it is feasible there,
    stopping at ``EXPLAIN_GAP`` or after ``limit`` seconds; (status, impact or None).
    The re-solve's plan passes the plain-Python check before its impact is used."""
    from decision_support.portfolio.build import build_model
    from decision_support.portfolio.solution import extract_plan, start_values
    from decision_support.portfolio.solve import solve_model

    began = options.clock()
    model = build_model(data, formulation=options.formulation)
    values = start_values(model, start) if start is not None else None
    left = limit - (options.clock() - began)
    settings = replace(
        options.settings,
        time_limit=max(left, MIN_RESOLVE_SECONDS),
        gap=max(options.gap, EXPLAIN_GAP),
    )
    outcome = solve_model(model, settings, values)
    if not outcome.has_solution:
        return outcome.status, None
    plan = extract_plan(model)
    if verify_plan(data, plan):  # like every plan, checked before its number is used
        return "failed_verification", None
    return outcome.status, evaluate_plan(data, plan).impact


def _feasible(data: ModelData, plan: Plan) -> Plan | None:
    return None if verify_plan(data, plan) else plan


def _forced_start(
    data: ModelData, plan: Plan, project_id: str, ranking: dict[str, float]
) -> Plan | None:
    """The recommended plan with ``project_id`` added, dropping up to ``REPAIR_DROPS``
    of its weakest projects (by benefit per unit cost) until it fits; None if it cannot."""
    needed = {r for pid in plan.starts for r in data.projects[pid].requires}
    droppable = sorted(
        (p for p in plan.starts if p not in data.mandatory and p not in needed),
        key=lambda p: (ranking.get(p, 0.0), p),
    )[:REPAIR_DROPS]
    for start in data.starts[project_id]:
        starts = {**plan.starts, project_id: start}
        for drop in [None, *droppable]:
            if drop is not None:
                starts.pop(drop, None)
            funding = {k: a for k, a in plan.funding.items() if k[0] in starts}
            trial = Plan(starts=dict(starts), funding=funding)
            if not verify_plan(data, trial):
                return trial
    return None


def _left_out_tasks(
    data: ModelData, plan: Plan, options: OptimiseOptions
) -> list[tuple[_Resolve, dict[str, Any]]]:
    ranking = rank_projects(data)
    ratios = dict(ranking)
    candidates = [
        (pid, ratio)
        for pid, ratio in ranking
        if pid not in plan.starts and pid not in data.excluded and data.starts[pid] and ratio > 0
    ][: options.max_left_out]
    tasks = []
    for pid, ratio in candidates:

        def forced_data(pid: str = pid) -> ModelData:
            forced = data.scenario.with_constraints(
                mandatory=(*data.scenario.constraints.mandatory, pid)
            )
            return prepare_model_data(forced, options.lead_time_days)

        def forced_start(edited: ModelData, pid: str = pid) -> Plan | None:
            return _forced_start(edited, plan, pid, ratios)

        row = {"id": pid, "name": data.projects[pid].name, "value_per_million": ratio * _PER}
        tasks.append((_Resolve("left_out", pid, forced_data, forced_start), row))
    return tasks


def _budget_tasks(
    data: ModelData, plan: Plan, options: OptimiseOptions
) -> list[tuple[_Resolve, dict[str, Any]]]:
    """One re-solve per year, the years with the least own budget to spare first."""
    budget = data.scenario.budget
    positive = [b for b in budget.by_year.values() if b > 0]
    if not positive:
        return []
    delta = 0.1 * sum(positive) / len(positive)
    ev = evaluate_plan(data, plan)
    spare = {t: ev.available[t] - ev.own_spend[t] for t in data.years}
    tasks = []
    for year in sorted(data.years, key=lambda t: (spare[t], t)):

        def raised_data(year: int = year) -> ModelData:
            raised = dict(budget.by_year)
            raised[year] = raised.get(year, 0.0) + delta
            scenario = replace(data.scenario, budget=replace(budget, by_year=raised))
            return prepare_model_data(scenario, options.lead_time_days)

        row = {"year": year, "delta": delta}
        tasks.append((_Resolve("marginal_budget", year, raised_data, _plan_if(plan)), row))
    return tasks


def _plan_if(plan: Plan) -> Callable[[ModelData], Plan | None]:
    """More budget keeps the recommended plan feasible: it is the start (if it checks)."""
    return lambda edited: _feasible(edited, plan)


def _by_value(
    left_out: list[tuple[_Resolve, dict[str, Any]]],
    budget: list[tuple[_Resolve, dict[str, Any]]],
) -> list[tuple[_Resolve, dict[str, Any]]]:
    """Most valuable first: the strongest left-out candidate and the tightest budget
    year alternate, so a short budget still answers both questions for the best cases."""
    ordered: list[tuple[_Resolve, dict[str, Any]]] = []
    for pair in itertools.zip_longest(left_out, budget):
        ordered.extend(task for task in pair if task is not None)
    return ordered


def _finish_row(
    task: _Resolve, row: dict[str, Any], impact: float, status: str, value: float | None
) -> None:
    if task.kind == "left_out":
        row.update(
            forced_status=status,
            objective_if_forced=value,
            cost_of_forcing=impact - value if value is not None else None,
            feasible_if_forced=value is not None,
        )
    else:
        delta = row["delta"]
        row.update(
            objective_with_delta=value,
            status=status,
            value_per_million=(value - impact) / delta * _PER if value is not None else None,
            method="re-solve with the year's budget raised by delta",
        )


def explain(
    data: ModelData,
    plan: Plan,
    options: OptimiseOptions,
    greedy_impact: float | None,
    allowance: StageBudget | None = None,
) -> Explanations:
    """All explanations of ``plan``; the re-solves run in order of value within
    ``allowance`` (by default ``explain_time_limit`` per re-solve), and those that do
    not fit are listed in ``skipped`` with the reason."""
    impact = evaluate_plan(data, plan).impact
    greedy = None
    if greedy_impact is not None:
        greedy = {
            "objective": greedy_impact,
            "optimised_objective": impact,
            "added_value": impact - greedy_impact,
            "added_percent": (impact - greedy_impact) / abs(greedy_impact) * 100
            if greedy_impact
            else None,
        }
    left_tasks = _left_out_tasks(data, plan, options)
    budget_tasks = _budget_tasks(data, plan, options)
    tasks = _by_value(left_tasks, budget_tasks)
    if allowance is None:
        allowance = StageBudget(options.explain_time_limit * len(tasks), clock=options.clock)
    skipped: list[dict[str, Any]] = []
    done: set[int] = set()
    for i, (task, row) in enumerate(tasks):
        limit = allowance.share(len(tasks) - i, options.explain_time_limit)
        if limit < MIN_RESOLVE_SECONDS:
            skipped.append(_skipped(task, row, allowance))
            continue
        edited = task.data()
        status, value = _resolve(edited, options, limit, task.start(edited))
        _finish_row(task, row, impact, status, value)
        done.add(id(row))
    notes: tuple[str, ...] = (
        "Forcing costs and budget values come from re-solves that start from the "
        f"recommended plan and stop at a {max(options.gap, EXPLAIN_GAP):.0%} gap, within "
        f"{allowance.seconds:.1f} s for all of them (at most {options.explain_time_limit:g} s "
        "each); a re-solve that stops early may understate them.",
    )
    if skipped:
        notes += (
            f"{len(skipped)} explanation re-solve(s) did not fit in the time budget; "
            "see 'skipped'.",
        )
    return Explanations(
        projects=tuple(_project_rows(data, plan, impact)),
        left_out=tuple(row for _t, row in left_tasks if id(row) in done),
        marginal_budget=tuple(
            row for _t, row in sorted(budget_tasks, key=lambda tr: tr[1]["year"]) if id(row) in done
        ),
        greedy=greedy,
        notes=notes,
        skipped=tuple(skipped),
    )


def _skipped(task: _Resolve, row: dict[str, Any], allowance: StageBudget) -> dict[str, Any]:
    what = (
        f"cost of forcing {task.key} in"
        if task.kind == "left_out"
        else f"value of more budget in {task.key}"
    )
    return {
        "explanation": task.kind,
        "id": task.key if task.kind == "left_out" else None,
        "year": task.key if task.kind == "marginal_budget" else None,
        "what": what,
        "reason": f"time budget used up: the explanations had {allowance.seconds:.2f} s "
        f"and a re-solve needs at least {MIN_RESOLVE_SECONDS:g} s",
    }
