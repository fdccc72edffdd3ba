"""Comparing a city with peer cities on the U4SSC KPIs.

* **Peers** are chosen by hand (city ids), by population band or by region.
* **Comparison**: per KPI (or data point) that a chosen peer's report covers, the city's
  value beside each peer's, every value scored with the *same* target set through the
  KPI core's :func:`~decision_support.kpis.scoring.score_value` (so bands are
  comparable), the best peer (highest, or lowest for lower-is-better KPIs; ``yes`` for
  yes/no KPIs) and the median of the peers' reported values. A peer whose report does
  not give the KPI is "not reported", never zero.
* **Peer targets**: for a KPI with no reference or city target, "reach the median / best
  of the chosen peers" as a :class:`~decision_support.kpis.targets.Target` whose source
  names the peers. It is only an offer: nothing becomes a target unless the user adopts it.
* **Practices**: for a KPI where the city is behind a peer, the peers doing better and the
  projects their reports describe for that KPI.
* **Index**: the U4SSC score per dimension (Σ points / 4n) for the city and each peer.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from decision_support.errors import InputError, Problem
from decision_support.kpis.catalogue import KPI, Catalogue, load_catalogue
from decision_support.kpis.scoring import (
    GroupScore,
    ScoredValue,
    latest_values,
    score_value,
    score_values,
)
from decision_support.kpis.targets import (
    ScoringDirection,
    Target,
    TargetSet,
    scoring_direction,
)
from decision_support.kpis.values import KPIValue
from decision_support.peers.dataset import PeerCity, PeerDataset, PeerProject, PeerValue

# Population bands of this tool (not U4SSC's): edges in inhabitants.
POPULATION_BANDS: dict[str, tuple[int, int | None]] = {
    "under-50k": (0, 50_000),
    "50k-250k": (50_000, 250_000),
    "250k-1m": (250_000, 1_000_000),
    "over-1m": (1_000_000, None),
}
PeerStatus = Literal["reported", "not reported"]
TargetBasis = Literal["median", "best"]


def population_band(population: int | None) -> str | None:
    """The band name of ``population`` (lower edge inclusive), or None when unknown."""
    if population is None:
        return None
    for name, (low, high) in POPULATION_BANDS.items():
        if population >= low and (high is None or population < high):
            return name
    return None


def select_peers(
    dataset: PeerDataset,
    *,
    ids: Sequence[str] = (),
    band: str | None = None,
    region: str | None = None,
) -> list[PeerCity]:
    """Peers chosen by hand (``ids``), else every city in ``band`` and/or ``region``.

    With none of them, every city of the dataset. Unknown ids or bands are an InputError.
    Cities whose population is unknown are never in a population band.
    """
    if ids:
        unknown = [i for i in ids if dataset.city(i) is None]
        if unknown:
            known = ", ".join(c.id for c in dataset.cities)
            raise InputError(
                Problem(f"unknown peer city '{unknown[0]}' (known: {known})", field="peers")
            )
        return [c for c in dataset.cities if c.id in set(ids)]
    if band is not None and band not in POPULATION_BANDS:
        raise InputError(
            Problem(
                f"unknown population band '{band}' (one of: {', '.join(POPULATION_BANDS)})",
                field="band",
            )
        )
    wanted_region = region.strip().lower() if region else None
    return [
        c
        for c in dataset.cities
        if (band is None or population_band(c.population) == band)
        and (wanted_region is None or c.region.lower() == wanted_region)
    ]


@dataclass(frozen=True)
class PeerEntry:
    """One peer's value for one KPI (or data point): reported or not."""

    city: PeerCity
    value: PeerValue | None
    scored: ScoredValue | None

    @property
    def status(self) -> PeerStatus:
        return "reported" if self.value is not None and self.value.reported else "not reported"

    @property
    def reason(self) -> str | None:
        """Why a peer has no value: its report says so, or the dataset holds no value."""
        if self.status == "reported":
            return None
        if self.value is not None:
            return "the report lists it as not reported"
        return "no value in the dataset (the report pages read do not give it)"

    @property
    def number(self) -> float | None:
        return self.value.value if self.value is not None else None

    @property
    def band(self) -> str | None:
        return self.scored.band if self.scored is not None else None


