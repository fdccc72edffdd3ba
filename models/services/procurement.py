"""Procurement services: the city's rule pack, planned contracts (with the
anti-splitting check) and saved ICT tender checks. They flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from decision_support.errors import InputError, Problem
from models.cache import cached, data_key
from models.cities import City, DataDomain
from models.procurement import CONTRACT_KINDS, TenderCheck
from models.procurement import PlannedContract as PlannedContractRow
from models.projects import Project
from models.services.audit import record_change
from models.users import User
from rules.assessment import Assessment, assess
from rules.checker import TenderReport
from rules.contract import (
    AwardCriterion,
    Lot,
    PlannedContract,
    SelectionCriterion,
    check_planned_contract,
)
from rules.criteria_text import (
    award_criteria_from_rows,
    award_criteria_rows,
    selection_criteria_from_rows,
    selection_criteria_rows,
)
from rules.rule_pack import RulePack, load_pack, pack_search_dirs, route_pack
from rules.valuation import SplittingWarning, check_splitting_by_kind

CODE_MAX = 40


def city_rule_pack(
    city: City, on: date | None = None, search_dirs: Sequence[Path | str] = ()
) -> RulePack:
    """The rule pack the city's profile names (a pack id or a jurisdiction picked by date),
    looked up in the same folders as every other entry point (:func:`pack_search_dirs`)."""
    return load_pack(city.rule_pack, on=on, search_dirs=pack_search_dirs(search_dirs))


def contract_rule_pack(
    city: City, contract: PlannedContract, search_dirs: Sequence[Path | str] = ()
) -> RulePack:
    """The pack that governs ``contract``: the city's pack on its notice date, routed to
    the jurisdiction's concessions pack for a concession (as ``procurement assess
    --concession`` does)."""
    pack = city_rule_pack(city, contract.notice_date, search_dirs)
    on = contract.notice_date or date.today()
    return route_pack(pack, contract.contract_kind, on, pack_search_dirs(search_dirs))


def city_splitting_warnings(
    city: City, contracts: Sequence[PlannedContract], search_dirs: Sequence[Path | str] = ()
) -> list[SplittingWarning]:
    """The anti-splitting check over the city's contracts under the pack in force today,
    concessions under the jurisdiction's concessions pack."""
    pack = city_rule_pack(city, search_dirs=search_dirs)
    concessions = route_pack(pack, "concession", date.today(), pack_search_dirs(search_dirs))
    return check_splitting_by_kind(contracts, pack, concessions)


@dataclass(frozen=True)
class PlannedContractInput:
    """What a procurement officer enters for a planned contract."""

    code: str
    title: str
    category: str
    authority: str
    estimated_value: float
    options_value: float = 0.0
    renewals_value: float = 0.0
    lot_values: tuple[float, ...] = ()
    cpv: str = ""
    notice_date: date | None = None
    framework_years: float | None = None
    urgent: bool = False
    pin: bool = False
    electronic: bool = True
    needs_innovation: bool = False
    needs_negotiation: bool = False
    direct_award_ground: str = ""
    project_id: int | None = None
    procedure: str = ""
    award_criteria: tuple[AwardCriterion, ...] = ()
    selection_criteria: tuple[SelectionCriterion, ...] = ()
    contract_kind: str = "contract"


def city_buyer(city: City | None) -> dict[str, Any]:
    """The buyer fields of a planned contract that come from the city record: its
    name, country and region (public holidays, address) and organisation identifier."""
    if city is None:
        return {}
    return {
        "buyer": city.name,
        "country": city.country_code,
        "region": city.region_code,
        "buyer_id_scheme": city.buyer_id_scheme,
        "buyer_id": city.buyer_id,
    }


