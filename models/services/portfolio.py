"""Portfolio runs: build a scenario from a city's data, store runs, execute them.

``city_scenario`` maps the database (KPI values and targets, candidate projects
with their impacts, enabled financing mechanisms) plus the budget and fiscal
settings of a run into a portfolio :class:`~decision_support.portfolio.Scenario`.
``create_run`` stores a queued run with a snapshot of its inputs (flushes, never
commits); ``execute_run`` is the background job: it opens its own sessions on
the given factory, runs the optimiser and stores status, timings and results.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from decision_support.errors import InputError, Problem
from decision_support.finance.mechanisms import Mechanism
from decision_support.portfolio import OptimiseOptions, Scenario, optimise, parse_scenario
from decision_support.portfolio.scenario import ScenarioError
from decision_support.portfolio.scenario_file import scenario_to_dict
from decision_support.projects.portfolio_entry import impact_key
from models.base import utcnow
from models.cities import City
from models.jobs.liveness import heartbeat
from models.kpis import Kpi, KpiTarget, KpiValue
from models.projects import Project
from models.scenarios import PortfolioRun
from models.scenarios import Scenario as SavedScenario
from models.services.audit import record_change
from models.services.finance import city_mechanisms, fiscal_profile
from models.services.projects import portfolio_entries
from models.session import transaction
from models.users import User
from rules.lead_time import lead_time_estimator
from rules.rule_pack import load_pack

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
    document: dict[str, Any] = yaml.safe_load(text)
    return document


def saved_portfolio_scenarios(session: Session, city: City) -> list[SavedScenario]:
    """The city's saved scenarios whose definition is a portfolio scenario."""
    rows = session.scalars(
        select(SavedScenario).where(SavedScenario.city_id == city.id).order_by(SavedScenario.name)
    )
    return [s for s in rows if isinstance(s.definition, dict) and "projects" in s.definition]


def _latest_values(session: Session, city: City) -> dict[tuple[int, str], float]:
    rows = session.scalars(
        select(KpiValue)
        .where(KpiValue.city_id == city.id, KpiValue.value.is_not(None))
        .order_by(KpiValue.year)
    )
    return {(v.kpi_id, v.data_point): float(v.value) for v in rows if v.value is not None}


def _targets(session: Session, city: City) -> dict[tuple[int, str], KpiTarget]:
    rows = session.scalars(
        select(KpiTarget).where(
            (KpiTarget.city_id == city.id) | (KpiTarget.city_id.is_(None)),
            KpiTarget.value.is_not(None),
        )
    )
    targets: dict[tuple[int, str], KpiTarget] = {}
    for target in sorted(rows, key=lambda t: t.city_id is not None):  # city's own last: wins
        targets[target.kpi_id, target.data_point] = target
    return targets


def _portfolio_type(mechanism: Mechanism) -> str:
    """The optimiser's mechanism type for a finance-catalogue mechanism."""
    if mechanism.id == "own_budget":
        return "own_budget"
    if mechanism.kind == "debt":
        if "green" in mechanism.type:
            return "green_bond"
        if "bond" in mechanism.type:
            return "bond"
        return "tax_increment" if "tax_increment" in mechanism.type else "loan"
    if mechanism.kind == "deferred_payment":
        if "energy_performance" in mechanism.type:
            return "epc"
        return "ppp" if "ppp" in mechanism.type else "other"
    # contributions, earmarked own funds and user-funded concessions are not repaid by the city
    return "grant"


def _mechanism(mechanism: Mechanism, years: range) -> dict[str, Any]:
    """A finance-catalogue mechanism (with the city's overrides) as a scenario entry."""
    kind = _portfolio_type(mechanism)
    if kind == "own_budget":
        return {"id": mechanism.id, "name": mechanism.name, "type": kind}
    entry: dict[str, Any] = {
        "id": mechanism.id,
        "name": mechanism.name,
        "type": kind,
        "rate": mechanism.interest_rate,
        "issuance_cost": mechanism.issuance_cost,
        "max_share": mechanism.max_share,
        "min_amount": mechanism.min_deal,
        "counts_as_debt": mechanism.counts_as_city_debt,
        "eligible_tags": sorted(mechanism.eligible_tags),
        "lead_time_years": mechanism.lead_time_months // 12,
        "award_probability": mechanism.award_probability,
    }
    if kind not in ("grant",):
        tenor = max(1, mechanism.tenor_years)
        entry["tenor_years"] = tenor
        entry["grace_years"] = min(mechanism.grace_years, tenor - 1)
        entry["style"] = mechanism.amortisation if mechanism.amortisation != "none" else "annuity"
    elif mechanism.cofinancing_share:
        entry["cofinancing_share"] = min(mechanism.cofinancing_share, 0.99)
    if mechanism.max_deal is not None:
        entry["max_amount"] = mechanism.max_deal
    if mechanism.capacity_total is not None:
        entry["capacity_total"] = mechanism.capacity_total
    if mechanism.capacity_per_year is not None:
        entry["capacity_by_year"] = {y: mechanism.capacity_per_year for y in years}
    return entry


