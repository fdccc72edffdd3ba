"""Semantic checks of a scenario, run after the JSON Schema and before any model is built.

Each ``check_*`` function appends :class:`~decision_support.errors.Problem`
objects naming the field path; :func:`check_scenario` raises one
:class:`~decision_support.portfolio.scenario.ScenarioError` with all of them.
"""

from __future__ import annotations

from collections import Counter

from decision_support.errors import Problem
from decision_support.kpis.catalogue import DIMENSIONS, load_catalogue
from decision_support.portfolio.scenario import Scenario, ScenarioError, split_kpi_key


def _check_years(scenario: Scenario, problems: list[Problem]) -> None:
    years = set(scenario.years)
    for path, mapping in (
        ("budget.by_year", scenario.budget.by_year),
        ("fiscal.revenue_by_year", scenario.fiscal.revenue_by_year),
        ("fiscal.existing_debt_service_by_year", scenario.fiscal.existing_debt_service_by_year),
    ):
        for year in mapping:
            if year not in years:
                problems.append(
                    Problem(
                        f"year {year} is outside the horizon "
                        f"{scenario.start_year}–{scenario.end_year}",
                        field=f"{path}.{year}",
                    )
                )
    if scenario.planning_date and scenario.planning_date.year > scenario.start_year:
        problems.append(
            Problem(
                "the planning date is after the first year of the horizon", field="planning_date"
            )
        )


def _check_fiscal(scenario: Scenario, problems: list[Problem]) -> None:
    fiscal = scenario.fiscal
    if fiscal.max_debt_service_ratio is None:
        return
    missing = [y for y in scenario.years if fiscal.revenue_by_year.get(y, 0) <= 0]
    if missing:
        problems.append(
            Problem(
                "a debt-service ratio limit needs a positive revenue for every year; "
                f"missing for {', '.join(map(str, missing))}",
                field="fiscal.revenue_by_year",
            )
        )


def _check_kpis(scenario: Scenario, problems: list[Problem]) -> None:
    catalogue = load_catalogue()
    seen: Counter[str] = Counter()
    for i, kpi in enumerate(scenario.kpis):
        known = catalogue.find(kpi.code)
        if known is None:
            problems.append(
                Problem(f"unknown U4SSC KPI code '{kpi.code}'", field=f"kpis[{i}].code")
            )
            continue
        if kpi.data_point and known.data_points and kpi.data_point not in known.data_points:
            problems.append(
                Problem(
                    f"'{kpi.data_point}' is not a data point of {known.code} "
                    f"({', '.join(known.data_points)})",
                    field=f"kpis[{i}].data_point",
                )
            )
        seen[f"{known.code_compact}|{kpi.data_point or ''}"] += 1
        if seen[f"{known.code_compact}|{kpi.data_point or ''}"] == 2:
            problems.append(Problem(f"KPI {kpi.key} is listed twice", field=f"kpis[{i}]"))


def _check_objective(scenario: Scenario, problems: list[Problem]) -> None:
    for dimension in scenario.objective.dimension_weights:
        if dimension not in DIMENSIONS:
            problems.append(
                Problem(
                    f"unknown dimension '{dimension}' (expected one of {', '.join(DIMENSIONS)})",
                    field=f"objective.dimension_weights.{dimension}",
                )
            )
    needs_kpis = scenario.objective.mode in ("gap_closure", "u4ssc_points")
    if needs_kpis and not scenario.kpis and not any(p.value for p in scenario.projects):
        problems.append(
            Problem(
                f"mode '{scenario.objective.mode}' needs kpis, or projects with a value",
                field="objective.mode",
            )
        )
    shares = scenario.constraints.min_dimension_share
    for dimension in shares:
        if dimension not in DIMENSIONS:
            problems.append(
                Problem(
                    f"unknown dimension '{dimension}'",
                    field=f"constraints.min_dimension_share.{dimension}",
                )
            )
    if sum(shares.values()) > 1 + 1e-9:
        problems.append(
            Problem("the minimum dimension shares add up to more than 1", field="constraints")
        )


def _kpi_keys(scenario: Scenario) -> set[str]:
    catalogue = load_catalogue()
    keys = set()
    for kpi in scenario.kpis:
        known = catalogue.find(kpi.code)
        if known is not None:
            keys.add(f"{known.code_compact}|{kpi.data_point or ''}")
    return keys


