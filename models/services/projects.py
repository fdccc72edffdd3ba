"""Candidate projects of a city: ORM rows ↔ domain ``CandidateProject``, and the verbs
that change them (create from the library or by hand, edit, delete, Excel import). Every
verb validates with the core's rules, records an audit entry and flushes; the caller
commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from decision_support.errors import Problem
from decision_support.files.documents import load_yaml
from decision_support.kpis.analysis import PriorityGap
from decision_support.kpis.catalogue import KPI, compact_code, load_catalogue
from decision_support.kpis.scoring import achievement, band_for_points, points_for
from decision_support.kpis.targets import ScoringDirection, scoring_direction
from decision_support.projects.candidate_files import parse_candidate_document
from decision_support.projects.candidates import check_candidate_list, validate_candidate
from decision_support.projects.instantiate import instantiate, link_candidates
from decision_support.projects.library import city_parameters, load_library
from decision_support.projects.matching import MatchResult, match_gaps
from decision_support.projects.model import (
    CandidateImpact,
    CandidateProject,
    CityProfile,
    ProjectError,
    ProjectProcurement,
    Risk,
)
from decision_support.projects.portfolio_entry import to_portfolio_entry
from decision_support.projects.spreadsheet import read_candidates_xlsx, write_candidates_xlsx
from models.cache import cached, data_key
from models.cities import City, DataDomain
from models.projects import CitySize, Project, ProjectImpact
from models.services.audit import record_change
from models.services.kpi_targets import target_set
from models.services.kpi_values import kpi_summary, latest_values
from models.services.reference_data import kpi_ids_by_code
from models.users import User

EUR_RATE_SIZE = "eur_to_local"
# page names under /cities/<city>/projects/ that a project id would hide
RESERVED_PROJECT_IDS = frozenset({"library", "new", "match", "import", "sizes", "export.xlsx"})
_RISK_ORDER = ("low", "medium", "high")


# ------------------------------------------------------------------ city profile


def city_sizes(session: Session, city: City) -> dict[str, float]:
    """The city's size parameters (name → value), the EUR rate included."""
    rows = session.scalars(select(CitySize).where(CitySize.city_id == city.id))
    return {row.name: row.value for row in rows}


def set_city_sizes(
    session: Session, city: City, sizes: Mapping[str, float | None], actor: User | None
) -> None:
    """Set (or, with None, remove) size parameters; names come from ``city_parameters.yaml``."""
    known = set(city_parameters()) - {"population", "households"} | {EUR_RATE_SIZE}
    problems = [
        Problem(f"unknown city size parameter '{name}'", field=name)
        for name in sizes
        if name not in known
    ]
    problems += [
        Problem("must be a non-negative number", field=name)
        for name, value in sizes.items()
        if value is not None and not value >= 0
    ]
    if sizes.get(EUR_RATE_SIZE) == 0:
        problems.append(Problem("the EUR rate must be positive", field=EUR_RATE_SIZE))
    if problems:
        raise ProjectError(problems)
    existing = {
        row.name: row
        for row in session.scalars(select(CitySize).where(CitySize.city_id == city.id))
    }
    for name, value in sizes.items():
        row = existing.get(name)
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(CitySize(city_id=city.id, name=name, value=float(value)))
        else:
            row.value = float(value)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="city_sizes.update",
        entity="city",
        entity_id=city.id,
        city_id=city.id,
        details={k: v for k, v in sizes.items()},
    )


def kpi_baselines(session: Session, city: City) -> dict[str, float]:
    """Latest KPI values keyed ``COMPACT`` or ``COMPACT|data point``."""
    baselines = {}
    for (code, data_point), latest in latest_values(session, city).items():
        if latest.value is None:
            continue
        key = compact_code(code) + (f"|{data_point}" if data_point else "")
        baselines[key] = latest.value
    return baselines


