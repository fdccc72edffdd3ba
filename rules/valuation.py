"""Estimating a contract's value for the threshold test, and the anti-splitting check.

Value for the threshold test (EU Dir. 2014/24 Art. 5; UK PA 2023 Sch. 3)::

    base     = Σ lot values                        if lots are given
             = monthly_value × min(duration, 48)   if only a monthly value is given
                                                    (indefinite or > 48 months → 48)
             = estimated_value                      otherwise
    total    = base + options + renewals            (net of VAT)
    compared = total × (1 + vat_rate)               if the pack's thresholds include VAT
             = total                                otherwise

Small-lots exemption (Art. 5(10)): lots each below the category's limit may be
awarded outside the regime while their sum stays ≤ max_share × total lot value.
The engine takes the smallest eligible lots first, which exempts the most lots.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rules.contract import Lot, PlannedContract
from rules.rule_pack import Citation, RulePack


@dataclass(frozen=True)
class ValuationLine:
    """One term of the valuation with the rule it applies."""

    label: str
    amount: float
    citation: Citation | None = None


@dataclass(frozen=True)
class ContractValuation:
    """The value compared with the threshold, and how it was reached."""

    base_value: float
    total_value: float
    compared_value: float
    vat_added: float
    lines: tuple[ValuationLine, ...]
    exempt_lots: tuple[Lot, ...] = ()
    small_lots_citation: Citation | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "base_value": self.base_value,
            "total_value_net_of_vat": self.total_value,
            "compared_value": self.compared_value,
            "vat_added": self.vat_added,
            "lines": [
                {
                    "label": line.label,
                    "amount": line.amount,
                    "citation": line.citation.as_dict() if line.citation else None,
                }
                for line in self.lines
            ],
            "small_lots_exempt": [
                {"id": lot.id, "title": lot.title, "value": lot.value} for lot in self.exempt_lots
            ],
        }


def small_lots_exemption(lots: Sequence[Lot], category: str, pack: RulePack) -> tuple[Lot, ...]:
    """The largest set of lots that may be awarded outside the regime.

    Eligible: value < the pack's per-category limit. Constraint: Σ exempt ≤
    max_share × Σ all lots. Smallest first maximises the number of exempt lots.
    """
    rule = pack.valuation.small_lots
    if rule is None or len(lots) < 2 or category not in rule.max_lot_value:
        return ()
    limit = rule.max_lot_value[category]
    budget = rule.max_share * sum(lot.value for lot in lots)
    chosen: list[Lot] = []
    used = 0.0
    for lot in sorted((lot for lot in lots if lot.value < limit), key=lambda lot: lot.value):
        if used + lot.value > budget:
            break
        chosen.append(lot)
        used += lot.value
    return tuple(chosen)


def value_contract(contract: PlannedContract, pack: RulePack) -> ContractValuation:
    """Apply the pack's valuation rules to a planned contract."""
    rules = pack.valuation
    lines: list[ValuationLine] = []
    if contract.lots:
        base = sum(lot.value for lot in contract.lots)
        lines.append(
            ValuationLine(f"all {len(contract.lots)} lots aggregated", base, rules.lots_citation)
        )
    elif contract.monthly_value is not None:
        cap = rules.indefinite_duration_months or 48
        duration = contract.duration_months
        months = duration if duration is not None and duration <= cap else cap
        base = contract.monthly_value * months
        lines.append(
            ValuationLine(
                f"monthly value × {months} months"
                + ("" if duration is not None and duration <= cap else f" ({cap}-month rule)"),
                base,
                rules.indefinite_duration_citation,
            )
        )
    else:
        base = contract.estimated_value
        lines.append(ValuationLine("estimated value (net of VAT)", base))
    if contract.options_value:
        lines.append(ValuationLine("options", contract.options_value, rules.options_citation))
    if contract.renewals_value:
        lines.append(ValuationLine("renewals", contract.renewals_value, rules.options_citation))
    total = base + contract.options_value + contract.renewals_value
    vat_added = total * pack.vat_rate if pack.vat == "included" else 0.0
    if vat_added:
        lines.append(
            ValuationLine(
                f"VAT at {pack.vat_rate:.0%} (thresholds include VAT)", vat_added, pack.vat_citation
            )
        )
    exempt = small_lots_exemption(contract.lots, contract.category, pack)
    return ContractValuation(
        base_value=base,
        total_value=total,
        compared_value=total + vat_added,
        vat_added=vat_added,
        lines=tuple(lines),
        exempt_lots=exempt,
        small_lots_citation=rules.small_lots.citation if exempt and rules.small_lots else None,
    )


