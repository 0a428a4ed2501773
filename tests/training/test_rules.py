"""The training and shadowing rules at their boundaries, each case checked in both forms (per person and queryset)."""

import datetime

import pytest

from reserves.compliance import DUE, NA, OK, OVERDUE
from reserves.models import ReserveRecord
from tests.conftest import make_person, make_record
from tests.training.conftest import D, policy, programme, shadowing, training
from training import rules


def both(record, pol, on, rule="training"):
    """(status, deadline) per person, asserted equal to the queryset form's."""
    check_fn = rules.training_checks if rule == "training" else rules.shadowing_checks
    annotate = rules.annotate_training_status if rule == "training" else rules.annotate_shadowing_status
    (check,) = check_fn(ReserveRecord.objects.get(pk=record.pk), pol, on)
    row = annotate(ReserveRecord.objects.filter(pk=record.pk), pol, on).get()
    got = (getattr(row, f"{rule}_status"), rules.deadline_from_key(getattr(row, f"{rule}_due_before")))
    assert got == (check.status, check.deadline), check.reason
    return check


@pytest.fixture
def rec(cast):
    return make_record(make_person(cast.village_a1), entered=D(2020, 3, 1))


QS = policy("QS2017")  # rolling 3-year windows from entry, one centralised training of ≥ 5 days
YR3 = policy("3YR2024")  # every calendar year, one training or one 轮训's sessions ≥ 3 days; not online, not meetings
QL = policy("QL2022")  # no training rule; 30 days of township shadowing a year
CD = policy("CD2025")  # neither rule


# --- QS: rolling windows ---------------------------------------------------------------------------------------------


def test_qs_a_five_day_training_meets_the_rule_and_a_four_day_one_does_not(cast, rec):
    training(cast.township_a, [rec], end=D(2021, 5, 5), days=4)
    check = both(rec, QS, D(2022, 1, 1))
    assert check.status == DUE and check.deadline == D(2023, 2, 28)
    assert "须在2023年2月28日前参加" in check.reason
    training(cast.township_a, [rec], end=D(2021, 9, 5), days=5)
    check = both(rec, QS, D(2022, 1, 1))
    assert check.status == OK and "5天" in check.reason


def test_qs_a_form_that_does_not_count_is_ignored(cast, rec):
    training(cast.township_a, [rec], end=D(2021, 5, 5), days=6, form="online")
    assert both(rec, QS, D(2022, 1, 1)).status == DUE
    training(cast.township_a, [rec], end=D(2021, 6, 5), days=5, form="party_school")
    assert both(rec, QS, D(2022, 1, 1)).status == OK


def test_qs_sessions_of_one_programme_do_not_add_up_one_training_of_five_days_is_needed(cast, rec):
    lunxun = programme(cast.county, 2021)
    training(cast.township_a, [rec], end=D(2021, 5, 5), days=2.5, programme=lunxun)
    training(cast.township_a, [rec], end=D(2021, 9, 5), days=2.5, programme=lunxun)
    check = both(rec, QS, D(2022, 1, 1))
    assert check.status == DUE and "单次最多2.5天" in check.reason


def test_qs_last_day_of_the_three_year_window_is_due_the_day_after_is_overdue(cast, rec):
    # window 0: 2020-03-01 .. 2023-02-28
    check = both(rec, QS, D(2023, 2, 28))
    assert (check.status, check.deadline) == (DUE, D(2023, 2, 28))
    check = both(rec, QS, D(2023, 3, 1))
    assert (check.status, check.deadline) == (OVERDUE, D(2023, 2, 28))
    assert "上一周期（2020年3月1日至2023年2月28日）" in check.reason


def test_qs_a_training_ending_on_the_windows_last_day_counts_for_that_window(cast, rec):
    training(cast.township_a, [rec], end=D(2023, 2, 28), days=5)
    assert both(rec, QS, D(2023, 2, 28)).status == OK
    # The next window has started without a training, but the closed one was met: due, not overdue.
    check = both(rec, QS, D(2023, 3, 1))
    assert (check.status, check.deadline) == (DUE, D(2026, 2, 28))


