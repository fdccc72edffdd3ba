"""The buyer's identity in a notice: language, country, region and organisation
identifier, each checked against a code list that ships with an installed package.

- Language: a BCP 47 tag whose primary subtag is an ISO 639 language that Unicode
  CLDR names (the ``babel`` package's locale data).
- Country: an ISO 3166-1 alpha-2 code. CLDR's two-letter territories minus the
  codes that are not ISO 3166-1 assignments (CLDR groupings such as EU, EZ, UN;
  private-use XA, XB, XK, QO, ZZ; ISO's exceptionally reserved AC, CP, CQ, DG, EA,
  IC, TA) are exactly the 249 assigned ISO 3166-1 codes.
- Region: an ISO 3166-2 subdivision code without the country prefix. Where the
  ``holidays`` library has a calendar with subdivisions for the country (UK
  nations, German Länder, Spanish autonomous communities, US states…), the code
  must be one of them, since it also chooses the working-day calendar; elsewhere
  only its form (1-3 letters or digits) is checked.
- Organisation identifier: an org-id.guide list code (https://org-id.guide/about:
  a country prefix or XI/XM, a hyphen, the register's code, e.g. ``GB-COH``,
  ``ES-DIR3``) and the identifier in that register. The list itself is not
  shipped: only the code's form and its country prefix are checked.
"""

from __future__ import annotations

import re
from functools import cache

import holidays
from babel import Locale

from decision_support.errors import Problem

NOT_ISO_3166_1 = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)
LANGUAGE_TAG = re.compile(r"^([a-z]{2,3})(-[A-Za-z0-9]{2,8})*$")
REGION_CODE = re.compile(r"^[A-Z0-9]{1,3}$")
ORG_ID_SCHEME = re.compile(r"^([A-Z]{2})-[A-Z0-9]+(?:-[A-Z0-9]+)*$")
INTERNATIONAL_PREFIXES = frozenset({"XI", "XM"})  # org-id.guide: international, multilateral
BUYER_ID_MAX = 100


@cache
def _english() -> Locale:
    return Locale("en")


@cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → English short name (CLDR)."""
    return {
        code: name
        for code, name in _english().territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_ISO_3166_1
    }


@cache
def languages() -> dict[str, str]:
    """ISO 639 language code (2 or 3 letters) → English name (CLDR)."""
    return {code: name for code, name in _english().languages.items() if code.isalpha()}


@cache
def holiday_regions(country: str) -> tuple[str, ...]:
    """The subdivisions the ``holidays`` library distinguishes for ``country``
    (empty when it has no calendar for it or no regional holidays)."""
    try:
        return tuple(holidays.country_holidays(country).subdivisions)
    except NotImplementedError:
        return ()


def country_name(code: str) -> str:
    """The English short name of an ISO 3166-1 alpha-2 code (the code if unknown)."""
    return countries().get(code, code)


def language_problems(tag: str, field: str = "language") -> list[Problem]:
    """Why ``tag`` is not a usable BCP 47 language tag (empty if it is)."""
    match = LANGUAGE_TAG.match(tag)
    if not match:
        return [Problem("use a lowercase BCP 47 / ISO 639-1 tag, e.g. en, es or uk", field=field)]
    if match.group(1) not in languages():
        return [Problem(f"{match.group(1)!r} is not an ISO 639 language code", field=field)]
    return []


def country_problems(code: str, field: str = "country_code") -> list[Problem]:
    """Why ``code`` is not an assigned ISO 3166-1 alpha-2 code (empty if it is)."""
    if code not in countries():
        return [Problem("use a two-letter ISO 3166-1 country code, e.g. ES or GB", field=field)]
    return []


def region_problems(country: str, region: str, field: str = "region_code") -> list[Problem]:
    """Why ``region`` is not a subdivision of ``country`` (empty if it is, or is blank)."""
    if not region:
        return []
    if not country:
        return [Problem("give the country before its region", field=field)]
    known = holiday_regions(country)
    if known and region not in known:
        return [Problem(f"not a region of {country}; use one of {', '.join(known)}", field=field)]
    if not REGION_CODE.match(region):
        return [Problem("use the ISO 3166-2 code after the country prefix, e.g. CT", field=field)]
    return []


def identifier_problems(
    scheme: str, identifier: str, scheme_field: str = "buyer_id_scheme", id_field: str = "buyer_id"
) -> list[Problem]:
    """Why an organisation identifier (org-id.guide scheme + id) is unusable."""
    if not scheme and not identifier:
        return []
    problems = []
    match = ORG_ID_SCHEME.match(scheme)
    if not scheme:
        problems.append(Problem("give the register (scheme) of the identifier", field=scheme_field))
    elif not match:
        problems.append(
            Problem("use an org-id.guide list code, e.g. GB-COH or ES-DIR3", field=scheme_field)
        )
    elif match.group(1) not in INTERNATIONAL_PREFIXES and match.group(1) not in countries():
        problems.append(
            Problem(f"{match.group(1)!r} is neither a country code nor XI/XM", field=scheme_field)
        )
    if not identifier.strip():
        problems.append(Problem("give the identifier in that register", field=id_field))
    elif len(identifier) > BUYER_ID_MAX or identifier != identifier.strip():
        problems.append(
            Problem(
                f"at most {BUYER_ID_MAX} characters, no leading or trailing spaces", field=id_field
            )
        )
    return problems
