"""Reading OCDS (release, record, release package or record package) into tender
descriptions for the checker: one per contracting process (``ocid``).

Several releases of one process are compiled with ocdsmerge (using the shipped
1.1.5 release schema, so nothing is downloaded); a record's ``compiledRelease`` is
used when present. Real publisher data is messy: values that are not numbers,
dates that do not parse and missing blocks become "unknown" (``None``), never an
error, so the checker can still report what it can see.
"""

from __future__ import annotations

import json
import logging
import math
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from typing import Any

import ocdsmerge

from rules.contract import Lot
from rules.errors import TenderInputError
from rules.tender import AwardCriterion, TenderDescription, TenderDocument

log = logging.getLogger(__name__)

CATEGORY_FROM_OCDS = {"goods": "supplies", "works": "works", "services": "services"}
AWARD_CRITERIA_FROM_OCDS: dict[str, tuple[AwardCriterion, ...]] = {
    "priceOnly": (AwardCriterion("price", "price", 100.0),),
    "lowestCost": (AwardCriterion("price", "price", 100.0),),
    "costOnly": (AwardCriterion("cost", "cost", 100.0),),
    "qualityOnly": (AwardCriterion("quality", "quality", 100.0),),
    "ratedCriteria": (AwardCriterion("price", "price"), AwardCriterion("quality", "quality")),
    "bestProposal": (AwardCriterion("price", "price"), AwardCriterion("quality", "quality")),
    "bestValueToGovernment": (
        AwardCriterion("price", "price"),
        AwardCriterion("quality", "quality"),
    ),
}
GPA_ANNEX_AUTHORITY = {"annex1": "central", "annex2": "sub-central", "annex3": "utility"}
DAYS_PER_MONTH = 30.44
CPV_IN_TEXT = re.compile(r"\d{8}(-\d)?")
CPV_WORKS_DIVISION = "45"
CPV_FIRST_SERVICES_DIVISION = 50


@cache
def release_schema() -> dict[str, Any]:
    """The shipped OCDS 1.1.5 release schema."""
    path = files("rules.data.ocds").joinpath("standard", "release-schema.json")
    text = path.read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(schema=release_schema())


def compile_releases(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """Compile several releases of one contracting process into its latest state."""
    if len(releases) == 1:
        return releases[0]
    dated = [r for r in releases if isinstance(r.get("date"), str)]
    if len(dated) != len(releases):
        log.warning("releases without a date cannot be merged; using the last one")
        return releases[-1]
    ocid = str(releases[0].get("ocid", ""))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ocdsmerge.exceptions.OCDSMergeWarning)
            compiled = dict(_merger().create_compiled_release(dated))
    except (ocdsmerge.exceptions.OCDSMergeError, TypeError, ValueError, RecursionError) as exc:
        # InconsistentTypeError (a field is an object in one release and a string in
        # another), an unhashable id (a list or object where an id is expected).
        raise TenderInputError(
            f"releases of {ocid or 'a contracting process'} cannot be merged: "
            f"{_one_line(str(exc)) or type(exc).__name__}"
        ) from None
    for warning in caught:
        log.warning("%s: %s", ocid, warning.message)
    return compiled


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _list_of(data: Mapping[str, Any], key: str) -> list[Any]:
    """``data[key]`` when it is a list; a clear error when it is there but is not."""
    value = data.get(key)
    if value is None and key not in data:
        return []
    if not isinstance(value, list):
        raise TenderInputError(f"'{key}' must be a list, not {_json_type(value)}")
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an object" if isinstance(value, dict) else "a list"


