"""The portfolio scenario: what the optimiser is asked to decide, as typed dataclasses.

A scenario comes from a YAML/JSON file (:func:`load_scenario`), from a plain
mapping (:func:`parse_scenario`, used by the web layer after building one from
the database) or is written back with :func:`scenario_to_dict`. Parsing runs the
JSON Schema first, then the semantic checks of
:mod:`decision_support.portfolio.validation`; all problems are reported at once
in a :class:`ScenarioError`, each naming its field path
(``projects[3].capex_profile[1]``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from decision_support.errors import InputError, Problem
from decision_support.files.documents import DocumentError, read_document_file
from decision_support.portfolio.schema import normalise_keys, schema_problems

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


def _years(mapping: dict[str, Any] | None) -> dict[int, float]:
    return {int(year): float(amount) for year, amount in (mapping or {}).items()}


def _procurement(raw: dict[str, Any] | None) -> ProcurementSpec | None:
    if raw is None:
        return None
    known = {"category", "estimated_value", "cpv", "procedure", "lead_time_days"}
    return ProcurementSpec(
        category=raw.get("category", ""),
        estimated_value=raw.get("estimated_value"),
        cpv=raw.get("cpv", ""),
        procedure=raw.get("procedure", ""),
        lead_time_days=raw.get("lead_time_days"),
        extra={k: v for k, v in raw.items() if k not in known},
    )


def _project(raw: dict[str, Any]) -> ProjectSpec:
    return ProjectSpec(
        id=raw["id"],
        name=raw.get("name", raw["id"]),
        description=raw.get("description", ""),
        capex_profile=tuple(float(v) for v in raw["capex_profile"]),
        opex_per_year=float(raw.get("opex_per_year", 0.0)),
        savings_per_year=float(raw.get("savings_per_year", 0.0)),
        value=float(raw.get("value", 0.0)),
        impacts={k: float(v) for k, v in raw.get("impacts", {}).items()},
        earliest_start=raw.get("earliest_start"),
        latest_start=raw.get("latest_start"),
        low_cost=bool(raw.get("low_cost", False)),
        tags=tuple(raw.get("tags", ())),
        requires=tuple(raw.get("requires", ())),
        excludes=tuple(raw.get("excludes", ())),
        procurement=_procurement(raw.get("procurement")),
    )


def _mechanism(raw: dict[str, Any]) -> MechanismSpec:
    kind = raw["type"]
    capacity = raw.get("capacity_by_year")
    return MechanismSpec(
        id=raw["id"],
        type=kind,
        name=raw.get("name", raw["id"]),
        rate=float(raw.get("rate", 0.0)),
        tenor_years=int(raw.get("tenor_years", 1)),
        grace_years=int(raw.get("grace_years", 0)),
        style=raw.get("style", "annuity"),
        issuance_cost=float(raw.get("issuance_cost", 0.0)),
        max_share=float(raw.get("max_share", 1.0)),
        min_amount=float(raw.get("min_amount", 0.0)),
        max_amount=raw.get("max_amount"),
        capacity_total=raw.get("capacity_total"),
        capacity_by_year=_years(capacity) if capacity is not None else None,
        eligible_tags=tuple(raw.get("eligible_tags", ())),
        counts_as_debt=bool(raw.get("counts_as_debt", kind in ("loan", "bond", "green_bond"))),
        cofinancing_share=float(raw.get("cofinancing_share", 0.0)),
        lead_time_years=int(raw.get("lead_time_years", 0)),
        award_probability=float(raw.get("award_probability", 1.0)),
    )


def _build(doc: dict[str, Any]) -> Scenario:
    budget = doc.get("budget", {})
    fiscal = doc.get("fiscal", {})
    objective = doc.get("objective", {})
    constraints = doc.get("constraints", {})
    planning = doc.get("planning_date")
    return Scenario(
        name=doc.get("name", "Unnamed scenario"),
        city=doc.get("city", ""),
        currency=doc.get("currency", "EUR"),
        start_year=int(doc["start_year"]),
        horizon_years=int(doc["horizon_years"]),
        planning_date=date.fromisoformat(planning) if planning else None,
        discount_rate=float(doc.get("discount_rate", 0.03)),
        budget=Budget(_years(budget.get("by_year")), bool(budget.get("carry_over", False))),
        fiscal=Fiscal(
            revenue_by_year=_years(fiscal.get("revenue_by_year")),
            existing_debt_service_by_year=_years(fiscal.get("existing_debt_service_by_year")),
            max_debt_service_ratio=fiscal.get("max_debt_service_ratio"),
        ),
        kpis=tuple(
            KPITarget(
                code=k["code"],
                data_point=k.get("data_point"),
                baseline=float(k["baseline"]),
                target=float(k["target"]),
                weight=float(k.get("weight", 1.0)),
                direction=k.get("direction"),
            )
            for k in doc.get("kpis", [])
        ),
        objective=ObjectiveSpec(
            mode=objective.get("mode", "gap_closure"),
            dimension_weights={
                k: float(v) for k, v in objective.get("dimension_weights", {}).items()
            },
            financing_tolerance=float(objective.get("financing_tolerance", 0.001)),
        ),
        constraints=ConstraintSpec(
            mandatory=tuple(constraints.get("mandatory", ())),
            excluded=tuple(constraints.get("excluded", ())),
            min_low_cost_projects=int(constraints.get("min_low_cost_projects", 0)),
            max_tenders_per_year=constraints.get("max_tenders_per_year"),
            min_dimension_share={
                k: float(v) for k, v in constraints.get("min_dimension_share", {}).items()
            },
        ),
        projects=tuple(_project(p) for p in doc["projects"]),
        mechanisms=tuple(_mechanism(m) for m in doc.get("mechanisms", [])),
    )


def parse_scenario(document: Any) -> Scenario:
    """Validate a scenario mapping (schema, then semantics) and build the dataclasses.

    Raises :class:`ScenarioError` listing every problem found.
    """
    from decision_support.portfolio.validation import check_scenario

    if not isinstance(document, dict):
        raise ScenarioError(Problem("a scenario must be a mapping of fields", field="(top level)"))
    doc = normalise_keys(document)
    problems = schema_problems(doc)
    if problems:
        raise ScenarioError(problems)
    scenario = _build(doc)
    check_scenario(scenario)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read a ``.yaml``/``.yml``/``.json`` scenario file and validate it."""
    path = Path(path)
    if not path.is_file():  # a missing file stays an OSError (the CLI names it)
        path.read_bytes()
    try:
        document = read_document_file(path)
    except DocumentError as exc:
        raise ScenarioError(exc.problems) from None
    return parse_scenario(document)


def _drop_defaults(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_defaults(v) for k, v in value.items() if v not in (None, (), [], {}, "")}
    if isinstance(value, list | tuple):
        return [_drop_defaults(v) for v in value]
    return value


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as a plain mapping that :func:`parse_scenario` reads back unchanged."""
    raw = asdict(scenario)
    if scenario.planning_date:
        raw["planning_date"] = scenario.planning_date.isoformat()
    for project in raw["projects"]:
        procurement = project.get("procurement")
        if procurement:
            procurement.update(procurement.pop("extra", {}))
    return dict(_drop_defaults(raw))


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as YAML text (the file a user downloads)."""
    return yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True)
