"""``decision-support finance …``: loan schedules and the financing-mechanism catalogue."""

from __future__ import annotations

from typing import Any

import click

from decision_support.cli_output import emit, json_option
from decision_support.finance.mechanisms import load_mechanisms
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
