"""Units matched by meaning, with conversions: a city's "litres/day per capita" is the
catalogue's "Litres per capita per day"; "per 1 000 inhabitants" converts to "per
100 000 inhabitants".

A unit is read as a bag of concepts: words are lower-cased, singular, mapped
through :data:`SYNONYMS` (capita = inhabitant = person = resident …), filler words
("per", "number", "of" …) and notes in brackets are dropped, word order does not
matter, but what follows "per" is a divisor. Scales are kept apart as a factor
(``per 100 000 inhabitants`` is "/person" with factor 1e-5, "m3" is 1 000
litres), so a value in one unit is ``value × factor(given) / factor(expected)``
in the other. Two units match when their concepts agree; otherwise it is a real mismatch.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from decision_support.kpis.catalogue import KPI

# word → (concept, factor to the concept's base unit)
SYNONYMS: dict[str, tuple[str, float]] = {
    **{w: ("person", 1.0) for w in ("capita", "inhabitant", "person", "resident", "people")},
    **{w: ("litre", 1.0) for w in ("litre", "liter", "l")},
    **{w: ("litre", 1000.0) for w in ("m3", "cubic-metre", "cubic-meter")},
    **{w: ("day", 1.0) for w in ("day", "d", "daily")},
    **{w: ("year", 1.0) for w in ("year", "yr", "annum", "annual", "yearly")},
    **{w: ("minute", 1.0) for w in ("minute", "min")},
    **{w: ("minute", 60.0) for w in ("hour", "h", "hr")},
    **{w: ("energy", 1.0) for w in ("kwh",)},
    **{w: ("energy", 1000.0) for w in ("mwh",)},
    **{w: ("energy", 1e6) for w in ("gwh",)},
    **{w: ("length", 1.0) for w in ("km", "kilometre", "kilometer")},
    **{w: ("length", 0.001) for w in ("m", "metre", "meter")},
    **{w: ("percent", 1.0) for w in ("%", "percent", "percentage", "pct")},
    "fte": ("full-time-equivalent", 1.0),
    "gdp": ("gdp", 1.0),
    "interruption": ("interruption", 1.0),
    "customer": ("customer", 1.0),
    "service": ("service", 1.0),
    "index": ("index", 1.0),
}
FILLER = frozenset({"per", "number", "of", "the", "a", "in", "and", "city", "s", "each", "total"})
POPULATION_BASES = {"1000": 1e-3, "10000": 1e-4, "100000": 1e-5, "1000000": 1e-6}
_BRACKETS = re.compile(r"\([^)]*\)")
_RANGE = re.compile(r"\b\d+\s*-\s*\d+\b")
_WORD = re.compile(r"%|[a-z0-9]+(?:-[a-z]+)?")


@dataclass(frozen=True)
class Unit:
    """A unit as concepts (with their multiplicity) and the product of their factors."""

    concepts: tuple[tuple[str, int], ...]
    factor: float


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and len(word) > 3 and not word.endswith("ss"):
        return word[:-1]
    return word


def parse_unit(text: str, *, keep_brackets: bool = False) -> Unit:
    """The concepts of a unit text (notes in brackets dropped unless ``keep_brackets``)."""
    lowered = text.lower().replace("µ", "u").replace("³", "3").replace("/", " per ")
    lowered = (
        lowered.replace("(", " ").replace(")", " ")
        if keep_brackets
        else _BRACKETS.sub(" ", lowered)
    )
    lowered = _RANGE.sub(" ", lowered)
    lowered = re.sub(r"(\d)[\s,.](?=000\b)", r"\1", lowered)  # 100 000 → 100000
    lowered = re.sub(r"(\d)[\s,.](?=000\b)", r"\1", lowered)
    concepts: Counter[str] = Counter()
    factor = 1.0
    below = False  # the next concept is divided by ("per …")
    for raw in _WORD.findall(lowered):
        if raw == "per":
            below = True
            continue
        if raw in POPULATION_BASES:
            factor *= POPULATION_BASES[raw]
            continue
        word = _singular(raw)
        if word in FILLER or raw in FILLER:
            continue
        concept, scale = SYNONYMS.get(word, SYNONYMS.get(raw, (word, 1.0)))
        concepts[f"/{concept}" if below else concept] += 1
        factor *= 1 / scale if below else scale
        below = False
    return Unit(tuple(sorted(concepts.items())), factor)


def conversion_factor(given: str, expected: str) -> float | None:
    """The factor turning a value in ``given`` into ``expected`` (1.0 when they are
    the same unit), or None when the units mean different things."""
    theirs = parse_unit(given)
    if not theirs.concepts:
        return None
    for ours in (parse_unit(expected), parse_unit(expected, keep_brackets=True)):
        if ours.concepts == theirs.concepts:
            return theirs.factor / ours.factor
    return None


def ratio_scale(kpi: KPI) -> float:
    """What numerator/denominator is multiplied by to give the KPI's unit."""
    if kpi.value_kind == "percentage":
        return 100.0
    match = re.search(r"per\s*(100[\s,.]?000|10[\s,.]?000|1[\s,.]?000)\b", kpi.unit.lower())
    return float(re.sub(r"[\s,.]", "", match.group(1))) if match else 1.0
