"""Running many solves in worker processes, with progress and cancellation.

:func:`solve_many` is the one place that fans solves out to a
``concurrent.futures.ProcessPoolExecutor``; scenario runs, frontiers, sensitivity
and robustness all go through it. At most ``workers`` solves are in flight; the
cancel check runs before every new solve is handed out, so after a cancel only the
solves already running finish (their results are kept) and the rest are reported
as ``cancelled``. Outcomes are returned in task order whatever the completion order,
so results never depend on the number of workers.

A :class:`SolveExecutor` given as ``executor`` replaces the local pool: the job
engine passes one that hands every solve to its workers as a task of its own.

:func:`run_scenarios` wraps each outcome in a :class:`ScenarioRun` that stores the
full input snapshot (scenario and options as JSON), its SHA-256 and the solver
versions, so that :func:`reproduce` can re-run it later.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Literal, Protocol

from decision_support.errors import DecisionSupportError
from decision_support.portfolio.result import PortfolioResult

logger = logging.getLogger(__name__)

SolveFunction = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
ProgressCallback = Callable[[int, int, "SolveOutcome"], None]
CancelCheck = Callable[[], bool]
OutcomeStatus = Literal["done", "failed", "cancelled"]


@dataclass(frozen=True)
class SolveTask:
    """One solve to perform: a scenario dictionary and optimiser options."""

    key: str
    scenario: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SolveOutcome:
    """What became of a task: ``done`` (with the result dict), ``failed`` or ``cancelled``."""

    key: str
    status: OutcomeStatus
    result: dict[str, Any] | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def portfolio(self) -> PortfolioResult | None:
        """The result as a :class:`PortfolioResult` (None without one); ``result`` stays
        the JSON document that crosses processes and is stored. Raises
        :class:`~decision_support.portfolio.result.ResultFormatError` for a document
        not in the optimiser's shape."""
        return None if self.result is None else PortfolioResult.from_dict(self.result)


class SolveExecutor(Protocol):
    """Solves a batch of tasks elsewhere (e.g. on a job engine's workers).

    It must keep the contract of :func:`solve_many`: outcomes in task order,
    ``progress`` after each task settles, ``cancel`` checked before each solve starts,
    and tasks never started reported as ``cancelled``. It always solves with
    :func:`default_solve`.
    """

    def solve_many(
        self,
        tasks: Sequence[SolveTask],
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
    ) -> list[SolveOutcome]:
        """Solve every task; outcomes in task order."""
        ...


def available_workers() -> int:
    """Number of CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_solve(scenario: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """Solve with the portfolio optimiser (imported lazily: workers import it themselves)."""
    from scenarios.solving import solve_scenario

    return solve_scenario(scenario, options)


def execute_task(solve: SolveFunction, task: SolveTask) -> SolveOutcome:
    """Solve one task; a failure becomes a ``failed`` outcome with its message."""
    started = time.perf_counter()
    try:
        result = solve(task.scenario, task.options)
    except DecisionSupportError as exc:
        return SolveOutcome(
            task.key, "failed", error=str(exc), seconds=time.perf_counter() - started
        )
    except Exception as exc:  # a worker must report, never take the whole batch down
        logger.exception("solve %s crashed", task.key)
        return SolveOutcome(
            task.key,
            "failed",
            error=f"{type(exc).__name__}: {exc}",
            seconds=time.perf_counter() - started,
        )
    return SolveOutcome(task.key, "done", result=result, seconds=time.perf_counter() - started)


def worker_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned worker processes (default: the available cores).

    Spawned, not forked: a fork would copy solver threads and locks of this process.
    Pass it to several :func:`solve_many` calls to pay the start-up cost once.
    """
    return ProcessPoolExecutor(
        max_workers=workers or available_workers(), mp_context=multiprocessing.get_context("spawn")
    )


