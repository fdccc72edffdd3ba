"""Repayment schedules for loans, bonds and other repaid money (pure functions).

Notation: principal ``P``, annual rate ``r``, tenor ``n`` years, grace ``g`` years.
Year ``k`` (1-based) is the k-th year after the money is drawn.

The formulas hold for any rate ``r > −1``: negative rates are real (subsidised loans,
loans of the ECB's negative-rate years) and the optimiser's repayment factors accept
them (:func:`debt_service_per_unit`); a user's loan terms (:func:`loan_schedule`) must
still be zero or positive.

* Grace (``k ≤ g``): interest only, ``I_k = r·P``, no principal.
* ``annuity``: level payment over the ``m = n − g`` repayment years,
  ``A = P·r / (1 − (1+r)^−m)`` (``A = P/m`` when ``r = 0``); numpy-financial's
  ``pmt``/``ipmt``/``ppmt`` give the payment and its interest/principal split.
* ``linear``: equal principal ``P/m`` each repayment year; interest on the opening
  balance, so payments fall over time.
* ``bullet``: interest only every year, the whole principal repaid in year ``n``.

Discounting (one home for it, on numpy-financial): ``NPV = Σ_t CF_t/(1+r)^t`` with
``t = 0`` for the first flow (``npf.npv``); the discount factor ``(1+r)^−t`` and the
annuity factor ``AF(r, n) = (1 − (1+r)^−n)/r`` are ``npf.pv`` of a single and of a level
payment.

A bond (or any mechanism with an issuance/arrangement cost ``c``, a fraction of the
face value) is issued at face ``F = N / (1 − c)`` so that net proceeds ``N`` pay for the
project; the schedule runs on ``F``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy_financial as npf

from decision_support.errors import InputError, Problem

ScheduleStyle = Literal["annuity", "linear", "bullet"]
SCHEDULE_STYLES: tuple[str, ...] = ("annuity", "linear", "bullet")


#: Below this annual rate an annuity is computed as its r → 0 limit (equal principal).
SMALL_RATE = 1e-4  # below this, annuity_payment uses the log1p/expm1 form
NEGLIGIBLE_RATE = 1e-9


class ScheduleError(InputError):
    """Loan or bond terms that cannot produce a schedule."""


@dataclass(frozen=True)
class ScheduleRow:
    """One year of a repayment schedule; ``balance`` is outstanding after the payment."""

    year: int
    interest: float
    principal: float
    payment: float
    balance: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "year": self.year,
            "interest": self.interest,
            "principal": self.principal,
            "payment": self.payment,
            "balance": self.balance,
        }


@dataclass(frozen=True)
class LoanSchedule:
    """A full repayment schedule for ``principal`` borrowed at the start of year 1."""

    principal: float
    rate: float
    years: int
    grace: int
    style: ScheduleStyle
    rows: tuple[ScheduleRow, ...]

    @property
    def payment(self) -> float:
        """The first payment after grace (the level payment for an annuity)."""
        return self.rows[self.grace].payment if self.rows else 0.0

    @property
    def total_interest(self) -> float:
        return float(sum(row.interest for row in self.rows))

    @property
    def total_paid(self) -> float:
        return float(sum(row.payment for row in self.rows))

    @property
    def payments(self) -> list[float]:
        return [row.payment for row in self.rows]

    @property
    def balances(self) -> list[float]:
        return [row.balance for row in self.rows]

    def as_dict(self) -> dict[str, object]:
        return {
            "principal": self.principal,
            "rate": self.rate,
            "years": self.years,
            "grace": self.grace,
            "style": self.style,
            "payment": self.payment,
            "total_interest": self.total_interest,
            "total_paid": self.total_paid,
            "schedule": [row.as_dict() for row in self.rows],
        }


def check_loan_terms(
    principal: float,
    rate: float,
    years: int,
    grace: int,
    style: str,
    *,
    negative_rate: bool = False,
) -> None:
    """Raise :class:`ScheduleError` listing every invalid term (field-named).

    The rate must be a finite decimal of at most 1 (100 %); it must be zero or positive
    unless ``negative_rate`` is set, and then above −1 (the schedule needs ``1 + r > 0``).
    """
    problems = []
    if not np.isfinite(principal) or principal < 0:
        problems.append(Problem("principal must be zero or positive", field="principal"))
    problems.extend(_rate_problems(rate, negative_rate))
    if years < 1:
        problems.append(Problem("years must be at least 1", field="years"))
    if grace < 0:
        problems.append(Problem("grace must be zero or positive", field="grace"))
    elif years >= 1 and grace >= years:
        problems.append(
            Problem(
                f"grace ({grace} years) must be shorter than the tenor ({years} years)",
                field="grace",
            )
        )
    if style not in SCHEDULE_STYLES:
        problems.append(
            Problem(f"style must be one of {', '.join(SCHEDULE_STYLES)}", field="style")
        )
    if problems:
        raise ScheduleError(problems)


def _rate_problems(rate: float, negative_rate: bool) -> list[Problem]:
    if negative_rate and (not np.isfinite(rate) or rate <= -1):
        return [Problem("rate must be a decimal above -1 (0.035 = 3.5 %)", field="rate")]
    if not negative_rate and (not np.isfinite(rate) or rate < 0):
        return [Problem("rate must be zero or positive (a decimal: 0.035 = 3.5 %)", field="rate")]
    if rate > 1:
        return [Problem("rate must be a decimal (0.035 for 3.5 %), not a percentage", field="rate")]
    return []


def annuity_payment(principal: float, rate: float, years: int) -> float:
    """Level annual payment ``A = P·r / (1 − (1+r)^−n)`` (``P/n`` at zero rate), for any
    rate above −1."""
    if years < 1:
        raise ScheduleError(Problem("years must be at least 1", field="years"))
    if abs(rate) < NEGLIGIBLE_RATE:  # numpy-financial would divide by (1+r)^n − 1 ≈ 0
        return principal / years
    if abs(rate) < SMALL_RATE:
        # (1+r)^−n loses most of its digits to rounding for tiny r; the same formula
        # written with log1p/expm1 keeps full precision there.
        return principal * rate / -math.expm1(-years * math.log1p(rate))
    return float(-npf.pmt(rate, years, principal))


def annuity_factor(rate: float, years: int) -> float:
    """Present value of 1 per year for ``n`` years: ``AF = (1 − (1+r)^−n)/r`` (``n`` at r=0)."""
    if years < 1:
        return 0.0
    if abs(rate) < NEGLIGIBLE_RATE:
        return float(years)
    return float(npf.pv(rate, years, -1.0))


def discount_factor(rate: float, years: float) -> float:
    """``(1+r)^−t``: today's value of 1 paid ``t`` years from the base year."""
    if abs(rate) < NEGLIGIBLE_RATE:  # npf.pv would divide by r (both branches evaluated)
        return 1.0
    return float(npf.pv(rate, years, 0.0, -1.0))


