"""A city's financing mechanisms and fiscal profile: ORM rows ↔ domain objects.

Every function here flushes and never commits; each change is written to the audit
log. Validation is the pure core's (``apply_city_settings``, ``parse_fiscal_profile``),
so a form, a spreadsheet and a YAML file are checked by the same rules.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from decision_support.files.documents import load_yaml
from decision_support.finance.fiscal import (
    DebtRules,
    FiscalProfile,
    FiscalYear,
    parse_fiscal_profile,
)
from decision_support.finance.mechanisms import (
    Mechanism,
    MechanismCatalogue,
    MechanismSetting,
    apply_city_settings,
    load_mechanisms,
    parse_city_settings,
)
from decision_support.finance.overrides_xlsx import read_overrides_xlsx, write_overrides_xlsx
from models.cities import City
from models.financing import FinancingMechanism, FiscalProfileRecord, FiscalYearRecord
from models.services.audit import record_change
from models.users import User

logger = logging.getLogger(__name__)

YEAR_FIELDS = (
    "year",
    "revenue",
    "capital_budget",
    "existing_debt_service",
    "existing_debt_outstanding",
    "existing_interest",
    "assessed_value",
    "operating_savings",
)
RULE_FIELDS = (
    "max_debt_service_ratio",
    "max_debt_stock_ratio",
    "stock_base",
    "max_interest_to_operating_savings",
    "count_leases_and_ppp",
)


def mechanism_rows(session: Session, city: City) -> dict[str, FinancingMechanism]:
    """The city's mechanism rows by catalogue id."""
    rows = session.scalars(select(FinancingMechanism).where(FinancingMechanism.city_id == city.id))
    return {row.key: row for row in rows}


def _settings_of(rows: Mapping[str, FinancingMechanism]) -> list[MechanismSetting]:
    catalogue = load_mechanisms()
    settings = []
    for key, row in rows.items():
        if key not in catalogue:
            logger.warning(
                "city %s has mechanism %r that the catalogue no longer has", row.city_id, key
            )
            continue
        settings.append(
            MechanismSetting(
                key, enabled=row.enabled, overrides=dict(row.overrides or {}), note=row.note
            )
        )
    return settings


def city_mechanisms(session: Session, city: City) -> MechanismCatalogue:
    """The shipped catalogue with the city's on/off choices and overrides applied
    (mechanisms the city has not set up are disabled)."""
    return apply_city_settings(load_mechanisms(), _settings_of(mechanism_rows(session, city)))


def _source_summary(mechanism: Mechanism) -> str:
    rate = mechanism.source_of("interest_rate")
    return f"{rate.status}: {rate.url}" if rate.url else rate.status


def _write_row(row: FinancingMechanism, mechanism: Mechanism, setting: MechanismSetting) -> None:
    row.name = mechanism.name
    row.mechanism_type = mechanism.type
    row.enabled = setting.enabled
    row.rate = mechanism.interest_rate
    row.tenor_years = mechanism.tenor_years
    row.grace_years = mechanism.grace_years
    row.max_share = mechanism.max_share
    row.min_amount = mechanism.min_deal
    row.counts_as_debt = mechanism.counts_as_city_debt
    row.eligible_tags = sorted(mechanism.eligible_tags)
    row.terms = {"kind": mechanism.kind, **mechanism.figures()}
    row.source = _source_summary(mechanism)
    row.overrides = dict(setting.overrides)
    row.note = setting.note


def save_mechanism_settings(
    session: Session,
    city: City,
    actor: User | None,
    settings: Sequence[MechanismSetting],
) -> MechanismCatalogue:
    """Store the city's choices for the mechanisms in ``settings`` (others keep theirs).

    The merged settings are validated first (all problems at once, as
    :class:`~decision_support.finance.mechanisms.MechanismError`); nothing is written
    when any is invalid. Every catalogue mechanism gets a row (unlisted ones disabled)
    so that the city's list is complete; each change is audited.
    """
    rows = mechanism_rows(session, city)
    merged = {s.mechanism_id: s for s in _settings_of(rows)}
    merged.update({s.mechanism_id: s for s in settings})
    catalogue = apply_city_settings(load_mechanisms(), list(merged.values()))
    for mechanism in catalogue:
        setting = merged.get(mechanism.id, MechanismSetting(mechanism.id, enabled=False))
        row = rows.get(mechanism.id)
        before = (
            None
            if row is None
            else {"enabled": row.enabled, "overrides": dict(row.overrides or {})}
        )
        if row is None:
            row = FinancingMechanism(city_id=city.id, key=mechanism.id)
            session.add(row)
        _write_row(row, mechanism, setting)
        after = {"enabled": setting.enabled, "overrides": dict(setting.overrides)}
        session.flush()
        if before != after:
            record_change(
                session,
                actor=actor,
                action="create" if before is None else "update",
                entity="financing_mechanism",
                entity_id=row.id,
                city_id=city.id,
                details={"mechanism": mechanism.id, "from": before, "to": after},
            )
    return catalogue


def update_mechanism(
    session: Session,
    city: City,
    actor: User | None,
    mechanism_id: str,
    *,
    enabled: bool,
    overrides: Mapping[str, Any],
    note: str = "",
) -> Mechanism:
    """Set one mechanism's on/off state and its complete set of overrides."""
    catalogue = save_mechanism_settings(
        session,
        city,
        actor,
        [MechanismSetting(mechanism_id, enabled=enabled, overrides=dict(overrides), note=note)],
    )
    return catalogue.get(mechanism_id)


