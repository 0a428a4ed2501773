"""Working days on the Chinese calendar: the library for 2004–2026, the county's table on top, Monday–Friday
(estimated) for years nobody has entered yet. Expected dates checked against chinesecalendar 1.11.0."""

import datetime

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notices.calendar import (
    Overrides,
    WorkingPeriod,
    count_working_days,
    is_working_day,
    library_arrangement,
    load_overrides,
    next_working_day,
    working_days_left,
    year_status,
)
from notices.models import CalendarDay

D = datetime.date


def holiday(county, day, note="节假日"):
    return CalendarDay.objects.create(county=county, date=day, kind=CalendarDay.HOLIDAY, note=note)


def workday(county, day, note="调休上班"):
    return CalendarDay.objects.create(county=county, date=day, kind=CalendarDay.WORKDAY, note=note)


def test_the_library_agrees_with_the_dates_these_tests_assume():
    assert chinese_calendar.is_workday(D(2026, 10, 8)) and not chinese_calendar.is_workday(D(2026, 10, 7))
    assert chinese_calendar.is_workday(D(2026, 5, 9))  # Saturday, make-up for Labour Day
    assert chinese_calendar.is_workday(D(2026, 2, 14))  # Saturday, make-up for the Spring Festival
    assert not chinese_calendar.is_workday(D(2026, 2, 23)) and chinese_calendar.is_workday(D(2026, 2, 24))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))


def test_three_day_notice_posted_before_national_day_ends_after_it():
    assert count_working_days(D(2026, 9, 30), 3) == WorkingPeriod(D(2026, 9, 30), D(2026, 10, 9), False)


def test_it_counts_make_up_saturday_after_labour_day():
    assert count_working_days(D(2026, 4, 30), 5) == WorkingPeriod(D(2026, 4, 30), D(2026, 5, 9), False)


def test_it_counts_make_up_saturday_before_the_spring_festival():
    assert count_working_days(D(2026, 2, 13), 3) == WorkingPeriod(D(2026, 2, 13), D(2026, 2, 24), False)


def test_posted_on_a_holiday_counts_from_the_next_working_day():
    period = count_working_days(D(2026, 10, 1), 3)
    assert period.first_day == D(2026, 10, 8)
    assert period.end == D(2026, 10, 10)  # 8, 9 and the make-up Saturday 10


def test_posting_day_is_not_counted_when_the_policy_says_so():
    assert count_working_days(D(2026, 9, 30), 3, posting_day_counts=False) == WorkingPeriod(
        D(2026, 10, 8), D(2026, 10, 10), False
    )


def test_one_working_day_notice_ends_on_its_posting_day():
    assert count_working_days(D(2026, 9, 30), 1) == WorkingPeriod(D(2026, 9, 30), D(2026, 9, 30), False)


def test_zero_days_is_refused():
    with pytest.raises(ValueError):
        count_working_days(D(2026, 9, 30), 0)


def test_period_into_2027_does_not_crash_and_is_estimated():
    period = count_working_days(D(2026, 12, 30), 5)
    # Dec 30, 31, then Monday–Friday: Fri Jan 1 (a guess: New Year's Day is surely off), Mon 4, Tue 5.
    assert period == WorkingPeriod(D(2026, 12, 30), D(2027, 1, 5), True)


def test_period_wholly_in_2026_is_not_estimated_even_without_county():
    assert count_working_days(D(2026, 12, 28), 4).estimated is False


def test_county_entering_2027_makes_the_year_exact_and_skips_its_holiday(cast):
    holiday(cast.county, D(2027, 1, 1), "元旦")
    period = count_working_days(D(2026, 12, 30), 5, cast.county)
    assert period == WorkingPeriod(D(2026, 12, 30), D(2027, 1, 6), False)


def test_any_row_of_the_year_makes_the_year_entered(cast):
    holiday(cast.county, D(2027, 10, 1), "国庆节")
    assert is_working_day(D(2027, 1, 4), cast.county) == (True, False)
    assert is_working_day(D(2027, 1, 4), cast.township_a) == (True, True)  # another unit's table is not this one


def test_other_counties_rows_do_not_count(cast):
    from org import roles
    from reserves.builders import unit

    other = unit(roles.COUNTY, "东坡区", "511402", cast.city)
    holiday(other, D(2027, 1, 1))
    assert count_working_days(D(2026, 12, 30), 5, cast.county).estimated is True


