"""The optimiser's public entry point: :func:`optimise` a :class:`Scenario`.

Used by the CLI (``decision-support optimise``), the web app and the what-if
runner. Steps: prepare data → greedy plan (baseline and MIP start) → solve 1
(maximise impact) → solve 2 (minimise financing cost with impact kept within
``financing_tolerance`` of solve 1; skipped when no financing choice exists) → verify
in plain Python → report and explain, all within one time budget
(:mod:`~decision_support.portfolio.budget`).
An infeasible scenario gets a diagnosis instead of a plan.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from decision_support.portfolio import report
from decision_support.portfolio.budget import Clock, RunBudget, StageBudget
from decision_support.portfolio.build import build_model
from decision_support.portfolio.data import LeadTimeDays, ModelData, prepare_model_data
from decision_support.portfolio.diagnosis import diagnose
from decision_support.portfolio.explain import explain
from decision_support.portfolio.greedy import greedy_plan
from decision_support.portfolio.idle import drop_idle_projects
from decision_support.portfolio.model import PortfolioModel
from decision_support.portfolio.objective import set_financing_objective
from decision_support.portfolio.plan import Plan, evaluate_plan
from decision_support.portfolio.result import (
    STATUS_INFEASIBLE,
    STATUS_NOT_SOLVED,
    STATUS_OPTIMAL,
    ObjectiveParts,
    PortfolioResult,
    Verification,
)
from decision_support.portfolio.scenario import Scenario
from decision_support.portfolio.solution import extract_plan, start_values
from decision_support.portfolio.solve import SolveOutcome, SolverSettings, solve_model
from decision_support.portfolio.verify import verify_plan

logger = logging.getLogger(__name__)

SECOND_SOLVE_GAP = 1e-3
"""Relative MIP gap of the financing-cost solve (the impact is already fixed by solve 1)."""

SECOND_SOLVE_OPTIONS = (("mip_heuristic_run_root_reduced_cost", False),)
"""HiGHS options of the financing-cost solve. It starts from solve 1's plan, a good
incumbent already; on the demo city HiGHS's root-reduced-cost sub-MIP took about half of
this solve (1.6–2.5 s of CPU over four seeds, 0.9–1.1 s without it) and never improved
on that incumbent (same financing cost on every seed)."""


@dataclass(frozen=True)
class OptimiseOptions:
    """How to optimise.

    ``time_limit`` (seconds) bounds the whole run, explanations included; how it is
    split between the stages is in :mod:`~decision_support.portfolio.budget`. ``gap``
    is the relative MIP gap of the impact solve; ``threads`` the solver threads;
    ``force_in``/``force_out`` add mandatory/excluded projects for this run;
    ``lead_time_days`` gives procurement lead times (e.g. from a rule pack);
    ``explain`` runs the extra re-solves of the explanations (each at most
    ``explain_time_limit`` and all within the run's budget); ``progress(fraction,
    stage)`` is called as the run moves through its stages (web jobs store it for the
    progress bar); ``clock`` measures the budget (tests inject their own).
    """

    time_limit: float = 60.0
    gap: float = 1e-4
    solver: str = "highs"
    formulation: str = "tight"
    warm_start: bool = True
    lexicographic: bool = True
    explain: bool = True
    explain_time_limit: float = 10.0
    max_left_out: int = 3
    threads: int = 1
    force_in: tuple[str, ...] = ()
    force_out: tuple[str, ...] = ()
    lead_time_days: LeadTimeDays | None = field(default=None, compare=False)
    progress: Callable[[float, str], None] | None = field(default=None, compare=False)
    clock: Clock = field(default=time.perf_counter, compare=False)

    def report(self, fraction: float, stage: str) -> None:
        """Tell the caller how far the run is (``progress(fraction, stage)``), if it asked."""
        if self.progress is not None:
            self.progress(fraction, stage)

    @property
    def settings(self) -> SolverSettings:
        """Solver settings with the whole run's limit (callers narrow it per solve)."""
        return SolverSettings(
            solver=self.solver, time_limit=self.time_limit, gap=self.gap, threads=self.threads
        )


