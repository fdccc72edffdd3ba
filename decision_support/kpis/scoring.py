"""Scoring KPI values against targets, exactly as the U4SSC reports describe it.

For one KPI value (or data point) ``v`` with target ``t``:

* higher is better: achievement ``a = v / t``;
* lower is better: ``a = t / v`` (``v = 0`` beats any positive target: ``a`` is
  unbounded and reported as None, scoring 4 points);
* yes/no: ``a = 100 %`` for yes, ``0 %`` for no.

Points: ``a ∈ [0, 33 %) → 1``, ``[33 %, 66 %) → 2``, ``[66 %, 95 %) → 3``,
``a ≥ 95 % → 4``. A category, sub-dimension or dimension scores
``S = Σ points / (4 · n)`` over its ``n`` scored values, placed in the same bands.
Values not reported, or without a benchmark (no target, or no direction), are left
out of ``n`` and listed separately. Arithmetic is exact (fractions of the decimal
values as written), so 33 % of target is exactly on the 33 % edge.

Source: U4SSC "Benchmarks and Scoring Methodology" (e.g. Pully factsheet p12,
https://www.itu.int/en/publications/Documents/tsb/2020-U4SSC-Factsheet-Pully-Switzerland/files/basic-html/page12.html).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from decision_support.errors import InputError
from decision_support.kpis.catalogue import KPI, Catalogue, load_catalogue
from decision_support.kpis.targets import (
    ScoringDirection,
    Target,
    TargetSet,
    load_reference_targets,
    scoring_direction,
)
from decision_support.kpis.values import KPIValue

BANDS = ("0-33", "33-66", "66-95", "95+")
BAND_EDGES = (Fraction(33, 100), Fraction(66, 100), Fraction(95, 100))
GroupLevel = Literal["category", "sub_dimension", "dimension"]
UnscoredReason = Literal["not_reported", "no_benchmark"]


def exact(number: float) -> Fraction:
    """The decimal number as written (shortest repr), as an exact fraction: 6.6 → 33/5."""
    return Fraction(repr(float(number)))


def band_index(ratio: Fraction) -> int:
    """0..3: which of the four bands ``ratio`` (achievement or score, 1 = 100 %) is in."""
    return sum(ratio >= edge for edge in BAND_EDGES)


def points_for(achievement: Fraction | None) -> int:
    """U4SSC points (1-4) for an achievement ratio; None (unbounded) scores 4."""
    return 4 if achievement is None else band_index(achievement) + 1


def band_for_points(points: int) -> str:
    return BANDS[points - 1]


def achievement(value: float, target: float, direction: ScoringDirection) -> Fraction | None:
    """Achievement ratio (1 = 100 % of target); None when unbounded (lower is better, 0)."""
    if direction == "yes_is_better":
        return Fraction(1) if value >= target else Fraction(0)
    if direction == "higher_is_better":
        return exact(value) / exact(target)
    if value == 0:
        return None
    return exact(target) / exact(value)


@dataclass(frozen=True)
class ScoredValue:
    """One KPI value (or data point) scored against its target."""

    kpi: KPI
    value: KPIValue
    target: Target
    direction: ScoringDirection
    achievement: Fraction | None
    points: int

    @property
    def code(self) -> str:
        return self.kpi.code

    @property
    def data_point(self) -> str | None:
        return self.value.data_point

    @property
    def band(self) -> str:
        return band_for_points(self.points)

    @property
    def achievement_pct(self) -> float | None:
        """Achievement in percent (2 decimals); None when unbounded."""
        return None if self.achievement is None else round(float(self.achievement * 100), 2)

    @property
    def label(self) -> str:
        return self.code + (f" ({self.data_point})" if self.data_point else "")


@dataclass(frozen=True)
class UnscoredValue:
    """A KPI or data point left out of the scores, with why."""

    kpi: KPI
    data_point: str | None
    reason: UnscoredReason
    value: KPIValue | None
    note: str


@dataclass(frozen=True)
class GroupScore:
    """Score of a category, sub-dimension or dimension: Σ points / (4 · scored)."""

    level: GroupLevel
    name: str
    dimension: str
    sub_dimension: str | None
    points: int
    scored: int

    @property
    def score(self) -> Fraction | None:
        return Fraction(self.points, 4 * self.scored) if self.scored else None

    @property
    def score_pct(self) -> float | None:
        score = self.score
        return None if score is None else round(float(score * 100), 2)

    @property
    def band(self) -> str | None:
        score = self.score
        return None if score is None else BANDS[band_index(score)]


@dataclass(frozen=True)
class Assessment:
    """A city's KPI values scored: per value, per group, and what was left out."""

    scored: tuple[ScoredValue, ...]
    unscored: tuple[UnscoredValue, ...]
    categories: tuple[GroupScore, ...]
    sub_dimensions: tuple[GroupScore, ...]
    dimensions: tuple[GroupScore, ...]
    values: tuple[KPIValue, ...]

    @property
    def not_reported(self) -> list[str]:
        """Codes of KPIs with no reported value at all."""
        reported = {v.code for v in self.values if v.reported}
        return _unique(u.kpi.code for u in self.unscored if u.kpi.code not in reported)

    @property
    def no_benchmark(self) -> list[str]:
        """Codes of KPIs with at least one reported value that has no benchmark."""
        return _unique(u.kpi.code for u in self.unscored if u.reason == "no_benchmark")


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(codes))