@dataclass(frozen=True)
class KPIComparison:
    """The city and its peers on one KPI (or data point)."""

    kpi: KPI
    data_point: str | None
    city_value: KPIValue | None
    city_scored: ScoredValue | None
    target: Target | None
    direction: ScoringDirection | None
    peers: tuple[PeerEntry, ...]

    @property
    def label(self) -> str:
        return self.kpi.code + (f" ({self.data_point})" if self.data_point else "")

    @property
    def reported_peers(self) -> list[PeerEntry]:
        return [p for p in self.peers if p.status == "reported"]

    @property
    def has_benchmark(self) -> bool:
        return self.target is not None and self.target.value is not None

    @property
    def best(self) -> PeerEntry | None:
        """The best reported peer in the KPI's direction; None without direction or values."""
        reported = self.reported_peers
        if not reported or self.direction is None:
            return None
        pick = min if self.direction == "lower_is_better" else max
        return pick(reported, key=lambda p: p.number or 0.0)

    @property
    def median(self) -> float | None:
        numbers = [p.number for p in self.reported_peers if p.number is not None]
        return statistics.median(numbers) if numbers else None

    def better(self, candidate: float, than: float) -> bool:
        """Whether ``candidate`` is strictly better than ``than`` in the KPI's direction."""
        if self.direction == "lower_is_better":
            return candidate < than
        return candidate > than


@dataclass(frozen=True)
class Comparison:
    """A city against its chosen peers, KPI by KPI."""

    peers: tuple[PeerCity, ...]
    rows: tuple[KPIComparison, ...]


def _city_values(values: Iterable[KPIValue]) -> dict[tuple[str, str | None], KPIValue]:
    return {(v.code, v.data_point): v for v in latest_values(values)}


def _peer_values(values: Iterable[PeerValue]) -> dict[tuple[str, str, str | None], PeerValue]:
    """Per (city, code, data point) the latest reported year (else the latest row)."""
    chosen: dict[tuple[str, str, str | None], PeerValue] = {}
    for value in values:
        key = (value.city_id, value.code, value.data_point)
        current = chosen.get(key)
        if current is None or (value.reported, value.year) > (current.reported, current.year):
            chosen[key] = value
    return chosen


def _scored(kpi: KPI, value: KPIValue, targets: TargetSet) -> ScoredValue | None:
    outcome = score_value(kpi, value, targets)
    return outcome if isinstance(outcome, ScoredValue) else None


def compare(
    city_values: Iterable[KPIValue],
    peers: Sequence[PeerCity],
    dataset: PeerDataset,
    targets: TargetSet,
    catalogue: Catalogue | None = None,
) -> Comparison:
    """Compare the city with ``peers`` on every KPI/data point a peer's report covers."""
    catalogue = catalogue or load_catalogue()
    mine = _city_values(city_values)
    peer_ids = {p.id for p in peers}
    theirs = _peer_values(v for v in dataset.values if v.city_id in peer_ids)
    covered = {(code, dp) for _, code, dp in theirs}
    rows = []
    for kpi in catalogue:
        for data_point in kpi.data_points or (None,):
            if (kpi.code, data_point) not in covered:
                continue
            target = targets.lookup(kpi.code, data_point)
            city_value = mine.get((kpi.code, data_point))
            entries = []
            for peer in peers:
                value = theirs.get((peer.id, kpi.code, data_point))
                scored = _scored(kpi, value.as_kpi_value(), targets) if value else None
                entries.append(PeerEntry(peer, value, scored))
            rows.append(
                KPIComparison(
                    kpi=kpi,
                    data_point=data_point,
                    city_value=city_value,
                    city_scored=_scored(kpi, city_value, targets) if city_value else None,
                    target=target,
                    direction=scoring_direction(kpi, target),
                    peers=tuple(entries),
                )
            )
    return Comparison(tuple(peers), tuple(rows))


@dataclass(frozen=True)
class PeerTargetOffer:
    """A target the user may adopt for a KPI without a benchmark, and where it came from."""

    row: KPIComparison
    basis: TargetBasis
    target: Target


