"""Rule packs: the typed view of a jurisdiction's procurement rules and the one
loader that reads them from YAML, validates them against the JSON Schema and
checks their internal consistency.

A pack is found by id (``eu-2026``), by jurisdiction and date (``eu`` on
2025-06-01 picks ``eu-2024``) or by file path. Packs shipped with the product
live in ``rules/packs/``; a city adds its own from extra directories given by
configuration or the ``--packs-dir`` CLI option. A pack may ``extends:`` another;
its top-level keys then replace the parent's.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from decision_support.errors import Problem
from decision_support.files.documents import (
    DocumentError,
    load_json,
    load_yaml,
    read_bounded_bytes,
)
from decision_support.files.schema import schema_problems
from rules.errors import RulePackError, UnknownPackError

log = logging.getLogger(__name__)

CATEGORIES = ("works", "supplies", "services", "social-services")
AUTHORITIES = ("central", "sub-central", "utility")
PACK_SUFFIXES = (".yaml", ".yml")
MERGED_BY_ID = ("procedures", "notices")  # extended lists: child entries replace by id
CONTRACT_KINDS = ("contract", "concession")
_EDITION_SUFFIX = re.compile(r"-\d{4}$")


@dataclass(frozen=True)
class Citation:
    """Where a number or rule comes from: article/regulation and a URL."""

    ref: str
    url: str
    unverified: bool = False
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``unverified`` is always present."""
        out: dict[str, Any] = {"ref": self.ref, "url": self.url, "unverified": self.unverified}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Estimate:
    """The basis of a typical (non-statutory) duration."""

    basis: str
    url: str = ""


@dataclass(frozen=True)
class Threshold:
    """A value at or above which the regulated regime applies."""

    id: str
    categories: tuple[str, ...]
    authorities: tuple[str, ...]
    value: float
    citation: Citation


@dataclass(frozen=True)
class Band:
    """A regime for values not exceeding ``max_value`` below the main threshold."""

    id: str
    regime: str
    max_value: float
    citation: Citation
    categories: tuple[str, ...] = CATEGORIES
    authorities: tuple[str, ...] = AUTHORITIES


@dataclass(frozen=True)
class ReviewThreshold:
    """Contract value from which a lender reviews the award before it is made
    (World Bank prior review), by the project's procurement risk rating."""

    id: str
    risk: str
    categories: tuple[str, ...]
    min_value: float
    citation: Citation


@dataclass(frozen=True)
class MarketThreshold:
    """Contract value from which a lender requires the open international market
    approach for a category (World Bank: set per country by the Bank)."""

    id: str
    categories: tuple[str, ...]
    min_value: float
    citation: Citation


@dataclass(frozen=True)
class MarketApproach:
    """Where the choice between the international and the national market approach is
    set (``citation``) and, for a country's pack, that country's thresholds."""

    citation: Citation
    country: str = ""
    international_from: tuple[MarketThreshold, ...] = ()

    def threshold_for(self, category: str) -> MarketThreshold | None:
        """The country's international-approach threshold for ``category``, if shipped."""
        return next((t for t in self.international_from if category in t.categories), None)


