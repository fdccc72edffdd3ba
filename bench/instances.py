"""Seeded portfolio instances for the benchmarks (the benchmarks' own generator).

``generate(n, years, seed)``: n projects over ``years`` years, each with a 1–3-year
capital profile (EUR 0.2–2 m a year), a 3-year start window, a value proportional to
its cost (× 0.5–1.5, objective mode ``value``) and yearly budgets covering about a
third of the total cost, without carry-over. The same (n, years, seed) always gives
the same document. :func:`plain_model` builds the textbook formulation of such a
document directly in HiGHS (binary start variables, one start per project, one budget
row per year), the yardstick the optimiser must beat.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

START_YEAR = 2027


def generate(n: int, years: int, seed: int, window: int = 3) -> dict[str, Any]:
    """A seeded scenario document with ``n`` projects over ``years`` years."""
    rng = random.Random(seed)
    projects = []
    total = 0.0
    for i in range(n):
        duration = min(rng.choice((1, 2, 2, 3)), years)
        profile = [round(rng.uniform(0.2, 2.0) * 1e6, -3) for _ in range(duration)]
        total += sum(profile)
        earliest = START_YEAR + rng.randrange(0, max(1, years - duration + 1))
        latest = min(earliest + window - 1, START_YEAR + years - duration)
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
        "start_year": START_YEAR,
        "horizon_years": years,
        "budget": {"by_year": {START_YEAR + t: budget for t in range(years)}},
        "objective": {"mode": "value"},
        "projects": projects,
    }


@dataclass(frozen=True)
class PlainOutcome:
    status: str
    objective: float | None
    gap: float | None
    starts: dict[str, int]
    nodes: int = 0


def plain_model(
    doc: dict[str, Any], time_limit: float, gap: float, threads: int = 1
) -> PlainOutcome:
    """Build and solve the textbook model of ``doc`` in HiGHS (defaults, ``threads``)."""
    from decision_support.portfolio.quiet import stdout_to_stderr
    from decision_support.portfolio.solve import match_scheduler

    columns: list[tuple[str, int]] = []
    one_start: list[list[int]] = []
    budget_rows: dict[int, tuple[list[int], list[float]]] = {
        START_YEAR + t: ([], []) for t in range(doc["horizon_years"])
    }
    for project in doc["projects"]:
        own = []
        for s in range(project["earliest_start"], project["latest_start"] + 1):
            j = len(columns)
            columns.append((project["id"], s))
            own.append(j)
            for k, amount in enumerate(project["capex_profile"]):
                budget_rows[s + k][0].append(j)
                budget_rows[s + k][1].append(amount)
        one_start.append(own)
    values = {p["id"]: p["value"] for p in doc["projects"]}
    n = len(columns)
    match_scheduler(threads)
    with stdout_to_stderr():
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("mip_rel_gap", gap)
    highs.setOptionValue("threads", threads)
    index = np.arange(n, dtype=np.int32)
    highs.addVars(n, np.zeros(n), np.ones(n))
    highs.changeColsCost(n, index, np.array([-values[p] for p, _s in columns]))
    kinds = np.full(n, highspy.HighsVarType.kInteger.value, dtype=np.uint8)
    highs.changeColsIntegrality(n, index, kinds)
    for own in one_start:
        highs.addRow(-highspy.kHighsInf, 1.0, len(own), np.array(own, np.int32), np.ones(len(own)))
    for year, (cols, amounts) in budget_rows.items():
        limit = float(doc["budget"]["by_year"][year])
        highs.addRow(
            -highspy.kHighsInf, limit, len(cols), np.array(cols, np.int32), np.array(amounts)
        )
    with stdout_to_stderr():
        highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    nodes = int(info.mip_node_count)
    if info.primal_solution_status != 2:
        return PlainOutcome(str(status), None, None, {}, nodes)
    chosen = highs.getSolution().col_value
    starts = {columns[j][0]: columns[j][1] for j in range(n) if chosen[j] > 0.5}
    label = "optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible"
    return PlainOutcome(label, -info.objective_function_value, info.mip_gap, starts, nodes)