def latest_values(values: Iterable[KPIValue], year: int | None = None) -> list[KPIValue]:
    """One value per (code, data point): the latest year that has a reported value.

    With ``year``, only that year's values are considered. A (code, data point) with
    only not-reported rows keeps its latest not-reported row.
    """
    chosen: dict[tuple[str, str | None], KPIValue] = {}
    for value in values:
        if year is not None and value.year != year:
            continue
        key = (value.code, value.data_point)
        current = chosen.get(key)
        if current is None or (value.reported, value.year or 0) > (
            current.reported,
            current.year or 0,
        ):
            chosen[key] = value
    return list(chosen.values())


def score_value(kpi: KPI, value: KPIValue, targets: TargetSet) -> ScoredValue | UnscoredValue:
    """Score one value, or say why it cannot be scored."""
    if value.value is None:
        return UnscoredValue(kpi, value.data_point, "not_reported", value, "not reported")
    target = targets.lookup(kpi.code, value.data_point)
    direction = scoring_direction(kpi, target)
    if target is None or target.value is None or direction is None:
        note = target.note if target is not None else "no target given"
        if target is not None and target.value is not None:
            note = "no direction: the KPI's direction depends on context"
        return UnscoredValue(kpi, value.data_point, "no_benchmark", value, note)
    ratio = achievement(value.value, target.value, direction)
    return ScoredValue(kpi, value, target, direction, ratio, points_for(ratio))


def _groups(
    scored: list[ScoredValue], catalogue: Catalogue
) -> tuple[list[GroupScore], list[GroupScore], list[GroupScore]]:
    totals: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0])
    for item in scored:
        k = item.kpi
        for key in (
            ("category", k.dimension, k.sub_dimension, k.category),
            ("sub_dimension", k.dimension, k.sub_dimension),
            ("dimension", k.dimension),
        ):
            totals[key][0] += item.points
            totals[key][1] += 1
    categories: dict[tuple[str, str, str], GroupScore] = {}
    subs: dict[tuple[str, str], GroupScore] = {}
    dims: dict[str, GroupScore] = {}
    for k in catalogue:
        cat_key = ("category", k.dimension, k.sub_dimension, k.category)
        sub_key = ("sub_dimension", k.dimension, k.sub_dimension)
        dim_key = ("dimension", k.dimension)
        categories.setdefault(
            (k.dimension, k.sub_dimension, k.category),
            GroupScore("category", k.category, k.dimension, k.sub_dimension, *totals[cat_key]),
        )
        subs.setdefault(
            (k.dimension, k.sub_dimension),
            GroupScore("sub_dimension", k.sub_dimension, k.dimension, None, *totals[sub_key]),
        )
        dims.setdefault(
            k.dimension, GroupScore("dimension", k.dimension, k.dimension, None, *totals[dim_key])
        )
    return list(categories.values()), list(subs.values()), list(dims.values())


def score_values(
    values: Iterable[KPIValue],
    targets: TargetSet | None = None,
    *,
    year: int | None = None,
    catalogue: Catalogue | None = None,
) -> Assessment:
    """Score a city's values (latest reported year per KPI/data point, or ``year``).

    ``targets`` defaults to the shipped reference targets. Every catalogue KPI not
    in ``values`` is listed as not reported. Values must belong to one city.
    """
    catalogue = catalogue or load_catalogue()
    targets = targets or load_reference_targets(catalogue)
    values = list(values)
    cities = {v.city for v in values}
    if len(cities) > 1:
        named = ", ".join(sorted(c or "(none)" for c in cities))
        raise InputError(f"the values belong to several cities ({named}); score one city at a time")
    chosen = {(v.code, v.data_point): v for v in latest_values(values, year)}
    scored: list[ScoredValue] = []
    unscored: list[UnscoredValue] = []
    for kpi in catalogue:
        keys: list[tuple[str, str | None]] = [(kpi.code, dp) for dp in kpi.data_points]
        keys = keys or [(kpi.code, None)]
        present = [chosen[key] for key in keys if key in chosen]
        if not present:
            unscored.append(UnscoredValue(kpi, None, "not_reported", None, "not reported"))
            continue
        for value in present:
            outcome = score_value(kpi, value, targets)
            (scored if isinstance(outcome, ScoredValue) else unscored).append(outcome)  # type: ignore[arg-type]
    categories, subs, dims = _groups(scored, catalogue)
    return Assessment(
        scored=tuple(scored),
        unscored=tuple(unscored),
        categories=tuple(categories),
        sub_dimensions=tuple(subs),
        dimensions=tuple(dims),
        values=tuple(chosen.values()),
    )
