"""Turn a verified plan into the result's tables (selected projects, cash flow, KPIs, tenders)."""

from __future__ import annotations

from collections import defaultdict

from decision_support.portfolio.benchmark import achievement, benchmark_band
from decision_support.portfolio.data import ModelData
from decision_support.portfolio.plan import Plan, PlanEvaluation
from decision_support.portfolio.result import (
    KPIProjection,
    ProcurementItem,
    SelectedProject,
    YearCashFlow,
)


def selected_projects(data: ModelData, plan: Plan) -> list[SelectedProject]:
    """Selected projects in start order, with funding by mechanism (own budget included)."""
    by_year: dict[str, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for (pid, mid, t), amount in plan.funding.items():
        by_year[pid][mid][t] = by_year[pid][mid].get(t, 0.0) + amount
    rows = []
    for pid, start in sorted(plan.starts.items(), key=lambda item: (item[1], item[0])):
        project = data.projects[pid]
        funding_by_year = {mid: dict(years) for mid, years in by_year[pid].items()}
        own: dict[int, float] = {}
        for k, amount in enumerate(project.capex_profile):
            t = start + k
            external = sum(years.get(t, 0.0) for years in funding_by_year.values())
            if amount - external > 1e-6:
                own[t] = amount - external
        if own:
            funding_by_year[data.own_id] = own
        rows.append(
            SelectedProject(
                id=pid,
                name=project.name,
                start_year=start,
                completion_year=data.completion_year(pid, start),
                capex_total=project.capex_total,
                funding={mid: sum(years.values()) for mid, years in funding_by_year.items()},
                funding_by_year=funding_by_year,
                tags=project.tags,
                mandatory=pid in data.mandatory,
            )
        )
    return rows


def cash_flow(data: ModelData, ev: PlanEvaluation) -> list[YearCashFlow]:
    """Own budget use, debt service and the debt-service ratio, year by year."""
    rows = []
    for t in data.years:
        revenue = data.revenue[t] or None
        total_ds = ev.counted_debt_service[t] + data.existing_debt_service[t]
        rows.append(
            YearCashFlow(
                year=t,
                budget=data.budget[t],
                available=ev.available[t],
                own_funds_used=ev.own_spend[t],
                own_capex=ev.own_capex[t],
                debt_service=ev.debt_service[t],
                issuance_costs=ev.issuance[t],
                opex=ev.opex[t],
                savings=ev.savings[t],
                carry_over_out=ev.carry_out[t],
                external_funding=sum(a for (_m, y), a in ev.drawn.items() if y == t),
                existing_debt_service=data.existing_debt_service[t],
                revenue=revenue,
                debt_service_ratio=total_ds / revenue if revenue else None,
                debt_service_ratio_limit=data.dsr_limit,
            )
        )
    return rows


def funding_plan(data: ModelData, plan: Plan, ev: PlanEvaluation) -> dict[str, dict[int, float]]:
    """Amounts by mechanism and year, own budget included."""
    result: dict[str, dict[int, float]] = defaultdict(dict)
    for (mid, t), amount in sorted(ev.drawn.items()):
        result[mid][t] = amount
    for t in data.years:
        if ev.own_capex[t] > 1e-6:
            result[data.own_id][t] = ev.own_capex[t]
    return dict(result)


def kpi_projection(data: ModelData, plan: Plan, ev: PlanEvaluation) -> list[KPIProjection]:
    """Each KPI before and after the portfolio, with achievement and U4SSC band."""
    rows = []
    for key, kpi in data.kpis.items():
        higher = kpi.direction > 0
        before = achievement(kpi.baseline, kpi.target, higher)
        after = achievement(ev.projected[key], kpi.target, higher)
        contributors = tuple(sorted(p for (p, q) in data.impact if q == key and p in plan.starts))
        rows.append(
            KPIProjection(
                key=key,
                code=kpi.code,
                name=kpi.name,
                dimension=kpi.dimension,
                direction="higher_is_better" if higher else "lower_is_better",
                baseline=kpi.baseline,
                target=kpi.target,
                projected=ev.projected[key],
                achievement_before=before,
                achievement_after=after,
                band_before=benchmark_band(before),
                band_after=benchmark_band(after),
                gap_closed_share=ev.closure[key] / kpi.gap if kpi.gap > 0 else None,
                contributors=contributors,
            )
        )
    return rows


def u4ssc_score(rows: list[KPIProjection]) -> dict[str, float | None]:
    """Projected U4SSC score: points as a percentage of the maximum, before and after."""
    if not rows:
        return {"before": None, "after": None}
    maximum = 4 * len(rows)
    before = sum(r.band_before or 0 for r in rows)
    after = sum(r.band_after or 0 for r in rows)
    return {"before": 100.0 * before / maximum, "after": 100.0 * after / maximum}


def procurement_plan(data: ModelData, plan: Plan) -> list[ProcurementItem]:
    """When each selected project's tender is launched and its contract starts."""
    rows = []
    for pid, start in sorted(plan.starts.items(), key=lambda item: (item[1], item[0])):
        spec = data.projects[pid].procurement
        rows.append(
            ProcurementItem(
                project_id=pid,
                tender_launch_year=data.launch_year(pid, start),
                contract_start_year=start,
                lead_time_days=data.lead_days[pid],
                procedure=spec.procedure if spec else "",
                category=spec.category if spec else "",
                estimated_value=(
                    spec.estimated_value
                    if spec and spec.estimated_value is not None
                    else data.projects[pid].capex_total
                ),
            )
        )
    return rows
