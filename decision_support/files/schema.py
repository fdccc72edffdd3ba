"""JSON-Schema violations as located problems, in one path notation.

A path is written as a reader of the YAML or JSON file would look for it:
``procedures[2].steps[0].min_days`` (keys joined by dots, list positions 0-based in
brackets); a problem with the document as a whole has the field ``(top level)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import jsonschema

from decision_support.errors import Problem

TOP_LEVEL = "(top level)"


def document_path(parts: Iterable[Any]) -> str:
    """Format path parts as ``procedures[2].steps[0].min_days`` (``(top level)`` if empty)."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or TOP_LEVEL


def validator_for(schema: Mapping[str, Any]) -> jsonschema.protocols.Validator:
    """A validator of the schema's declared draft (2020-12 when it declares none)."""
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema)


def schema_problems(
    document: Any,
    schema: Mapping[str, Any] | jsonschema.protocols.Validator,
    *,
    prefix: Iterable[Any] = (),
) -> list[Problem]:
    """Every violation of ``schema`` by ``document``, in document order.

    ``prefix`` is prepended to each path (for a part of a larger document). Each
    error is reduced to its most relevant cause (``best_match``), so a failed
    ``oneOf`` names the branch that nearly fits rather than "is not valid under any".
    """
    validator = schema if hasattr(schema, "iter_errors") else validator_for(schema)
    head = list(prefix)
    errors = sorted(
        validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]
    )
    problems = []
    for error in errors:
        best = jsonschema.exceptions.best_match([error]) or error
        problems.append(Problem(best.message, field=document_path([*head, *best.absolute_path])))
    return problems