def to_domain(row: PlannedContractRow, city: City | None = None) -> PlannedContract:
    """The pure planned contract of a stored row (with ``city``: its buyer record)."""
    return PlannedContract(
        id=row.code,
        title=row.title,
        **city_buyer(city),
        category=row.category,
        authority=row.authority,
        estimated_value=0.0 if row.lots else row.estimated_value,
        options_value=row.options_value,
        renewals_value=row.renewals_value,
        lots=tuple(
            Lot(value=float(lot["value"]), id=str(lot.get("id", i)), title=lot.get("title", ""))
            for i, lot in enumerate(row.lots or [], start=1)
        ),
        cpv=row.cpv or None,
        notice_date=row.notice_date,
        framework=row.framework_years is not None,
        framework_years=row.framework_years,
        urgent=row.urgent,
        pin=row.pin,
        electronic=row.electronic,
        needs_innovation=row.needs_innovation,
        needs_negotiation=row.needs_negotiation,
        direct_award_ground=row.direct_award_ground or None,
        award_criteria=award_criteria_from_rows(row.award_criteria),
        selection_criteria=selection_criteria_from_rows(row.selection_criteria),
        concession=row.contract_kind == "concession",
        call_off=row.contract_kind == "call-off",
    )


def _domain_from_input(data: PlannedContractInput) -> PlannedContract:
    lots = tuple(Lot(value=v, id=str(i)) for i, v in enumerate(data.lot_values, start=1))
    return PlannedContract(
        id=data.code,
        title=data.title,
        category=data.category,
        authority=data.authority,
        estimated_value=0.0 if lots else data.estimated_value,
        options_value=data.options_value,
        renewals_value=data.renewals_value,
        lots=lots,
        cpv=data.cpv or None,
        notice_date=data.notice_date,
        framework=data.framework_years is not None,
        framework_years=data.framework_years,
        urgent=data.urgent,
        pin=data.pin,
        electronic=data.electronic,
        needs_innovation=data.needs_innovation,
        needs_negotiation=data.needs_negotiation,
        direct_award_ground=data.direct_award_ground or None,
        award_criteria=data.award_criteria,
        selection_criteria=data.selection_criteria,
        concession=data.contract_kind == "concession",
        call_off=data.contract_kind == "call-off",
    )


def planned_contracts(session: Session, city: City) -> list[PlannedContractRow]:
    """The city's planned contracts, by notice date then code."""
    rows = session.scalars(
        select(PlannedContractRow)
        .where(PlannedContractRow.city_id == city.id)
        .order_by(PlannedContractRow.notice_date, PlannedContractRow.code)
    )
    return list(rows)


def planned_contract(session: Session, city: City, contract_id: int) -> PlannedContractRow | None:
    """One planned contract of the city (None if it belongs to another city)."""
    row = session.get(PlannedContractRow, contract_id)
    return row if row is not None and row.city_id == city.id else None


def city_projects(session: Session, city: City) -> list[Project]:
    """The city's projects a planned contract may be linked to, by code."""
    return list(
        session.scalars(select(Project).where(Project.city_id == city.id).order_by(Project.code))
    )


def input_from_project(project: Project) -> PlannedContractInput:
    """A planned contract prefilled from a project (category, CPV, estimated value)."""
    return PlannedContractInput(
        code=project.code[:CODE_MAX],
        title=project.name,
        category=project.procurement_category,
        authority="sub-central",
        estimated_value=project.estimated_value or 0.0,
        cpv=project.cpv or "",
        project_id=project.id,
    )


def _check_input(
    session: Session, city: City, data: PlannedContractInput, existing: PlannedContractRow | None
) -> None:
    problems: list[Problem] = []
    code = data.code.strip()
    if not code:
        problems.append(Problem("a code is required", field="code"))
    elif len(code) > CODE_MAX:
        problems.append(Problem(f"at most {CODE_MAX} characters", field="code"))
    else:
        clash = session.scalar(
            select(PlannedContractRow).where(
                PlannedContractRow.city_id == city.id, PlannedContractRow.code == code
            )
        )
        if clash is not None and clash is not existing:
            problems.append(Problem(f"{code!r} is already used", field="code"))
    if not data.title.strip():
        problems.append(Problem("a title is required", field="title"))
    if data.contract_kind not in CONTRACT_KINDS:
        problems.append(
            Problem(f"must be one of {', '.join(CONTRACT_KINDS)}", field="contract_kind")
        )
    if data.project_id is not None:
        project = session.get(Project, data.project_id)
        if project is None or project.city_id != city.id:
            problems.append(Problem("not a project of this city", field="project_id"))
    try:
        check_planned_contract(_domain_from_input(data))
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)


