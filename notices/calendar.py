"""Working days on the Chinese calendar (公示期按工作日计算).

Order of authority for one date:

1. the county's own `CalendarDay` row for that date (holiday → off, make-up working day → on);
2. the `chinesecalendar` library for the years it knows (2004–2026 in 1.11.0; it raises NotImplementedError outside);
3. otherwise Monday to Friday. That is exact when the county has entered the year (any `CalendarDay` row in it: the
   county has typed in the State Council's holiday arrangement), and an estimate (`estimated=True`) when it has not.

A county's rows are loaded once per call for whole years (a few dozen rows a year), never one query per day.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

import chinese_calendar

from notices.models import CalendarDay

ONE_DAY = datetime.timedelta(days=1)
# Looking further than this for N working days means the county table is wrong (e.g. a year entered as all holidays).
MAX_SCAN_DAYS = 3 * 366


@dataclass(frozen=True)
class WorkingPeriod:
    """A notice period: day 1 (`first_day`), the last working day (`end`), and whether any day was estimated."""

    first_day: datetime.date
    end: datetime.date
    estimated: bool


@dataclass
class Overrides:
    """A county's rows for whole years: date → kind, the years that have any row ("entered"), the years loaded."""

    days: dict[datetime.date, str]
    entered_years: set[int]
    loaded_years: set[int]
    county_id: int | None = None

    @classmethod
    def empty(cls) -> "Overrides":
        return cls({}, set(), set(), None)

    @classmethod
    def from_mapping(cls, mapping: Mapping[datetime.date, str]) -> "Overrides":
        """From a plain {date: "holiday" | "workday"}: the years named in it count as entered."""
        days = dict(mapping)
        return cls(days, {d.year for d in days}, set(), None)

    def covers(self, year: int) -> bool:
        return self.county_id is None or year in self.loaded_years

    def load(self, first_year: int, last_year: int) -> None:
        """Load the county's rows for the missing years in [first_year, last_year] with one query."""
        if self.county_id is None:
            return
        missing = [y for y in range(first_year, last_year + 1) if y not in self.loaded_years]
        if not missing:
            return
        rows = (
            CalendarDay.objects.filter(
                county_id=self.county_id,
                date__gte=datetime.date(min(missing), 1, 1),
                date__lte=datetime.date(max(missing), 12, 31),
            )
            .order_by()
            .values_list("date", "kind")
        )  # no ORDER BY (the model's would join OrgUnit)
        for day, kind in rows:
            self.days[day] = kind
            self.entered_years.add(day.year)
        self.loaded_years.update(range(min(missing), max(missing) + 1))


def load_overrides(county, first_year: int, last_year: int | None = None) -> Overrides:
    """The county's rows for the years first_year..last_year (one query; none without a county)."""
    if county is None:
        return Overrides.empty()
    overrides = Overrides({}, set(), set(), county.pk)
    overrides.load(first_year, last_year or first_year)
    return overrides


def _as_overrides(overrides, county, year: int) -> Overrides:
    if overrides is None:
        return load_overrides(county, year)
    if isinstance(overrides, Overrides):
        overrides.load(year, year)
        return overrides
    return Overrides.from_mapping(overrides)


