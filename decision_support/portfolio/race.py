"""Race several single-threaded HiGHS searches of one MIP on the machine's cores.

HiGHS's branch and bound is essentially serial, and how long it takes to close the
gap of the same model varies several-fold with its ``random_seed`` alone. With more
than one thread available (``threads`` ≥ 2), :func:`race` runs ``threads`` copies of
the model at once, each a single-threaded HiGHS with its own seed (``highspy`` releases
the interpreter lock while it solves; the copies join after ``RACE_DELAY`` seconds, so a
model the first search solves at once costs no more), and lets them cooperate through
callbacks:

* every improving solution one search finds is handed to the others
  (``kCallbackMipImprovingSolution`` → ``kCallbackMipUserSolution``), so all of them
  prune with the best incumbent known;
* all searches stop (``kCallbackMipInterrupt``) as soon as one of them proves the
  requested gap, or as soon as the best incumbent and the best dual bound of any
  search are within it (both are HiGHS's own figures: a dual bound proved by one
  search is valid for the model, whatever search found the incumbent);
* at the time limit the run keeps the best incumbent and the best dual bound of all.

The search holding the best incumbent (lowest index on a tie) is the winner: its
solution is what the caller reads. Which search proves first depends on timing, so
with ``threads`` ≥ 2 two runs of the same input give plans whose objectives are both
within the proven gap of the optimum but not always the same plan; ``threads = 1``
(the default, and what scenario analyses use) stays exactly reproducible.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from decision_support.portfolio.quiet import stdout_to_stderr

RACE_DELAY = 0.25
"""Seconds the first search runs alone before the others join (if it is not done)."""

RACE_OPTIONS = ("output_flag", "log_to_console", "time_limit", "mip_rel_gap", "mip_abs_gap")
"""Options copied from the caller's HiGHS to every search of the race."""


@dataclass(frozen=True)
class RaceOutcome:
    """What the race proved, in the model's own objective sense (HiGHS minimises or
    maximises as the model says): the best ``objective`` of all searches, the best
    ``dual_bound`` any search proved, their relative ``gap``, whether the requested gap
    is ``proven``, whether a search proved the model ``infeasible``, the winner's index,
    and the nodes of all searches together."""

    winner: int
    objective: float | None
    dual_bound: float | None
    gap: float | None
    proven: bool
    infeasible: bool
    nodes: int
    searches: int
    cpu_seconds: tuple[float, ...] = ()  # each search's thread CPU time (load-independent)
    statuses: tuple[str, ...] = ()  # each started search's HiGHS model status


def relative_gap(primal: float, dual: float, sense: float) -> float:
    """HiGHS's relative gap |primal − dual| / |primal| (∞ without a finite primal;
    0 when both are 0). ``sense`` is +1 for minimisation, −1 for maximisation."""
    if not math.isfinite(primal) or not math.isfinite(dual):
        return math.inf
    difference = max(0.0, sense * (primal - dual))
    if difference == 0.0:
        return 0.0
    return difference / abs(primal) if primal else math.inf


@dataclass
class _Shared:
    """State the searches share: best incumbent, every search's dual bound, stop flag."""

    sense: float
    rel_gap: float
    abs_gap: float
    searches: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    best: float = math.inf  # sense-normalised: lower is better
    solution: Any = None
    version: int = 0
    bounds: list[float] = field(default_factory=list)
    stop: bool = False
    combined_proof: bool = False

    def __post_init__(self) -> None:
        self.bounds = [-math.inf] * self.searches

    def offer(self, objective: float, values: Any) -> int:
        """Record an improving solution; the new version number (0 if not better)."""
        normalised = self.sense * objective
        with self.lock:
            if normalised < self.best:
                self.best, self.solution = normalised, values
                self.version += 1
                return self.version
        return 0

    def note_bound(self, index: int, dual_bound: float) -> None:
        """Record search ``index``'s dual bound; stop everyone once the gap is closed."""
        with self.lock:
            normalised = self.sense * dual_bound
            self.bounds[index] = max(self.bounds[index], normalised)
            if self.stop or not math.isfinite(self.best):
                return
            bound = max(self.bounds)
            if not math.isfinite(bound):
                return
            difference = max(0.0, self.best - bound)
            if difference <= self.abs_gap or difference <= self.rel_gap * abs(self.best):
                self.stop = self.combined_proof = True


def _option(highs: Any, name: str) -> Any:
    return highs.getOptionValue(name)[1]


def _give_start(highs: Any, values: Sequence[float]) -> None:
    import highspy

    solution = highspy.HighsSolution()
    solution.col_value = list(values)
    solution.value_valid = True
    highs.setSolution(solution)


def _subscribe(highs: Any, index: int, shared: _Shared) -> None:
    """Wire search ``index`` to the shared state through HiGHS callbacks."""
    seen = [0]

    def improving(event: Any) -> None:
        version = shared.offer(
            event.data_out.objective_function_value, list(event.data_out.mip_solution)
        )
        if version:
            seen[0] = version

    def user_solution(event: Any) -> None:
        with shared.lock:
            if shared.version <= seen[0] or shared.solution is None:
                return
            own = shared.sense * event.data_out.mip_primal_bound
            if shared.best < own:
                event.data_in.setSolution(shared.solution)
            seen[0] = shared.version

    def interrupt(event: Any) -> None:
        shared.note_bound(index, event.data_out.mip_dual_bound)
        if shared.stop:
            event.interrupt()

    highs.cbMipImprovingSolution.subscribe(improving)
    highs.cbMipUserSolution.subscribe(user_solution)
    highs.cbMipInterrupt.subscribe(interrupt)


