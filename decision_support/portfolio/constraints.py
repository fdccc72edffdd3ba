"""Constraint families of the portfolio model, one function each.

Symbols (see also :mod:`~decision_support.portfolio.variables` and
:mod:`~decision_support.portfolio.expressions`):

==============  ===========================================  ==================================
symbol          meaning                                      attribute
==============  ===========================================  ==================================
A_p             allowed start years of project p             ``data.starts[p]``
C_p             total capital cost of p                      ``ProjectSpec.capex_total``
B_t             own budget of year t                         ``data.budget[t]``
E_m             projects mechanism m may fund (tags)         ``data.eligible[m]``
σ_m             maximum share of a project's cost from m     ``MechanismSpec.max_share``
κ_m             own co-financing share of grant m            ``MechanismSpec.cofinancing_share``
cap_{m,t}       yearly capacity of m                         ``MechanismSpec.capacity_by_year``
cap_m           total capacity of m                          ``MechanismSpec.capacity_total``
L_m, U_m        minimum / maximum deal size of m             ``min_amount`` / ``max_amount``
ρ, R_t, DS0_t   DSR limit, revenue, existing debt service    ``data.dsr_limit`` …
n_low           minimum number of low-cost projects          ``min_low_cost_projects``
N_ten           tenders launched per year                    ``max_tenders_per_year``
ℓ_p             years from tender launch to start            ``data.lead_years[p]``
==============  ===========================================  ==================================

Each function returns early when its family is empty. In elastic models
(diagnosis) the constraints that can make a scenario infeasible get a slack
``e ≥ 0`` with a penalty, created through :meth:`PortfolioModel.slack`.
"""

from __future__ import annotations

import pulp

from decision_support.portfolio.benchmark import BAND_THRESHOLDS, band_value
from decision_support.portfolio.model import PortfolioModel

MANDATORY_PENALTY = 1000.0
COUNT_PENALTY = 10.0


def _money_penalty(model: PortfolioModel) -> float:
    """Slack penalty per unit of money: one unit of penalty per 'typical year' of budget."""
    data = model.data
    scale = max([*data.budget.values(), *(p.capex_total for p in data.projects.values()), 1.0])
    return 1.0 / scale


def add_one_start_constraints(model: PortfolioModel) -> None:
    """Each project starts at most once: Σ_{s∈A_p} y[p,s] ≤ 1  ∀p with |A_p| > 1;
    where the selection x_p is a variable (``tight``, ``strong``) the row is
    Σ_{s∈A_p} y[p,s] = x_p, which also defines it.

    Start windows and the procurement earliest start are in A_p itself.
    Name: ``one_start_<p>``.
    """
    data, v = model.data, model.v
    for pid, starts in data.starts.items():
        if len(starts) < 2:
            continue
        starts_sum = pulp.lpSum(v.start[pid, s] for s in starts)
        if pid in v.select:
            model.add(starts_sum == v.select[pid], "one_start", pid)
        else:
            model.add(starts_sum <= 1, "one_start", pid)


def add_mandatory_excluded_constraints(model: PortfolioModel) -> None:
    """Mandatory projects: x_p (+ e_p) ≥ 1; excluded projects: x_p = 0.

    Names: ``mandatory_<p>``, ``excluded_<p>``.
    """
    data, ex = model.data, model.ex
    for pid in sorted(data.mandatory):
        slack = model.slack("mandatory", pid, MANDATORY_PENALTY)
        model.add(ex.selected[pid] + slack >= 1, "mandatory", pid)
    for pid in sorted(data.excluded):
        if data.starts[pid]:
            model.add(ex.selected[pid] == 0, "excluded", pid)


def add_dependency_constraints(model: PortfolioModel) -> None:
    """Prerequisites and mutual exclusions.

    p requires q (p may start only in or after the year q starts):
        Σ_{s∈A_p, s≤t} y[p,s] ≤ Σ_{s∈A_q, s≤t} y[q,s]   ∀t ∈ A_p
    ("p started by t" implies "q started by t"; the last t gives x_p ≤ x_q).
    p excludes q:  x_p + x_q ≤ 1.
    Names: ``requires_<p>_<q>_<t>``, ``excludes_<p>_<q>``.
    """
    data, v, ex = model.data, model.v, model.ex
    done: set[tuple[str, str]] = set()
    for pid, project in data.projects.items():
        for other in project.requires:
            for t in data.starts[pid]:
                started = pulp.lpSum(v.start[pid, s] for s in data.starts[pid] if s <= t)
                before = pulp.lpSum(v.start[other, s] for s in data.starts[other] if s <= t)
                model.add(started <= before, "requires", pid, other, t)
        for other in project.excludes:
            pair = (min(pid, other), max(pid, other))
            if pair in done:
                continue
            done.add(pair)
            model.add(ex.selected[pid] + ex.selected[other] <= 1, "excludes", *pair)


