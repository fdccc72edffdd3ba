"""Examining an award without a call for competition against the grounds the rule
pack lists (``direct_award_grounds``: e.g. Dir. 2014/24/EU Art. 32(2)-(5)).

1. The stated ground is found, in this order: the ground's id given by the tender
   description; a code of OCDS ``tender.procurementMethodRationaleClassifications``
   that a ground lists; the article the justification cites (``cited_as``,
   compared without spaces; the most specific reference wins and, among grounds
   cited at the same level, the law's own name of the ground decides); failing
   an article, the law's own name of exactly one ground.
2. The ground must fit the contract: its categories and authority types.
3. Each condition is a fact the tender states yes or no (``facts``). Any "no"
   fails with the condition's question; any fact not stated means the answer
   needs information, listing the questions; all "yes" passes.

The answer always names the article. No ground found: fail when nothing at all
justifies the award, needs information when a justification names none of the
pack's grounds (or the pack lists none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rules.rule_pack import DirectAwardGround, RulePack

PASS, FAIL, NEEDS_INFORMATION = "pass", "fail", "unknown"


@dataclass(frozen=True)
class StatedRationale:
    """What a tender says to justify an award without competition."""

    text: str = ""
    ground_id: str = ""
    classifications: tuple[tuple[str, str], ...] = ()  # (scheme, id)
    facts: Mapping[str, bool] | None = None
    category: str | None = None
    authority: str | None = None


@dataclass(frozen=True)
class GroundAnswer:
    """The examination's answer: ``status`` pass, fail or unknown (needs
    information), the message naming the article, the ground (if one was found)
    and the facts still to be stated."""

    status: str
    message: str
    ground: DirectAwardGround | None = None
    missing_facts: tuple[str, ...] = ()


def _squeezed(text: str) -> str:
    return "".join(text.split()).lower()


def _cited(grounds: Sequence[DirectAwardGround], text: str) -> list[DirectAwardGround]:
    """Grounds whose article reference the text cites, most specific first wins."""
    squeezed = _squeezed(text)
    best: dict[str, int] = {}
    for ground in grounds:
        lengths = [len(ref) for ref in map(_squeezed, ground.cited_as) if ref in squeezed]
        if lengths:
            best[ground.id] = max(lengths)
    if not best:
        return []
    top = max(best.values())
    return [g for g in grounds if best.get(g.id) == top]


def _named(grounds: Sequence[DirectAwardGround], text: str) -> list[DirectAwardGround]:
    lowered = text.lower()
    return [g for g in grounds if any(name.lower() in lowered for name in g.named)]


def stated_grounds(pack: RulePack, stated: StatedRationale) -> list[DirectAwardGround]:
    """The pack's grounds the tender states (more than one: it is ambiguous)."""
    grounds = pack.direct_award_grounds
    if stated.ground_id:
        return [g for g in grounds if g.id == stated.ground_id]
    codes = set(stated.classifications)
    by_code = [g for g in grounds if any((c.scheme, c.id) in codes for c in g.classifications)]
    if by_code:
        return by_code
    cited = _cited(grounds, stated.text)
    if len(cited) > 1:
        named = _named(cited, stated.text)
        return named if len(named) == 1 else cited
    return cited or _named(grounds, stated.text)


def _fits(ground: DirectAwardGround, stated: StatedRationale) -> GroundAnswer | None:
    ref = ground.citation.ref
    for limit, value, kind in (
        (ground.categories, stated.category, "contract categories"),
        (ground.authorities, stated.authority, "authority types"),
    ):
        if not limit:
            continue
        if value is None:
            return GroundAnswer(
                NEEDS_INFORMATION,
                f"{ref} applies only to {kind} {', '.join(limit)}; the tender's is not known",
                ground,
            )
        if value not in limit:
            return GroundAnswer(
                FAIL,
                f"{ref} applies only to {kind} {', '.join(limit)}, not {value}",
                ground,
            )
    return None


def examine_ground(ground: DirectAwardGround, stated: StatedRationale) -> GroundAnswer:
    """Check one ground's scope and conditions against the stated facts."""
    ref = f"{ground.citation.ref} ({ground.title})"
    unfit = _fits(ground, stated)
    if unfit is not None:
        return unfit
    facts = stated.facts or {}
    denied = [c for c in ground.conditions if facts.get(c.fact) is False]
    if denied:
        return GroundAnswer(
            FAIL,
            f"{ref}: condition not met: " + "; ".join(c.question for c in denied),
            ground,
        )
    missing = [c for c in ground.conditions if c.fact not in facts]
    if missing:
        return GroundAnswer(
            NEEDS_INFORMATION,
            f"{ref} is stated; state the facts of its conditions: "
            + "; ".join(f"{c.question} [{c.fact}]" for c in missing),
            ground,
            tuple(c.fact for c in missing),
        )
    return GroundAnswer(
        PASS,
        f"{ref}: every condition is stated as met ("
        + ", ".join(c.fact for c in ground.conditions)
        + ")",
        ground,
    )


def examine_direct_award(pack: RulePack, stated: StatedRationale) -> GroundAnswer:
    """The answer for a limited or direct award under ``pack`` (see the module doc)."""
    justified = stated.text.strip() or stated.ground_id or stated.classifications
    if not pack.direct_award_grounds:
        if not justified:
            return GroundAnswer(FAIL, "Limited or direct award without a stated justification")
        return GroundAnswer(
            NEEDS_INFORMATION,
            f"{pack.id} lists no grounds for an award without competition: check the "
            f"justification against {pack.title} by hand",
        )
    grounds = stated_grounds(pack, stated)
    listed = "; ".join(f"{g.citation.ref} {g.title}" for g in pack.direct_award_grounds)
    if not grounds:
        if stated.ground_id:
            return GroundAnswer(
                FAIL, f"{stated.ground_id!r} is not a ground of {pack.id}; its grounds: {listed}"
            )
        if not justified:
            return GroundAnswer(
                FAIL, f"Limited or direct award without a stated ground; the grounds: {listed}"
            )
        return GroundAnswer(
            NEEDS_INFORMATION,
            f"The justification states none of the grounds of {pack.id}; state one: {listed}",
        )
    if len(grounds) > 1:
        return GroundAnswer(
            NEEDS_INFORMATION,
            "The justification could be any of: "
            + "; ".join(f"{g.citation.ref} {g.title}" for g in grounds)
            + ": state which",
        )
    return examine_ground(grounds[0], stated)
