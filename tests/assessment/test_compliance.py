"""Each rule's per-record Check and its queryset form give the same answer (property tests and boundary tables)."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from assessment.compliance import (
    ageing_out,
    annotate_absence,
    check_absence,
    check_age_out,
    check_appraisal,
    check_quarter_review,
    missing_appraisal,
    missing_township_opinion,
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
        policy = CountyPolicy(absence_consecutive_days=consecutive, absence_year_days=year_days)
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
        policy = CountyPolicy(age_limit=limit)
        check = check_age_out(record, policy, on=on)
        in_qs = ageing_out(ReserveRecord.objects.all(), policy, on=on).filter(pk=record.pk).exists()
        assert check.is_problem == in_qs
        # And both mean: the day of turning limit + 1 falls within a year from `on` (or has passed).
        try:
            turns = birth.replace(year=birth.year + limit + 1)
        except ValueError:  # born on 29 February: older from 1 March in a common year
            turns = D(birth.year + limit + 1, 3, 1)
        try:
            horizon = on.replace(year=on.year + 1)
        except ValueError:
            horizon = D(on.year + 1, 3, 1)
        assert in_qs == (turns <= horizon)


def test_age_out_check_reasons(db):
    county = unit(roles.COUNTY, "县", "511425")
    village = unit(roles.VILLAGE, "村", "511425100201", unit(roles.TOWNSHIP, "镇", "511425100", county), "cun")
    policy = CountyPolicy(age_limit=35)
    record = make_record(make_person(village, birth=D(1991, 6, 1)), entered=D(2019, 1, 1))
    assert check_age_out(record, policy, on=D(2026, 5, 31)).status == "ok"
    due = check_age_out(record, policy, on=D(2026, 6, 1))
    assert due.status == "due" and due.reason == "35周岁，将于2027年6月1日年满36周岁，12个月内超过年龄上限35周岁。"
    over = check_age_out(record, policy, on=D(2027, 6, 1))
    assert over.status == "overdue" and "已于2027年6月1日超过年龄上限35周岁" in over.reason
    assert check_age_out(record, CountyPolicy(age_limit=None), on=D(2027, 6, 1)).status == "na"


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