def city_profile(session: Session, city: City) -> CityProfile:
    """What instantiation needs to know about ``city`` (sizes and KPI baselines)."""
    if not city.households:
        raise ProjectError(
            Problem("the city profile needs its number of households", field="households")
        )
    sizes = city_sizes(session, city)
    rate = sizes.pop(EUR_RATE_SIZE, 1.0)
    return CityProfile(
        name=city.name,
        population=float(city.population),
        households=float(city.households),
        currency=city.currency,
        eur_to_local=rate,
        sizes=sizes,
        baselines=kpi_baselines(session, city),
    )


# ------------------------------------------------------------------ ORM ↔ domain


def to_candidate(row: Project, currency: str) -> CandidateProject:
    """The domain object of one stored project."""
    return CandidateProject(
        id=row.code,
        name=row.name,
        capex_by_year=tuple(float(v) for v in row.capex_profile),
        opex_per_year=row.opex_per_year,
        savings_per_year=row.savings_per_year,
        duration_years=row.duration_years,
        lifetime_years=row.lifetime_years,
        impacts=tuple(
            CandidateImpact(
                kpi=i.kpi.code,
                change=i.change,
                confidence=i.confidence,
                source=i.source,
                data_point=i.data_point or None,
                note=i.note,
            )
            for i in sorted(row.impacts, key=lambda i: i.id or 0)
        ),
        procurement=ProjectProcurement(
            category=row.procurement_category,
            cpv=row.cpv,
            contract=row.contract,
            estimated_value=row.estimated_value or 0.0,
        ),
        risk=Risk(row.cost_overrun_risk, row.delivery_risk),
        currency=currency,
        template_id=row.template_id,
        intervention=row.intervention,
        description=row.description,
        low_cost=row.low_cost,
        tags=tuple(row.tags),
        requires=tuple(row.requires),
        excludes=tuple(row.excludes),
        sources=tuple(row.sources),
        notes=tuple(row.notes),
        sizes=dict(row.sizes),
        cost_level=row.cost_level,
        earliest_start=row.earliest_start or 0,
        latest_start=row.latest_start,
    )


def _apply(row: Project, project: CandidateProject, kpi_ids: Mapping[str, int]) -> None:
    row.code = project.id
    row.name = project.name
    row.description = project.description
    row.template_id = project.template_id
    row.intervention = project.intervention
    row.low_cost = project.low_cost
    row.capex_profile = list(project.capex_by_year)
    row.opex_per_year = project.opex_per_year
    row.savings_per_year = project.savings_per_year
    row.duration_years = project.duration_years
    row.lifetime_years = project.lifetime_years
    row.earliest_start = project.earliest_start
    row.latest_start = project.latest_start
    row.procurement_category = project.procurement.category
    row.cpv = project.procurement.cpv
    row.contract = project.procurement.contract
    row.estimated_value = project.procurement.estimated_value
    row.tags = list(project.tags)
    row.cost_overrun_risk = project.risk.cost_overrun
    row.delivery_risk = project.risk.delivery
    row.risk_level = max(project.risk.cost_overrun, project.risk.delivery, key=_RISK_ORDER.index)
    row.cost_level = project.cost_level
    row.requires = list(project.requires)
    row.excludes = list(project.excludes)
    row.sources = list(project.sources)
    row.notes = list(project.notes)
    row.sizes = dict(project.sizes)
    # update rows in place by (KPI, data point): the unique key forbids inserting a
    # replacement before the old row is deleted
    existing = {(i.kpi_id, i.data_point): i for i in row.impacts}
    impacts = []
    for impact in project.impacts:
        key = (kpi_ids[impact.kpi], impact.data_point or "")
        stored = existing.pop(key, None) or ProjectImpact(kpi_id=key[0], data_point=key[1])
        stored.change = impact.change
        stored.confidence = impact.confidence
        stored.source = impact.source
        stored.note = impact.note
        impacts.append(stored)
    row.impacts = impacts