def apply_forcing(
    scenario: Scenario, force_in: tuple[str, ...], force_out: tuple[str, ...]
) -> Scenario:
    """The scenario with projects forced in (mandatory) or out (excluded)."""
    if not force_in and not force_out:
        return scenario
    mandatory = tuple(p for p in scenario.constraints.mandatory if p not in force_out)
    excluded = tuple(p for p in scenario.constraints.excluded if p not in force_in)
    return scenario.with_constraints(
        mandatory=tuple(dict.fromkeys((*mandatory, *force_in))),
        excluded=tuple(dict.fromkeys((*excluded, *force_out))),
    )


@dataclass
class PlanSolve:
    """The outcome of the lexicographic solve on prepared data."""

    plan: Plan | None
    first: SolveOutcome
    second: SolveOutcome | None
    build_seconds: float
    greedy_seconds: float
    greedy_impact: float | None
    greedy_feasible: bool
    main_seconds: float = 0.0  # solve 1 and 2 on the run's clock (the explanations' yardstick)

    @property
    def solve_seconds(self) -> float:
        """Seconds spent in the solver (both solves)."""
        return self.first.seconds + (self.second.seconds if self.second else 0.0)


def has_financing_choice(model: PortfolioModel) -> bool:
    """True when solve 2 can change anything: some funding variable has a non-zero
    present financing cost (without one, every plan of best impact costs the same)."""
    data = model.data
    return any(data.unit_financing_cost[mid, t] != 0.0 for (mid, t) in model.ex.drawn)


def solve_plan(
    data: ModelData, options: OptimiseOptions, budget: RunBudget | None = None
) -> PlanSolve:
    """Greedy start, solve 1 (impact), solve 2 (financing cost), idle projects dropped
    (:mod:`~decision_support.portfolio.idle`); no reporting.

    The solves get their time limits from ``budget`` (a fresh one of
    ``options.time_limit`` without explanations when none is given).
    """
    budget = budget or RunBudget(options.time_limit, explain=False, clock=options.clock)
    began = time.perf_counter()
    greedy = None
    if options.warm_start:
        # with explanations the greedy plan is also the spreadsheet baseline they report,
        # so it runs to the end; as a mere MIP start it may use GREEDY_SHARE of the limit
        cap = None if options.explain else budget.greedy_deadline
        greedy = greedy_plan(data, stop=cap)
    greedy_seconds = time.perf_counter() - began
    began = time.perf_counter()
    model = build_model(data, formulation=options.formulation)
    build_seconds = time.perf_counter() - began
    start = start_values(model, greedy.plan) if greedy and greedy.feasible else None
    second_wanted = options.lexicographic and has_financing_choice(model)
    options.report(0.2, "maximising impact")
    main_began = budget.elapsed()
    settings = replace(options.settings, time_limit=budget.first_solve_limit(second_wanted))
    first = solve_model(model, settings, start)
    greedy_impact = greedy.impact if greedy and greedy.complete else None
    greedy_feasible = bool(greedy and greedy.feasible)
    if not first.has_solution:
        return PlanSolve(
            None,
            first,
            None,
            build_seconds,
            greedy_seconds,
            greedy_impact,
            greedy_feasible,
            budget.elapsed() - main_began,
        )
    plan = extract_plan(model)
    second = None
    if second_wanted and first.objective is not None:
        tolerance = data.scenario.objective.financing_tolerance
        floor = first.objective - tolerance * max(1.0, abs(first.objective))
        options.report(0.5, "minimising financing cost")
        set_financing_objective(model, floor)
        settings = replace(
            options.settings,
            gap=max(options.gap, SECOND_SOLVE_GAP),
            time_limit=budget.second_solve_limit(),
            highs_options=SECOND_SOLVE_OPTIONS,
        )
        second = solve_model(model, settings, start_values(model, plan))
        if second.has_solution:
            plan = extract_plan(model)
    return PlanSolve(
        drop_idle_projects(data, plan),
        first,
        second,
        build_seconds,
        greedy_seconds,
        greedy_impact,
        greedy_feasible,
        budget.elapsed() - main_began,
    )


