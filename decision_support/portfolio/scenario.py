"""The portfolio scenario: what the optimiser is asked to decide, as typed dataclasses.

Reading and writing scenario documents lives in
:mod:`decision_support.portfolio.scenario_file`; a rejected scenario raises
:class:`ScenarioError`, whose problems each name their field path
(``projects[3].capex_profile[1]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from decision_support.errors import InputError

OWN_BUDGET_ID = "own_budget"
_DATA_POINT_KEY = re.compile(r"^(?P<code>.*?)\s*\[(?P<point>[^\]]+)\]\s*$")


class ScenarioError(InputError):
    """A scenario file or mapping was rejected; each problem names its field path."""


@dataclass(frozen=True)
class ProcurementSpec:
    """What is bought and how; ``lead_time_days`` overrides any rule-pack estimate."""

    category: str = ""
    estimated_value: float | None = None
    cpv: str = ""
    procedure: str = ""
    lead_time_days: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProjectSpec:
    """A candidate project. ``capex_profile[k]`` is spent in year ``start + k``."""

    id: str
    capex_profile: tuple[float, ...]
    name: str = ""
    description: str = ""
    opex_per_year: float = 0.0
    savings_per_year: float = 0.0
    value: float = 0.0
    impacts: dict[str, float] = field(default_factory=dict)
    earliest_start: int | None = None
    latest_start: int | None = None
    low_cost: bool = False
    tags: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    procurement: ProcurementSpec | None = None

    @property
    def capex_total(self) -> float:
        return float(sum(self.capex_profile))

    @property
    def duration_years(self) -> int:
        return len(self.capex_profile)


@dataclass(frozen=True)
class MechanismSpec:
    """A financing mechanism (own budget, loan, bond, grant, PPP, EPC …).

    Repayable types are paid back from the own budget: ``grace_years`` of
    interest only, then ``style`` annuity or linear repayment up to
    ``tenor_years``, starting the year after the money is drawn.
    ``issuance_cost`` is a fraction of the amount, paid in the drawing year.
    ``cofinancing_share`` (grants) is the share of the funded cost the city
    must match from its own budget. ``award_probability`` is reported, not
    optimised.
    """

    id: str
    type: str
    name: str = ""
    rate: float = 0.0
    tenor_years: int = 1
    grace_years: int = 0
    style: str = "annuity"
    issuance_cost: float = 0.0
    max_share: float = 1.0
    min_amount: float = 0.0
    max_amount: float | None = None
    capacity_total: float | None = None
    capacity_by_year: dict[int, float] | None = None
    eligible_tags: tuple[str, ...] = ()
    counts_as_debt: bool = False
    cofinancing_share: float = 0.0
    lead_time_years: int = 0
    award_probability: float = 1.0

    @property
    def repayable(self) -> bool:
        """True when the city pays the money back (everything but own budget and grants)."""
        return self.type not in ("own_budget", "grant")


@dataclass(frozen=True)
class KPITarget:
    """A KPI (or one data point of it) with the city's baseline and target."""

    code: str
    baseline: float
    target: float
    data_point: str | None = None
    weight: float = 1.0
    direction: str | None = None

    @property
    def key(self) -> str:
        """How project impacts refer to this KPI: ``code`` or ``code [data point]``."""
        return f"{self.code} [{self.data_point}]" if self.data_point else self.code


@dataclass(frozen=True)
class Budget:
    by_year: dict[int, float] = field(default_factory=dict)
    carry_over: bool = False


@dataclass(frozen=True)
class Fiscal:
    revenue_by_year: dict[int, float] = field(default_factory=dict)
    existing_debt_service_by_year: dict[int, float] = field(default_factory=dict)
    max_debt_service_ratio: float | None = None


@dataclass(frozen=True)
class ObjectiveSpec:
    mode: str = "gap_closure"
    dimension_weights: dict[str, float] = field(default_factory=dict)
    financing_tolerance: float = 0.001


@dataclass(frozen=True)
class ConstraintSpec:
    mandatory: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    min_low_cost_projects: int = 0
    max_tenders_per_year: int | None = None
    min_dimension_share: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """Everything the optimiser needs; years run ``start_year … end_year``."""

    start_year: int
    horizon_years: int
    projects: tuple[ProjectSpec, ...]
    name: str = "Unnamed scenario"
    city: str = ""
    currency: str = "EUR"
    planning_date: date | None = None
    discount_rate: float = 0.03
    budget: Budget = field(default_factory=Budget)
    fiscal: Fiscal = field(default_factory=Fiscal)
    kpis: tuple[KPITarget, ...] = ()
    objective: ObjectiveSpec = field(default_factory=ObjectiveSpec)
    constraints: ConstraintSpec = field(default_factory=ConstraintSpec)
    mechanisms: tuple[MechanismSpec, ...] = ()

    @property
    def end_year(self) -> int:
        return self.start_year + self.horizon_years - 1

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.start_year, self.end_year + 1))

    @property
    def own_budget_id(self) -> str:
        """The id under which own-budget funding is reported."""
        for mechanism in self.mechanisms:
            if mechanism.type == "own_budget":
                return mechanism.id
        return OWN_BUDGET_ID

    def project(self, project_id: str) -> ProjectSpec:
        for project in self.projects:
            if project.id == project_id:
                return project
        raise KeyError(project_id)

    def with_constraints(self, **changes: Any) -> Scenario:
        """A copy with some constraint fields replaced (force in/out, what-ifs)."""
        from dataclasses import replace

        return replace(self, constraints=replace(self.constraints, **changes))


def split_kpi_key(key: str) -> tuple[str, str | None]:
    """``"EN: EN: AQ: 1C [PM2.5]"`` → ``("EN: EN: AQ: 1C", "PM2.5")``."""
    match = _DATA_POINT_KEY.match(key)
    if match:
        return match["code"].strip(), match["point"].strip()
    return key.strip(), None