def test_qs_a_training_ending_the_day_after_counts_for_the_next_window(cast, rec):
    training(cast.township_a, [rec], end=D(2023, 3, 1), days=5)
    assert both(rec, QS, D(2023, 2, 28)).status == DUE  # not held yet on the check date
    assert both(rec, QS, D(2023, 3, 1)).status == OK  # the missed window is cured by training in the current one


def test_qs_a_missed_window_is_reported_only_while_the_current_window_also_lacks_training(cast, rec):
    assert both(rec, QS, D(2024, 6, 1)).status == OVERDUE
    training(cast.township_a, [rec], end=D(2024, 5, 20), days=5)
    assert both(rec, QS, D(2024, 6, 1)).status == OK
    # Two windows later the old miss no longer matters: window 1 was met, window 2 is simply due.
    check = both(rec, QS, D(2026, 6, 1))
    assert (check.status, check.deadline) == (DUE, D(2029, 2, 28))


def test_a_scheduled_training_counts_only_once_it_has_ended(cast, rec):
    training(cast.township_a, [rec], start=D(2022, 5, 1), end=D(2022, 5, 5), days=5)
    assert both(rec, QS, D(2022, 5, 4)).status == DUE
    assert both(rec, QS, D(2022, 5, 5)).status == OK


def test_leap_day_entry_windows_turn_on_the_first_of_march_in_common_years(cast):
    rec = make_record(make_person(cast.village_a1), entered=D(2020, 2, 29))
    check = both(rec, QS, D(2023, 2, 28))
    assert (check.status, check.deadline) == (DUE, D(2023, 2, 28))
    check = both(rec, QS, D(2023, 3, 1))
    assert (check.status, check.deadline) == (OVERDUE, D(2023, 2, 28))
    four = policy("QS2017", training_window_years=4)  # the anniversary falls on a real 29 February
    assert both(rec, four, D(2024, 2, 28)).deadline == D(2024, 2, 28)
    check = both(rec, four, D(2024, 2, 29))
    assert (check.status, check.deadline) == (OVERDUE, D(2024, 2, 28))
    training(cast.township_a, [rec], end=D(2024, 2, 29), days=5)
    assert both(rec, four, D(2024, 2, 29)).status == OK


# --- 3YR: calendar years ---------------------------------------------------------------------------------------------


def test_3yr_a_three_day_lunxun_in_sessions_meets_the_rule_two_unrelated_one_and_a_half_day_trainings_do_not(cast, rec):
    training(cast.township_a, [rec], end=D(2025, 6, 1), days=3)  # last year met
    training(cast.township_a, [rec], end=D(2026, 3, 10), days=1.5, content="党建专题")
    training(cast.township_a, [rec], end=D(2026, 4, 10), days=1.5, content="产业发展专题")
    check = both(rec, YR3, D(2026, 6, 1))
    assert (check.status, check.deadline) == (DUE, D(2026, 12, 31))
    assert "最多1.5天" in check.reason and "不同培训的天数不能相加" in check.reason
    # The two sessions of one 轮训 programme add up to 3 days: met.
    lunxun = programme(cast.county, 2026, "2026年村党组织书记后备力量轮训")
    training(cast.township_a, [rec], end=D(2026, 5, 10), days=1.5, programme=lunxun)
    assert both(rec, YR3, D(2026, 6, 1)).status == DUE  # one session of 1.5 days is not yet a rotation
    training(cast.county, [rec], end=D(2026, 5, 20), days=1.5, programme=lunxun)
    check = both(rec, YR3, D(2026, 6, 1))
    assert check.status == OK
    assert "轮训班“2026年村党组织书记后备力量轮训”2期，共3天" in check.reason


def test_3yr_one_training_of_three_days_alone_meets_the_rule(cast, rec):
    training(cast.township_a, [rec], end=D(2026, 4, 3), days=2.5)
    check = both(rec, YR3, D(2026, 6, 1))
    assert check.status == OVERDUE and "最多2.5天" in check.reason  # and 2025 had nothing
    training(cast.township_a, [rec], end=D(2026, 5, 3), days=3, form="party_school")
    check = both(rec, YR3, D(2026, 6, 1))
    assert check.status == OK and "县委党校3天" in check.reason


