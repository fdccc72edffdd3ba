"""Portfolio runs: build a scenario from a city's data, store runs, execute them.

``city_scenario`` maps the database (KPI values and targets, candidate projects
with their impacts, enabled financing mechanisms) plus the budget and fiscal
settings of a run into a portfolio :class:`~decision_support.portfolio.Scenario`.
``create_run`` stores a queued run with a snapshot of its inputs (flushes, never
commits); ``execute_run`` is the background job: it opens its own sessions on
the given factory, runs the optimiser and stores status, timings and results.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from decision_support.errors import InputError, Problem
from decision_support.files.documents import load_yaml
from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.scoring import latest_values as latest_reported
from decision_support.kpis.scoring import score_values
from decision_support.kpis.targets import scoring_direction
from decision_support.portfolio import OptimiseOptions, Scenario, optimise, parse_scenario
from decision_support.portfolio.scenario import ScenarioError
from decision_support.portfolio.scenario_file import scenario_to_dict
from decision_support.projects.portfolio_entry import impact_key
from models.base import utcnow
from models.cities import City
from models.jobs.liveness import heartbeat
from models.scenarios import PortfolioRun
from models.scenarios import Scenario as SavedScenario
from models.services.audit import record_change
from models.services.finance import city_mechanisms, fiscal_profile
from models.services.kpi_targets import target_set
from models.services.kpi_values import city_values
from models.services.procurement import city_rule_pack
from models.services.projects import list_candidates
from models.session import transaction
from models.users import User
from scenarios.city_scenario import (
    CityInputs,
    PlanningChoices,
    ScoredKpi,
    city_scenario_document,
    with_lead_times,
)

logger = logging.getLogger(__name__)

SOURCE_CITY = "city"
SOURCE_DEMO = "demo"
SAVED_PREFIX = "saved:"
_FINISHED = {"optimal", "feasible", "infeasible"}


@dataclass(frozen=True)
class RunSettings:
    """What a user chose on the run form (stored with the run)."""

    source: str = SOURCE_CITY
    time_limit: float = 60.0
    gap: float = 1e-4
    mode: str = ""  # '' keeps the scenario's own objective mode
    explain: bool = True
    force_in: tuple[str, ...] = ()
    force_out: tuple[str, ...] = ()
    start_year: int = 2027
    horizon_years: int = 5
    budget_per_year: float | None = None  # None: the city's fiscal profile
    carry_over: bool = True
    revenue_per_year: float | None = None
    existing_debt_service_per_year: float | None = None
    max_debt_service_ratio: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def planning(self) -> PlanningChoices:
        """The horizon, objective and money choices, as the composition reads them."""
        return PlanningChoices(
            start_year=self.start_year,
            horizon_years=self.horizon_years,
            mode=self.mode,
            budget_per_year=self.budget_per_year,
            carry_over=self.carry_over,
            revenue_per_year=self.revenue_per_year,
            existing_debt_service_per_year=self.existing_debt_service_per_year,
            max_debt_service_ratio=self.max_debt_service_ratio,
        )

    def options(self, solver: str = "highs") -> OptimiseOptions:
        return OptimiseOptions(
            time_limit=self.time_limit,
            gap=self.gap,
            solver=solver,
            explain=self.explain,
            force_in=self.force_in,
            force_out=self.force_out,
        )

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> RunSettings:
        known = {k: v for k, v in stored.items() if k in cls.__dataclass_fields__}
        for name in ("force_in", "force_out"):
            known[name] = tuple(known.get(name, ()))
        return cls(**known)


def demo_scenario_document() -> dict[str, Any]:
    """The shipped demo city portfolio scenario (fictional data)."""
    text = resources.files("scenarios").joinpath("demo_city/portfolio.yaml").read_text("utf-8")
    document: dict[str, Any] = load_yaml(text, source="demo_city/portfolio.yaml")
    return document


def saved_portfolio_scenarios(session: Session, city: City) -> list[SavedScenario]:
    """The city's saved scenarios whose definition is a portfolio scenario."""
    rows = session.scalars(
        select(SavedScenario).where(SavedScenario.city_id == city.id).order_by(SavedScenario.name)
    )
    return [s for s in rows if isinstance(s.definition, dict) and "projects" in s.definition]


