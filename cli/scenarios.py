"""``decision-support scenarios …``: run, compare, sweep and stress-test scenarios.

FILE arguments are scenario files or what-if files (``docs/scenarios.md``); a what-if
without a ``base`` needs ``--base``. ``compare`` also accepts saved run files (JSON
written by ``scenarios run --save DIR``). With ``--json`` each command prints one JSON
document on stdout; progress is logged to stderr with ``-v``.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import click

from cli.output import emit, json_option
from decision_support.errors import InputError, Problem
from scenarios.comparison import ComparedRun, compare_runs
from scenarios.files import ResolvedScenario, library_whatifs, read_document, resolve_file
from scenarios.frontier import budget_factors, frontier, frontier_budget, linspace, parse_range
from scenarios.robustness import robustness, robustness_budget
from scenarios.runner import ScenarioRun, SolveOutcome, run_scenarios
from scenarios.sensitivity import sensitivity, sensitivity_budget
from scenarios.uncertainty import UncertaintySpec
from scenarios.workbook import change_lines, comparison_workbook

logger = logging.getLogger(__name__)

_existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)
base_option = click.option(
    "--base",
    type=_existing_file,
    default=None,
    help="Base scenario for what-if files (overrides their own 'base').",
)
workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: all cores).",
)
time_limit_option = click.option(
    "--time-limit",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds per solve, each solve's whole run (analyses state their total first).",
)
gap_option = click.option(
    "--gap",
    type=click.FloatRange(min=0.0, max=1.0),
    default=None,
    help="Relative MIP gap per solve.",
)


def _options(time_limit: float | None, gap: float | None, explain: bool = False) -> dict[str, Any]:
    options: dict[str, Any] = {"explain": explain}
    if time_limit is not None:
        options["time_limit"] = time_limit
    if gap is not None:
        options["gap"] = gap
    return options


def _state_budget(budget: dict[str, Any]) -> None:
    """Say on standard error, before the run, how long the analysis may take at most."""
    click.echo(
        f"time budget: at most {budget['total_seconds']:g} s "
        f"({budget['solves']} solves at most, {budget['per_solve_seconds']:g} s each)",
        err=True,
    )


def _log_progress(done: int, total: int, outcome: SolveOutcome) -> None:
    logger.info("%d/%d %s: %s (%.2f s)", done, total, outcome.key, outcome.status, outcome.seconds)


def _resolve(path: Path, base: Path | None) -> ResolvedScenario:
    return resolve_file(path, base)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "scenario"


def _impact(result: dict[str, Any] | None) -> str:
    if not result or not result.get("objective"):
        return "-"
    return f"{result['objective']['value']:.4g}"


def _format(value: Any, unit: str) -> str:
    """A summary value as text: money without decimals, shares as percentages."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-" if value is None else str(value)
    if unit == "currency":
        return f"{value:,.0f}"
    if unit == "share":
        return f"{value:.1%}"
    return f"{value:,.4g}"


@click.group()
def scenarios() -> None:
    """Scenarios and what-ifs: run, compare, frontiers, sensitivity, robustness."""


@scenarios.command("whatifs")
@json_option
def whatifs_command(as_json: bool) -> None:
    """List the shipped library of standard what-ifs."""
    library = library_whatifs()
    payload = [{"id": key, **whatif.to_dict()} for key, whatif in library.items()]
    emit(payload, as_json, lambda p: "\n".join(f"{w['id']}: {w['description']}" for w in p))


@scenarios.command("run")
@click.argument("files", nargs=-1, required=True, type=_existing_file)
@base_option
@workers_option
@time_limit_option
@gap_option
@click.option("--explain/--no-explain", default=False, help="Compute explanations (slower).")
@click.option(
    "--save",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write each run (inputs and result) as JSON into this folder.",
)
@json_option
def run_command(
    *,
    files: tuple[Path, ...],
    base: Path | None,
    workers: int | None,
    time_limit: float | None,
    gap: float | None,
    explain: bool,
    save: Path | None,
    as_json: bool,
) -> None:
    """Solve each FILE (scenario or what-if) in parallel worker processes."""
    resolved = [_resolve(path, base) for path in files]
    runs = run_scenarios(
        [(r.name, r.scenario) for r in resolved],
        _options(time_limit, gap, explain),
        workers=workers,
        progress=_log_progress,
        sources=[r.source for r in resolved],
    )
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        for index, run in enumerate(runs, start=1):
            target = save / f"{index:02d}-{_slug(run.name)}.json"
            target.write_text(json.dumps(run.to_dict(), indent=2, ensure_ascii=False), "utf-8")
    payload = {"runs": [run.to_dict() for run in runs]}

    def render(_: Any) -> str:
        lines = []
        for run in runs:
            result = run.result or {}
            chosen = ", ".join(f"{p['id']}@{p['start_year']}" for p in result.get("selected") or [])
            lines.append(
                f"{run.name}: {result.get('status', run.status)}, impact {_impact(result)}, "
                f"{run.seconds:.2f} s"
                + (f" [{chosen}]" if chosen else "")
                + (f" ({run.error})" if run.error else "")
            )
        return "\n".join(lines)

    emit(payload, as_json, render)


