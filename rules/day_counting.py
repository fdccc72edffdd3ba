"""Adding calendar or working days to a date (working day = Monday to Friday;
public holidays are not modelled and are flagged in the packs that count them)."""

from __future__ import annotations

from datetime import date, timedelta

SATURDAY = 5


def is_working_day(day: date) -> bool:
    """Monday to Friday."""
    return day.weekday() < SATURDAY


def add_days(start: date, days: int, kind: str = "calendar") -> date:
    """The date ``days`` calendar or working days after ``start``.

    For working days, each counted day is a weekday; ``add_days(friday, 1,
    "working")`` is the next Monday.
    """
    if kind == "calendar":
        return start + timedelta(days=days)
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def next_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the following Monday."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