@dataclass(frozen=True)
class Reduction:
    """A shorter time limit when all ``when`` flags hold.

    Either a floor replacing the standard minimum (``min_days``) or a deduction
    from the standard minimum (``minus_days``).
    """

    when: tuple[str, ...]
    citation: Citation
    min_days: int | None = None
    minus_days: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Extension:
    """Days added to a step's minimum (after reductions) when all ``when`` flags hold
    and none of the ``unless`` flags does."""

    plus_days: int
    citation: Citation
    when: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Step:
    """One stage of a procedure: statutory (``min_days``) or typical (``typical_days``)."""

    id: str
    min_days: int | None = None
    typical_days: int | None = None
    day_kind: str = "calendar"
    citation: Citation | None = None
    estimate: Estimate | None = None
    reductions: tuple[Reduction, ...] = ()
    extensions: tuple[Extension, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Procedure:
    """A procurement procedure and the condition under which it may be used."""

    id: str
    name: str
    ocds_method: str
    regimes: tuple[str, ...]
    authorities: tuple[str, ...]
    condition: str
    citation: Citation
    steps: tuple[Step, ...]
    requires_any: tuple[str, ...] = ()
    award_basis: str = "any"


@dataclass(frozen=True)
class StandstillExemption:
    """Contracts (all ``when`` flags hold) for which the standstill need not be observed."""

    when: tuple[str, ...]
    note: str
    citation: Citation


@dataclass(frozen=True)
class Standstill:
    """The wait between the award decision and contract signature.

    ``authority_citations`` names the source for an authority type whose remedies
    come from another act (EU utilities: Directive 92/13/EEC).
    """

    days: int
    day_kind: str
    starts: str
    regimes: tuple[str, ...]
    citation: Citation
    exempt_procedures: tuple[str, ...] = ()
    exemptions: tuple[StandstillExemption, ...] = ()
    authority_citations: Mapping[str, Citation] = field(default_factory=dict)
    note: str = ""

    def citation_for(self, authority: str) -> Citation:
        """The source of the standstill rule for this authority type."""
        return self.authority_citations.get(authority, self.citation)

    def exemption_for(self, flags: frozenset[str]) -> StandstillExemption | None:
        """The first exemption whose flags all hold, if any."""
        return next((e for e in self.exemptions if all(f in flags for f in e.when)), None)


@dataclass(frozen=True)
class Notice:
    """A notice to publish, placed on the timeline relative to an event."""

    id: str
    name: str
    at: str
    regimes: tuple[str, ...]
    citation: Citation
    offset_days: int = 0
    when: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    exclude_procedures: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class FrameworkLimit:
    """Maximum framework-agreement duration for some authority types."""

    authorities: tuple[str, ...]
    max_years: float
    citation: Citation


@dataclass(frozen=True)
class SmallLots:
    """Lots that may be awarded outside the regime: each below a value, together ≤ a share."""

    max_lot_value: Mapping[str, float]
    max_share: float
    citation: Citation


@dataclass(frozen=True)
class AntiSplitting:
    """Grouping used by the anti-splitting heuristic.

    The grouping (``cpv_digits``, ``period``) is the tool's own choice, explained in
    ``heuristic``; ``citation`` is the legal prohibition of splitting it serves.
    """

    cpv_digits: int
    period: str
    heuristic: str
    citation: Citation


@dataclass(frozen=True)
class ValuationRules:
    """How a contract's value is estimated for the threshold test."""

    options_citation: Citation | None = None
    lots_citation: Citation | None = None
    small_lots: SmallLots | None = None
    indefinite_duration_months: int | None = None
    indefinite_duration_citation: Citation | None = None
    anti_splitting: AntiSplitting | None = None


@dataclass(frozen=True)
class Recommendation:
    """First matching rule picks the recommended procedure."""

    procedure: str
    when: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class RulePack:
    """A jurisdiction's procurement rules, valid between two dates."""

    id: str
    title: str
    jurisdiction: str
    currency: str
    vat: str
    valid_from: date
    thresholds: tuple[Threshold, ...]
    procedures: tuple[Procedure, ...]
    recommendation: tuple[Recommendation, ...]
    source: str
    valid_to: date | None = None
    vat_rate: float = 0.0
    vat_citation: Citation | None = None
    threshold_comparison: str = "at-or-above"
    lower_bands: tuple[Band, ...] = ()
    prior_review: tuple[ReviewThreshold, ...] = ()
    market_approach: MarketApproach | None = None
    valuation: ValuationRules = field(default_factory=ValuationRules)
    framework: tuple[FrameworkLimit, ...] = ()
    standstill: Standstill | None = None
    notices: tuple[Notice, ...] = ()
    extends: str | None = None
    checked_on: date | None = None
    edition: str = ""
    contract_kind: str = "contract"
    audience: str = "any"

    @property
    def family(self) -> str:
        """The pack id without a trailing year (``eu-2026`` → ``eu``)."""
        return _EDITION_SUFFIX.sub("", self.id)

    def dates(self) -> dict[str, str | None]:
        """Validity and last-checked dates, ISO formatted (``None`` when not set)."""
        return {
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "checked_on": self.checked_on.isoformat() if self.checked_on else None,
        }

    def procedure(self, procedure_id: str) -> Procedure:
        """The procedure with this id (``KeyError`` if absent)."""
        for proc in self.procedures:
            if proc.id == procedure_id:
                return proc
        raise KeyError(procedure_id)

    def threshold_for(self, category: str, authority: str) -> Threshold:
        """The threshold row for a category and authority type."""
        for row in self.thresholds:
            if category in row.categories and authority in row.authorities:
                return row
        raise RulePackError(
            self.source, Problem(f"no threshold for {category} / {authority}", field="thresholds")
        )

    def framework_limit(self, authority: str) -> FrameworkLimit | None:
        """Maximum framework duration for this authority type, if the pack sets one."""
        return next((f for f in self.framework if authority in f.authorities), None)

    def is_valid_on(self, day: date) -> bool:
        """Whether ``day`` falls inside the pack's validity dates."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def pack_citations(pack: RulePack) -> list[Citation]:
    """Every citation in a pack, in file order (duplicates kept)."""
    found: list[Citation | None] = [
        *(t.citation for t in pack.thresholds),
        *(b.citation for b in pack.lower_bands),
        *(r.citation for r in pack.prior_review),
        pack.market_approach.citation if pack.market_approach else None,
        *(
            t.citation
            for t in (pack.market_approach.international_from if pack.market_approach else ())
        ),
        pack.vat_citation,
        pack.valuation.options_citation,
        pack.valuation.lots_citation,
        pack.valuation.small_lots.citation if pack.valuation.small_lots else None,
        pack.valuation.indefinite_duration_citation,
        pack.valuation.anti_splitting.citation if pack.valuation.anti_splitting else None,
        *(f.citation for f in pack.framework),
        *(n.citation for n in pack.notices),
    ]
    if pack.standstill is not None:
        found.append(pack.standstill.citation)
        found.extend(pack.standstill.authority_citations.values())
        found.extend(e.citation for e in pack.standstill.exemptions)
    for proc in pack.procedures:
        found.append(proc.citation)
        for step in proc.steps:
            found.append(step.citation)
            found.extend(r.citation for r in step.reductions)
            found.extend(e.citation for e in step.extensions)
    return [c for c in found if c is not None]


def unverified_citations(pack: RulePack) -> list[Citation]:
    """The distinct citations of a pack marked ``unverified``."""
    seen: dict[tuple[str, str], Citation] = {}
    for citation in pack_citations(pack):
        if citation.unverified:
            seen.setdefault((citation.ref, citation.url), citation)
    return list(seen.values())


# ---------------------------------------------------------------------------
# Reading YAML


_BUILT: dict[tuple[Any, ...], RulePack] = {}


def parse_yaml(text: str | bytes, source: str = "input") -> Any:
    """Parse YAML within the file limits, keeping dates as the strings written (so
    the JSON Schema sees them as written); raises a located ``DocumentError``."""
    return load_yaml(text, source=source, dates_as_text=True)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise UnknownPackError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    try:
        return parse_yaml(read_bounded_bytes(path), path.name)
    except DocumentError as exc:
        raise RulePackError(str(path), exc.located_reason) from None


@cache
def load_schema(name: str = "rule-pack.schema.json") -> dict[str, Any]:
    """A JSON Schema shipped in ``rules/schema/``."""
    text = files("rules.schema").joinpath(name).read_text(encoding="utf-8")
    schema: dict[str, Any] = load_json(text, source=name)
    return schema


# ---------------------------------------------------------------------------
# Building typed packs


def _citation(raw: Mapping[str, Any] | None) -> Citation | None:
    if raw is None:
        return None
    return Citation(
        ref=raw["ref"],
        url=raw["url"],
        unverified=bool(raw.get("unverified", False)),
        note=raw.get("note", ""),
    )


def _required_citation(raw: Mapping[str, Any]) -> Citation:
    citation = _citation(raw)
    assert citation is not None  # guaranteed by the schema
    return citation


def _step(raw: Mapping[str, Any]) -> Step:
    estimate = raw.get("estimate")
    return Step(
        id=raw["id"],
        min_days=raw.get("min_days"),
        typical_days=raw.get("typical_days"),
        day_kind=raw.get("day_kind", "calendar"),
        citation=_citation(raw.get("citation")),
        estimate=Estimate(estimate["basis"], estimate.get("url", "")) if estimate else None,
        reductions=tuple(
            Reduction(
                when=tuple(r["when"]),
                citation=_required_citation(r["citation"]),
                min_days=r.get("min_days"),
                minus_days=r.get("minus_days"),
                note=r.get("note", ""),
            )
            for r in raw.get("reductions", ())
        ),
        extensions=tuple(
            Extension(
                plus_days=e["plus_days"],
                citation=_required_citation(e["citation"]),
                when=tuple(e.get("when", ())),
                unless=tuple(e.get("unless", ())),
                note=e.get("note", ""),
            )
            for e in raw.get("extensions", ())
        ),
        note=raw.get("note", ""),
    )


def _valuation(raw: Mapping[str, Any]) -> ValuationRules:
    small = raw.get("small_lots")
    split = raw.get("anti_splitting")
    return ValuationRules(
        options_citation=_citation(
            (raw.get("options_and_renewals_included") or {}).get("citation")
        ),
        lots_citation=_citation((raw.get("lots_aggregated") or {}).get("citation")),
        small_lots=SmallLots(
            max_lot_value=dict(small["max_lot_value"]),
            max_share=float(small["max_share"]),
            citation=_required_citation(small["citation"]),
        )
        if small
        else None,
        indefinite_duration_months=raw.get("indefinite_duration_months"),
        indefinite_duration_citation=_citation(raw.get("indefinite_duration_citation")),
        anti_splitting=AntiSplitting(
            cpv_digits=split["cpv_digits"],
            period=split["period"],
            heuristic=split["heuristic"],
            citation=_required_citation(split["citation"]),
        )
        if split
        else None,
    )


def _parse_date(value: str, source: str, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise RulePackError(source, Problem(f"not a date: {value!r}", field=where)) from exc


def build_pack(document: Mapping[str, Any], source: str) -> RulePack:
    """Turn a schema-valid pack document into a :class:`RulePack` and check consistency."""
    standstill = document.get("standstill")
    pack = RulePack(
        id=document["id"],
        title=document["title"],
        jurisdiction=document["jurisdiction"],
        currency=document["currency"],
        vat=document["vat"],
        vat_rate=float(document.get("vat_rate", 0.0)),
        vat_citation=_citation(document.get("vat_citation")),
        valid_from=_parse_date(document["valid_from"], source, "valid_from"),
        valid_to=_parse_date(document["valid_to"], source, "valid_to")
        if document.get("valid_to")
        else None,
        threshold_comparison=document.get("threshold_comparison", "at-or-above"),
        thresholds=tuple(
            Threshold(
                id=t["id"],
                categories=tuple(t["categories"]),
                authorities=tuple(t["authorities"]),
                value=float(t["value"]),
                citation=_required_citation(t["citation"]),
            )
            for t in document["thresholds"]
        ),
        lower_bands=tuple(
            Band(
                id=b["id"],
                regime=b["regime"],
                max_value=float(b["max_value"]),
                citation=_required_citation(b["citation"]),
                categories=tuple(b.get("categories", CATEGORIES)),
                authorities=tuple(b.get("authorities", AUTHORITIES)),
            )
            for b in sorted(document.get("lower_bands", ()), key=lambda b: b["max_value"])
        ),
        prior_review=tuple(
            ReviewThreshold(
                id=r["id"],
                risk=r["risk"],
                categories=tuple(r["categories"]),
                min_value=float(r["min_value"]),
                citation=_required_citation(r["citation"]),
            )
            for r in document.get("prior_review", ())
        ),
        market_approach=_market_approach(document.get("market_approach")),
        valuation=_valuation(document.get("valuation", {})),
        framework=tuple(
            FrameworkLimit(
                authorities=tuple(f["authorities"]),
                max_years=float(f["max_years"]),
                citation=_required_citation(f["citation"]),
            )
            for f in document.get("framework", ())
        ),
        standstill=Standstill(
            days=standstill["days"],
            day_kind=standstill["day_kind"],
            starts=standstill["starts"],
            regimes=tuple(standstill["regimes"]),
            citation=_required_citation(standstill["citation"]),
            exempt_procedures=tuple(standstill.get("exempt_procedures", ())),
            exemptions=tuple(
                StandstillExemption(
                    when=tuple(e["when"]),
                    note=e["note"],
                    citation=_required_citation(e["citation"]),
                )
                for e in standstill.get("exemptions", ())
            ),
            authority_citations={
                authority: _required_citation(raw)
                for authority, raw in standstill.get("authority_citations", {}).items()
            },
            note=standstill.get("note", ""),
        )
        if standstill
        else None,
        notices=tuple(
            Notice(
                id=n["id"],
                name=n["name"],
                at=n["at"],
                regimes=tuple(n["regimes"]),
                citation=_required_citation(n["citation"]),
                offset_days=n.get("offset_days", 0),
                when=tuple(n.get("when", ())),
                procedures=tuple(n.get("procedures", ())),
                exclude_procedures=tuple(n.get("exclude_procedures", ())),
                note=n.get("note", ""),
            )
            for n in document.get("notices", ())
        ),
        procedures=tuple(
            Procedure(
                id=p["id"],
                name=p["name"],
                ocds_method=p["ocds_method"],
                regimes=tuple(p["regimes"]),
                authorities=tuple(p["authorities"]),
                condition=p["condition"],
                citation=_required_citation(p["citation"]),
                steps=tuple(_step(s) for s in p["steps"]),
                requires_any=tuple(p.get("requires_any", ())),
                award_basis=p.get("award_basis", "any"),
            )
            for p in document["procedures"]
        ),
        recommendation=tuple(
            Recommendation(procedure=r["procedure"], when=tuple(r["when"]), reason=r["reason"])
            for r in document["recommendation"]
        ),
        source=source,
        extends=document.get("extends"),
        checked_on=_parse_date(document["checked_on"], source, "checked_on")
        if document.get("checked_on")
        else None,
        edition=document.get("edition", ""),
        contract_kind=document.get("contract_kind", "contract"),
        audience=document.get("audience", "any"),
    )
    problems = consistency_problems(pack)
    if problems:
        raise RulePackError(source, problems)
    return pack


def _market_approach(section: dict[str, Any] | None) -> MarketApproach | None:
    if section is None:
        return None
    return MarketApproach(
        citation=_required_citation(section["citation"]),
        country=section.get("country", ""),
        international_from=tuple(
            MarketThreshold(
                id=t["id"],
                categories=tuple(t["categories"]),
                min_value=float(t["min_value"]),
                citation=_required_citation(t["citation"]),
            )
            for t in section.get("international_from", ())
        ),
    )


def consistency_problems(pack: RulePack) -> list[Problem]:
    """What the schema cannot see: duplicates, dangling references, gaps, dates."""
    problems: list[Problem] = []
    if pack.valid_to is not None and pack.valid_to < pack.valid_from:
        problems.append(Problem("valid_to is before valid_from", field="valid_to"))
    if pack.vat == "included" and pack.vat_rate <= 0:
        problems.append(Problem("vat: included needs a vat_rate above 0", field="vat_rate"))
    seen_pairs: dict[tuple[str, str], int] = {}
    for index, row in enumerate(pack.thresholds):
        for category in row.categories:
            for authority in row.authorities:
                if (category, authority) in seen_pairs:
                    problems.append(
                        Problem(
                            f"{category} / {authority} already has a threshold "
                            f"(thresholds[{seen_pairs[(category, authority)]}])",
                            field=f"thresholds[{index}]",
                        )
                    )
                seen_pairs[(category, authority)] = index
    for category in CATEGORIES:
        for authority in AUTHORITIES:
            if (category, authority) not in seen_pairs:
                problems.append(
                    Problem(f"no threshold for {category} / {authority}", field="thresholds")
                )
    if pack.market_approach is not None:
        covered: dict[str, int] = {}
        for index, market in enumerate(pack.market_approach.international_from):
            for category in market.categories:
                if category in covered:
                    problems.append(
                        Problem(
                            f"{category} already has a market-approach threshold "
                            f"(international_from[{covered[category]}])",
                            field=f"market_approach.international_from[{index}]",
                        )
                    )
                covered[category] = index
    ids = [p.id for p in pack.procedures]
    for index, proc_id in enumerate(ids):
        if ids.index(proc_id) != index:
            problems.append(
                Problem(f"duplicate procedure id {proc_id!r}", field=f"procedures[{index}].id")
            )
    known = set(ids)
    for index, rec in enumerate(pack.recommendation):
        if rec.procedure not in known:
            problems.append(
                Problem(
                    f"unknown procedure {rec.procedure!r}",
                    field=f"recommendation[{index}].procedure",
                )
            )
    for index, notice in enumerate(pack.notices):
        for ref in (*notice.procedures, *notice.exclude_procedures):
            if ref not in known:
                problems.append(Problem(f"unknown procedure {ref!r}", field=f"notices[{index}]"))
    if pack.standstill is not None:
        for ref in pack.standstill.exempt_procedures:
            if ref not in known:
                problems.append(
                    Problem(f"unknown procedure {ref!r}", field="standstill.exempt_procedures")
                )
    return problems


# ---------------------------------------------------------------------------
# Finding packs


def builtin_pack_dir() -> Path:
    """Directory of the packs shipped with the product."""
    return Path(str(files("rules.packs")))


PACK_DIRS_ENV = "DECISION_SUPPORT_RULE_PACKS"


def pack_search_dirs(given: Sequence[Path | str] = ()) -> list[str]:
    """Extra rule-pack folders, in the one order every entry point uses: the machine's
    ``DECISION_SUPPORT_RULE_PACKS`` (``os.pathsep``-separated) first, then ``given``
    (a command's options, the app's setting); a later folder's pack overrides an
    earlier one with the same id."""
    from_env = [d for d in os.environ.get(PACK_DIRS_ENV, "").split(os.pathsep) if d]
    return [*from_env, *(str(d) for d in given)]


def _pack_files(search_dirs: Sequence[Path | str]) -> dict[str, Path]:
    """Map pack id (file stem) → file; later directories override earlier ones."""
    found: dict[str, Path] = {}
    for directory in (builtin_pack_dir(), *(Path(d) for d in search_dirs)):
        if not directory.is_dir():
            raise UnknownPackError(str(directory), "rule-pack directory does not exist")
        for path in sorted(directory.iterdir()):
            if path.suffix in PACK_SUFFIXES:
                found[path.stem] = path
    return found


def _load_document(
    path: Path, files_by_id: Mapping[str, Path], chain: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Read one pack file, validate it and merge it over its parent."""
    document = _read_yaml(path)
    if not isinstance(document, dict):
        raise RulePackError(str(path), "a rule pack must be a YAML mapping")
    parent_id = document.get("extends")
    merged: dict[str, Any] = {}
    if parent_id is not None:
        if parent_id in chain or parent_id == document.get("id"):
            raise RulePackError(str(path), Problem("circular 'extends'", field="extends"))
        if parent_id not in files_by_id:
            raise RulePackError(
                str(path), Problem(f"unknown parent pack {parent_id!r}", field="extends")
            )
        merged = _load_document(
            files_by_id[parent_id], files_by_id, (*chain, str(document.get("id")))
        )
        merged.pop("extends", None)
    for key, value in document.items():
        if key in MERGED_BY_ID and isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = _merge_by_id(merged[key], value)
        else:
            merged[key] = value
    problems = schema_problems(merged, load_schema())
    if problems:
        raise RulePackError(str(path), problems)
    if path.stem != merged["id"]:
        raise RulePackError(
            str(path), Problem(f"id {merged['id']!r} must match the file name", field="id")
        )
    return merged


def _merge_by_id(parent: list[Any], child: list[Any]) -> list[Any]:
    """Child entries replace parent entries with the same id; new ids are appended."""
    child_ids = {item.get("id") for item in child if isinstance(item, dict)}
    kept = [
        item for item in parent if not isinstance(item, dict) or item.get("id") not in child_ids
    ]
    return [*kept, *child]


def _signature(path: Path, files_by_id: Mapping[str, Path]) -> tuple[Any, ...]:
    """Cache key: this file and every pack file it could extend, with their mtimes."""
    stats = []
    for candidate in (path, *sorted(files_by_id.values())):
        try:
            stat = candidate.stat()
        except OSError:
            continue
        stats.append((str(candidate), stat.st_mtime_ns, stat.st_size))
    return tuple(stats)


def _build_cached(path: Path, files_by_id: Mapping[str, Path]) -> RulePack:
    key = _signature(path, files_by_id)
    if key not in _BUILT:
        document = _load_document(path, files_by_id)
        try:
            _BUILT[key] = build_pack(document, str(path))
        except (KeyError, TypeError, ValueError) as exc:
            # The schema leaves some blocks optional for city packs that extend a
            # parent; a pack that ends up without one cannot be built.
            missing = f"'{exc.args[0]}' is missing" if isinstance(exc, KeyError) else str(exc)
            raise RulePackError(str(path), f"the pack cannot be built: {missing}") from None
    return _BUILT[key]


def load_pack_file(path: Path | str, search_dirs: Sequence[Path | str] = ()) -> RulePack:
    """Load one pack from a file (its parent, if any, is looked up by id)."""
    path = Path(path)
    files_by_id = _pack_files([*search_dirs, path.parent] if path.parent.is_dir() else search_dirs)
    return _build_cached(path, files_by_id)


def available_packs(search_dirs: Sequence[Path | str] = ()) -> list[RulePack]:
    """Every pack found in the built-in and extra directories, sorted by id."""
    files_by_id = _pack_files(search_dirs)
    return [_build_cached(path, files_by_id) for _, path in sorted(files_by_id.items())]


def load_pack(
    name: str,
    on: date | None = None,
    search_dirs: Sequence[Path | str] = (),
    contract_kind: str = "contract",
) -> RulePack:
    """Find a pack by id, by file path, or by jurisdiction and date.

    ``name`` may be a pack id (``eu-2026``), a path to a YAML file, a pack family
    (the id without its year: ``world-bank``) or a jurisdiction (``eu``, ``uk``;
    case-insensitive). For a family or jurisdiction, the pack of ``contract_kind``
    valid on ``on`` (default today) is chosen; if none is valid then, the most
    recent one that started before that date (or, for dates before every pack,
    the oldest pack).
    """
    if name.endswith(PACK_SUFFIXES):
        return load_pack_file(name, search_dirs)
    files_by_id = _pack_files(search_dirs)
    if name in files_by_id:
        return _build_cached(files_by_id[name], files_by_id)
    return select_pack(name, on or date.today(), search_dirs, contract_kind)


def select_pack(
    jurisdiction: str,
    on: date,
    search_dirs: Sequence[Path | str] = (),
    contract_kind: str = "contract",
) -> RulePack:
    """The pack of ``jurisdiction`` (or pack family) for ``contract_kind`` valid on a
    date (the tender's date)."""
    wanted = jurisdiction.strip().lower()
    packs = available_packs(search_dirs)
    of_kind = [p for p in packs if p.contract_kind == contract_kind]
    by_jurisdiction = [p for p in of_kind if p.jurisdiction.lower() == wanted]
    candidates = (
        [p for p in of_kind if p.family == wanted]
        # a jurisdiction name picks the packs written for cities (not e.g. the FAR)
        or [p for p in by_jurisdiction if p.audience != "federal-agencies"]
        or by_jurisdiction
        or [p for p in of_kind if p.id.split("-")[0] == wanted]
    )
    if not candidates:
        known = sorted({p.id for p in packs})
        kind = "" if contract_kind == "contract" else f"{contract_kind} "
        raise UnknownPackError(
            jurisdiction,
            f"no {kind}rule pack or jurisdiction {jurisdiction!r}; known: {', '.join(known)}",
        )
    chosen = newest_valid(candidates, on)
    if not chosen.is_valid_on(on):
        log.warning("no %s pack valid on %s; using %s", jurisdiction, on, chosen.id)
    return chosen


def newest_valid(candidates: Sequence[RulePack], on: date) -> RulePack:
    """The pack valid on ``on`` that started last; failing that the newest that
    started before ``on``; failing that the oldest."""
    valid = [p for p in candidates if p.is_valid_on(on)]
    if valid:
        return max(valid, key=lambda p: p.valid_from)
    earlier = [p for p in candidates if p.valid_from <= on]
    if earlier:
        return max(earlier, key=lambda p: p.valid_from)
    return min(candidates, key=lambda p: p.valid_from)


def route_pack(
    pack: RulePack, contract_kind: str, on: date, search_dirs: Sequence[Path | str] = ()
) -> RulePack:
    """The pack of ``pack``'s jurisdiction that governs a ``contract_kind`` on ``on``.

    A concession under an EU public-contracts pack goes to the EU concessions pack
    (Directive 2014/23/EU). When the jurisdiction has no pack of that kind, ``pack``
    itself is returned (the assessment then warns that it was not routed).
    """
    if pack.contract_kind == contract_kind:
        return pack
    same = [
        p
        for p in available_packs(search_dirs)
        if p.contract_kind == contract_kind and p.jurisdiction.lower() == pack.jurisdiction.lower()
    ]
    return newest_valid(same, on) if same else pack
