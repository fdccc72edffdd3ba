"""What a city leader sees, computed from an assessment: the city snapshot, the
benchmarking wheel, the SDG view, per-KPI trends and the priority gaps.

Priority gaps feed project matching: every scored value below 95 % of its target,
lowest band first, core KPIs before advanced ones, then lowest achievement.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from decision_support.kpis.catalogue import KPI, Catalogue, load_catalogue
from decision_support.kpis.scoring import (
    BANDS,
    Assessment,
    GroupScore,
    ScoredValue,
    band_index,
    score_value,
)
from decision_support.kpis.targets import TargetSet, load_reference_targets
from decision_support.kpis.values import KPIValue


@dataclass(frozen=True)
class PriorityGap:
    """A KPI value short of its target (below 95 %), in the KPI's own unit.

    ``gap`` is how far the value is from the target: ``target - value`` when higher
    is better, ``value - target`` when lower is better, 1 for a "no" on a yes/no KPI.
    """

    code: str
    name: str
    data_point: str | None
    dimension: str
    sub_dimension: str
    category: str
    core: bool
    unit: str
    direction: str
    value: float
    target: float
    gap: float
    achievement_pct: float | None
    points: int
    band: str
    year: int | None
    target_origin: str
    sdg_targets: tuple[str, ...]


def _gap(item: ScoredValue) -> float:
    value, target = item.value.value, item.target.value
    assert value is not None and target is not None
    if item.direction == "lower_is_better":
        return round(value - target, 6)
    return round(target - value, 6)


def priority_gaps(assessment: Assessment) -> list[PriorityGap]:
    """Scored values below 95 % of target: lowest band, core first, lowest achievement."""
    order = {kpi.code: i for i, kpi in enumerate(load_catalogue())}
    short = [s for s in assessment.scored if s.points < 4]
    short.sort(
        key=lambda s: (
            s.points,
            not s.kpi.core,
            s.achievement if s.achievement is not None else float("inf"),
            order.get(s.code, 0),
        )
    )
    gaps = []
    for s in short:
        assert s.value.value is not None and s.target.value is not None
        gaps.append(
            PriorityGap(
                code=s.code,
                name=s.kpi.name,
                data_point=s.data_point,
                dimension=s.kpi.dimension,
                sub_dimension=s.kpi.sub_dimension,
                category=s.kpi.category,
                core=s.kpi.core,
                unit=s.kpi.unit,
                direction=s.direction,
                value=s.value.value,
                target=s.target.value,
                gap=_gap(s),
                achievement_pct=s.achievement_pct,
                points=s.points,
                band=s.band,
                year=s.value.year,
                target_origin=s.target.origin,
                sdg_targets=s.kpi.sdg_targets,
            )
        )
    return gaps


@dataclass(frozen=True)
class CitySnapshot:
    """Counts and performance per dimension and sub-dimension (U4SSC City Snapshot)."""

    total_kpis: int
    reported: int
    not_reported: int
    no_benchmark: int
    scored_kpis: int
    scored_values: int
    band_counts: dict[str, int]
    dimensions: tuple[GroupScore, ...]
    sub_dimensions: tuple[GroupScore, ...]


def city_snapshot(assessment: Assessment, catalogue: Catalogue | None = None) -> CitySnapshot:
    """Summarise an assessment: how many KPIs are reported, scored, without benchmark."""
    catalogue = catalogue or load_catalogue()
    reported = {v.code for v in assessment.values if v.reported}
    counts = Counter(s.band for s in assessment.scored)
    return CitySnapshot(
        total_kpis=len(catalogue),
        reported=len(reported),
        not_reported=len(assessment.not_reported),
        no_benchmark=len(assessment.no_benchmark),
        scored_kpis=len({s.code for s in assessment.scored}),
        scored_values=len(assessment.scored),
        band_counts={band: counts.get(band, 0) for band in BANDS},
        dimensions=assessment.dimensions,
        sub_dimensions=assessment.sub_dimensions,
    )


@dataclass(frozen=True)
class WheelNode:
    """One segment of the benchmarking wheel (dimension → sub-dimension → category → KPI).

    ``band`` is None for segments without a score; ``status`` says why for KPIs
    (``scored``, ``not reported``, ``no benchmark``).
    """

    id: str
    parent: str
    label: str
    level: str
    band: str | None
    score_pct: float | None
    status: str
    hover: str


def benchmarking_wheel(
    assessment: Assessment, catalogue: Catalogue | None = None
) -> list[WheelNode]:
    """Every segment of the wheel, parents before children, each with its band."""
    catalogue = catalogue or load_catalogue()
    nodes: list[WheelNode] = []
    for d in assessment.dimensions:
        nodes.append(_group_node(d, d.name, ""))
    for s in assessment.sub_dimensions:
        nodes.append(_group_node(s, f"{s.dimension}/{s.name}", s.dimension))
    for c in assessment.categories:
        parent = f"{c.dimension}/{c.sub_dimension}"
        nodes.append(_group_node(c, f"{parent}/{c.name}", parent))
    scored = {(s.code, s.data_point): s for s in assessment.scored}
    unscored = {(u.kpi.code, u.data_point): u for u in assessment.unscored}
    for kpi in catalogue:
        parent = f"{kpi.dimension}/{kpi.sub_dimension}/{kpi.category}"
        for data_point in kpi.data_points or (None,):
            label = kpi.code.split(": ")[-1] + (f" {data_point}" if data_point else "")
            hover = kpi.name + (f" ({data_point})" if data_point else "")
            item = scored.get((kpi.code, data_point))
            if item is not None:
                pct = item.achievement_pct
                nodes.append(
                    WheelNode(
                        id=f"{parent}/{kpi.code}/{data_point or ''}",
                        parent=parent,
                        label=label,
                        level="kpi",
                        band=item.band,
                        score_pct=pct,
                        status="scored",
                        hover=f"{hover}: {item.value.value:g} vs target {item.target.value:g}",
                    )
                )
                continue
            left_out = unscored.get((kpi.code, data_point)) or unscored.get((kpi.code, None))
            status = (
                "no benchmark"
                if left_out is not None and left_out.reason == "no_benchmark"
                else "not reported"
            )
            nodes.append(
                WheelNode(
                    id=f"{parent}/{kpi.code}/{data_point or ''}",
                    parent=parent,
                    label=label,
                    level="kpi",
                    band=None,
                    score_pct=None,
                    status=status,
                    hover=f"{hover}: {status}",
                )
            )
    return nodes


def _group_node(group: GroupScore, node_id: str, parent: str) -> WheelNode:
    score = "no score" if group.score_pct is None else f"{group.score_pct:g} %"
    return WheelNode(
        id=node_id,
        parent=parent,
        label=group.name,
        level=group.level,
        band=group.band,
        score_pct=group.score_pct,
        status="scored" if group.scored else "no score",
        hover=f"{group.name}: {score} ({group.scored} scored)",
    )


def sdg_goals(kpi: KPI) -> tuple[int, ...]:
    """SDG goal numbers of a KPI, from its ITU SDG targets and the KS Norway mapping."""
    goals = {int(t.split(".")[0]) for t in kpi.sdg_targets if t.split(".")[0].isdigit()}
    goals.update(int(n) for n in re.findall(r"Goal\s*(\d+)", kpi.sdg_goals))
    goals.update(int(n) for n in re.findall(r"(?:^|;)\s*(\d+)\.", kpi.sdg_goals))
    return tuple(sorted(goals))


@dataclass(frozen=True)
class SdgGroup:
    """KPIs mapped to one SDG, with the goal's score over its scored values."""

    goal: int
    scored: tuple[ScoredValue, ...]
    kpis: tuple[KPI, ...]
    points: int

    @property
    def score_pct(self) -> float | None:
        if not self.scored:
            return None
        return round(100 * self.points / (4 * len(self.scored)), 2)

    @property
    def band(self) -> str | None:
        if not self.scored:
            return None
        return BANDS[band_index(Fraction(self.points, 4 * len(self.scored)))]


