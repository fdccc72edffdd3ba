"""Gap → project matching: which candidates (and library templates) move each priority gap.

A gap g carries ``g.gap`` ≥ 0, the distance from the value to the target in the KPI's
unit, and ``g.direction`` (as the KPI scoring produces them: ``target − value`` when higher
is better, ``value − target`` when lower is better, 1 for a "no" on a yes/no KPI). For a
project p whose impact on that KPI (and data point) is Δ, the improvement is
δ = +Δ (higher/yes is better) or −Δ (lower is better), and:

* share closed   s(p, g) = clip(δ / g.gap, 0, 1)  — a project moving the KPI the wrong
  way, or a gap already closed (g.gap = 0), gives s = 0 and the project is not listed;
* lifetime cost  C(p) = max(capex + (opex − savings) × lifetime, C_min), in the city's
  currency; C_min = :data:`MIN_LIFETIME_COST` (1 000) keeps self-financing projects
  (negative cost) from dividing by zero — they all rank at the top, then by share;
* score          r(p, g) = s(p, g) / (C(p) / 1 000 000), i.e. share of the gap closed per
  million of lifetime cost.

Options are ordered: low-cost options that close at least :data:`MEANINGFUL_SHARE`
(10 %) of the gap first, then everything else; within each group by score, then share,
both descending, then id. Gaps with no option are returned as ``uncovered``.

Templates are matched too (instantiated with their default sizes for the city) unless a
candidate was already made from them; they are marked ``kind="template"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from decision_support.errors import InputError
from decision_support.kpis.catalogue import compact_code
from decision_support.projects.instantiate import instantiate
from decision_support.projects.model import CandidateProject, CityProfile, ProjectTemplate

MEANINGFUL_SHARE = 0.10
MIN_LIFETIME_COST = 1_000.0
_MILLION = 1_000_000.0


class GapLike(Protocol):
    """What matching reads from a gap (``decision_support.kpis.analysis.PriorityGap``
    has these attributes, and so has :class:`PriorityGap` below)."""

    @property
    def code(self) -> str: ...

    @property
    def data_point(self) -> str | None: ...

    @property
    def gap(self) -> float: ...

    @property
    def direction(self) -> str: ...


@dataclass(frozen=True)
class PriorityGap:
    """A KPI short of its target, for callers without a KPI assessment at hand.

    ``gap`` ≥ 0 is the distance to the target in the KPI's unit; ``direction`` is
    higher_is_better, lower_is_better or yes_is_better.
    """

    code: str
    value: float
    target: float
    gap: float
    direction: str
    data_point: str | None = None
    band: str = ""
    core: bool = False
    name: str = ""
    unit: str = ""


def improvement(change: float, direction: str) -> float:
    """A KPI change turned into progress towards the target (negative = worse)."""
    return -change if direction == "lower_is_better" else change


@dataclass(frozen=True)
class MatchOption:
    """One project (candidate or template) that moves a gap."""

    project_id: str
    name: str
    kind: str  # "candidate" or "template"
    low_cost: bool
    change: float
    share_closed: float
    lifetime_cost: float
    score: float
    confidence: str
    meaningful_low_cost: bool


@dataclass(frozen=True)
class GapMatch:
    """A gap and its ranked options."""

    gap: GapLike
    options: tuple[MatchOption, ...]


@dataclass(frozen=True)
class MatchResult:
    """Every gap with its options, and the gaps nothing addresses."""

    matches: tuple[GapMatch, ...]
    uncovered: tuple[GapLike, ...]


def _impacts_on(project: CandidateProject, gap: GapLike) -> tuple[float, str] | None:
    code = compact_code(gap.code)
    found = [
        i for i in project.impacts if compact_code(i.kpi) == code and i.data_point == gap.data_point
    ]
    if not found:
        return None
    confidences = [i.confidence for i in found]
    worst = min(confidences, key=["low", "medium", "high"].index)
    return sum(i.change for i in found), worst


def _option(project: CandidateProject, gap: GapLike, kind: str) -> MatchOption | None:
    hit = _impacts_on(project, gap)
    if hit is None or gap.gap <= 0:
        return None
    change, confidence = hit
    share = max(0.0, min(1.0, improvement(change, gap.direction) / gap.gap))
    if share <= 0:
        return None
    cost = max(project.lifetime_cost, MIN_LIFETIME_COST)
    return MatchOption(
        project_id=project.id,
        name=project.name,
        kind=kind,
        low_cost=project.low_cost,
        change=change,
        share_closed=share,
        lifetime_cost=project.lifetime_cost,
        score=share / (cost / _MILLION),
        confidence=confidence,
        meaningful_low_cost=project.low_cost and share >= MEANINGFUL_SHARE,
    )


def _order(option: MatchOption) -> tuple[int, float, float, str]:
    return (
        0 if option.meaningful_low_cost else 1,
        -option.score,
        -option.share_closed,
        option.project_id,
    )


def _template_projects(
    templates: Iterable[ProjectTemplate], city: CityProfile | None, skip: set[str]
) -> list[CandidateProject]:
    if city is None:
        return []
    projects = []
    for template in templates:
        if template.id in skip:
            continue
        try:
            projects.append(instantiate(template, city))
        except InputError:
            continue  # the city lacks the size this template defaults from
    return projects


def match_gaps(
    gaps: Iterable[GapLike],
    candidates: Iterable[CandidateProject] = (),
    *,
    templates: Iterable[ProjectTemplate] = (),
    city: CityProfile | None = None,
) -> MatchResult:
    """Rank the candidates (and, given a city, the library templates) for every gap."""
    candidate_list = list(candidates)
    from_templates = _template_projects(
        templates, city, {c.template_id for c in candidate_list if c.template_id}
    )
    pool = [(c, "candidate") for c in candidate_list] + [(t, "template") for t in from_templates]
    matches = []
    uncovered = []
    for gap in gaps:
        options = [o for p, kind in pool if (o := _option(p, gap, kind)) is not None]
        options.sort(key=_order)
        matches.append(GapMatch(gap, tuple(options)))
        if not options:
            uncovered.append(gap)
    return MatchResult(tuple(matches), tuple(uncovered))