def _compared(path: Path, base: Path | None) -> tuple[ComparedRun | None, ResolvedScenario | None]:
    document = read_document(path)
    if document.get("kind") == "scenario_run":
        try:
            run = ScenarioRun.from_dict(document)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(Problem(f"{path}: not a complete saved run (missing {exc})")) from exc
        if not run.result:
            raise InputError(Problem(f"{path}: the saved run has no result ({run.status})"))
        return ComparedRun.from_stored(run.name, run.scenario, run.result), None
    return None, _resolve(path, base)


@scenarios.command("compare")
@click.argument("files", nargs=-1, required=True, type=_existing_file)
@base_option
@workers_option
@time_limit_option
@gap_option
@click.option(
    "--xlsx",
    "xlsx_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the comparison workbook (native Excel charts) to this file.",
)
@json_option
def compare_command(
    *,
    files: tuple[Path, ...],
    base: Path | None,
    workers: int | None,
    time_limit: float | None,
    gap: float | None,
    xlsx_path: Path | None,
    as_json: bool,
) -> None:
    """Compare two or more scenarios side by side (the first is the reference).

    Each FILE is a scenario or what-if file (solved now) or a saved run (JSON).
    """
    if len(files) < 2:
        raise click.UsageError("compare needs at least two files")
    loaded = [_compared(path, base) for path in files]
    to_solve = [resolved for _, resolved in loaded if resolved is not None]
    solved = iter(
        run_scenarios(
            [(r.name, r.scenario) for r in to_solve],
            _options(time_limit, gap),
            workers=workers,
            progress=_log_progress,
        )
        if to_solve
        else []
    )
    columns = []
    for compared, resolved in loaded:
        if compared is not None:
            columns.append(compared)
            continue
        run = next(solved)
        if run.result is None:
            raise InputError(
                Problem(f"{resolved.source if resolved else run.name}: {run.error or run.status}")
            )
        columns.append(ComparedRun.from_stored(run.name, run.scenario, run.result))
    comparison = compare_runs(columns)
    if xlsx_path is not None:
        xlsx_path.write_bytes(comparison_workbook(comparison))

    def render(c: dict[str, Any]) -> str:
        names = [s["name"] for s in c["scenarios"]]
        lines = [" | ".join(["measure", *names])]
        for row in c["summary"]:
            values = [_format(v, row["unit"]) for v in row["values"]]
            lines.append(("* " if row["differs"] else "  ") + " | ".join([row["metric"], *values]))
        return "\n".join([*lines, "", *change_lines(c)])

    emit(comparison, as_json, render)


@scenarios.command("frontier")
@click.argument("file", type=_existing_file)
@click.option(
    "--budgets",
    default=None,
    help="FROM:TO:STEPS budget levels: factors of the scenario's budget when FROM and TO "
    "are at most 10 (0.5:1.5:11), else totals over the horizon (20e6:60e6:11).",
)
@click.option(
    "--debt-service",
    "debt_service",
    default=None,
    help="FROM:TO:STEPS values of the maximum debt-service ratio (second axis), e.g. 0.05:0.15:11.",
)
@click.option(
    "--financing/--no-financing",
    default=False,
    help="Also minimise each point's financing cost (a second solve per point; slower).",
)
@base_option
@workers_option
@time_limit_option
@gap_option
@json_option
def frontier_command(
    *,
    file: Path,
    budgets: str | None,
    debt_service: str | None,
    financing: bool,
    base: Path | None,
    workers: int | None,
    time_limit: float | None,
    gap: float | None,
    as_json: bool,
) -> None:
    """Best achievable impact at each budget level (or debt-service limit), knees marked."""
    if (budgets is None) == (debt_service is None):
        raise click.UsageError("give exactly one of --budgets or --debt-service")
    resolved = _resolve(file, base)
    if budgets is not None:
        axis, values = "budget", budget_factors(resolved.scenario, budgets)
    else:
        axis, values = (
            "debt_service_ratio",
            linspace(*parse_range(str(debt_service), "debt-service")),
        )
    options = {**_options(time_limit, gap), "lexicographic": financing}
    _state_budget(frontier_budget(len(values), options))
    result = frontier(
        resolved.scenario,
        axis,
        values,
        options,
        workers=workers,
        progress=_log_progress,
    )

    def render(f: dict[str, Any]) -> str:
        lines = [f"{f['axis_label']} (monotone: {f['monotone']})"]
        for point in f["points"]:
            marks = (" KNEE" if point.get("knee") else "") + (
                " drop" if point.get("marginal_gain_drop") else ""
            )
            impact_text = "-" if point["impact"] is None else f"{point['impact']:.4g}"
            lines.append(
                f"{point['axis_value']:.4g} (x={point['x']:,.0f}): {point['status']}, "
                f"impact {impact_text}, {len(point['selected'])} projects{marks}"
            )
        return "\n".join(lines)

    emit(result, as_json, render)


