"""Linear expressions shared by several constraint families (built once per model).

==================  ===============================================================
symbol              definition
==================  ===============================================================
x_p                 Σ_{s∈A_p} y[p,s]                                   (selected)
K[p,t]              Σ_s c[p,s,t] · y[p,s]                   (capital spend in t)
X[p,t]              Σ_m f[p,m,t]                            (external funding)
D[m,t]              Σ_p f[p,m,t]                            (drawn from m in t)
N[t]                Σ_{p,s} (o[p,s,t] − v[p,s,t]) · y[p,s]  (opex net of savings)
S[t]                Σ_m Σ_{τ<t} φ_m[t−τ] · D[m,τ]           (new debt service)
S^debt[t]           the same over mechanisms with ``counts_as_debt``
I[t]                Σ_m ι_m · D[m,t]                        (issuance costs)
O[t]                Σ_p (K[p,t] − X[p,t]) + N[t] + S[t] + I[t]   (own funds used)
==================  ===============================================================
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pulp

from decision_support.portfolio.data import ModelData
from decision_support.portfolio.variables import ModelVariables


@dataclass
class ModelExpressions:
    selected: dict[str, pulp.LpAffineExpression]
    capex: dict[tuple[str, int], pulp.LpAffineExpression]
    external: dict[tuple[str, int], pulp.LpAffineExpression]
    drawn: dict[tuple[str, int], pulp.LpAffineExpression]
    net_opex: dict[int, pulp.LpAffineExpression]
    debt_service: dict[int, pulp.LpAffineExpression]
    counted_debt_service: dict[int, pulp.LpAffineExpression]
    own_spend: dict[int, pulp.LpAffineExpression]
    by_project_mechanism: dict[tuple[str, str], list[pulp.LpVariable]]
    by_project: dict[str, list[pulp.LpVariable]]


def build_expressions(data: ModelData, v: ModelVariables) -> ModelExpressions:
    """Precompute x_p, K, X, D, N, S, S^debt and O as sparse affine expressions."""
    selected = {pid: v.selected(data, pid) for pid in data.projects}

    capex_terms: dict[tuple[str, int], list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
    for (pid, s, t), amount in data.capex.items():
        capex_terms[pid, t].append((v.start[pid, s], amount))
    capex = {key: pulp.LpAffineExpression(terms) for key, terms in capex_terms.items()}

    by_project_mechanism: dict[tuple[str, str], list[pulp.LpVariable]] = defaultdict(list)
    by_project: dict[str, list[pulp.LpVariable]] = defaultdict(list)
    external_terms: dict[tuple[str, int], list[pulp.LpVariable]] = defaultdict(list)
    drawn_terms: dict[tuple[str, int], list[pulp.LpVariable]] = defaultdict(list)
    for (pid, mid, t), var in v.funding.items():
        external_terms[pid, t].append(var)
        drawn_terms[mid, t].append(var)
        by_project_mechanism[pid, mid].append(var)
        by_project[pid].append(var)
    external = {key: pulp.lpSum(terms) for key, terms in external_terms.items()}
    drawn = {key: pulp.lpSum(terms) for key, terms in drawn_terms.items()}

    net_terms: dict[int, dict[pulp.LpVariable, float]] = {t: defaultdict(float) for t in data.years}
    for (pid, s, t), amount in data.opex.items():
        net_terms[t][v.start[pid, s]] += amount
    for (pid, s, t), amount in data.savings.items():
        net_terms[t][v.start[pid, s]] -= amount
    net_opex = {t: pulp.LpAffineExpression(list(terms.items())) for t, terms in net_terms.items()}

    service: dict[int, dict[pulp.LpVariable, float]] = {t: defaultdict(float) for t in data.years}
    counted: dict[int, dict[pulp.LpVariable, float]] = {t: defaultdict(float) for t in data.years}
    issuance: dict[int, dict[pulp.LpVariable, float]] = {t: defaultdict(float) for t in data.years}
    for (_pid, mid, tau), var in v.funding.items():
        mechanism = data.mechanisms[mid]
        if mechanism.issuance_cost:
            issuance[tau][var] += mechanism.issuance_cost
        for k, phi in enumerate(data.payment_factor[mid]):
            t = tau + k
            if k == 0 or t > data.last_year or not phi:
                continue
            service[t][var] += phi
            if mechanism.counts_as_debt:
                counted[t][var] += phi
    debt_service = {t: pulp.LpAffineExpression(list(terms.items())) for t, terms in service.items()}
    counted_debt_service = {
        t: pulp.LpAffineExpression(list(terms.items())) for t, terms in counted.items()
    }

    spend_terms: dict[int, dict[pulp.LpVariable, float]] = {
        t: defaultdict(float) for t in data.years
    }
    for (pid, s, year), amount in data.capex.items():
        spend_terms[year][v.start[pid, s]] += amount
    for (_pid, _mid, year), var in v.funding.items():
        spend_terms[year][var] -= 1.0
    own_spend = {}
    for t in data.years:
        terms = spend_terms[t]
        for source in (net_terms[t], service[t], issuance[t]):
            for var, coefficient in source.items():
                terms[var] += coefficient
        own_spend[t] = pulp.LpAffineExpression(list(terms.items()))

    return ModelExpressions(
        selected=selected,
        capex=capex,
        external=external,
        drawn=drawn,
        net_opex=net_opex,
        debt_service=debt_service,
        counted_debt_service=counted_debt_service,
        own_spend=own_spend,
        by_project_mechanism=dict(by_project_mechanism),
        by_project=dict(by_project),
    )