def solve_many(
    tasks: Sequence[SolveTask],
    *,
    solve: SolveFunction = default_solve,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    pool: ProcessPoolExecutor | None = None,
    executor: SolveExecutor | None = None,
) -> list[SolveOutcome]:
    """Solve every task, in parallel worker processes when ``workers`` > 1.

    ``workers`` defaults to the available cores (never more than the tasks); with one
    worker the solves run in this process. An existing ``pool`` is used (and left open)
    when given; an ``executor`` takes the whole batch instead (with the default solve
    only). ``progress(done, total, outcome)`` is called after each task settles;
    ``cancel()`` is checked before each solve starts.
    """
    if executor is not None:
        if solve is not default_solve:
            raise ValueError("an executor solves with the default solve function only")
        return executor.solve_many(tasks, progress=progress, cancel=cancel)
    total = len(tasks)
    outcomes: dict[int, SolveOutcome] = {}
    workers = min(workers or available_workers(), max(total, 1))

    def settle(index: int, outcome: SolveOutcome) -> None:
        outcomes[index] = outcome
        if progress is not None:
            progress(len(outcomes), total, outcome)

    if workers <= 1:
        for index, task in enumerate(tasks):
            if cancel is not None and cancel():
                break
            settle(index, execute_task(solve, task))
    elif pool is not None:
        _fan_out(pool, tasks, solve=solve, workers=workers, settle=settle, cancel=cancel)
    else:
        with worker_pool(workers) as own_pool:
            _fan_out(own_pool, tasks, solve=solve, workers=workers, settle=settle, cancel=cancel)
    for index, task in enumerate(tasks):
        if index not in outcomes:
            outcomes[index] = SolveOutcome(task.key, "cancelled")
    return [outcomes[index] for index in range(total)]


def _fan_out(
    pool: ProcessPoolExecutor,
    tasks: Sequence[SolveTask],
    *,
    solve: SolveFunction,
    workers: int,
    settle: Callable[[int, SolveOutcome], None],
    cancel: CancelCheck | None,
) -> None:
    """Keep at most ``workers`` tasks in flight; stop handing out work once cancelled."""
    pending: dict[Future[SolveOutcome], int] = {}
    next_index = 0
    while next_index < len(tasks) or pending:
        cancelled = cancel is not None and cancel()
        while not cancelled and next_index < len(tasks) and len(pending) < workers:
            pending[pool.submit(execute_task, solve, tasks[next_index])] = next_index
            next_index += 1
        if not pending:
            return
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            settle(pending.pop(future), future.result())


def canonical_json(data: Any) -> Any:
    """The JSON form of ``data`` (mapping keys become strings), as a file would hold it."""
    return json.loads(json.dumps(data, sort_keys=True, default=str))


