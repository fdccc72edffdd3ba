"""Financing mechanisms: the shipped catalogue and a city's overrides of it.

The catalogue (``decision_support/data/financing_mechanisms.yaml``) is checked against
its JSON Schema (``financing_mechanisms.schema.json``) and a few cross-field rules when
loaded. A city switches mechanisms on or off and overrides their terms with
:func:`apply_city_settings`, which validates every override and names the field of
each problem (``<mechanism id>.<field>``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jsonschema

from decision_support.errors import InputError, Problem
from decision_support.files.documents import load_json, load_yaml, read_document_file
from decision_support.files.schema import TOP_LEVEL, document_path

Kind = Literal["own_funds", "contribution", "debt", "deferred_payment", "user_funded"]
Amortisation = Literal["annuity", "linear", "bullet", "none"]
ProvenanceStatus = Literal["sourced", "unverified", "estimate", "city_override"]

FINANCING_TAGS = (
    "green",
    "social",
    "revenue-generating",
    "energy-saving",
    "digital",
    "innovation",
)

#: Figures a city may override, in the order forms and spreadsheets show them.
OVERRIDABLE_FIELDS = (
    "interest_rate",
    "issuance_cost",
    "tenor_years",
    "grace_years",
    "amortisation",
    "min_deal",
    "max_deal",
    "max_share",
    "cofinancing_share",
    "eligible_tags",
    "counts_as_city_debt",
    "lead_time_months",
    "capacity_total",
    "capacity_per_year",
    "award_probability",
    "reimbursement_lag_years",
    "min_dscr",
    "risk_transferred",
)

#: Kinds whose money the city (or a private partner) pays back over a schedule.
REPAID_KINDS = frozenset({"debt", "deferred_payment", "user_funded"})


class MechanismError(InputError):
    """The catalogue or a city's mechanism settings are invalid."""


@dataclass(frozen=True)
class Provenance:
    """Where one figure comes from: ``sourced`` (with URL), ``unverified``, ``estimate``
    or ``city_override``."""

    status: ProvenanceStatus
    url: str | None = None
    note: str = ""

    @property
    def label(self) -> str:
        """Short human label: the URL for sourced figures, else the status."""
        if self.status == "sourced" and self.url:
            return self.url
        return self.status.replace("_", " ")


@dataclass(frozen=True)
class Mechanism:
    """One financing mechanism with its (possibly city-overridden) terms.

    Rates and shares are decimals; money in the catalogue currency; ``None`` for
    ``max_deal``, ``capacity_*`` and ``min_dscr`` means "no limit".
    """

    id: str
    type: str
    kind: Kind
    name: str
    description: str
    interest_rate: float
    issuance_cost: float
    tenor_years: int
    grace_years: int
    amortisation: Amortisation
    min_deal: float
    max_deal: float | None
    max_share: float
    cofinancing_share: float
    eligible_tags: frozenset[str]
    counts_as_city_debt: bool
    lead_time_months: int
    capacity_total: float | None
    capacity_per_year: float | None
    award_probability: float
    reimbursement_lag_years: int
    min_dscr: float | None
    risk_transferred: tuple[str, ...]
    provenance: Mapping[str, Provenance] = field(default_factory=dict)
    enabled: bool = True

    def source_of(self, figure: str) -> Provenance:
        """Provenance of one figure (falls back to the mechanism's default entry)."""
        return self.provenance[figure]

    def is_eligible(self, tags: Iterable[str]) -> bool:
        """True if the mechanism accepts a project with these financing tags
        (an empty ``eligible_tags`` accepts any project)."""
        return not self.eligible_tags or bool(self.eligible_tags & set(tags))

    @property
    def is_repaid(self) -> bool:
        """True for mechanisms whose money is repaid over a schedule."""
        return self.kind in REPAID_KINDS

    def figures(self) -> dict[str, Any]:
        """The overridable figures as plain JSON-compatible values."""
        out: dict[str, Any] = {}
        for name in OVERRIDABLE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, frozenset | tuple):
                value = sorted(value)
            out[name] = value
        return out

    def as_dict(self) -> dict[str, Any]:
        """JSON-compatible description including the provenance of every figure."""
        return {
            "id": self.id,
            "type": self.type,
            "kind": self.kind,
            "name": self.name,
            "description": self.description,
            "enabled": self.enabled,
            **self.figures(),
            "sources": {
                name: {"status": p.status, "url": p.url, "note": p.note}
                for name, p in self.provenance.items()
            },
        }


