"""Benchmark the whole run under one time limit: main solves against explanations.

For the demo city (``scenarios/demo_city/portfolio.yaml``) and generated instances
(``bench/instances.py``, default 100 × 5 and 300 × 10), one ``optimise`` run with
explanations, as ``decision-support optimise FILE --time-limit L`` does it. Printed:
solve seconds (solve 1 and 2), explain seconds, total seconds of the run, the ratio
explain / solve, total / limit, and how many explanation re-solves ran or were skipped.
Also printed: the run's CPU seconds (process time: on a machine other jobs load, closer
to a quiet machine's wall time than the wall time is), and, for the demo city, the wall
time of the command a user types, ``python -m cli optimise
scenarios/demo_city/portfolio.yaml --json`` with its default limit (start-up, reading,
solving, explaining and printing). Goals (issue 11): explain ≤ 0.5 × solve; the demo
city ≤ 5 s in all; total ≤ 1.25 × L. Run::

    .venv/bin/python bench/bench_explain.py [--sizes 100x5,300x10] [--seeds 1]
        [--time-limit 20] [--no-demo]

Worst case: (1 + sizes × seeds) × 1.25 × time limit (default 3 × 25 s).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

from instances import generate

from decision_support.portfolio import (
    OptimiseOptions,
    Scenario,
    load_scenario,
    optimise,
    parse_scenario,
)


def _demo() -> Scenario:
    path = resources.files("scenarios").joinpath("demo_city/portfolio.yaml")
    with resources.as_file(path) as file:
        return load_scenario(file)


def measure(label: str, scenario: Scenario, limit: float, threads: int) -> dict[str, Any]:
    cpu = time.process_time()
    result = optimise(scenario, OptimiseOptions(time_limit=limit, threads=threads))
    cpu = time.process_time() - cpu
    t = result.timings
    ex = result.explanations
    solve = t.get("solve_seconds", 0.0)
    explain = t.get("explain_seconds", 0.0)
    return {
        "label": label,
        "status": result.status,
        "solve": solve,
        "explain": explain,
        "total": t["total_seconds"],
        "cpu": cpu,
        "ratio": explain / solve if solve else None,
        "of_limit": t["total_seconds"] / limit,
        "ran": len(ex.left_out) + len(ex.marginal_budget) if ex else 0,
        "skipped": len(ex.skipped) if ex else 0,
    }


def demo_command() -> tuple[float, dict[str, Any]]:
    """Wall seconds of ``python -m cli optimise <demo city> --json`` and its document."""
    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "-m", "cli", "optimise", "scenarios/demo_city/portfolio.yaml"]
    began = time.perf_counter()
    done = subprocess.run(
        [*command, "--json"], cwd=root, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - began, json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="100x5,300x10")
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-demo", action="store_true")
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.2f} (1 min); limit {args.time_limit:g} s")
    cases: list[tuple[str, Scenario]] = [] if args.no_demo else [("demo city", _demo())]
    for size in args.sizes.split(","):
        n, years = (int(x) for x in size.split("x"))
        for seed in (int(s) for s in args.seeds.split(",")):
            cases.append((f"{n}x{years} s{seed}", parse_scenario(generate(n, years, seed))))
    header = (
        f"{'instance':<14}{'status':>10}{'solve s':>9}{'explain s':>11}{'total s':>9}"
        f"{'explain/solve':>15}{'total/limit':>13}{'ran':>5}{'skipped':>9}{'cpu s':>7}"
    )
    print(header)
    print("-" * len(header))
    for label, scenario in cases:
        r = measure(label, scenario, args.time_limit, args.threads)
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        print(
            f"{r['label']:<14}{r['status']:>10}{r['solve']:>9.2f}{r['explain']:>11.2f}"
            f"{r['total']:>9.2f}{ratio:>15}{r['of_limit']:>13.2f}{r['ran']:>5}{r['skipped']:>9}"
            f"{r['cpu']:>7.2f}",
            flush=True,
        )
    if not args.no_demo:
        wall, document = demo_command()
        timings = document["timings"]
        print(
            f"demo city, `python -m cli optimise … --json`: {wall:.2f} s wall in all "
            f"(run {timings['total_seconds']:.2f} s, start-up and output "
            f"{wall - timings['total_seconds']:.2f} s; {document['status']})"
        )
    print(f"load average at end: {os.getloadavg()[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