def peer_target_offers(comparison: Comparison) -> list[PeerTargetOffer]:
    """ "Reach the median / best of the chosen peers" for each KPI without a target.

    Offered only where the KPI has a direction and the level is above zero (a target
    of zero cannot be scored as a ratio); for yes/no KPIs only "best" (= yes).
    """
    offers = []
    for row in comparison.rows:
        if row.has_benchmark or row.direction is None or not row.reported_peers:
            continue
        names = ", ".join(p.city.name for p in row.reported_peers)
        best = row.best
        candidates: list[tuple[TargetBasis, float | None, str]] = [
            ("best", best.number if best else None, best.city.name if best else "")
        ]
        if row.direction != "yes_is_better":
            candidates.insert(0, ("median", row.median, names))
        for basis, level, who in candidates:
            if level is None or level <= 0:
                continue
            offers.append(
                PeerTargetOffer(
                    row,
                    basis,
                    Target(
                        code=row.kpi.code,
                        data_point=row.data_point,
                        value=float(level),
                        target_year=None,
                        source=f"peer {basis}: {who} (published U4SSC reports)",
                        note=f"{basis} of chosen peers {names}; adopted from the peer comparison",
                        origin="city",
                        direction=row.direction,
                    ),
                )
            )
    return offers


def offer_for(
    comparison: Comparison, code: str, data_point: str | None, basis: str
) -> PeerTargetOffer:
    """The offer for one KPI/data point and basis; InputError when there is none."""
    for offer in peer_target_offers(comparison):
        if (
            offer.row.kpi.code == code
            and offer.row.data_point == data_point
            and offer.basis == basis
        ):
            return offer
    what = code + (f" ({data_point})" if data_point else "")
    raise InputError(
        Problem(
            f"no peer {basis} target can be offered for {what}: it has a target already, "
            "no direction, or no peer value above zero",
            field="code",
        )
    )


@dataclass(frozen=True)
class PeerPractice:
    """A peer doing better than the city on a KPI, and what its report says it did."""

    row: KPIComparison
    peer: PeerEntry
    projects: tuple[PeerProject, ...]


def peer_practices(comparison: Comparison, dataset: PeerDataset) -> list[PeerPractice]:
    """For each KPI where the city reported a value and a peer did better: the better
    peers (best first) with the projects their reports describe for that KPI."""
    practices = []
    for row in comparison.rows:
        if row.city_value is None or row.city_value.value is None or row.direction is None:
            continue
        mine = row.city_value.value
        better = [p for p in row.reported_peers if row.better(p.number or 0.0, mine)]
        reverse = row.direction != "lower_is_better"
        for entry in sorted(better, key=lambda p: p.number or 0.0, reverse=reverse):
            projects = tuple(
                p for p in dataset.projects_of(entry.city.id) if row.kpi.code in p.kpis
            )
            practices.append(PeerPractice(row, entry, projects))
    return practices


@dataclass(frozen=True)
class IndexColumn:
    """The U4SSC benchmark scores per dimension of one city (the user's or a peer)."""

    name: str
    is_city: bool
    dimensions: tuple[GroupScore, ...]
    reported: int


def benchmark_index(
    city_name: str,
    city_values: Iterable[KPIValue],
    peers: Sequence[PeerCity],
    dataset: PeerDataset,
    targets: TargetSet,
    catalogue: Catalogue | None = None,
) -> list[IndexColumn]:
    """Per dimension score for the city and each peer, all against the same targets.

    A peer's score covers only the KPIs its report (as far as the dataset holds it)
    gives; ``reported`` says how many values that is (latest year per KPI/data point).
    """
    catalogue = catalogue or load_catalogue()
    values = [replace(v, city=None) for v in city_values]
    assessment = score_values(values, targets, catalogue=catalogue)
    columns = [IndexColumn(city_name, True, assessment.dimensions, _reported(assessment.values))]
    for peer in peers:
        peer_values = [v.as_kpi_value() for v in dataset.values_of(peer.id)]
        assessment = score_values(peer_values, targets, catalogue=catalogue)
        columns.append(
            IndexColumn(peer.name, False, assessment.dimensions, _reported(assessment.values))
        )
    return columns


def _reported(values: Iterable[KPIValue]) -> int:
    """How many of the values scored (latest per KPI/data point) are reported."""
    return sum(1 for v in values if v.reported)
