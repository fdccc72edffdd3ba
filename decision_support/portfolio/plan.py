"""A plan (start years and external funding) and its plain-Python evaluation.

The same arithmetic serves the verifier, the greedy ranking, the warm start and
the reports, so the numbers a user sees are recomputed from the plan itself,
never read back from the solver's rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from decision_support.portfolio.benchmark import BAND_THRESHOLDS, achievement, benchmark_band
from decision_support.portfolio.data import ModelData


@dataclass
class Plan:
    """Which projects start when, and what each external mechanism pays for in which year.

    Own-budget funding is the rest of each project's capital spending.
    """

    starts: dict[str, int] = field(default_factory=dict)
    funding: dict[tuple[str, str, int], float] = field(default_factory=dict)


@dataclass
class PlanEvaluation:
    """Yearly money flows, KPI projections and objective parts of a plan."""

    capex: dict[tuple[str, int], float]
    external: dict[tuple[str, int], float]
    own_capex: dict[int, float]
    opex: dict[int, float]
    savings: dict[int, float]
    drawn: dict[tuple[str, int], float]
    debt_service: dict[int, float]  # all repayable mechanisms
    counted_debt_service: dict[int, float]  # those that count against the ratio limit
    issuance: dict[int, float]
    own_spend: dict[int, float]
    carry_out: dict[int, float]
    available: dict[int, float]
    tenders: dict[int, int]
    projected: dict[str, float]
    closure: dict[str, float]
    bands_after: dict[str, int]
    kpi_gap_closure: float
    u4ssc_points: float
    project_value: float
    financing_cost: float
    kpi_part: float = 0.0  # the KPI term of the model's objective mode

    @property
    def impact(self) -> float:
        """The solve-1 objective for the model's mode (KPI part + project values)."""
        return self.kpi_part + self.project_value


def evaluate_plan(data: ModelData, plan: Plan) -> PlanEvaluation:
    """Compute every quantity the constraints and reports need from ``plan``."""
    years = data.years
    capex: dict[tuple[str, int], float] = defaultdict(float)
    opex = dict.fromkeys(years, 0.0)
    savings = dict.fromkeys(years, 0.0)
    tenders = dict.fromkeys(years, 0)
    last = data.last_year
    for pid, s in plan.starts.items():
        project = data.projects[pid]
        for k, amount in enumerate(project.capex_profile):
            if amount > 0:
                capex[pid, s + k] += amount
        for t in range(s + project.duration_years, last + 1):
            opex[t] += project.opex_per_year
            savings[t] += project.savings_per_year
        launch = data.launch_year(pid, s)
        if launch in tenders:
            tenders[launch] += 1

    external: dict[tuple[str, int], float] = defaultdict(float)
    drawn: dict[tuple[str, int], float] = defaultdict(float)
    for (pid, mid, t), amount in plan.funding.items():
        external[pid, t] += amount
        drawn[mid, t] += amount

    own_capex = dict.fromkeys(years, 0.0)
    for (pid, t), amount in capex.items():
        if t in own_capex:  # a start outside the windows is reported by the verifier
            own_capex[t] += amount - external.get((pid, t), 0.0)

    debt_service = dict.fromkeys(years, 0.0)
    counted = dict.fromkeys(years, 0.0)
    issuance = dict.fromkeys(years, 0.0)
    financing_cost = 0.0
    for (mid, tau), amount in drawn.items():
        mechanism = data.mechanisms[mid]
        issuance[tau] += mechanism.issuance_cost * amount
        financing_cost += data.unit_financing_cost[mid, tau] * amount
        for k, phi in enumerate(data.payment_factor[mid]):
            t = tau + k
            if k and t in debt_service:
                debt_service[t] += phi * amount
                if mechanism.counts_as_debt:
                    counted[t] += phi * amount

    own_spend = {
        t: own_capex[t] + opex[t] - savings[t] + debt_service[t] + issuance[t] for t in years
    }
    carry_out: dict[int, float] = {}
    available: dict[int, float] = {}
    carried = 0.0
    for t in years:
        available[t] = data.budget[t] + carried
        left = available[t] - own_spend[t]
        carry_out[t] = max(0.0, left) if data.scenario.budget.carry_over else 0.0
        carried = carry_out[t]

    projected = {}
    closure = {}
    bands_after = {}
    kpi_gap_closure = 0.0
    u4ssc_points = 0.0
    change: dict[str, float] = defaultdict(float)
    improvement: dict[str, float] = defaultdict(float)
    for pid in plan.starts:
        for key, delta in data.impacts_by_project.get(pid, ()):
            change[key] += delta
            improvement[key] += data.improvement[pid, key]
    for key, kpi in data.kpis.items():
        # the linear sum can pass a physical limit (a share above 100 %); the KPI cannot
        projected[key] = kpi.bounded(kpi.baseline + change[key])
        closure[key] = min(kpi.gap, improvement[key])
        kpi_gap_closure += kpi.coefficient * closure[key]
        share = achievement(projected[key], kpi.target, kpi.direction > 0)
        bands_after[key] = benchmark_band(share)
        u4ssc_points += kpi.weight * (bands_after[key] - 1)
    project_value = sum(data.projects[pid].value for pid in plan.starts)

    evaluation = PlanEvaluation(
        capex=dict(capex),
        external=dict(external),
        own_capex=own_capex,
        opex=opex,
        savings=savings,
        drawn=dict(drawn),
        debt_service=debt_service,
        counted_debt_service=counted,
        issuance=issuance,
        own_spend=own_spend,
        carry_out=carry_out,
        available=available,
        tenders=tenders,
        projected=projected,
        closure=closure,
        bands_after=bands_after,
        kpi_gap_closure=kpi_gap_closure,
        u4ssc_points=u4ssc_points,
        project_value=project_value,
        financing_cost=financing_cost,
    )
    if data.mode == "gap_closure":
        evaluation.kpi_part = kpi_gap_closure
    elif data.mode == "u4ssc_points":
        evaluation.kpi_part = u4ssc_points
    return evaluation


def band_thresholds_met(data: ModelData, key: str, value: float) -> list[bool]:
    """Which of the U4SSC band thresholds (33, 66, 95 %) a KPI value reaches."""
    kpi = data.kpis[key]
    share = achievement(value, kpi.target, kpi.direction > 0)
    return [share >= threshold - 1e-9 for threshold in BAND_THRESHOLDS]
