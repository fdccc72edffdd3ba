"""Side-by-side comparison of two or more solved scenarios.

Works on the optimiser's results (:class:`PortfolioResult`; a stored one, the JSON of
``decision-support optimise --json``, is read with ``PortfolioResult.from_dict``)
together with the scenario dictionaries that produced them. The first scenario is
the reference: every other column is compared with it, and each row says whether it
differs (``differs``) so that views can highlight it.

Definitions:

* project change: ``added`` (selected here, not in the reference), ``removed``,
  ``moved`` (selected in both, different start year; ``shift`` = years later),
  ``same``, or ``not selected`` (in neither);
* gap closure per dimension: ``Σ_k w_k·c_k / Σ_k w_k`` over the dimension's KPIs, where
  ``c_k`` is the result's ``gap_closed_share`` of KPI ``k`` and ``w_k`` its weight in the
  scenario (KPIs without a gap are left out);
* cost by year: capital spending of the selected projects (``capex_profile`` placed
  from the start year), and the city's yearly cost ``C_t`` of :mod:`scenarios.city_cost`;
* financing mix: the sum over projects of ``funding`` per mechanism;
* debt-service ratio: the result's yearly ratio and limit; ``headroom`` = limit − max;
* NPV of cost to the city: :func:`scenarios.city_cost.npv_cost_to_city`;
* procurement load: tenders launched per year in the result's procurement plan.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from decision_support.errors import InputError, Problem
from decision_support.portfolio.result import PortfolioResult, YearCashFlow
from scenarios.city_cost import npv_cost_to_city, yearly_city_cost

TOLERANCE = 1e-6


@dataclass(frozen=True)
class ComparedRun:
    """One column of a comparison: a name, its scenario and its result."""

    name: str
    scenario: Mapping[str, Any]
    result: PortfolioResult

    @classmethod
    def from_stored(
        cls, name: str, scenario: Mapping[str, Any], result: Mapping[str, Any]
    ) -> ComparedRun:
        """A column from a stored result document (raises ``ResultFormatError``)."""
        return cls(name, scenario, PortfolioResult.from_dict(result))


def _differs(values: Sequence[Any]) -> bool:
    first = values[0]
    for value in values[1:]:
        if isinstance(first, int | float) and isinstance(value, int | float):
            if abs(float(first) - float(value)) > TOLERANCE * max(1.0, abs(float(first))):
                return True
        elif value != first:
            return True
    return False


def _deltas(values: Sequence[float | None]) -> list[float | None]:
    first = values[0]
    return [
        None if first is None or value is None else float(value) - float(first) for value in values
    ]


def _years(runs: Sequence[ComparedRun]) -> list[int]:
    years: set[int] = set()
    for run in runs:
        start = int(run.scenario["start_year"])
        years.update(range(start, start + int(run.scenario["horizon_years"])))
        years.update(row.year for row in run.result.cash_flow)
    return sorted(years)


def _starts(result: PortfolioResult) -> dict[str, int]:
    return {p.id: p.start_year for p in result.selected}


def _project_change(reference: int | None, here: int | None) -> str:
    if reference is None and here is None:
        return "not selected"
    if reference is None:
        return "added"
    if here is None:
        return "removed"
    return "same" if reference == here else "moved"


def _capex_by_year(run: ComparedRun) -> dict[int, float]:
    projects = {str(p["id"]): p for p in run.scenario.get("projects") or []}
    spend: dict[int, float] = defaultdict(float)
    for selected in run.result.selected:
        project = projects.get(selected.id)
        if project is not None:
            for k, amount in enumerate(project.get("capex_profile") or []):
                spend[selected.start_year + k] += float(amount)
        else:  # project not in the scenario: fall back on its funding by year
            for by_year in selected.funding_by_year.values():
                for year, amount in by_year.items():
                    spend[year] += float(amount)
    return spend


def _kpi_weights(scenario: Mapping[str, Any]) -> dict[str, float]:
    weights = {}
    for kpi in scenario.get("kpis") or []:
        key = f"{kpi['code']} [{kpi['data_point']}]" if kpi.get("data_point") else str(kpi["code"])
        weights[key] = float(kpi.get("weight", 1.0))
    return weights


def gap_closure_by_dimension(
    scenario: Mapping[str, Any], result: PortfolioResult
) -> dict[str, float]:
    """Weighted share of the KPI gaps closed, per U4SSC dimension (see module docstring)."""
    weights = _kpi_weights(scenario)
    closed: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    for row in result.kpi_projection:
        share = row.gap_closed_share
        if share is None:
            continue
        weight = weights.get(row.key, weights.get(row.code, 1.0))
        dimension = row.dimension or "Unknown"
        closed[dimension] += weight * float(share)
        total[dimension] += weight
    return {d: closed[d] / total[d] for d in sorted(total) if total[d] > 0}


def _funding_mix(result: PortfolioResult) -> dict[str, float]:
    mix: dict[str, float] = defaultdict(float)
    for project in result.selected:
        for mech_id, amount in project.funding.items():
            mix[mech_id] += float(amount)
    return mix


def _u4ssc(result: PortfolioResult, which: str) -> float | None:
    value = result.u4ssc_score.get(which)
    return float(value) if isinstance(value, int | float) else None


def _row(
    metric: str, unit: str, values: list[Any], higher_is_better: bool | None
) -> dict[str, Any]:
    numeric = all(v is None or isinstance(v, int | float) for v in values)
    return {
        "metric": metric,
        "unit": unit,
        "values": values,
        "deltas": _deltas(values) if numeric else None,
        "differs": _differs(values),
        "higher_is_better": higher_is_better,
    }


def compare_runs(runs: Sequence[ComparedRun]) -> dict[str, Any]:
    """Compare two or more solved scenarios; the first is the reference.

    Returns a JSON-ready dictionary with ``scenarios``, ``summary`` (headline rows),
    ``projects``, ``kpis``, ``gap_closure_by_dimension``, ``cost_by_year``,
    ``financing_mix``, ``debt_service``, ``procurement_load`` and ``changes``
    (added / removed / moved per scenario). Raises :class:`InputError` with fewer than
    two runs.
    """
    if len(runs) < 2:
        raise InputError(Problem("a comparison needs at least two scenarios", field="scenarios"))
    names = [run.name for run in runs]
    if len(set(names)) != len(names):
        names = [f"{i + 1}. {name}" for i, name in enumerate(names)]
    years = _years(runs)
    starts = [_starts(run.result) for run in runs]
    project_names: dict[str, str] = {}
    for run in runs:
        for project in run.scenario.get("projects") or []:
            project_names.setdefault(str(project["id"]), str(project.get("name") or project["id"]))
        for chosen in run.result.selected:
            project_names.setdefault(chosen.id, chosen.name or chosen.id)
    every_id = sorted({pid for s in starts for pid in s} | set())
    projects = []
    changes: dict[str, dict[str, list[Any]]] = {
        name: {"added": [], "removed": [], "moved": []} for name in names[1:]
    }
    for pid in every_id:
        start_years = [s.get(pid) for s in starts]
        row_changes = [_project_change(start_years[0], y) for y in start_years]
        for name, change, year in zip(names[1:], row_changes[1:], start_years[1:], strict=True):
            if change in ("added", "removed"):
                changes[name][change].append(pid)
            elif change == "moved" and year is not None and start_years[0] is not None:
                changes[name]["moved"].append(
                    {"id": pid, "from": start_years[0], "to": year, "shift": year - start_years[0]}
                )
        projects.append(
            {
                "id": pid,
                "name": project_names.get(pid, pid),
                "start_years": start_years,
                "changes": row_changes,
                "differs": _differs(start_years),
            }
        )

    kpi_rows: dict[str, dict[str, Any]] = {}
    for index, run in enumerate(runs):
        for row in run.result.kpi_projection:
            key = row.key or row.code
            entry = kpi_rows.setdefault(
                key,
                {
                    "key": key,
                    "code": row.code,
                    "name": row.name,
                    "dimension": row.dimension,
                    "baseline": row.baseline,
                    "targets": [None] * len(runs),
                    "projected": [None] * len(runs),
                    "band_after": [None] * len(runs),
                    "gap_closed_share": [None] * len(runs),
                },
            )
            entry["targets"][index] = row.target
            entry["projected"][index] = row.projected
            entry["band_after"][index] = row.band_after
            entry["gap_closed_share"][index] = row.gap_closed_share
    kpis = [
        {**entry, "differs": _differs(entry["projected"]) or _differs(entry["targets"])}
        for entry in kpi_rows.values()
    ]

    closure = [gap_closure_by_dimension(run.scenario, run.result) for run in runs]
    dimensions = sorted({d for c in closure for d in c})
    gap_rows = [
        {
            "dimension": d,
            "values": [c.get(d) for c in closure],
            "deltas": _deltas([c.get(d) for c in closure]),
            "differs": _differs([c.get(d) for c in closure]),
        }
        for d in dimensions
    ]

    capex = [_capex_by_year(run) for run in runs]
    city_cost = [yearly_city_cost(run.result) for run in runs]
    cost_by_year = [
        {
            "year": year,
            "capex": [c.get(year, 0.0) for c in capex],
            "city_cost": [c.get(year, 0.0) for c in city_cost],
            "differs": _differs([c.get(year, 0.0) for c in capex])
            or _differs([c.get(year, 0.0) for c in city_cost]),
        }
        for year in years
    ]

    mixes = [_funding_mix(run.result) for run in runs]
    mechanisms = sorted({m for mix in mixes for m in mix})
    financing = [
        {
            "mechanism": m,
            "values": [mix.get(m, 0.0) for mix in mixes],
            "shares": [
                mix.get(m, 0.0) / sum(mix.values()) if sum(mix.values()) else 0.0 for mix in mixes
            ],
            "differs": _differs([mix.get(m, 0.0) for mix in mixes]),
        }
        for m in mechanisms
    ]

    debt_rows = []
    ratio_by_run: list[dict[int, YearCashFlow]] = [
        {row.year: row for row in run.result.cash_flow} for run in runs
    ]
    for year in years:
        rows = [r.get(year) for r in ratio_by_run]
        ratios = [row.debt_service_ratio if row else None for row in rows]
        limits = [row.debt_service_ratio_limit if row else None for row in rows]
        debt_rows.append(
            {
                "year": year,
                "ratio": ratios,
                "limit": limits,
                "debt_service": [float(row.debt_service) if row else 0.0 for row in rows],
                "differs": _differs(ratios),
            }
        )
    max_ratio = [
        max(
            (row.debt_service_ratio for row in r.values() if row.debt_service_ratio is not None),
            default=None,
        )
        for r in ratio_by_run
    ]
    limit = [
        min(
            (
                row.debt_service_ratio_limit
                for row in r.values()
                if row.debt_service_ratio_limit is not None
            ),
            default=None,
        )
        for r in ratio_by_run
    ]

    tenders = [
        Counter(item.tender_launch_year for item in run.result.procurement_plan) for run in runs
    ]
    tender_years = sorted(set(years) | {y for t in tenders for y in t})
    procurement = [
        {
            "year": y,
            "tenders": [t.get(y, 0) for t in tenders],
            "differs": _differs([t.get(y, 0) for t in tenders]),
        }
        for y in tender_years
    ]

    objective = [
        run.result.objective.value if run.result.objective is not None else None for run in runs
    ]
    summary = [
        _row("Status", "", [run.result.status for run in runs], None),
        _row("Objective (impact)", "points", objective, True),
        _row("Projects selected", "count", [len(s) for s in starts], None),
        _row(
            "Projected U4SSC score", "points", [_u4ssc(run.result, "after") for run in runs], True
        ),
        _row(
            "Total capital cost",
            "currency",
            [sum(c.values()) for c in capex],
            None,
        ),
        _row("City cost over the horizon", "currency", [sum(c.values()) for c in city_cost], False),
        _row(
            "NPV of cost to the city",
            "currency",
            [npv_cost_to_city(run.scenario, run.result) for run in runs],
            False,
        ),
        _row("Borrowed", "currency", [_borrowed(run) for run in runs], None),
        _row("Grants", "currency", [_by_type(run, "grant") for run in runs], True),
        _row("Peak debt-service ratio", "share", max_ratio, False),
        _row("Debt-service ratio limit", "share", limit, None),
        _row(
            "Peak tenders in a year", "count", [max(t.values(), default=0) for t in tenders], False
        ),
    ]
    summary += [
        _row(f"Gap closed: {d}", "share", [c.get(d) for c in closure], True) for d in dimensions
    ]
    return {
        "reference": names[0],
        "scenarios": [
            {
                "name": name,
                "status": run.result.status,
                "proven_optimal": run.result.proven_optimal,
                "mip_gap": run.result.mip_gap,
                "currency": run.scenario.get("currency", "EUR"),
            }
            for name, run in zip(names, runs, strict=True)
        ],
        "years": years,
        "summary": summary,
        "changes": changes,
        "projects": projects,
        "kpis": kpis,
        "u4ssc_score": [dict(run.result.u4ssc_score) for run in runs],
        "gap_closure_by_dimension": gap_rows,
        "cost_by_year": cost_by_year,
        "financing_mix": financing,
        "debt_service": debt_rows,
        "procurement_load": procurement,
    }


def _mechanism_types(run: ComparedRun) -> dict[str, str]:
    return {str(m["id"]): str(m.get("type")) for m in run.scenario.get("mechanisms") or []}


def _by_type(run: ComparedRun, kind: str) -> float:
    types = _mechanism_types(run)
    return sum(amount for m, amount in _funding_mix(run.result).items() if types.get(m) == kind)


def _borrowed(run: ComparedRun) -> float:
    types = _mechanism_types(run)
    return sum(
        amount
        for m, amount in _funding_mix(run.result).items()
        if types.get(m) not in (None, "own_budget", "grant")
    )
