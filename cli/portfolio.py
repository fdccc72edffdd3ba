"""``decision-support optimise SCENARIO_FILE``: recommend a financed, procurable portfolio."""

from __future__ import annotations

from typing import Any

import click

from cli.output import emit, json_option
from decision_support.portfolio.api import OptimiseOptions, optimise
from decision_support.portfolio.scenario_file import parse_scenario, read_scenario_document
from rules.rule_pack import load_pack, pack_search_dirs
from scenarios.city_scenario import with_lead_times


def _render(payload: dict[str, Any]) -> str:
    lines = [f"status: {payload['status']} (proven optimal: {payload['proven_optimal']})"]
    if payload.get("mip_gap") is not None:
        lines.append(f"MIP gap: {payload['mip_gap']:.4%}")
    objective = payload.get("objective")
    if objective:
        lines.append(f"objective ({objective['mode']}): {objective['value']:.3f}")
    for project in payload.get("selected", []):
        funding = ", ".join(f"{m} {a:,.0f}" for m, a in project["funding"].items())
        lines.append(
            f"  {project['start_year']}  {project['id']:<12} {project['name']}  [{funding}]"
        )
    diagnosis = payload.get("diagnosis")
    if diagnosis:
        lines.append(diagnosis["summary"])
    explanations = payload.get("explanations") or {}
    lines.extend(
        f"explanation skipped: {s['what']} ({s['reason']})" for s in explanations.get("skipped", [])
    )
    lines.extend(f"warning: {w}" for w in payload.get("warnings", []))
    return "\n".join(lines)


@click.command("optimise")
@click.argument("scenario_file", type=click.Path(dir_okay=False))
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.01),
    default=60.0,
    show_default=True,
    help="Seconds for the whole run: solves and explanations (see docs/portfolio.md).",
)
@click.option(
    "--gap",
    type=click.FloatRange(min=0.0, max=1.0),
    default=1e-4,
    show_default=True,
    help="Relative MIP gap at which the solver may stop.",
)
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default="highs", show_default=True)
@click.option(
    "--threads",
    type=click.IntRange(min=1, max=64),
    default=1,
    show_default=True,
    help=(
        "HiGHS searches: 2 or more race that many single-threaded searches sharing "
        "incumbents (plans of equal proven quality, not bit-reproducible; 1 is)."
    ),
)
@click.option("--no-explain", is_flag=True, help="Skip the explanation re-solves.")
@click.option(
    "--pack",
    default=None,
    help="Rule pack whose procurement lead times fill the projects that give none "
    "(a web run uses the city's pack).",
)
@json_option
def optimise_command(
    scenario_file: str,
    time_limit: float,
    gap: float,
    solver: str,
    threads: int,
    no_explain: bool,
    pack: str | None,
    as_json: bool,
) -> None:
    """Recommend which projects to start when and how to fund them (SCENARIO_FILE: YAML/JSON)."""
    document = read_scenario_document(scenario_file)
    if (
        pack is not None
        and isinstance(document, dict)
        and isinstance(document.get("start_year"), int)
    ):
        with_lead_times(document, load_pack(pack, search_dirs=pack_search_dirs()))
    scenario = parse_scenario(document)
    options = OptimiseOptions(
        time_limit=time_limit, gap=gap, solver=solver, threads=threads, explain=not no_explain
    )
    emit(optimise(scenario, options).to_dict(), as_json, _render)
