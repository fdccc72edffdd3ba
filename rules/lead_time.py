"""Procurement lead times for scheduling: an estimator the portfolio optimiser can
call for each project's procurement description (duck-typed: any object with
``category``, ``estimated_value``, ``cpv`` and ``procedure`` attributes, such as
``decision_support.portfolio.scenario.ProcurementSpec``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol

from rules.assessment import assess
from rules.contract import CPV_PATTERN, PlannedContract
from rules.rule_pack import CATEGORIES, RulePack, route_pack

CATEGORY_ALIASES = {"goods": "supplies", "social": "social-services"}


class ProcurementLike(Protocol):
    """What the estimator reads from a project's procurement description."""

    @property
    def category(self) -> str: ...

    @property
    def estimated_value(self) -> float | None: ...

    @property
    def cpv(self) -> str: ...

    @property
    def procedure(self) -> str: ...


def lead_time_estimator(
    pack: RulePack,
    notice_date: date,
    authority: str = "sub-central",
) -> Callable[[ProcurementLike], int | None]:
    """A function giving the days from ``notice_date`` to the earliest contract
    signature for a procurement description, or None when its category or value
    is unknown. A ``procedure`` naming a procedure of the pack is followed;
    "innovation-partnership" / negotiated procedures also set the matching need. A
    procedure that does not belong to the contract's regime (e.g. "open" below the
    threshold) is ignored in favour of the recommended one. A ``procedure`` starting
    with "concession" (a user-pays PPP concession from the financing catalogue) marks
    a concession, estimated under the jurisdiction's concession pack when one exists."""
    concession_pack = route_pack(pack, "concession", notice_date)

    def estimate(spec: ProcurementLike) -> int | None:
        category = CATEGORY_ALIASES.get(spec.category, spec.category)
        if category not in CATEGORIES or spec.estimated_value is None:
            return None
        procedure = spec.procedure or None
        concession = procedure is not None and procedure.lower().startswith("concession")
        rules = concession_pack if concession else pack
        known = {p.id for p in rules.procedures}
        contract = PlannedContract(
            category=category,
            authority=authority,
            estimated_value=float(spec.estimated_value),
            cpv=spec.cpv if spec.cpv and CPV_PATTERN.match(spec.cpv) else None,
            notice_date=notice_date,
            needs_innovation=procedure == "innovation-partnership",
            needs_negotiation=procedure is not None and "negotiat" in procedure,
            concession=concession,
        )
        default = assess(contract, rules)
        if procedure in known and procedure in {p.id for p in default.procedures}:
            return assess(contract, rules, procedure_id=procedure).lead_time_days
        return default.lead_time_days

    return estimate
