"""The present cost of a portfolio to the city, including debt service after the horizon.

Within the horizon, the city's cost in year ``t`` is read from the result's cash flow:

    C_t = own_capex_t + debt_service_t + issuance_costs_t + opex_t − savings_t

After the horizon, the debt drawn during it is still being repaid. Each draw ``A`` of a
repayable mechanism (rate ``r``, tenor ``n``, grace ``g``, style annuity, linear or
bullet) in year ``y`` is repaid as the optimiser models it: ``A`` times the finance
engine's payments per unit (:func:`decision_support.finance.schedules.debt_service_per_unit`,
the optimiser's repayment factors) in years ``y+1 … y+n``. The payments falling after
the last horizon year form the tail ``D_t``.

    NPV = Σ_t (C_t + D_t) / (1 + ρ)^(t − start_year)

with ``ρ`` the scenario's ``discount_rate``. Grants and own budget are not repaid;
issuance costs are already in ``C_t``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from decision_support.finance.schedules import debt_service_per_unit, discount_factor
from decision_support.portfolio.result import PortfolioResult

NON_REPAYABLE = ("own_budget", "grant")


def repayment_schedule(
    amount: float, draw_year: int, *, rate: float, tenor: int, grace: int, style: str
) -> dict[int, float]:
    """Yearly payments (interest and principal) of one draw, by calendar year."""
    factors = debt_service_per_unit(rate, tenor, grace, style)
    return {draw_year + 1 + k: amount * factor for k, factor in enumerate(factors)}


def debt_service_tail(scenario: Mapping[str, Any], result: PortfolioResult) -> dict[int, float]:
    """Debt service of the portfolio's borrowing falling after the horizon, by year."""
    start = int(scenario["start_year"])
    end = start + int(scenario["horizon_years"]) - 1
    mechanisms = {str(m["id"]): m for m in scenario.get("mechanisms") or []}
    tail: dict[int, float] = defaultdict(float)
    for project in result.selected:
        for mech_id, by_year in project.funding_by_year.items():
            mechanism = mechanisms.get(mech_id)
            if mechanism is None or mechanism.get("type") in NON_REPAYABLE:
                continue
            for year, amount in by_year.items():
                schedule = repayment_schedule(
                    float(amount),
                    year,
                    rate=float(mechanism.get("rate", 0.0)),
                    tenor=int(mechanism.get("tenor_years", 1)),
                    grace=int(mechanism.get("grace_years", 0)),
                    style=str(mechanism.get("style", "annuity")),
                )
                for pay_year, payment in schedule.items():
                    if pay_year > end:
                        tail[pay_year] += payment
    return dict(sorted(tail.items()))


def yearly_city_cost(result: PortfolioResult) -> dict[int, float]:
    """``C_t`` for each horizon year from the result's cash flow."""
    return {
        row.year: float(row.own_capex)
        + float(row.debt_service)
        + float(row.issuance_costs)
        + float(row.opex)
        - float(row.savings)
        for row in result.cash_flow
    }


def npv_cost_to_city(scenario: Mapping[str, Any], result: PortfolioResult) -> float:
    """Present value at the start year of the city's cost, horizon plus debt tail."""
    start = int(scenario["start_year"])
    rho = float(scenario.get("discount_rate", 0.03))
    flows = yearly_city_cost(result)
    for year, payment in debt_service_tail(scenario, result).items():
        flows[year] = flows.get(year, 0.0) + payment
    return float(sum(amount * discount_factor(rho, year - start) for year, amount in flows.items()))