def test_3yr_online_study_and_meetings_do_not_count_under_the_default_forms(cast, rec):
    training(cast.township_a, [rec], end=D(2025, 6, 1), days=3)  # last year met
    lunxun = programme(cast.county, 2026)
    training(cast.township_a, [rec], end=D(2026, 4, 3), days=3, form="online", programme=lunxun)
    training(cast.township_a, [rec], end=D(2026, 5, 10), days=3, form="meeting")
    check = both(rec, YR3, D(2026, 6, 1))
    assert (check.status, check.deadline) == (DUE, D(2026, 12, 31))
    assert "以会代训、在线学习以外的培训" in check.reason
    # A county that lets every form count (training_counting_forms = []) sees them met.
    every_form = policy("3YR2024", training_counting_forms=[])
    assert both(rec, every_form, D(2026, 6, 1)).status == OK


def test_3yr_sessions_of_different_programmes_do_not_add_up(cast, rec):
    first, second = programme(cast.county, 2026, "第一轮"), programme(cast.township_a, 2026, "第二轮")
    training(cast.township_a, [rec], end=D(2026, 3, 10), days=2, programme=first)
    training(cast.township_a, [rec], end=D(2026, 4, 10), days=2, programme=second)
    assert both(rec, YR3, D(2026, 6, 1)).status == OVERDUE
    training(cast.township_a, [rec], end=D(2026, 5, 10), days=1, programme=second)
    assert both(rec, YR3, D(2026, 6, 1)).status == OK


def test_3yr_tenths_of_one_programme_add_up_exactly(cast, rec):
    lunxun = programme(cast.county, 2026)
    for end, days in [(D(2026, 3, 1), 2.9), (D(2026, 3, 5), 0.1)]:
        training(cast.township_a, [rec], end=end, days=days, programme=lunxun)
    assert both(rec, YR3, D(2026, 6, 1)).status == OK


def test_stored_sum_versions_still_add_every_counting_training_of_the_year(cast, rec):
    """COUNT_SUM is how versions stored before the rule flags read a calendar year: their history does not change."""
    legacy = policy("3YR2024", training_count_mode="sum", training_counting_forms=[])
    training(cast.township_a, [rec], end=D(2025, 6, 1), days=3)
    training(cast.township_a, [rec], end=D(2026, 4, 3), days=2.5, form="online")
    check = both(rec, legacy, D(2026, 6, 1))
    assert (check.status, check.deadline) == (DUE, D(2026, 12, 31)) and "已参加共2.5天" in check.reason
    training(cast.township_a, [rec], end=D(2026, 5, 10), days=0.5, form="meeting")
    check = both(rec, legacy, D(2026, 6, 1))
    assert check.status == OK and "共3天" in check.reason
    assert both(rec, YR3, D(2026, 6, 1)).status == DUE  # the seed's reading: they are not one 轮训


def test_rolling_windows_with_programme_and_sum_modes(cast, rec):
    # Window 0: 2020-03-01 .. 2023-02-28. Two programme sessions of 2.5 days, and one unrelated 2.5-day training.
    lunxun = programme(cast.county, 2021)
    training(cast.township_a, [rec], end=D(2021, 3, 1), days=2.5, programme=lunxun)
    training(cast.township_a, [rec], end=D(2022, 3, 1), days=2.5)
    as_programme = policy("QS2017", training_count_mode="programme")
    as_sum = policy("QS2017", training_count_mode="sum")
    assert both(rec, QS, D(2022, 6, 1)).status == DUE
    assert both(rec, as_programme, D(2022, 6, 1)).status == DUE
    assert both(rec, as_sum, D(2022, 6, 1)).status == OK
    training(cast.township_a, [rec], end=D(2021, 9, 1), days=2.5, programme=lunxun)
    assert both(rec, QS, D(2022, 6, 1)).status == DUE  # QS: one training of 5 days, unchanged
    assert both(rec, as_programme, D(2022, 6, 1)).status == OK
    # Window 1 (2023-03-01 ..): nothing yet, window 0 met: due; then window 2 with window 1 missed: overdue.
    assert both(rec, as_programme, D(2023, 3, 1)).status == DUE
    check = both(rec, as_sum, D(2026, 3, 1))
    assert (check.status, check.deadline) == (OVERDUE, D(2026, 2, 28))


