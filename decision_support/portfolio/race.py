"""Race several single-threaded HiGHS searches of one MIP on the machine's cores.

HiGHS's branch and bound is essentially serial, and how long it takes to close the
gap of the same model varies several-fold with its ``random_seed`` alone. With more
than one thread available (``threads`` ≥ 2), :func:`race` runs ``threads`` copies of
the model at once, each a single-threaded HiGHS with its own seed (``highspy`` releases
the interpreter lock while it solves; the copies join after ``RACE_DELAY`` seconds, so a
model the first search solves at once costs no more), and lets them cooperate through
callbacks. Each copy also gets its columns in another order: the one the caller gives
(the portfolio solve gives the second search its columns project by project), else a
seeded random permutation. How long a MIP solver takes on the same model moves with
the order of its columns as well as with its seed ("performance variability", Lodi and
Tramontani, 2013), and on the portfolio models one order suits the small ones and
another the large ones (``docs/portfolio.md``). Solutions cross between searches in the
model's own order.

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


@dataclass(frozen=True)
class _Order:
    """Where each of the model's columns sits in a search: ``position[j]`` is the
    search's column of model column j (identity for the first search)."""

    position: Any  # numpy int array, or None for the model's own order

    def to_model(self, values: Sequence[float]) -> list[float]:
        """A search's column values in the model's order."""
        if self.position is None:
            return list(values)
        import numpy as np

        return list(np.asarray(values, float)[self.position])

    def to_search(self, values: Sequence[float]) -> list[float]:
        """Model-ordered column values in the search's order."""
        if self.position is None:
            return list(values)
        import numpy as np

        own = np.empty(len(self.position))
        own[self.position] = np.asarray(values, float)
        return list(own)


def _permuted_copy(other: Any, model: Any, seed: int, order: Sequence[int] | None = None) -> _Order:
    """Load ``model`` into ``other`` with its columns in another order: ``order[k]`` is
    the model column to put at column k (a permutation), or a seeded random one.

    Rows keep their order; column j of the model becomes column ``position[j]``.
    The matrix is read row-wise (the form ``QuietHighs`` builds; a column-wise
    matrix is turned row-wise first).
    """
    import highspy
    import numpy as np

    lp = model.lp_
    n, m = lp.num_col_, lp.num_row_
    if order is None:
        position = np.random.default_rng(seed).permutation(n)
    else:
        position = np.empty(n, dtype=np.int64)
        position[np.asarray(order, np.int64)] = np.arange(n)
    placed = np.argsort(position)  # the model column sitting at each search column
    matrix = lp.a_matrix_
    start = np.asarray(matrix.start_, np.int64)
    index = np.asarray(matrix.index_, np.int64)
    value = np.asarray(matrix.value_, float)
    if matrix.format_ == highspy.MatrixFormat.kRowwise:
        rows = np.repeat(np.arange(m), np.diff(start[: m + 1]))
        columns = index[: start[m]]
        value = value[: start[m]]
    else:
        columns = np.repeat(np.arange(n), np.diff(start[: n + 1]))
        rows = index[: start[n]]
        value = value[: start[n]]
    columns = position[columns]
    sort = np.lexsort((columns, rows))
    rows, columns, value = rows[sort], columns[sort], value[sort]
    row_start = np.searchsorted(rows, np.arange(m)).astype(np.int32)
    other.addVars(
        n, np.asarray(lp.col_lower_, float)[placed], np.asarray(lp.col_upper_, float)[placed]
    )
    own = np.arange(n, dtype=np.int32)
    other.changeColsCost(n, own, np.asarray(lp.col_cost_, float)[placed])
    if lp.integrality_:
        kinds = np.array([kind.value for kind in lp.integrality_], dtype=np.uint8)[placed]
        other.changeColsIntegrality(n, own, kinds)
    if m:
        other.addRows(
            m,
            np.asarray(lp.row_lower_, float),
            np.asarray(lp.row_upper_, float),
            len(value),
            row_start,
            columns.astype(np.int32),
            value,
        )
    other.changeObjectiveSense(lp.sense_)
    other.changeObjectiveOffset(lp.offset_)
    return _Order(position)


