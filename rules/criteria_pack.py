"""Criteria packs: the declarative list of checks the ICT tender checker runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from decision_support.errors import Problem
from decision_support.files.schema import schema_problems
from rules.errors import RulePackError
from rules.rule_pack import Citation, load_schema, parse_yaml

SEVERITIES = ("law", "law-if", "national", "recommended")
DEFAULT_CRITERIA = "ict-criteria.yaml"


@dataclass(frozen=True)
class Criterion:
    """One check: when it applies, how it is tested, what satisfies it, how to fix it."""

    id: str
    title: str
    group: str
    severity: str
    condition: str
    check_type: str
    evidence: str
    fix: str
    sources: tuple[Citation, ...]
    applies_if: Mapping[str, Any] = field(default_factory=dict)
    check_key: str = ""
    check_pattern: str = ""

    @property
    def citation(self) -> str:
        """The sources as one line (``Dir. 2014/24/EU Art. 42(4); …``)."""
        return "; ".join(source.ref for source in self.sources)


@dataclass(frozen=True)
class IctCpvCode:
    """A CPV code (or its first digits: a division, group or class) whose tenders are
    ICT tenders; ``title`` is the code's CPV 2008 title, ``estimate`` says why
    counting it as ICT is a judgement where it is one."""

    prefix: str
    title: str
    estimate: str = ""


@dataclass(frozen=True)
class CriteriaPack:
    """A named list of criteria, and the CPV codes of the tenders they are for."""

    id: str
    title: str
    criteria: tuple[Criterion, ...]
    source: str
    ict_codes: tuple[IctCpvCode, ...] = ()
    ict_source: Citation | None = None


def _citation(raw: Mapping[str, Any]) -> Citation:
    return Citation(
        ref=raw["ref"],
        url=raw["url"],
        unverified=bool(raw.get("unverified", False)),
        note=raw.get("note", ""),
    )


def build_criteria_pack(document: Any, source: str) -> CriteriaPack:
    """Validate a criteria-pack document and build it."""
    if not isinstance(document, dict):
        raise RulePackError(source, "a criteria pack must be a YAML mapping")
    problems = schema_problems(document, load_schema("criteria-pack.schema.json"))
    if problems:
        raise RulePackError(source, problems)
    seen: set[str] = set()
    duplicates = []
    for index, raw in enumerate(document["criteria"]):
        if raw["id"] in seen:
            duplicates.append(
                Problem(f"duplicate criterion id {raw['id']!r}", field=f"criteria[{index}].id")
            )
        seen.add(raw["id"])
    if duplicates:
        raise RulePackError(source, duplicates)
    scope = document.get("ict_scope")
    return CriteriaPack(
        id=document["id"],
        title=document["title"],
        source=source,
        ict_codes=tuple(
            IctCpvCode(c["prefix"], c["title"], c.get("estimate", "")) for c in scope["codes"]
        )
        if scope
        else (),
        ict_source=_citation(scope["source"]) if scope else None,
        criteria=tuple(
            Criterion(
                id=raw["id"],
                title=raw["title"],
                group=raw["group"],
                severity=raw["severity"],
                condition=raw["condition"],
                check_type=raw["check"]["type"],
                check_key=raw["check"].get("key", ""),
                check_pattern=raw["check"].get("pattern", ""),
                evidence=raw["evidence"],
                fix=raw["fix"],
                applies_if=dict(raw.get("applies_if", {})),
                sources=tuple(_citation(s) for s in raw["source"]),
            )
            for raw in document["criteria"]
        ),
    )


@cache
def _default_criteria_pack() -> CriteriaPack:
    resource = files("rules.criteria").joinpath(DEFAULT_CRITERIA)
    return build_criteria_pack(parse_yaml(resource.read_text(encoding="utf-8")), str(resource))


def load_criteria_pack(path: Path | str | None = None) -> CriteriaPack:
    """Load a criteria pack from a file, or the shipped ICT criteria."""
    if path is None:
        return _default_criteria_pack()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulePackError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    return build_criteria_pack(parse_yaml(text), str(path))
