"""The ICT tender checker: evaluate a criteria pack against a tender description.

Each criterion first decides whether it applies (``applies_if``: jurisdiction,
category, above-threshold, features); an unknown fact gives *needs_information*.
Then its check gives pass, fail or unknown. A failed ``law`` / ``law-if``
criterion is a *fail*; a failed ``national`` / ``recommended`` one a *warning*.
The procedure/timeline assessment of the tender (when its value, category and
authority are known and the currency matches the pack) is part of the report.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from decision_support.errors import Problem
from rules.assessment import Assessment, assess, plan_step
from rules.brand_scan import BrandList, Mention, find_brands, find_standards
from rules.criteria_pack import SEVERITIES, CriteriaPack, Criterion, load_criteria_pack
from rules.day_counting import add_days, calendar_for
from rules.direct_award import StatedRationale, examine_direct_award
from rules.errors import PlannedContractError
from rules.rule_pack import RulePack
from rules.tender import TenderDescription

STATUSES = ("pass", "fail", "warning", "not_applicable", "needs_information")
DEFAULT_AUTHORITY = "sub-central"
PAYMENT_DAYS = 30
PAYMENT_DAYS_MAX = 60
LONG_CONTRACT_MONTHS = 48
TURNOVER_MULTIPLE = 2
FEATURE_FOR_FLAG = {
    "innovation": "innovative_solution",
    "negotiation": "negotiation_needed",
    "no_suitable_tenders": "no_suitable_tenders",
}
FLEXIBLE_PROCEDURES = (
    "innovation-partnership",
    "competitive-dialogue",
    "competitive-procedure-with-negotiation",
    "competitive-flexible",
    "rfp",
    "negotiation",
)


@dataclass(frozen=True)
class Finding:
    """The result of one criterion for one tender."""

    criterion: str
    title: str
    group: str
    status: str
    severity: str
    citation: str
    message: str
    fix: str
    evidence: str
    sources: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (CLI contract: criterion, status, severity, citation, message)."""
        return {
            "criterion": self.criterion,
            "title": self.title,
            "group": self.group,
            "status": self.status,
            "severity": self.severity,
            "citation": self.citation,
            "message": self.message,
            "fix": self.fix if self.status in ("fail", "warning", "needs_information") else "",
            "evidence": self.evidence,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class TenderReport:
    """Findings for one tender, their summary and the procedure assessment."""

    tender: TenderDescription
    pack_id: str
    criteria_id: str
    findings: tuple[Finding, ...]
    assessment: Assessment | None
    assumptions: tuple[str, ...]
    brands: tuple[Mention, ...]
    standards: tuple[Mention, ...]
    ict: bool = True
    scope_reason: str = ""
    pack_validity: str = ""
    data_quality: tuple[Problem, ...] = ()

    @property
    def summary(self) -> dict[str, Any]:
        """Counts by status, by severity × status, and the blocking (legal) failures."""
        by_status = Counter(f.status for f in self.findings)
        by_severity: dict[str, dict[str, int]] = {
            severity: dict(Counter(f.status for f in self.findings if f.severity == severity))
            for severity in SEVERITIES
        }
        return {
            "total": len(self.findings),
            "by_status": {status: by_status.get(status, 0) for status in STATUSES},
            "by_severity": by_severity,
            "legal_failures": sum(
                1 for f in self.findings if f.status == "fail" and f.severity in ("law", "law-if")
            ),
        }

    def as_dict(self) -> dict[str, Any]:
        """JSON document of the CLI ``procurement check --json`` contract."""
        return {
            "tender": {
                "id": self.tender.id,
                "ocid": self.tender.ocid,
                "title": self.tender.title,
                "buyer": self.tender.buyer,
                "value": self.tender.value,
                "currency": self.tender.currency,
                "category": self.tender.category,
                "authority": self.tender.authority,
                "source": self.tender.source,
            },
            "pack": self.pack_id,
            "criteria_pack": self.criteria_id,
            "findings": [f.as_dict() for f in self.findings],
            "summary": self.summary,
            "assumptions": list(self.assumptions),
            "brand_mentions": [m.as_dict() for m in self.brands],
            "standard_references": [m.as_dict() for m in self.standards],
            "assessment": self.assessment.as_dict() if self.assessment else None,
            "scope": {"ict": self.ict, "reason": self.scope_reason},
            "pack_validity": self.pack_validity,
            "data_quality": [{"message": p.message, "path": p.field} for p in self.data_quality],
        }


@dataclass(frozen=True)
class _Context:
    tender: TenderDescription
    pack: RulePack
    assessment: Assessment | None
    above: bool | None
    above_reason: str
    procedure: str | None
    brand_list: BrandList | None
    ict: bool = True
    ict_reason: str = ""


# A check returns ("pass" | "fail" | "unknown" | "not_applicable" | "warning", message).
Outcome = tuple[str, str]

# Criteria groups that hold for any public tender; the others are ICT-specific.
GENERAL_GROUPS = frozenset({"award", "competition", "procedure", "transparency"})


def ict_scope(
    tender: TenderDescription, ict: bool | None = None, criteria: CriteriaPack | None = None
) -> tuple[bool, str]:
    """Whether the ICT criteria apply, and why: the user's choice (``ict``) wins;
    else the tender's CPV codes decide (any code under one of the criteria pack's
    ICT codes, ``ict_scope`` in ict-criteria.yaml → ICT); with no CPV code the
    criteria apply and the report says the scope was not known."""
    if ict is not None:
        return ict, "chosen by the user"
    codes = [c for c in tender.cpv if c]
    if not codes:
        return True, "no CPV code in the data: ICT assumed"
    # a criteria pack of a city's own without an ICT scope uses the shipped one's
    scope = (criteria.ict_codes if criteria else ()) or load_criteria_pack().ict_codes
    for code in codes:
        match = next((s for s in scope if code.startswith(s.prefix)), None)
        if match is not None:
            basis = f"; estimate: {match.estimate}" if match.estimate else ""
            return True, f"ICT CPV code {code} (under {match.prefix}: {match.title}{basis})"
    return False, (
        f"CPV {', '.join(codes[:3])} outside the ICT CPV codes "
        f"{', '.join(s.prefix for s in scope)} (CPV 2008 titles; see ict-criteria.yaml)"
    )


def _resolve_procedure(tender: TenderDescription, pack: RulePack) -> str | None:
    ids = {p.id for p in pack.procedures}
    if tender.procedure:
        return tender.procedure
    method = tender.procurement_method
    if method == "open" and "open" in ids:
        return "open"
    if method in ("limited", "direct"):
        return next((p.id for p in pack.procedures if p.ocds_method in ("limited", "direct")), None)
    return None


def _assessment(
    tender: TenderDescription, pack: RulePack
) -> tuple[Assessment | None, bool | None, str]:
    if tender.value is None:
        return None, None, "the estimated value is not known"
    if tender.category is None:
        return None, None, "the procurement category (works, supplies, services) is not known"
    if tender.currency is not None and tender.currency != pack.currency:
        return (
            None,
            None,
            f"the value is in {tender.currency} but the {pack.id} thresholds are in "
            f"{pack.currency}",
        )
    contract = tender.planned_contract()
    if contract is None:
        return None, None, "the value, category or authority is not known"
    rationale = (
        tender.method_rationale if tender.procurement_method in ("limited", "direct") else ""
    )
    contract = replace(
        contract,
        direct_award_ground=rationale or None,
        needs_negotiation=bool(tender.features.get("negotiation_needed")),
        no_suitable_tenders=bool(tender.features.get("no_suitable_tenders")),
    )
    try:
        result = assess(contract, pack)
    except PlannedContractError as exc:
        return None, None, f"the tender's values are inconsistent: {exc}"
    procedure = _resolve_procedure(tender, pack)
    if procedure in {p.id for p in result.procedures} and procedure != result.recommended.id:
        result = assess(contract, pack, procedure_id=procedure)
    return result, result.above_threshold, ""


def _applies(criterion: Criterion, ctx: _Context) -> Outcome | None:
    """``None`` if the criterion applies, else its not_applicable / unknown outcome."""
    if criterion.group not in GENERAL_GROUPS and not ctx.ict:
        return "not_applicable", f"Not an ICT tender ({ctx.ict_reason}): ICT criteria not applied"
    cond = criterion.applies_if
    if "jurisdictions" in cond and ctx.pack.jurisdiction not in cond["jurisdictions"]:
        return "not_applicable", f"Applies in {', '.join(cond['jurisdictions'])} only"
    if "categories" in cond:
        if ctx.tender.category is None:
            return "unknown", "The procurement category is not known"
        if ctx.tender.category not in cond["categories"]:
            return "not_applicable", f"Applies to {', '.join(cond['categories'])} only"
    if cond.get("above_threshold"):
        if ctx.above is None:
            return "unknown", f"Cannot tell whether the threshold is reached: {ctx.above_reason}"
        if not ctx.above:
            return "not_applicable", "The contract is below the threshold"
    features = ctx.tender.features
    needed = cond.get("features_all", [])
    if any(features.get(name) is False for name in needed):
        return "not_applicable", f"Condition not met: {criterion.condition}"
    missing = [name for name in needed if features.get(name) is None]
    if missing:
        return "unknown", f"State whether the tender involves: {', '.join(missing)}"
    any_of = cond.get("features_any", [])
    if any_of and not any(features.get(name) for name in any_of):
        if all(features.get(name) is False for name in any_of):
            return "not_applicable", f"Condition not met: {criterion.condition}"
        return "unknown", f"State whether the tender involves: {', '.join(any_of)}"
    return None


def _check_clause(criterion: Criterion, ctx: _Context) -> Outcome:
    value = ctx.tender.clauses.get(criterion.check_key)
    if value is True:
        return "pass", f"The tender includes it ({criterion.check_key})"
    if value is False:
        return "fail", f"The tender does not include it ({criterion.check_key})"
    return "unknown", f"Not stated ({criterion.check_key}); evidence: {criterion.evidence}"


def _check_text_or_clause(criterion: Criterion, ctx: _Context) -> Outcome:
    if ctx.tender.clauses.get(criterion.check_key) is True:
        return "pass", f"The tender includes it ({criterion.check_key})"
    text = ctx.tender.specification_text
    if text and re.search(criterion.check_pattern, text, flags=re.IGNORECASE):
        return "pass", "Referenced in the specification text"
    if ctx.tender.clauses.get(criterion.check_key) is False:
        return "fail", f"The tender does not include it ({criterion.check_key})"
    if text and ctx.tender.source == "description":
        return "fail", "Not referenced in the specification text"
    return "unknown", f"Not found; evidence: {criterion.evidence}"


def _check_brand_scan(criterion: Criterion, ctx: _Context) -> Outcome:
    if not ctx.tender.specification_text:
        return "unknown", "No specification text to scan"
    bad = sorted(
        {
            m.name
            for m in find_brands(ctx.tender.specification_text, ctx.brand_list)
            if not m.has_equivalent
        }
    )
    if bad:
        return "fail", f'Brand or product names without "or equivalent": {", ".join(bad)}'
    return "pass", 'No brand or product names without "or equivalent" found'


def _check_standards(criterion: Criterion, ctx: _Context) -> Outcome:
    if not ctx.tender.specification_text:
        return "unknown", "No specification text to scan"
    refs = find_standards(ctx.tender.specification_text, ctx.brand_list)
    bad = sorted({m.name for m in refs if not m.has_equivalent})
    if bad:
        return "fail", f'Standards referenced without "or equivalent": {", ".join(bad)}'
    if not refs:
        return "pass", "No standard references found in the specification text"
    return "pass", f"All {len(refs)} standard references allow equivalents"


def _award_types(ctx: _Context) -> set[str] | None:
    if not ctx.tender.award_criteria:
        return None
    return {c.type for c in ctx.tender.award_criteria}


def _check_lcc(criterion: Criterion, ctx: _Context) -> Outcome:
    if ctx.tender.clauses.get("life_cycle_cost"):
        return "pass", "Life-cycle costing is used"
    types = _award_types(ctx)
    if types is None:
        return "unknown", "Award criteria not known"
    if "cost" in types:
        return "pass", "A cost (life-cycle) criterion is used"
    compared = " and ".join(sorted(types)) if types else "price"
    return "fail", f"Award compares {compared} but has no life-cycle cost criterion"


def _check_weighting(criterion: Criterion, ctx: _Context) -> Outcome:
    crits = ctx.tender.award_criteria
    if not crits:
        return "unknown", "Award criteria not known"
    weights = [c.weight for c in crits]
    if all(w is not None for w in weights):
        total = sum(w or 0 for w in weights)
        if abs(total - 100) < 0.01:
            return "pass", "Weights stated for every criterion (total 100 %)"
        return "fail", f"Weights add up to {total:g} %, not 100 %"
    if "%" in ctx.tender.award_criteria_details:
        return "pass", "Weights given in the award-criteria details"
    return "fail", "Weights are not stated for every award criterion"


def _check_price_only(criterion: Criterion, ctx: _Context) -> Outcome:
    types = _award_types(ctx)
    if types is None:
        return "unknown", "Award criteria not known"
    if types == {"price"}:
        return "fail", "Award on price only"
    return "pass", "Award includes quality or cost"


def _check_bpqr(criterion: Criterion, ctx: _Context) -> Outcome:
    if ctx.procedure not in ("competitive-dialogue", "innovation-partnership"):
        if ctx.procedure is None and ctx.tender.procurement_method == "selective":
            return "unknown", "Selective procedure: state which one"
        return "not_applicable", "Not a competitive dialogue or innovation partnership"
    types = _award_types(ctx)
    if types is None:
        return "unknown", "Award criteria not known"
    if "quality" in types:
        return "pass", "Award on best price-quality ratio"
    return "fail", "Award without quality criteria"


def _check_procedure_allowed(criterion: Criterion, ctx: _Context) -> Outcome:
    if ctx.procedure is None:
        return "unknown", "The procedure is not stated"
    if ctx.above is None:
        return "unknown", f"Cannot tell whether the regulated regime applies: {ctx.above_reason}"
    if not ctx.above:
        return "pass", "Below the threshold: national rules govern the procedure"
    assert ctx.assessment is not None
    option = next((p for p in ctx.assessment.procedures if p.id == ctx.procedure), None)
    if option is None:
        known = ", ".join(p.id for p in ctx.assessment.procedures)
        return "fail", f"{ctx.procedure!r} is not a procedure of this regime ({known})"
    if option.allowed:
        return "pass", f"{option.name}: {option.condition}"
    proc = ctx.pack.procedure(option.id)
    denied = [
        FEATURE_FOR_FLAG.get(flag, flag)
        for flag in proc.requires_any
        if ctx.tender.features.get(FEATURE_FOR_FLAG.get(flag, flag)) is False
    ]
    if len(denied) == len(proc.requires_any):
        return "fail", f"{option.name} needs: {option.condition}"
    return "unknown", f"{option.name} needs a ground: {option.condition}"


def _check_time_limit(criterion: Criterion, ctx: _Context) -> Outcome:
    tender = ctx.tender
    if ctx.procedure is None or ctx.assessment is None:
        return "unknown", "Procedure or value not known"
    if tender.notice_date is None or tender.tender_deadline is None:
        return "unknown", "Notice date or tender deadline not known"
    try:
        proc = ctx.pack.procedure(ctx.procedure)
    except KeyError:
        return "unknown", f"Unknown procedure {ctx.procedure!r}"
    contract = tender.planned_contract()
    assert contract is not None
    flags = contract.flags()
    required = tender.notice_date
    calendar = calendar_for(ctx.pack.jurisdiction)
    counted = []
    for step in proc.steps:
        if step.min_days is None:
            continue
        plan = plan_step(step, flags)
        required = add_days(required, plan.min_days or 0, plan.day_kind, calendar)
        counted.append(f"{plan.id} {plan.min_days} {plan.day_kind} days")
        if step.id == "tender_submission":
            break
    if not counted:
        return "not_applicable", "No statutory minimum for this procedure"
    actual = (tender.tender_deadline - tender.notice_date).days
    if tender.tender_deadline >= required:
        return "pass", f"{actual} days from notice to deadline; minimum {', '.join(counted)}"
    return "fail", (
        f"Only {actual} days from notice to deadline; the minimum ({', '.join(counted)}) "
        f"ends on {required.isoformat()}"
    )


# What a justification names, for packs that list no grounds of their own (the
# message only; such a justification is never passed): a legal provision or the
# usual names of grounds (Dir. 2014/24/EU Art. 32; Procurement Act 2023 Sch. 5;
# FAR 6.302), in the languages of the shipped records (en, es, fr, uk).
_LEGAL_REFERENCE = re.compile(
    r"\b(art(icle|ículo|icle|\.)?\s*\d+|s(ection|\.)\s*\d+|sch(edule|\.)\s*\d+|"
    r"far\s*\d+\.\d+|reg(ulation|\.)\s*\d+|fracci[oó]n\s+[ivxl\d]+|"
    r"стат(тя|ті)\s*\d+|пункт\s*\d+)",
    re.IGNORECASE,
)
_GROUNDS = {
    "extreme urgency": ("urgen", "urgência", "терміново", "невідкладн"),
    "no suitable tenders": ("no tender", "no suitable", "desiert", "infructuos", "не відбувся"),
    "exclusive rights or one supplier": (
        "exclusiv",
        "sole source",
        "single source",
        "only one",
        "único proveedor",
        "patent",
        "єдин",
    ),
    "artistic or technical reasons": ("artistic", "technical reason", "técnic"),
    "additional or repeat deliveries": ("additional deliver", "repeat", "repetición"),
}


def recognised_ground(rationale: str) -> str | None:
    """The ground or provision a justification names, or None if it names neither
    (a hint in messages; grounds are examined by :mod:`rules.direct_award`)."""
    lowered = rationale.lower()
    for ground, words in _GROUNDS.items():
        if any(word in lowered for word in words):
            return ground
    match = _LEGAL_REFERENCE.search(rationale)
    return f"the provision {match.group(0).strip()}" if match else None


def _check_direct_rationale(criterion: Criterion, ctx: _Context) -> Outcome:
    """The stated ground and its conditions' facts against the pack's grounds
    (:mod:`rules.direct_award`); for a pack listing none, what the text names."""
    methods = {ctx.tender.procurement_method}
    if ctx.procedure:
        methods |= {p.ocds_method for p in ctx.pack.procedures if p.id == ctx.procedure}
    if not methods & {"limited", "direct"}:
        return "not_applicable", "Competitive procedure"
    tender = ctx.tender
    stated = StatedRationale(
        text=tender.method_rationale,
        ground_id=tender.direct_award_ground,
        classifications=tender.rationale_classifications,
        facts={**tender.features, **tender.direct_award_facts},
        category=tender.category,
        authority=tender.authority,
    )
    answer = examine_direct_award(ctx.pack, stated)
    if not ctx.pack.direct_award_grounds and answer.status == "unknown":
        named = recognised_ground(tender.method_rationale)
        if named:
            return answer.status, f"{answer.message} (the justification names {named})"
    return answer.status, answer.message


def _check_framework(criterion: Criterion, ctx: _Context) -> Outcome:
    if not ctx.tender.framework:
        return "not_applicable", "Not a framework agreement"
    years = ctx.tender.framework_years
    if years is None and ctx.tender.duration_months:
        years = ctx.tender.duration_months / 12
    limit = ctx.pack.framework_limit(ctx.tender.authority or DEFAULT_AUTHORITY)
    if years is None:
        return "unknown", "Framework term not known"
    if limit is None:
        return "not_applicable", "The pack sets no maximum framework term"
    if years <= limit.max_years:
        return "pass", f"{years:g} years, maximum {limit.max_years:g}"
    return "fail", f"{years:g} years exceeds the {limit.max_years:g}-year maximum"


def _check_lots(criterion: Criterion, ctx: _Context) -> Outcome:
    if len(ctx.tender.lots) >= 2:
        return "pass", f"Divided into {len(ctx.tender.lots)} lots"
    if ctx.tender.lot_reasons.strip():
        return "pass", "Reasons for not dividing into lots are given"
    if ctx.tender.source == "ocds":
        return "unknown", "No lots published; check the documents for the reasons"
    return "fail", "Single lot and no reasons given"


def _check_turnover(criterion: Criterion, ctx: _Context) -> Outcome:
    tender = ctx.tender
    if tender.min_turnover is None:
        return "unknown", "Minimum turnover requirement not stated"
    basis = max((lot.value for lot in tender.lots), default=tender.value)
    if basis is None:
        return "unknown", "Value not known"
    if tender.min_turnover <= TURNOVER_MULTIPLE * basis:
        return "pass", f"Turnover {tender.min_turnover:,.0f} ≤ 2 × {basis:,.0f}"
    return "fail", f"Turnover {tender.min_turnover:,.0f} exceeds 2 × {basis:,.0f}"


def _check_payment(criterion: Criterion, ctx: _Context) -> Outcome:
    days = ctx.tender.payment_days
    if days is None:
        return "unknown", "Payment term not stated"
    if days <= PAYMENT_DAYS:
        return "pass", f"{days} days"
    if days <= PAYMENT_DAYS_MAX:
        return "warning", f"{days} days: allowed only if expressly agreed and justified"
    return "fail", f"{days} days exceeds {PAYMENT_DAYS_MAX}"


def _check_innovation(criterion: Criterion, ctx: _Context) -> Outcome:
    if ctx.tender.clauses.get("pre_commercial_procurement"):
        return "pass", "Pre-commercial procurement"
    if ctx.procedure is None:
        return "unknown", "The procedure is not stated"
    if ctx.procedure in FLEXIBLE_PROCEDURES:
        return "pass", f"{ctx.procedure} suits a solution not yet on the market"
    return "fail", f"{ctx.procedure} leaves no room to develop or adapt the solution"


def _check_agile(criterion: Criterion, ctx: _Context) -> Outcome:
    if ctx.tender.clauses.get("phased_delivery") is True:
        return "pass", "Phased delivery with break clauses"
    months = ctx.tender.duration_months
    if months is not None and months > LONG_CONTRACT_MONTHS:
        return "fail", f"{months}-month contract without phased delivery or break clauses"
    if ctx.tender.clauses.get("phased_delivery") is False:
        return "fail", "No phased delivery or break clauses"
    return "unknown", "Delivery phases and contract term not stated"


CHECKS: dict[str, Callable[[Criterion, _Context], Outcome]] = {
    "clause": _check_clause,
    "text_or_clause": _check_text_or_clause,
    "brand_scan": _check_brand_scan,
    "standards_equivalent": _check_standards,
    "life_cycle_cost": _check_lcc,
    "award_weighting": _check_weighting,
    "price_only": _check_price_only,
    "bpqr_required": _check_bpqr,
    "procedure_allowed": _check_procedure_allowed,
    "time_limit": _check_time_limit,
    "direct_award_rationale": _check_direct_rationale,
    "framework_duration": _check_framework,
    "lots": _check_lots,
    "turnover_cap": _check_turnover,
    "payment_terms": _check_payment,
    "innovation_procedure": _check_innovation,
    "agile_delivery": _check_agile,
}


def _status(kind: str, severity: str) -> str:
    if kind == "fail":
        return "fail" if severity in ("law", "law-if") else "warning"
    if kind == "unknown":
        return "needs_information"
    return kind


def evaluate(criterion: Criterion, ctx: _Context) -> Finding:
    """Apply one criterion.

    When only the threshold is unknown (no value, or a currency the pack does not use),
    the check still runs: a problem it finds (brand names, say) is reported as a
    warning, since it is unlawful if the contract turns out to be above the threshold.
    """
    outcome = _applies(criterion, ctx) or CHECKS[criterion.check_type](criterion, ctx)
    if (
        outcome[0] == "unknown"
        and ctx.above is None
        and criterion.applies_if.get("above_threshold")
    ):
        checked = CHECKS[criterion.check_type](criterion, ctx)
        if checked[0] == "fail":
            outcome = (
                "warning",
                f"{checked[1]}. This is required at or above the threshold, and whether the "
                f"contract reaches it cannot be told: {ctx.above_reason}",
            )
    kind, message = outcome
    return Finding(
        criterion=criterion.id,
        title=criterion.title,
        group=criterion.group,
        status=_status(kind, criterion.severity),
        severity=criterion.severity,
        citation=criterion.citation,
        message=message,
        fix=criterion.fix,
        evidence=criterion.evidence,
        sources=tuple(s.as_dict() for s in criterion.sources),
    )


def check_tender(
    tender: TenderDescription,
    pack: RulePack,
    criteria: CriteriaPack | None = None,
    brand_list: BrandList | None = None,
    default_authority: str = DEFAULT_AUTHORITY,
    *,
    ict: bool | None = None,
    data_quality: Sequence[Problem] = (),
) -> TenderReport:
    """Run every criterion on a tender and assess its procedure and timeline.

    ICT criteria apply only to ICT tenders (:func:`ict_scope`: the user's ``ict``
    choice, else the CPV codes against the criteria pack's cited ICT codes).
    ``data_quality`` carries the record's own schema and data-quality findings
    (lib-cove-ocds, :func:`rules.ocds_schema.libcove_problems`), reported beside the
    criteria.
    """
    criteria = criteria or load_criteria_pack()
    assumptions = list(tender.notes)
    if tender.authority is None:
        tender = replace(tender, authority=default_authority)
        assumptions.append(f"Authority type not in the data: assumed {default_authority}")
    if tender.currency is None and tender.value is not None:
        tender = replace(tender, currency=pack.currency)
        assumptions.append(f"Currency not stated: assumed {pack.currency}")
    result, above, reason = _assessment(tender, pack)
    in_scope, scope_reason = ict_scope(tender, ict, criteria)
    validity = pack_validity(pack, tender.notice_date)
    ctx = _Context(
        tender=tender,
        pack=pack,
        assessment=result,
        above=above,
        above_reason=reason,
        procedure=_resolve_procedure(tender, pack),
        brand_list=brand_list,
        ict=in_scope,
        ict_reason=scope_reason,
    )
    text = tender.specification_text
    return TenderReport(
        tender=tender,
        pack_id=pack.id,
        criteria_id=criteria.id,
        findings=tuple(evaluate(criterion, ctx) for criterion in criteria.criteria),
        assessment=result,
        assumptions=tuple(assumptions),
        brands=tuple(find_brands(text, brand_list)) if text else (),
        standards=tuple(find_standards(text, brand_list)) if text else (),
        ict=in_scope,
        scope_reason=scope_reason,
        pack_validity=validity,
        data_quality=tuple(data_quality),
    )


def pack_validity(pack: RulePack, on: date | None) -> str:
    """A sentence saying whether ``pack`` was in force on the record's date."""
    span = (
        f"{pack.valid_from.isoformat()} to {pack.valid_to.isoformat() if pack.valid_to else 'now'}"
    )
    if on is None:
        return f"{pack.id} (in force {span}) applied: the record gives no date"
    if pack.is_valid_on(on):
        return f"{pack.id} was in force on the record's date {on.isoformat()} ({span})"
    return (
        f"{pack.id} was NOT in force on the record's date {on.isoformat()} ({span}): no pack "
        "of this jurisdiction covers that date, so findings follow later rules"
    )