def save_planned_contract(
    session: Session,
    city: City,
    actor: User | None,
    data: PlannedContractInput,
    existing: PlannedContractRow | None = None,
) -> PlannedContractRow:
    """Create or update a planned contract after checking it; records the change."""
    _check_input(session, city, data, existing)
    row = existing or PlannedContractRow(city_id=city.id)
    values: dict[str, Any] = {
        "code": data.code.strip(),
        "title": data.title.strip(),
        "category": data.category,
        "authority": data.authority,
        "estimated_value": sum(data.lot_values) if data.lot_values else data.estimated_value,
        "options_value": data.options_value,
        "renewals_value": data.renewals_value,
        "lots": [{"id": str(i), "value": v} for i, v in enumerate(data.lot_values, start=1)],
        "cpv": data.cpv.strip(),
        "notice_date": data.notice_date,
        "framework_years": data.framework_years,
        "urgent": data.urgent,
        "pin": data.pin,
        "electronic": data.electronic,
        "needs_innovation": data.needs_innovation,
        "needs_negotiation": data.needs_negotiation,
        "direct_award_ground": data.direct_award_ground.strip(),
        "project_id": data.project_id,
        "procedure": data.procedure.strip(),
        "award_criteria": award_criteria_rows(data.award_criteria),
        "selection_criteria": selection_criteria_rows(data.selection_criteria),
        "contract_kind": data.contract_kind,
    }
    for name, value in values.items():
        setattr(row, name, value)
    if existing is None:
        session.add(row)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="update" if existing is not None else "create",
        entity="planned_contract",
        entity_id=row.id,
        city_id=city.id,
        details={"code": row.code, "estimated_value": row.estimated_value},
    )
    return row


def delete_planned_contract(
    session: Session, city: City, actor: User | None, row: PlannedContractRow
) -> None:
    """Remove a planned contract; records the deletion."""
    if row.city_id != city.id:
        raise InputError("this contract belongs to another city")
    details: dict[str, object] = {"code": row.code, "title": row.title}
    entity_id = row.id
    session.delete(row)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="delete",
        entity="planned_contract",
        entity_id=entity_id,
        city_id=city.id,
        details=details,
    )


@dataclass(frozen=True)
class PlannedContractView:
    """A stored planned contract with its assessment under the city's pack."""

    row: PlannedContractRow
    assessment: Assessment | None
    problem: str = ""


def assess_row(row: PlannedContractRow, contract: PlannedContract, pack: RulePack) -> Assessment:
    """Assessment of a stored contract, following its chosen procedure when that
    procedure belongs to the contract's regime under ``pack``."""
    result = assess(contract, pack)
    if row.procedure and row.procedure in {p.id for p in result.procedures}:
        return assess(contract, pack, procedure_id=row.procedure)
    return result


def assess_planned_contracts(
    session: Session, city: City, search_dirs: Sequence[Path | str] = ()
) -> tuple[list[PlannedContractView], list[SplittingWarning]]:
    """Assess every planned contract (a concession under the concessions pack) and run
    the anti-splitting check over them."""
    rows = planned_contracts(session, city)
    views = []
    domain = []
    for row in rows:
        contract = to_domain(row, city)
        pack = contract_rule_pack(city, contract, search_dirs)
        try:
            views.append(PlannedContractView(row, assess_row(row, contract, pack)))
        except InputError as exc:
            views.append(PlannedContractView(row, None, str(exc)))
        domain.append(contract)
    return views, city_splitting_warnings(city, domain, search_dirs)