def add_funding_link_constraints(model: PortfolioModel) -> None:
    """External funding pays at most the year's capital spending (the rest is own budget):

        X[p,t] = Σ_m f[p,m,t] ≤ K[p,t]   ∀p,t

    Eligibility by tags and mechanism lead times are in the index set of f.
    Name: ``funding_link_<p>_<t>``.
    """
    ex = model.ex
    for (pid, t), funded in sorted(ex.external.items()):
        model.add(funded <= ex.capex.get((pid, t), 0), "funding_link", pid, t)


def add_max_share_constraints(model: PortfolioModel) -> None:
    """At most σ_m of a project's cost from mechanism m:  Σ_t f[p,m,t] ≤ σ_m · C_p · x_p.

    Only for σ_m < 1 (σ_m = 1 is implied by the funding link). Name: ``max_share_<p>_<m>``.
    """
    data, _v, ex = model.data, model.v, model.ex
    for mid, mechanism in data.mechanisms.items():
        if mechanism.max_share >= 1:
            continue
        for pid in data.eligible[mid]:
            amounts = ex.by_project_mechanism.get((pid, mid))
            if amounts:
                limit = mechanism.max_share * data.projects[pid].capex_total
                model.add(pulp.lpSum(amounts) <= limit * ex.selected[pid], "max_share", pid, mid)


def add_cofinancing_constraints(model: PortfolioModel) -> None:
    """Grants need own co-financing: for grant g with share κ_g,

        C_p · x_p − Σ_{m,t} f[p,m,t]  ≥  κ_g / (1 − κ_g) · Σ_t f[p,g,t]

    (the city's own part of the project matches the grant in the ratio κ : 1 − κ).
    Name: ``cofinancing_<p>_<g>``.
    """
    data, _v, ex = model.data, model.v, model.ex
    for mid, mechanism in data.mechanisms.items():
        kappa = mechanism.cofinancing_share
        if not kappa:
            continue
        for pid in data.eligible[mid]:
            grant = ex.by_project_mechanism.get((pid, mid))
            if not grant:
                continue
            external = ex.by_project[pid]
            own = data.projects[pid].capex_total * ex.selected[pid] - pulp.lpSum(external)
            model.add(own >= kappa / (1 - kappa) * pulp.lpSum(grant), "cofinancing", pid, mid)


def add_capacity_constraints(model: PortfolioModel) -> None:
    """Mechanism capacities: D[m,t] ≤ cap_{m,t},  Σ_t D[m,t] ≤ cap_m,  D[m,t] ≤ U_m.

    Names: ``capacity_<m>_<t>``, ``capacity_total_<m>``, ``max_deal_<m>_<t>``.
    """
    data, ex = model.data, model.ex
    for mid, mechanism in data.mechanisms.items():
        years = [t for t in data.years if (mid, t) in ex.drawn]
        for t in years:
            if mechanism.capacity_by_year is not None:
                cap = mechanism.capacity_by_year.get(t, 0.0)
                model.add(ex.drawn[mid, t] <= cap, "capacity", mid, t)
            if mechanism.max_amount is not None and mechanism.min_amount <= 0:
                model.add(ex.drawn[mid, t] <= mechanism.max_amount, "max_deal", mid, t)
        if mechanism.capacity_total is not None and years:
            total = pulp.lpSum(ex.drawn[mid, t] for t in years)
            model.add(total <= mechanism.capacity_total, "capacity_total", mid)


