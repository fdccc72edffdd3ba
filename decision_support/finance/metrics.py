"""Standard project-finance metrics (pure functions).

* NPV: ``Σ_{t=0..T} CF_t / (1+r)^t`` — the first flow is undiscounted (numpy-financial
  ``npv``).
* Equivalent annual cost: ``EAC = PV(costs) / AF(r, n)`` with
  ``AF(r, n) = (1 − (1+r)^−n)/r``.
* IRR: the ``r`` with NPV = 0 (numpy-financial ``irr``).
* Payback: first time the cumulative undiscounted cash flow reaches zero, interpolated
  linearly within the year.
* Debt-service coverage: ``DSCR_t = net operating revenue_t / debt service_t``.
* Debt-service ratio: ``DSR_t = debt service_t / revenue_t``.
* Grant reimbursement: a grant share ``s`` of spend ``E_t`` arrives in ``t + lag``; the
  city bridges ``s·E_t`` meanwhile and pays ``(1 − s)·E_t`` itself.
* Energy-performance contract: payment ``p_t`` must be covered by savings ``S_t``;
  the city keeps ``S_t − p_t``.
* Availability payments: ``AP_t = (A + O) · a_t`` where ``A`` is the annuity of the
  partner's capital at its cost of capital, ``O`` the annual service fee and ``a_t`` the
  share of the year the asset was available to specification (deductions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy_financial as npf

from decision_support.errors import Problem
from decision_support.finance.schedules import (
    ScheduleError,
    annuity_factor,
    annuity_payment,
    internal_rate,
    loan_schedule,
)


def net_present_value(rate: float, cash_flows: Sequence[float]) -> float:
    """``NPV = Σ_t CF_t/(1+r)^t``, ``t = 0`` for the first flow."""
    if not cash_flows:
        return 0.0
    return float(npf.npv(rate, np.asarray(cash_flows, dtype=float)))


def equivalent_annual_cost(rate: float, years: int, present_value_of_costs: float) -> float:
    """``EAC = PV(costs)/AF(r, n)``: the level yearly cost with the same present value."""
    if years < 1:
        raise ScheduleError(Problem("lifetime must be at least 1 year", field="years"))
    return present_value_of_costs / annuity_factor(rate, years)


def irr(cash_flows: Sequence[float]) -> float | None:
    """Internal rate of return, or None when no rate makes the NPV zero."""
    return internal_rate(list(cash_flows))


def payback_period(cash_flows: Sequence[float]) -> float | None:
    """Years until the cumulative cash flow (flow 0 at time 0, flow t at the end of year t)
    first reaches zero, interpolating within the year; None if it never does."""
    cumulative = 0.0
    for t, flow in enumerate(cash_flows):
        previous = cumulative
        cumulative += flow
        if cumulative >= 0 and t > 0 and previous < 0:
            return t - 1 + (-previous / flow)
        if cumulative >= 0 and t == 0 and flow >= 0:
            return 0.0
    return None


def debt_service_coverage(
    net_operating_revenue: Sequence[float], debt_service: Sequence[float]
) -> list[float | None]:
    """``DSCR_t = NOR_t / DS_t`` per year; None in years without debt service."""
    return [
        (nor / ds) if ds > 0 else None
        for nor, ds in zip(net_operating_revenue, debt_service, strict=True)
    ]


def debt_service_ratio(debt_service: Sequence[float], revenue: Sequence[float]) -> list[float]:
    """``DSR_t = DS_t / R_t`` per year (revenue must be positive)."""
    out = []
    for ds, rev in zip(debt_service, revenue, strict=True):
        if rev <= 0:
            raise ScheduleError(Problem("revenue must be positive", field="revenue"))
        out.append(ds / rev)
    return out


@dataclass(frozen=True)
class GrantFlows:
    """Cash flows of spend part-funded by a reimbursed grant (index = year offset)."""

    spend: list[float]
    grant_received: list[float]
    city_share: list[float]
    bridge_outstanding: list[float]

    @property
    def peak_bridge(self) -> float:
        """Largest amount the city pre-finances at the end of any year."""
        return max(self.bridge_outstanding, default=0.0)


def grant_cash_flows(spend: Sequence[float], grant_share: float, lag_years: int) -> GrantFlows:
    """Grant share ``s`` of spend ``E_t`` reimbursed in year ``t + lag``.

    ``grant_received[t + lag] = s·E_t``; ``city_share_t = (1 − s)·E_t`` (co-financing);
    ``bridge_t = Σ_{u≤t} s·E_u − Σ_{u≤t} received_u`` (cash the city advances).
    """
    if not 0 <= grant_share <= 1:
        raise ScheduleError(Problem("grant share must be between 0 and 1", field="grant_share"))
    if lag_years < 0:
        raise ScheduleError(Problem("lag must be zero or positive", field="lag_years"))
    horizon = len(spend) + lag_years
    received = [0.0] * horizon
    for t, amount in enumerate(spend):
        received[t + lag_years] += grant_share * amount
    padded = [*spend, *([0.0] * lag_years)]
    advanced = np.cumsum([grant_share * e for e in padded])
    repaid = np.cumsum(received)
    return GrantFlows(
        spend=[float(e) for e in padded],
        grant_received=received,
        city_share=[(1 - grant_share) * e for e in padded],
        bridge_outstanding=[float(a - b) for a, b in zip(advanced, repaid, strict=True)],
    )


@dataclass(frozen=True)
class PerformanceContractFlows:
    """Energy-performance contract: payments vs guaranteed savings per year."""

    payments: list[float]
    savings: list[float]
    net_to_city: list[float]
    uncovered_years: list[int]

    @property
    def covered(self) -> bool:
        """True when savings cover the payment in every year (budget-neutral)."""
        return not self.uncovered_years


def performance_contract_payments(
    investment: float,
    rate: float,
    years: int,
    savings: Sequence[float],
    style: str = "annuity",
) -> PerformanceContractFlows:
    """The ESCO's investment repaid over ``years`` at ``rate``; year ``k`` (1-based)
    pays ``p_k`` from savings ``S_k``; ``net_k = S_k − p_k``; years with ``S_k < p_k`` are
    listed in ``uncovered_years`` (the guarantee would be called)."""
    payments = loan_schedule(investment, rate, years, 0, style).payments
    saved = [float(s) for s in savings][:years] + [0.0] * max(0, years - len(savings))
    net = [s - p for s, p in zip(saved, payments, strict=True)]
    return PerformanceContractFlows(
        payments=payments,
        savings=saved,
        net_to_city=net,
        uncovered_years=[k + 1 for k, n in enumerate(net) if n < -1e-9],
    )


def availability_payments(
    capital: float,
    rate: float,
    years: int,
    service_fee: float = 0.0,
    availability: Sequence[float] | None = None,
) -> list[float]:
    """``AP_k = (A + O)·a_k`` for ``k = 1..n``: ``A`` the annuity of ``capital`` at ``rate``
    over ``years``, ``O`` the yearly service fee, ``a_k ∈ [0, 1]`` the availability (1 if
    not given; lower values are deductions for unavailability)."""
    shares = [1.0] * years if availability is None else [float(a) for a in availability]
    if len(shares) != years or any(not 0 <= a <= 1 for a in shares):
        raise ScheduleError(
            Problem(f"availability needs {years} values between 0 and 1", field="availability")
        )
    base = annuity_payment(capital, rate, years) + service_fee
    return [base * a for a in shares]
