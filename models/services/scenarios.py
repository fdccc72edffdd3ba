"""Saved scenarios: create, edit (versioned), clone, import/export, resolve for solving.

A saved scenario's ``definition`` is exactly what a file holds (``docs/scenarios.md``):

* a **scenario document** in the optimiser's format, or
* a **what-if**: ``{"base": "<name of another saved scenario of the city>",
  "overrides": {...}}``, resolved by applying the overrides to the base (which may
  itself be a what-if; cycles are rejected).

Every save writes a :class:`~models.scenario_versions.ScenarioVersion` row (who, when,
which fields changed, a note) and an audit entry. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from decision_support.errors import InputError, Problem
from models.cities import City
from models.scenario_versions import ScenarioVersion
from models.scenarios import Scenario
from models.services.audit import record_change
from models.users import User
from scenarios.files import ScenarioFileError, is_whatif, parse_document, whatif_from_dict
from scenarios.overrides import apply_overrides
from scenarios.runner import canonical_json

MAX_WHATIF_DEPTH = 10
NAME_LIMIT = 200


def _check_name(session: Session, city: City, name: str, exclude_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise InputError(Problem("a scenario needs a name", field="name"))
    if len(name) > NAME_LIMIT:
        raise InputError(Problem(f"at most {NAME_LIMIT} characters", field="name"))
    clash = session.scalar(
        select(Scenario).where(Scenario.city_id == city.id, Scenario.name == name)
    )
    if clash is not None and clash.id != exclude_id:
        raise InputError(Problem(f"the city already has a scenario named '{name}'", field="name"))
    return name


def check_definition(session: Session, city: City, definition: Mapping[str, Any]) -> None:
    """Validate a definition: a what-if's overrides and base, or a full scenario.

    Raises :class:`InputError` whose problems name the field (``definition.…``).
    """
    if is_whatif(definition):
        whatif = whatif_from_dict({"name": "check", **definition})
        if whatif.base is None:
            raise InputError(Problem("a saved what-if names its base scenario", field="definition"))
        base = scenario_by_name(session, city, str(whatif.base))
        if base is None:
            raise InputError(
                Problem(f"no saved scenario named '{whatif.base}'", field="definition")
            )
        resolve_definition(session, city, definition)
        return
    from decision_support.portfolio.scenario import ScenarioError
    from decision_support.portfolio.scenario_file import parse_scenario

    try:
        parse_scenario(dict(definition))
    except ScenarioError as exc:
        raise InputError(
            [Problem(p.message, field=f"definition.{p.field}") for p in exc.problems]
        ) from exc


def scenario_by_name(session: Session, city: City, name: str) -> Scenario | None:
    """The city's saved scenario called ``name``."""
    return session.scalar(
        select(Scenario).where(Scenario.city_id == city.id, Scenario.name == name)
    )


def scenarios_of(session: Session, city: City) -> list[Scenario]:
    """The city's saved scenarios by name."""
    return list(
        session.scalars(select(Scenario).where(Scenario.city_id == city.id).order_by(Scenario.name))
    )


def _changes(
    old: Scenario | None, name: str, description: str, definition: Mapping[str, Any]
) -> list[str]:
    """Which fields changed: top-level definition keys, plus name and description."""
    if old is None:
        return ["created"]
    changed = []
    if old.name != name:
        changed.append("name")
    if old.description != description:
        changed.append("description")
    before, after = dict(old.definition or {}), dict(definition)
    changed += sorted(
        f"definition.{key}" for key in set(before) | set(after) if before.get(key) != after.get(key)
    )
    return changed


def _snapshot(
    session: Session, scenario: Scenario, actor: User | None, changes: list[str], note: str
) -> ScenarioVersion:
    version = ScenarioVersion(
        scenario_id=scenario.id,
        version=scenario.version,
        name=scenario.name,
        description=scenario.description,
        definition=dict(scenario.definition),
        changes=changes,
        note=note,
        changed_by=actor.id if actor is not None else None,
    )
    session.add(version)
    session.flush()
    return version