def test_county_row_overriding_a_library_workday_shifts_the_end(cast):
    holiday(cast.county, D(2026, 10, 8), "本地调整")
    assert count_working_days(D(2026, 9, 30), 3, cast.county) == WorkingPeriod(D(2026, 9, 30), D(2026, 10, 10), False)


def test_county_make_up_day_on_a_library_holiday_counts(cast):
    workday(cast.county, D(2026, 10, 7))
    assert count_working_days(D(2026, 9, 30), 3, cast.county).end == D(2026, 10, 8)


def test_is_working_day_for_each_source(cast):
    assert is_working_day(D(2026, 10, 1)) == (False, False)
    assert is_working_day(D(2026, 10, 10)) == (True, False)  # make-up Saturday
    assert is_working_day(D(2027, 1, 4)) == (True, True)
    assert is_working_day(D(2027, 1, 2)) == (False, True)
    assert is_working_day(D(2030, 6, 3), overrides={D(2030, 6, 3): CalendarDay.HOLIDAY}) == (False, False)
    holiday(cast.county, D(2026, 9, 30))
    assert is_working_day(D(2026, 9, 30), cast.county) == (False, False)


def test_preloaded_overrides_answer_without_queries(cast, django_assert_num_queries):
    holiday(cast.county, D(2027, 1, 1))
    overrides = load_overrides(cast.county, 2026, 2027)
    assert isinstance(overrides, Overrides)
    with django_assert_num_queries(0):
        assert is_working_day(D(2027, 1, 1), cast.county, overrides=overrides) == (False, False)
        assert is_working_day(D(2027, 1, 4), cast.county, overrides=overrides) == (True, False)


def test_counting_reads_the_county_table_once_whatever_the_length(cast, django_assert_num_queries):
    holiday(cast.county, D(2027, 1, 1))
    with django_assert_num_queries(1):
        count_working_days(D(2026, 9, 30), 3, cast.county)
    with django_assert_num_queries(1):
        count_working_days(D(2026, 12, 1), 40, cast.county)


def test_working_days_left_counts_after_today_through_the_end():
    end = D(2026, 10, 9)
    assert working_days_left(end, D(2026, 9, 30)) == 2  # Oct 8 and 9 still to pass
    assert working_days_left(end, D(2026, 10, 5)) == 2
    assert working_days_left(end, D(2026, 10, 8)) == 1
    assert working_days_left(end, D(2026, 10, 9)) == 0
    assert working_days_left(end, D(2026, 10, 20)) == 0


def test_next_working_day_skips_holidays_and_keeps_make_up_days(cast):
    assert next_working_day(D(2026, 9, 30)) == D(2026, 10, 8)
    assert next_working_day(D(2026, 10, 9)) == D(2026, 10, 10)
    holiday(cast.county, D(2026, 10, 8))
    assert next_working_day(D(2026, 9, 30), cast.county) == D(2026, 10, 9)


def test_year_status_and_library_arrangement(cast):
    assert year_status(2026, cast.county) == "library"
    assert year_status(2027, cast.county) == "estimated"
    holiday(cast.county, D(2027, 1, 1))
    assert year_status(2027, cast.county) == "entered"
    assert ("国庆节", "10月1日—10月7日放假") in library_arrangement(2026)
    assert ("劳动节", "5月9日（周六）调休上班") in library_arrangement(2026)
    assert library_arrangement(2027) == []


@settings(max_examples=150, deadline=None)
@given(
    start=st.dates(min_value=D(2020, 1, 1), max_value=D(2028, 12, 31)),
    days=st.integers(min_value=1, max_value=15),
    counts=st.booleans(),
)
def test_a_period_holds_exactly_its_working_days(start, days, counts):
    period = count_working_days(start, days, posting_day_counts=counts)
    assert period.first_day >= start and period.end >= period.first_day
    assert is_working_day(period.first_day)[0] and is_working_day(period.end)[0]
    if counts and is_working_day(start)[0]:
        assert period.first_day == start
    before_first = period.first_day - datetime.timedelta(days=1)
    assert working_days_left(period.end, before_first) == days
    assert period.estimated == (period.end.year > 2026)
