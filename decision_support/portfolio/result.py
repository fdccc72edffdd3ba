"""What an optimisation returns: :class:`PortfolioResult` and its parts.

``PortfolioResult.to_dict()`` is the JSON document printed by
``decision-support optimise --json`` and stored by the web app; its keys are a
stable interface (see ``docs/portfolio.md``). ``PortfolioResult.from_dict`` reads
such a document back (a stored run, a scenario job's result, a saved run file):
``from_dict(d).to_dict() == d`` for every document ``to_dict`` wrote, and a document
with a key missing or a value of the wrong type raises :class:`ResultFormatError`
naming every such field, in the files' path notation (``selected[0].start_year``).
"""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Union, get_args, get_origin, get_type_hints

from decision_support.errors import InputError, Problem
from decision_support.files.schema import document_path

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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PortfolioResult:
        """The result a :meth:`to_dict` document (or its JSON) describes.

        Every field without a default must be present; fields with a default may be
        absent (older documents lack the newer ones). Keys this class does not know
        (the web adds ``city_scores``) are left out. Year keys become integers again and
        numbers are kept as written, so ``to_dict`` gives the document back.
        Raises :class:`ResultFormatError` naming each missing or mistyped field.
        """
        problems: list[Problem] = []
        result = _read(data, cls, (), problems)
        if problems:
            raise ResultFormatError(problems)
        assert isinstance(result, cls)
        return result


class ResultFormatError(InputError):
    """A stored portfolio result that is not in the shape ``PortfolioResult.to_dict`` writes."""


@functools.cache
def _field_types(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _wrong(path: tuple[Any, ...], expected: str, problems: list[Problem]) -> None:
    problems.append(
        Problem(f"a stored portfolio result needs {expected} here", field=document_path(path))
    )


def _read(value: Any, hint: Any, path: tuple[Any, ...], problems: list[Problem]) -> Any:
    """``value`` read as type ``hint`` (the annotations above); problems are appended."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = (a for a in args if a is not type(None))
        return _read(value, inner, path, problems)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _read_record(value, hint, path, problems)
    if hint in (int, float, str, bool):
        return _read_scalar(value, hint, path, problems)
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            _wrong(path, "a list", problems)
            return origin()
        items = [_read(v, args[0], (*path, i), problems) for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, Mapping):
            _wrong(path, "a mapping", problems)
            return {}
        return {
            _read_key(k, args[0], (*path, k), problems): _read(v, args[1], (*path, k), problems)
            for k, v in value.items()
        }
    raise TypeError(f"no reader for {hint!r}")  # an annotation above this reader does not know


def _read_record(value: Any, cls: type, path: tuple[Any, ...], problems: list[Problem]) -> Any:
    if not isinstance(value, Mapping):
        _wrong(path, "a mapping", problems)
        return None
    hints, required = _field_types(cls), _required(cls)
    values = {}
    for spec in dataclasses.fields(cls):
        if spec.name in value:
            values[spec.name] = _read(
                value[spec.name], hints[spec.name], (*path, spec.name), problems
            )
        elif spec.name in required:
            problems.append(
                Problem(
                    f"a stored portfolio result has no '{spec.name}'",
                    field=document_path((*path, spec.name)),
                )
            )
    if any(name not in values for name in required):
        return None
    return cls(**values)


@functools.cache
def _required(cls: type) -> tuple[str, ...]:
    """The fields of ``cls`` without a default: a document must hold them."""
    return tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )


def _read_scalar(value: Any, hint: type, path: tuple[Any, ...], problems: list[Problem]) -> Any:
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, hint)
    if not ok:
        _wrong(
            path,
            {float: "a number", int: "a whole number", str: "text"}.get(hint, "true or false"),
            problems,
        )
    return value


def _read_key(key: Any, hint: Any, path: tuple[Any, ...], problems: list[Problem]) -> Any:
    if hint is int:
        try:
            return int(key)
        except (TypeError, ValueError):
            _wrong(path, "a year as key", problems)
            return key
    return str(key)


def _stringify_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _stringify_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stringify_keys(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    return value
