"""Funding mix → cash flows and rule checks, against hand-checked figures."""

from __future__ import annotations

import pytest

from decision_support.finance.fiscal import DebtRules, FiscalProfile, FiscalYear
from decision_support.finance.funding_mix import (
    FundingMixError,
    ProjectFinanceInput,
    evaluate_funding_mix,
)
from decision_support.finance.mechanisms import (
    MechanismSetting,
    apply_city_settings,
    load_mechanisms,
)

ANNUITY_5_10 = 0.1295045750  # per-unit payment, 5 % over 10 years


@pytest.fixture
def mechanisms():
    """Catalogue with simple, hand-checkable terms."""
    return apply_city_settings(
        load_mechanisms(),
        [
            MechanismSetting("own_budget", overrides={"lead_time_months": 0}),
            MechanismSetting(
                "go_bond",
                overrides={
                    "interest_rate": 0.05,
                    "tenor_years": 10,
                    "issuance_cost": 0.0,
                    "min_deal": 0,
                    "lead_time_months": 0,
                },
            ),
            MechanismSetting(
                "eu_cohesion_grant",
                overrides={"lead_time_months": 0, "reimbursement_lag_years": 1},
            ),
            MechanismSetting(
                "energy_performance_contract",
                overrides={
                    "interest_rate": 0.05,
                    "tenor_years": 10,
                    "issuance_cost": 0.0,
                    "min_deal": 0,
                    "lead_time_months": 0,
                },
            ),
            MechanismSetting("revenue_bond", overrides={"min_deal": 0, "lead_time_months": 0}),
            MechanismSetting("eib_loan"),
            MechanismSetting("civic_bond", overrides={"lead_time_months": 0}),
            MechanismSetting("availability_ppp"),
            MechanismSetting("fees_tariffs", overrides={"lead_time_months": 0}),
            MechanismSetting("lease_purchase", enabled=False),
        ],
    )


def make_project(**changes):
    values = {
        "name": "Smart street lighting",
        "capex_by_year": {2027: 600_000.0, 2028: 400_000.0},
        "opex_per_year": 10_000.0,
        "savings_per_year": 0.0,
        "lifetime_years": 10,
        "tags": frozenset({"green", "energy-saving"}),
    }
    values.update(changes)
    return ProjectFinanceInput(**values)


def make_fiscal(ratio=0.10, existing_service=5_000.0, budget=1e9, rules=None):
    return FiscalProfile(
        city="Testville",
        currency="EUR",
        discount_rate=0.0,
        years=tuple(
            FiscalYear(
                year=2026 + i,
                revenue=1_000_000.0,
                capital_budget=budget,
                existing_debt_service=existing_service,
                existing_debt_outstanding=0.0,
            )
            for i in range(15)
        ),
        debt_rules=rules or DebtRules(max_debt_service_ratio=ratio),
    )


def by_year(result):
    return {row.year: row for row in result.years}


def test_own_funds_and_bond_hand_checked(mechanisms):
    result = evaluate_funding_mix(
        make_project(), {"own_budget": 400_000, "go_bond": 600_000}, mechanisms, discount_rate=0.0
    )
    assert result.ok, result.violations
    rows = by_year(result)
    # each source pays its share of each year's capex: 40 % own, 60 % bond
    assert rows[2027].capex_by_source == pytest.approx({"own_budget": 240_000, "go_bond": 360_000})
    assert rows[2027].net_cost == pytest.approx(240_000)
    # 2029: service of the 2027 draw (360k) and the 2028 draw (240k) plus opex
    expected_2029 = (360_000 + 240_000) * ANNUITY_5_10 + 10_000
    assert rows[2029].net_cost == pytest.approx(expected_2029)
    assert rows[2028].debt_service == pytest.approx(360_000 * ANNUITY_5_10)
    # the last year is 2038: the 2028 draw's tenth payment; operation ran 2029-2038
    assert result.years[-1].year == 2038
    total = 400_000 + 600_000 * ANNUITY_5_10 * 10 + 10 * 10_000
    assert result.npv == pytest.approx(total)


def test_npv_discounts_from_the_profile_first_year(mechanisms):
    result = evaluate_funding_mix(
        make_project(opex_per_year=0.0),
        {"own_budget": 1_000_000},
        mechanisms,
        make_fiscal(),
        discount_rate=0.05,
    )
    assert result.base_year == 2026
    assert result.npv == pytest.approx(600_000 / 1.05 + 400_000 / 1.05**2)


def test_grant_is_prefinanced_and_reimbursed(mechanisms):
    result = evaluate_funding_mix(
        make_project(opex_per_year=0.0),
        {"own_budget": 600_000, "eu_cohesion_grant": 400_000},
        mechanisms,
        discount_rate=0.0,
    )
    rows = by_year(result)
    assert rows[2027].prefinanced == pytest.approx(240_000)
    assert rows[2028].contributions_received == pytest.approx(240_000)
    assert rows[2029].contributions_received == pytest.approx(160_000)
    assert result.npv == pytest.approx(600_000)
    assert any("chance of award" in note for note in result.notes)
    assert any("bridges the cash" in note for note in result.notes)


