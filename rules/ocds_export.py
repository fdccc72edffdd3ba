"""OCDS 1.1.5 export of a planned tender: one release (tags ``planning`` and
``tender``) in a release package, validated against the shipped schemas.

``procurementMethod`` comes from the pack's procedure (``ocds_method``): open →
``open``; restricted, negotiation, dialogue, innovation partnership → ``selective``;
negotiated without publication → ``limited``; the procedure name goes in
``procurementMethodDetails`` (OCDS EU profile guidance).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from decision_support.errors import InputError, Problem
from decision_support.files.schema import document_path
from rules.assessment import Assessment
from rules.contract import PlannedContract

OCDS_VERSION = "1.1"
DEFAULT_OCID_PREFIX = "ocds-xxxxxx"
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "master/extension.json"
)
OCDS_CATEGORY = {
    "works": "works",
    "supplies": "goods",
    "services": "services",
    "social-services": "services",
}
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
SLUG = re.compile(r"[^A-Za-z0-9-]+")


class OCDSExportError(InputError):
    """The export did not validate against the OCDS schema (a bug or bad input)."""


def _schema_text(name: str) -> str:
    return files("rules.data.ocds").joinpath(name).read_text(encoding="utf-8")


@cache
def _package_validator() -> jsonschema.Draft4Validator:
    release = json.loads(_schema_text("release-schema.json"))
    package = json.loads(_schema_text("release-package-schema.json"))
    registry: Registry = Registry().with_resource(
        RELEASE_SCHEMA_URL, Resource.from_contents(release, default_specification=DRAFT4)
    )
    return jsonschema.Draft4Validator(package, registry=registry)


def validation_problems(package: dict[str, Any]) -> list[Problem]:
    """Every schema violation of a release package."""
    return [
        Problem(error.message, field=document_path(error.absolute_path))
        for error in _package_validator().iter_errors(package)
    ]


def _timestamp(day: date) -> str:
    return datetime.combine(day, time(0, 0), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _local_id(contract: PlannedContract, notice: date) -> str:
    raw = contract.id or contract.title or f"planned-{notice.isoformat()}"
    return SLUG.sub("-", raw).strip("-") or "planned"


def planned_release(
    contract: PlannedContract,
    assessment: Assessment,
    ocid_prefix: str = DEFAULT_OCID_PREFIX,
    published: datetime | None = None,
) -> dict[str, Any]:
    """One OCDS release describing the planned tender."""
    notice = assessment.notice_date
    ocid = f"{ocid_prefix}-{_local_id(contract, notice)}"
    buyer_name = contract.buyer or "Contracting authority"
    buyer_id = SLUG.sub("-", buyer_name).strip("-").lower() or "buyer"
    stamp = (published or datetime.now(UTC)).replace(microsecond=0)
    deadline = next(
        (e.date for e in assessment.timeline if e.event == "tender_submission_end"), None
    )
    tender: dict[str, Any] = {
        "id": f"{ocid}-tender",
        "title": contract.title or "Planned tender",
        "status": "planned",
        "procuringEntity": {"id": buyer_id, "name": buyer_name},
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
    if contract.cpv:
        tender["items"] = [
            {
                "id": "1",
                "description": contract.title or "Planned purchase",
                "classification": {"scheme": "CPV", "id": contract.cpv},
            }
        ]
    if contract.lots:
        tender["lots"] = [
            {
                "id": lot.id or str(index),
                "title": lot.title or f"Lot {index}",
                "value": {"amount": lot.value, "currency": assessment.currency},
            }
            for index, lot in enumerate(contract.lots, start=1)
        ]
    return {
        "ocid": ocid,
        "id": f"{ocid}-{notice.isoformat()}-tender",
        "date": stamp.isoformat().replace("+00:00", "Z"),
        "tag": ["planning", "tender"],
        "initiationType": "tender",
        "language": "en",
        "parties": [{"id": buyer_id, "name": buyer_name, "roles": ["buyer", "procuringEntity"]}],
        "buyer": {"id": buyer_id, "name": buyer_name},
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


def release_package(
    releases: list[dict[str, Any]],
    publisher: str,
    uri: str,
    published: datetime | None = None,
) -> dict[str, Any]:
    """Wrap releases in a validated OCDS 1.1 release package."""
    stamp = (published or datetime.now(UTC)).replace(microsecond=0)
    package: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": stamp.isoformat().replace("+00:00", "Z"),
        "publisher": {"name": publisher},
        "releases": releases,
    }
    if any("lots" in r.get("tender", {}) for r in releases):
        package["extensions"] = [LOTS_EXTENSION]
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
) -> dict[str, Any]:
    """A release package for one planned tender (planning and tender stage)."""
    release = planned_release(contract, assessment, ocid_prefix, published)
    return release_package(
        [release],
        publisher=publisher or contract.buyer or "Contracting authority",
        uri=uri or f"urn:ocds:{release['ocid']}",
        published=published,
    )