def _rows(session: Session, city: City) -> list[Project]:
    """The city's projects with their impacts and impacts' KPIs loaded in two more
    queries (not two per project)."""
    return list(
        session.scalars(
            select(Project)
            .where(Project.city_id == city.id)
            .order_by(Project.code)
            .options(selectinload(Project.impacts).joinedload(ProjectImpact.kpi))
        )
    )


def project_by_code(session: Session, city: City, code: str) -> Project | None:
    """The city's project with id ``code``, or None."""
    return session.scalar(select(Project).where(Project.city_id == city.id, Project.code == code))


def list_candidates(session: Session, city: City) -> list[CandidateProject]:
    """The city's candidate projects as domain objects, by id (read once per change of
    the city's projects or of the city row, whose currency they carry,
    ``models/cache.py``; the objects are shared, never change them)."""

    def compute() -> tuple[CandidateProject, ...]:
        return tuple(to_candidate(row, city.currency) for row in _rows(session, city))

    return list(cached(session, (*data_key(city, DataDomain.PROJECTS), "candidates"), compute))


# ------------------------------------------------------------------ verbs


def _normalise(project: CandidateProject) -> CandidateProject:
    """Printed KPI codes (the database keys KPIs by printed code)."""
    catalogue = load_catalogue()
    return replace(
        project,
        impacts=tuple(replace(i, kpi=catalogue.get(i.kpi).code) for i in project.impacts),
    )


def _check_duplicates(project: CandidateProject) -> None:
    seen: set[tuple[str, str | None]] = set()
    for n, impact in enumerate(project.impacts):
        key = (impact.kpi, impact.data_point)
        if key in seen:
            raise ProjectError(
                Problem("the same KPI (and data point) appears twice", field=f"impacts[{n}].kpi")
            )
        seen.add(key)


def _store(
    session: Session,
    city: City,
    projects: Iterable[CandidateProject],
    *,
    renamed: Mapping[str, str] | None = None,
    removed: Iterable[str] = (),
) -> list[Project]:
    """Write ``projects`` (new or changed) and keep the city's list consistent: ids
    unique, references resolvable, exclusions symmetric. Raises ProjectError."""
    incoming = [_normalise(p) for p in projects]
    for project in incoming:
        validate_candidate(project)
        _check_duplicates(project)
        if project.id in RESERVED_PROJECT_IDS:
            raise ProjectError(
                Problem(f"'{project.id}' is the name of a page; choose another id", field="id")
            )
    renamed = dict(renamed or {})
    dropped = set(removed)
    gone = dropped | set(renamed)
    rows = {row.code: row for row in _rows(session, city)}
    current = {
        code: to_candidate(row, city.currency) for code, row in rows.items() if code not in gone
    }
    for project in incoming:
        current[project.id] = project

    def rename(refs: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(renamed.get(r, r) for r in refs if r not in dropped))

    current = {
        code: replace(p, requires=rename(p.requires), excludes=rename(p.excludes))
        for code, p in current.items()
    }
    excludes = {code: set(p.excludes) for code, p in current.items()}
    for code, others in list(excludes.items()):
        for other in others:
            if other in excludes:
                excludes[other].add(code)
    current = {
        code: replace(p, excludes=tuple(sorted(excludes[code]))) for code, p in current.items()
    }
    problems = check_candidate_list(current.values())
    if problems:
        raise ProjectError(problems)
    kpi_ids = kpi_ids_by_code(session)
    for code in dropped:
        if code in rows and code not in current:
            session.delete(rows[code])
    session.flush()
    written = []
    for code, project in current.items():
        row = rows.get(code) if code not in gone else None
        if row is None and code in renamed.values():
            old = next(o for o, n in renamed.items() if n == code)
            row = rows.get(old)
        stored = to_candidate(row, city.currency) if row is not None else None
        if stored == project:
            continue
        if row is None:
            row = Project(city_id=city.id)
            session.add(row)
        _apply(row, project, kpi_ids)
        written.append(row)
    session.flush()
    return written