def net_present_value(rate: float, cash_flows: Sequence[float], start: int = 0) -> float:
    """``NPV = Σ_k CF_k/(1+r)^(start + k)``: flow ``k`` falls ``start + k`` years after the
    base year (``start = 0``: the first flow is undiscounted, as numpy-financial's npv)."""
    if not cash_flows:
        return 0.0
    value = float(npf.npv(rate, np.asarray(cash_flows, dtype=float)))
    return value * discount_factor(rate, start) if start else value


def loan_schedule(
    principal: float,
    rate: float,
    years: int,
    grace: int = 0,
    style: str = "annuity",
) -> LoanSchedule:
    """Year-by-year schedule of a loan with a zero or positive rate (see the module
    docstring for the formulas).

    Interest is charged once a year on the balance outstanding at the start of the year.
    """
    check_loan_terms(principal, rate, years, grace, style)
    return _schedule(principal, rate, years, grace, style)


def _schedule(principal: float, rate: float, years: int, grace: int, style: str) -> LoanSchedule:
    """The schedule of terms already checked (any rate above −1)."""
    repay_years = years - grace
    rows: list[ScheduleRow] = []
    balance = float(principal)
    interest_only = [(k, rate * principal, 0.0) for k in range(1, grace + 1)]
    if style == "annuity":
        # Level payment A; each year's interest is r × opening balance and the rest of A
        # repays principal; the last year repays whatever is left, so the loan closes
        # exactly (numpy-financial's ipmt/ppmt lose precision for tiny rates).
        payment = annuity_payment(principal, rate, repay_years)
        repayment = []
        opening = float(principal)
        for i in range(repay_years):
            interest = rate * opening
            repaid = opening if i == repay_years - 1 else payment - interest
            repayment.append((grace + i + 1, interest, repaid))
            opening -= repaid
    elif style == "linear":
        step = principal / repay_years
        repayment = [
            (grace + i + 1, rate * (principal - step * i), step) for i in range(repay_years)
        ]
    else:  # bullet
        repayment = [
            (k, rate * principal, principal if k == years else 0.0)
            for k in range(grace + 1, years + 1)
        ]
    for year, year_interest, year_principal in interest_only + repayment:
        balance -= float(year_principal)
        rows.append(
            ScheduleRow(
                year=year,
                interest=float(year_interest),
                principal=float(year_principal),
                payment=float(year_interest + year_principal),
                balance=max(balance, 0.0) if abs(balance) > 1e-6 * max(principal, 1.0) else 0.0,
            )
        )
    return LoanSchedule(
        principal=float(principal),
        rate=float(rate),
        years=years,
        grace=grace,
        style=style,  # type: ignore[arg-type]
        rows=tuple(rows),
    )


