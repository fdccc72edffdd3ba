"""Finance services: settings and fiscal profile stored, validated, audited; demo seed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from decision_support.finance.fiscal import FiscalProfileError
from decision_support.finance.mechanisms import MechanismError, MechanismSetting
from decision_support.finance.overrides_xlsx import write_overrides_xlsx
from models.audit import AuditEntry
from models.financing import FinancingMechanism, FiscalYearRecord
from models.services.cities import city_by_slug
from models.services.finance import (
    city_mechanisms,
    fiscal_profile,
    import_mechanism_workbook,
    save_fiscal_profile,
    save_mechanism_settings,
    seed_demo_finance,
)


@pytest.fixture
def city(db):
    return city_by_slug(db, "demo-city")


def test_demo_seed_is_idempotent(db, city):
    before = db.scalar(select(func.count(FinancingMechanism.id)))
    assert seed_demo_finance(db, city) == 0
    assert db.scalar(select(func.count(FinancingMechanism.id))) == before


def test_city_mechanisms_match_the_demo_file(db, city):
    catalogue = city_mechanisms(db, city)
    assert catalogue.get("go_bond").interest_rate == 0.034
    assert not catalogue.get("availability_ppp").enabled
    assert len(catalogue.enabled) == 11


def test_invalid_settings_write_nothing(db, city):
    with pytest.raises(MechanismError) as caught:
        save_mechanism_settings(
            db,
            city,
            None,
            [
                MechanismSetting("go_bond", overrides={"interest_rate": 2.0}),
                MechanismSetting("civic_bond", overrides={"tenor_years": 0}),
            ],
        )
    assert {p.field for p in caught.value.problems} == {
        "go_bond.interest_rate",
        "civic_bond.tenor_years",
    }
    db.rollback()
    assert city_mechanisms(db, city).get("go_bond").interest_rate == 0.034


def test_settings_merge_and_audit(db, city):
    audits = db.scalar(select(func.count(AuditEntry.id)))
    save_mechanism_settings(db, city, None, [MechanismSetting("lease_purchase", enabled=False)])
    catalogue = city_mechanisms(db, city)
    assert not catalogue.get("lease_purchase").enabled
    assert catalogue.get("go_bond").interest_rate == 0.034  # untouched settings kept
    assert db.scalar(select(func.count(AuditEntry.id))) == audits + 1


def test_workbook_import_replaces_settings(db, city):
    catalogue = city_mechanisms(db, city)
    data = write_overrides_xlsx(catalogue)
    imported = import_mechanism_workbook(db, city, None, data)
    assert [m.id for m in imported.enabled] == [m.id for m in catalogue.enabled]
    assert imported.get("go_bond").interest_rate == 0.034


def test_fiscal_profile_round_trip_and_validation(db, city):
    profile = fiscal_profile(db, city)
    assert profile is not None and profile.first_year == 2026
    assert profile.debt_rules.preset == "demo_ten_percent"
    shorter = type(profile)(
        city=profile.city,
        currency=profile.currency,
        discount_rate=0.03,
        years=profile.years[:3],
        debt_rules=profile.debt_rules,
    )
    save_fiscal_profile(db, city, None, shorter)
    assert db.scalar(select(func.count(FiscalYearRecord.id))) == 3
    assert fiscal_profile(db, city).discount_rate == 0.03
    broken = type(profile)(
        city=profile.city,
        currency=profile.currency,
        discount_rate=-0.1,
        years=(profile.years[0], profile.years[2]),
        debt_rules=profile.debt_rules,
    )
    with pytest.raises(FiscalProfileError) as caught:
        save_fiscal_profile(db, city, None, broken)
    assert "discount_rate" in {p.field for p in caught.value.problems}
