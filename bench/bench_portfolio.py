"""Benchmark the portfolio model: plain formulation vs the engineered one, same instances.

Instances are generated with fixed seeds: n projects over T years, each with a
1–3-year capital profile, a 3-year start window, random KPI-independent values
(objective mode ``value``) and per-year budgets covering about a third of the
total cost (no carry-over). Run::

    PYTHONPATH=. python bench/bench_portfolio.py [--sizes 50x5,100x5,300x10] [--time-limit 60]

and read the summary table on stdout (build time, solve time, status, gap, objective).
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from decision_support.portfolio.api import OptimiseOptions, solve_plan
from decision_support.portfolio.data import prepare_model_data
from decision_support.portfolio.plan import evaluate_plan
from decision_support.portfolio.scenario_file import parse_scenario
from decision_support.portfolio.verify import verify_plan


def generate(n: int, years: int, seed: int, window: int = 3) -> dict:
    """A seeded scenario document with ``n`` projects over ``years`` years."""
    rng = random.Random(seed)
    start = 2027
    projects = []
    total = 0.0
    for i in range(n):
        duration = rng.choice((1, 2, 2, 3))
        duration = min(duration, years)
        profile = [round(rng.uniform(0.2, 2.0) * 1e6, -3) for _ in range(duration)]
        total += sum(profile)
        earliest = start + rng.randrange(0, max(1, years - duration + 1))
        latest = min(earliest + window - 1, start + years - duration)
        value = round(sum(profile) / 1e6 * rng.uniform(0.5, 1.5) * 10, 2)
        projects.append(
            {
                "id": f"P{i:03d}",
                "capex_profile": profile,
                "value": value,
                "earliest_start": earliest,
                "latest_start": latest,
                "low_cost": sum(profile) < 1e6,
            }
        )
    budget = round(total / 3 / years, -3)
    return {
        "name": f"bench {n}x{years} seed {seed}",
        "start_year": start,
        "horizon_years": years,
        "budget": {"by_year": {start + t: budget for t in range(years)}},
        "objective": {"mode": "value"},
        "projects": projects,
    }


def run(n: int, years: int, seed: int, *, formulation: str, warm: bool, limit: float) -> dict:
    data = prepare_model_data(parse_scenario(generate(n, years, seed)))
    options = OptimiseOptions(
        time_limit=limit, gap=1e-3, formulation=formulation, warm_start=warm, explain=False
    )
    began = time.perf_counter()
    solved = solve_plan(data, options)
    wall = time.perf_counter() - began
    objective = evaluate_plan(data, solved.plan).impact if solved.plan else None
    verified = solved.plan is not None and not verify_plan(data, solved.plan)
    return {
        "build": solved.build_seconds + solved.greedy_seconds,
        "solve": solved.first.seconds,
        "wall": wall,
        "status": solved.first.status,
        "gap": solved.first.mip_gap,
        "nodes": solved.first.nodes,
        "objective": objective,
        "bound": solved.first.best_bound,
        "greedy": solved.greedy_impact,
        "verified": verified,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50x5,100x5,200x5,300x10")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args(argv)
    variants = (("plain", "plain", False), ("engineered", "tight", True))
    header = (
        f"{'instance':<16}{'variant':<12}{'build s':>8}{'solve s':>9}{'status':>10}"
        f"{'gap %':>8}{'nodes':>8}{'objective':>12}{'bound':>12}{'greedy':>10}{'ok':>4}"
    )
    print(header)
    print("-" * len(header))
    for size in args.sizes.split(","):
        n, years = (int(x) for x in size.split("x"))
        for seed in (int(s) for s in args.seeds.split(",")):
            for label, formulation, warm in variants:
                r = run(n, years, seed, formulation=formulation, warm=warm, limit=args.time_limit)
                gap = f"{100 * r['gap']:.3f}" if r["gap"] is not None else "-"
                objective = f"{r['objective']:.2f}" if r["objective"] is not None else "-"
                bound = f"{r['bound']:.2f}" if r["bound"] is not None else "-"
                greedy = f"{r['greedy']:.2f}" if r["greedy"] is not None else "-"
                print(
                    f"{f'{n}x{years} s{seed}':<16}{label:<12}{r['build']:>8.2f}{r['solve']:>9.2f}"
                    f"{r['status']:>10}{gap:>8}{r['nodes'] or 0:>8}"
                    f"{objective:>12}{bound:>12}{greedy:>10}"
                    f"{'y' if r['verified'] else 'N':>4}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
