"""Loan and bond schedules against hand-checked figures."""

from __future__ import annotations

import pytest

from decision_support.finance.schedules import (
    ScheduleError,
    annuity_factor,
    annuity_payment,
    balance_per_unit,
    bond_schedule,
    debt_service_per_unit,
    discount_factor,
    gross_up,
    internal_rate,
    loan_schedule,
    net_present_value,
)


def test_annuity_payment_textbook_case():
    # 1,000,000 at 5 % over 10 years: A = P r / (1 - 1.05^-10) = 129,504.57
    assert annuity_payment(1_000_000, 0.05, 10) == pytest.approx(129_504.57, abs=0.005)


def test_annuity_schedule_rows_and_totals():
    schedule = loan_schedule(1_000_000, 0.05, 10)
    assert [row.year for row in schedule.rows] == list(range(1, 11))
    first = schedule.rows[0]
    assert first.interest == pytest.approx(50_000.0)
    assert first.principal == pytest.approx(79_504.57, abs=0.005)
    assert first.balance == pytest.approx(920_495.43, abs=0.005)
    assert all(row.payment == pytest.approx(129_504.575, abs=0.01) for row in schedule.rows)
    assert schedule.rows[-1].balance == 0.0
    # total interest = 10 A - P
    assert schedule.total_interest == pytest.approx(295_045.75, abs=0.01)


def test_annuity_with_grace_is_interest_only_then_level():
    schedule = loan_schedule(1_000_000, 0.05, 10, grace=2)
    assert schedule.rows[0].payment == pytest.approx(50_000.0)
    assert schedule.rows[1].principal == 0.0
    assert schedule.rows[1].balance == pytest.approx(1_000_000.0)
    # level payment over the 8 remaining years: 1e6 * 0.05 / (1 - 1.05^-8) = 154,721.81
    assert schedule.payment == pytest.approx(154_721.81, abs=0.005)
    assert schedule.rows[-1].balance == 0.0


def test_linear_with_grace_hand_checked():
    schedule = loan_schedule(1_000_000, 0.05, 10, grace=2, style="linear")
    assert schedule.payment == pytest.approx(175_000.0)  # 125,000 principal + 50,000 interest
    assert schedule.rows[3].payment == pytest.approx(168_750.0)
    assert schedule.rows[-1].payment == pytest.approx(131_250.0)
    # 2 x 50,000 + 0.05 x 125,000 x (8 + 7 + ... + 1) = 100,000 + 225,000
    assert schedule.total_interest == pytest.approx(325_000.0)


def test_bullet_repays_at_maturity():
    schedule = loan_schedule(1_000_000, 0.05, 3, style="bullet")
    assert schedule.payments == pytest.approx([50_000.0, 50_000.0, 1_050_000.0])


def test_zero_rate_annuity_is_equal_instalments():
    assert loan_schedule(1200, 0.0, 12).payments == pytest.approx([100.0] * 12)
    assert annuity_factor(0.0, 12) == 12.0


def test_annuity_factor_hand_checked():
    # (1 - 1.05^-10) / 0.05 = 7.721735
    assert annuity_factor(0.05, 10) == pytest.approx(7.721735, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"principal": -1}, "principal"),
        ({"rate": -0.01}, "rate"),
        ({"rate": 5.0}, "rate"),
        ({"years": 0}, "years"),
        ({"grace": 10}, "grace"),
        ({"grace": -1}, "grace"),
        ({"style": "balloon"}, "style"),
    ],
)
def test_invalid_terms_name_the_field(kwargs, field):
    terms = {"principal": 1000.0, "rate": 0.05, "years": 10, "grace": 0, "style": "annuity"}
    terms.update(kwargs)
    with pytest.raises(ScheduleError) as caught:
        loan_schedule(**terms)
    assert caught.value.problems[0].field == field


def test_bond_schedule_grosses_up_for_issuance_cost():
    bond = bond_schedule(990_000, 0.05, 10, issuance_cost=0.01)
    assert bond.face_value == pytest.approx(1_000_000.0)
    assert bond.issuance_cost == pytest.approx(10_000.0)
    assert bond.schedule.payment == pytest.approx(129_504.57, abs=0.005)
    # paying 129,504.57 a year for 990,000 received costs more than the 5 % coupon
    assert bond.all_in_cost is not None
    assert 0.0515 < bond.all_in_cost < 0.0525