def save_candidate(
    session: Session,
    city: City,
    project: CandidateProject,
    actor: User | None,
    *,
    original_id: str | None = None,
) -> Project:
    """Create ``project`` (``original_id`` None) or replace the project ``original_id``
    (which may be renamed). Raises ProjectError naming fields."""
    exists = project_by_code(session, city, project.id)
    if original_id is None and exists is not None:
        raise ProjectError(Problem(f"a project with id '{project.id}' already exists", field="id"))
    if original_id is not None and project_by_code(session, city, original_id) is None:
        raise ProjectError(Problem(f"no project with id '{original_id}'", field="id"))
    if original_id is not None and original_id != project.id and exists is not None:
        raise ProjectError(Problem(f"a project with id '{project.id}' already exists", field="id"))
    renamed = {original_id: project.id} if original_id and original_id != project.id else {}
    _store(session, city, [project], renamed=renamed)
    row = project_by_code(session, city, project.id)
    assert row is not None
    record_change(
        session,
        actor=actor,
        action="project.update" if original_id else "project.create",
        entity="project",
        entity_id=row.id,
        city_id=city.id,
        details={"id": project.id, "template": project.template_id, "renamed_from": original_id}
        if renamed
        else {"id": project.id, "template": project.template_id},
    )
    return row


def instantiate_for_city(
    session: Session,
    city: City,
    template_id: str,
    sizes: Mapping[str, float],
    cost_level: str,
    actor: User | None,
    *,
    project_id: str | None = None,
    earliest_start: int = 0,
    latest_start: int | None = None,
) -> Project:
    """Create a candidate from a library template, sized for the city."""
    template = load_library().get(template_id)
    project = instantiate(
        template, city_profile(session, city), sizes, cost_level, project_id=project_id
    )
    project = replace(project, earliest_start=earliest_start, latest_start=latest_start)
    existing = list_candidates(session, city)
    linked = {p.id: p for p in link_candidates([*existing, project])}
    return save_candidate(session, city, linked[project.id], actor)


def delete_candidate(session: Session, city: City, code: str, actor: User | None) -> None:
    """Delete a project and every reference to it."""
    row = project_by_code(session, city, code)
    if row is None:
        raise ProjectError(Problem(f"no project with id '{code}'", field="id"))
    row_id = row.id
    _store(session, city, [], removed=[code])
    record_change(
        session,
        actor=actor,
        action="project.delete",
        entity="project",
        entity_id=row_id,
        city_id=city.id,
        details={"id": code},
    )


def import_candidates_xlsx(
    session: Session, city: City, data: bytes, actor: User | None, *, replace_all: bool = False
) -> int:
    """Upsert the projects of an uploaded workbook (all-or-nothing); with
    ``replace_all`` projects missing from the file are deleted. Returns rows written."""
    projects = read_candidates_xlsx(data)
    wrong_currency = [
        Problem(
            f"project '{p.id}' is in {p.currency}, the city uses {city.currency}", field="currency"
        )
        for p in projects
        if p.currency != city.currency
    ]
    if wrong_currency:
        raise ProjectError(wrong_currency)
    ids = {p.id for p in projects}
    removed = (
        [row.code for row in _rows(session, city) if row.code not in ids] if replace_all else []
    )
    written = _store(session, city, projects, removed=removed)
    record_change(
        session,
        actor=actor,
        action="project.import",
        entity="project",
        city_id=city.id,
        details={"rows": len(projects), "written": len(written), "deleted": removed},
    )
    return len(written)


