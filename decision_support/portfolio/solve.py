"""Run a built model through the configured solver and read back an honest status.

HiGHS (through highspy) is the default; CBC (``PULP_CBC_CMD``) is the fallback.
PuLP labels a HiGHS run stopped by its time limit "Optimal"; we read HiGHS's
own model status, MIP gap and dual bound instead. The first ``highspy.Highs()``
of a process prints a banner on standard output, which would corrupt ``--json``
output, so the solver is created with standard output sent to standard error.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pulp

from decision_support.portfolio.model import PortfolioModel
from decision_support.portfolio.quiet import stdout_to_stderr
from decision_support.portfolio.race import RaceOutcome, race
from decision_support.portfolio.result import (
    STATUS_FEASIBLE,
    STATUS_INFEASIBLE,
    STATUS_NOT_SOLVED,
    STATUS_OPTIMAL,
)

logger = logging.getLogger(__name__)

SOLVERS = ("highs", "cbc")


@dataclass(frozen=True)
class SolverSettings:
    """Solver configuration: ``time_limit`` in seconds for this solve, ``gap`` relative,
    ``threads`` for HiGHS: with 2 or more, that many single-threaded searches race on
    the cores and share incumbents (:mod:`~decision_support.portfolio.race`)."""

    solver: str = "highs"
    time_limit: float = 60.0
    gap: float = 1e-4
    threads: int | None = 1
    highs_options: tuple[tuple[str, bool | int | float | str], ...] = ()
    """Further HiGHS options (name, value) for this solve only."""


@dataclass(frozen=True)
class SolveOutcome:
    """What a solve produced: ``status`` is optimal / feasible / infeasible / not_solved."""

    status: str
    has_solution: bool
    objective: float | None
    best_bound: float | None
    mip_gap: float | None
    seconds: float
    solver: str
    nodes: int | None = None
    searches: int = 1  # HiGHS searches raced (nodes are their sum)


_scheduler_lock = threading.Lock()
_scheduler_threads: list[int | None] = [None]


def match_scheduler(threads: int | None) -> None:
    """HiGHS starts one global thread pool on its first run; a later run asking for
    another thread count fails (model status 'not set'). Reset the pool when the
    count changes, so that runs with different ``threads`` can share a process."""
    import highspy

    with _scheduler_lock:
        if _scheduler_threads[0] not in (None, threads):
            highspy.Highs.resetGlobalScheduler(True)
        _scheduler_threads[0] = threads


class QuietHighs(pulp.HiGHS):
    """PuLP's highspy interface without the banner on stdout, with an optional MIP start,
    handing the model to HiGHS in a few array calls.

    PuLP stays the modelling front end; no file is written. PuLP's own
    ``buildSolverModel`` makes one ``addCol``/``addRow`` call per column and row; here
    columns go in with ``addVars`` and rows in one compressed-row ``addRows`` call.
    Column and row order (``var.index``, ``constraint.index``) is PuLP's, so PuLP reads
    the solution back as usual.
    """

    def __init__(
        self,
        start: dict[str, float] | None = None,
        copy_order: Callable[[Sequence[pulp.LpVariable]], list[int]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.start = start or {}
        self.copy_order = copy_order  # the column order of a raced copy (see race())
        self.race: RaceOutcome | None = None

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP API)
        with stdout_to_stderr():
            super().createAndConfigureSolver(lp)

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP API)
        import highspy
        import numpy as np

        inf = highspy.kHighsInf
        variables = lp.variables()
        n = len(variables)
        sign = -1.0 if lp.sense == pulp.LpMaximize else 1.0
        objective = lp.objective or {}
        for i, var in enumerate(variables):
            var.index = i
        lower = np.array([-inf if v.lowBound is None else v.lowBound for v in variables], float)
        upper = np.array([inf if v.upBound is None else v.upBound for v in variables], float)
        cost = np.array([sign * objective.get(v, 0.0) for v in variables], float)
        highs = lp.solverModel
        columns = np.arange(n, dtype=np.int32)
        highs.addVars(n, lower, upper)
        highs.changeColsCost(n, columns, cost)
        integer = np.array(
            [i for i, v in enumerate(variables) if v.cat == pulp.LpInteger and self.mip],
            dtype=np.int32,
        )
        if len(integer):
            kinds = np.full(len(integer), highspy.HighsVarType.kInteger.value, dtype=np.uint8)
            highs.changeColsIntegrality(len(integer), integer, kinds)
        starts: list[int] = []
        indices: list[int] = []
        values: list[float] = []
        row_lower: list[float] = []
        row_upper: list[float] = []
        for i, constraint in enumerate(lp._constraints.values()):
            constraint.index = i
            starts.append(len(indices))
            for var, coefficient in constraint.items():
                if coefficient != 0:
                    indices.append(var.index)
                    values.append(coefficient)
            lb, ub = constraint.getLb(), constraint.getUb()
            row_lower.append(-inf if lb is None else lb)
            row_upper.append(inf if ub is None else ub)
        if starts:
            highs.addRows(
                len(starts),
                np.array(row_lower, float),
                np.array(row_upper, float),
                len(indices),
                np.array(starts, dtype=np.int32),
                np.array(indices, dtype=np.int32),
                np.array(values, float),
            )

    def callSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP API)
        import highspy

        values = [self.start.get(var.name, 0.0) for var in lp.variables()] if self.start else None
        searches = self.threads or 1
        if searches > 1 and self.mip and any(v.cat == pulp.LpInteger for v in lp.variables()):
            # several single-threaded searches on the cores; PuLP reads the winner's
            # solution (its own thread pools, so the caller's scheduler is left alone)
            orders = [self.copy_order(lp.variables())] if self.copy_order else []
            lp.solverModel, self.race = race(lp.solverModel, searches, values, orders=orders)
            return
        match_scheduler(self.threads)
        if values is not None:
            solution = highspy.HighsSolution()
            solution.col_value = values
            solution.value_valid = True
            lp.solverModel.setSolution(solution)
        with stdout_to_stderr():
            lp.solverModel.run()


def _highs_outcome(
    model: PortfolioModel, seconds: float, raced: RaceOutcome | None
) -> SolveOutcome:
    import highspy

    highs = model.problem.solverModel
    status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    maximise = model.problem.sense == pulp.LpMaximize
    sign = -1.0 if maximise else 1.0  # PuLP hands HiGHS a minimisation
    objective = sign * info.objective_function_value if has_solution else None
    bound = info.mip_dual_bound
    gap = info.mip_gap if has_solution and abs(info.mip_gap) < 1e30 else None
    nodes, searches = int(info.mip_node_count), 1
    model_status = highspy.HighsModelStatus
    optimal = status == model_status.kOptimal
    infeasible = status in (model_status.kInfeasible, model_status.kUnboundedOrInfeasible)
    if raced is not None:  # the race's best incumbent and best bound of all its searches
        bound = raced.dual_bound if raced.dual_bound is not None else math.inf
        gap = raced.gap if has_solution and raced.gap is not None and raced.gap < 1e30 else None
        optimal, infeasible = raced.proven, raced.infeasible and not has_solution
        nodes, searches = raced.nodes, raced.searches
    best_bound = sign * bound if abs(bound) < 1e30 else None
    if optimal:
        label = STATUS_OPTIMAL
        gap = gap if gap is not None else 0.0
    elif infeasible:
        label = STATUS_INFEASIBLE
    elif has_solution:
        label = STATUS_FEASIBLE
    else:
        label = STATUS_NOT_SOLVED
    return SolveOutcome(
        label, has_solution, objective, best_bound, gap, seconds, "HiGHS", nodes, searches
    )


def _cbc_outcome(model: PortfolioModel, seconds: float) -> SolveOutcome:
    problem = model.problem
    has_solution = problem.sol_status in (
        pulp.LpSolutionOptimal,
        pulp.LpSolutionIntegerFeasible,
    )
    if problem.sol_status == pulp.LpSolutionOptimal:
        label = STATUS_OPTIMAL
    elif problem.status == pulp.LpStatusInfeasible:
        label = STATUS_INFEASIBLE
    elif has_solution:
        label = STATUS_FEASIBLE
    else:
        label = STATUS_NOT_SOLVED
    objective = pulp.value(problem.objective) if has_solution else None
    gap = 0.0 if label == STATUS_OPTIMAL else None
    return SolveOutcome(label, has_solution, objective, None, gap, seconds, "CBC")


def _cbc_solver(settings: SolverSettings) -> pulp.LpSolver:
    """CBC: a ``cbc`` on the PATH (``COIN_CMD``), else the binary bundled with PuLP."""
    options = {
        "msg": False,
        "timeLimit": settings.time_limit,
        "gapRel": settings.gap,
        "threads": settings.threads,
    }
    installed = pulp.COIN_CMD(**options)
    if installed.available():
        return installed
    # PuLP 3.3 flags its bundled CBC as deprecated for 4.0; it is still the fallback here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(**options)


def solve_model(
    model: PortfolioModel, settings: SolverSettings, start: dict[str, float] | None = None
) -> SolveOutcome:
    """Solve ``model`` in place; variable values are set when a solution exists.

    ``start`` maps variable names to a feasible starting solution (HiGHS only).
    """
    began = time.perf_counter()
    if settings.solver == "cbc":
        model.problem.solve(_cbc_solver(settings))
        return _cbc_outcome(model, time.perf_counter() - began)
    outcome = _run_highs(model, settings, start, began)
    if start is not None and not _plan_matches_report(model, outcome):
        # HiGHS 1.16 can report the objective of a better plan found in its presolved
        # space while handing back the (postsolved) starting plan: its word and its
        # plan disagree, so the claimed status cannot stand. Solve again without the
        # start in the time that is left.
        logger.warning(
            "HiGHS reported objective %s but returned a plan worth %s after a MIP start; "
            "solving again without the start",
            outcome.objective,
            _plan_objective(model),
        )
        remaining = settings.time_limit - (time.perf_counter() - began)
        if remaining > 0:
            retry = SolverSettings(
                settings.solver, remaining, settings.gap, settings.threads, settings.highs_options
            )
            outcome = _run_highs(model, retry, None, began)
    if not _plan_matches_report(model, outcome):
        outcome = _distrusted(model, outcome)
    logger.info(
        "solved %s: %s obj=%s bound=%s gap=%s in %.2fs",
        model.problem.name,
        outcome.status,
        outcome.objective,
        outcome.best_bound,
        outcome.mip_gap,
        outcome.seconds,
    )
    return outcome


def project_major_order(
    model: PortfolioModel,
) -> Callable[[Sequence[pulp.LpVariable]], list[int]]:
    """The columns of ``model`` project by project: first every column that belongs to no
    project (in the model's order), then per project (in id order) its start columns
    y[p,s] by year and its selection column x_p.

    PuLP orders columns by name, so all x_p come before all y[p,s]. On the bench
    instances that order suits the branching of the small models and the project-major
    one the root of the large ones (``docs/portfolio.md``), so a race gives its
    second search this order.
    """
    owner: dict[str, tuple[str, int, int]] = {
        var.name: (pid, 0, s) for (pid, s), var in model.v.start.items()
    }
    owner.update({var.name: (pid, 1, 0) for pid, var in model.v.select.items()})

    def order(variables: Sequence[pulp.LpVariable]) -> list[int]:
        others = [i for i, var in enumerate(variables) if var.name not in owner]
        mine = [i for i, var in enumerate(variables) if var.name in owner]
        return others + sorted(mine, key=lambda i: owner[variables[i].name])

    return order


def _run_highs(
    model: PortfolioModel, settings: SolverSettings, start: dict[str, float] | None, began: float
) -> SolveOutcome:
    highs = QuietHighs(
        start=start,
        copy_order=project_major_order(model) if (settings.threads or 1) > 1 else None,
        msg=False,
        timeLimit=settings.time_limit,
        gapRel=settings.gap,
        threads=settings.threads,
        mip_abs_gap=1e-9,
        **dict(settings.highs_options),
    )
    model.problem.solve(highs)
    return _highs_outcome(model, time.perf_counter() - began, highs.race)


def _plan_matches_report(model: PortfolioModel, outcome: SolveOutcome) -> bool:
    """True when the objective of the plan read back equals the one HiGHS reported
    (relative tolerance 1e-6), or when there is no plan to compare."""
    if not outcome.has_solution or outcome.objective is None:
        return True
    value = _plan_objective(model)
    if value is None:
        return False
    return abs(value - outcome.objective) <= 1e-6 * max(1.0, abs(outcome.objective))


def _plan_objective(model: PortfolioModel) -> float | None:
    """Objective of the plan read back, without PuLP's constant (HiGHS is given none)."""
    objective = model.problem.objective
    value = pulp.value(objective)
    return None if value is None else float(value) - float(getattr(objective, "constant", 0.0))


def _distrusted(model: PortfolioModel, outcome: SolveOutcome) -> SolveOutcome:
    """The plan read back, worth what it is worth, with no claim of optimality."""
    value = _plan_objective(model)
    return SolveOutcome(
        STATUS_FEASIBLE if value is not None else STATUS_NOT_SOLVED,
        value is not None,
        value,
        outcome.best_bound,
        None,
        outcome.seconds,
        outcome.solver,
        outcome.nodes,
        outcome.searches,
    )