def _scored_kpis(session: Session, city: City) -> list[ScoredKpi]:
    """The KPIs (and data points) as the KPI pages score them: value, target, direction.

    The same rules as :func:`models.services.kpi_values.city_assessment`: the latest
    year with a reported value, the city's target over the shipped reference (data
    point first, then the whole KPI), the target's direction over the catalogue's.
    Pairs without a reported value, a benchmark or a direction are left out.
    """
    catalogue = load_catalogue()
    targets = target_set(session, city)
    scored: list[ScoredKpi] = []
    for value in latest_reported(city_values(session, city)):
        kpi = catalogue.find(value.code)
        target = targets.lookup(value.code, value.data_point)
        if value.value is None or kpi is None or target is None or target.value is None:
            continue
        direction = scoring_direction(kpi, target)
        if direction is None:
            continue
        scored.append(
            ScoredKpi(value.code, value.data_point or "", value.value, target.value, direction)
        )
    return scored


def city_inputs(session: Session, city: City, pack_dirs: Sequence[Path | str] = ()) -> CityInputs:
    """The city's data as the domain objects its scenario is composed from; the city's
    rule pack is looked up in ``pack_dirs`` too (the app's ``RULE_PACK_DIRS``)."""
    return CityInputs(
        name=city.name,
        currency=city.currency,
        candidates=list_candidates(session, city),
        scored_kpis=_scored_kpis(session, city),
        mechanisms=list(city_mechanisms(session, city)),
        fiscal=fiscal_profile(session, city),
        rule_pack=city_rule_pack(city, search_dirs=pack_dirs),
    )


def city_scenario(
    session: Session, city: City, settings: RunSettings, pack_dirs: Sequence[Path | str] = ()
) -> Scenario:
    """A portfolio scenario from the city's KPIs, projects and mechanisms plus the
    run's budget and fiscal settings (composed by :mod:`scenarios.city_scenario`), with
    lead times from the city's rule pack (also looked up in ``pack_dirs``).
    Raises :class:`ScenarioError` when the data cannot make a scenario (e.g. no
    candidate projects)."""
    inputs = city_inputs(session, city, pack_dirs)
    if not inputs.candidates:
        raise ScenarioError(Problem("the city has no candidate projects yet", field="source"))
    return parse_scenario(city_scenario_document(inputs, settings.planning()))


def scenario_for_run(
    session: Session, city: City, settings: RunSettings, pack_dirs: Sequence[Path | str] = ()
) -> tuple[Scenario, int | None]:
    """The scenario a run's settings point at, and the saved scenario's id if any.

    A scenario file (the demo's or a saved one) gets its missing procurement lead
    times from the city's rule pack, as ``decision-support optimise FILE --pack``
    does, so the same file gives the same plan in both. The pack is looked up in the
    environment's folders and then ``pack_dirs``, as on the procurement pages."""
    if settings.source == SOURCE_DEMO:
        if not city.is_demo:
            raise ScenarioError(Problem("the demo scenario is for the demo city", field="source"))
        document, saved_id = demo_scenario_document(), None
    elif settings.source.startswith(SAVED_PREFIX):
        saved = session.get(SavedScenario, int(settings.source.removeprefix(SAVED_PREFIX)))
        if saved is None or saved.city_id != city.id:
            raise ScenarioError(Problem("no such saved scenario", field="source"))
        document, saved_id = copy.deepcopy(saved.definition), saved.id
    else:
        return city_scenario(session, city, settings, pack_dirs), None
    if isinstance(document, dict) and isinstance(document.get("start_year"), int):
        with_lead_times(document, city_rule_pack(city, search_dirs=pack_dirs))
    return _with_mode(parse_scenario(document), settings), saved_id


def _with_mode(scenario: Scenario, settings: RunSettings) -> Scenario:
    if not settings.mode:
        return scenario
    return replace(scenario, objective=replace(scenario.objective, mode=settings.mode))