@dataclass(frozen=True)
class MechanismCatalogue:
    """The mechanisms available to a city, in catalogue order."""

    currency: str
    mechanisms: tuple[Mechanism, ...]

    def __iter__(self) -> Iterator[Mechanism]:
        return iter(self.mechanisms)

    def __len__(self) -> int:
        return len(self.mechanisms)

    def __contains__(self, mechanism_id: object) -> bool:
        return any(m.id == mechanism_id for m in self.mechanisms)

    def find(self, mechanism_id: str) -> Mechanism | None:
        """The mechanism with this id, or None."""
        return next((m for m in self.mechanisms if m.id == mechanism_id), None)

    def get(self, mechanism_id: str) -> Mechanism:
        """The mechanism with this id; raises :class:`MechanismError` otherwise."""
        found = self.find(mechanism_id)
        if found is None:
            raise MechanismError(
                Problem(f"unknown financing mechanism '{mechanism_id}'", field="mechanism")
            )
        return found

    @property
    def enabled(self) -> tuple[Mechanism, ...]:
        """Only the mechanisms the city has switched on."""
        return tuple(m for m in self.mechanisms if m.enabled)


@dataclass(frozen=True)
class MechanismSetting:
    """A city's choice for one mechanism: on/off plus figure overrides."""

    mechanism_id: str
    enabled: bool = True
    overrides: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


@cache
def _schema() -> dict[str, Any]:
    text = (
        resources.files("decision_support.data")
        .joinpath("financing_mechanisms.schema.json")
        .read_text("utf-8")
    )
    return dict(load_json(text, source="financing_mechanisms.schema.json"))


@cache
def _mechanism_validator() -> jsonschema.Draft202012Validator:
    schema = _schema()
    sub = {"$defs": schema["$defs"], **schema["$defs"]["mechanism"]}
    return jsonschema.Draft202012Validator(sub)


def _path_of(error: jsonschema.ValidationError) -> str:
    return document_path(error.absolute_path) if error.absolute_path else ""


def _cross_field_problems(raw: Mapping[str, Any], prefix: str) -> list[Problem]:
    """Rules a JSON Schema cannot state comfortably."""
    problems = [
        Problem("must be a finite number", field=f"{prefix}{name}")
        for name in OVERRIDABLE_FIELDS
        if isinstance(raw.get(name), float) and not math.isfinite(raw[name])
    ]
    if problems:
        return problems
    tenor, grace = raw.get("tenor_years", 0), raw.get("grace_years", 0)
    if raw.get("kind") in REPAID_KINDS:
        if tenor < 1:
            problems.append(
                Problem(
                    "a repaid mechanism needs a tenor of at least 1 year",
                    field=f"{prefix}tenor_years",
                )
            )
        elif grace >= tenor:
            problems.append(
                Problem(
                    f"grace period ({grace} years) must be shorter than the tenor ({tenor} years)",
                    field=f"{prefix}grace_years",
                )
            )
        if raw.get("amortisation") == "none":
            problems.append(
                Problem(
                    "a repaid mechanism needs annuity, linear or bullet amortisation",
                    field=f"{prefix}amortisation",
                )
            )
    elif grace > tenor:
        problems.append(
            Problem(
                f"grace period ({grace} years) cannot exceed the tenor ({tenor} years)",
                field=f"{prefix}grace_years",
            )
        )
    max_deal = raw.get("max_deal")
    if max_deal is not None and raw.get("min_deal", 0) > max_deal:
        problems.append(
            Problem(
                f"minimum deal size {raw['min_deal']:,.0f} exceeds maximum {max_deal:,.0f}",
                field=f"{prefix}min_deal",
            )
        )
    return problems


def _validate_mechanism(raw: Mapping[str, Any], prefix: str) -> list[Problem]:
    problems = [
        Problem(
            err.message,
            field=f"{prefix.rstrip('.')}{_path_of(err)}"
            if _path_of(err).startswith("[")
            else f"{prefix}{_path_of(err)}"
            if _path_of(err)
            else prefix.rstrip("."),
        )
        for err in sorted(_mechanism_validator().iter_errors(raw), key=lambda e: list(e.path))
    ]
    if not problems:
        problems.extend(_cross_field_problems(raw, prefix))
    return problems