class _InModelOrder:
    """A finished search seen through the model's column order (what PuLP reads)."""

    def __init__(self, highs: Any, order: _Order) -> None:
        self._highs, self._order = highs, order

    def getSolution(self) -> Any:  # noqa: N802 (highspy API)
        solution = self._highs.getSolution()
        solution.col_value = self._order.to_model(solution.col_value)
        solution.col_dual = self._order.to_model(solution.col_dual)
        return solution

    def __getattr__(self, name: str) -> Any:
        return getattr(self._highs, name)


def _option(highs: Any, name: str) -> Any:
    return highs.getOptionValue(name)[1]


def _give_start(highs: Any, values: Sequence[float]) -> None:
    import highspy

    solution = highspy.HighsSolution()
    solution.col_value = list(values)
    solution.value_valid = True
    highs.setSolution(solution)


def _subscribe(highs: Any, index: int, shared: _Shared, order: _Order) -> None:
    """Wire search ``index`` to the shared state through HiGHS callbacks (solutions are
    shared in the model's column order)."""
    seen = [0]

    def improving(event: Any) -> None:
        version = shared.offer(
            event.data_out.objective_function_value, order.to_model(event.data_out.mip_solution)
        )
        if version:
            seen[0] = version

    def user_solution(event: Any) -> None:
        with shared.lock:
            if shared.version <= seen[0] or shared.solution is None:
                return
            own = shared.sense * event.data_out.mip_primal_bound
            if shared.best < own:
                event.data_in.setSolution(order.to_search(shared.solution))
            seen[0] = shared.version

    def interrupt(event: Any) -> None:
        shared.note_bound(index, event.data_out.mip_dual_bound)
        if shared.stop:
            event.interrupt()

    highs.cbMipImprovingSolution.subscribe(improving)
    highs.cbMipUserSolution.subscribe(user_solution)
    highs.cbMipInterrupt.subscribe(interrupt)


def race(
    highs: Any,
    searches: int,
    start: Sequence[float] | None = None,
    delay: float | None = None,
    orders: Sequence[Sequence[int]] = (),
) -> tuple[Any, RaceOutcome]:
    """Solve ``highs``'s MIP with up to ``searches`` cooperating single-threaded searches.

    ``highs`` is the first search (its options, with ``threads`` set to 1), started at
    once; the others are copies with ``random_seed`` 1, 2, … and their columns in
    another order (:func:`_permuted_copy`: ``orders[i − 1]`` for copy i where given,
    else a seeded random one) that join after ``delay``
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
    orders_used = [_Order(None)] * searches
    _subscribe(highs, 0, shared, orders_used[0])
    started: list[Any | None] = [highs, *([None] * len(copies))]
    cpu = [0.0] * searches
    finished = threading.Event()
    began = time.perf_counter()
    proof = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible)

    def join_later(index: int) -> Any | None:
        if delay > 0 and (finished.wait(delay) or shared.stop):
            return None  # the first search was done before the copies were needed
        other = copies[index - 1]
        given = orders[index - 1] if index <= len(orders) else None
        orders_used[index] = _permuted_copy(other, model, seed=index, order=given)
        for name, value in options.items():
            other.setOptionValue(name, value)
        left = float(options["time_limit"]) - (time.perf_counter() - began)
        other.setOptionValue("time_limit", max(0.0, left))
        other.setOptionValue("threads", 1)
        other.setOptionValue("random_seed", index)
        with shared.lock:
            incumbent = shared.solution if shared.solution is not None else start
        if incumbent is not None:
            _give_start(other, orders_used[index].to_search(incumbent))
        _subscribe(other, index, shared, orders_used[index])
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
    joined = [i for i, solver in enumerate(started) if solver is not None]
    solvers: list[Any] = [started[i] for i in joined]
    for solver in solvers:
        solver.cbMipImprovingSolution.clear()
        solver.cbMipUserSolution.clear()
        solver.cbMipInterrupt.clear()
    winner, outcome = _outcome(solvers, shared, tuple(cpu))
    order = orders_used[joined[outcome.winner]]
    return (winner if order.position is None else _InModelOrder(winner, order)), outcome


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