def _check_forced(
    scenario: Scenario, force_in: tuple[str, ...], force_out: tuple[str, ...]
) -> None:
    known = {p.id for p in scenario.projects}
    problems = [
        Problem(f"unknown project '{pid}'", field=name)
        for name, ids in (("force_in", force_in), ("force_out", force_out))
        for pid in ids
        if pid not in known
    ]
    problems += [
        Problem(f"'{pid}' cannot be forced both in and out", field="force_out")
        for pid in force_in
        if pid in force_out
    ]
    if problems:
        raise ScenarioError(problems)


def create_run(
    session: Session,
    city: City,
    actor: User | None,
    settings: RunSettings,
    pack_dirs: Sequence[Path | str] = (),
) -> PortfolioRun:
    """Store a queued run with a snapshot of its inputs (validated now, solved later).

    The snapshot holds the lead times of the city's rule pack (looked up in
    ``pack_dirs`` too), so the worker that solves it needs no rule-pack folders."""
    scenario, saved_id = scenario_for_run(session, city, settings, pack_dirs)
    _check_forced(scenario, settings.force_in, settings.force_out)
    run = PortfolioRun(
        city_id=city.id,
        scenario_id=saved_id,
        status="queued",
        progress=0.0,
        settings=_jsonable(asdict(settings)),
        inputs=_jsonable(scenario_to_dict(scenario)),
        created_by=actor.id if actor is not None else None,
    )
    session.add(run)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="portfolio.run",
        entity="portfolio_run",
        entity_id=run.id,
        city_id=city.id,
        details={
            "source": settings.source,
            "force_in": list(settings.force_in),
            "force_out": list(settings.force_out),
        },
    )
    return run


def create_rerun(
    session: Session,
    actor: User | None,
    original: PortfolioRun,
    force_in: tuple[str, ...],
    force_out: tuple[str, ...],
) -> PortfolioRun:
    """A new queued run on the same input snapshot with projects forced in or out."""
    scenario = parse_scenario(dict(original.inputs))
    known = {p.id for p in scenario.projects}
    unknown = [p for p in (*force_in, *force_out) if p not in known]
    if unknown:
        raise ScenarioError(Problem(f"unknown project(s): {', '.join(unknown)}", field="force_in"))
    settings = replace(
        RunSettings.from_stored(dict(original.settings)), force_in=force_in, force_out=force_out
    )
    run = PortfolioRun(
        city_id=original.city_id,
        scenario_id=original.scenario_id,
        status="queued",
        progress=0.0,
        settings=_jsonable(asdict(settings)),
        inputs=original.inputs,
        created_by=actor.id if actor is not None else None,
    )
    session.add(run)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="portfolio.rerun",
        entity="portfolio_run",
        entity_id=run.id,
        city_id=original.city_id,
        details={"from_run": original.id, "force_in": list(force_in), "force_out": list(force_out)},
    )
    return run


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def mark_running(run: PortfolioRun) -> bool:
    """Claim a queued run; False when another worker has it or it is finished."""
    if run.status != "queued":
        return False
    run.status = "running"
    run.progress = 0.1
    return True


def solve_inputs(
    run: PortfolioRun,
    solver: str = "highs",
    progress: Callable[[float, str], None] | None = None,
) -> tuple[str, dict[str, Any] | None, str | None]:
    """Run the optimiser on a run's stored inputs: (status, results, error). No database
    access here; ``progress(fraction, stage)`` is passed on to the optimiser."""
    settings = RunSettings.from_stored(dict(run.settings))
    options = replace(settings.options(solver), progress=progress)
    try:
        result = optimise(parse_scenario(dict(run.inputs)), options)
    except Exception as exc:  # the job must record any failure rather than die silently
        logger.exception("portfolio run %s failed", run.id)
        return "error", None, str(exc) or type(exc).__name__
    status = result.status if result.status in _FINISHED else "error"
    error = ("; ".join(result.warnings) or "no plan was found") if status == "error" else None
    return status, result.to_dict(), error


def record_outcome(
    run: PortfolioRun, status: str, results: dict[str, Any] | None, error: str | None
) -> None:
    """Store a run's outcome on the row (the caller's transaction saves it)."""
    run.status = status
    run.results = results
    run.error = error
    if results is not None:
        timings = results.get("timings", {})
        run.build_seconds = timings.get("build_seconds")
        run.solve_seconds = timings.get("solve_seconds")
    run.progress = 1.0
    run.finished_at = utcnow()


