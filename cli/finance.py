"""``decision-support finance …``: loan schedules and the financing-mechanism catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import yaml

from cli.output import emit, json_option
from decision_support.finance.fiscal import load_fiscal_profile
from decision_support.finance.funding_mix import evaluate_funding_mix, parse_mix_document
from decision_support.finance.mechanisms import (
    MechanismCatalogue,
    load_city_mechanisms,
    load_mechanisms,
)
from decision_support.finance.schedules import SCHEDULE_STYLES, loan_schedule


@click.group()
def finance() -> None:
    """Financing: loan schedules and the mechanism catalogue."""


def _render_schedule(payload: dict[str, Any]) -> str:
    lines = [
        f"payment (first after grace): {payload['payment']:,.2f}",
        f"total interest: {payload['total_interest']:,.2f}",
        f"{'year':>4} {'interest':>16} {'principal':>16} {'payment':>16} {'balance':>16}",
    ]
    lines.extend(
        f"{row['year']:>4} {row['interest']:>16,.2f} {row['principal']:>16,.2f} "
        f"{row['payment']:>16,.2f} {row['balance']:>16,.2f}"
        for row in payload["schedule"]
    )
    return "\n".join(lines)


@finance.command("loan")
@click.option("--principal", type=float, required=True, help="Amount borrowed.")
@click.option("--rate", type=float, required=True, help="Annual rate as a decimal (0.035 = 3.5 %).")
@click.option("--years", type=int, required=True, help="Tenor in years, grace included.")
@click.option("--grace", type=int, default=0, show_default=True, help="Interest-only years.")
@click.option(
    "--style",
    type=click.Choice(SCHEDULE_STYLES),
    default="annuity",
    show_default=True,
    help="annuity = level payments; linear = equal principal; bullet = principal at maturity.",
)
@json_option
def loan(principal: float, rate: float, years: int, grace: int, style: str, as_json: bool) -> None:
    """Year-by-year repayment schedule of a loan (interest only during grace).

    ``payment`` is the level payment after grace for an annuity, the first payment after
    grace otherwise.
    """
    schedule = loan_schedule(principal, rate, years, grace, style)
    emit(schedule.as_dict(), as_json, _render_schedule)


def _render_mechanisms(payload: dict[str, Any]) -> str:
    lines = []
    for m in payload["mechanisms"]:
        rate = f"{m['interest_rate']:.2%}"
        tags = ", ".join(m["eligible_tags"]) or "any project"
        lines.append(
            f"{m['id']:<28} {m['kind']:<17} rate {rate:>6}  tenor {m['tenor_years']:>2}y  "
            f"lead {m['lead_time_months']:>2}m  {tags}"
        )
    return "\n".join(lines)


@finance.command("mechanisms")
@json_option
def mechanisms(as_json: bool) -> None:
    """List the shipped financing-mechanism catalogue with its default terms and sources."""
    catalogue = load_mechanisms()
    payload = {
        "currency": catalogue.currency,
        "mechanisms": [m.as_dict() for m in catalogue],
    }
    emit(payload, as_json, _render_mechanisms)


def _render_mix(payload: dict[str, Any]) -> str:
    lines = [
        f"project: {payload['project']}",
        f"NPV of the net cost to the city: {payload['npv']:,.0f} "
        f"(discount rate {payload['discount_rate']:.2%}, base year {payload['base_year']})",
        f"{'year':>4} {'capex':>14} {'debt service':>14} {'deferred':>14} {'net cost':>14}",
    ]
    lines.extend(
        f"{y['year']:>4} {y['capex']:>14,.0f} {y['debt_service']:>14,.0f} "
        f"{y['deferred_payments']:>14,.0f} {y['net_cost']:>14,.0f}"
        for y in payload["years"]
    )
    lines.append("rules: all respected" if payload["ok"] else "broken rules:")
    lines.extend(f"  - {v['message']}" for v in payload["violations"])
    lines.extend(f"note: {n}" for n in payload["notes"])
    return "\n".join(lines)


@finance.command("mix")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mechanisms",
    "mechanisms_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="City mechanism settings (YAML); default: the whole catalogue, enabled.",
)
@click.option(
    "--fiscal",
    "fiscal_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="City fiscal profile (YAML) for debt limits, budget and discounting.",
)
@json_option
def mix(file: Path, mechanisms_file: Path | None, fiscal_file: Path | None, as_json: bool) -> None:
    """Cash flows, NPV and broken rules of one project's funding mix (FILE: YAML with
    ``project`` and ``mix``; see docs/finance.md)."""
    project, amounts = parse_mix_document(yaml.safe_load(file.read_text("utf-8")))
    catalogue: MechanismCatalogue = (
        load_city_mechanisms(mechanisms_file) if mechanisms_file else load_mechanisms()
    )
    fiscal = load_fiscal_profile(fiscal_file) if fiscal_file else None
    result = evaluate_funding_mix(project, amounts, catalogue, fiscal)
    emit(result.as_dict(), as_json, _render_mix)