def _risk_levels(pairs: tuple[str, ...]) -> dict[str, str]:
    levels = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"'{pair}' is not PROJECT=LEVEL", param_hint="--risk")
        project, level = pair.split("=", 1)
        levels[project.strip()] = level.strip()
    return levels


@scenarios.command("robustness")
@click.argument("file", type=_existing_file)
@click.option("--samples", type=click.IntRange(min=1), required=True, help="Monte Carlo samples.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--weight-spread", type=click.FloatRange(0, 1, max_open=True), default=0.30, show_default=True
)
@click.option(
    "--impact-spread", type=click.FloatRange(0, 1, max_open=True), default=0.25, show_default=True
)
@click.option(
    "--default-risk",
    type=click.Choice(["low", "medium", "high", "very_high"]),
    default="medium",
    show_default=True,
)
@click.option("--risk", "risks", multiple=True, help="PROJECT=LEVEL cost-risk level (repeatable).")
@click.option(
    "--sample-gap",
    type=click.FloatRange(0, 0.5, max_open=True),
    default=0.005,
    show_default=True,
    help="Relative MIP gap at which each sample's solve stops.",
)
@click.option(
    "--sample-time-limit",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds after which a sample's solve stops with its best verified plan.",
)
@click.option("--details/--no-details", default=False, help="Include every sample in the output.")
@base_option
@workers_option
@time_limit_option
@gap_option
@json_option
def robustness_command(
    *,
    file: Path,
    samples: int,
    seed: int,
    weight_spread: float,
    impact_spread: float,
    default_risk: str,
    risks: tuple[str, ...],
    sample_gap: float,
    sample_time_limit: float,
    details: bool,
    base: Path | None,
    workers: int | None,
    time_limit: float | None,
    gap: float | None,
    as_json: bool,
) -> None:
    """Monte Carlo over cost overruns, grant awards, weights and impacts: core indices."""
    resolved = _resolve(file, base)
    spec = UncertaintySpec(
        samples=samples,
        seed=seed,
        default_risk=default_risk,
        risk_levels=_risk_levels(risks),
        weight_spread=weight_spread,
        impact_spread=impact_spread,
        sample_gap=sample_gap,
        sample_time_limit=sample_time_limit,
    )
    spec.check({str(p["id"]) for p in resolved.scenario.get("projects") or []})
    _state_budget(robustness_budget(spec, _options(time_limit, gap)))
    result = robustness(
        resolved.scenario, spec, _options(time_limit, gap), workers=workers, progress=_log_progress
    )
    if not details:
        result = {k: v for k, v in result.items() if k != "samples"}

    def render(r: dict[str, Any]) -> str:
        rec = r["recommended"]
        lines = [
            f"{r['samples_with_plan']}/{r['samples_requested']} samples solved "
            f"(seed {r['settings']['seed']})",
            *(f"{label}: {', '.join(ids) or '-'}" for label, ids in r["classes"].items()),
            "core index: "
            + ", ".join(
                f"{p['id']} {p['core_index']:.2f}"
                for p in r["projects"]
                if p["core_index"] is not None
            ),
        ]
        if rec["impact"]["expected"] is not None:
            lines.append(
                f"recommended plan: impact expected {rec['impact']['expected']:.4g}, "
                f"worst {rec['impact']['worst']:.4g}; "
                f"capex expected {rec['capex']['expected']:,.0f}, "
                f"worst {rec['capex']['worst']:,.0f}; "
                f"unaffordable in {rec['unaffordable_share']:.0%} of samples"
            )
        return "\n".join(lines)

    emit(result, as_json, render)


@scenarios.command("sensitivity")
@click.argument("file", type=_existing_file)
@click.option("--kpis/--no-kpis", "include_kpis", default=False, help="Also vary each KPI weight.")
@base_option
@workers_option
@time_limit_option
@gap_option
@json_option
def sensitivity_command(
    *,
    file: Path,
    include_kpis: bool,
    base: Path | None,
    workers: int | None,
    time_limit: float | None,
    gap: float | None,
    as_json: bool,
) -> None:
    """Which projects change when a dimension/KPI weight is halved or doubled, or rates move."""
    resolved = _resolve(file, base)
    _state_budget(
        sensitivity_budget(resolved.scenario, _options(time_limit, gap), include_kpis=include_kpis)
    )
    result = sensitivity(
        resolved.scenario,
        _options(time_limit, gap),
        include_kpis=include_kpis,
        workers=workers,
        progress=_log_progress,
    )

    def render(r: dict[str, Any]) -> str:
        lines = []
        for row in r["variants"]:
            what = f"{row['kind']} {row['target']} " + (
                f"x{row['factor']:g}" if "factor" in row else f"{row['points']:+g} pt"
            )
            if "stable" not in row:
                lines.append(f"{what}: {row['status']}")
            elif row["stable"]:
                lines.append(f"{what}: unchanged")
            else:
                lines.append(
                    f"{what}: +{row['entered']} -{row['left']} "
                    f"moved {[m['id'] for m in row['moved']]}"
                )
        return "\n".join(lines)

    emit(result, as_json, render)