def create_scenario(
    session: Session,
    city: City,
    actor: User | None,
    *,
    name: str,
    definition: Mapping[str, Any],
    description: str = "",
    note: str = "",
) -> Scenario:
    """Save a new scenario (version 1) after validating its definition."""
    name = _check_name(session, city, name)
    check_definition(session, city, definition)
    scenario = Scenario(
        city_id=city.id,
        name=name,
        description=description,
        definition=dict(definition),
        created_by=actor.id if actor is not None else None,
    )
    session.add(scenario)
    session.flush()
    _snapshot(session, scenario, actor, ["created"], note)
    record_change(
        session,
        actor=actor,
        action="create",
        entity="scenario",
        entity_id=scenario.id,
        city_id=city.id,
        details={"name": name},
    )
    return scenario


def update_scenario(
    session: Session,
    scenario: Scenario,
    actor: User | None,
    *,
    name: str,
    definition: Mapping[str, Any],
    description: str = "",
    note: str = "",
) -> ScenarioVersion | None:
    """Save a new version when something changed; returns it (None when nothing did)."""
    city = session.get(City, scenario.city_id)
    assert city is not None
    name = _check_name(session, city, name, exclude_id=scenario.id)
    check_definition(session, city, definition)
    changes = _changes(scenario, name, description, definition)
    if not changes:
        return None
    old_name = scenario.name
    scenario.name = name
    scenario.description = description
    scenario.definition = dict(definition)
    session.flush()  # the ORM's version counter moves to the next version here
    version = _snapshot(session, scenario, actor, changes, note)
    if old_name != name:  # what-ifs built on this scenario follow the new name
        for dependant in scenarios_of(session, city):
            if dependant.definition.get("base") == old_name:
                dependant.definition = {**dependant.definition, "base": name}
                session.flush()
                _snapshot(
                    session, dependant, actor, ["definition.base"], f"base renamed to '{name}'"
                )
    record_change(
        session,
        actor=actor,
        action="update",
        entity="scenario",
        entity_id=scenario.id,
        city_id=city.id,
        details={"version": scenario.version, "changes": changes},
    )
    return version


def clone_scenario(session: Session, scenario: Scenario, actor: User | None, name: str) -> Scenario:
    """A copy of ``scenario`` under a new name (its own history starts at version 1)."""
    city = session.get(City, scenario.city_id)
    assert city is not None
    return create_scenario(
        session,
        city,
        actor,
        name=name,
        definition=scenario.definition,
        description=scenario.description,
        note=f"cloned from '{scenario.name}' version {scenario.version}",
    )


def history(session: Session, scenario: Scenario) -> list[ScenarioVersion]:
    """Every saved version of ``scenario``, newest first."""
    return list(
        session.scalars(
            select(ScenarioVersion)
            .where(ScenarioVersion.scenario_id == scenario.id)
            .order_by(ScenarioVersion.version.desc())
        )
    )


def restore_version(
    session: Session, scenario: Scenario, actor: User | None, version: int
) -> ScenarioVersion | None:
    """Save an old version's content as the newest version."""
    old = session.scalar(
        select(ScenarioVersion).where(
            ScenarioVersion.scenario_id == scenario.id, ScenarioVersion.version == version
        )
    )
    if old is None:
        raise InputError(Problem(f"no version {version}", field="version"))
    return update_scenario(
        session,
        scenario,
        actor,
        name=scenario.name,
        definition=old.definition,
        description=old.description,
        note=f"restored version {version}",
    )


def export_scenario(scenario: Scenario) -> tuple[str, bytes]:
    """File name and YAML bytes of a saved scenario (what-ifs keep their ``base`` name)."""
    document: dict[str, Any] = {"name": scenario.name}
    document.update({k: v for k, v in scenario.definition.items() if k != "name"})
    if scenario.description and "description" not in document:
        document["description"] = scenario.description
    slug = "".join(c if c.isalnum() else "-" for c in scenario.name.lower()).strip("-")
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return f"{slug or 'scenario'}.yaml", text.encode("utf-8")


