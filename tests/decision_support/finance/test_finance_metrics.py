"""Finance metrics against hand-checked cases."""

from __future__ import annotations

import pytest

from decision_support.finance.metrics import (
    availability_payments,
    debt_service_coverage,
    debt_service_ratio,
    equivalent_annual_cost,
    grant_cash_flows,
    irr,
    net_present_value,
    payback_period,
    performance_contract_payments,
)
from decision_support.finance.schedules import ScheduleError


def test_npv_first_flow_undiscounted():
    # -100 + 60/1.1 + 60/1.21 = 4.1322
    assert net_present_value(0.10, [-100, 60, 60]) == pytest.approx(4.132231, abs=1e-6)
    assert net_present_value(0.10, []) == 0.0


def test_equivalent_annual_cost_is_inverse_annuity():
    # 1000 / 7.721735 = 129.5046
    assert equivalent_annual_cost(0.05, 10, 1000) == pytest.approx(129.504575, abs=1e-6)


def test_irr_hand_checked_and_none_when_undefined():
    assert irr([-100, 110]) == pytest.approx(0.10)
    # 60x + 60x^2 = 100 with x = 1/(1+r)  ->  r = 13.066 %
    assert irr([-100, 60, 60]) == pytest.approx(0.130662, abs=1e-6)
    assert irr([100, 100]) is None


def test_payback_interpolates_within_the_year():
    assert payback_period([-100, 30, 30, 60]) == pytest.approx(2 + 40 / 60)
    assert payback_period([-100, 10, 10]) is None
    assert payback_period([0, 5]) == 0.0


def test_dscr_and_debt_service_ratio():
    assert debt_service_coverage([120, 50], [100, 0]) == [pytest.approx(1.2), None]
    assert debt_service_ratio([45, 30], [450, 300]) == pytest.approx([0.1, 0.1])
    with pytest.raises(ScheduleError):
        debt_service_ratio([1], [0])


def test_grant_reimbursement_lag_and_bridge():
    flows = grant_cash_flows([100, 200], grant_share=0.6, lag_years=1)
    assert flows.grant_received == pytest.approx([0, 60, 120])
    assert flows.city_share == pytest.approx([40, 80, 0])
    assert flows.bridge_outstanding == pytest.approx([60, 120, 0])
    assert flows.peak_bridge == pytest.approx(120)


def test_performance_contract_covered_and_uncovered():
    covered = performance_contract_payments(100_000, 0.05, 10, [15_000] * 10)
    assert covered.payments[0] == pytest.approx(12_950.46, abs=0.005)
    assert covered.covered
    assert covered.net_to_city[0] == pytest.approx(2_049.54, abs=0.005)
    short = performance_contract_payments(100_000, 0.05, 10, [12_000] * 10)
    assert not short.covered
    assert short.uncovered_years == list(range(1, 11))


def test_availability_payment_with_deduction():
    payments = availability_payments(1_000_000, 0.05, 10, 10_000, [1.0] * 9 + [0.5])
    assert payments[0] == pytest.approx(139_504.57, abs=0.005)
    assert payments[-1] == pytest.approx(69_752.29, abs=0.005)
    with pytest.raises(ScheduleError):
        availability_payments(1_000_000, 0.05, 10, availability=[1.0])