def race(
    highs: Any, searches: int, start: Sequence[float] | None = None, delay: float | None = None
) -> tuple[Any, RaceOutcome]:
    """Solve ``highs``'s MIP with up to ``searches`` cooperating single-threaded searches.

    ``highs`` is the first search (its options, with ``threads`` set to 1), started at
    once; the others are copies with ``random_seed`` 1, 2, … that join after ``delay``
    seconds (default ``RACE_DELAY``) if no search has finished by then (a small model is
    solved by the first alone, without the copies' set-up), with what is left of the
    time limit and the best incumbent so far. ``start`` is a MIP start. Returns the
    winning search (read the solution from it) and the race's outcome.
    """
    import highspy

    delay = RACE_DELAY if delay is None else delay
    sense = 1.0 if highs.getObjectiveSense()[1] == highspy.ObjSense.kMinimize else -1.0
    highs.setOptionValue("threads", 1)
    options = {name: _option(highs, name) for name in RACE_OPTIONS}
    model = highs.getModel()  # read before the first search runs
    with stdout_to_stderr():
        copies = [highspy.Highs() for _ in range(1, searches)]
    shared = _Shared(
        sense=sense,
        rel_gap=float(options["mip_rel_gap"]),
        abs_gap=float(options["mip_abs_gap"]),
        searches=searches,
    )
    if start is not None:
        _give_start(highs, start)
    _subscribe(highs, 0, shared)
    started: list[Any | None] = [highs, *([None] * len(copies))]
    cpu = [0.0] * searches
    finished = threading.Event()
    began = time.perf_counter()
    proof = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible)

    def join_later(index: int) -> Any | None:
        if delay > 0 and (finished.wait(delay) or shared.stop):
            return None  # the first search was done before the copies were needed
        other = copies[index - 1]
        other.passModel(model)
        for name, value in options.items():
            other.setOptionValue(name, value)
        left = float(options["time_limit"]) - (time.perf_counter() - began)
        other.setOptionValue("time_limit", max(0.0, left))
        other.setOptionValue("threads", 1)
        other.setOptionValue("random_seed", index)
        with shared.lock:
            incumbent = shared.solution if shared.solution is not None else start
        if incumbent is not None:
            _give_start(other, incumbent)
        _subscribe(other, index, shared)
        started[index] = other
        return other

    def run(index: int) -> None:
        clock = time.thread_time()
        try:
            solver = started[0] if index == 0 else join_later(index)
            if solver is None:
                return
            solver.run()
            if solver.getModelStatus() in proof:
                shared.stop = True  # proven: the other searches can stop
        finally:
            if index == 0:
                finished.set()  # searches not yet joined need not start any more
            highspy.Highs.resetThreadScheduler(False)  # this thread's HiGHS workers
            cpu[index] = time.thread_time() - clock

    workers = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(searches)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    solvers = [solver for solver in started if solver is not None]
    for solver in solvers:
        solver.cbMipImprovingSolution.clear()
        solver.cbMipUserSolution.clear()
        solver.cbMipInterrupt.clear()
    return _outcome(solvers, shared, tuple(cpu))


def _outcome(
    solvers: list[Any], shared: _Shared, cpu: tuple[float, ...]
) -> tuple[Any, RaceOutcome]:
    import highspy

    model_status = highspy.HighsModelStatus
    sense = shared.sense
    statuses = [s.getModelStatus() for s in solvers]
    infos = [s.getInfo() for s in solvers]
    feasible = [i for i, info in enumerate(infos) if info.primal_solution_status == 2]
    winner = min(feasible, key=lambda i: (sense * infos[i].objective_function_value, i), default=0)
    objective = infos[winner].objective_function_value if feasible else None
    bounds = [sense * info.mip_dual_bound for info in infos if math.isfinite(info.mip_dual_bound)]
    best_bound = sense * max(bounds) if bounds else None
    gap = None  # best incumbent against best bound: no worse than any one search's gap
    if objective is not None and best_bound is not None:
        gap = relative_gap(objective, best_bound, sense)
    proven = objective is not None and (
        any(status == model_status.kOptimal for status in statuses) or shared.combined_proof
    )
    outcome = RaceOutcome(
        winner=winner,
        objective=objective,
        dual_bound=best_bound,
        gap=gap,
        proven=proven,
        infeasible=any(status == model_status.kInfeasible for status in statuses),
        nodes=sum(int(info.mip_node_count) for info in infos),
        searches=len(solvers),
        cpu_seconds=cpu,
        statuses=tuple(
            solver.modelStatusToString(status)
            for solver, status in zip(solvers, statuses, strict=True)
        ),
    )
    return solvers[winner], outcome