def city_scores(
    session: Session, city: City, inputs: dict[str, Any], results: dict[str, Any]
) -> list[dict[str, Any]]:
    """The city's dimension scores as the KPI pages show them, before and after a plan.

    "Before" scores the city's stored values exactly as the KPI pages do; "after"
    scores the same values with each projected KPI replaced by its projection
    (only meaningful for runs on the city's own data, whose baselines are those values).
    """
    values = city_values(session, city)
    targets = target_set(session, city)
    pairs = {
        impact_key(k["code"], k.get("data_point") or None): (k["code"], k.get("data_point") or None)
        for k in inputs.get("kpis") or ()
    }
    projected = {
        pairs[row["key"]]: float(row["projected"])
        for row in results.get("kpi_projection") or ()
        if row["key"] in pairs
    }
    latest = latest_reported(values)
    after_values = [
        replace(v, value=projected[v.code, v.data_point])
        if (v.code, v.data_point) in projected and v.value is not None
        else v
        for v in latest
    ]
    before = score_values(latest, targets)
    after = score_values(after_values, targets)
    after_by_name = {d.name: d for d in after.dimensions}
    return [
        {
            "dimension": d.name,
            "before": d.score_pct,
            "after": after_by_name[d.name].score_pct,
            "scored": d.scored,
        }
        for d in before.dimensions
    ]


def _with_city_scores(session: Session, run: PortfolioRun) -> None:
    if not run.results or RunSettings.from_stored(dict(run.settings)).source != SOURCE_CITY:
        return
    city = session.get(City, run.city_id)
    if city is not None:
        run.results = {
            **run.results,
            "city_scores": city_scores(session, city, dict(run.inputs), run.results),
        }


def solve_run(session: Session, run: PortfolioRun, solver: str = "highs") -> None:
    """Solve a queued run inside the caller's session (flushes, never commits)."""
    if not mark_running(run):
        return
    record_outcome(run, *solve_inputs(run, solver))
    _with_city_scores(session, run)
    session.flush()


def execute_run(factory: sessionmaker[Session], run_id: int, solver: str = "highs") -> None:
    """Background job: solve a queued run, committing its progress in its own sessions.

    The run is claimed with one conditional UPDATE, so two workers that both see it
    queued cannot both solve it; a heartbeat keeps it marked alive while it solves.
    """
    with transaction(factory) as session:
        claimed = session.execute(
            update(PortfolioRun)
            .where(PortfolioRun.id == run_id, PortfolioRun.status == "queued")
            .values(
                status="running",
                progress=0.1,
                heartbeat_at=utcnow(),
                attempts=PortfolioRun.attempts + 1,
            )
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return
    with transaction(factory) as session:
        run = session.get(PortfolioRun, run_id)
        if run is None:
            return
        session.expunge(run)

    def store_progress(fraction: float, _stage: str) -> None:
        with transaction(factory) as session:
            session.execute(
                update(PortfolioRun)
                .where(PortfolioRun.id == run_id, PortfolioRun.status == "running")
                .values(progress=fraction)
            )

    with heartbeat(factory, PortfolioRun, run_id):
        outcome = solve_inputs(run, solver, store_progress)
    with transaction(factory) as session:
        stored = session.get(PortfolioRun, run_id)
        if stored is not None:
            record_outcome(stored, *outcome)
            _with_city_scores(session, stored)


def retry_run(session: Session, run: PortfolioRun, actor: User | None) -> None:
    """Queue a run that ended in an error (e.g. its worker stopped) again, same inputs."""
    if run.status != "error":
        raise InputError(Problem("only a run that ended in an error can be retried"))
    run.status = "queued"
    run.progress = 0.0
    run.results = run.error = None
    run.finished_at = run.heartbeat_at = None
    session.flush()
    record_change(
        session,
        actor=actor,
        action="retry",
        entity="portfolio_run",
        entity_id=run.id,
        city_id=run.city_id,
        details={"attempts": run.attempts},
    )


def run_of_city(session: Session, city: City, run_id: int) -> PortfolioRun | None:
    """The run if it belongs to ``city``."""
    run = session.get(PortfolioRun, run_id)
    return run if run is not None and run.city_id == city.id else None
