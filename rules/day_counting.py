"""Adding calendar or working days to a date.

A working day is Monday to Friday and not a public holiday of the calendar in
use. Public holidays come from the ``holidays`` library for a country and,
where holidays differ by region (UK nations, German Länder, Spanish autonomous
communities, US states), the region's code. A calendar without a country counts
weekends only and says so.

Every function that moves past a holiday records it in a :class:`DayLog`, so a
report can show which holidays moved which date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import holidays

SATURDAY = 5

ALL_REGIONS = "all"

# Rule-pack jurisdiction → (country, default region) of the holidays library.
# UK: Procurement Act 2023 s. 123, a working day is not a Saturday, Sunday or a UK
# bank holiday; with no nation given, the bank holidays of every UK nation are
# skipped (the cautious reading; unverified whether one nation's list suffices).
# US: federal holidays (FAR 33.101 "day": a period ending on a federal holiday
# runs to the next working day; unverified for every FAR time limit). EU and World
# Bank packs have no single country: the city's country must be given.
JURISDICTION_CALENDAR: dict[str, tuple[str, str | None]] = {
    "UK": ("GB", ALL_REGIONS),
    "US": ("US", None),
}


@dataclass(frozen=True)
class HolidayShift:
    """A public holiday that a working-day count stepped over."""

    day: date
    name: str


@dataclass
class DayLog:
    """The holidays skipped while counting (in order, without repeats)."""

    shifts: list[HolidayShift] = field(default_factory=list)

    def add(self, day: date, name: str) -> None:
        """Record that ``day`` (holiday ``name``) was not counted."""
        if all(s.day != day for s in self.shifts):
            self.shifts.append(HolidayShift(day, name))


@cache
def _holidays(country: str, region: str | None) -> holidays.HolidayBase:
    try:
        if region == ALL_REGIONS:
            national = holidays.country_holidays(country)
            combined = national
            for subdivision in national.subdivisions:
                combined = combined + holidays.country_holidays(country, subdiv=subdivision)
            return combined
        return holidays.country_holidays(country, subdiv=region)
    except NotImplementedError as exc:
        raise ValueError(f"no public-holiday calendar for country {country!r}") from exc


@dataclass(frozen=True)
class WorkingCalendar:
    """Weekends plus the public holidays of ``country`` (ISO 3166-1 alpha-2) and
    ``region`` (ISO 3166-2 subdivision code as the holidays library names it)."""

    country: str | None = None
    region: str | None = None

    def __post_init__(self) -> None:
        if self.country is not None:
            calendar = _holidays(self.country, None)
            allowed = (*calendar.subdivisions, ALL_REGIONS)
            if self.region is not None and self.region not in allowed:
                raise ValueError(
                    f"{self.region!r} is not a region of {self.country}; use one of "
                    f"{', '.join(calendar.subdivisions)}"
                )

    @property
    def label(self) -> str:
        """What the calendar counts, for reports."""
        if self.country is None:
            return "weekends only (public holidays not applied: no country given)"
        if self.region == ALL_REGIONS:
            where = f"{self.country}, every region"
        else:
            where = f"{self.country}-{self.region}" if self.region else self.country
        return f"weekends and public holidays of {where} (holidays library)"

    def holiday(self, day: date) -> str | None:
        """The holiday's name if ``day`` is a public holiday of this calendar."""
        if self.country is None:
            return None
        name = _holidays(self.country, self.region).get(day)
        return str(name) if name else None

    def is_working_day(self, day: date, log: DayLog | None = None) -> bool:
        """Monday to Friday and not a public holiday (recorded in ``log``)."""
        if day.weekday() >= SATURDAY:
            return False
        name = self.holiday(day)
        if name is not None:
            if log is not None:
                log.add(day, name)
            return False
        return True


WEEKDAYS = WorkingCalendar()


def calendar_for(
    jurisdiction: str, country: str | None = None, region: str | None = None
) -> WorkingCalendar:
    """The working-day calendar for a pack's jurisdiction and the city's country
    and region (the city's own values win over the jurisdiction's default)."""
    default_country, default_region = JURISDICTION_CALENDAR.get(jurisdiction, (None, None))
    chosen = country or default_country
    if chosen is None:
        return WEEKDAYS
    return WorkingCalendar(chosen, region if region else (default_region if not country else None))


def is_working_day(day: date, calendar: WorkingCalendar = WEEKDAYS) -> bool:
    """Monday to Friday and, with a country calendar, not a public holiday."""
    return calendar.is_working_day(day)


def add_days(
    start: date,
    days: int,
    kind: str = "calendar",
    calendar: WorkingCalendar = WEEKDAYS,
    log: DayLog | None = None,
) -> date:
    """The date ``days`` calendar or working days after ``start``.

    For working days, each counted day is a working day of ``calendar``;
    ``add_days(friday, 1, "working")`` is the next Monday (Tuesday if Monday is
    a holiday). Skipped holidays are recorded in ``log``.
    """
    if kind == "calendar":
        return start + timedelta(days=days)
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if calendar.is_working_day(current, log):
            remaining -= 1
    return current


def next_working_day(
    day: date, calendar: WorkingCalendar = WEEKDAYS, log: DayLog | None = None
) -> date:
    """``day`` itself if it is a working day, else the next working day."""
    while not calendar.is_working_day(day, log):
        day += timedelta(days=1)
    return day
