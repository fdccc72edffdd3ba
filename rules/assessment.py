"""Procedure and timeline engine: which regime, which procedures, how many days.

For a planned contract and a rule pack:

1. value the contract (``rules.valuation``) and find its threshold row;
2. regime = ``standard`` (or ``light-touch`` for social services) when the value
   brings the regulated regime, else the first lower band that contains it, else
   ``below-threshold``;
3. procedures applicable to that regime and authority; each is allowed when it
   has no ``requires_any`` or the contract has one of those flags;
4. recommended = the first ``recommendation`` rule whose procedure is
   applicable and allowed and whose ``when`` flags all hold;
5. minimum days of each statutory step::

       minimum = min( standard − Σ minus_days of applicable deductions,
                      min_days of each applicable alternative floor )
                 + Σ plus_days of applicable extensions

   (deductions only shorten the standard period; a floor such as the PIN or
   urgency period replaces it; extensions, such as +5 days when documents are
   not available electronically, are added afterwards);
6. dated timeline: notice → each step (statutory steps at their minimum,
   typical steps at their typical duration) → award decision → standstill →
   earliest contract signature; notices placed relative to those events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from decision_support.errors import Problem
from rules.contract import PlannedContract, check_planned_contract
from rules.day_counting import (
    DayLog,
    HolidayShift,
    WorkingCalendar,
    add_days,
    calendar_for,
    next_working_day,
)
from rules.errors import PlannedContractError
from rules.rule_pack import Citation, Procedure, RulePack, Step, Threshold
from rules.valuation import ContractValuation, is_above, value_contract

_DEADLINE_STEPS = ("participation_requests", "tender_submission")


@dataclass(frozen=True)
class ProcedureOption:
    """A procedure applicable to the contract's regime and whether it may be used."""

    id: str
    name: str
    allowed: bool
    condition: str
    ocds_method: str
    award_basis: str
    citation: Citation

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (CLI contract: ``id``, ``allowed``, ``condition``)."""
        return {
            "id": self.id,
            "name": self.name,
            "allowed": self.allowed,
            "condition": self.condition,
            "ocds_method": self.ocds_method,
            "award_basis": self.award_basis,
            "citation": self.citation.as_dict(),
        }


@dataclass(frozen=True)
class StepPlan:
    """One step of the recommended procedure with its legal minimum and planned days."""

    id: str
    planned_days: int
    day_kind: str
    min_days: int | None
    typical_days: int | None
    citations: tuple[Citation, ...]
    applied: tuple[str, ...]
    estimate_basis: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "planned_days": self.planned_days,
            "day_kind": self.day_kind,
            "min_days": self.min_days,
            "typical_days": self.typical_days,
            "statutory": self.min_days is not None,
            "applied": list(self.applied),
            "estimate_basis": self.estimate_basis,
            "citations": [c.as_dict() for c in self.citations],
        }


@dataclass(frozen=True)
class TimelineEvent:
    """A dated event from the notice to the contract signature and after."""

    date: dt.date
    event: str
    label: str
    kind: str  # notice | deadline | milestone
    citation: Citation | None = None
    moved_by: tuple[HolidayShift, ...] = ()  # public holidays not counted on the way

    def as_dict(self, start: dt.date) -> dict[str, Any]:
        """JSON-ready form with the day count from the notice."""
        return {
            "date": self.date.isoformat(),
            "event": self.event,
            "label": self.label,
            "kind": self.kind,
            "days_from_notice": (self.date - start).days,
            "citation": self.citation.as_dict() if self.citation else None,
            "moved_by_holidays": [
                {"date": h.day.isoformat(), "name": h.name} for h in self.moved_by
            ],
        }


@dataclass(frozen=True)
class Assessment:
    """The answer for one planned contract under one rule pack."""

    pack_id: str
    pack_title: str
    pack_dates: dict[str, str | None]
    jurisdiction: str
    currency: str
    vat: str
    valuation: ContractValuation
    threshold: Threshold
    above_threshold: bool
    regime: str
    procedures: tuple[ProcedureOption, ...]
    recommended: ProcedureOption
    recommendation_reason: str
    steps: tuple[StepPlan, ...]
    standstill_days: int
    standstill_day_kind: str
    standstill_citation: Citation | None
    framework_max_years: float | None
    notices: tuple[TimelineEvent, ...]
    timeline: tuple[TimelineEvent, ...]
    notice_date: date
    award_decision: date
    earliest_signature: date
    warnings: tuple[str, ...]
    citations: tuple[Citation, ...]
    working_calendar: str = "weekends only"

    @property
    def holiday_shifts(self) -> tuple[HolidayShift, ...]:
        """Every public holiday that moved a date of the timeline, in date order."""
        seen = {h.day: h for event in self.timeline for h in event.moved_by}
        return tuple(seen[day] for day in sorted(seen))

    @property
    def min_days(self) -> dict[str, int | None]:
        """Legal minimum per step of the recommended procedure (``None`` = no minimum)."""
        return {
            step.id: step.min_days
            for step in self.steps
            if step.min_days is not None or step.id in _DEADLINE_STEPS
        }

    @property
    def lead_time_days(self) -> int:
        """Calendar days from the notice to the earliest contract signature."""
        return (self.earliest_signature - self.notice_date).days

    def as_dict(self) -> dict[str, Any]:
        """JSON document of the CLI ``procurement assess --json`` contract."""
        return {
            "pack": self.pack_id,
            "pack_title": self.pack_title,
            "pack_valid_from": self.pack_dates["valid_from"],
            "pack_valid_to": self.pack_dates["valid_to"],
            "pack_checked_on": self.pack_dates["checked_on"],
            "jurisdiction": self.jurisdiction,
            "above_threshold": self.above_threshold,
            "regime": self.regime,
            "threshold": self.threshold.value,
            "threshold_id": self.threshold.id,
            "currency": self.currency,
            "vat": self.vat,
            "valuation": self.valuation.as_dict(),
            "recommended_procedure": self.recommended.id,
            "recommendation_reason": self.recommendation_reason,
            "procedures": [p.as_dict() for p in self.procedures],
            "min_days": self.min_days,
            "steps": [s.as_dict() for s in self.steps],
            "standstill_days": self.standstill_days,
            "standstill_day_kind": self.standstill_day_kind,
            "standstill_citation": self.standstill_citation.as_dict()
            if self.standstill_citation
            else None,
            "framework_max_years": self.framework_max_years,
            "notices": [n.as_dict(self.notice_date) for n in self.notices],
            "timeline": [e.as_dict(self.notice_date) for e in self.timeline],
            "notice_date": self.notice_date.isoformat(),
            "award_decision": self.award_decision.isoformat(),
            "earliest_contract_signature": self.earliest_signature.isoformat(),
            "lead_time_days": self.lead_time_days,
            "warnings": list(self.warnings),
            "citations": [c.as_dict() for c in self.citations],
            "working_calendar": self.working_calendar,
            "holidays_skipped": [
                {"date": h.day.isoformat(), "name": h.name} for h in self.holiday_shifts
            ],
        }


def determine_regime(
    valuation: ContractValuation, threshold: Threshold, contract: PlannedContract, pack: RulePack
) -> tuple[bool, str]:
    """Whether the regulated regime applies, and the regime name."""
    if is_above(valuation.compared_value, threshold.value, pack):
        return True, "light-touch" if contract.category == "social-services" else "standard"
    for band in pack.lower_bands:
        if (
            contract.category in band.categories
            and contract.authority in band.authorities
            and valuation.compared_value <= band.max_value
        ):
            return False, band.regime
    return False, "below-threshold"


def _applicable(proc: Procedure, regime: str, authority: str) -> bool:
    return regime in proc.regimes and authority in proc.authorities


def _option(proc: Procedure, flags: frozenset[str]) -> ProcedureOption:
    allowed = not proc.requires_any or any(flag in flags for flag in proc.requires_any)
    return ProcedureOption(
        id=proc.id,
        name=proc.name,
        allowed=allowed,
        condition=proc.condition,
        ocds_method=proc.ocds_method,
        award_basis=proc.award_basis,
        citation=proc.citation,
    )


def plan_step(step: Step, flags: frozenset[str]) -> StepPlan:
    """Minimum (after reductions) and planned duration of one step."""
    if step.min_days is None:
        typical = step.typical_days or 0
        return StepPlan(
            id=step.id,
            planned_days=typical,
            day_kind=step.day_kind,
            min_days=None,
            typical_days=step.typical_days,
            citations=(),
            applied=(),
            estimate_basis=step.estimate.basis if step.estimate else "",
        )
    applicable = [r for r in step.reductions if all(flag in flags for flag in r.when)]
    deductions = [r for r in applicable if r.minus_days is not None]
    floors = [r for r in applicable if r.min_days is not None]
    deducted = max(step.min_days - sum(r.minus_days or 0 for r in deductions), 0)
    best_floor = min(floors, key=lambda r: r.min_days or 0, default=None)
    citations: list[Citation] = [step.citation] if step.citation else []
    if best_floor is not None and (best_floor.min_days or 0) < deducted:
        minimum = best_floor.min_days or 0
        applied = [f"{'+'.join(best_floor.when)}: {minimum} days"]
        citations.append(best_floor.citation)
    else:
        minimum = deducted
        applied = [f"{'+'.join(r.when)}: -{r.minus_days} days" for r in deductions]
        citations.extend(r.citation for r in deductions)
    for extension in step.extensions:
        if all(f in flags for f in extension.when) and not any(
            f in flags for f in extension.unless
        ):
            minimum += extension.plus_days
            applied.append(f"+{extension.plus_days} days ({extension.note or 'extension'})")
            citations.append(extension.citation)
    return StepPlan(
        id=step.id,
        planned_days=max(minimum, step.typical_days or 0),
        day_kind=step.day_kind,
        min_days=minimum,
        typical_days=step.typical_days,
        citations=tuple(citations),
        applied=tuple(applied),
        estimate_basis=step.note,
    )


def _recommend(
    pack: RulePack, options: dict[str, ProcedureOption], flags: frozenset[str]
) -> tuple[ProcedureOption, str]:
    for rule in pack.recommendation:
        option = options.get(rule.procedure)
        if option is not None and option.allowed and all(flag in flags for flag in rule.when):
            return option, rule.reason
    allowed = [o for o in options.values() if o.allowed]
    if not allowed:
        raise ValueError(f"pack {pack.id} has no allowed procedure for this contract")
    return allowed[0], "first allowed procedure in the pack"


def _dedupe(citations: Iterable[Citation | None]) -> tuple[Citation, ...]:
    seen: dict[tuple[str, str], Citation] = {}
    for citation in citations:
        if citation is not None:
            seen.setdefault((citation.ref, citation.url), citation)
    return tuple(seen.values())


def _standstill_end(
    award: date,
    days: int,
    kind: str,
    starts: str,
    calendar: WorkingCalendar,
    log: DayLog | None = None,
) -> date:
    """Last day of the standstill period."""
    first = award if starts == "same-day" else add_days(award, 1)
    if kind == "working":
        first = next_working_day(first, calendar, log)
    return add_days(first, days - 1, kind, calendar, log) if days else award


def assess(
    contract: PlannedContract,
    pack: RulePack,
    notice_date: date | None = None,
    procedure_id: str | None = None,
    calendar: WorkingCalendar | None = None,
) -> Assessment:
    """Regime, procedures, time limits and dated timeline for a planned contract.

    With ``procedure_id`` the timeline follows that procedure instead of the
    recommended one; it must be a procedure of the contract's regime (an
    unmet condition is reported as a warning). Working days skip the public
    holidays of ``calendar`` (default: the pack's jurisdiction with the
    contract's country and region, see :func:`rules.day_counting.calendar_for`).
    """
    check_planned_contract(contract)
    if calendar is None:
        try:
            calendar = calendar_for(
                pack.jurisdiction, contract.country or None, contract.region or None
            )
        except ValueError as exc:
            raise PlannedContractError(Problem(str(exc), field="region")) from exc
    start = notice_date or contract.notice_date or date.today()
    valuation = value_contract(contract, pack)
    market_flag, market_note = market_approach(contract, pack, valuation.compared_value)
    flags = contract.flags() | ({market_flag} if market_flag else set())
    threshold = pack.threshold_for(contract.category, contract.authority)
    above, regime = determine_regime(valuation, threshold, contract, pack)

    options = {
        proc.id: _option(proc, flags)
        for proc in pack.procedures
        if _applicable(proc, regime, contract.authority)
    }
    if not options:
        raise ValueError(f"pack {pack.id} has no procedure for regime {regime}")
    recommended, reason = _recommend(pack, options, flags)
    chosen_warnings: list[str] = []
    if procedure_id is not None and procedure_id != recommended.id:
        if procedure_id not in options:
            raise PlannedContractError(
                Problem(
                    f"{procedure_id!r} is not a procedure for this contract under {pack.id}; "
                    f"choose one of: {', '.join(options)}",
                    field="procedure",
                )
            )
        recommended = options[procedure_id]
        reason = "Chosen by the user"
        if not recommended.allowed:
            chosen_warnings.append(
                f"{recommended.name} may be used only if: {recommended.condition}"
            )
    procedure = pack.procedure(recommended.id)
    steps = tuple(plan_step(step, flags) for step in procedure.steps)

    timeline: list[TimelineEvent] = [
        TimelineEvent(
            start,
            "notice",
            "Call for competition sent / procedure starts",
            "milestone",
            procedure.citation,
        )
    ]
    cursor = start
    tender_deadline: date | None = None
    for plan in steps:
        log = DayLog()
        cursor = add_days(cursor, plan.planned_days, plan.day_kind, calendar, log)
        if plan.day_kind == "working":
            cursor = next_working_day(cursor, calendar, log)
        basis = "legal minimum" if plan.min_days is not None else "typical duration (estimate)"
        timeline.append(
            TimelineEvent(
                cursor,
                f"{plan.id}_end",
                f"End of {plan.id.replace('_', ' ')} ({plan.planned_days} {plan.day_kind} days, "
                f"{basis})",
                "deadline" if plan.min_days is not None else "milestone",
                plan.citations[0] if plan.citations else None,
                tuple(log.shifts),
            )
        )
        if plan.id == "tender_submission":
            tender_deadline = cursor
    award = cursor
    timeline.append(TimelineEvent(award, "award_decision", "Award decision", "milestone"))

    standstill = pack.standstill
    exemption = standstill.exemption_for(flags) if standstill is not None else None
    standstill_applies = (
        standstill is not None
        and regime in standstill.regimes
        and recommended.id not in standstill.exempt_procedures
        and exemption is None
    )
    standstill_citation = (
        standstill.citation_for(contract.authority) if standstill is not None else None
    )
    if standstill is not None and standstill_applies:
        standstill_log = DayLog()
        end = _standstill_end(
            award,
            standstill.days,
            standstill.day_kind,
            standstill.starts,
            calendar,
            standstill_log,
        )
        timeline.append(
            TimelineEvent(
                end,
                "standstill_end",
                f"Standstill ends ({standstill.days} {standstill.day_kind} days)",
                "deadline",
                standstill_citation,
                tuple(standstill_log.shifts),
            )
        )
        signature_log = DayLog()
        signature = add_days(end, 1)
        if standstill.day_kind == "working":
            signature = next_working_day(signature, calendar, signature_log)
    else:
        signature = award
        signature_log = DayLog()
    timeline.append(
        TimelineEvent(
            signature,
            "contract_signature",
            "Earliest contract signature",
            "milestone",
            None,
            tuple(signature_log.shifts),
        )
    )

    anchors = {
        "notice": start,
        "tender_deadline": tender_deadline or award,
        "award_decision": award,
        "signature": signature,
    }
    notices = tuple(
        TimelineEvent(
            add_days(anchors[n.at], n.offset_days),
            n.id,
            n.name + (f" ({n.note})" if n.note else ""),
            "notice",
            n.citation,
        )
        for n in pack.notices
        if regime in n.regimes
        and all(flag in flags for flag in n.when)
        and (not n.procedures or recommended.id in n.procedures)
        and recommended.id not in n.exclude_procedures
    )
    full_timeline = tuple(sorted((*timeline, *notices), key=lambda e: e.date))

    framework_limit = pack.framework_limit(contract.authority)
    if contract.contract_kind != pack.contract_kind:
        chosen_warnings.append(
            f"This is a {contract.contract_kind}, but {pack.id} holds the rules for "
            f"{pack.contract_kind}s and no {contract.contract_kind} pack exists for "
            f"{pack.jurisdiction}: check the {contract.contract_kind} rules yourself"
        )
    if exemption is not None and regime in (standstill.regimes if standstill else ()):
        chosen_warnings.append(exemption.note)
    chosen_warnings.extend(_prior_review_warnings(contract, pack, valuation.compared_value))
    if market_note:
        chosen_warnings.append(market_note)
    warnings = chosen_warnings + list(
        _warnings(
            contract,
            pack,
            framework_limit.max_years if framework_limit else None,
            standstill_applies,
        )
    )
    counts_working_days = any(plan.day_kind == "working" for plan in steps) or (
        standstill_applies and standstill is not None and standstill.day_kind == "working"
    )
    if counts_working_days and calendar.country is None:
        warnings.append(
            "Working days here skip weekends only: give the city's country (and region) "
            "so that its public holidays are skipped too"
        )
    citations = _dedupe(
        [
            threshold.citation,
            *(line.citation for line in valuation.lines),
            valuation.small_lots_citation,
            procedure.citation,
            *(c for plan in steps for c in plan.citations),
            standstill_citation if standstill_applies else None,
            exemption.citation if exemption is not None else None,
            framework_limit.citation if framework_limit and contract.framework else None,
            *(n.citation for n in notices),
        ]
    )
    return Assessment(
        pack_id=pack.id,
        pack_title=pack.title,
        pack_dates=pack.dates(),
        jurisdiction=pack.jurisdiction,
        currency=pack.currency,
        vat=pack.vat,
        valuation=valuation,
        threshold=threshold,
        above_threshold=above,
        regime=regime,
        procedures=tuple(options.values()),
        recommended=recommended,
        recommendation_reason=reason,
        steps=steps,
        standstill_days=standstill.days if standstill is not None and standstill_applies else 0,
        standstill_day_kind=standstill.day_kind if standstill is not None else "calendar",
        standstill_citation=standstill_citation,
        framework_max_years=framework_limit.max_years if framework_limit else None,
        notices=tuple(sorted(notices, key=lambda e: e.date)),
        timeline=full_timeline,
        notice_date=start,
        award_decision=award,
        earliest_signature=signature,
        warnings=tuple(warnings),
        citations=citations,
        working_calendar=calendar.label,
    )


def _warnings(
    contract: PlannedContract,
    pack: RulePack,
    framework_max: float | None,
    standstill_applies: bool,
) -> tuple[str, ...]:
    out = []
    if (
        contract.framework
        and contract.framework_years is not None
        and framework_max is not None
        and contract.framework_years > framework_max
    ):
        out.append(
            f"A framework of {contract.framework_years:g} years exceeds the {framework_max:g}-year "
            "maximum: only exceptional, duly justified cases may be longer"
        )
    if contract.pin and not any(
        "pin" in r.when for p in pack.procedures for s in p.steps for r in s.reductions
    ):
        out.append("This pack has no reduction for a prior information notice")
    if pack.standstill is not None and pack.standstill.note and standstill_applies:
        out.append(pack.standstill.note)
    return tuple(out)


RISK_RATINGS = ("high", "substantial", "moderate", "low")


def market_approach(contract: PlannedContract, pack: RulePack, value: float) -> tuple[str, str]:
    """The market-approach flag (``international_market`` / ``national_market``, or
    empty when the pack ships no figure for the category) and the note saying why.

    With a country threshold ``t`` for the category: international when value ≥ t,
    else national. Without one the note says the choice rests on the country table."""
    rules = pack.market_approach
    if rules is None:
        return "", ""
    source = rules.citation.ref + (", unverified" if rules.citation.unverified else "")
    row = rules.threshold_for(contract.category)
    country = f" ({rules.country})" if rules.country else ""
    if row is None:
        return "", (
            f"International or national market approach: the choice depends on the "
            f"thresholds the lender sets for the country{country}, "
            f"recorded in the Procurement Plan; no figure for {contract.category} is shipped "
            f"in {pack.id} ({source})"
        )
    where = f"{rules.country}'s" if rules.country else "the country's"
    figure = f"{row.min_value:,.0f} {pack.currency}" + (
        ", unverified" if row.citation.unverified else ""
    )
    if value >= row.min_value:
        return "international_market", (
            f"Open international market approach: the value reaches {where} threshold for "
            f"{contract.category} ({figure}; {row.citation.ref})"
        )
    return "national_market", (
        f"National market approach possible: the value is below {where} threshold for the "
        f"international approach for {contract.category} ({figure}; {row.citation.ref})"
    )


def _prior_review_warnings(contract: PlannedContract, pack: RulePack, value: float) -> list[str]:
    """Which procurement risk ratings would put this contract under prior review, and
    which ratings the pack has no figure for."""
    rows = [r for r in pack.prior_review if contract.category in r.categories]
    shown = {r.risk for r in rows}
    missing = [risk for risk in RISK_RATINGS if risk not in shown]
    notes = (
        [
            f"No prior-review threshold for the {', '.join(missing)} risk rating"
            f"{'s' if len(missing) > 1 else ''} is shipped in {pack.id} (not confirmed in a "
            "primary source): the Procurement Plan states the project's thresholds"
        ]
        if rows and missing
        else []
    )
    reached = [r for r in rows if value >= r.min_value]
    if not reached:
        return notes
    ratings = ", ".join(
        f"{r.risk} (from {r.min_value:,.0f} {pack.currency}"
        + (", unverified" if r.citation.unverified else "")
        + ")"
        for r in reached
    )
    return [
        f"Prior review by the lender applies if the project's procurement risk rating is: "
        f"{ratings}; the Procurement Plan may set lower thresholds ({reached[0].citation.ref})",
        *notes,
    ]


def earliest_contract_signature(
    contract: PlannedContract,
    pack: RulePack,
    notice_date: date | None = None,
    procedure_id: str | None = None,
) -> date:
    """Earliest date the contract can be signed if the notice goes out on ``notice_date``
    (default: the contract's planned notice date, else today)."""
    return assess(contract, pack, notice_date, procedure_id).earliest_signature


def lead_time_days(
    contract: PlannedContract,
    pack: RulePack,
    notice_date: date | None = None,
    procedure_id: str | None = None,
) -> int:
    """Calendar days from the notice to the earliest contract signature, for
    scheduling (the portfolio optimiser's earliest start year)."""
    return assess(contract, pack, notice_date, procedure_id).lead_time_days


def earliest_start_year(
    contract: PlannedContract, pack: RulePack, notice_date: date | None = None
) -> int:
    """Calendar year in which the contract can be signed at the earliest (a project
    procured this way cannot start before it)."""
    return earliest_contract_signature(contract, pack, notice_date).year
