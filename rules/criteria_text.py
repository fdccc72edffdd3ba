"""Award and selection criteria as a procurement officer writes them on a form:
one criterion a line, its parts separated by semicolons.

- award criteria: ``type; name; weight``, e.g. ``quality; Technical merit; 60``
  (type price, cost or quality; name and weight in percent optional);
- selection criteria: ``type; description; minimum``, e.g.
  ``economic; Annual turnover; at least 2 x the contract value`` (type economic,
  technical, suitability or other; the minimum level optional).

They become :class:`rules.contract.AwardCriterion` / :class:`SelectionCriterion`,
which the OCDS export writes with the award and selection criteria extensions.
"""

from __future__ import annotations

from typing import Any

from decision_support.errors import InputError, Problem
from rules.contract import (
    AWARD_CRITERION_TYPES,
    SELECTION_CRITERION_TYPES,
    AwardCriterion,
    SelectionCriterion,
)

SEPARATOR = ";"


def _lines(text: str) -> list[tuple[int, list[str]]]:
    return [
        (number, [part.strip() for part in line.split(SEPARATOR)])
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]


def parse_award_criteria(text: str, field: str = "award_criteria") -> tuple[AwardCriterion, ...]:
    """The award criteria of ``text``; every bad line is reported with its number."""
    criteria: list[AwardCriterion] = []
    problems: list[Problem] = []
    for number, parts in _lines(text):
        kind = parts[0].lower()
        if kind not in AWARD_CRITERION_TYPES or len(parts) > 3:
            problems.append(
                Problem(
                    f"line {number}: write 'type; name; weight' with type one of "
                    f"{', '.join(AWARD_CRITERION_TYPES)}",
                    field=field,
                )
            )
            continue
        weight: float | None = None
        if len(parts) == 3 and parts[2]:
            try:
                weight = float(parts[2].rstrip("%").strip())
            except ValueError:
                problems.append(
                    Problem(f"line {number}: the weight must be a number (percent)", field=field)
                )
                continue
        criteria.append(AwardCriterion(kind, parts[1] if len(parts) > 1 else "", weight))
    if problems:
        raise InputError(problems)
    return tuple(criteria)


def parse_selection_criteria(
    text: str, field: str = "selection_criteria"
) -> tuple[SelectionCriterion, ...]:
    """The selection criteria of ``text``; every bad line is reported with its number."""
    criteria: list[SelectionCriterion] = []
    problems: list[Problem] = []
    for number, parts in _lines(text):
        kind = parts[0].lower()
        if kind not in SELECTION_CRITERION_TYPES or len(parts) > 3:
            problems.append(
                Problem(
                    f"line {number}: write 'type; description; minimum' with type one of "
                    f"{', '.join(SELECTION_CRITERION_TYPES)}",
                    field=field,
                )
            )
        elif len(parts) < 2 or not parts[1]:
            problems.append(Problem(f"line {number}: a description is required", field=field))
        else:
            criteria.append(SelectionCriterion(kind, parts[1], parts[2] if len(parts) > 2 else ""))
    if problems:
        raise InputError(problems)
    return tuple(criteria)


def award_criteria_text(criteria: tuple[AwardCriterion, ...]) -> str:
    """The lines :func:`parse_award_criteria` reads back."""
    return "\n".join(
        SEPARATOR.join(
            (c.type, f" {c.name}", f" {c.weight:g}" if c.weight is not None else "")
        ).rstrip("; ")
        for c in criteria
    )


def selection_criteria_text(criteria: tuple[SelectionCriterion, ...]) -> str:
    """The lines :func:`parse_selection_criteria` reads back."""
    return "\n".join(
        SEPARATOR.join((c.type, f" {c.description}", f" {c.minimum}" if c.minimum else "")).rstrip(
            "; "
        )
        for c in criteria
    )


def award_criteria_rows(criteria: tuple[AwardCriterion, ...]) -> list[dict[str, Any]]:
    """Award criteria as stored (JSON)."""
    return [{"type": c.type, "name": c.name, "weight": c.weight} for c in criteria]


def selection_criteria_rows(criteria: tuple[SelectionCriterion, ...]) -> list[dict[str, Any]]:
    """Selection criteria as stored (JSON)."""
    return [{"type": c.type, "description": c.description, "minimum": c.minimum} for c in criteria]


def award_criteria_from_rows(rows: list[dict[str, Any]] | None) -> tuple[AwardCriterion, ...]:
    """Stored award criteria back as domain objects."""
    return tuple(
        AwardCriterion(
            str(r["type"]),
            str(r.get("name") or ""),
            float(r["weight"]) if r.get("weight") is not None else None,
        )
        for r in rows or []
    )


def selection_criteria_from_rows(
    rows: list[dict[str, Any]] | None,
) -> tuple[SelectionCriterion, ...]:
    """Stored selection criteria back as domain objects."""
    return tuple(
        SelectionCriterion(str(r["type"]), str(r["description"]), str(r.get("minimum") or ""))
        for r in rows or []
    )