def _provenance(sources: Mapping[str, Mapping[str, Any]]) -> dict[str, Provenance]:
    default = sources["default"]
    resolved = {}
    for name in OVERRIDABLE_FIELDS:
        entry = sources.get(name, default)
        resolved[name] = Provenance(
            status=entry["status"], url=entry.get("url"), note=entry.get("note", "")
        )
    return resolved


def _mechanism_from_raw(raw: Mapping[str, Any], provenance: Mapping[str, Provenance]) -> Mechanism:
    def money(value: Any) -> float | None:
        return None if value is None else float(value)

    return Mechanism(
        id=raw["id"],
        type=raw["type"],
        kind=raw["kind"],
        name=raw["name"],
        description=" ".join(str(raw.get("description", "")).split()),
        interest_rate=float(raw["interest_rate"]),
        issuance_cost=float(raw["issuance_cost"]),
        tenor_years=int(raw["tenor_years"]),
        grace_years=int(raw["grace_years"]),
        amortisation=raw["amortisation"],
        min_deal=float(raw["min_deal"]),
        max_deal=money(raw["max_deal"]),
        max_share=float(raw["max_share"]),
        cofinancing_share=float(raw["cofinancing_share"]),
        eligible_tags=frozenset(raw["eligible_tags"]),
        counts_as_city_debt=bool(raw["counts_as_city_debt"]),
        lead_time_months=int(raw["lead_time_months"]),
        capacity_total=money(raw["capacity_total"]),
        capacity_per_year=money(raw["capacity_per_year"]),
        award_probability=float(raw["award_probability"]),
        reimbursement_lag_years=int(raw["reimbursement_lag_years"]),
        min_dscr=money(raw["min_dscr"]),
        risk_transferred=tuple(sorted(raw["risk_transferred"])),
        provenance=dict(provenance),
    )


def parse_catalogue(document: Mapping[str, Any]) -> MechanismCatalogue:
    """Validate a catalogue document (already parsed YAML/JSON) and build the catalogue.

    Raises :class:`MechanismError` listing every problem, each naming its field as
    ``mechanisms[<index>].<field>``.
    """
    top = jsonschema.Draft202012Validator(
        {**_schema(), "properties": {**_schema()["properties"], "mechanisms": {"type": "array"}}}
    )
    problems = [
        Problem(err.message, field=_path_of(err) or TOP_LEVEL) for err in top.iter_errors(document)
    ]
    if problems:
        raise MechanismError(problems)
    seen: set[str] = set()
    for index, raw in enumerate(document["mechanisms"]):
        prefix = f"mechanisms[{index}]."
        problems.extend(_validate_mechanism(raw, prefix))
        mechanism_id = raw.get("id") if isinstance(raw, Mapping) else None
        if mechanism_id in seen:
            problems.append(
                Problem(f"duplicate mechanism id '{mechanism_id}'", field=f"{prefix}id")
            )
        if isinstance(mechanism_id, str):
            seen.add(mechanism_id)
    if problems:
        raise MechanismError(problems)
    return MechanismCatalogue(
        currency=document["currency"],
        mechanisms=tuple(
            _mechanism_from_raw(raw, _provenance(raw["sources"])) for raw in document["mechanisms"]
        ),
    )


@cache
def load_mechanisms() -> MechanismCatalogue:
    """Load and validate the shipped catalogue (cached: it is immutable reference data)."""
    text = (
        resources.files("decision_support.data")
        .joinpath("financing_mechanisms.yaml")
        .read_text("utf-8")
    )
    return parse_catalogue(load_yaml(text, source="financing_mechanisms.yaml"))