def is_above(value: float, threshold: float, pack: RulePack) -> bool:
    """Whether ``value`` brings the regulated regime (at-or-above, or strictly above)."""
    return value > threshold if pack.threshold_comparison == "above" else value >= threshold


@dataclass(frozen=True)
class SplittingWarning:
    """Contracts that look like one purchase split to stay under a threshold."""

    cpv_division: str
    year: int
    contract_ids: tuple[str, ...]
    total_value: float
    threshold: float
    currency: str
    citation: Citation | None
    message: str
    heuristic: str = ""

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "cpv_division": self.cpv_division,
            "year": self.year,
            "contracts": list(self.contract_ids),
            "total_value": self.total_value,
            "threshold": self.threshold,
            "currency": self.currency,
            "citation": self.citation.as_dict() if self.citation else None,
            "message": self.message,
            "heuristic": self.heuristic,
        }


def check_splitting(contracts: Sequence[PlannedContract], pack: RulePack) -> list[SplittingWarning]:
    """Flag groups with the same CPV division and year, each below its threshold,
    whose combined value reaches the (lowest) threshold of the group.

    Contracts without a CPV code or notice date cannot be grouped and are skipped.
    A heuristic, not a legal finding: objective reasons may justify separate awards.
    """
    rule = pack.valuation.anti_splitting
    digits = rule.cpv_digits if rule else 2
    groups: dict[tuple[str, int], list[tuple[PlannedContract, float, float]]] = defaultdict(list)
    for contract in contracts:
        if not contract.cpv or contract.notice_date is None:
            continue
        valuation = value_contract(contract, pack)
        threshold = pack.threshold_for(contract.category, contract.authority).value
        groups[(contract.cpv[:digits], contract.notice_date.year)].append(
            (contract, valuation.compared_value, threshold)
        )
    warnings = []
    for (division, year), members in sorted(groups.items()):
        if len(members) < 2:
            continue
        if any(is_above(value, threshold, pack) for _, value, threshold in members):
            continue
        total = sum(value for _, value, _ in members)
        threshold = min(threshold for _, _, threshold in members)
        if not is_above(total, threshold, pack):
            continue
        ids = tuple(c.id or c.title or f"#{i}" for i, (c, _, _) in enumerate(members, start=1))
        warnings.append(
            SplittingWarning(
                cpv_division=division,
                year=year,
                contract_ids=ids,
                total_value=total,
                threshold=threshold,
                currency=pack.currency,
                citation=rule.citation if rule else None,
                heuristic=rule.heuristic if rule else "",
                message=(
                    f"{len(members)} contracts in CPV division {division} planned for {year} "
                    f"are each below the threshold but together worth {total:,.0f} "
                    f"{pack.currency} (threshold {threshold:,.0f}): value them together "
                    "unless objective reasons justify separate awards (grouping by the first "
                    f"{digits} CPV digits and the calendar year is this tool's heuristic, "
                    "not a legal test)"
                ),
            )
        )
    return warnings


def check_splitting_by_kind(
    contracts: Sequence[PlannedContract], pack: RulePack, concession_pack: RulePack
) -> list[SplittingWarning]:
    """:func:`check_splitting` per kind of award: public contracts under ``pack``,
    concessions among themselves under ``concession_pack`` (their own threshold and
    valuation rule, e.g. Dir. 2014/23/EU Art. 8). Call-offs under a framework agreement
    are left out: their value was counted when the framework agreement was valued (the
    maximum value of all contracts envisaged for its term, Dir. 2014/24/EU Art. 5(5)),
    so they are not separate purchases to add up again."""
    public = [c for c in contracts if not c.concession and not c.call_off]
    concessions = [c for c in contracts if c.concession]
    return check_splitting(public, pack) + check_splitting(concessions, concession_pack)