def input_digest(scenario: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a run's inputs (scenario and options)."""
    text = json.dumps({"scenario": scenario, "options": options}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def software_versions() -> dict[str, str]:
    """Versions of the packages that determine a result."""
    versions = {}
    for package in ("smart-city-decision-support", "pulp", "highspy"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "unknown"
    return versions


@dataclass
class ScenarioRun:
    """One solved (or failed, or cancelled) scenario with the inputs that produced it."""

    name: str
    scenario: dict[str, Any]
    options: dict[str, Any]
    status: OutcomeStatus
    result: dict[str, Any] | None
    error: str | None
    seconds: float
    input_sha256: str
    finished_at: str
    software: dict[str, str]
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (the saved-result file format)."""
        return {
            "kind": "scenario_run",
            "name": self.name,
            "status": self.status,
            "error": self.error,
            "seconds": round(self.seconds, 4),
            "finished_at": self.finished_at,
            "source": self.source,
            "input": {
                "scenario": self.scenario,
                "options": self.options,
                "sha256": self.input_sha256,
                "software": self.software,
            },
            "result": self.result,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScenarioRun:
        """Rebuild a run from :meth:`to_dict` output (e.g. a saved result file)."""
        inputs = data["input"]
        return cls(
            name=str(data["name"]),
            scenario=dict(inputs["scenario"]),
            options=dict(inputs.get("options") or {}),
            status=data.get("status", "done"),
            result=data.get("result"),
            error=data.get("error"),
            seconds=float(data.get("seconds") or 0.0),
            input_sha256=str(
                inputs.get("sha256")
                or input_digest(inputs["scenario"], inputs.get("options") or {})
            ),
            finished_at=str(data.get("finished_at") or ""),
            software=dict(inputs.get("software") or {}),
            source=data.get("source"),
        )


def run_scenarios(
    scenarios: Sequence[tuple[str, Mapping[str, Any]]],
    options: Mapping[str, Any] | None = None,
    *,
    solve: SolveFunction = default_solve,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    sources: Sequence[str | None] | None = None,
    executor: SolveExecutor | None = None,
) -> list[ScenarioRun]:
    """Solve named scenarios in worker processes and keep each with its input snapshot.

    Each scenario is first put in canonical JSON form (what a saved file would hold), so
    that solving the stored snapshot again reproduces the run exactly.
    """
    snapshot_options = canonical_json(dict(options or {}))
    tasks = [
        SolveTask(name, canonical_json(dict(scenario)), snapshot_options)
        for name, scenario in scenarios
    ]
    budget = run_budget(len(tasks), snapshot_options)
    logger.info("run of %d scenarios: time budget %s", len(tasks), budget)
    outcomes = solve_many(
        tasks,
        solve=solve,
        workers=workers,
        progress=progress,
        cancel=deadline_cancel(budget, cancel),
        executor=executor,
    )
    software = software_versions()
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    return [
        ScenarioRun(
            name=task.key,
            scenario=task.scenario,
            options=task.options,
            status=outcome.status,
            result=outcome.result,
            error=outcome.error,
            seconds=outcome.seconds,
            input_sha256=input_digest(task.scenario, task.options),
            finished_at=finished,
            software=software,
            source=sources[i] if sources else None,
        )
        for i, (task, outcome) in enumerate(zip(tasks, outcomes, strict=True))
    ]


def reproduce(run: ScenarioRun, *, solve: SolveFunction = default_solve) -> ScenarioRun:
    """Solve a stored run's input snapshot again (in this process)."""
    return run_scenarios(
        [(run.name, run.scenario)], run.options, solve=solve, workers=1, sources=[run.source]
    )[0]


ANALYSIS_SOLVE_LIMIT = 20.0
"""Default time limit (seconds) of each solve of a frontier, sensitivity or robustness
analysis when its options give none (each solve's limit covers its whole run)."""

OVERRUN = 1.25
"""A solve ends within this multiple of its limit (see ``decision_support.portfolio.budget``)."""


def analysis_budget(solves: int, per_solve: float) -> dict[str, Any]:
    """The time budget of an analysis of at most ``solves`` solves of ``per_solve`` s each:
    ``total_seconds`` = solves · per_solve · OVERRUN, the bound even when the solves run
    one after the other (parallel workers finish sooner; the bound, like the results,
    does not depend on their number). Stated before the run (logged, stored with a web
    job) and enforced by :func:`deadline_cancel`: a solve not started by then is
    reported ``cancelled``."""
    return {
        "solves": solves,
        "per_solve_seconds": per_solve,
        "total_seconds": round(max(solves, 0) * per_solve * OVERRUN, 3),
    }


RUN_SOLVE_LIMIT = 60.0
"""A scenario run's limit when its options give none (``OptimiseOptions``'s default)."""


def run_budget(scenarios: int, options: Mapping[str, Any]) -> dict[str, Any]:
    """Time budget of a run of ``scenarios`` scenarios (one whole-run limit each)."""
    return analysis_budget(scenarios, float(options.get("time_limit", RUN_SOLVE_LIMIT)))


def solve_limit(options: Mapping[str, Any]) -> float:
    """The per-solve time limit an analysis's options give (``ANALYSIS_SOLVE_LIMIT`` if none)."""
    return float(options.get("time_limit", ANALYSIS_SOLVE_LIMIT))


def deadline_cancel(
    budget: Mapping[str, Any],
    cancel: CancelCheck | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> CancelCheck:
    """A cancel check that also fires once ``budget['total_seconds']`` have passed."""
    deadline = clock() + float(budget["total_seconds"])

    def check() -> bool:
        return (cancel is not None and cancel()) or clock() > deadline

    return check
