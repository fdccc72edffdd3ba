"""Domain objects of the project library and of a city's candidate projects.

A :class:`ProjectTemplate` is generic, sourced library data (money in its source currency
and price year, impacts as formulas of the city's size). :func:`~decision_support.projects.
instantiate.instantiate` turns it into a :class:`CandidateProject` for one
:class:`CityProfile`: concrete money in the city's currency and concrete KPI changes in
each KPI's own unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from decision_support.errors import InputError
from decision_support.kpis.catalogue import compact_code

Level = Literal["low", "medium", "high"]
ProcurementCategory = Literal["works", "supplies", "services"]
CostLevel = Literal["low", "typical", "high"]

LEVELS: tuple[str, ...] = ("low", "medium", "high")
CONFIDENCE_LEVELS = LEVELS
PROCUREMENT_CATEGORIES: tuple[str, ...] = ("works", "supplies", "services")
COST_LEVELS: tuple[str, ...] = ("low", "typical", "high")
FINANCING_TAGS: tuple[str, ...] = (
    "green",
    "social",
    "revenue-generating",
    "energy-saving",
    "digital",
    "innovation",
)
IMPACT_BASES: tuple[str, ...] = (
    "fixed",
    "per_unit",
    "per_unit_per_capita",
    "per_unit_per_100k",
    "share_of_households",
    "share_of_population",
    "share_of_total",
    "full_coverage",
    "relative",
)


class LibraryError(InputError):
    """The shipped (or a supplied) project library file is invalid."""


class ProjectError(InputError):
    """A candidate project (form, spreadsheet row, scenario file) is invalid."""


@dataclass(frozen=True)
class CostRange:
    """Low / typical / high estimate of one amount."""

    low: float
    typical: float
    high: float

    def at(self, level: str) -> float:
        """The amount at ``level`` (low, typical or high)."""
        return float(getattr(self, level))


@dataclass(frozen=True)
class SizeParameter:
    """The quantity a template scales with (meters, km, buildings, ...).

    ``default_value`` or ``default_from`` (a city size, times ``default_factor``) gives
    the size used when the caller names none.
    """

    name: str
    unit: str
    description: str
    default_value: float | None = None
    default_from: str | None = None
    default_factor: float = 1.0


@dataclass(frozen=True)
class TemplateImpact:
    """How a template moves one KPI, in the KPI's own unit.

    ``basis`` picks the formula (s = the template's size, P = population,
    H = households, T = the city size named by ``of``, B = the city's baseline value):

    ===================== =========================================
    fixed                 Δ = v
    per_unit              Δ = v·s
    per_unit_per_capita   Δ = v·s / P
    per_unit_per_100k     Δ = v·s / P · 100 000
    share_of_households   Δ = 100·v·s / H
    share_of_population   Δ = 100·v·s / P
    share_of_total        Δ = 100·v·s / T
    full_coverage         Δ = v · min(1, s/T)
    relative              Δ = v/100 · B · f,  f = min(1, s/T) if ``of`` else s if ``per`` else 1
    ===================== =========================================
    """

    kpi: str
    basis: str
    value: float
    confidence: str
    sources: tuple[str, ...]
    data_point: str | None = None
    per: str | None = None
    of: str | None = None
    note: str = ""
    estimate: str | None = None


@dataclass(frozen=True)
class Procurement:
    """How a template is typically bought."""

    category: str
    cpv: str
    contract: str
    cpv_label: str = ""
    includes_operation_years: float = 0.0


@dataclass(frozen=True)
class Risk:
    """Cost-overrun and delivery risk, each low / medium / high."""

    cost_overrun: str
    delivery: str


@dataclass(frozen=True)
class MoneyBlock:
    """A yearly amount (opex or savings): per unit of size and/or fixed, with sources."""

    per_unit: float = 0.0
    fixed: float = 0.0
    sources: tuple[str, ...] = ()
    note: str = ""
    estimate: str | None = None


@dataclass(frozen=True)
class ProjectTemplate:
    """One library entry: a generic, sourced smart-city project."""

    id: str
    name: str
    description: str
    sub_dimension: str
    intervention: str
    low_cost: bool
    size: SizeParameter
    impacts: tuple[TemplateImpact, ...]
    currency: str
    price_year: int
    capex_per_unit: CostRange | None
    capex_fixed: CostRange | None
    capex_profile: tuple[float, ...]
    capex_sources: tuple[str, ...]
    capex_estimate: str | None
    opex: MoneyBlock
    savings: MoneyBlock | None
    duration_years: float
    lifetime_years: float
    timing_sources: tuple[str, ...]
    timing_estimate: str | None
    procurement: Procurement
    tags: tuple[str, ...]
    requires: tuple[str, ...]
    excludes: tuple[str, ...]
    risk: Risk
    sources: dict[str, str]
    variant_of: str | None = None
    evidence_id: str = ""
    evidence_confidence: str = ""
    evidence_note: str = ""
    file: str = ""

    def source_urls(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        """The URLs behind a figure's source keys."""
        return tuple(self.sources[k] for k in keys)

    @property
    def estimate_notes(self) -> tuple[str, ...]:
        """Every plain-language estimate note of the template, labelled by figure."""
        notes: list[str] = []
        if self.capex_estimate:
            notes.append(f"capex: {self.capex_estimate}")
        if self.opex.estimate:
            notes.append(f"opex: {self.opex.estimate}")
        if self.savings is not None and self.savings.estimate:
            notes.append(f"savings: {self.savings.estimate} ({self.savings.note})")
        if self.timing_estimate:
            notes.append(f"timing: {self.timing_estimate}")
        for impact in self.impacts:
            if impact.estimate:
                where = f"{impact.kpi}|{impact.data_point}" if impact.data_point else impact.kpi
                notes.append(f"impact on {where}: {impact.estimate}")
        return tuple(notes)


@dataclass(frozen=True)
class CityProfile:
    """What instantiation needs to know about a city.

    ``sizes`` holds optional size parameters (see ``city_parameters.yaml``: water
    connections, km of mains, street lights, ...); ``baselines`` holds current KPI values
    keyed by compact code or ``"CODE|data point"`` (needed by ``relative`` impacts);
    ``eur_to_local`` converts library euros to the city's currency (1 for EUR).
    """

    name: str
    population: float
    households: float
    currency: str = "EUR"
    eur_to_local: float = 1.0
    sizes: dict[str, float] = field(default_factory=dict)
    baselines: dict[str, float] = field(default_factory=dict)

    def size(self, name: str) -> float | None:
        """A city size parameter by name (population and households included)."""
        if name == "population":
            return self.population
        if name == "households":
            return self.households
        return self.sizes.get(name)


@dataclass(frozen=True)
class CandidateImpact:
    """A concrete KPI change (in the KPI's own unit) a candidate project would cause."""

    kpi: str  # printed code, e.g. "EC: ICT: WS: 1C"
    change: float
    confidence: str
    source: str
    data_point: str | None = None
    note: str = ""

    @property
    def key(self) -> str:
        """``CODE`` or ``CODE|data point`` with the compact code."""
        code = compact_code(self.kpi)
        return f"{code}|{self.data_point}" if self.data_point else code


@dataclass(frozen=True)
class ProjectProcurement:
    """Procurement attributes of a concrete project."""

    category: str
    cpv: str = ""
    contract: str = ""
    estimated_value: float = 0.0


@dataclass(frozen=True)
class CandidateProject:
    """A concrete project a city could fund: money in the city's currency, year offsets
    from the start of the project (``capex_by_year[0]`` is spent in its first year)."""

    id: str
    name: str
    capex_by_year: tuple[float, ...]
    opex_per_year: float
    savings_per_year: float
    duration_years: float
    lifetime_years: float
    impacts: tuple[CandidateImpact, ...]
    procurement: ProjectProcurement
    risk: Risk
    currency: str = "EUR"
    template_id: str | None = None
    intervention: str | None = None
    description: str = ""
    low_cost: bool = False
    tags: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    sizes: dict[str, float] = field(default_factory=dict)
    cost_level: str = "typical"
    earliest_start: int = 0
    latest_start: int | None = None

    @property
    def capex_total(self) -> float:
        """Sum of capex over the spending profile."""
        return float(sum(self.capex_by_year))

    @property
    def lifetime_cost(self) -> float:
        """capex + (opex − savings) × lifetime, in the city's currency (may be negative)."""
        return self.capex_total + (self.opex_per_year - self.savings_per_year) * self.lifetime_years
