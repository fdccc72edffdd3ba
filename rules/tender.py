"""Tender descriptions: what the ICT checker reads, from a YAML/JSON description
(schema ``rules/schema/tender-description.schema.json``) or from OCDS
(``rules.ocds_import``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from decision_support.files.schema import schema_problems
from rules.contract import Lot, PlannedContract
from rules.errors import TenderInputError
from rules.rule_pack import load_schema

AWARD_TYPES = ("price", "cost", "quality")


@dataclass(frozen=True)
class AwardCriterion:
    """One award criterion: ``type`` price, cost (life-cycle) or quality."""

    name: str
    type: str
    weight: float | None = None


@dataclass(frozen=True)
class TenderDocument:
    """A tender document reference (OCDS ``documentType`` or free text)."""

    type: str = ""
    title: str = ""
    url: str = ""


@dataclass(frozen=True)
class TenderDescription:
    """Everything the checker knows about one tender. ``None`` means unknown."""

    title: str
    category: str | None = None
    authority: str | None = None
    id: str = ""
    buyer: str = ""
    value: float | None = None
    currency: str | None = None
    procedure: str | None = None
    procurement_method: str | None = None
    method_rationale: str = ""
    # the ground for an award without competition: a ground id of the pack, OCDS
    # procurementMethodRationaleClassifications (scheme, id), and the facts its
    # conditions need (rules/direct_award.py)
    direct_award_ground: str = ""
    rationale_classifications: tuple[tuple[str, str], ...] = ()
    direct_award_facts: Mapping[str, bool] = field(default_factory=dict)
    notice_date: date | None = None
    tender_deadline: date | None = None
    electronic_submission: bool | None = None
    pin: bool = False
    urgent: bool = False
    cpv: tuple[str, ...] = ()
    lots: tuple[Lot, ...] = ()
    lot_reasons: str = ""
    award_criteria: tuple[AwardCriterion, ...] = ()
    award_criteria_details: str = ""
    framework: bool = False
    framework_years: float | None = None
    duration_months: int | None = None
    min_turnover: float | None = None
    payment_days: int | None = None
    specification_text: str = ""
    features: Mapping[str, bool] = field(default_factory=dict)
    clauses: Mapping[str, bool] = field(default_factory=dict)
    documents: tuple[TenderDocument, ...] = ()
    ocid: str = ""
    source: str = "description"
    notes: tuple[str, ...] = ()

    def planned_contract(self) -> PlannedContract | None:
        """The planned contract for the procedure assessment, if enough is known."""
        if self.category is None or self.authority is None or self.value is None:
            return None
        return PlannedContract(
            category=self.category,
            authority=self.authority,
            estimated_value=0.0 if self.lots else self.value,
            lots=self.lots,
            framework=self.framework,
            framework_years=self.framework_years,
            urgent=self.urgent,
            pin=self.pin,
            electronic=self.electronic_submission is not False,
            notice_date=self.notice_date,
            cpv=self.cpv[0] if self.cpv else None,
            needs_innovation=bool(self.features.get("innovative_solution")),
            id=self.id,
            title=self.title,
            buyer=self.buyer,
        )

    def with_specification(self, text: str) -> TenderDescription:
        """A copy with extra specification text appended."""
        joined = "\n".join(t for t in (self.specification_text, text) if t)
        return replace(self, specification_text=joined)


def tender_from_mapping(data: Any, source: str = "tender description") -> TenderDescription:
    """Validate a tender-description document and build the dataclass."""
    if not isinstance(data, dict):
        raise TenderInputError(f"{source}: a tender description must be a mapping")
    problems = schema_problems(data, load_schema("tender-description.schema.json"))
    if problems:
        raise TenderInputError(problems)
    lots = tuple(
        Lot(value=float(lot["value"]), id=lot.get("id", str(i)), title=lot.get("title", ""))
        for i, lot in enumerate(data.get("lots", ()), start=1)
    )
    value = data.get("value")
    if value is None and lots:
        value = sum(lot.value for lot in lots)
    return TenderDescription(
        id=data.get("id", ""),
        title=data["title"],
        buyer=data.get("buyer", ""),
        authority=data["authority"],
        category=data["category"],
        value=float(value) if value is not None else None,
        currency=data.get("currency"),
        procedure=data.get("procedure"),
        procurement_method=data.get("procurement_method"),
        method_rationale=data.get("method_rationale", ""),
        direct_award_ground=data.get("direct_award_ground", ""),
        rationale_classifications=tuple(
            (c["scheme"], c["id"]) for c in data.get("method_rationale_classifications", ())
        ),
        direct_award_facts=dict(data.get("direct_award_facts", {})),
        notice_date=date.fromisoformat(data["notice_date"]) if "notice_date" in data else None,
        tender_deadline=date.fromisoformat(data["tender_deadline"])
        if "tender_deadline" in data
        else None,
        electronic_submission=data.get("electronic_submission"),
        pin=bool(data.get("pin", False)),
        urgent=bool(data.get("urgent", False)),
        cpv=tuple(data.get("cpv", ())),
        lots=lots,
        lot_reasons=data.get("lot_reasons", ""),
        award_criteria=tuple(
            AwardCriterion(name=c["name"], type=c["type"], weight=c.get("weight"))
            for c in data.get("award_criteria", ())
        ),
        framework=bool(data.get("framework", False)),
        framework_years=data.get("framework_years"),
        duration_months=data.get("duration_months"),
        min_turnover=data.get("min_turnover"),
        payment_days=data.get("payment_days"),
        specification_text=data.get("specification_text", ""),
        features=dict(data.get("features", {})),
        clauses=dict(data.get("clauses", {})),
        documents=tuple(
            TenderDocument(type=d.get("type", ""), title=d.get("title", ""), url=d.get("url", ""))
            for d in data.get("documents", ())
        ),
        source="description",
    )
