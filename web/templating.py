"""Template globals: permissions, navigation, number formatting."""

from __future__ import annotations

from flask import Flask

from models.permissions import Action
from web.access import can
from web.forms import field_problems


def format_money(value: float | None, currency: str = "") -> str:
    """12345678.9 → '12.35 M EUR'; smaller amounts with thousands separators."""
    if value is None:
        return "–"
    suffix = f" {currency}" if currency else ""
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:,.2f} M{suffix}"
    return f"{value:,.0f}{suffix}"


def format_number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "NR"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(can=can, Action=Action, field_problems=field_problems)
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["number"] = format_number
