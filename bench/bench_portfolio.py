"""Benchmark the optimiser against a plain model of the same instance, in the same run.

For each size and seed (instances from ``bench/instances.py``), three solves with the
same time limit and the same 0.1 % gap, their order rotating from seed to seed:

* **plain 1**: the textbook model built directly in HiGHS (``instances.plain_model``)
  with HiGHS's defaults and one thread: the model a user would write, the yardstick;
* **plain 2**: the same with HiGHS ``threads = 2`` (for fairness: HiGHS's own use of
  the second core);
* **optimise**: ``decision_support.portfolio.optimise`` as the CLI runs it without
  explanations (parse, prepare, greedy start, PuLP model, HiGHS, verification) with
  ``--threads`` (default 2: two searches race and share incumbents, see
  ``decision_support/portfolio/race.py``).

Times are wall clock to the plan: the plain ones from the document, the optimiser's
from the validated scenario (``parse_scenario``'s schema and semantic checks, which the
plain model skips, are printed apart as ``check s``). Every plan, plain ones too, is
checked by the optimiser's verifier (``ok``). Printed per instance: the three times, the
ratios optimise / plain 1 and optimise / plain 2, status and gap of each, branch-and-bound
nodes (the optimiser's summed over its searches), CPU seconds per core used (process CPU
time / threads: on a machine other jobs load, this is closer to what a quiet machine's wall
time would be than the wall time is), and the objective difference optimise − plain 1
(≥ 0: no worse plan at equal time). Then per size the medians. Run::

    .venv/bin/python bench/bench_portfolio.py [--sizes 100x5,300x10,1000x10]
        [--seeds 1,2,3] [--time-limit 20] [--threads 2]

Worst case: sizes × seeds × 3 × time limit (default 3 × 3 × 3 × 20 s = 9 min).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any

import highspy
from instances import generate, plain_model

from decision_support.portfolio import OptimiseOptions, optimise, parse_scenario
from decision_support.portfolio.data import prepare_model_data
from decision_support.portfolio.plan import Plan, evaluate_plan
from decision_support.portfolio.verify import verify_plan

GAP = 1e-3


def run_plain(doc: dict[str, Any], limit: float, threads: int) -> dict[str, Any]:
    began, cpu = time.perf_counter(), time.process_time()
    outcome = plain_model(doc, limit, GAP, threads)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    data = prepare_model_data(parse_scenario(doc))
    plan = Plan(starts=outcome.starts)
    return {
        "seconds": seconds,
        "cpu": cpu / threads,
        "status": outcome.status,
        "gap": outcome.gap,
        "nodes": outcome.nodes,
        "objective": evaluate_plan(data, plan).impact if outcome.starts else None,
        "verified": bool(outcome.starts) and not verify_plan(data, plan),
    }


def run_optimise(doc: dict[str, Any], limit: float, threads: int) -> dict[str, Any]:
    began = time.perf_counter()
    scenario = parse_scenario(doc)  # validation: the plain model has none, so not timed
    parse = time.perf_counter() - began
    began, cpu = time.perf_counter(), time.process_time()
    options = OptimiseOptions(time_limit=limit, gap=GAP, explain=False, threads=threads)
    result = optimise(scenario, options)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu / threads,
        "parse": parse,
        "status": result.status,
        "gap": result.mip_gap,
        "nodes": int(result.timings.get("solve_nodes", 0)),
        "objective": result.objective.value if result.objective else None,
        "verified": bool(result.verification and result.verification.passed),
    }


def silence_banner() -> None:
    """HiGHS prints its banner once per process, on the first solver created: create
    that one now with both output streams pointed at /dev/null."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        highspy.Highs()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def _pct(value: float | None) -> str:
    return f"{100 * value:.3f}" if value is not None else "-"


SOLVES = ("p1", "p2", "opt")


def solve(name: str, doc: dict[str, Any], limit: float, threads: int) -> dict[str, Any]:
    """One of the three solves of an instance: plain 1 thread, plain 2 threads, optimise."""
    if name == "opt":
        return run_optimise(doc, limit, threads)
    return run_plain(doc, limit, 1 if name == "p1" else 2)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="100x5,300x10,1000x10")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=2, help="threads (searches) for optimise")
    args = parser.parse_args(argv)
    silence_banner()
    print(
        f"load average at start: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores; "
        f"limit {args.time_limit:g} s, gap {100 * GAP:g} %, optimise threads {args.threads}"
    )
    header = (
        f"{'instance':<13}{'p1 s':>7}{'p2 s':>7}{'opt s':>7}{'o/p1':>6}{'o/p2':>6}"
        f"{'p1':>9}{'gap%':>6}{'p2':>9}{'gap%':>6}{'opt':>9}{'gap%':>6}"
        f"{'p1 nodes':>9}{'o nodes':>8}{'p1 cpu':>7}{'o cpu':>7}{'Δ obj':>8}{'ok':>3}{'check':>6}"
    )
    print(header)
    print("-" * len(header))
    for size in args.sizes.split(","):
        n, years = (int(x) for x in size.split("x"))
        rows: dict[str, list[float]] = {k: [] for k in ("p1", "p2", "opt", "r1", "r2", "c1", "co")}
        deltas: list[float] = []
        for position, seed in enumerate(int(s) for s in args.seeds.split(",")):
            doc = generate(n, years, seed)
            order = list(SOLVES)
            order = order[position % 3 :] + order[: position % 3]  # machine load drifts
            got = {name: solve(name, doc, args.time_limit, args.threads) for name in order}
            p1, p2, mine = got["p1"], got["p2"], got["opt"]
            r1, r2 = mine["seconds"] / p1["seconds"], mine["seconds"] / p2["seconds"]
            for key, value in (
                ("p1", p1["seconds"]),
                ("p2", p2["seconds"]),
                ("opt", mine["seconds"]),
                ("r1", r1),
                ("r2", r2),
                ("c1", p1["cpu"]),
                ("co", mine["cpu"]),
            ):
                rows[key].append(value)
            delta = None
            if mine["objective"] is not None and p1["objective"] is not None:
                delta = mine["objective"] - p1["objective"]
                deltas.append(delta)
            ok = p1["verified"] and p2["verified"] and mine["verified"]
            print(
                f"{f'{n}x{years} s{seed}':<13}{p1['seconds']:>7.2f}{p2['seconds']:>7.2f}"
                f"{mine['seconds']:>7.2f}{r1:>6.2f}{r2:>6.2f}"
                f"{p1['status']:>9}{_pct(p1['gap']):>6}{p2['status']:>9}{_pct(p2['gap']):>6}"
                f"{mine['status']:>9}{_pct(mine['gap']):>6}"
                f"{p1['nodes']:>9}{mine['nodes']:>8}{p1['cpu']:>7.2f}{mine['cpu']:>7.2f}"
                f"{f'{delta:+.2f}' if delta is not None else '-':>8}{'y' if ok else 'N':>3}"
                f"{mine['parse']:>6.2f}",
                flush=True,
            )
        print(
            f"{f'{n}x{years} median':<13}{_median(rows['p1']):>7.2f}{_median(rows['p2']):>7.2f}"
            f"{_median(rows['opt']):>7.2f}{_median(rows['r1']):>6.2f}{_median(rows['r2']):>6.2f}"
            f"{'':>45}{'':>17}{_median(rows['c1']):>7.2f}{_median(rows['co']):>7.2f}"
            f"{f'{statistics.median(deltas):+.2f}' if deltas else '-':>8}",
            flush=True,
        )
    print(f"load average at end: {os.getloadavg()[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