def test_debt_service_per_unit_matches_schedule_and_issuance():
    factors = debt_service_per_unit(0.05, 10)
    assert len(factors) == 10
    assert factors[0] == pytest.approx(0.1295045750)
    with_cost = debt_service_per_unit(0.05, 10, issuance_cost=0.01)
    assert with_cost[0] == pytest.approx(0.1295045750 / 0.99)
    grace = debt_service_per_unit(0.05, 10, grace=2, style="linear")
    assert grace[:3] == pytest.approx([0.05, 0.05, 0.175])
    assert balance_per_unit(0.05, 10, grace=2, style="linear")[2] == pytest.approx(0.875)


def test_negative_rate_factors_hand_checked():
    # r = -10 %, 2 years: A = r / (1 - (1 + r)^-2) = -0.1 / (1 - 100/81) = 8.1/19
    annuity = debt_service_per_unit(-0.1, 2)
    assert annuity == pytest.approx([8.1 / 19, 8.1 / 19], abs=1e-12)
    # year 1: interest -0.1 on 1, principal 0.5; year 2: interest -0.05 on 0.5
    assert debt_service_per_unit(-0.1, 2, style="linear") == pytest.approx([0.4, 0.45])
    # interest -0.1 each year, the whole 1 back at maturity
    assert debt_service_per_unit(-0.1, 3, style="bullet") == pytest.approx([-0.1, -0.1, 0.9])
    assert balance_per_unit(-0.1, 2, style="linear") == pytest.approx([0.5, 0.0])


def test_tiny_negative_rate_annuity_keeps_its_precision():
    # 1 − (1 + r)^−n to first order is −n·r·(1 − (n+1)r/2): A ≈ 1/n + (n+1)r/(2n)
    rate, years = -1e-6, 10
    expected = 1 / years + (years + 1) * rate / (2 * years)
    assert annuity_payment(1.0, rate, years) == pytest.approx(expected, abs=1e-11)


@pytest.mark.parametrize("rate", [-1.0, -1.5, float("nan"), float("inf")])
def test_per_unit_factors_reject_rates_at_or_below_minus_one(rate):
    with pytest.raises(ScheduleError) as caught:
        debt_service_per_unit(rate, 5)
    assert caught.value.problems[0].field == "rate"
    assert "above -1" in caught.value.problems[0].message


def test_gross_up_rejects_full_cost():
    with pytest.raises(ScheduleError):
        gross_up(100.0, 1.0)


def test_negligible_rates_behave_like_zero():
    assert annuity_factor(1e-15, 10) == 10.0
    assert annuity_payment(1000.0, 1e-15, 10) == pytest.approx(100.0)
    assert loan_schedule(1000.0, 1e-200, 4).payments == pytest.approx([250.0] * 4)


def test_npv_first_flow_undiscounted():
    # -100 + 60/1.1 + 60/1.21 = 4.1322
    assert net_present_value(0.10, [-100, 60, 60]) == pytest.approx(4.132231, abs=1e-6)
    assert net_present_value(0.10, []) == 0.0


def test_equivalent_annual_cost_is_inverse_annuity():
    # 1000 / 7.721735 = 129.5046
    assert 1000 / annuity_factor(0.05, 10) == pytest.approx(129.504575, abs=1e-6)


def test_npv_with_a_later_first_flow_and_discount_factor():
    # flows two years after the base: (-100 + 60/1.1 + 60/1.21) / 1.21
    assert net_present_value(0.10, [-100, 60, 60], start=2) == pytest.approx(
        4.132231 / 1.21, abs=1e-6
    )
    assert discount_factor(0.10, 2) == pytest.approx(1 / 1.21)
    assert discount_factor(0.0, 5) == 1.0


def test_irr_hand_checked_and_none_when_undefined():
    assert internal_rate([-100, 110]) == pytest.approx(0.10)
    # 60x + 60x^2 = 100 with x = 1/(1+r)  ->  r = 13.066 %
    assert internal_rate([-100, 60, 60]) == pytest.approx(0.130662, abs=1e-6)
    assert internal_rate([100, 100]) is None
