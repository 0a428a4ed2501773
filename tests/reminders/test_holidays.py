"""Quiet on holidays: a reminder due on a county's day off goes out on the next working day (county table first, then
the library's arrangement, as notices.calendar decides)."""

from notices.models import CalendarDay
from tests.reminders.conftest import TUE_DEC_1, D, got, scan


def test_a_reminder_due_on_a_county_holiday_goes_out_the_next_working_day(cast, people):
    CalendarDay.objects.create(county=cast.county, date=TUE_DEC_1, kind=CalendarDay.HOLIDAY, note="县里放假")
    result = scan(cast, TUE_DEC_1)
    assert result == {"county": "511425", "working_day": False, "created": 0}
    assert not got("quarter_due").exists()
    scan(cast, D(2026, 12, 2))
    assert got("quarter_due", period="2026Q4").exists()


def test_nothing_goes_out_on_a_weekend_or_a_statutory_holiday(cast, people):
    assert scan(cast, D(2026, 11, 7))["working_day"] is False  # Saturday
    assert scan(cast, D(2026, 10, 2))["working_day"] is False  # National Day
    assert not got("mentor_missing").exists()
    assert scan(cast, D(2026, 11, 9))["created"] > 0  # Monday


def test_a_make_up_saturday_is_a_working_day(cast, people):
    assert scan(cast, D(2026, 10, 10))["working_day"] is True  # 调休: Saturday 10 October 2026 is worked
    assert got("mentor_missing").exists()


def test_the_weekly_digest_moves_to_tuesday_when_monday_is_off(cast, people):
    scan(cast, D(2026, 11, 3))  # some unread reminders
    CalendarDay.objects.create(county=cast.county, date=D(2026, 11, 9), kind=CalendarDay.HOLIDAY)
    scan(cast, D(2026, 11, 9))
    assert not got("digest").exists()
    scan(cast, D(2026, 11, 10))
    n = got("digest").count()
    assert n > 0 and set(got("digest").values_list("period", flat=True)) == {"2026-W46"}
    scan(cast, D(2026, 11, 11))  # Wednesday: not the first working day of the week
    assert got("digest").count() == n