def reset_mechanism(
    session: Session, city: City, actor: User | None, mechanism_id: str
) -> Mechanism:
    """Drop the city's overrides of one mechanism (keeping it on or off)."""
    current = city_mechanisms(session, city).get(mechanism_id)
    return update_mechanism(
        session, city, actor, mechanism_id, enabled=current.enabled, overrides={}
    )


def mechanism_workbook(session: Session, city: City) -> bytes:
    """The city's mechanism settings as an .xlsx workbook."""
    return write_overrides_xlsx(city_mechanisms(session, city))


def import_mechanism_workbook(
    session: Session, city: City, actor: User | None, data: bytes
) -> MechanismCatalogue:
    """Replace the city's mechanism settings with a workbook's (all-or-nothing)."""
    settings = read_overrides_xlsx(data, load_mechanisms())
    catalogue = save_mechanism_settings(session, city, actor, settings)
    record_change(
        session,
        actor=actor,
        action="import",
        entity="financing_mechanisms",
        city_id=city.id,
        details={"rows": len(settings)},
    )
    return catalogue


def profile_document(profile: FiscalProfile) -> dict[str, Any]:
    """A fiscal profile as the YAML/JSON document :func:`parse_fiscal_profile` reads."""
    rules = profile.debt_rules
    document: dict[str, Any] = {
        "city": profile.city,
        "currency": profile.currency,
        "discount_rate": profile.discount_rate,
        "debt_rules": {name: getattr(rules, name) for name in RULE_FIELDS},
        "years": [{name: getattr(fy, name) for name in YEAR_FIELDS} for fy in profile.years],
    }
    if profile.population is not None:
        document["population"] = profile.population
    return document


def _record(session: Session, city: City) -> FiscalProfileRecord | None:
    return session.scalar(select(FiscalProfileRecord).where(FiscalProfileRecord.city_id == city.id))


def fiscal_profile(session: Session, city: City) -> FiscalProfile | None:
    """The city's fiscal profile as a domain object, or None if not entered yet."""
    record = _record(session, city)
    if record is None or not record.years:
        return None
    return FiscalProfile(
        city=city.name,
        currency=city.currency,
        discount_rate=record.discount_rate,
        population=city.population,
        years=tuple(
            FiscalYear(**{name: getattr(row, name) for name in YEAR_FIELDS}) for row in record.years
        ),
        debt_rules=DebtRules(
            max_debt_service_ratio=record.max_debt_service_ratio,
            max_debt_stock_ratio=record.max_debt_stock_ratio,
            stock_base=record.stock_base,  # type: ignore[arg-type]
            max_interest_to_operating_savings=record.max_interest_to_operating_savings,
            count_leases_and_ppp=record.count_leases_and_ppp,
            preset=record.preset,
            status=record.rules_status,
            url=record.rules_url,
            note=record.rules_note,
        ),
    )


def save_fiscal_profile(
    session: Session, city: City, actor: User | None, profile: FiscalProfile
) -> FiscalProfile:
    """Validate and store the city's fiscal profile, replacing its years.

    Raises :class:`~decision_support.finance.fiscal.FiscalProfileError` with
    field-named problems (``discount_rate``, ``years[<i>].<field>``…) and writes
    nothing when the profile is invalid.
    """
    checked = parse_fiscal_profile(profile_document(profile))
    rules = profile.debt_rules
    record = _record(session, city)
    created = record is None
    if record is None:
        record = FiscalProfileRecord(city_id=city.id)
        session.add(record)
    record.discount_rate = checked.discount_rate
    for name in RULE_FIELDS:
        setattr(record, name, getattr(rules, name))
    record.preset = rules.preset
    record.rules_status = rules.status
    record.rules_url = rules.url
    record.rules_note = rules.note
    record.years.clear()
    session.flush()  # delete the old years before inserting new rows for the same years
    record.years = [
        FiscalYearRecord(**{name: getattr(fy, name) for name in YEAR_FIELDS})
        for fy in checked.years
    ]
    session.flush()
    record_change(
        session,
        actor=actor,
        action="create" if created else "update",
        entity="fiscal_profile",
        entity_id=record.id,
        city_id=city.id,
        details={
            "discount_rate": checked.discount_rate,
            "debt_rules": {name: getattr(rules, name) for name in RULE_FIELDS},
            "years": [checked.first_year, checked.last_year],
        },
    )
    return checked


def _demo_file(name: str) -> str:
    return resources.files("scenarios").joinpath("demo_city", name).read_text("utf-8")


def seed_demo_finance(session: Session, city: City) -> int:
    """Demo-data step: the demo city's mechanisms and fiscal profile
    (``scenarios/demo_city/``), created only where missing; returns rows created."""
    created = 0
    if not mechanism_rows(session, city):
        settings = parse_city_settings(
            load_yaml(_demo_file("mechanisms.yaml"), source="mechanisms.yaml")
        )
        created += len(save_mechanism_settings(session, city, None, settings))
    if _record(session, city) is None:
        profile = parse_fiscal_profile(
            load_yaml(_demo_file("fiscal_profile.yaml"), source="fiscal_profile.yaml")
        )
        save_fiscal_profile(session, city, None, profile)
        created += 1 + len(profile.years)
    return created
