"""Properties every repayment schedule must have, over many generated terms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decision_support.finance.schedules import (
    debt_service_per_unit,
    loan_schedule,
    net_present_value,
)

terms = st.tuples(
    st.floats(min_value=1.0, max_value=1e9),
    st.floats(min_value=0.0, max_value=0.2),
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=0, max_value=39),
    st.sampled_from(["annuity", "linear", "bullet"]),
).filter(lambda t: t[3] < t[2])


@settings(max_examples=60, deadline=None)
@given(terms)
def test_principal_repaid_and_interest_on_opening_balance(t):
    principal, rate, years, grace, style = t
    schedule = loan_schedule(principal, rate, years, grace, style)
    assert len(schedule.rows) == years
    assert sum(r.principal for r in schedule.rows) == pytest.approx(principal, rel=1e-9)
    assert schedule.rows[-1].balance == 0.0
    opening = principal
    for row in schedule.rows:
        assert row.interest == pytest.approx(rate * opening, rel=1e-9, abs=1e-6)
        assert row.payment == pytest.approx(row.interest + row.principal, rel=1e-12)
        opening = row.balance
    assert all(r.principal == 0.0 for r in schedule.rows[:grace])


@settings(max_examples=60, deadline=None)
@given(terms)
def test_payments_are_worth_the_principal_at_the_loan_rate(t):
    principal, rate, years, grace, style = t
    payments = loan_schedule(principal, rate, years, grace, style).payments
    # discounting the payments at the loan's own rate gives back the principal
    assert net_present_value(rate, [0.0, *payments]) == pytest.approx(principal, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(terms, st.floats(min_value=0.0, max_value=0.05))
def test_per_unit_factors_scale_linearly(t, cost):
    principal, rate, years, grace, style = t
    factors = debt_service_per_unit(rate, years, grace, style, cost)
    schedule = loan_schedule(principal / (1 - cost), rate, years, grace, style)
    assert [principal * f for f in factors] == pytest.approx(schedule.payments, rel=1e-9)
