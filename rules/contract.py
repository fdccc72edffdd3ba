"""The planned contract: what a procurement officer knows before the notice."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from decision_support.errors import Problem
from rules.buyer import country_problems, identifier_problems
from rules.errors import PlannedContractError
from rules.rule_pack import AUTHORITIES, CATEGORIES

CPV_PATTERN = re.compile(r"^\d{8}(-\d)?$")
LOT_SUM_TOLERANCE = 0.5  # currency units: rounding in user-entered lot values


@dataclass(frozen=True)
class Lot:
    """One lot of a contract and its estimated value (net of VAT)."""

    value: float
    id: str = ""
    title: str = ""


AWARD_CRITERION_TYPES = ("price", "cost", "quality")
SELECTION_CRITERION_TYPES = ("economic", "technical", "suitability", "other")


@dataclass(frozen=True)
class AwardCriterion:
    """One award criterion (OCDS award criteria extension): ``type`` is price, cost
    or quality; ``weight`` is its weighting in percent, if weighted."""

    type: str
    name: str = ""
    weight: float | None = None


@dataclass(frozen=True)
class SelectionCriterion:
    """One condition for participation (OCDS selection criteria extension)."""

    type: str
    description: str
    minimum: str = ""


@dataclass(frozen=True)
class PlannedContract:
    """A contract before its call for competition.

    ``estimated_value`` is the total payable net of VAT, without options and
    renewals (those go in ``options_value`` / ``renewals_value``). With ``lots``,
    the lots must add up to ``estimated_value`` (or ``estimated_value`` may be 0
    and the lots give it). With ``monthly_value`` (a service or lease with no total
    price), ``estimated_value`` must be 0: the total comes from the 48-month rule.
    """

    category: str
    authority: str
    estimated_value: float = 0.0
    options_value: float = 0.0
    renewals_value: float = 0.0
    lots: tuple[Lot, ...] = ()
    monthly_value: float | None = None
    duration_months: int | None = None
    framework: bool = False
    framework_years: float | None = None
    urgent: bool = False
    pin: bool = False
    electronic: bool = True
    documents_at_notice: bool = True
    tender_period_agreed: bool = False
    needs_innovation: bool = False
    needs_negotiation: bool = False
    no_suitable_tenders: bool = False
    direct_award_ground: str | None = None
    commercial: bool = False
    concession: bool = False
    call_off: bool = False
    notice_date: date | None = None
    cpv: str | None = None
    id: str = ""
    title: str = ""
    buyer: str = ""
    country: str = ""  # the city's ISO 3166-1 alpha-2 code: its public holidays
    region: str = ""  # the city's region (ISO 3166-2 subdivision) where holidays differ
    buyer_id_scheme: str = ""  # org-id.guide list code, e.g. GB-COH
    buyer_id: str = ""
    award_criteria: tuple[AwardCriterion, ...] = ()
    selection_criteria: tuple[SelectionCriterion, ...] = ()
    extra_flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def contract_kind(self) -> str:
        """``concession`` or ``contract``: which kind of rule pack governs it."""
        return "concession" if self.concession else "contract"

    @property
    def cpv_division(self) -> str | None:
        """First two digits of the CPV code (the division), if a code is given."""
        return self.cpv[:2] if self.cpv else None

    def flags(self) -> frozenset[str]:
        """The facts rule-pack conditions test (``when`` / ``requires_any``)."""
        facts = {
            "electronic": self.electronic,
            "pin": self.pin,
            "urgent": self.urgent,
            "documents_at_notice": self.documents_at_notice,
            "tender_period_agreed": self.tender_period_agreed,
            "framework": self.framework,
            "lots": len(self.lots) > 1,
            "innovation": self.needs_innovation,
            "negotiation": self.needs_negotiation,
            "no_suitable_tenders": self.no_suitable_tenders,
            "direct_award_ground": bool(self.direct_award_ground),
            "commercial": self.commercial,
            "concession": self.concession,
            "call_off": self.call_off,
        }
        named = {name for name, on in facts.items() if on}
        return frozenset({*named, self.authority, self.category, *self.extra_flags})


def check_planned_contract(contract: PlannedContract) -> None:
    """Raise :class:`PlannedContractError` listing every problem in ``contract``."""
    problems: list[Problem] = []
    if contract.category not in CATEGORIES:
        problems.append(Problem(f"must be one of {', '.join(CATEGORIES)}", field="category"))
    if contract.authority not in AUTHORITIES:
        problems.append(Problem(f"must be one of {', '.join(AUTHORITIES)}", field="authority"))
    for name in ("estimated_value", "options_value", "renewals_value"):
        if getattr(contract, name) < 0:
            problems.append(Problem("must not be negative", field=name))
    if contract.monthly_value is not None:
        if contract.monthly_value < 0:
            problems.append(Problem("must not be negative", field="monthly_value"))
        if contract.estimated_value:
            problems.append(
                Problem(
                    "give either a total estimated value or a monthly value, not both",
                    field="monthly_value",
                )
            )
    if contract.duration_months is not None and contract.duration_months <= 0:
        problems.append(Problem("must be a positive number of months", field="duration_months"))
    for index, lot in enumerate(contract.lots, start=1):
        if lot.value < 0:
            problems.append(Problem(f"lot {index} value must not be negative", field="lots"))
    if contract.lots and contract.estimated_value:
        lot_sum = sum(lot.value for lot in contract.lots)
        if abs(lot_sum - contract.estimated_value) > LOT_SUM_TOLERANCE:
            problems.append(
                Problem(
                    f"lots add up to {lot_sum:,.2f} but the estimated value is "
                    f"{contract.estimated_value:,.2f}",
                    field="lots",
                )
            )
    if contract.cpv is not None and not CPV_PATTERN.match(contract.cpv):
        problems.append(
            Problem("CPV code must be 8 digits, optionally with a check digit (-N)", field="cpv")
        )
    for criterion in contract.award_criteria:
        if criterion.type not in AWARD_CRITERION_TYPES:
            problems.append(
                Problem(
                    f"award criterion type must be one of {', '.join(AWARD_CRITERION_TYPES)}",
                    field="award_criteria",
                )
            )
        if criterion.weight is not None and not 0 <= criterion.weight <= 100:
            problems.append(Problem("weights are percentages (0 to 100)", field="award_criteria"))
    weights = [c.weight for c in contract.award_criteria if c.weight is not None]
    if weights and abs(sum(weights) - 100) > LOT_SUM_TOLERANCE:
        problems.append(
            Problem(
                f"award criteria weights add up to {sum(weights):g} %, not 100 %",
                field="award_criteria",
            )
        )
    for selection in contract.selection_criteria:
        if selection.type not in SELECTION_CRITERION_TYPES:
            problems.append(
                Problem(
                    "selection criterion type must be one of "
                    f"{', '.join(SELECTION_CRITERION_TYPES)}",
                    field="selection_criteria",
                )
            )
    if bool(contract.buyer_id) != bool(contract.buyer_id_scheme):
        problems.append(
            Problem("give both the identifier scheme and the identifier", field="buyer_id")
        )
    elif contract.buyer_id:
        problems.extend(identifier_problems(contract.buyer_id_scheme, contract.buyer_id))
    if contract.country:
        problems.extend(country_problems(contract.country, field="country"))
    if contract.framework_years is not None and contract.framework_years <= 0:
        problems.append(Problem("must be positive", field="framework_years"))
    if problems:
        raise PlannedContractError(problems)
