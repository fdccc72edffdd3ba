"""Scanning specification text for brand and product names used without
"or equivalent" (Dir. 2014/24/EU Art. 42(4); Procurement Act 2023 s.56), and for
standard references without "or equivalent" (Art. 42(3)(b))."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from rules.rule_pack import parse_yaml

EQUIVALENCE_WINDOW = 120  # characters after a mention in which "or equivalent" counts
CONTEXT = 50
STANDARD_PATTERN = re.compile(
    r"\b(?:EN|ISO(?:/IEC)?|IEC|ETSI\s+(?:EN|TS|GS)|ITU-T|IEEE)\s?[A-Z]?\.?\s?\d+(?:[ .\-:/]\d+)*"
)
SENTENCE_END = re.compile(r"[.;\n]")


@dataclass(frozen=True)
class BrandList:
    """Brand names to look for and the phrases that express equivalence."""

    brands: tuple[str, ...]
    equivalence_phrases: tuple[str, ...]


@dataclass(frozen=True)
class Mention:
    """A brand or standard found in the text, and whether equivalence is allowed."""

    name: str
    excerpt: str
    has_equivalent: bool

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"name": self.name, "excerpt": self.excerpt, "or_equivalent": self.has_equivalent}


@cache
def default_brand_list() -> BrandList:
    """The shipped list of common ICT brands (``rules/criteria/ict-brands.yaml``)."""
    text = files("rules.criteria").joinpath("ict-brands.yaml").read_text(encoding="utf-8")
    data = parse_yaml(text)
    return BrandList(tuple(data["brands"]), tuple(data["equivalence_phrases"]))


def _followed_by_equivalent(text: str, end: int, phrases: Sequence[str]) -> bool:
    window = text[end : end + EQUIVALENCE_WINDOW]
    stop = SENTENCE_END.search(window)
    window = (window[: stop.start()] if stop else window).lower()
    return any(phrase.lower() in window for phrase in phrases)


def _excerpt(text: str, start: int, end: int) -> str:
    snippet = text[max(0, start - CONTEXT) : end + CONTEXT]
    return " ".join(snippet.split())


def find_brands(text: str, brand_list: BrandList | None = None) -> list[Mention]:
    """Every brand mention (whole word, case as listed) with its equivalence status."""
    brands = brand_list or default_brand_list()
    names = sorted(brands.brands, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(name) for name in names) + r")(?![\w-])"
    )
    return [
        Mention(
            match.group(1),
            _excerpt(text, match.start(), match.end()),
            _followed_by_equivalent(text, match.end(), brands.equivalence_phrases),
        )
        for match in pattern.finditer(text)
    ]


def find_standards(text: str, brand_list: BrandList | None = None) -> list[Mention]:
    """Every standard reference (EN, ISO, IEC, ETSI, ITU-T, IEEE) and its equivalence status."""
    phrases = (brand_list or default_brand_list()).equivalence_phrases
    return [
        Mention(
            " ".join(match.group(0).split()),
            _excerpt(text, match.start(), match.end()),
            _followed_by_equivalent(text, match.end(), phrases),
        )
        for match in STANDARD_PATTERN.finditer(text)
    ]