def compiled_releases(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The compiled release of every contracting process in an OCDS document."""
    if "records" in data:
        records = _list_of(data, "records")
    elif "ocid" in data and "releases" in data:
        records = [data]
    elif "releases" in data:
        by_ocid: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for release in _list_of(data, "releases"):
            if isinstance(release, dict):
                by_ocid[str(release.get("ocid", ""))].append(release)
        return [compile_releases(group) for group in by_ocid.values()]
    elif "ocid" in data:
        return [dict(data)]
    else:
        raise TenderInputError("not an OCDS release, record or package")
    out = []
    for record in records:
        if not isinstance(record, dict):
            continue
        if isinstance(record.get("compiledRelease"), dict):
            out.append(record["compiledRelease"])
            continue
        embedded = [r for r in _list_of(record, "releases") if isinstance(r, dict) and "tag" in r]
        if embedded:
            out.append(compile_releases(embedded))
        else:
            out.append({"ocid": record.get("ocid", "")})
    if not out:
        raise TenderInputError("the OCDS document holds no releases or records")
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None


def _obj(container: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``container[key]`` if it is an object, else an empty one."""
    value = container.get(key)
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(*parts: Any) -> str:
    return "\n".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


def _cpv_codes(items: Iterable[dict[str, Any]]) -> tuple[str, ...]:
    codes: list[str] = []
    for item in items:
        for cls in [item.get("classification"), *_dicts(item.get("additionalClassifications"))]:
            if (
                isinstance(cls, dict)
                and str(cls.get("scheme", "")).upper() == "CPV"
                and cls.get("id") is not None
            ):
                match = CPV_IN_TEXT.match(str(cls["id"]).strip())
                if match and match.group(0) not in codes:
                    codes.append(match.group(0))
    return tuple(codes)


def category_from_cpv(code: str) -> str:
    """Works for CPV division 45, services for divisions 50-98, supplies otherwise."""
    division = code[:2]
    if division == CPV_WORKS_DIVISION:
        return "works"
    return "services" if int(division) >= CPV_FIRST_SERVICES_DIVISION else "supplies"


def _authority(release: Mapping[str, Any]) -> str | None:
    """Authority type from a GPA coverage classification of the buyer, if published."""
    buyer = release.get("buyer")
    buyer_id = buyer.get("id") if isinstance(buyer, dict) else None
    for party in _dicts(release.get("parties")):
        if buyer_id is not None and party.get("id") != buyer_id:
            continue
        details = _obj(party, "details")
        for cls in _dicts(details.get("classifications")):
            if cls.get("scheme") == "gpaCoverageSchedule":
                return GPA_ANNEX_AUTHORITY.get(str(cls.get("id")))
    return None


def _duration_months(period: Any) -> int | None:
    if not isinstance(period, dict):
        return None
    days = _number(period.get("durationInDays"))
    if days is None:
        start, end = _date(period.get("startDate")), _date(period.get("endDate"))
        if start and end:
            days = float((end - start).days)
    return max(1, round(days / DAYS_PER_MONTH)) if days else None


def tender_from_release(release: Mapping[str, Any]) -> TenderDescription:
    """Read the checker's view of one compiled release."""
    tender = _obj(release, "tender")
    value = _obj(tender, "value")
    items = _dicts(tender.get("items"))
    documents = _dicts(tender.get("documents"))
    submission = tender.get("submissionMethod")
    period = _obj(tender, "tenderPeriod")
    techniques = _obj(tender, "techniques")
    buyer = _obj(release, "buyer")
    lots = tuple(
        Lot(value=amount, id=str(lot.get("id", i)), title=str(lot.get("title", "")))
        for i, lot in enumerate(_dicts(tender.get("lots")), start=1)
        if (amount := _number(_obj(lot, "value").get("amount"))) is not None
    )
    criteria_code = tender.get("awardCriteria")
    spec_text = _text(
        tender.get("title"),
        tender.get("description"),
        *(item.get("description") for item in items),
        *(doc.get("title") for doc in documents),
        *(doc.get("description") for doc in documents),
        tender.get("eligibilityCriteria"),
        tender.get("awardCriteriaDetails"),
        tender.get("submissionMethodDetails"),
    )
    title = tender.get("title") or _obj(release, "planning").get("rationale") or ""
    cpv = _cpv_codes(items)
    category = CATEGORY_FROM_OCDS.get(str(tender.get("mainProcurementCategory")))
    notes: list[str] = []
    if category is None and cpv:
        category = category_from_cpv(cpv[0])
        notes.append(f"Category not published: {category} inferred from CPV {cpv[0]}")
    return TenderDescription(
        id=str(tender.get("id", "")),
        ocid=str(release.get("ocid", "")),
        title=str(title or release.get("ocid") or "untitled tender"),
        buyer=str(buyer.get("name", "")),
        authority=_authority(release),
        category=category,
        value=_number(value.get("amount")),
        currency=value.get("currency") if isinstance(value.get("currency"), str) else None,
        procurement_method=tender.get("procurementMethod")
        if tender.get("procurementMethod") in ("open", "selective", "limited", "direct")
        else None,
        procedure=None,
        method_rationale=_text(tender.get("procurementMethodRationale")),
        rationale_classifications=tuple(
            (str(c["scheme"]), str(c["id"]))
            for c in _dicts(tender.get("procurementMethodRationaleClassifications"))
            if c.get("scheme") and c.get("id")
        ),
        notice_date=_date(period.get("startDate")) or _date(release.get("date")),
        tender_deadline=_date(period.get("endDate")),
        electronic_submission=("electronicSubmission" in submission)
        if isinstance(submission, list)
        else None,
        cpv=cpv,
        lots=lots,
        award_criteria=AWARD_CRITERIA_FROM_OCDS.get(str(criteria_code), ()),
        award_criteria_details=_text(tender.get("awardCriteriaDetails")),
        framework=bool(techniques.get("hasFrameworkAgreement", False)),
        duration_months=_duration_months(tender.get("contractPeriod")),
        specification_text=spec_text,
        documents=tuple(
            TenderDocument(
                type=str(doc.get("documentType", "")),
                title=str(doc.get("title", "")),
                url=str(doc.get("url", "")),
            )
            for doc in documents
        ),
        source="ocds",
        notes=tuple(notes),
    )


def tenders_from_ocds(data: Mapping[str, Any]) -> list[TenderDescription]:
    """One tender description per contracting process in an OCDS document."""
    return [tender_from_release(release) for release in compiled_releases(data)]
