"""The shipped mechanism catalogue, its schema checks and city overrides."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from decision_support.finance.mechanisms import (
    OVERRIDABLE_FIELDS,
    MechanismError,
    MechanismSetting,
    apply_city_settings,
    load_city_mechanisms,
    load_mechanisms,
    parse_catalogue,
    parse_city_settings,
)

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "decision_support" / "data" / "financing_mechanisms.yaml"

REQUIRED_TYPES = {
    "own_budget_reserves",
    "fees_and_tariffs",
    "land_value_capture",
    "tax_increment_financing",
    "general_obligation_bond",
    "revenue_bond",
    "green_social_sustainability_bond",
    "development_bank_loan",
    "national_public_lender_loan",
    "eu_grant",
    "national_grant",
    "climate_fund",
    "availability_payment_ppp",
    "concession_ppp",
    "energy_performance_contract",
    "lease_purchase_vendor_financing",
    "civic_bond_crowdfunding",
    "results_based_financing",
}


@pytest.fixture
def raw_catalogue():
    return yaml.safe_load(DATA.read_text("utf-8"))


def test_catalogue_covers_every_required_type():
    catalogue = load_mechanisms()
    assert len(catalogue) >= 15
    assert {m.type for m in catalogue} >= REQUIRED_TYPES
    assert catalogue.currency == "EUR"


def test_every_figure_has_a_source_or_a_label():
    for mechanism in load_mechanisms():
        for figure in OVERRIDABLE_FIELDS:
            provenance = mechanism.source_of(figure)
            assert provenance.status in {"sourced", "unverified", "estimate"}
            if provenance.status == "sourced":
                assert provenance.url and provenance.url.startswith("http")


def test_figures_flagged_unverified_in_the_notes_stay_labelled():
    catalogue = load_mechanisms()
    assert catalogue.get("go_bond").source_of("lead_time_months").status == "unverified"
    assert catalogue.get("go_bond").source_of("issuance_cost").status == "sourced"
    assert catalogue.get("eu_cohesion_grant").source_of("max_share").status == "unverified"


def test_known_sourced_figures():
    catalogue = load_mechanisms()
    assert catalogue.get("go_bond").issuance_cost == pytest.approx(0.0102)
    assert catalogue.get("eib_loan").max_share == 0.5
    assert catalogue.get("eib_loan").min_deal == 25_000_000
    assert catalogue.get("revenue_bond").min_dscr == 1.2
    assert catalogue.get("civic_bond").max_deal == 5_000_000


def test_eligibility_by_tags():
    catalogue = load_mechanisms()
    assert catalogue.get("go_bond").is_eligible([])
    assert catalogue.get("green_bond").is_eligible(["green", "digital"])
    assert not catalogue.get("green_bond").is_eligible(["digital"])


def test_schema_errors_name_the_field(raw_catalogue):
    broken = copy.deepcopy(raw_catalogue)
    broken["mechanisms"][4]["interest_rate"] = -0.01
    broken["mechanisms"][5]["amortisation"] = "balloon"
    broken["mechanisms"][6]["id"] = broken["mechanisms"][0]["id"]
    with pytest.raises(MechanismError) as caught:
        parse_catalogue(broken)
    fields = {p.field for p in caught.value.problems}
    assert "mechanisms[4].interest_rate" in fields
    assert "mechanisms[5].amortisation" in fields
    assert "mechanisms[6].id" in fields


def test_cross_field_rules(raw_catalogue):
    broken = copy.deepcopy(raw_catalogue)
    go = next(m for m in broken["mechanisms"] if m["id"] == "go_bond")
    go["grace_years"] = go["tenor_years"]
    go["min_deal"], go["max_deal"] = 10, 5
    with pytest.raises(MechanismError) as caught:
        parse_catalogue(broken)
    messages = " | ".join(str(p) for p in caught.value.problems)
    assert "grace period" in messages
    assert "exceeds maximum" in messages


def test_sourced_figure_needs_url(raw_catalogue):
    broken = copy.deepcopy(raw_catalogue)
    broken["mechanisms"][0]["sources"]["default"] = {"status": "sourced"}
    with pytest.raises(MechanismError):
        parse_catalogue(broken)


def test_overrides_apply_and_relabel_provenance():
    catalogue = apply_city_settings(
        load_mechanisms(),
        [
            MechanismSetting("go_bond", overrides={"interest_rate": 0.031}, note="bank quote"),
            MechanismSetting("eu_cohesion_grant", enabled=False),
        ],
    )
    go = catalogue.get("go_bond")
    assert go.interest_rate == 0.031
    assert go.source_of("interest_rate").status == "city_override"
    assert go.source_of("issuance_cost").status == "sourced"
    assert not catalogue.get("eu_cohesion_grant").enabled
    assert not catalogue.get("lease_purchase").enabled  # unlisted → disabled by default
    assert [m.id for m in catalogue.enabled] == ["go_bond"]


def test_invalid_overrides_report_every_problem_by_field():
    with pytest.raises(MechanismError) as caught:
        apply_city_settings(
            load_mechanisms(),
            [
                MechanismSetting("go_bond", overrides={"interest_rate": -1, "id": "x"}),
                MechanismSetting("eib_loan", overrides={"grace_years": 25}),
                MechanismSetting("no_such_thing"),
            ],
        )
    fields = {p.field for p in caught.value.problems}
    assert {
        "go_bond.interest_rate",
        "go_bond.id",
        "eib_loan.grace_years",
        "no_such_thing",
    } <= fields


def test_city_settings_document_is_checked():
    with pytest.raises(MechanismError) as caught:
        parse_city_settings({"mechanisms": [{"id": "go_bond", "enabled": "yes", "colour": 1}, 3]})
    assert len(caught.value.problems) == 3


def test_demo_city_mechanisms_load():
    catalogue = load_city_mechanisms(REPO / "scenarios" / "demo_city" / "mechanisms.yaml")
    enabled = {m.id for m in catalogue.enabled}
    assert {"own_budget", "go_bond", "eu_cohesion_grant", "energy_performance_contract"} <= enabled
    assert "availability_ppp" not in enabled
    assert catalogue.get("go_bond").interest_rate == 0.034
    assert catalogue.get("go_bond").source_of("tenor_years").status == "city_override"


def test_non_finite_overrides_are_rejected():
    with pytest.raises(MechanismError) as caught:
        apply_city_settings(
            load_mechanisms(),
            [
                MechanismSetting(
                    "go_bond", overrides={"interest_rate": float("nan"), "min_deal": float("inf")}
                )
            ],
        )
    assert {p.field for p in caught.value.problems} == {"go_bond.interest_rate", "go_bond.min_deal"}
