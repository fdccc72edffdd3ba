"""The time budget of one optimisation run: one limit for the whole run, split by stage.

``OptimiseOptions.time_limit`` (CLI ``--time-limit``, web ``SOLVER_TIME_LIMIT``) is the
wall time the caller is prepared to wait for everything: data preparation, greedy plan,
the impact solve, the financing-cost solve and the explanation re-solves. With the limit
L and the run's clock started when :func:`~decision_support.portfolio.api.optimise` is
called:

* **greedy plan**: the MIP start; without explanations it stops after
  ``GREEDY_SHARE`` · L (its plan so far is still a checked start), with explanations it
  runs to the end because it is also the spreadsheet baseline they report.
* **main phase** (solve 1, then solve 2) ends at ``MAIN_SHARE · L`` when explanations are
  asked for, else at L. Solve 2 (only when a financing choice exists) is kept
  ``SECOND_SOLVE_SHARE`` of the main phase; what solve 1 leaves unused passes to it.
* **explanations** get what the main phase left, but at most ``EXPLAIN_RATIO`` × the
  seconds the main solves took (at least ``explain_floor(L)``), and never past L.
  Their re-solves run in order of value; each gets a fair share of what is left
  (at least ``MIN_RESOLVE_SECONDS``, at most ``explain_time_limit``); once less than
  ``MIN_RESOLVE_SECONDS`` is left, the remaining (least valuable) ones are not started
  but listed as skipped with the reason.

An infeasible scenario's diagnosis (an elastic re-solve) gets what is left, at least
``DIAGNOSIS_SHARE`` · L. Every solver call is handed ``min(its share, time left)``, so
the run ends by L plus what a solver overruns its own limit by (HiGHS checks it
between nodes) and the plain-Python reporting after the last solve. The clock is
injectable for tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

MAIN_SHARE = 0.75
"""Share of the limit for the main solves when explanations are asked for."""

SECOND_SOLVE_SHARE = 0.2
"""Share of the main phase kept for the financing-cost solve (when it runs)."""

EXPLAIN_RATIO = 0.5
"""Explanations may use at most this multiple of the main solves' seconds."""

GREEDY_SHARE = 0.05
"""Share of the limit the greedy MIP start may use when it is not also a reported baseline."""

DIAGNOSIS_SHARE = 0.2
"""Least share of the limit an infeasibility diagnosis gets, even when the run is late."""

MIN_RESOLVE_SECONDS = 0.05
"""A re-solve that cannot get this long is skipped (it could not even load the model)."""


def explain_floor(limit: float) -> float:
    """The explanations' minimum allowance: 1 s or 5 % of the limit, whichever is less."""
    return min(1.0, 0.05 * limit)


Clock = Callable[[], float]


@dataclass
class RunBudget:
    """Deadlines of one run, measured on ``clock`` (seconds) from construction."""

    limit: float
    explain: bool = True
    clock: Clock = time.perf_counter
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return self.clock() - self.started

    def remaining(self) -> float:
        """Seconds until the run's deadline (never negative)."""
        return max(0.0, self.limit - self.elapsed())

    @property
    def main_end(self) -> float:
        """When the main phase must end (seconds from the start)."""
        return self.limit * (MAIN_SHARE if self.explain else 1.0)

    def first_solve_limit(self, second_solve: bool) -> float:
        """Time limit for solve 1, keeping solve 2's share free when it will run."""
        end = self.main_end * (1.0 - SECOND_SOLVE_SHARE) if second_solve else self.main_end
        return max(0.0, end - self.elapsed())

    def second_solve_limit(self) -> float:
        """Time limit for solve 2: what is left of the main phase."""
        return max(0.0, self.main_end - self.elapsed())

    def greedy_deadline(self) -> bool:
        """True once the greedy MIP start has used its ``GREEDY_SHARE`` of the limit."""
        return self.elapsed() > GREEDY_SHARE * self.limit

    def diagnosis_limit(self) -> float:
        """Time limit of the infeasibility diagnosis: what is left of the run, but at
        least ``DIAGNOSIS_SHARE`` of the limit (a diagnosis cut to nothing explains nothing;
        this stays within the 1.25 × limit promise)."""
        return max(self.remaining(), DIAGNOSIS_SHARE * self.limit)

    def explanation_allowance(self, main_solve_seconds: float) -> float:
        """Seconds the explanations may use, from now."""
        wanted = max(EXPLAIN_RATIO * main_solve_seconds, explain_floor(self.limit))
        return min(wanted, self.remaining())


@dataclass
class StageBudget:
    """A stage's own deadline (e.g. the explanations'), on the run's clock."""

    seconds: float
    clock: Clock = time.perf_counter
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def remaining(self) -> float:
        """Seconds left in this stage (never negative)."""
        return max(0.0, self.seconds - (self.clock() - self.started))

    def share(self, items_left: int, cap: float, floor: float = MIN_RESOLVE_SECONDS) -> float:
        """Seconds for the next of ``items_left`` items: a fair share of what is left,
        at least ``floor`` and at most ``cap``; 0 when less than ``floor`` is left (the
        items come in order of value, so the cut falls on the least valuable)."""
        left = self.remaining()
        if left < floor:
            return 0.0
        return min(cap, max(floor, left / max(1, items_left)), left)