def group_by_sdg(assessment: Assessment, catalogue: Catalogue | None = None) -> list[SdgGroup]:
    """KPIs grouped by SDG goal (a KPI may serve several goals), goals in order."""
    catalogue = catalogue or load_catalogue()
    kpis: dict[int, list[KPI]] = defaultdict(list)
    for kpi in catalogue:
        for goal in sdg_goals(kpi):
            kpis[goal].append(kpi)
    scored: dict[str, list[ScoredValue]] = defaultdict(list)
    for item in assessment.scored:
        scored[item.code].append(item)
    groups = []
    for goal in sorted(kpis):
        items = tuple(s for k in kpis[goal] for s in scored.get(k.code, []))
        groups.append(SdgGroup(goal, items, tuple(kpis[goal]), sum(s.points for s in items)))
    return groups


@dataclass(frozen=True)
class TrendPoint:
    """One year of a KPI (or data point), scored against today's target when it has one."""

    year: int
    value: float
    target: float | None
    achievement_pct: float | None
    points: int | None
    band: str | None


def kpi_trend(
    values: Iterable[KPIValue],
    code: str,
    data_point: str | None = None,
    targets: TargetSet | None = None,
    catalogue: Catalogue | None = None,
) -> list[TrendPoint]:
    """The reported values of one KPI/data point by year (rows without a year skipped)."""
    catalogue = catalogue or load_catalogue()
    kpi = catalogue.get(code)
    targets = targets or load_reference_targets(catalogue)
    points = []
    for value in sorted(
        (
            v
            for v in values
            if v.code == kpi.code
            and v.data_point == data_point
            and v.reported
            and v.year is not None
        ),
        key=lambda v: v.year or 0,
    ):
        outcome = score_value(kpi, value, targets)
        assert value.value is not None and value.year is not None
        if isinstance(outcome, ScoredValue):
            points.append(
                TrendPoint(
                    value.year,
                    value.value,
                    outcome.target.value,
                    outcome.achievement_pct,
                    outcome.points,
                    outcome.band,
                )
            )
        else:
            points.append(TrendPoint(value.year, value.value, None, None, None, None))
    return points
