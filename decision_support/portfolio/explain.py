"""Explanations of a recommended plan.

* per selected project: the KPIs it moves, the share of each gap it closes, its
  stand-alone value per million of capital, and what the plan loses without it;
* for the strongest candidates left out: the objective cost of forcing each in
  (a re-solve with the project mandatory);
* the marginal value of more budget in each year (a re-solve with the year's
  budget raised by Δ; exact for that Δ, not an LP dual);
* the greedy benefit/cost plan and how much value the optimiser adds to it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from decision_support.portfolio.data import ModelData, prepare_model_data
from decision_support.portfolio.greedy import rank_projects
from decision_support.portfolio.plan import Plan, evaluate_plan
from decision_support.portfolio.result import Explanations

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


def _resolve(data: ModelData, options: OptimiseOptions) -> tuple[str, float | None]:
    from decision_support.portfolio.api import solve_plan

    quick = replace(
        options,
        time_limit=options.explain_time_limit,
        lexicographic=False,
        explain=False,
        progress=None,
    )
    solved = solve_plan(data, quick)
    if solved.plan is None:
        return solved.first.status, None
    return solved.first.status, evaluate_plan(data, solved.plan).impact


def _left_out_rows(
    data: ModelData, plan: Plan, impact: float, options: OptimiseOptions
) -> list[dict[str, Any]]:
    candidates = [
        (pid, ratio)
        for pid, ratio in rank_projects(data)
        if pid not in plan.starts and pid not in data.excluded and data.starts[pid] and ratio > 0
    ][: options.max_left_out]
    rows = []
    for pid, ratio in candidates:
        forced = data.scenario.with_constraints(
            mandatory=(*data.scenario.constraints.mandatory, pid)
        )
        status, value = _resolve(prepare_model_data(forced, options.lead_time_days), options)
        rows.append(
            {
                "id": pid,
                "name": data.projects[pid].name,
                "value_per_million": ratio * _PER,
                "forced_status": status,
                "objective_if_forced": value,
                "cost_of_forcing": impact - value if value is not None else None,
                "feasible_if_forced": value is not None,
            }
        )
    return rows


def _marginal_budget_rows(
    data: ModelData, impact: float, options: OptimiseOptions
) -> list[dict[str, Any]]:
    budget = data.scenario.budget
    positive = [b for b in budget.by_year.values() if b > 0]
    if not positive:
        return []
    delta = 0.1 * sum(positive) / len(positive)
    rows = []
    for year in data.years:
        raised = dict(budget.by_year)
        raised[year] = raised.get(year, 0.0) + delta
        scenario = replace(data.scenario, budget=replace(budget, by_year=raised))
        status, value = _resolve(prepare_model_data(scenario, options.lead_time_days), options)
        rows.append(
            {
                "year": year,
                "delta": delta,
                "objective_with_delta": value,
                "status": status,
                "value_per_million": (value - impact) / delta * _PER if value is not None else None,
                "method": "re-solve with the year's budget raised by delta",
            }
        )
    return rows


def explain(
    data: ModelData, plan: Plan, options: OptimiseOptions, greedy_impact: float | None
) -> Explanations:
    """All explanations of ``plan`` (runs a few bounded re-solves)."""
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
    notes = (
        "Forcing costs and budget values come from re-solves limited to "
        f"{options.explain_time_limit:g} s each; a re-solve that stops early may understate them.",
    )
    return Explanations(
        projects=tuple(_project_rows(data, plan, impact)),
        left_out=tuple(_left_out_rows(data, plan, impact, options)),
        marginal_budget=tuple(_marginal_budget_rows(data, impact, options)),
        greedy=greedy,
        notes=notes,
    )