def splitting_warnings(
    session: Session, city: City, search_dirs: Sequence[Path | str] = ()
) -> list[SplittingWarning]:
    """The anti-splitting check over the city's planned contracts under its rule pack
    (also looked up in ``search_dirs``; as on the dashboard), computed once per change
    of the city's planned contracts or of the city row (which names the pack), per day
    (the pack in force depends on the date) and folders."""

    def compute() -> tuple[SplittingWarning, ...]:
        contracts = [to_domain(row, city) for row in planned_contracts(session, city)]
        return tuple(city_splitting_warnings(city, contracts, search_dirs))

    key = (
        *data_key(city, DataDomain.PROCUREMENT),
        "splitting",
        date.today(),
        tuple(str(d) for d in search_dirs),
    )
    return list(cached(session, key, compute))


def save_tender_check(
    session: Session,
    city: City,
    actor: User | None,
    reports: Sequence[TenderReport],
    *,
    source: str,
    filename: str = "",
) -> TenderCheck:
    """Keep a checker run (its reports as shown) for the report page and exports."""
    if not reports:
        raise InputError("no tender to save")
    check = TenderCheck(
        city_id=city.id,
        user_id=actor.id if actor is not None else None,
        title=reports[0].tender.title[:200]
        + (f" (+{len(reports) - 1} more)" if len(reports) > 1 else ""),
        source=source,
        filename=filename[:255],
        pack_id=reports[0].pack_id,
        legal_failures=sum(r.summary["legal_failures"] for r in reports),
        reports=[r.as_dict() for r in reports],
    )
    session.add(check)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="create",
        entity="tender_check",
        entity_id=check.id,
        city_id=city.id,
        details={"title": check.title, "legal_failures": check.legal_failures},
    )
    return check


def tender_checks(session: Session, city: City) -> list[TenderCheck]:
    """The city's saved tender checks, newest first."""
    return list(
        session.scalars(
            select(TenderCheck)
            .where(TenderCheck.city_id == city.id)
            .order_by(TenderCheck.created_at.desc(), TenderCheck.id.desc())
        )
    )


def tender_check(session: Session, city: City, check_id: int) -> TenderCheck | None:
    """One saved check of the city (None if it belongs to another city)."""
    check = session.get(TenderCheck, check_id)
    return check if check is not None and check.city_id == city.id else None


DEMO_PLANNED_CONTRACTS = (
    PlannedContractInput(
        "PC-01",
        "Open data portal (demo)",
        "services",
        "sub-central",
        140_000,
        cpv="72000000-5",
        notice_date=date(2027, 2, 1),
    ),
    PlannedContractInput(
        "PC-02",
        "Mobility data API (demo)",
        "services",
        "sub-central",
        120_000,
        cpv="72300000-8",
        notice_date=date(2027, 9, 1),
    ),
    PlannedContractInput(
        "PC-03",
        "Smart street lighting (demo)",
        "works",
        "sub-central",
        2_500_000,
        cpv="45316100-6",
        notice_date=date(2027, 4, 1),
        lot_values=(1_800_000, 600_000, 100_000),
    ),
    PlannedContractInput(
        "PC-04",
        "Urban platform, innovation partnership (demo)",
        "services",
        "sub-central",
        900_000,
        cpv="72200000-7",
        notice_date=date(2028, 1, 10),
        needs_innovation=True,
        award_criteria=(
            AwardCriterion("quality", "Technical merit of the proposed research plan", 50),
            AwardCriterion("quality", "Team experience with open urban-data standards", 20),
            AwardCriterion("price", "Price of the development phase", 30),
        ),
        selection_criteria=(
            SelectionCriterion(
                "economic", "Average annual turnover over the last three years", "EUR 900,000"
            ),
            SelectionCriterion(
                "technical", "Research and development capacity: staff and facilities", ""
            ),
        ),
    ),
)


def seed_demo_procurement(session: Session, city: City) -> int:
    """Demo planned contracts (fictional; PC-01 and PC-02 share CPV division 72 and the
    year 2027, each under the threshold, to show the anti-splitting warning). Creates
    nothing when the city already has planned contracts."""
    if session.scalar(select(PlannedContractRow.id).where(PlannedContractRow.city_id == city.id)):
        return 0
    for item in DEMO_PLANNED_CONTRACTS:
        save_planned_contract(session, city, None, item)
    return len(DEMO_PLANNED_CONTRACTS)
