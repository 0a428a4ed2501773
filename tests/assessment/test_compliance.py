"""Each rule's per-record Check and its queryset form give the same answer (property tests and boundary tables)."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from assessment.compliance import (
    PAST,
    SOON,
    age_limit_state,
    ageing_out,
    annotate_absence,
    check_absence,
    check_age_out,
    check_ageing_out,
    check_appraisal,
    check_past_age_limit,
    check_quarter_review,
    missing_appraisal,
    missing_township_opinion,
    past_age_limit,
    summarise_absences,
)
from assessment.models import Absence, AnnualAppraisal, Leave, QuarterReview
from org import roles
from reserves.builders import unit
from reserves.models import CountyPolicy, ReservePlacement, ReserveRecord
from reserves.policy import preset_values
from tests.conftest import make_person, make_record

D = datetime.date
ONE = datetime.timedelta(days=1)


class Tree:
    @classmethod
    def build(cls, tc):
        tc.county = unit(roles.COUNTY, "县", "511425")
        tc.township = unit(roles.TOWNSHIP, "镇", "511425100", tc.county)
        tc.village = unit(roles.VILLAGE, "村", "511425100201", tc.township, "cun")
        tc.policy = CountyPolicy.objects.create(
            county=tc.county, effective_from=D(2000, 1, 1), **preset_values("QL2022")
        )


segment = st.tuples(st.integers(0, 4), st.integers(1, 20))


class TestAbsenceFormsAgree(TestCase):
    @classmethod
    def setUpTestData(cls):
        Tree.build(cls)
        cls.record = make_record(make_person(cls.village, name="甲"), entered=D(2020, 1, 1))

    @settings(max_examples=80, deadline=None)
    @given(
        segments=st.lists(segment, max_size=6),
        open_last=st.booleans(),
        offset=st.integers(0, 220),
        consecutive=st.integers(2, 15),
        year_days=st.integers(5, 30),
    )
    def test_year_days_and_runs_agree(self, segments, open_last, offset, consecutive, year_days):
        Absence.objects.all().delete()
        Leave.objects.all().delete()
        day = D(2025, 11, 20)
        for i, (gap, length) in enumerate(segments):
            start = day + gap * ONE
            end = start + (length - 1) * ONE
            if open_last and i == len(segments) - 1:
                leave = Leave.objects.create(
                    record=self.record, village=self.village, start=start - 2 * ONE, end=start - ONE, reason="事假"
                )
                Absence.objects.create(
                    record=self.record, village=self.village, kind=Absence.OVERSTAY, leave=leave, start=start
                )
            else:
                Absence.objects.create(
                    record=self.record, village=self.village, kind=Absence.DIRECT, start=start, end=end
                )
            day = end + 2 * ONE
        on = D(2025, 11, 20) + offset * ONE
        row = annotate_absence(ReserveRecord.objects.filter(pk=self.record.pk), on=on, consecutive=consecutive).get()
        summary = summarise_absences(list(Absence.objects.all()), on)
        longest = summary.longest_in_year(on.year)
        run_over = longest is not None and (longest[1] - longest[0]).days + 1 > consecutive
        assert row.absence_year_days == summary.year_days
        assert row.absence_run_over == run_over
        policy = CountyPolicy(absence_on=True, absence_consecutive_days=consecutive, absence_year_days=year_days)
        check = check_absence(self.record, policy, on=on, absences=list(Absence.objects.all()))
        assert check.is_problem == (run_over or summary.year_days > year_days)


class TestAgeOutFormsAgree(TestCase):
    @classmethod
    def setUpTestData(cls):
        Tree.build(cls)

    @settings(max_examples=80, deadline=None)
    @given(
        birth=st.dates(min_value=D(1975, 1, 1), max_value=D(1995, 12, 31)),
        on=st.dates(min_value=D(2020, 1, 1), max_value=D(2032, 12, 31)),
        limit=st.sampled_from([35, 40, 45]),
    )
    def test_check_and_queryset_agree_with_the_birthday(self, birth, on, limit):
        ReserveRecord.objects.all().delete()
        record = make_record(make_person(self.village, birth=birth), entered=D(2019, 1, 1))
        policy = CountyPolicy(age_on=True, age_limit=limit, age_mode=CountyPolicy.BLOCK)
        past = past_age_limit(ReserveRecord.objects.all(), policy, on=on).filter(pk=record.pk).exists()
        soon = ageing_out(ReserveRecord.objects.all(), policy, on=on).filter(pk=record.pk).exists()
        state = age_limit_state(record, policy, on)
        assert (state == PAST, state == SOON) == (past, soon)
        assert check_past_age_limit(record, policy, on=on).is_problem == past
        assert check_ageing_out(record, policy, on=on).is_problem == soon
        assert check_age_out(record, policy, on=on).is_problem == (past or soon)
        # And both mean: the day of turning limit + 1 has come (past), or falls within a year from `on` (soon).
        try:
            turns = birth.replace(year=birth.year + limit + 1)
        except ValueError:  # born on 29 February: older from 1 March in a common year
            turns = D(birth.year + limit + 1, 3, 1)
        try:
            horizon = on.replace(year=on.year + 1)
        except ValueError:
            horizon = D(on.year + 1, 3, 1)
        assert past == (turns <= on)
        assert soon == (on < turns <= horizon)


BLOCKING = {"age_on": True, "age_limit": 35, "age_mode": CountyPolicy.BLOCK}


def test_age_out_check_reasons(db):
    county = unit(roles.COUNTY, "县", "511425")
    village = unit(roles.VILLAGE, "村", "511425100201", unit(roles.TOWNSHIP, "镇", "511425100", county), "cun")
    policy = CountyPolicy(**BLOCKING)
    record = make_record(make_person(village, birth=D(1991, 6, 1)), entered=D(2019, 1, 1))
    assert check_age_out(record, policy, on=D(2026, 5, 31)).status == "ok"
    due = check_age_out(record, policy, on=D(2026, 6, 1))
    assert due.status == "due" and due.label == "12个月内将超过年龄上限"
    assert due.reason == "35周岁，将于2027年6月1日年满36周岁，12个月内超过年龄上限35周岁。"
    over = check_age_out(record, policy, on=D(2027, 6, 1))
    assert over.status == "overdue" and over.label == "已超过年龄上限"
    assert "已于2027年6月1日超过年龄上限35周岁" in over.reason
    off = check_age_out(record, CountyPolicy(age_on=False, age_limit=35), on=D(2027, 6, 1))
    assert (off.status, off.reason) == ("na", "本县政策未规定年龄上限。")


def test_past_and_ageing_out_part_on_the_day_the_limit_is_passed(db):
    """Born 1991-06-01 under a 35 limit: on 2027-05-31 (aged 35) "12个月内将超过", on 2027-06-01 (36) "已超过"."""
    county = unit(roles.COUNTY, "县", "511425")
    village = unit(roles.VILLAGE, "村", "511425100201", unit(roles.TOWNSHIP, "镇", "511425100", county), "cun")
    record = make_record(make_person(village, birth=D(1991, 6, 1)), entered=D(2019, 1, 1))
    policy = CountyPolicy(**BLOCKING)
    records = ReserveRecord.objects.all()
    eve, day = D(2027, 5, 31), D(2027, 6, 1)
    assert list(ageing_out(records, policy, on=eve)) == [record] and not past_age_limit(records, policy, on=eve)
    assert list(past_age_limit(records, policy, on=day)) == [record] and not ageing_out(records, policy, on=day)
    assert check_ageing_out(record, policy, on=eve).status == "due"
    assert check_past_age_limit(record, policy, on=eve).status == "ok"
    assert check_past_age_limit(record, policy, on=day).status == "overdue"
    assert check_ageing_out(record, policy, on=day).status == "na"


def test_without_an_age_rule_both_lists_are_empty_and_a_warning_limit_is_no_to_do(db):
    county = unit(roles.COUNTY, "县", "511425")
    village = unit(roles.VILLAGE, "村", "511425100201", unit(roles.TOWNSHIP, "镇", "511425100", county), "cun")
    record = make_record(make_person(village, birth=D(1970, 1, 1)), entered=D(2019, 1, 1))
    records = ReserveRecord.objects.all()
    on = D(2026, 6, 1)
    for preset in ("QL2022", "CD2025"):  # no age rule
        off = CountyPolicy(**preset_values(preset))
        assert not past_age_limit(records, off, on=on).exists() and not ageing_out(records, off, on=on).exists()
        assert check_past_age_limit(record, off, on=on).status == "na"
    warns = CountyPolicy(**preset_values("QS2017"))  # 一般35周岁左右: figures, not a to-do
    assert list(past_age_limit(records, warns, on=on)) == [record]
    check = check_past_age_limit(record, warns, on=on)
    assert check.status == "na" and "提醒性要求" in check.reason and not check.is_problem


# --- quarter review and appraisal: a table of boundary cases --------------------------------------------------------

# (entered, ended, placement start, placement end, village rating, township rating) for 2026 Q3 (07-01 .. 09-30)
QUARTER_CASES = [
    (D(2026, 9, 30), None, D(2026, 9, 30), None, "", ""),  # entered on the last day: in the quarter, missing
    (D(2026, 10, 1), None, D(2026, 10, 1), None, "", ""),  # entered after: not in the quarter
    (D(2020, 1, 1), D(2026, 7, 1), D(2020, 1, 1), D(2026, 7, 1), "", ""),  # ended on the first day: not in
    (D(2020, 1, 1), D(2026, 7, 2), D(2020, 1, 1), D(2026, 7, 2), "", ""),  # ended a day later: in, missing
    (D(2020, 1, 1), None, D(2020, 1, 1), None, "good", ""),  # only the village opinion: missing
    (D(2020, 1, 1), None, D(2020, 1, 1), None, "", "poor"),  # township opinion: done
    (D(2020, 1, 1), None, D(2026, 10, 1), None, "", ""),  # placed here only after the quarter: not in
]


@pytest.mark.parametrize("case", QUARTER_CASES)
def test_quarter_review_check_and_queryset_agree(cast, case):
    entered, ended, p_start, p_end, v_rating, t_rating = case
    record = ReserveRecord.objects.create(
        person=make_person(cast.village_a1),
        reserve_type="village_reserve",
        village=cast.village_a1,
        entered_on=entered,
        entry_method="manual",
        status="removed" if ended else "active",
        ended_on=ended,
    )
    ReservePlacement.objects.create(record=record, village=cast.village_a1, start=p_start, end=p_end)
    if v_rating or t_rating:
        QuarterReview.objects.create(
            record=record,
            year=2026,
            quarter=3,
            village=cast.village_a1,
            village_rating=v_rating,
            township_rating=t_rating,
        )
    check = check_quarter_review(record, 2026, 3, on=D(2026, 10, 9))
    missing = missing_township_opinion(ReserveRecord.objects.all(), 2026, 3).filter(pk=record.pk).exists()
    assert check.is_problem == missing
    in_township = missing_township_opinion(ReserveRecord.objects.all(), 2026, 3, unit=cast.township_a)
    assert in_township.filter(pk=record.pk).exists() == missing
    assert not missing_township_opinion(ReserveRecord.objects.all(), 2026, 3, unit=cast.township_b).exists()


def test_quarter_review_check_is_due_before_the_lock_and_overdue_after(cast, a1_record):
    due = check_quarter_review(a1_record, 2026, 3, on=D(2026, 10, 20))
    assert due.status == "due" and due.deadline == D(2026, 10, 20) and "2026年10月20日前" in due.reason
    overdue = check_quarter_review(a1_record, 2026, 3, on=D(2026, 10, 21))
    assert overdue.status == "overdue" and "评议期已于2026年10月20日截止" in overdue.reason


@pytest.mark.parametrize(
    "entered, ended, result, problem",
    [
        (D(2025, 12, 31), None, "", True),
        (D(2026, 1, 1), None, "", False),  # not in the pool in 2025
        (D(2020, 1, 1), D(2025, 1, 1), "", False),  # left on New Year's Day
        (D(2020, 1, 1), D(2025, 1, 2), "", True),
        (D(2020, 1, 1), None, "competent", False),
    ],
)
def test_appraisal_check_and_queryset_agree(cast, entered, ended, result, problem):
    record = make_record(
        make_person(cast.village_a1), entered=entered, ended=ended, status="removed" if ended else "active"
    )
    if result:
        AnnualAppraisal.objects.create(record=record, year=2025, result=result, village=cast.village_a1)
    check = check_appraisal(record, 2025, on=D(2026, 2, 1))
    missing = missing_appraisal(ReserveRecord.objects.all(), 2025).filter(pk=record.pk).exists()
    assert check.is_problem == missing == problem
