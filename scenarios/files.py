"""Reading scenario and what-if files (YAML or JSON) and resolving a what-if onto its base.

A *scenario file* is the optimiser's format (``docs/scenario-format.md``). A *what-if
file* has an ``overrides`` block and optionally a ``base`` (a scenario file path,
relative to the what-if file)::

    name: Budget cut 20 %
    description: Every yearly budget 20 % lower.
    base: portfolio.yaml
    overrides:
      budget: {change_percent: -20}

The shipped library of standard what-ifs (``scenarios/whatifs/``) has no ``base``:
it applies to whichever scenario it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from decision_support.errors import InputError, Problem
from decision_support.files.documents import DocumentError, load_document, read_bounded_bytes
from scenarios.overrides import apply_overrides, check_overrides

WHATIF_KEYS = {"name", "description", "base", "overrides", "kind"}


class ScenarioFileError(InputError):
    """A scenario or what-if file cannot be read or is not of the expected shape."""


@dataclass(frozen=True)
class WhatIf:
    """A named set of overrides, optionally tied to a base scenario file."""

    name: str
    overrides: dict[str, Any]
    description: str = ""
    base: Path | None = None
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The what-if as a file would hold it (``base`` as given, relative or absolute)."""
        data: dict[str, Any] = {"name": self.name, "description": self.description}
        if self.base is not None:
            data["base"] = str(self.base)
        data["overrides"] = self.overrides
        return data


@dataclass(frozen=True)
class ResolvedScenario:
    """A scenario ready to solve: its name, the full scenario dict and where it came from."""

    name: str
    scenario: dict[str, Any]
    source: str
    whatif: WhatIf | None = None
    base_source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def parse_document(text: str | bytes, source: str) -> dict[str, Any]:
    """Parse YAML (or JSON, a YAML subset) text into a mapping; raise ScenarioFileError."""
    try:
        data = load_document(
            text, source=source, format="json" if source.endswith(".json") else "yaml"
        )
    except DocumentError as exc:
        raise ScenarioFileError(
            Problem(f"{source}: {exc.reason}", row=exc.line, column=exc.column)
        ) from None
    if not isinstance(data, dict):
        raise ScenarioFileError(Problem(f"{source}: the document must be a mapping"))
    return data


def read_document(path: Path | str) -> dict[str, Any]:
    """Read a YAML/JSON file into a mapping (OSError propagates for missing files)."""
    path = Path(path)
    if not path.is_file():  # a missing file stays an OSError (the CLI names it)
        path.read_bytes()
    try:
        content = read_bounded_bytes(path)
    except DocumentError as exc:
        raise ScenarioFileError(Problem(f"{path}: {exc.reason}")) from None
    return parse_document(content, str(path))


def is_whatif(document: Mapping[str, Any]) -> bool:
    """A document is a what-if when it carries an ``overrides`` block."""
    return "overrides" in document


def whatif_from_dict(document: Mapping[str, Any], source: str = "") -> WhatIf:
    """Build a :class:`WhatIf` from a parsed what-if document, checking its overrides."""
    unknown = sorted(set(document) - WHATIF_KEYS)
    problems = [Problem(f"unknown key '{key}' in a what-if file", field=key) for key in unknown]
    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem("a what-if needs a non-empty name", field="name"))
    if problems:
        raise ScenarioFileError(problems)
    overrides = document.get("overrides") or {}
    check_overrides(overrides)
    base = document.get("base")
    if base is not None and not isinstance(base, str):
        raise ScenarioFileError(Problem("must be the file name of a scenario", field="base"))
    return WhatIf(
        name=str(name),
        description=str(document.get("description") or ""),
        overrides=dict(overrides),
        base=Path(base) if base else None,
        source=source,
    )


def load_whatif(path: Path | str) -> WhatIf:
    """Read a what-if file."""
    document = read_document(path)
    if not is_whatif(document):
        raise ScenarioFileError(Problem(f"{path}: not a what-if file (no 'overrides' block)"))
    return whatif_from_dict(document, str(path))


def resolve_file(path: Path | str, base: Path | str | None = None) -> ResolvedScenario:
    """Turn a scenario or what-if file into a solvable scenario.

    A what-if is applied to ``base`` when given, else to the file its ``base`` key
    names (relative to the what-if file). A scenario file is returned as is.
    """
    path = Path(path)
    document = read_document(path)
    if not is_whatif(document):
        name = str(document.get("name") or path.stem)
        return ResolvedScenario(name=name, scenario=document, source=str(path))
    whatif = whatif_from_dict(document, str(path))
    if base is not None:
        base_path = Path(base)
    elif whatif.base is not None:
        base_path = whatif.base if whatif.base.is_absolute() else path.parent / whatif.base
    else:
        raise ScenarioFileError(
            Problem(
                f"{path}: the what-if names no base scenario; pass one with --base", field="base"
            )
        )
    base_document = read_document(base_path)
    if is_whatif(base_document):
        raise ScenarioFileError(
            Problem(f"{base_path}: a base must be a scenario file", field="base")
        )
    return ResolvedScenario(
        name=whatif.name,
        scenario=apply_whatif(base_document, whatif),
        source=str(path),
        whatif=whatif,
        base_source=str(base_path),
    )


def apply_whatif(base: Mapping[str, Any], whatif: WhatIf) -> dict[str, Any]:
    """Apply a what-if to a base scenario; the result is named after base and what-if."""
    scenario = apply_overrides(base, whatif.overrides)
    base_name = str(base.get("name") or "scenario")
    scenario["name"] = f"{base_name}: {whatif.name}"
    return scenario


def library_whatifs() -> dict[str, WhatIf]:
    """The shipped standard what-ifs, keyed by file stem (e.g. ``budget-cut-20``)."""
    folder = resources.files("scenarios.whatifs")
    found: dict[str, WhatIf] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            document = parse_document(entry.read_text("utf-8"), entry.name)
            found[entry.name.rsplit(".", 1)[0]] = whatif_from_dict(document, entry.name)
    return found


def demo_city_path(name: str = "portfolio.yaml") -> Path:
    """Path of a shipped demo-city file (the base scenario by default)."""
    return Path(str(resources.files("scenarios.demo_city").joinpath(name)))