def optimise(scenario: Scenario, options: OptimiseOptions | None = None) -> PortfolioResult:
    """Recommend which projects to start when and how to fund them, and say why."""
    options = options or OptimiseOptions()
    budget = RunBudget(options.time_limit, explain=options.explain, clock=options.clock)
    started = began = time.perf_counter()
    scenario = apply_forcing(scenario, options.force_in, options.force_out)
    data = prepare_model_data(scenario, options.lead_time_days)
    prepare_seconds = time.perf_counter() - began
    solved = solve_plan(data, options, budget)
    first = solved.first
    timings = {
        "time_limit": options.time_limit,
        "prepare_seconds": prepare_seconds,
        "greedy_seconds": solved.greedy_seconds,
        "build_seconds": solved.build_seconds,
        "solve_seconds": solved.solve_seconds,
        # solver work, comparable across machine loads (nodes of every raced search)
        "solve_nodes": sum(o.nodes or 0 for o in (first, solved.second) if o is not None),
        "solve_searches": first.searches,
    }
    result = PortfolioResult(
        scenario_name=scenario.name,
        currency=scenario.currency,
        status=first.status,
        proven_optimal=first.status == STATUS_OPTIMAL,
        mip_gap=first.mip_gap,
        objective=None,
        solver=first.solver,
        warnings=list(data.warnings),
        timings=timings,
    )
    if solved.plan is None:
        if first.status == STATUS_INFEASIBLE:
            began = time.perf_counter()
            settings = replace(options.settings, time_limit=budget.diagnosis_limit())
            result.diagnosis = diagnose(data, settings)
            timings["diagnosis_seconds"] = time.perf_counter() - began
        else:
            result.status = STATUS_NOT_SOLVED
            result.warnings.append(
                f"no plan found within the time limit of {options.time_limit:g} s"
            )
        timings["total_seconds"] = time.perf_counter() - started
        return result

    plan = solved.plan
    began_verify = time.perf_counter()
    violations = verify_plan(data, plan)
    timings["verify_seconds"] = time.perf_counter() - began_verify
    result.verification = Verification(not violations, tuple(map(str, violations)))
    if violations:
        logger.error("solution failed verification: %s", violations)
        result.warnings.append("the solver's plan failed the independent check; do not use it")
    if solved.second is not None and solved.second.status != STATUS_OPTIMAL:
        result.warnings.append(
            "financing cost was minimised only approximately (second solve stopped early)"
        )
    ev = evaluate_plan(data, plan)
    result.objective = ObjectiveParts(
        value=ev.impact,
        mode=data.mode,
        kpi_gap_closure=ev.kpi_gap_closure,
        u4ssc_points=ev.u4ssc_points,
        project_value=ev.project_value,
        financing_cost=ev.financing_cost,
        best_bound=first.best_bound,
    )
    result.selected = report.selected_projects(data, plan)
    result.cash_flow = report.cash_flow(data, ev)
    result.funding_plan = report.funding_plan(data, plan, ev)
    result.kpi_projection = report.kpi_projection(data, plan, ev)
    result.u4ssc_score = report.u4ssc_score(result.kpi_projection)
    result.procurement_plan = report.procurement_plan(data, plan)
    if options.explain:
        options.report(0.7, "explaining")
        began_explain = time.perf_counter()
        allowance = StageBudget(
            budget.explanation_allowance(solved.main_seconds), clock=options.clock
        )
        result.explanations = explain(data, plan, options, solved.greedy_impact, allowance)
        timings["explain_seconds"] = time.perf_counter() - began_explain
    timings["total_seconds"] = time.perf_counter() - started
    return result