def test_3yr_last_year_short_and_this_year_short_is_overdue(cast, rec):
    training(cast.township_a, [rec], end=D(2025, 11, 3), days=2.5)
    check = both(rec, YR3, D(2026, 2, 1))
    assert (check.status, check.deadline) == (OVERDUE, D(2025, 12, 31))
    training(cast.township_a, [rec], end=D(2026, 1, 20), days=3)
    assert both(rec, YR3, D(2026, 2, 1)).status == OK


def test_stored_sum_versions_add_tenths_exactly(cast, rec):
    for end, days in [(D(2026, 3, 1), 2.9), (D(2026, 3, 5), 0.1)]:
        training(cast.township_a, [rec], end=end, days=days)
    assert both(rec, policy("3YR2024", training_count_mode="sum"), D(2026, 6, 1)).status == OK
    assert both(rec, YR3, D(2026, 6, 1)).status == OVERDUE  # unrelated trainings: not one 轮训


def test_3yr_entry_year_is_judged_only_for_entries_by_30_june(cast):
    june = make_record(make_person(cast.village_a1, name="六月"), entered=D(2026, 6, 30))
    july = make_record(make_person(cast.village_a1, name="七月"), entered=D(2026, 7, 1))
    assert both(june, YR3, D(2026, 8, 1)).status == DUE
    check = both(july, YR3, D(2026, 8, 1))
    assert check.status == NA and "自2027年起" in check.reason
    # In 2027 the July entrant's 2026 is not held against them: due, not overdue.
    assert both(july, YR3, D(2027, 3, 1)).status == DUE
    assert both(june, YR3, D(2027, 3, 1)).status == OVERDUE


def test_a_training_across_new_year_counts_in_the_year_it_ends(cast, rec):
    training(cast.township_a, [rec], end=D(2024, 6, 3), days=3)
    training(cast.township_a, [rec], start=D(2025, 12, 30), end=D(2026, 1, 2), days=3)
    check = both(rec, YR3, D(2025, 12, 31))
    assert (check.status, check.deadline) == (DUE, D(2025, 12, 31))  # not counted in 2025
    assert both(rec, YR3, D(2026, 1, 5)).status == OK  # counted in 2026


# --- not applicable --------------------------------------------------------------------------------------------------


def test_no_rule_no_policy_and_records_outside_the_pool_are_not_applicable(cast, rec):
    check = both(rec, QL, D(2026, 1, 1))
    assert check.status == NA and check.reason.startswith("本县政策未要求")
    (check,) = rules.training_checks(rec, None, D(2026, 1, 1))
    assert check.status == NA and "尚未设置" in check.reason
    assert rules.annotate_training_status(ReserveRecord.objects.all(), None, D(2026, 1, 1)).get().training_status == NA
    ended = make_record(make_person(cast.village_a1), entered=D(2020, 3, 1), ended=D(2024, 1, 1), status="removed")
    assert both(ended, QS, D(2024, 1, 1)).status == NA
    assert both(ended, QS, D(2023, 12, 31)).status == OVERDUE
    assert both(rec, QS, D(2020, 2, 29)).status == NA  # not yet entered


def test_a_cd_county_with_no_training_has_no_training_gap(cast, rec):
    on = D(2026, 6, 1)
    assert both(rec, QS, on).status == OVERDUE  # the same untrained reserve under QS
    check = both(rec, CD, on)
    assert check.status == NA and check.reason == "本县政策未要求后备干部参加培训的天数，不作检查。"
    qs = rules.annotate_training_status(ReserveRecord.objects.filter(pk=rec.pk), CD, on)
    assert not qs.filter(rules.attention_q("training", on)).exists()
    assert both(rec, CD, on, "shadowing").status == NA


