"""Benchmark the what-if machinery on the demo city: a budget frontier and a robustness run.

Measures wall time (and solves per second) of

* a 10-point budget frontier (factors 0.5 … 1.5 of the demo city's yearly budgets),
* a Monte Carlo robustness run (200 samples: 1 + 2 × 200 solves, plus one more per
  sample in which the recommended plan cannot be funded),

with the given number of worker processes (default: all available cores). Run::

    PYTHONPATH=. python bench/bench_whatif.py [--scenario FILE] [--samples 200]
        [--points 10] [--workers N] [--time-limit 30]

The summary is printed on stdout; solver output goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from scenarios.files import demo_city_path, resolve_file
from scenarios.frontier import frontier, linspace
from scenarios.robustness import robustness
from scenarios.runner import SolveOutcome, available_workers
from scenarios.uncertainty import UncertaintySpec


def progress_printer(label: str) -> Callable[[int, int, SolveOutcome], None]:
    """A progress callback writing every 10th solve (and its slowest so far) to stderr."""
    began = time.perf_counter()
    slowest = [0.0]

    def report(done: int, total: int, outcome: SolveOutcome) -> None:
        slowest[0] = max(slowest[0], outcome.seconds)
        if done % 10 == 0 or done == total:
            print(
                f"  {label}: {done}/{total} after {time.perf_counter() - began:.1f} s "
                f"(slowest solve {slowest[0]:.1f} s)",
                file=sys.stderr,
            )

    return report


def main() -> None:
    """Run both benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=None, help="default: the demo city")
    parser.add_argument("--points", type=int, default=10)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--time-limit", type=float, default=30.0)
    args = parser.parse_args()

    path = args.scenario or demo_city_path()
    scenario = resolve_file(path).scenario
    workers = args.workers or available_workers()
    options = {"time_limit": args.time_limit}
    print(
        f"scenario: {path} ({len(scenario['projects'])} projects, "
        f"{scenario['horizon_years']} years)"
    )
    print(f"workers: {workers}")

    began = time.perf_counter()
    curve = frontier(
        scenario,
        "budget",
        linspace(0.5, 1.5, args.points),
        options,
        workers=workers,
        progress=progress_printer("frontier"),
    )
    seconds = time.perf_counter() - began
    solves = args.points + len(curve["repaired_points"])
    print(
        f"frontier: {args.points} points in {seconds:.2f} s wall "
        f"({solves / seconds:.2f} solves/s); monotone={curve['monotone']}, "
        f"repaired={curve['repaired_points']}, knee index={curve['knee_index']}, "
        f"proven optimal={sum(bool(p['proven_optimal']) for p in curve['points'])}/{args.points}"
    )

    began = time.perf_counter()
    report = robustness(
        scenario,
        UncertaintySpec(samples=args.samples, seed=args.seed),
        options,
        workers=workers,
        progress=progress_printer("robustness"),
    )
    seconds = time.perf_counter() - began
    unfunded = sum(1 for s in report["samples"] if s["recommended_affordable"] is False)
    solves = 1 + 2 * args.samples + unfunded  # plus re-evaluations of unfunded plans
    classes = {label: len(ids) for label, ids in report["classes"].items()}
    print(
        f"robustness: {args.samples} samples ({solves} solves) in {seconds:.2f} s wall "
        f"({solves / seconds:.2f} solves/s); with plan={report['samples_with_plan']}, "
        f"classes={classes}, unaffordable share={report['recommended']['unaffordable_share']}"
    )


if __name__ == "__main__":
    main()