def add_deal_size_constraints(model: PortfolioModel) -> None:
    """Minimum deal size with a binary deal indicator u[m,t]:

        L_m · u[m,t] ≤ D[m,t] ≤ M_{m,t} · u[m,t]

    with M_{m,t} = min(U_m, cap_{m,t}, cap_m, Σ of eligible spending in t).
    Names: ``min_deal_<m>_<t>``, ``deal_on_<m>_<t>``.
    """
    data, v, ex = model.data, model.v, model.ex
    for (mid, t), deal in v.deal.items():
        mechanism = data.mechanisms[mid]
        spend = sum(
            max((data.capex.get((pid, s, t), 0.0) for s in data.starts[pid]), default=0.0)
            for pid in data.eligible[mid]
        )
        bounds = [spend]
        if mechanism.max_amount is not None:
            bounds.append(mechanism.max_amount)
        if mechanism.capacity_by_year is not None:
            bounds.append(mechanism.capacity_by_year.get(t, 0.0))
        if mechanism.capacity_total is not None:
            bounds.append(mechanism.capacity_total)
        model.add(ex.drawn[mid, t] >= mechanism.min_amount * deal, "min_deal", mid, t)
        model.add(ex.drawn[mid, t] <= min(bounds) * deal, "deal_on", mid, t)


def add_epc_savings_constraints(model: PortfolioModel) -> None:
    """Energy-performance contracts are repaid from the project's savings:

        max_k φ_m[k] · Σ_t f[p,m,t] ≤ savings_p · x_p    for m of type ``epc``.

    Name: ``epc_savings_<p>_<m>``.
    """
    data, _v, ex = model.data, model.v, model.ex
    for mid, mechanism in data.mechanisms.items():
        if mechanism.type != "epc":
            continue
        peak = max(data.payment_factor[mid])
        for pid in data.eligible[mid]:
            amounts = ex.by_project_mechanism.get((pid, mid))
            if amounts:
                savings = data.projects[pid].savings_per_year
                model.add(peak * pulp.lpSum(amounts) <= savings * ex.selected[pid], "epc", pid, mid)


def add_budget_constraints(model: PortfolioModel) -> None:
    """Own budget: own-funded capex, net opex, debt service and fees within the budget.

    Without carry-over:  O[t] ≤ B_t (+ e_t)                              ∀t
    With carry-over (unspent budget rolls forward, without interest):
                          Σ_{τ≤t} O[τ] ≤ Σ_{τ≤t} B_τ (+ e_t)             ∀t
    The cumulative form needs no carry-over variables. Name: ``budget_<t>``.
    """
    data, ex = model.data, model.ex
    penalty = _money_penalty(model)
    spent: pulp.LpAffineExpression = pulp.LpAffineExpression()
    available = 0.0
    for t in data.years:
        slack = model.slack("budget", t, penalty)
        if data.scenario.budget.carry_over:
            spent = spent + ex.own_spend[t]
            available += data.budget[t]
            model.add(spent <= available + slack, "budget", t)
        else:
            model.add(ex.own_spend[t] <= data.budget[t] + slack, "budget", t)


def add_debt_service_ratio_constraints(model: PortfolioModel) -> None:
    """Debt-service ratio limit including existing debt:

    DS0_t + S^debt[t] ≤ ρ · R_t (+ e_t)    ∀t.     Name: ``debt_service_ratio_<t>``.
    """
    data, ex = model.data, model.ex
    if data.dsr_limit is None:
        return
    penalty = _money_penalty(model)
    for t in data.years:
        slack = model.slack("debt_service_ratio", t, penalty)
        limit = data.dsr_limit * data.revenue[t] - data.existing_debt_service[t]
        model.add(ex.counted_debt_service[t] <= limit + slack, "debt_service_ratio", t)


def add_low_cost_constraints(model: PortfolioModel) -> None:
    """At least n_low low-cost projects:  Σ_{p low-cost} x_p (+ e) ≥ n_low.

    Name: ``min_low_cost``.
    """
    data, ex = model.data, model.ex
    wanted = data.scenario.constraints.min_low_cost_projects
    if not wanted:
        return
    slack = model.slack("min_low_cost", "all", COUNT_PENALTY)
    low = pulp.lpSum(ex.selected[p] for p, spec in data.projects.items() if spec.low_cost)
    model.add(low + slack >= wanted, "min_low_cost")


def add_tender_constraints(model: PortfolioModel) -> None:
    """Tenders launched per year: a start in s is tendered in max(first year, s − ℓ_p):

    Σ_{(p,s): launch(p,s)=t} y[p,s] ≤ N_ten (+ e_t)   ∀t.     Name: ``tenders_<t>``.
    """
    data, v = model.data, model.v
    limit = data.scenario.constraints.max_tenders_per_year
    if limit is None:
        return
    by_year: dict[int, list[pulp.LpVariable]] = {t: [] for t in data.years}
    for (pid, s), var in v.start.items():
        by_year[data.launch_year(pid, s)].append(var)
    for t, starts in by_year.items():
        if len(starts) > limit:
            slack = model.slack("tenders", t, COUNT_PENALTY)
            model.add(pulp.lpSum(starts) <= limit + slack, "tenders", t)


