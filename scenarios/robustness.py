"""Monte Carlo robustness: core index of each project and risk of the recommended plan.

1. Solve the nominal scenario: its plan is the *recommended portfolio*.
2. Draw ``N`` samples (:mod:`scenarios.uncertainty`: cost overruns by risk level,
   grant awards, weights, impacts) and re-solve each: project ``j``'s **core index** is
   ``CI_j = |{s : j selected in s}| / |{s : sample s has a plan}|``; its class is
   ``core`` when ``CI_j = 1``, ``exterior`` when ``CI_j = 0`` and ``borderline``
   otherwise (robust portfolio modelling's terms, Liesiö, Mild & Salo 2007, here as an
   empirical sampling estimate).
3. Evaluate the recommended portfolio in every sample by solving the sample with that
   plan fixed (:func:`scenarios.portfolio_edits.fix_portfolio`): its impact (objective),
   KPI outcomes and cost under the sample. A sample in which the fixed plan has no
   feasible funding counts as *unaffordable*; its impact is then evaluated with money
   not binding (:func:`scenarios.portfolio_edits.relax_funding`), since impact does not
   depend on how a plan is paid for. Its capital cost is
   ``Σ_j capex_j · m_{s,j}`` with the drawn overrun factors ``m``.

The nominal solve uses the given options; sample solves skip the optimiser's second
(financing-cost) solve, since only the impact-optimal selection matters for the core
index, and stop at a relative MIP gap of ``spec.sample_gap`` (default 0.5 %) or after
``spec.sample_time_limit`` seconds (default 10; the best verified plan found so far is
used and the sample is counted in ``samples_stopped_early``): a perturbed instance can
take long to prove optimal, and projects whose selection hinges on less than that gap
are borderline anyway.

Expected values are means over the samples with a plan; the worst case is the minimum
impact / maximum cost, and the 5th / 95th percentiles are also given.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from decision_support.errors import InputError, Problem
from scenarios.portfolio_edits import fix_portfolio, has_plan, impact, relax_funding, selection
from scenarios.runner import (
    OVERRUN,
    CancelCheck,
    ProgressCallback,
    SolveExecutor,
    SolveFunction,
    SolveOutcome,
    SolveTask,
    deadline_cancel,
    default_solve,
    solve_limit,
    solve_many,
    worker_pool,
)
from scenarios.uncertainty import Sample, UncertaintySpec, sample_scenario

logger = logging.getLogger(__name__)


def _stats(values: list[float], worst: str) -> dict[str, float | None]:
    if not values:
        return {"expected": None, "worst": None, "p5": None, "p50": None, "p95": None, "best": None}
    array = np.asarray(values, dtype=float)
    low, high = float(array.min()), float(array.max())
    return {
        "expected": float(array.mean()),
        "worst": low if worst == "min" else high,
        "best": high if worst == "min" else low,
        "p5": float(np.percentile(array, 5)),
        "p50": float(np.percentile(array, 50)),
        "p95": float(np.percentile(array, 95)),
    }


def planned_solves(samples: int) -> int:
    """Units of progress of a run with ``samples`` samples: ``1 + 3N``, fixed up front.

    One nominal solve, then per sample its own solve, the fixed-plan evaluation and
    the money-not-binding re-evaluation. The last one is needed only where the plan
    cannot be funded; the others count as done once the evaluations are known, so the
    total never changes while the job runs and progress never goes backwards.
    """
    return 1 + 3 * samples


DEFAULT_TIME_BUDGET_SECONDS = 600.0
"""How long a robustness run started with the default sample count may take at most
(a product choice: a run a user waits for, not a measured figure)."""


def worst_case_seconds(samples: int, sample_time_limit: float, workers: int) -> float:
    """Upper bound of a run's wall time: ``ceil((1 + 3N) / W) · t`` for ``W`` parallel
    workers and the per-solve time limit ``t`` (every solve hitting its limit)."""
    waves = -(-planned_solves(samples) // max(1, workers))
    return waves * sample_time_limit


def samples_for_budget(budget_seconds: float, sample_time_limit: float, workers: int) -> int:
    """The largest sample count whose worst case fits ``budget_seconds`` (at least 1)."""
    waves = int(budget_seconds // sample_time_limit)
    return max(1, (waves * max(1, workers) - 1) // 3)


def classify(core_index: float) -> str:
    """``core`` (1), ``exterior`` (0) or ``borderline``."""
    if core_index >= 1.0:
        return "core"
    if core_index <= 0.0:
        return "exterior"
    return "borderline"


def _solve_samples(
    scenario: Mapping[str, Any],
    samples: list[Sample],
    options: dict[str, Any],
    *,
    sample_gap: float,
    sample_time_limit: float,
    solve: SolveFunction,
    workers: int | None,
    pool: ProcessPoolExecutor | None,
    progress: ProgressCallback,
    skipped: Callable[[int], None],
    cancel: CancelCheck | None,
    executor: SolveExecutor | None,
) -> tuple[list[SolveOutcome], list[SolveOutcome], dict[int, SolveOutcome]]:
    """Phase 1: nominal and samples; phase 2: the nominal plan fixed in every sample;
    phase 3: where that plan cannot be funded, its impact with money not binding."""
    # Samples only need the best impact: no financing-cost solve, and a relative gap of
    # at least ``sample_gap`` (a perturbed instance can be slow to prove optimal).
    sample_options = {
        **options,
        "lexicographic": False,
        "gap": max(float(options.get("gap", 0.0)), sample_gap),
        "time_limit": min(float(options.get("time_limit", sample_time_limit)), sample_time_limit),
    }
    first = solve_many(
        [SolveTask("nominal", dict(scenario), options)]
        + [SolveTask(f"sample-{s.index}", s.scenario, sample_options) for s in samples],
        solve=solve,
        workers=workers,
        progress=progress,
        cancel=cancel,
        pool=pool,
        executor=executor,
    )
    nominal = first[0].portfolio
    if nominal is None or not has_plan(nominal):
        skipped(2 * len(samples))
        return first, [SolveOutcome(f"recommended-{s.index}", "cancelled") for s in samples], {}
    recommended = selection(nominal)
    evaluations = solve_many(
        [
            SolveTask(
                f"recommended-{s.index}", fix_portfolio(s.scenario, recommended), sample_options
            )
            for s in samples
        ],
        solve=solve,
        workers=workers,
        progress=progress,
        cancel=cancel,
        pool=pool,
        executor=executor,
    )
    unfunded = [
        i
        for i, outcome in enumerate(evaluations)
        if outcome.status == "done" and not has_plan(outcome.portfolio)
    ]
    skipped(len(samples) - len(unfunded))
    relaxed = solve_many(
        [
            SolveTask(
                f"recommended-unfunded-{samples[i].index}",
                relax_funding(fix_portfolio(samples[i].scenario, recommended)),
                sample_options,
            )
            for i in unfunded
        ],
        solve=solve,
        workers=workers,
        progress=progress,
        cancel=cancel,
        pool=pool,
        executor=executor,
    )
    return first, evaluations, dict(zip(unfunded, relaxed, strict=True))


def robustness_budget(spec: UncertaintySpec, options: Mapping[str, Any]) -> dict[str, Any]:
    """Time budget of a robustness run: the nominal solve at the options' limit, then at
    most 3 solves per sample (sample, recommended plan fixed, money relaxed) at the
    sample limit; all × OVERRUN, as if run one after the other."""
    nominal = solve_limit(options)
    per_sample = min(nominal, spec.sample_time_limit)
    solves = 3 * spec.samples
    return {
        "solves": 1 + solves,
        "per_solve_seconds": per_sample,
        "nominal_seconds": nominal,
        "total_seconds": round((nominal + solves * per_sample) * OVERRUN, 3),
    }


def robustness(
    scenario: Mapping[str, Any],
    spec: UncertaintySpec,
    options: Mapping[str, Any] | None = None,
    *,
    solve: SolveFunction = default_solve,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    executor: SolveExecutor | None = None,
) -> dict[str, Any]:
    """Run the Monte Carlo robustness analysis of ``scenario`` (see module docstring)."""
    projects = list(scenario.get("projects") or [])
    spec.check({str(p["id"]) for p in projects})
    options = dict(options or {})
    options["time_limit"] = solve_limit(options)
    budget = robustness_budget(spec, options)
    logger.info("robustness with %d samples: time budget %s", spec.samples, budget)
    cancel = deadline_cancel(budget, cancel)
    samples = [sample_scenario(scenario, spec, i) for i in range(spec.samples)]
    total = planned_solves(spec.samples)
    done = 0

    def forward(_: int, __: int, outcome: SolveOutcome) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, total), total, outcome)

    def skipped(count: int) -> None:
        nonlocal done
        if count <= 0:
            return
        done += count
        if progress is not None:
            progress(min(done, total), total, SolveOutcome("not-needed", "done"))

    with worker_pool(workers) as pool:
        first, evaluations, relaxed = _solve_samples(
            scenario,
            samples,
            options,
            solve=solve,
            workers=workers,
            pool=pool,
            sample_gap=spec.sample_gap,
            sample_time_limit=spec.sample_time_limit,
            progress=forward,
            skipped=skipped,
            cancel=cancel,
            executor=executor,
        )
    nominal = first[0].portfolio
    if nominal is None or not has_plan(nominal):
        if first[0].status == "cancelled":
            raise InputError(Problem("the robustness run was cancelled", field="samples"))
        diagnosis = nominal.diagnosis if nominal is not None else None
        raise InputError(
            Problem(
                "the nominal scenario has no feasible plan: "
                + str(
                    (diagnosis.summary if diagnosis is not None else None)
                    or first[0].error
                    or (nominal.status if nominal is not None else None)
                ),
                field="scenario",
            )
        )
    recommended = selection(nominal)

    capex = {str(p["id"]): float(sum(p.get("capex_profile") or [])) for p in projects}
    detail = []
    counts = dict.fromkeys(capex, 0)
    with_plan = 0
    kpi_closure: dict[str, list[float]] = {}
    kpi_projected: dict[str, list[tuple[float, float]]] = {}
    kpi_meta: dict[str, dict[str, Any]] = {}
    for position, (sample, outcome, evaluation) in enumerate(
        zip(samples, first[1:], evaluations, strict=True)
    ):
        result = outcome.portfolio
        planned = result if has_plan(result) else None
        evaluated = evaluation.portfolio
        row: dict[str, Any] = {
            "index": sample.index,
            "status": result.status if result is not None else outcome.status,
            "impact": impact(planned) if planned is not None else None,
            "selected": sorted(selection(planned)) if planned is not None else [],
            "recommended_status": evaluated.status if evaluated is not None else evaluation.status,
            "recommended_impact": None,
            "recommended_affordable": None,
            "recommended_capex": sum(
                capex[pid] * sample.cost_multipliers[pid] for pid in recommended
            ),
            "cost_multipliers": {pid: round(m, 6) for pid, m in sample.cost_multipliers.items()},
            "grants_refused": [
                str(m["id"])
                for m in scenario.get("mechanisms") or []
                if str(m["id"])
                not in {str(x["id"]) for x in sample.scenario.get("mechanisms") or []}
            ],
        }
        if planned is not None:
            with_plan += 1
            for pid in row["selected"]:
                counts[pid] = counts.get(pid, 0) + 1
        if evaluation.status == "done":
            row["recommended_affordable"] = has_plan(evaluated)
        if not has_plan(evaluated) and position in relaxed:
            evaluated = relaxed[position].portfolio
        if evaluated is not None and has_plan(evaluated):
            row["recommended_impact"] = impact(evaluated)
            for kpi in evaluated.kpi_projection:
                key = kpi.key or kpi.code
                kpi_meta.setdefault(
                    key,
                    {
                        "code": kpi.code,
                        "name": kpi.name,
                        "dimension": kpi.dimension,
                        "baseline": kpi.baseline,
                        "target": kpi.target,
                    },
                )
                if kpi.gap_closed_share is not None:
                    kpi_closure.setdefault(key, []).append(float(kpi.gap_closed_share))
                    kpi_projected.setdefault(key, []).append(
                        (float(kpi.gap_closed_share), float(kpi.projected))
                    )
        detail.append(row)

    names = {str(p["id"]): str(p.get("name") or p["id"]) for p in projects}
    project_rows: list[dict[str, Any]] = []
    for pid in capex:
        core_index = counts[pid] / with_plan if with_plan else None
        project_rows.append(
            {
                "id": pid,
                "name": names[pid],
                "selected_in_samples": counts[pid],
                "core_index": core_index,
                "class": classify(core_index) if core_index is not None else None,
                "recommended": pid in recommended,
            }
        )
    project_rows.sort(key=lambda r: (-(r["core_index"] or 0.0), r["id"]))
    evaluated_rows = [r for r in detail if r["recommended_impact"] is not None]
    affordable_known = [r for r in detail if r["recommended_affordable"] is not None]
    kpis = []
    for key, closures in kpi_closure.items():
        worst_closure, worst_projected = min(kpi_projected[key], key=lambda t: t[0])
        kpis.append(
            {
                "key": key,
                **kpi_meta[key],
                "expected_gap_closed_share": float(np.mean(closures)),
                "worst_gap_closed_share": worst_closure,
                "expected_projected": float(np.mean([p for _, p in kpi_projected[key]])),
                "worst_projected": worst_projected,
            }
        )
    return {
        "scenario_name": scenario.get("name"),
        "currency": scenario.get("currency", "EUR"),
        "settings": spec.to_dict(),
        "time_budget": budget,
        "samples_requested": spec.samples,
        "samples_with_plan": with_plan,
        "samples_without_plan": sum(
            1 for r in detail if r["status"] in ("infeasible", "not_solved", "failed")
        ),
        "samples_cancelled": sum(1 for r in detail if r["status"] == "cancelled"),
        "samples_stopped_early": sum(1 for r in detail if r["status"] == "feasible"),
        "nominal": {
            "status": nominal.status,
            "impact": impact(nominal),
            "selected": [
                {"id": pid, "start_year": year} for pid, year in sorted(recommended.items())
            ],
            "capex": sum(capex[pid] for pid in recommended),
        },
        "projects": project_rows,
        "classes": {
            label: [r["id"] for r in project_rows if r["class"] == label]
            for label in ("core", "borderline", "exterior")
        },
        "recommended": {
            "impact": _stats([r["recommended_impact"] for r in evaluated_rows], worst="min"),
            "capex": _stats(
                [r["recommended_capex"] for r in detail if r["status"] != "cancelled"], worst="max"
            ),
            "unaffordable_share": (
                sum(1 for r in affordable_known if not r["recommended_affordable"])
                / len(affordable_known)
                if affordable_known
                else None
            ),
            "kpis": kpis,
        },
        "samples": detail,
    }