def test_performance_contract_paid_from_first_operating_year(mechanisms):
    project = make_project(
        capex_by_year={2027: 100_000.0}, opex_per_year=0.0, savings_per_year=15_000
    )
    result = evaluate_funding_mix(
        project, {"energy_performance_contract": 100_000}, mechanisms, discount_rate=0.0
    )
    assert result.ok, result.violations
    rows = by_year(result)
    assert rows[2027].net_cost == 0.0
    assert rows[2028].deferred_payments == pytest.approx(100_000 * ANNUITY_5_10)
    assert rows[2028].net_cost == pytest.approx(100_000 * ANNUITY_5_10 - 15_000)


def test_performance_contract_not_covered_by_savings(mechanisms):
    project = make_project(capex_by_year={2027: 100_000.0}, savings_per_year=12_000)
    result = evaluate_funding_mix(project, {"energy_performance_contract": 100_000}, mechanisms)
    assert any("exceed the project's savings" in p.message for p in result.violations)


def test_deferred_payment_capitalises_construction_years(mechanisms):
    result = evaluate_funding_mix(
        make_project(opex_per_year=0.0, savings_per_year=200_000),
        {"energy_performance_contract": 1_000_000},
        mechanisms,
    )
    capitalised = 600_000 * 1.05 + 400_000
    assert by_year(result)[2029].deferred_payments == pytest.approx(capitalised * ANNUITY_5_10)


def test_every_broken_rule_is_reported(mechanisms):
    project = make_project(tags=frozenset({"digital"}))
    result = evaluate_funding_mix(
        project,
        {
            "fees_tariffs": 100_000,  # needs revenue-generating
            "eib_loan": 600_000,  # max 50 %, min deal 25 M
            "eu_cohesion_grant": 400_000,  # 40 % cap ok, but 15 % own co-financing missing
            "lease_purchase": 10,  # disabled
            "nowhere": 5,  # unknown
        },
        mechanisms,
        make_fiscal(),
    )
    messages = [str(p) for p in result.violations]
    joined = "\n".join(messages)
    assert "only funds projects tagged revenue-generating" in joined
    assert "may fund at most 50%" in joined
    assert "needs a deal of at least 25,000,000" in joined
    assert "co-finance at least 15%" not in joined  # eib + fees count as own/borrowed
    assert "not enabled for this city" in joined
    assert "unknown financing mechanism 'nowhere'" in joined
    assert "adds up to 1,100,000 but the project costs 1,000,000" in joined


def test_cofinancing_requires_own_or_borrowed_money(mechanisms):
    result = evaluate_funding_mix(
        make_project(tags=frozenset({"green"})),
        {"eu_cohesion_grant": 400_000, "civic_bond": 50_000, "betterment_levy": 550_000},
        apply_city_settings(
            load_mechanisms(),
            [
                MechanismSetting("eu_cohesion_grant", overrides={"lead_time_months": 0}),
                MechanismSetting("civic_bond", overrides={"lead_time_months": 0}),
                MechanismSetting(
                    "betterment_levy", overrides={"lead_time_months": 0, "max_share": 1.0}
                ),
            ],
        ),
    )
    assert [p.field for p in result.violations] == ["eu_cohesion_grant"]
    assert "co-finance at least 15% (150,000)" in result.violations[0].message


def test_maximum_deal_and_capacity_per_year(mechanisms):
    project = make_project(capex_by_year={2027: 7_000_000.0}, tags=frozenset({"social"}))
    result = evaluate_funding_mix(project, {"civic_bond": 7_000_000}, mechanisms)
    messages = "\n".join(p.message for p in result.violations)
    assert "at most 5,000,000 per deal" in messages
    assert "at most 5,000,000 a year; 2027 draws 7,000,000" in messages


def test_lead_time_against_decision_year(mechanisms):
    project = make_project(capex_by_year={2027: 30_000_000.0, 2028: 10_000_000.0})
    result = evaluate_funding_mix(
        project, {"availability_ppp": 40_000_000}, mechanisms, decision_year=2026
    )
    assert any("takes 30 months" in p.message and "2028" in p.message for p in result.violations)
    later = evaluate_funding_mix(
        project, {"availability_ppp": 40_000_000}, mechanisms, decision_year=2025
    )
    assert later.ok


