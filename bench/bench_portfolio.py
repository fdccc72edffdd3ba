"""Benchmark the optimiser against a plain model of the same instance, in the same run.

For each size and seed (instances from ``bench/instances.py``), two solves with the
same time limit and the same 0.1 % gap, their order alternating from seed to seed:

* **plain**: the textbook model built directly in HiGHS (``instances.plain_model``);
* **optimise**: ``decision_support.portfolio.optimise`` as the CLI runs it without
  explanations (parse, prepare, greedy start, PuLP model, HiGHS, verification).

Both times are wall clock to the plan: the plain one from the document, the
optimiser's from the validated scenario (``parse_scenario``'s schema and semantic
checks, which the plain model skips, are printed apart as ``check s``). The plain plan is
checked by the optimiser's verifier too (same problem, same answer). Printed per
instance: both times, ratio optimise/plain, status and gap of each, and the
objective difference (optimise − plain; ≥ 0 means no worse plan at equal time); then
per size the medians. Run::

    .venv/bin/python bench/bench_portfolio.py [--sizes 100x5,300x10,1000x10]
        [--seeds 1,2,3] [--time-limit 20] [--threads 1]

Worst case: sizes × seeds × 2 × time limit (default 3 × 3 × 2 × 20 s = 6 min).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any

from instances import generate, plain_model

from decision_support.portfolio import OptimiseOptions, optimise, parse_scenario
from decision_support.portfolio.data import prepare_model_data
from decision_support.portfolio.plan import Plan, evaluate_plan
from decision_support.portfolio.verify import verify_plan

GAP = 1e-3


def run_plain(doc: dict[str, Any], limit: float) -> dict[str, Any]:
    began = time.perf_counter()
    outcome = plain_model(doc, limit, GAP)
    seconds = time.perf_counter() - began
    data = prepare_model_data(parse_scenario(doc))
    plan = Plan(starts=outcome.starts)
    return {
        "seconds": seconds,
        "status": outcome.status,
        "gap": outcome.gap,
        "objective": evaluate_plan(data, plan).impact if outcome.starts else None,
        "verified": bool(outcome.starts) and not verify_plan(data, plan),
    }


def run_optimise(doc: dict[str, Any], limit: float, threads: int) -> dict[str, Any]:
    began = time.perf_counter()
    scenario = parse_scenario(doc)  # validation: the plain model has none, so not timed
    parse = time.perf_counter() - began
    began = time.perf_counter()
    options = OptimiseOptions(time_limit=limit, gap=GAP, explain=False, threads=threads)
    result = optimise(scenario, options)
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "parse": parse,
        "status": result.status,
        "gap": result.mip_gap,
        "objective": result.objective.value if result.objective else None,
        "verified": bool(result.verification and result.verification.passed),
    }


def _pct(value: float | None) -> str:
    return f"{100 * value:.3f}" if value is not None else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="100x5,300x10,1000x10")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=1, help="HiGHS threads for optimise")
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    header = (
        f"{'instance':<14}{'plain s':>9}{'opt s':>8}{'ratio':>7}{'plain':>10}{'gap %':>7}"
        f"{'opt':>10}{'gap %':>7}{'Δ objective':>13}{'ok':>4}{'check s':>9}"
    )
    print(header)
    print("-" * len(header))
    for size in args.sizes.split(","):
        n, years = (int(x) for x in size.split("x"))
        ratios: list[float] = []
        plain_times: list[float] = []
        opt_times: list[float] = []
        deltas: list[float] = []
        for position, seed in enumerate(int(s) for s in args.seeds.split(",")):
            doc = generate(n, years, seed)
            if position % 2 == 0:  # alternate which solve runs first (machine load drifts)
                plain = run_plain(doc, args.time_limit)
                mine = run_optimise(doc, args.time_limit, args.threads)
            else:
                mine = run_optimise(doc, args.time_limit, args.threads)
                plain = run_plain(doc, args.time_limit)
            ratio = mine["seconds"] / plain["seconds"]
            ratios.append(ratio)
            plain_times.append(plain["seconds"])
            opt_times.append(mine["seconds"])
            delta = None
            if mine["objective"] is not None and plain["objective"] is not None:
                delta = mine["objective"] - plain["objective"]
                deltas.append(delta)
            ok = plain["verified"] and mine["verified"]
            print(
                f"{f'{n}x{years} s{seed}':<14}{plain['seconds']:>9.2f}{mine['seconds']:>8.2f}"
                f"{ratio:>7.2f}{plain['status']:>10}{_pct(plain['gap']):>7}"
                f"{mine['status']:>10}{_pct(mine['gap']):>7}"
                f"{f'{delta:+.2f}' if delta is not None else '-':>13}{'y' if ok else 'N':>4}"
                f"{mine['parse']:>9.2f}",
                flush=True,
            )
        print(
            f"{f'{n}x{years} median':<14}{statistics.median(plain_times):>9.2f}"
            f"{statistics.median(opt_times):>8.2f}{statistics.median(ratios):>7.2f}"
            f"{'':>34}{f'{statistics.median(deltas):+.2f}' if deltas else '-':>13}",
            flush=True,
        )
    print(f"load average at end: {os.getloadavg()[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