def city_scenario(session: Session, city: City, settings: RunSettings) -> Scenario:
    """A portfolio scenario from the city's KPIs, projects and mechanisms plus the
    run's budget and fiscal settings. Raises :class:`ScenarioError` when the data
    cannot make a scenario (e.g. no candidate projects)."""
    projects = list(
        session.scalars(select(Project).where(Project.city_id == city.id).order_by(Project.code))
    )
    if not projects:
        raise ScenarioError(Problem("the city has no candidate projects yet", field="source"))
    values = _latest_values(session, city)
    targets = _targets(session, city)
    kpis: dict[str, dict[str, Any]] = {}
    for project in projects:
        for impact in project.impacts:
            key = (impact.kpi_id, impact.data_point)
            kpi = session.get(Kpi, impact.kpi_id)
            if kpi is None or key not in values or key not in targets:
                continue
            portfolio_key = impact_key(kpi.code, impact.data_point or None)
            if portfolio_key in kpis:
                continue
            entry: dict[str, Any] = {
                "code": kpi.code,
                "baseline": values[key],
                "target": targets[key].value,
            }
            if impact.data_point:
                entry["data_point"] = impact.data_point
            direction = targets[key].direction or kpi.direction
            if direction in ("higher_is_better", "lower_is_better"):
                entry["direction"] = direction
            kpis[portfolio_key] = entry
    years = range(settings.start_year, settings.start_year + settings.horizon_years)
    document: dict[str, Any] = {
        "name": f"{city.name} {years[0]}–{years[-1]}",
        "city": city.name,
        "currency": city.currency,
        "start_year": settings.start_year,
        "horizon_years": settings.horizon_years,
        "kpis": list(kpis.values()),
        "objective": {"mode": settings.mode or ("gap_closure" if kpis else "value")},
        "projects": _with_lead_times(
            portfolio_entries(session, city, settings.start_year, kpis.keys()),
            city,
            settings.start_year,
        ),
        "mechanisms": [_mechanism(m, years) for m in city_mechanisms(session, city) if m.enabled],
    }
    document.update(_money_limits(session, city, settings, years))
    return parse_scenario(document)


def _money_limits(
    session: Session, city: City, settings: RunSettings, years: range
) -> dict[str, Any]:
    """Budget, fiscal figures and discount rate: the run's settings where given, else the
    city's fiscal profile (capital budget, revenue, existing debt service, DSR limit)."""
    profile = fiscal_profile(session, city)
    rows = {y.year: y for y in profile.years} if profile else {}
    limits: dict[str, Any] = {}
    if profile is not None:
        limits["discount_rate"] = profile.discount_rate
    if settings.budget_per_year is not None:
        budget = {y: settings.budget_per_year for y in years}
    else:
        budget = {y: rows[y].capital_budget for y in years if y in rows}
    limits["budget"] = {"by_year": budget, "carry_over": settings.carry_over}
    ratio = settings.max_debt_service_ratio
    if ratio is None and profile is not None:
        ratio = profile.debt_rules.max_debt_service_ratio
    revenue = {
        y: settings.revenue_per_year if settings.revenue_per_year else rows[y].revenue
        for y in years
        if settings.revenue_per_year or y in rows
    }
    existing = {
        y: settings.existing_debt_service_per_year
        if settings.existing_debt_service_per_year is not None
        else rows[y].existing_debt_service
        for y in years
        if settings.existing_debt_service_per_year is not None or y in rows
    }
    if ratio is not None and len(revenue) == len(years):
        limits["fiscal"] = {
            "revenue_by_year": revenue,
            "existing_debt_service_by_year": existing,
            "max_debt_service_ratio": ratio,
        }
    return limits


def _with_lead_times(
    entries: list[dict[str, Any]], city: City, start_year: int
) -> list[dict[str, Any]]:
    """Each project's procurement lead time from the city's rule pack, written into the
    entry (``procurement.lead_time_days``) so the stored snapshot reproduces the run."""
    estimate = lead_time_estimator(load_pack(city.rule_pack), date(start_year, 1, 1))
    for entry in entries:
        procurement = entry.get("procurement")
        if not procurement or procurement.get("lead_time_days") is not None:
            continue
        days = estimate(_ProcurementView(procurement))
        if days is not None:
            procurement["lead_time_days"] = int(days)
    return entries


@dataclass(frozen=True)
class _ProcurementView:
    """The attributes the rule pack's estimator reads, over a scenario ``procurement`` entry."""

    raw: dict[str, Any]

    @property
    def category(self) -> str:
        return str(self.raw.get("category", ""))

    @property
    def estimated_value(self) -> float | None:
        value = self.raw.get("estimated_value")
        return float(value) if value is not None else None

    @property
    def cpv(self) -> str:
        return str(self.raw.get("cpv", ""))

    @property
    def procedure(self) -> str:
        return str(self.raw.get("procedure", ""))


def scenario_for_run(
    session: Session, city: City, settings: RunSettings
) -> tuple[Scenario, int | None]:
    """The scenario a run's settings point at, and the saved scenario's id if any."""
    if settings.source == SOURCE_DEMO:
        if not city.is_demo:
            raise ScenarioError(Problem("the demo scenario is for the demo city", field="source"))
        return _with_mode(parse_scenario(demo_scenario_document()), settings), None
    if settings.source.startswith(SAVED_PREFIX):
        saved = session.get(SavedScenario, int(settings.source.removeprefix(SAVED_PREFIX)))
        if saved is None or saved.city_id != city.id:
            raise ScenarioError(Problem("no such saved scenario", field="source"))
        return _with_mode(parse_scenario(saved.definition), settings), saved.id
    return city_scenario(session, city, settings), None


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
    session: Session, city: City, actor: User | None, settings: RunSettings
) -> PortfolioRun:
    """Store a queued run with a snapshot of its inputs (validated now, solved later)."""
    scenario, saved_id = scenario_for_run(session, city, settings)
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


def solve_run(session: Session, run: PortfolioRun, solver: str = "highs") -> None:
    """Solve a queued run inside the caller's session (flushes, never commits)."""
    if not mark_running(run):
        return
    record_outcome(run, *solve_inputs(run, solver))
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