def _check_projects(scenario: Scenario, problems: list[Problem]) -> None:
    catalogue = load_catalogue()
    ids = Counter(p.id for p in scenario.projects)
    kpi_keys = _kpi_keys(scenario)
    for i, project in enumerate(scenario.projects):
        where = f"projects[{i}]"
        if ids[project.id] > 1:
            problems.append(Problem(f"duplicate project id '{project.id}'", field=f"{where}.id"))
        if project.capex_total <= 0 and not project.opex_per_year:
            problems.append(
                Problem(
                    "a project needs some capital or operating cost", field=f"{where}.capex_profile"
                )
            )
        for name in ("earliest_start", "latest_start"):
            year = getattr(project, name)
            if year is not None and not scenario.start_year <= year <= scenario.end_year:
                problems.append(
                    Problem(
                        f"{year} is outside the horizon {scenario.start_year}–{scenario.end_year}",
                        field=f"{where}.{name}",
                    )
                )
        if (
            project.earliest_start is not None
            and project.latest_start is not None
            and project.earliest_start > project.latest_start
        ):
            problems.append(
                Problem("earliest_start is after latest_start", field=f"{where}.latest_start")
            )
        for kind in ("requires", "excludes"):
            for j, other in enumerate(getattr(project, kind)):
                if other not in ids:
                    problems.append(
                        Problem(f"unknown project '{other}'", field=f"{where}.{kind}[{j}]")
                    )
                elif other == project.id:
                    problems.append(
                        Problem("a project cannot refer to itself", field=f"{where}.{kind}[{j}]")
                    )
        for key in project.impacts:
            code, point = split_kpi_key(key)
            known = catalogue.find(code)
            if known is None:
                problems.append(
                    Problem(f"unknown U4SSC KPI code '{code}'", field=f"{where}.impacts.{key}")
                )
            elif scenario.kpis and f"{known.code_compact}|{point or ''}" not in kpi_keys:
                problems.append(
                    Problem(
                        f"KPI '{key}' is not among the scenario's kpis",
                        field=f"{where}.impacts.{key}",
                    )
                )


def _check_constraints(scenario: Scenario, problems: list[Problem]) -> None:
    ids = {p.id for p in scenario.projects}
    constraints = scenario.constraints
    for kind in ("mandatory", "excluded"):
        for j, project_id in enumerate(getattr(constraints, kind)):
            if project_id not in ids:
                problems.append(
                    Problem(f"unknown project '{project_id}'", field=f"constraints.{kind}[{j}]")
                )
    for j, project_id in enumerate(constraints.mandatory):
        if project_id in constraints.excluded:
            problems.append(
                Problem(
                    f"project '{project_id}' is both mandatory and excluded",
                    field=f"constraints.mandatory[{j}]",
                )
            )
    low_cost = sum(1 for p in scenario.projects if p.low_cost)
    if constraints.min_low_cost_projects > low_cost:
        problems.append(
            Problem(
                f"{constraints.min_low_cost_projects} low-cost projects required but only "
                f"{low_cost} projects are marked low_cost",
                field="constraints.min_low_cost_projects",
            )
        )


def _check_mechanisms(scenario: Scenario, problems: list[Problem]) -> None:
    ids = Counter(m.id for m in scenario.mechanisms)
    own = [m for m in scenario.mechanisms if m.type == "own_budget"]
    if len(own) > 1:
        problems.append(Problem("only one own_budget mechanism is allowed", field="mechanisms"))
    years = set(scenario.years)
    for i, mechanism in enumerate(scenario.mechanisms):
        where = f"mechanisms[{i}]"
        if ids[mechanism.id] > 1:
            problems.append(
                Problem(f"duplicate mechanism id '{mechanism.id}'", field=f"{where}.id")
            )
        if mechanism.grace_years >= mechanism.tenor_years and mechanism.repayable:
            problems.append(
                Problem(
                    "grace_years must be shorter than tenor_years", field=f"{where}.grace_years"
                )
            )
        if mechanism.max_amount is not None and mechanism.max_amount < mechanism.min_amount:
            problems.append(Problem("max_amount is below min_amount", field=f"{where}.max_amount"))
        for year in mechanism.capacity_by_year or {}:
            if year not in years:
                problems.append(
                    Problem(
                        f"year {year} is outside the horizon",
                        field=f"{where}.capacity_by_year.{year}",
                    )
                )
        if mechanism.cofinancing_share and mechanism.type != "grant":
            problems.append(
                Problem(
                    "cofinancing_share applies to grants only", field=f"{where}.cofinancing_share"
                )
            )


def check_scenario(scenario: Scenario) -> None:
    """Raise :class:`ScenarioError` with every semantic problem of ``scenario``."""
    problems: list[Problem] = []
    for check in (
        _check_years,
        _check_fiscal,
        _check_kpis,
        _check_objective,
        _check_projects,
        _check_constraints,
        _check_mechanisms,
    ):
        check(scenario, problems)
    if problems:
        raise ScenarioError(problems)