def portfolio_entries(
    session: Session, city: City, start_year: int, kpi_keys: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """The city's candidates as portfolio scenario ``projects:`` entries (stored
    ``earliest_start``/``latest_start`` are year offsets from ``start_year``)."""
    return [to_portfolio_entry(p, start_year, kpi_keys) for p in list_candidates(session, city)]


def export_candidates_xlsx(session: Session, city: City) -> bytes:
    """The city's candidate list as an .xlsx workbook."""
    return write_candidates_xlsx(list_candidates(session, city))


# ------------------------------------------------------------------ demo data


def _demo_document() -> Any:
    text = resources.files("scenarios").joinpath("demo_city/candidates.yaml").read_text("utf-8")
    return load_yaml(text, source="demo_city/candidates.yaml")


def seed_demo_candidates(session: Session, city: City) -> int:
    """Demo step: the demo city's sizes and candidate list (nothing if it has projects)."""
    if session.scalar(select(Project.id).where(Project.city_id == city.id).limit(1)) is not None:
        return 0
    document = _demo_document()
    if not city_sizes(session, city):
        set_city_sizes(session, city, document["city"]["sizes"], actor=None)
    profile = city_profile(session, city)
    document["city"]["baselines"] = {**document["city"].get("baselines", {}), **profile.baselines}
    candidate_list = parse_candidate_document(document)
    written = _store(session, city, candidate_list.candidates)
    return len(written)


# ------------------------------------------------------------------ KPI outlook and gaps
#
# Scoring (targets, achievement, U4SSC bands, priority gaps) belongs to the KPI feature
# (decision_support.kpis.{values,targets,scoring,analysis}); when that feature is not
# installed, pages show the KPI changes without bands and no gap list.


@dataclass(frozen=True)
class KpiMove:
    """One KPI a project moves: value before and after, target and U4SSC band."""

    code: str
    name: str
    unit: str
    data_point: str | None
    change: float
    confidence: str
    source: str
    before: float | None
    after: float | None
    target: float | None
    band_before: str | None
    band_after: str | None


def priority_gaps_for_city(session: Session, city: City) -> list[PriorityGap]:
    """The city's priority gaps, as the KPI pages rank them (the same assessment)."""
    return list(kpi_summary(session, city).gaps)


def _band(value: float, target: float, direction: ScoringDirection) -> str:
    return str(band_for_points(points_for(achievement(value, target, direction))))


def _after(value: float, change: float, kpi: KPI) -> float:
    """The value after the change, held in the KPI's physical range (as the portfolio does)."""
    after = value + change
    if kpi.value_kind == "yes_no":
        return 1.0 if after >= 0.5 else 0.0
    lowest, highest = kpi.value_range
    after = max(lowest, after)
    return after if highest is None else min(highest, after)


def kpi_moves(session: Session, city: City, project: CandidateProject) -> list[KpiMove]:
    """Before → after of every KPI the project moves, with the band change where a
    target applies (the city's targets over the shipped references, as on the KPI pages)."""
    catalogue = load_catalogue()
    latest = latest_values(session, city)
    targets = target_set(session, city)
    moves = []
    for impact in project.impacts:
        kpi = catalogue.get(impact.kpi)
        current = latest.get((kpi.code, impact.data_point or ""))
        before = current.value if current is not None else None
        after = _after(before, impact.change, kpi) if before is not None else None
        target_value = band_before = band_after = None
        target = targets.lookup(kpi.code, impact.data_point)
        direction = scoring_direction(kpi, target)
        if target is not None and target.value is not None and direction is not None:
            target_value = target.value
            if before is not None and after is not None:
                band_before = _band(before, target.value, direction)
                band_after = _band(after, target.value, direction)
        moves.append(
            KpiMove(
                code=kpi.code,
                name=kpi.name,
                unit=kpi.unit,
                data_point=impact.data_point,
                change=impact.change,
                confidence=impact.confidence,
                source=impact.source,
                before=before,
                after=after,
                target=target_value,
                band_before=band_before,
                band_after=band_after,
            )
        )
    return moves


def match_for_city(session: Session, city: City, gaps: Iterable[Any]) -> MatchResult:
    """Candidates and library templates ranked for each gap (see ``matching``)."""
    return match_gaps(
        gaps,
        list_candidates(session, city),
        templates=load_library(),
        city=city_profile(session, city),
    )