def library_knows(day: datetime.date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def _judge(day: datetime.date, overrides: Overrides) -> tuple[bool, bool]:
    kind = overrides.days.get(day)
    if kind is not None:
        return kind == CalendarDay.WORKDAY, False
    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        pass
    return day.weekday() < 5, day.year not in overrides.entered_years


def is_working_day(day: datetime.date, county=None, *, overrides=None) -> tuple[bool, bool]:
    """(is it a working day, is that an estimate). `overrides` may be an `Overrides` (from `load_overrides`) or a
    plain {date: kind} mapping; without it the county's rows for the year are read (one query)."""
    if county is None and overrides is None:
        return _judge(day, Overrides.empty())
    ov = _as_overrides(overrides, county, day.year)
    return _judge(day, ov)


def _ensure(ov: Overrides, day: datetime.date) -> None:
    if not ov.covers(day.year):
        ov.load(day.year, day.year)


def count_working_days(start: datetime.date, days: int, county=None, posting_day_counts=True) -> WorkingPeriod:
    """The period of a notice posted on `start` lasting `days` working days.

    Day 1 is `start` itself when it is a working day and `posting_day_counts`; otherwise the next working day.
    `end` is the date of the `days`-th working day."""
    if days < 1:
        raise ValueError("days must be at least 1")
    # Enough calendar days for any real holiday arrangement; a longer scan loads the next year (one more query).
    horizon = start + datetime.timedelta(days=days * 2 + 30)
    ov = load_overrides(county, start.year, horizon.year)
    estimated = False
    counted = 0
    first_day = None
    day = start if posting_day_counts else start + ONE_DAY
    for _ in range(MAX_SCAN_DAYS + days * 2):
        _ensure(ov, day)
        working, est = _judge(day, ov)
        estimated = estimated or est
        if working:
            counted += 1
            first_day = first_day or day
            if counted == days:
                return WorkingPeriod(first_day, day, estimated)
        day += ONE_DAY
    raise ValueError(f"{start} 起找不到 {days} 个工作日，请检查节假日安排")


def working_days_left(period_end: datetime.date, today: datetime.date, county=None) -> int:
    """Working days from the day after `today` through `period_end`: how many more must pass. 0 once today >= end."""
    if today >= period_end:
        return 0
    ov = load_overrides(county, (today + ONE_DAY).year, period_end.year)
    left = 0
    day = today + ONE_DAY
    while day <= period_end:
        if _judge(day, ov)[0]:
            left += 1
        day += ONE_DAY
    return left


def next_working_day(day: datetime.date, county=None) -> datetime.date:
    """The first working day after `day` (not `day` itself)."""
    ov = load_overrides(county, day.year, (day + datetime.timedelta(days=30)).year)
    current = day + ONE_DAY
    for _ in range(MAX_SCAN_DAYS):
        _ensure(ov, current)
        if _judge(current, ov)[0]:
            return current
        current += ONE_DAY
    raise ValueError(f"{day} 之后一年内没有工作日，请检查节假日安排")


def cn_date(day: datetime.date) -> str:
    """2026年9月30日, as Chinese paperwork writes dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def year_status(year: int, county=None) -> str:
    """How a year is judged for a county: "library", "entered" (county rows, exact) or "estimated"."""
    if library_knows(datetime.date(year, 7, 1)):
        return "library"
    if county is not None and CalendarDay.objects.filter(county=county, date__year=year).exists():
        return "entered"
    return "estimated"


def library_arrangement(year: int) -> list[tuple[str, str]]:
    """The library's arrangement for a year, for reference on the calendar page: [(名称, "10月1日—10月7日放假"), ...]
    plus the make-up working days. Empty for years the library does not know."""
    names = {h.value: h.chinese for h in chinese_calendar.Holiday}
    out: list[tuple[str, str]] = []
    blocks: list[list] = []
    for day, name in sorted(chinese_calendar.holidays.items()):
        if day.year != year:
            continue
        if blocks and blocks[-1][0] == name and (day - blocks[-1][2]).days == 1:
            blocks[-1][2] = day
        else:
            blocks.append([name, day, day])
    for name, first, last in blocks:
        span = f"{first.month}月{first.day}日" + (f"—{last.month}月{last.day}日" if last != first else "")
        out.append((names.get(name, name), f"{span}放假"))
    for day, name in sorted(chinese_calendar.workdays.items()):
        if day.year == year:
            out.append(
                (names.get(name, name), f"{day.month}月{day.day}日（周{'一二三四五六日'[day.weekday()]}）调休上班")
            )
    return out
