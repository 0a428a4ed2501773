"""Leave (请销假, QL §10), absences and the QL §11 thresholds, and inability reports (QL §15)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from assessment import services
from assessment.compliance import check_absence
from assessment.models import Absence, InabilityReport, Leave
from org.models import AuditLog, VillageLeader
from reserves.models import CountyPolicy, Flag
from reserves.policy import preset_values
from tests.conftest import make_person, make_record

D = datetime.date
JUNE_1 = D(2026, 6, 1)


@pytest.fixture(autouse=True)
def ql_county(cast):
    """Leave routing (§10), the absence thresholds (§11) and the 5-day inability report (§15) are QL2022 duties; the
    QS cast has none of them (tests/assessment/test_rules_off.py covers that), so this module runs under a QL2022
    version from 2018 on — `cast.policy` is that version."""
    cast.policy = CountyPolicy.objects.create(
        county=cast.county, effective_from=D(2018, 1, 1), preset="QL2022", **preset_values("QL2022")
    )


def leave(cast, record, start, end, *, user=None, today=JUNE_1, **kw):
    return services.leave_create(
        actor=user or cast.village_secretary,
        record=record,
        village=cast.village_a1,
        start=start,
        end=end,
        reason=kw.pop("reason", "家中有事"),
        today=today,
        **kw,
    )


def absent(cast, record, start, end, today=None):
    return services.absence_add(
        actor=cast.village_secretary,
        record=record,
        village=cast.village_a1,
        start=start,
        end=end,
        note="无故未到岗",
        today=today or end,
    )


def absence_flags(record):
    return sorted(Flag.objects.filter(record=record, kind=Flag.ABSENCE).values_list("source", flat=True))


# --- approval ------------------------------------------------------------------------------------------------------


def test_one_day_leave_is_approved_by_the_village_secretary(cast, a1_record):
    one = leave(cast, a1_record, D(2026, 6, 2), D(2026, 6, 2))
    assert one.days == 1 and one.state == Leave.PENDING
    services.leave_decide(actor=cast.village_secretary, leave=one, approve=True)
    one.refresh_from_db()
    assert one.state == Leave.APPROVED and one.decided_by == cast.village_secretary
    assert AuditLog.objects.filter(action="assessment.leave_approve").exists()


def test_village_secretary_approving_a_three_day_leave_is_refused_in_chinese(cast, a1_record, leader):
    three = leave(cast, a1_record, D(2026, 6, 2), D(2026, 6, 4))
    assert three.days == 3
    with pytest.raises(ValidationError) as exc:
        services.leave_decide(actor=cast.village_secretary, leave=three, approve=True)
    assert exc.value.messages == [
        "请假3天，超过1天，须报乡（镇）包村领导审批（兰沟村的包村领导是青竹委员）；"
        "村（社区）党组织书记只能审批1天以内的请假。"
    ]
    three.refresh_from_db()
    assert three.state == Leave.PENDING


def test_a_longer_leave_is_approved_only_by_the_leader_in_charge_on_its_first_day(cast, a1_record, leader):
    three = leave(cast, a1_record, D(2026, 6, 2), D(2026, 6, 4))
    with pytest.raises(ValidationError, match="包村领导"):  # another township user is not the leader
        services.leave_decide(actor=cast.township_a_admin, leave=three, approve=True)
    services.leave_decide(actor=cast.township_a_staff, leave=three, approve=True)
    assert Leave.objects.get().state == Leave.APPROVED


def test_the_leader_in_charge_is_taken_on_the_leaves_first_day(cast, a1_record, leader):
    leader.end = D(2026, 6, 1)
    leader.save()
    VillageLeader.objects.create(village=cast.village_a1, user=cast.township_a_admin, start=D(2026, 6, 1))
    three = leave(cast, a1_record, D(2026, 6, 2), D(2026, 6, 4))
    with pytest.raises(ValidationError, match="兰沟村的包村领导是青竹书记"):
        services.leave_decide(actor=cast.township_a_staff, leave=three, approve=True)
    services.leave_decide(actor=cast.township_a_admin, leave=three, approve=True)


def test_without_a_leader_the_refusal_says_to_assign_one(cast, a1_record):
    three = leave(cast, a1_record, D(2026, 6, 2), D(2026, 6, 4))
    with pytest.raises(ValidationError, match="没有包村领导，请乡镇先指定"):
        services.leave_decide(actor=cast.township_a_admin, leave=three, approve=True)


def test_the_policy_sets_the_village_limit(cast, a1_record):
    cast.policy.leave_village_max_days = 3
    cast.policy.save()
    three = leave(cast, a1_record, D(2026, 6, 2), D(2026, 6, 4))
    services.leave_decide(actor=cast.village_secretary, leave=three, approve=True)


def test_a_leave_is_decided_once_and_a_refusal_needs_a_reason(cast, a1_record):
    one = leave(cast, a1_record, D(2026, 6, 2), D(2026, 6, 2))
    with pytest.raises(ValidationError) as exc:
        services.leave_decide(actor=cast.village_secretary, leave=one, approve=False)
    assert exc.value.message_dict == {"note": ["不予批准时请填写理由。"]}
    services.leave_decide(actor=cast.village_secretary, leave=one, approve=False, note="村里有重要工作")
    with pytest.raises(ValidationError, match="不能重复审批"):
        services.leave_decide(actor=cast.village_secretary, leave=one, approve=True)


def test_a_secretary_of_another_village_cannot_approve(cast):
    record = make_record(make_person(cast.village_a2, name="王甘"))
    one = services.leave_create(
        actor=cast.township_a_admin,
        record=record,
        village=cast.village_a2,
        start=D(2026, 6, 2),
        end=D(2026, 6, 2),
        reason="事假",
        today=D(2026, 6, 1),
    )
    with pytest.raises(ValidationError):
        services.leave_decide(actor=cast.village_secretary, leave=one, approve=True)


# --- entering leave --------------------------------------------------------------------------------------------------


def test_overlapping_leaves_for_one_record_are_refused(cast, a1_record):
    leave(cast, a1_record, D(2026, 6, 2), D(2026, 6, 4))
    with pytest.raises(ValidationError) as exc:
        leave(cast, a1_record, D(2026, 6, 4), D(2026, 6, 5))
    assert exc.value.messages == ["与已登记的请假（2026年6月2日至2026年6月4日）时间重叠。"]
    assert Leave.objects.count() == 1


def test_a_refused_leave_does_not_block_another(cast, a1_record):
    first = leave(cast, a1_record, D(2026, 6, 2), D(2026, 6, 2))
    services.leave_decide(actor=cast.village_secretary, leave=first, approve=False, note="不批")
    leave(cast, a1_record, D(2026, 6, 2), D(2026, 6, 2))


@pytest.mark.parametrize(
    "start, end, reason, message",
    [
        (D(2026, 6, 4), D(2026, 6, 2), "事假", {"end": ["请假结束日期不能早于开始日期。"]}),
        (D(2026, 6, 2), D(2026, 6, 2), "  ", {"reason": ["请填写请假事由。"]}),
    ],
)
def test_bad_leave_input_is_refused(cast, a1_record, start, end, reason, message):
    with pytest.raises(ValidationError) as exc:
        leave(cast, a1_record, start, end, reason=reason)
    assert exc.value.message_dict == message
    assert not Leave.objects.exists()


def test_a_leave_before_the_record_entered_the_pool_is_refused(cast, a1_record):
    with pytest.raises(ValidationError) as exc:
        leave(cast, a1_record, D(2019, 6, 2), D(2019, 6, 2))
    assert exc.value.messages == ["李兰在2019年6月2日不在兰沟村后备干部库中。"]


def test_township_b_and_city_viewer_cannot_enter_leave_in_a1(cast, a1_record):
    for user in (cast.township_b_admin, cast.city_viewer, cast.mentor):
        with pytest.raises(ValidationError, match="无权"):
            leave(cast, a1_record, D(2026, 6, 2), D(2026, 6, 2), user=user)


# --- 销假 and overstay ----------------------------------------------------------------------------------------------


def test_closing_before_the_leave_starts_is_refused(cast, a1_record):
    future = leave(cast, a1_record, D(2026, 6, 10), D(2026, 6, 12), today=D(2026, 6, 5))
    with pytest.raises(ValidationError) as exc:
        services.leave_close(actor=cast.village_secretary, leave=future, returned_on=D(2026, 6, 5), today=D(2026, 6, 5))
    assert exc.value.message_dict == {
        "returned_on": ["销假日期不能早于请假开始日期（2026年6月10日）：请假尚未开始，不能销假。"]
    }
    with pytest.raises(ValidationError) as exc:
        services.leave_close(
            actor=cast.village_secretary, leave=future, returned_on=D(2026, 6, 11), today=D(2026, 6, 5)
        )
    assert exc.value.message_dict == {"returned_on": ["销假日期不能晚于今天。"]}
    assert Leave.objects.get().returned_on is None


def test_coming_back_on_time_leaves_no_absence(cast, a1_record):
    one = leave(cast, a1_record, D(2026, 6, 2), D(2026, 6, 4))
    services.leave_close(actor=cast.village_secretary, leave=one, returned_on=D(2026, 6, 5), today=D(2026, 6, 5))
    assert not Absence.objects.exists()
    with pytest.raises(ValidationError, match="已于2026年6月5日销假"):
        services.leave_close(actor=cast.village_secretary, leave=one, returned_on=D(2026, 6, 5), today=D(2026, 6, 5))


def test_overstay_counts_from_the_day_after_the_end_until_the_day_before_closing(cast, a1_record):
    one = leave(cast, a1_record, D(2026, 3, 1), D(2026, 3, 3), today=D(2026, 2, 27))
    overstay = Absence.objects.get()
    assert (overstay.kind, overstay.start, overstay.end) == (Absence.OVERSTAY, D(2026, 3, 4), None)
    assert overstay.days(D(2026, 3, 3)) == 0 and overstay.days(D(2026, 3, 8)) == 5  # still away: up to today
    services.leave_close(actor=cast.village_secretary, leave=one, returned_on=D(2026, 3, 10), today=D(2026, 3, 12))
    overstay.refresh_from_db()
    assert (overstay.start, overstay.end) == (D(2026, 3, 4), D(2026, 3, 9))
    one.refresh_from_db()
    assert one.overdue_days(D(2026, 12, 31)) == 6


def test_an_open_leave_past_its_end_is_capped_by_the_next_leave(cast, a1_record):
    leave(cast, a1_record, D(2026, 3, 1), D(2026, 3, 3), today=D(2026, 2, 27))
    leave(cast, a1_record, D(2026, 3, 20), D(2026, 3, 20), today=D(2026, 3, 19))
    first = Absence.objects.get(leave__start=D(2026, 3, 1))
    assert (first.start, first.end) == (D(2026, 3, 4), D(2026, 3, 19))


def test_closing_after_the_next_leave_started_is_refused(cast, a1_record):
    first = leave(cast, a1_record, D(2026, 3, 1), D(2026, 3, 3), today=D(2026, 2, 27))
    leave(cast, a1_record, D(2026, 3, 20), D(2026, 3, 20), today=D(2026, 3, 19))
    with pytest.raises(ValidationError, match="不能晚于之后一次请假或缺勤的开始日期（2026年3月20日）"):
        services.leave_close(
            actor=cast.village_secretary, leave=first, returned_on=D(2026, 3, 25), today=D(2026, 3, 30)
        )


def test_a_refused_leave_has_no_overstay(cast, a1_record):
    one = leave(cast, a1_record, D(2026, 3, 1), D(2026, 3, 1), today=D(2026, 2, 27))
    services.leave_decide(actor=cast.village_secretary, leave=one, approve=False, note="不批")
    assert not Absence.objects.exists()
    with pytest.raises(ValidationError, match="无需销假"):
        services.leave_close(actor=cast.village_secretary, leave=one, returned_on=D(2026, 3, 2), today=D(2026, 3, 2))


def test_a_finished_leave_can_be_entered_afterwards_with_its_return_date(cast, a1_record):
    leave(cast, a1_record, D(2026, 3, 1), D(2026, 3, 3), returned_on=D(2026, 3, 6), today=D(2026, 4, 1))
    overstay = Absence.objects.get()
    assert (overstay.start, overstay.end) == (D(2026, 3, 4), D(2026, 3, 5))


# --- absences and the QL §11 thresholds --------------------------------------------------------------------------


def test_fifteen_consecutive_days_is_within_the_rule_sixteen_is_over(cast, a1_record):
    absent(cast, a1_record, D(2026, 5, 1), D(2026, 5, 15))
    assert absence_flags(a1_record) == []
    assert check_absence(a1_record, cast.policy, on=D(2026, 5, 15)).status == "ok"
    absent(cast, a1_record, D(2026, 5, 16), D(2026, 5, 16))  # adjacent: one run of 16 days
    assert absence_flags(a1_record) == [f"assessment.absence:{a1_record.pk}:2026-05-01"]
    check = check_absence(a1_record, cast.policy, on=D(2026, 5, 16))
    assert check.status == "overdue" and "自2026年5月1日起连续缺勤16天，超过15天" in check.reason
    flag = Flag.objects.get(kind=Flag.ABSENCE)
    assert flag.reason == "自2026年5月1日起连续缺勤（含超假）16天，超过15天。"


def test_thirty_days_in_a_year_is_within_the_rule_thirty_one_is_over(cast, a1_record):
    absent(cast, a1_record, D(2026, 2, 1), D(2026, 2, 10))
    absent(cast, a1_record, D(2026, 4, 1), D(2026, 4, 10))
    absent(cast, a1_record, D(2026, 6, 1), D(2026, 6, 10))
    assert absence_flags(a1_record) == []
    absent(cast, a1_record, D(2026, 8, 3), D(2026, 8, 3))
    assert absence_flags(a1_record) == [f"assessment.absence:{a1_record.pk}:2026"]
    assert "2026年累计缺勤31天，超过30天" in check_absence(a1_record, cast.policy, on=D(2026, 8, 3)).reason


def test_years_are_counted_separately_but_a_run_crosses_new_year(cast, a1_record):
    absent(cast, a1_record, D(2025, 12, 24), D(2026, 1, 8))  # 8 + 8 = 16 consecutive days
    assert absence_flags(a1_record) == [f"assessment.absence:{a1_record.pk}:2025-12-24"]


@pytest.mark.parametrize("year, flagged", [(2023, False), (2024, True)])
def test_the_29th_of_february_is_a_day_of_absence_in_a_leap_year(cast, a1_record, year, flagged):
    absent(cast, a1_record, D(year, 2, 20), D(year, 3, 6))  # 15 days in 2023, 16 in 2024
    assert bool(absence_flags(a1_record)) is flagged


def test_an_unclosed_leave_becomes_absence_as_days_pass_and_the_scan_flags_it(cast, a1_record):
    leave(cast, a1_record, D(2026, 3, 1), D(2026, 3, 3), today=D(2026, 2, 27))
    assert services.scan_absence(D(2026, 3, 18)) == 0  # 15 days overdue
    assert services.scan_absence(D(2026, 3, 19)) == 1  # 16
    assert services.scan_absence(D(2026, 3, 20)) == 0  # raised once
    assert absence_flags(a1_record) == [f"assessment.absence:{a1_record.pk}:2026-03-04"]


def test_overstay_and_absence_next_to_each_other_make_one_run(cast, a1_record):
    one = leave(cast, a1_record, D(2026, 3, 1), D(2026, 3, 3), today=D(2026, 2, 27))
    services.leave_close(actor=cast.village_secretary, leave=one, returned_on=D(2026, 3, 12), today=D(2026, 3, 12))
    assert absence_flags(a1_record) == []  # 8 days overdue
    absent(cast, a1_record, D(2026, 3, 12), D(2026, 3, 19))  # 8 more, adjacent
    assert absence_flags(a1_record) == [f"assessment.absence:{a1_record.pk}:2026-03-04"]


@pytest.mark.parametrize(
    "start, end, today, message",
    [
        (D(2026, 5, 3), D(2026, 5, 1), D(2026, 5, 5), {"end": ["缺勤终止日期不能早于起始日期。"]}),
        (D(2026, 5, 3), D(2026, 5, 6), D(2026, 5, 5), {"end": ["缺勤终止日期不能晚于今天。"]}),
    ],
)
def test_bad_absence_input_is_refused(cast, a1_record, start, end, today, message):
    with pytest.raises(ValidationError) as exc:
        absent(cast, a1_record, start, end, today=today)
    assert exc.value.message_dict == message
    assert not Absence.objects.exists()


def test_an_absence_during_a_leave_is_refused(cast, a1_record):
    leave(cast, a1_record, D(2026, 5, 1), D(2026, 5, 3), today=D(2026, 4, 30))
    with pytest.raises(ValidationError, match="与已登记的请假（2026年5月1日至2026年5月3日）时间重叠"):
        absent(cast, a1_record, D(2026, 5, 3), D(2026, 5, 4))
    absent(cast, a1_record, D(2026, 4, 20), D(2026, 4, 21), today=D(2026, 5, 1))
    with pytest.raises(ValidationError, match="与已登记的缺勤"):
        absent(cast, a1_record, D(2026, 4, 21), D(2026, 4, 22), today=D(2026, 5, 1))


# --- inability reports ---------------------------------------------------------------------------------------------


def report(cast, record, found_on, reported_on, reason="长期外出务工，无法到岗"):
    return services.inability_report(
        actor=cast.village_secretary,
        record=record,
        village=cast.village_a1,
        found_on=found_on,
        reported_on=reported_on,
        reason=reason,
        today=reported_on,
    )


def test_a_report_within_five_days_is_on_time_and_raises_a_flag(cast, a1_record):
    on_time = report(cast, a1_record, D(2026, 5, 1), D(2026, 5, 6))
    assert not on_time.late and services.inability_late_text(on_time) == ""
    flag = Flag.objects.get(kind=Flag.INABILITY)
    assert flag.source == f"assessment.inability:{on_time.pk}" and "长期外出务工" in flag.reason


def test_a_late_report_is_accepted_and_marked_late(cast, a1_record):
    late = report(cast, a1_record, D(2026, 5, 1), D(2026, 5, 9))
    assert late.late and late.days_late == 3
    assert services.inability_late_text(late) == (
        "该情况于2026年5月1日发现，2026年5月9日报告，超过发现之日起5日内报告的时限（逾期3天），已标注为逾期报告。"
    )
    assert AuditLog.objects.get(action="assessment.inability_report").changes["late"] is True


@pytest.mark.parametrize(
    "found_on, reported_on, reason, message",
    [
        (D(2026, 5, 3), D(2026, 5, 1), "x", {"reported_on": ["报告日期不能早于发现日期。"]}),
        (D(2026, 5, 1), D(2026, 5, 2), " ", {"reason": ["请填写不能正常履职的具体情况。"]}),
    ],
)
def test_bad_report_input_is_refused(cast, a1_record, found_on, reported_on, reason, message):
    with pytest.raises(ValidationError) as exc:
        report(cast, a1_record, found_on, reported_on, reason)
    assert exc.value.message_dict == message
    assert not InabilityReport.objects.exists() and not Flag.objects.exists()


def test_a_report_dated_tomorrow_is_refused(cast, a1_record):
    with pytest.raises(ValidationError, match="报告日期不能晚于今天"):
        services.inability_report(
            actor=cast.village_secretary,
            record=a1_record,
            village=cast.village_a1,
            found_on=D(2026, 5, 1),
            reported_on=D(2026, 5, 2),
            reason="x",
            today=D(2026, 5, 1),
        )
