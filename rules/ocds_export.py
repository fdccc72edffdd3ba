"""OCDS 1.1.5 export of a planned tender: one release (tags ``planning`` and
``tender``) in a release package, validated against the shipped schemas.

``procurementMethod`` comes from the pack's procedure (``ocds_method``): open →
``open``; restricted, negotiation, dialogue, innovation partnership → ``selective``;
negotiated without publication → ``limited``; the procedure name goes in
``procurementMethodDetails`` (OCDS EU profile guidance).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from decision_support.errors import InputError, Problem
from rules.assessment import Assessment
from rules.buyer import country_name, language_problems
from rules.contract import PlannedContract
from rules.ocds_schema import EXTENSIONS, schema_problems

OCDS_VERSION = "1.1"
DEFAULT_OCID_PREFIX = "ocds-xxxxxx"
DEFAULT_LANGUAGE = "en"
OCDS_CATEGORY = {
    "works": "works",
    "supplies": "goods",
    "services": "services",
    "social-services": "services",
}
SLUG = re.compile(r"[^A-Za-z0-9-]+")


class OCDSExportError(InputError):
    """The export did not validate against the OCDS schema (a bug or bad input)."""


def validation_problems(package: dict[str, Any]) -> list[Problem]:
    """Every schema violation of a release package (with its declared extensions)."""
    return schema_problems(package)


def _timestamp(day: date) -> str:
    return datetime.combine(day, time(0, 0), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _local_id(contract: PlannedContract, notice: date) -> str:
    raw = contract.id or contract.title or f"planned-{notice.isoformat()}"
    return SLUG.sub("-", raw).strip("-") or "planned"


def _organisation(contract: PlannedContract) -> dict[str, Any]:
    """The buyer as an OCDS organisation reference; with an org-id identifier the
    party id is ``scheme-id`` (OCDS organisation identifier guidance)."""
    name = contract.buyer or "Contracting authority"
    if contract.buyer_id and contract.buyer_id_scheme:
        return {"id": f"{contract.buyer_id_scheme}-{contract.buyer_id}", "name": name}
    return {"id": SLUG.sub("-", name).strip("-").lower() or "buyer", "name": name}


def _address(contract: PlannedContract) -> dict[str, str]:
    """The buyer's address as far as the city record knows it: ``countryName``
    (OCDS 1.1 core has no country code field) and ``region`` as the ISO 3166-2
    code (``ES-CT``)."""
    address: dict[str, str] = {}
    if contract.region and contract.country:
        address["region"] = f"{contract.country}-{contract.region}"
    if contract.country:
        address["countryName"] = country_name(contract.country)
    return address


def _award_criteria_code(contract: PlannedContract, assessment: Assessment) -> str | None:
    """Core ``tender.awardCriteria`` (closed codelist awardCriteria.csv, 1.1.5)."""
    types = {criterion.type for criterion in contract.award_criteria}
    if types == {"price"}:
        return "priceOnly"
    if types == {"cost"}:
        return "costOnly"
    if types == {"quality"}:
        return "qualityOnly"
    if types or assessment.recommended.award_basis == "best-price-quality":
        return "ratedCriteria"
    return None


def _award_criteria(contract: PlannedContract) -> dict[str, Any]:
    criteria = []
    for criterion in contract.award_criteria:
        entry: dict[str, Any] = {"type": criterion.type}
        if criterion.name:
            entry["name"] = criterion.name
        if criterion.weight is not None:
            entry["numbers"] = [{"number": criterion.weight, "weight": "percentageExact"}]
        criteria.append(entry)
    return {"criteria": criteria}


def _selection_criteria(contract: PlannedContract) -> dict[str, Any]:
    criteria = []
    for criterion in contract.selection_criteria:
        entry: dict[str, Any] = {"type": criterion.type, "description": criterion.description}
        if criterion.minimum:
            entry["minimum"] = criterion.minimum
        criteria.append(entry)
    return {"criteria": criteria}


def _lots_and_items(
    contract: PlannedContract, assessment: Assessment
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Lots (lots extension) and items; each lot's item carries its ``relatedLot``.

    Award criteria sit on each lot (the award criteria extension patches ``Lot``).
    """
    classification = {"scheme": "CPV", "id": contract.cpv} if contract.cpv else None
    lots: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for index, lot in enumerate(contract.lots, start=1):
        lot_id = lot.id or str(index)
        title = lot.title or f"{contract.title or 'Planned purchase'}, lot {index}"
        entry: dict[str, Any] = {
            "id": lot_id,
            "title": title,
            "status": "planned",
            "value": {"amount": lot.value, "currency": assessment.currency},
        }
        if contract.award_criteria:
            entry["awardCriteria"] = _award_criteria(contract)
        lots.append(entry)
        item: dict[str, Any] = {"id": str(index), "description": title, "relatedLot": lot_id}
        if classification:
            item["classification"] = dict(classification)
        items.append(item)
    if not contract.lots and contract.award_criteria:
        # The award criteria extension patches only Lot: a tender not divided into
        # lots is published as one lot covering the whole purchase (as eForms
        # notices, which always describe at least one lot).
        lots.append(
            {
                "id": "1",
                "title": contract.title or "Planned purchase",
                "status": "planned",
                "value": {
                    "amount": assessment.valuation.total_value,
                    "currency": assessment.currency,
                },
                "awardCriteria": _award_criteria(contract),
            }
        )
    if not contract.lots and (classification or lots):
        item = {"id": "1", "description": contract.title or "Planned purchase"}
        if classification:
            item["classification"] = classification
        if lots:
            item["relatedLot"] = "1"
        items.append(item)
    return lots, items