def test_the_flag_switches_the_rule_off_whatever_its_values(cast, rec):
    """A version may keep values under a rule that is off: the flag decides, not the values."""
    training_off = policy("QS2017", training_on=False)
    assert both(rec, training_off, D(2026, 6, 1)).status == NA
    shadowing_off = policy("QL2022", shadowing_on=False)  # still 30 days a year in the values
    check = both(rec, shadowing_off, D(2026, 6, 1), "shadowing")
    assert check.status == NA and check.reason.startswith("本县政策未要求到乡镇跟班学习")
    assert both(rec, QL, D(2026, 6, 1), "shadowing").status == OVERDUE


# --- shadowing (QL: 30 days a year) ----------------------------------------------------------------------------------


@pytest.mark.parametrize("days, status", [(29, DUE), (30, OK), (31, OK)])
def test_shadowing_29_days_is_short_30_and_31_pass(cast, rec, days, status):
    shadowing(rec, D(2025, 3, 1), D(2025, 3, 30))  # last year met (30 days)
    shadowing(rec, D(2026, 3, 1), D(2026, 3, 1) + datetime.timedelta(days=days - 1))
    check = both(rec, QL, D(2026, 6, 1), "shadowing")
    assert check.status == status
    assert f"{days}天" in check.reason


def test_shadowing_counts_only_days_inside_the_year_and_up_to_today(cast, rec):
    shadowing(rec, D(2025, 12, 17), D(2026, 1, 15))  # 15 days in 2025, 15 in 2026
    shadowing(rec, D(2026, 5, 1), None)  # open: runs until the check date
    check = both(rec, QL, D(2026, 5, 14), "shadowing")  # 15 + 14 = 29
    assert (check.status, check.deadline) == (OVERDUE, D(2025, 12, 31))
    assert "2025年到乡镇跟班学习15天" in check.reason
    assert both(rec, QL, D(2026, 5, 15), "shadowing").status == OK  # 15 + 15


def test_other_practice_kinds_do_not_count_as_shadowing(cast, rec):
    shadowing(rec, D(2026, 1, 1), D(2026, 3, 1), kind="assistant")
    check = both(rec, QL, D(2026, 6, 1), "shadowing")
    assert check.status == OVERDUE and "至今0天" in check.reason


def test_shadowing_not_required_is_not_applicable(cast, rec):
    check = both(rec, QS, D(2026, 6, 1), "shadowing")
    assert check.status == NA and check.reason.startswith("本县政策未要求")


def test_shadowing_in_a_leap_year_counts_29_february(cast, rec):
    shadowing(rec, D(2024, 2, 1), D(2024, 3, 1))  # 29 + 1 = 30 days
    assert both(rec, QL, D(2024, 12, 31), "shadowing").status == OK
    shadowing(rec, D(2023, 2, 1), D(2023, 3, 2))  # 28 + 2 = 30 days
    assert both(rec, QL, D(2023, 12, 31), "shadowing").status == OK


# --- at risk ---------------------------------------------------------------------------------------------------------


def test_due_within_sixty_days_is_at_risk_sixty_one_is_not(cast, rec):
    on = D(2022, 12, 30)  # deadline 2023-02-28 is 60 days away
    assert rules.needs_attention(DUE, D(2023, 2, 28), on)
    assert not rules.needs_attention(DUE, D(2023, 2, 28), on - datetime.timedelta(days=1))
    qs = rules.annotate_training_status(ReserveRecord.objects.filter(pk=rec.pk), QS, on)
    assert qs.filter(rules.attention_q("training", on)).exists()
    earlier = on - datetime.timedelta(days=1)
    qs = rules.annotate_training_status(ReserveRecord.objects.filter(pk=rec.pk), QS, earlier)
    assert not qs.filter(rules.attention_q("training", earlier)).exists()


def test_record_checks_use_the_policy_in_force_for_the_records_county(cast, rec):
    checks = rules.record_checks(rec, D(2026, 6, 1))
    assert [(c.key, c.status) for c in checks] == [("training", OVERDUE), ("shadowing", NA)]
    assert rules.record_checks(rec, D(2017, 1, 1))[0].reason.startswith("本县尚未设置")