def add_kpi_closure_constraints(model: PortfolioModel) -> None:
    """Gap-closure credit capped at the gap (no reward beyond the target):

        z_q ≤ Σ_p δ[p,q] · x_p,   z_q ≤ G_q (variable bound)

    δ[p,q] is the project's change of KPI q towards its target (negative when it
    worsens it). Maximising Σ_q w_q z_q makes z_q = min(G_q, Σ_p δ x_p).
    Name: ``closure_<q>``.
    """
    data, v, ex = model.data, model.v, model.ex
    for key, z in v.closure.items():
        change = pulp.lpSum(
            d * ex.selected[p] for (p, q), d in data.improvement.items() if q == key
        )
        model.add(z <= change, "closure", key)


def add_band_constraints(model: PortfolioModel) -> None:
    """U4SSC band indicators (mode ``u4ssc_points``): b[q,k] = 1 only if the projected
    KPI value V_q = baseline_q + Σ_p Δ[p,q] x_p reaches threshold θ_k (33/66/95 %):

        higher is better:  V_q ≥ θ_k·T_q − M (1 − b[q,k])
        lower is better:   V_q ≤ T_q/θ_k + M (1 − b[q,k])
        b[q,k] ≤ b[q,k−1]

    M is the widest possible miss given the projects' impacts (tight big-M). The
    reported projection is V_q held in the KPI's physical range [L_q, U_q] (0–100 for
    shares); for a target inside that range, V_q reaches θ_k·T_q exactly when the
    bounded value does, so the linear V_q gives the same bands.
    Names: ``band_<q>_<k>``, ``band_order_<q>_<k>``.
    """
    data, v, ex = model.data, model.v, model.ex
    if not v.band:
        return
    for key, kpi in data.kpis.items():
        impacts = [(p, d) for (p, q), d in data.impact.items() if q == key]
        value = kpi.baseline + pulp.lpSum(d * ex.selected[p] for p, d in impacts)
        lowest = kpi.baseline + sum(min(0.0, d) for _p, d in impacts)
        highest = kpi.baseline + sum(max(0.0, d) for _p, d in impacts)
        higher = kpi.direction > 0
        for k, threshold in enumerate(BAND_THRESHOLDS):
            band = v.band[key, k]
            bound = band_value(threshold, kpi.target, higher) if kpi.target > 0 else kpi.target
            if higher:
                big_m = bound - lowest
                reachable = highest >= bound - 1e-9
            else:
                big_m = highest - bound
                reachable = lowest <= bound + 1e-9
            if not reachable:
                model.add(band == 0, "band", key, k)
            elif big_m > 0:
                if higher:
                    model.add(value >= bound - big_m * (1 - band), "band", key, k)
                else:
                    model.add(value <= bound + big_m * (1 - band), "band", key, k)
            if k:
                model.add(band <= v.band[key, k - 1], "band_order", key, k)


def add_dimension_share_constraints(model: PortfolioModel) -> None:
    """Minimum share of the weighted KPI improvement per dimension D:

        Σ_{q∈D} w_q Σ_p δ[p,q] x_p  ≥  s_D · Σ_q w_q Σ_p δ[p,q] x_p   (+ e_D)

    with w_q the gap-closure coefficient. Name: ``dimension_share_<D>``.
    """
    data, ex = model.data, model.ex
    shares = data.scenario.constraints.min_dimension_share
    if not shares or data.mode == "value":
        return
    penalty = COUNT_PENALTY / 100.0
    for dimension, share in sorted(shares.items()):
        terms = []
        for (pid, key), delta in data.improvement.items():
            kpi = data.kpis[key]
            weight = kpi.coefficient * delta * ((1 if kpi.dimension == dimension else 0) - share)
            if weight:
                terms.append((pid, weight))
        slack = model.slack("min_dimension_share", dimension, penalty)
        expr = pulp.lpSum(w * ex.selected[p] for p, w in terms)
        model.add(expr + slack >= 0, "dimension_share", dimension)