def _framework(contract: PlannedContract, assessment: Assessment) -> dict[str, Any]:
    """``tender.techniques`` (techniques extension) for a framework agreement."""
    agreement: dict[str, Any] = {
        "value": {"amount": assessment.valuation.total_value, "currency": assessment.currency}
    }
    if contract.framework_years:
        start = assessment.earliest_signature
        days = round(contract.framework_years * 365.25)
        agreement["period"] = {
            "startDate": _timestamp(start),
            "durationInDays": days,
        }
    if assessment.framework_max_years is not None:
        agreement["periodRationale"] = (
            f"{assessment.pack_title}: at most {assessment.framework_max_years:g} years"
        )
    return {"hasFrameworkAgreement": True, "frameworkAgreement": agreement}


def planned_release(
    contract: PlannedContract,
    assessment: Assessment,
    ocid_prefix: str = DEFAULT_OCID_PREFIX,
    published: datetime | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    """One OCDS release describing the planned tender."""
    problems = language_problems(language)
    if problems:
        raise OCDSExportError(problems)
    notice = assessment.notice_date
    ocid = f"{ocid_prefix}-{_local_id(contract, notice)}"
    buyer = _organisation(contract)
    stamp = (published or datetime.now(UTC)).replace(microsecond=0)
    deadline = next(
        (e.date for e in assessment.timeline if e.event == "tender_submission_end"), None
    )
    tender: dict[str, Any] = {
        "id": f"{ocid}-tender",
        "title": contract.title or "Planned tender",
        "status": "planned",
        "procuringEntity": dict(buyer),
        "value": {"amount": assessment.valuation.total_value, "currency": assessment.currency},
        "procurementMethod": assessment.recommended.ocds_method,
        "procurementMethodDetails": assessment.recommended.name,
        "mainProcurementCategory": OCDS_CATEGORY[contract.category],
        "submissionMethod": ["electronicSubmission"] if contract.electronic else ["written"],
        "tenderPeriod": {"startDate": _timestamp(notice)},
        "awardPeriod": {"startDate": _timestamp(assessment.award_decision)},
        "contractPeriod": {"startDate": _timestamp(assessment.earliest_signature)},
    }
    if deadline is not None:
        tender["tenderPeriod"]["endDate"] = _timestamp(deadline)
        tender["tenderPeriod"]["durationInDays"] = (deadline - notice).days
    if assessment.recommended.ocds_method in ("limited", "direct") and contract.direct_award_ground:
        tender["procurementMethodRationale"] = contract.direct_award_ground
    code = _award_criteria_code(contract, assessment)
    if code:
        tender["awardCriteria"] = code
    lots, items = _lots_and_items(contract, assessment)
    if items:
        tender["items"] = items
    if lots:
        tender["lots"] = lots
    if contract.selection_criteria:
        tender["selectionCriteria"] = _selection_criteria(contract)
    if contract.framework:
        tender["techniques"] = _framework(contract, assessment)
    party: dict[str, Any] = {**buyer, "roles": ["buyer", "procuringEntity"]}
    if contract.buyer_id and contract.buyer_id_scheme:
        party["identifier"] = {
            "scheme": contract.buyer_id_scheme,
            "id": contract.buyer_id,
            "legalName": buyer["name"],
        }
    address = _address(contract)
    if address:
        party["address"] = address
    return {
        "ocid": ocid,
        "id": f"{ocid}-{notice.isoformat()}-tender",
        "date": stamp.isoformat().replace("+00:00", "Z"),
        "tag": ["planning", "tender"],
        "initiationType": "tender",
        "language": language,
        "parties": [party],
        "buyer": dict(buyer),
        "planning": {
            "rationale": assessment.recommendation_reason,
            "budget": {
                "amount": {
                    "amount": assessment.valuation.total_value,
                    "currency": assessment.currency,
                },
            },
        },
        "tender": tender,
    }


def used_extensions(release: dict[str, Any]) -> list[str]:
    """The pinned extensions a release's fields need, in a stable order."""
    tender = release.get("tender", {})
    needed = []
    if "lots" in tender or any("relatedLot" in item for item in tender.get("items", [])):
        needed.append("lots")
    if "techniques" in tender:
        needed.append("techniques")
    # selectionCriteria reuses awardCriteria's CriterionNumber (its declared dependency).
    lot_criteria = any("awardCriteria" in lot for lot in tender.get("lots", []))
    if "selectionCriteria" in tender or lot_criteria:
        needed.append("awardCriteria")
    if "selectionCriteria" in tender:
        needed.append("selectionCriteria")
    return needed


def release_package(
    releases: list[dict[str, Any]],
    publisher: str,
    uri: str,
    published: datetime | None = None,
) -> dict[str, Any]:
    """Wrap releases in a validated OCDS 1.1 release package; it declares the
    pinned extensions its releases use."""
    stamp = (published or datetime.now(UTC)).replace(microsecond=0)
    package: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": stamp.isoformat().replace("+00:00", "Z"),
        "publisher": {"name": publisher},
        "releases": releases,
    }
    needed = {name for release in releases for name in used_extensions(release)}
    if needed:
        package["extensions"] = [
            ext.metadata_url for name, ext in EXTENSIONS.items() if name in needed
        ]
    problems = validation_problems(package)
    if problems:
        raise OCDSExportError(problems)
    return package


def export_planned_tender(
    contract: PlannedContract,
    assessment: Assessment,
    *,
    ocid_prefix: str = DEFAULT_OCID_PREFIX,
    publisher: str | None = None,
    uri: str | None = None,
    published: datetime | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    """A release package for one planned tender (planning and tender stage);
    ``language`` is the city's language (the release's default language)."""
    release = planned_release(contract, assessment, ocid_prefix, published, language)
    return release_package(
        [release],
        publisher=publisher or contract.buyer or "Contracting authority",
        uri=uri or f"urn:ocds:{release['ocid']}",
        published=published,
    )
