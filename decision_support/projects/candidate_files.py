"""A city's candidate list as a YAML file (``scenarios/<city>/candidates.yaml``).

::

    city:                      # CityProfile
      name: Demo City (fictional)
      population: 250000
      households: 110000
      currency: EUR
      sizes: {water_connections: 62000, ...}
      baselines: {"EN:E:E:2C": 5400, ...}     # current KPI values (compact code[|data point])
    candidates:
      - template: smart-water-meters          # instantiated from the library at load time
        id: smart-water-meters                # optional, defaults to the template id
        sizes: {meters: 31000}                # optional, template default otherwise
        cost_level: typical                   # optional
        earliest_start: 0                     # optional
        latest_start: 4                       # optional
      - id: my-own-project                    # or a fully written project (candidate dict)
        name: ...

Loading is all-or-nothing: every problem of every entry is collected (fields prefixed
``candidates[n].``) and raised once as :class:`ProjectError`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from decision_support.errors import InputError, Problem
from decision_support.files.documents import DocumentError, read_document_file
from decision_support.projects.candidates import (
    candidate_from_dict,
    candidate_to_dict,
    check_candidate_list,
)
from decision_support.projects.instantiate import instantiate, link_candidates
from decision_support.projects.library import Library, load_library
from decision_support.projects.model import CandidateProject, CityProfile, ProjectError

_TEMPLATE_ENTRY_KEYS = {"template", "id", "sizes", "cost_level", "earliest_start", "latest_start"}


@dataclass(frozen=True)
class CandidateList:
    """A city and its candidate projects."""

    city: CityProfile
    candidates: tuple[CandidateProject, ...]


def city_from_dict(data: Any) -> CityProfile:
    """A CityProfile from the ``city:`` mapping; raises ProjectError naming bad fields."""
    problems = []
    if not isinstance(data, dict):
        raise ProjectError(Problem("'city' must be a mapping", field="city"))
    for key in ("population", "households"):
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            problems.append(Problem(f"'{key}' must be a positive number", field=f"city.{key}"))
    sizes = data.get("sizes") or {}
    baselines = data.get("baselines") or {}
    for label, mapping in (("sizes", sizes), ("baselines", baselines)):
        if not isinstance(mapping, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in mapping.values()
        ):
            problems.append(Problem(f"'{label}' must map names to numbers", field=f"city.{label}"))
    if problems:
        raise ProjectError(problems)
    return CityProfile(
        name=str(data.get("name") or "city"),
        population=float(data["population"]),
        households=float(data["households"]),
        currency=str(data.get("currency") or "EUR"),
        eur_to_local=float(data.get("eur_to_local") or 1.0),
        sizes={str(k): float(v) for k, v in sizes.items()},
        baselines={str(k): float(v) for k, v in baselines.items()},
    )


def _from_template(entry: dict[str, Any], city: CityProfile, library: Library) -> CandidateProject:
    unknown = sorted(set(entry) - _TEMPLATE_ENTRY_KEYS)
    if unknown:
        raise ProjectError(
            Problem(f"unknown key(s) for a template entry: {', '.join(unknown)}", field=unknown[0])
        )
    sizes = entry.get("sizes") or {}
    if not isinstance(sizes, dict):
        raise ProjectError(Problem("must be a mapping of size names to numbers", field="sizes"))
    problems = [
        Problem("must be a whole number of years", field=name)
        for name in ("earliest_start", "latest_start")
        if entry.get(name) is not None
        and (isinstance(entry[name], bool) or not isinstance(entry[name], int))
    ]
    if problems:
        raise ProjectError(problems)
    template = library.get(str(entry["template"]))
    project = instantiate(
        template,
        city,
        sizes,
        str(entry.get("cost_level") or "typical"),
        project_id=entry.get("id"),
    )
    latest = entry.get("latest_start")
    return replace(
        project,
        earliest_start=int(entry.get("earliest_start") or 0),
        latest_start=int(latest) if latest is not None else None,
    )


def _prefixed(problem: Problem, where: str) -> Problem:
    field = problem.field or ""
    if not field.startswith(where):
        field = f"{where}{field}".rstrip(".")
    return Problem(problem.message, field=field)


def parse_candidate_document(document: Any, library: Library | None = None) -> CandidateList:
    """Validate and build a candidate list from a parsed YAML/JSON document."""
    library = library or load_library()
    if not isinstance(document, dict) or "city" not in document or "candidates" not in document:
        raise ProjectError(Problem("the file needs a 'city' mapping and a 'candidates' list"))
    city = city_from_dict(document["city"])
    entries = document["candidates"]
    if not isinstance(entries, list):
        raise ProjectError(Problem("'candidates' must be a list", field="candidates"))
    problems: list[Problem] = []
    projects: list[CandidateProject] = []
    for n, entry in enumerate(entries):
        where = f"candidates[{n}]."
        try:
            if isinstance(entry, dict) and "template" in entry:
                projects.append(_from_template(entry, city, library))
            else:
                projects.append(candidate_from_dict(entry, where))
        except InputError as exc:
            problems.extend(_prefixed(p, where) for p in exc.problems)
    if problems:
        raise ProjectError(problems)
    linked = link_candidates(projects)
    problems = check_candidate_list(linked)
    if problems:
        raise ProjectError(problems)
    return CandidateList(city, tuple(linked))


def read_candidate_file(path: Path, library: Library | None = None) -> CandidateList:
    """Read ``candidates.yaml`` (see module docstring)."""
    try:
        document = read_document_file(path, format="yaml")
    except DocumentError as exc:
        raise ProjectError(exc.problems) from None
    return parse_candidate_document(document, library)


def dump_candidate_document(city: CityProfile, candidates: list[CandidateProject]) -> str:
    """YAML text with every candidate written out in full (no template references)."""
    document = {
        "city": {
            "name": city.name,
            "population": city.population,
            "households": city.households,
            "currency": city.currency,
            "eur_to_local": city.eur_to_local,
            "sizes": dict(city.sizes),
            "baselines": dict(city.baselines),
        },
        "candidates": [candidate_to_dict(c) for c in candidates],
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