def test_debt_service_limit_checked_every_year(mechanisms):
    # new service 600k x 0.1295 = 77,703 from 2029; limit 10 % of 1 M = 100,000
    fiscal = make_fiscal(existing_service=30_000)
    result = evaluate_funding_mix(
        make_project(), {"own_budget": 400_000, "go_bond": 600_000}, mechanisms, fiscal
    )
    broken = [p for p in result.violations if p.field == "debt_service_ratio"]
    # 2029-2037 pay both tranches (10.8 %); 2038 only the 2028 tranche (3.1 % + 3 %)
    assert len(broken) == 9
    assert broken[0].message.startswith("2029: debt service would be 10.8% of revenue")
    ok = evaluate_funding_mix(
        make_project(),
        {"own_budget": 400_000, "go_bond": 600_000},
        mechanisms,
        make_fiscal(existing_service=20_000),
    )
    assert ok.ok


def test_revenue_bond_not_counted_but_needs_coverage(mechanisms):
    project = make_project(
        tags=frozenset({"revenue-generating"}), revenue_per_year=50_000, opex_per_year=10_000
    )
    result = evaluate_funding_mix(
        project, {"revenue_bond": 1_000_000}, mechanisms, make_fiscal(existing_service=99_000)
    )
    fields = [p.field for p in result.violations]
    assert "debt_service_ratio" not in fields  # revenue bonds are outside the cap by default
    assert "revenue_bond" in fields  # 40,000 / 73,582 < 1.2x
    assert "coverage of 1.20x" in result.violations[0].message


def test_debt_stock_and_capital_budget_limits(mechanisms):
    fiscal = make_fiscal(
        budget=300_000,
        rules=DebtRules(max_debt_stock_ratio=0.5, stock_base="revenue"),
    )
    result = evaluate_funding_mix(
        make_project(), {"own_budget": 400_000, "go_bond": 600_000}, mechanisms, fiscal
    )
    fields = {p.field for p in result.violations}
    assert "debt_stock_ratio" in fields  # 600k outstanding at end of 2028 > 50 % of 1 M
    assert "capital_budget" not in fields  # 240k and 160k fit a 300k budget
    tight = make_fiscal(budget=200_000)
    result = evaluate_funding_mix(make_project(), {"own_budget": 1_000_000}, mechanisms, tight)
    assert [p.field for p in result.violations] == ["capital_budget", "capital_budget"]


def test_concession_shifts_revenue_and_opex(mechanisms):
    catalogue = apply_city_settings(
        load_mechanisms(),
        [
            MechanismSetting("concession_ppp", overrides={"min_deal": 0, "tenor_years": 5}),
            MechanismSetting("own_budget"),
        ],
    )
    project = make_project(tags=frozenset({"revenue-generating"}), revenue_per_year=100_000)
    result = evaluate_funding_mix(
        project, {"concession_ppp": 500_000, "own_budget": 500_000}, catalogue, decision_year=2024
    )
    rows = by_year(result)
    assert rows[2029].revenue == pytest.approx(50_000)
    assert rows[2029].opex == pytest.approx(5_000)
    assert rows[2034].revenue == pytest.approx(100_000)  # concession over after 5 years


def test_project_input_is_validated(mechanisms):
    with pytest.raises(FundingMixError) as caught:
        evaluate_funding_mix(
            make_project(capex_by_year={}, lifetime_years=0, tags=frozenset({"shiny"})),
            {},
            mechanisms,
        )
    fields = {p.field for p in caught.value.problems}
    assert fields == {"capex_by_year", "lifetime_years", "tags"}


def test_result_serialises(mechanisms):
    result = evaluate_funding_mix(make_project(), {"own_budget": 1_000_000}, mechanisms)
    payload = result.as_dict()
    assert payload["ok"] is True
    assert payload["years"][0]["year"] == 2027


def test_project_input_from_candidate_offsets():
    from types import SimpleNamespace

    candidate = SimpleNamespace(
        name="LED retrofit",
        capex_by_year=(600_000.0, 400_000.0),
        opex_per_year=1_000.0,
        savings_per_year=90_000.0,
        lifetime_years=14.6,
        tags=("energy-saving", "quick-win"),
    )
    project = ProjectFinanceInput.from_candidate(candidate, 2027)
    assert project.capex_by_year == {2027: 600_000.0, 2028: 400_000.0}
    assert project.lifetime_years == 15
    assert project.tags == frozenset({"energy-saving"})


def test_mix_document_problems_are_field_named():
    from decision_support.finance.funding_mix import parse_mix_document

    with pytest.raises(FundingMixError) as caught:
        parse_mix_document(
            {
                "project": {"capex_by_year": {2027: "lots"}, "colour": 1, "lifetime_years": 1.5},
                "mix": {"x": "y"},
            }
        )
    fields = {p.field for p in caught.value.problems}
    assert fields == {
        "project.capex_by_year.2027",
        "project.colour",
        "project.lifetime_years",
        "mix.x",
    }
    project, mix = parse_mix_document(
        {
            "project": {"name": "P", "capex_by_year": {"2027": 5}, "tags": ["green"]},
            "mix": {"own_budget": 5},
        }
    )
    assert project.capex_by_year == {2027: 5.0} and mix == {"own_budget": 5.0}