def _override_problems(
    base: Mechanism, overrides: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    prefix = f"{base.id}."
    problems = [
        Problem(
            f"'{name}' cannot be overridden; choose one of: {', '.join(OVERRIDABLE_FIELDS)}",
            field=f"{prefix}{name}",
        )
        for name in overrides
        if name not in OVERRIDABLE_FIELDS
    ]
    raw: dict[str, Any] = {
        "id": base.id,
        "type": base.type,
        "kind": base.kind,
        "name": base.name,
        "description": base.description,
        **base.figures(),
        "sources": {"default": {"status": "estimate"}},
    }
    raw.update({k: v for k, v in overrides.items() if k in OVERRIDABLE_FIELDS})
    for name in ("eligible_tags", "risk_transferred"):
        if isinstance(raw[name], set | frozenset | tuple):
            raw[name] = sorted(raw[name])
    problems.extend(_validate_mechanism(raw, prefix))
    return raw, problems


def apply_city_settings(
    catalogue: MechanismCatalogue,
    settings: Sequence[MechanismSetting],
    *,
    enable_unlisted: bool = False,
) -> MechanismCatalogue:
    """Apply a city's on/off choices and term overrides to the catalogue (pure).

    Mechanisms not mentioned in ``settings`` are enabled only if ``enable_unlisted``.
    Every overridden figure gets provenance ``city_override``. All problems (unknown
    mechanism, unknown or non-overridable field, out-of-range value, grace not shorter
    than tenor, ...) are collected and raised together as :class:`MechanismError`,
    each naming ``<mechanism id>.<field>``.
    """
    problems: list[Problem] = []
    by_id: dict[str, MechanismSetting] = {}
    for setting in settings:
        if setting.mechanism_id not in catalogue:
            problems.append(
                Problem(
                    f"unknown financing mechanism '{setting.mechanism_id}'",
                    field=setting.mechanism_id,
                )
            )
        elif setting.mechanism_id in by_id:
            problems.append(
                Problem(
                    f"mechanism '{setting.mechanism_id}' is listed twice",
                    field=setting.mechanism_id,
                )
            )
        else:
            by_id[setting.mechanism_id] = setting
    result = []
    for base in catalogue:
        if base.id not in by_id:
            result.append(replace(base, enabled=enable_unlisted))
            continue
        setting = by_id[base.id]
        raw, found = _override_problems(base, setting.overrides)
        problems.extend(found)
        if found:
            continue
        provenance = dict(base.provenance)
        for name, value in setting.overrides.items():
            if value != base.figures()[name]:
                provenance[name] = Provenance("city_override", note=setting.note)
        result.append(replace(_mechanism_from_raw(raw, provenance), enabled=setting.enabled))
    if problems:
        raise MechanismError(problems)
    return MechanismCatalogue(currency=catalogue.currency, mechanisms=tuple(result))


def parse_city_settings(document: Mapping[str, Any]) -> list[MechanismSetting]:
    """Read a city's mechanism settings document::

        mechanisms:
          - id: go_bond
            enabled: true
            overrides: {interest_rate: 0.034}
            note: quote from the city's bank, March 2026

    Raises :class:`MechanismError` naming the entry of every malformed item.
    """
    problems: list[Problem] = []
    entries = document.get("mechanisms") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise MechanismError(Problem("expected a list under 'mechanisms'", field="mechanisms"))
    settings = []
    for index, entry in enumerate(entries):
        where = f"mechanisms[{index}]"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            problems.append(Problem("each entry needs an 'id' (a mechanism id)", field=where))
            continue
        unknown = set(entry) - {"id", "enabled", "overrides", "note"}
        if unknown:
            problems.append(
                Problem(
                    f"unknown keys: {', '.join(sorted(unknown))}", field=f"{where}.{entry['id']}"
                )
            )
        enabled = entry.get("enabled", True)
        overrides = entry.get("overrides") or {}
        if not isinstance(enabled, bool):
            problems.append(
                Problem("'enabled' must be true or false", field=f"{entry['id']}.enabled")
            )
        if not isinstance(overrides, Mapping):
            problems.append(
                Problem("'overrides' must be a mapping", field=f"{entry['id']}.overrides")
            )
            continue
        settings.append(
            MechanismSetting(
                mechanism_id=entry["id"],
                enabled=bool(enabled),
                overrides=dict(overrides),
                note=str(entry.get("note", "")),
            )
        )
    if problems:
        raise MechanismError(problems)
    return settings


def load_city_mechanisms(path: str | Path) -> MechanismCatalogue:
    """Load a city's ``mechanisms.yaml`` and apply it to the shipped catalogue.

    Mechanisms the file does not list are disabled.
    """
    document = read_document_file(path)
    return apply_city_settings(load_mechanisms(), parse_city_settings(document or {}))
