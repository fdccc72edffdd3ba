"""Working days skip the public holidays of the pack's jurisdiction and the city's region."""

from __future__ import annotations

from datetime import date

import pytest

from rules.assessment import assess
from rules.day_counting import WEEKDAYS, DayLog, WorkingCalendar, add_days, calendar_for
from rules.errors import PlannedContractError

GOOD_FRIDAY_2027 = date(2027, 3, 26)
EASTER_MONDAY_2027 = date(2027, 3, 29)
DEMO_NOTICE = date(2026, 12, 21)  # weekends-only counting ends the standstill on Good Friday


def _event(assessment, name):
    return next(e for e in assessment.timeline if e.event == name)


def test_uk_standstill_does_not_end_on_good_friday_nor_sign_on_easter_monday(
    uk2026, make_contract
) -> None:
    contract = make_contract(notice_date=DEMO_NOTICE)
    weekends_only = assess(contract, uk2026, calendar=WEEKDAYS)
    assert _event(weekends_only, "standstill_end").date == GOOD_FRIDAY_2027
    assert weekends_only.earliest_signature == EASTER_MONDAY_2027

    result = assess(contract, uk2026)
    end = _event(result, "standstill_end")
    assert end.date not in (GOOD_FRIDAY_2027, EASTER_MONDAY_2027)
    assert result.earliest_signature not in (GOOD_FRIDAY_2027, EASTER_MONDAY_2027)
    moved = {h.name for h in end.moved_by}
    assert {"Good Friday", "Easter Monday"} <= moved
    assert "every region" in result.working_calendar
    shown = result.as_dict()["holidays_skipped"]
    assert {"date": "2027-03-26", "name": "Good Friday"} in shown


def test_the_citys_region_picks_its_own_holidays(uk2026, make_contract) -> None:
    england = assess(make_contract(notice_date=DEMO_NOTICE, region="ENG"), uk2026)
    everywhere = assess(make_contract(notice_date=DEMO_NOTICE), uk2026)
    names_england = {h.name for h in england.holiday_shifts}
    names_everywhere = {h.name for h in everywhere.holiday_shifts}
    assert "Saint Patrick's Day" in names_everywhere
    assert "Saint Patrick's Day" not in names_england
    assert england.earliest_signature < everywhere.earliest_signature


def test_eu_pack_counts_weekends_only_without_a_country_and_says_so(eu2026, make_contract) -> None:
    contract = make_contract(notice_date=date(2026, 12, 14))
    bare = assess(contract, eu2026)
    assert bare.working_calendar.startswith("weekends only")
    german = assess(
        make_contract(notice_date=date(2026, 12, 14), country="DE", region="BY"), eu2026
    )
    assert "DE-BY" in german.working_calendar
    assert not bare.holiday_shifts


def test_counting_weekends_only_is_warned(uk2026, make_contract) -> None:
    result = assess(make_contract(notice_date=DEMO_NOTICE), uk2026, calendar=WEEKDAYS)
    assert any("skip weekends only" in w for w in result.warnings)
    assert not any("skip weekends only" in w for w in assess(make_contract(), uk2026).warnings)


def test_add_days_records_the_skipped_holidays() -> None:
    calendar = WorkingCalendar("GB", "ENG")
    log = DayLog()
    assert add_days(date(2027, 3, 25), 1, "working", calendar, log) == date(2027, 3, 30)
    assert [(h.day, h.name) for h in log.shifts] == [
        (GOOD_FRIDAY_2027, "Good Friday"),
        (EASTER_MONDAY_2027, "Easter Monday"),
    ]
    assert add_days(date(2027, 3, 25), 1, "working") == GOOD_FRIDAY_2027  # weekends only


def test_unknown_region_is_a_clear_error(uk2026, make_contract) -> None:
    with pytest.raises(PlannedContractError) as info:
        assess(make_contract(region="XX"), uk2026)
    assert info.value.problems[0].field == "region"
    with pytest.raises(ValueError, match="no public-holiday calendar"):
        calendar_for("EU", country="ZZ")
