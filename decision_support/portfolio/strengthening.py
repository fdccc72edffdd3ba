"""Model strengthening for the ``tight`` formulation: valid inequalities and symmetry breaking.

None of these change the set of integer solutions; they cut off fractional LP
points and equivalent copies so that HiGHS can prove optimality sooner.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import pulp

from decision_support.portfolio.model import PortfolioModel


def _finite_external_capacity(
    model: PortfolioModel, funded_years: dict[str, set[int]], first: int, last: int
) -> float | None:
    """Most money external mechanisms can pay in years first..last, or None if unbounded."""
    data = model.data
    total = 0.0
    for mid, mechanism in data.mechanisms.items():
        if not any(first <= t <= last for t in funded_years.get(mid, ())):
            continue
        bounds = []
        if mechanism.capacity_total is not None:
            bounds.append(mechanism.capacity_total)
        if mechanism.capacity_by_year is not None:
            bounds.append(
                sum(mechanism.capacity_by_year.get(t, 0.0) for t in range(first, last + 1))
            )
        if mechanism.max_amount is not None:
            bounds.append(mechanism.max_amount * (last - first + 1))
        if not bounds:
            return None
        total += min(bounds)
    return total


def add_interval_knapsack_inequalities(model: PortfolioModel) -> None:
    """Interval knapsacks on the selection variables x_p.

    For every interval of years [a, b] let m[p,a,b] = min_{s∈A_p} Σ_{t∈[a,b]} (c[p,s,t] +
    o[p,s,t] − v[p,s,t]) be the least own money project p needs in the interval
    whatever its start year (negative when its savings free money). Then (debt
    service and fees being ≥ 0)

        Σ_p m[p,a,b] · x_p ≤ Σ_{t∈[a,b]} B_t + ext(a,b)     (+ carry-over from before a)

    where ext(a,b) bounds what external mechanisms can pay in [a,b]. With
    carry-over only prefix intervals (a = first year) are valid. These are pure
    0-1 knapsack rows in x, from which HiGHS derives cover cuts that the
    start-year rows hide. Name: ``interval_knapsack_<a>_<b>``.
    """
    data = model.data
    years = data.years
    carry = data.scenario.budget.carry_over
    intervals = [(a, b) for a in years for b in years if a <= b and (not carry or a == years[0])]
    funded_years: dict[str, set[int]] = defaultdict(set)
    for _pid, mid, t in data.funding_keys:
        funded_years[mid].add(t)
    for a, b in intervals:
        external = _finite_external_capacity(model, funded_years, a, b)
        if external is None:
            continue
        needs = {}
        for pid, starts in data.starts.items():
            if not starts:
                continue
            need = min(
                sum(
                    data.capex.get((pid, s, t), 0.0)
                    + data.opex.get((pid, s, t), 0.0)
                    - data.savings.get((pid, s, t), 0.0)
                    for t in range(a, b + 1)
                )
                for s in starts
            )
            if need:  # savings make it negative: the project frees money for others
                needs[pid] = need
        capacity = sum(data.budget[t] for t in range(a, b + 1)) + external
        demand = sum(need for need in needs.values() if need > 0)
        if demand <= capacity + 1e-9 or len(needs) < 2:
            continue
        expr = pulp.lpSum(need * model.ex.selected[pid] for pid, need in needs.items())
        model.add(expr <= capacity, "interval_knapsack", a, b)


def _signature(model: PortfolioModel, pid: str) -> tuple[object, ...]:
    data = model.data
    project = data.projects[pid]
    impacts = tuple(sorted(data.impacts_by_project.get(pid, ())))
    return (
        project.capex_profile,
        project.opex_per_year,
        project.savings_per_year,
        project.value,
        impacts,
        data.starts[pid],
        project.low_cost,
        tuple(sorted(project.tags)),
        data.lead_years[pid],
        project.requires,
        project.excludes,
        pid in data.mandatory,
        pid in data.excluded,
    )


def add_symmetry_breaking(model: PortfolioModel) -> None:
    """Identical projects (same costs, impacts, window, tags, rules) are interchangeable:
    order them so that the first starts no later than the second,

        Σ_{s≤t} y[p_i,s] ≥ Σ_{s≤t} y[p_{i+1},s]   ∀t   ("p_{i+1} started by t ⇒ p_i started by t").

    Name: ``symmetry_<p_i>_<p_{i+1}>_<t>``.
    """
    data, v = model.data, model.v
    groups: dict[tuple[object, ...], list[str]] = defaultdict(list)
    referenced = {o for p in data.projects.values() for o in (*p.requires, *p.excludes)}
    for pid in data.projects:
        if data.starts[pid] and pid not in referenced:
            groups[_signature(model, pid)].append(pid)
    for members in groups.values():
        for first, second in itertools.pairwise(members):
            for t in data.starts[first]:
                lead = pulp.lpSum(v.start[first, s] for s in data.starts[first] if s <= t)
                follow = pulp.lpSum(v.start[second, s] for s in data.starts[second] if s <= t)
                model.add(lead >= follow, "symmetry", first, second, t)


def _dominance_candidates(model: PortfolioModel) -> list[str]:
    """Projects free of every rule that an exchange argument could break."""
    data = model.data
    referenced = {o for p in data.projects.values() for o in (*p.requires, *p.excludes)}
    funded = {pid for pid, _m, _t in data.funding_keys}
    return [
        pid
        for pid, project in data.projects.items()
        if data.starts[pid]
        and pid not in referenced
        and not project.requires
        and not project.excludes
        and pid not in data.mandatory
        and pid not in data.excluded
        and pid not in funded
    ]


def _dominates(model: PortfolioModel, p: str, q: str) -> bool:
    """True when swapping q for p (p taking q's start year) keeps every plan feasible and
    no worse: p costs no more in any year, saves no less, is worth no less, fits every
    start year of q, and helps every KPI at least as much."""
    data = model.data
    a, b = data.projects[p], data.projects[q]
    if len(a.capex_profile) != len(b.capex_profile) or data.lead_years[p] != data.lead_years[q]:
        return False
    if not set(data.starts[q]) <= set(data.starts[p]):
        return False
    if any(x > y for x, y in zip(a.capex_profile, b.capex_profile, strict=True)):
        return False
    if a.opex_per_year - a.savings_per_year > b.opex_per_year - b.savings_per_year:
        return False
    if a.value < b.value or (b.low_cost and not a.low_cost):
        return False
    if data.mode == "value":
        return True
    keys = {k for (pid, k) in data.improvement if pid in (p, q)}
    if data.scenario.constraints.min_dimension_share:
        return all(data.improvement.get((p, k)) == data.improvement.get((q, k)) for k in keys)
    return all(data.improvement.get((p, k), 0.0) >= data.improvement.get((q, k), 0.0) for k in keys)


def add_dominance_inequalities(model: PortfolioModel) -> None:
    """Dominance: if p is at least as good as q in every respect (see :func:`_dominates`)
    and strictly different, some optimal plan never selects q without p:

        x_q ≤ x_p.

    Exchanging q for p in any plan keeps it feasible and no worse. Two projects that
    dominate each other (equal in all the model weighs, though not identical: e.g. with
    different KPI impacts in ``value`` mode, where impacts do not count) get one row
    only, x_q ≤ x_p for p before q in id order; both rows would force x_p = x_q and
    cut off every plan with just one of them. The relation is then a strict partial
    order, so repeated exchanges end in an optimal plan satisfying all these rows
    (identical projects are left to :func:`add_symmetry_breaking`).
    Name: ``dominance_<q>_<p>``.
    """
    ex = model.ex
    candidates = _dominance_candidates(model)
    signature = {pid: _signature(model, pid) for pid in candidates}
    for q in candidates:
        for p in candidates:
            if p == q or signature[p] == signature[q]:
                continue
            if _dominates(model, p, q) and (p < q or not _dominates(model, q, p)):
                model.add(ex.selected[q] <= ex.selected[p], "dominance", q, p)
