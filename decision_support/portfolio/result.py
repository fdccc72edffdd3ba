"""What an optimisation returns: :class:`PortfolioResult` and its parts.

``PortfolioResult.to_dict()`` is the JSON document printed by
``decision-support optimise --json`` and stored by the web app; its keys are a
stable interface (see ``docs/portfolio.md``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

STATUS_OPTIMAL = "optimal"
STATUS_FEASIBLE = "feasible"  # stopped (time limit) with a verified plan and a known gap
STATUS_INFEASIBLE = "infeasible"
STATUS_NOT_SOLVED = "not_solved"  # stopped before any plan was found


@dataclass(frozen=True)
class ObjectiveParts:
    """The objective and its parts. ``value`` is what solve 1 maximised."""

    value: float
    mode: str
    kpi_gap_closure: float = 0.0
    u4ssc_points: float = 0.0
    project_value: float = 0.0
    financing_cost: float = 0.0  # present cost of interest, fees minus grants (solve 2)
    best_bound: float | None = None


@dataclass(frozen=True)
class SelectedProject:
    id: str
    name: str
    start_year: int
    completion_year: int
    capex_total: float
    funding: dict[str, float]
    funding_by_year: dict[str, dict[int, float]]
    tags: tuple[str, ...] = ()
    mandatory: bool = False


@dataclass(frozen=True)
class YearCashFlow:
    year: int
    budget: float
    available: float  # budget plus carry-over from earlier years
    own_funds_used: float
    own_capex: float
    debt_service: float  # new debt service of the portfolio (repayable mechanisms)
    issuance_costs: float
    opex: float
    savings: float
    carry_over_out: float
    external_funding: float
    existing_debt_service: float = 0.0
    revenue: float | None = None
    debt_service_ratio: float | None = None
    debt_service_ratio_limit: float | None = None


@dataclass(frozen=True)
class KPIProjection:
    key: str
    code: str
    name: str
    dimension: str
    direction: str
    baseline: float
    target: float
    projected: float
    achievement_before: float | None
    achievement_after: float | None
    band_before: int | None
    band_after: int | None
    gap_closed_share: float | None
    contributors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProcurementItem:
    project_id: str
    tender_launch_year: int
    contract_start_year: int
    lead_time_days: int
    procedure: str = ""
    category: str = ""
    estimated_value: float | None = None


@dataclass(frozen=True)
class Relaxation:
    """One constraint that must give for a plan to exist, and by how much."""

    family: str
    constraint: str
    amount: float
    message: str
    year: int | None = None
    project_id: str | None = None


@dataclass(frozen=True)
class Diagnosis:
    summary: str
    relaxations: tuple[Relaxation, ...]


@dataclass(frozen=True)
class Explanations:
    projects: tuple[dict[str, Any], ...] = ()
    left_out: tuple[dict[str, Any], ...] = ()
    marginal_budget: tuple[dict[str, Any], ...] = ()
    greedy: dict[str, Any] | None = None
    notes: tuple[str, ...] = ()
    skipped: tuple[dict[str, Any], ...] = ()  # re-solves that did not fit, with the reason


@dataclass(frozen=True)
class Verification:
    passed: bool
    violations: tuple[str, ...] = ()


@dataclass
class PortfolioResult:
    """The recommended portfolio, how sure we are of it, and why."""

    scenario_name: str
    currency: str
    status: str
    proven_optimal: bool
    mip_gap: float | None
    objective: ObjectiveParts | None
    selected: list[SelectedProject] = field(default_factory=list)
    cash_flow: list[YearCashFlow] = field(default_factory=list)
    funding_plan: dict[str, dict[int, float]] = field(default_factory=dict)
    kpi_projection: list[KPIProjection] = field(default_factory=list)
    u4ssc_score: dict[str, float | None] = field(default_factory=dict)
    procurement_plan: list[ProcurementItem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    diagnosis: Diagnosis | None = None
    explanations: Explanations | None = None
    verification: Verification | None = None
    solver: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def selected_ids(self) -> list[str]:
        return [p.id for p in self.selected]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``decision-support optimise --json`` (years as string keys)."""
        raw = asdict(self)
        return _stringify_keys(raw)


def _stringify_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _stringify_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stringify_keys(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    return value
