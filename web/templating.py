"""Template globals: permissions, navigation, number formatting.

Numbers are written the way the city's readers write them (Babel's CLDR data):
thousands separators, no exponents, money with its currency sign and millions
in short form ("€82.65M"), shares as percentages. The locale is the one of the
city's country when Babel recognises it (an ISO code or an English country name),
else the ``NUMBER_LOCALE`` setting.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
)
from flask import Flask, current_app, g, has_request_context
from markupsafe import Markup

from models.cache import cached
from models.permissions import Action
from web.access import can
from web.database import db_session
from web.forms import field_problems

DEFAULT_LOCALE = "en"


@cache
def _territory_codes() -> dict[str, str]:
    english = {str(code): str(name) for code, name in Locale("en").territories.items()}
    codes = {name.lower(): code for code, name in english.items() if code.isalpha()}
    codes.update({code.lower(): code for code in english if code.isalpha()})
    return codes


@cache
def locale_for_country(country: str, fallback: str = DEFAULT_LOCALE) -> str:
    """'Germany' or 'DE' → 'de_DE'; a country Babel does not know → ``fallback``."""
    code = _territory_codes().get(country.strip().lower())
    languages = get_official_languages(code) if code else ()
    for language in languages:
        try:
            return str(Locale.parse(f"{language}_{code}"))
        except (UnknownLocaleError, ValueError):
            continue
    return fallback


def number_locale() -> str:
    """The locale numbers on the current page are written in."""
    fallback = DEFAULT_LOCALE
    if has_request_context():
        fallback = str(current_app.config.get("NUMBER_LOCALE") or DEFAULT_LOCALE)
        city = getattr(g, "city", None)
        if city is not None and getattr(city, "country", None):
            return locale_for_country(str(city.country), fallback)
    return fallback


def _whole_pattern(locale: str) -> str:
    """The locale's currency pattern without decimals (amounts are shown to the unit)."""
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    return pattern.split(";")[0].replace(".00", "")


def format_money(value: float | None, currency: str = "") -> str:
    """12345678.9 EUR → '€12.35M'; 450000 → '€450,000'; without currency, just the number."""
    if value is None:
        return "–"
    locale = number_locale()
    value = float(value)
    if abs(value) >= 1_000_000:
        if currency:
            return format_compact_currency(value, currency, locale=locale, fraction_digits=2)
        return format_compact_decimal(value, locale=locale, fraction_digits=2)
    if currency:
        return format_currency(
            round(value),
            currency,
            format=_whole_pattern(locale),
            locale=locale,
            currency_digits=False,
        )
    return format_decimal(round(value), format="#,##0", locale=locale)


def format_number(value: float | None, digits: int = 2) -> str:
    """82650000 → '82,650,000'; 3.14159 → '3.14' (never an exponent); None → 'NR'."""
    if value is None:
        return "NR"
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(float(value), format=pattern, locale=number_locale())


def format_share(value: float | None, digits: int = 1) -> str:
    """A share (0.765) as a percentage ('76.5%'); None → '–'."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "") + "%"
    return format_percent(float(value), format=pattern, locale=number_locale())


def format_percent_points(value: float | None, digits: int = 1) -> str:
    """A value already in percent (76.5) as '76.5%'; None → '–'."""
    return "–" if value is None else format_share(float(value) / 100, digits)


def format_audit_value(value: object) -> str:
    """An audit-log detail as a person reads it: numbers formatted, lists joined,
    nested mappings as 'key: value' pairs, nothing JSON-escaped."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format_number(value, 4)
    if isinstance(value, list | tuple):
        return ", ".join(format_audit_value(v) for v in value) or "–"
    if isinstance(value, dict):
        return "; ".join(
            f"{str(k).replace('_', ' ')}: {format_audit_value(v)}" for k, v in value.items()
        )
    return str(value)


def cached_html(key: tuple[Hashable, ...], render: Callable[[], str]) -> Markup:
    """``render()`` (a page fragment) rendered once per ``key``, which must name
    everything the fragment shows: ``models.cache.data_key`` of the data domains it
    reads, plus ids. Only for fragments that are the same for every member of the
    city: no form (CSRF tokens), no ``can(...)``, nothing of ``g.user``."""
    return Markup(cached(db_session(), key, render))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(can=can, Action=Action, field_problems=field_problems)
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["share"] = format_share
    app.jinja_env.filters["percent"] = format_percent_points
    app.jinja_env.filters["audit_value"] = format_audit_value