@dataclass(frozen=True)
class BondSchedule:
    """A bond issued at ``face_value`` so that ``net_proceeds`` reach the project."""

    net_proceeds: float
    face_value: float
    issuance_cost: float
    schedule: LoanSchedule

    @property
    def all_in_cost(self) -> float | None:
        """Internal rate of return of (+net proceeds, −payments): the true cost of money."""
        flows = [self.net_proceeds, *(-p for p in self.schedule.payments)]
        return internal_rate(flows)


def gross_up(net_amount: float, issuance_cost: float) -> float:
    """Face value ``F = N / (1 − c)`` whose proceeds after a cost share ``c`` equal ``N``."""
    if not 0 <= issuance_cost < 1:
        raise ScheduleError(
            Problem("issuance cost must be a decimal share in [0, 1)", field="issuance_cost")
        )
    return net_amount / (1 - issuance_cost)


def bond_schedule(
    net_proceeds: float,
    rate: float,
    years: int,
    issuance_cost: float,
    *,
    grace: int = 0,
    style: str = "annuity",
) -> BondSchedule:
    """Schedule of a bond whose issuance costs are paid from the proceeds.

    ``F = N/(1 − c)``; the repayment schedule (interest at the coupon ``rate``) runs on ``F``.
    Use ``style="bullet"`` for a classic single-maturity bond, ``annuity``/``linear`` for
    serial bonds.
    """
    face = gross_up(net_proceeds, issuance_cost)
    return BondSchedule(
        net_proceeds=float(net_proceeds),
        face_value=float(face),
        issuance_cost=float(face - net_proceeds),
        schedule=loan_schedule(face, rate, years, grace, style),
    )


def debt_service_per_unit(
    rate: float,
    tenor: int,
    grace: int = 0,
    style: str = "annuity",
    issuance_cost: float = 0.0,
) -> list[float]:
    """Payment in each year after the draw per 1 unit of money put into the project.

    Element ``k`` (0-based) is the payment in year ``draw_year + 1 + k``. Issuance cost
    ``c`` grosses the borrowing up to ``1/(1 − c)`` per unit of net proceeds, so the
    factors are ``schedule(1/(1 − c), r, n, g, style).payments``. Because schedules are
    linear in the principal, the debt service of borrowing ``x`` in year ``t`` is
    ``x · factors[k]`` in year ``t + 1 + k`` — usable directly as MILP coefficients.
    Any finite rate above −1 is accepted (a negative rate pays back less than borrowed).
    """
    return _unit_schedule(rate, tenor, grace, style, issuance_cost).payments


def balance_per_unit(
    rate: float,
    tenor: int,
    grace: int = 0,
    style: str = "annuity",
    issuance_cost: float = 0.0,
) -> list[float]:
    """Outstanding balance at the end of each year after the draw per unit of net proceeds
    (same indexing as :func:`debt_service_per_unit`); for debt-stock limits."""
    return _unit_schedule(rate, tenor, grace, style, issuance_cost).balances


def _unit_schedule(
    rate: float, tenor: int, grace: int, style: str, issuance_cost: float
) -> LoanSchedule:
    principal = gross_up(1.0, issuance_cost)
    check_loan_terms(principal, rate, tenor, grace, style, negative_rate=True)
    return _schedule(principal, rate, tenor, grace, style)


def internal_rate(cash_flows: list[float]) -> float | None:
    """IRR: the rate ``r`` with ``Σ_t CF_t/(1+r)^t = 0`` (numpy-financial), or None if
    there is none (e.g. every flow has the same sign)."""
    value = npf.irr(np.asarray(cash_flows, dtype=float))
    return None if value is None or not np.isfinite(value) else float(value)