def import_scenario(
    session: Session, city: City, actor: User | None, filename: str, data: bytes, name: str = ""
) -> Scenario:
    """Save an uploaded scenario or what-if file (YAML or JSON) as a new scenario.

    The name is ``name`` when given, else the file's ``name``, else the file name.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioFileError(Problem(f"{filename}: not UTF-8 text", field="file")) from exc
    document = parse_document(text, filename)
    description = str(document.pop("description", "") or "")
    file_name = document.get("name")
    if is_whatif(document):
        document.pop("name", None)
        document.pop("kind", None)
    chosen = name.strip() or str(file_name or Path(filename).stem)
    return create_scenario(
        session,
        city,
        actor,
        name=chosen,
        definition=document,
        description=description,
        note=f"imported from {filename}",
    )


def resolve_definition(
    session: Session, city: City, definition: Mapping[str, Any], depth: int = 0
) -> dict[str, Any]:
    """The full scenario document of a definition (what-ifs applied onto their bases)."""
    if not is_whatif(definition):
        return dict(definition)
    if depth >= MAX_WHATIF_DEPTH:
        raise InputError(
            Problem("what-ifs refer to each other in a cycle", field="definition.base")
        )
    whatif = whatif_from_dict({"name": "resolve", **definition})
    base = scenario_by_name(session, city, str(whatif.base))
    if base is None:
        raise InputError(
            Problem(f"no saved scenario named '{whatif.base}'", field="definition.base")
        )
    return apply_overrides(
        resolve_definition(session, city, base.definition, depth + 1), whatif.overrides
    )


def resolve_scenario(session: Session, scenario: Scenario) -> dict[str, Any]:
    """The full, solvable scenario document of a saved scenario, named after it, in
    canonical JSON form (year keys as strings), as a run snapshot stores it."""
    city = session.get(City, scenario.city_id)
    assert city is not None
    document = canonical_json(resolve_definition(session, city, scenario.definition))
    document["name"] = scenario.name
    return dict(document)


def save_city_data(
    session: Session,
    city: City,
    actor: User | None,
    *,
    name: str,
    start_year: int,
    horizon_years: int,
    pack_dirs: Sequence[Path | str] = (),
) -> Scenario:
    """Save the city's current data (KPIs, candidate projects, mechanisms, fiscal
    profile, procurement lead times) as a scenario, so what-ifs can be built on it.
    The city's rule pack is looked up in ``pack_dirs`` too.

    The document is the one the portfolio page would solve for these years
    (:func:`models.services.portfolio.city_scenario`), frozen at this moment.
    """
    from decision_support.portfolio.scenario_file import scenario_to_dict
    from models.services.portfolio import RunSettings, city_scenario

    if not 1 <= horizon_years <= 30:
        raise InputError(Problem("between 1 and 30 years", field="horizon_years"))
    scenario = city_scenario(
        session, city, RunSettings(start_year=start_year, horizon_years=horizon_years), pack_dirs
    )
    document = canonical_json(scenario_to_dict(scenario))
    document["name"] = name.strip()
    last_year = start_year + horizon_years - 1
    return create_scenario(
        session,
        city,
        actor,
        name=name,
        definition=document,
        description=f"{city.name}'s data as saved, {start_year}-{last_year}.",
        note="saved from the city's current data",
    )


def seed_demo_scenarios(session: Session, city: City) -> int:
    """Demo step: the demo city's base scenario and its what-ifs from ``scenarios/demo_city``."""
    from scenarios.files import demo_city_path, read_document

    base_path = demo_city_path()
    base_document = read_document(base_path)
    base_name = str(base_document.get("name") or "Demo City")
    created = 0
    if scenario_by_name(session, city, base_name) is None:
        base_document.pop("name", None)
        create_scenario(
            session,
            city,
            None,
            name=base_name,
            definition={"name": base_name, **base_document},
            description="The demo city's candidate projects, budgets and financing (fictional).",
            note="demo data",
        )
        created += 1
    for path in sorted(base_path.parent.glob("*.yaml")):
        document = read_document(path)
        if not is_whatif(document) or scenario_by_name(session, city, str(document["name"])):
            continue
        create_scenario(
            session,
            city,
            None,
            name=str(document["name"]),
            definition={"base": base_name, "overrides": document["overrides"]},
            description=str(document.get("description") or ""),
            note="demo data",
        )
        created += 1
    return created
