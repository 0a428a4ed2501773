"""Each reminder kind with data either side of its threshold: sent on one side, not on the other."""

import datetime

from django.utils import timezone

from assessment.models import Absence, AnnualAppraisal, Leave, QuarterReview, QuarterSubmission
from assessment.quarters import grace_deadline
from lifecycle.models import Use
from mentoring.models import KIND_FULL_COVERAGE, MentoringEntry, Talk, TalkParticipant
from notices.models import Notice
from notices.services import notice_post
from reserves.models import CountyPolicy, Filing, MentorPairing, ReserveRecord
from selection.models import Round
from tests.conftest import make_person, make_record
from tests.reminders.conftest import TUE_DEC_1, TUE_NOV_3, D, got, recipients, scan, use_preset
from training.models import Enrolment, TrainingEvent

TOWNSHIP_A = {"ta_admin", "ta_staff"}


def _notice(cast, start, title="兰沟村考察对象公示"):
    return notice_post(
        actor=cast.township_a_admin,
        kind=Notice.KIND_CANDIDATE,
        unit=cast.township_a,
        county=cast.county,
        subject="selection.round:0",
        title=title,
        body="公示",
        start=start,
        working_days=3,
        posting_day_counts=True,
        places=[(cast.village_a1, "兰沟村公示栏")],
    )


def _round(cast, notice, stage="notice1"):
    """A round at `stage` whose notice1 (or notice2 at its village notice) is `notice`."""
    return Round.objects.create(
        township=cast.township_a,
        kind="qs",
        reserve_type="village_reserve",
        title="兰沟村后备干部选拔",
        announcement="x",
        announced_on=D(2026, 9, 1),
        nomination_deadline=D(2026, 9, 9),
        stage=stage,
        notice1=notice if stage != "notice2" else None,
        notice2=notice if stage == "notice2" else None,
    )


# --- notices -----------------------------------------------------------------------------------------------------


def test_notice_ending_is_sent_on_the_last_working_day_before_its_end(cast):
    notice = _notice(cast, D(2026, 11, 2))  # Mon–Wed: ends 4 November
    assert notice.end == D(2026, 11, 4)
    _round(cast, notice)
    scan(cast, D(2026, 11, 2))
    assert not got("notice_ending").exists()
    scan(cast, TUE_NOV_3)
    assert recipients("notice_ending") == TOWNSHIP_A
    assert "2026年11月4日" in got("notice_ending").first().title
    scan(cast, D(2026, 11, 4))  # the last day itself: no second reminder, and not ended yet
    assert got("notice_ending").count() == 2 and not got("notice_ended").exists()


def test_notice_ending_before_a_weekend_is_sent_on_friday(cast):
    notice = _notice(cast, D(2026, 11, 5))  # Thu, Fri, Mon: ends Monday 9 November
    assert notice.end == D(2026, 11, 9)
    _round(cast, notice)
    scan(cast, D(2026, 11, 5))
    assert not got("notice_ending").exists()
    scan(cast, D(2026, 11, 6))
    assert got("notice_ending").count() == 2


def test_notice_ended_says_the_round_can_proceed_unless_an_objection_is_pending(cast):
    ready = _round(cast, _notice(cast, D(2026, 11, 2)))
    from notices.services import objection_add

    blocked_notice = _notice(cast, D(2026, 11, 2), title="甘家沟村考察对象公示")
    _round(cast, blocked_notice)
    objection_add(
        actor=cast.township_a_admin,
        notice=blocked_notice,
        received_on=D(2026, 11, 3),
        from_whom="匿名",
        about="x",
        content="反映",
    )
    scan(cast, D(2026, 11, 4))
    assert not got("notice_ended").exists()
    scan(cast, D(2026, 11, 5))
    titles = {n.subject: n.title for n in got("notice_ended", recipient=cast.township_a_admin)}
    assert titles[f"notices.notice:{ready.notice1_id}"].startswith("公示期满，可以组织考察")
    assert "1条异议尚未处理" in titles[f"notices.notice:{blocked_notice.pk}"]


def test_the_village_notice_ended_says_the_round_can_be_filed(cast):
    notice = _notice(cast, D(2026, 11, 2), title="兰沟村后备干部村内公示")
    _round(cast, notice, stage="notice2")
    scan(cast, D(2026, 11, 5))
    assert got("notice_ended").first().title == "公示期满，可以报县委组织部备案（入库）：兰沟村后备干部选拔"


def test_a_round_that_moved_on_or_a_use_at_its_notice(cast, people):
    _round(cast, _notice(cast, D(2026, 11, 2)), stage="inspection")  # past its notice: nothing to say
    use_notice = _notice(cast, D(2026, 11, 2), title="择优使用公示")
    use = Use.objects.create(
        record=people["a1"],
        village=cast.village_a1,
        state=Use.NOTICE,
        target_village=cast.village_a1,
        position="cun_member",
        occasion="vacancy",
        recommendation="推荐",
        notice=use_notice,
    )
    scan(cast, D(2026, 11, 5))
    (only,) = {n.subject for n in got("notice_ended")}
    assert only == f"notices.notice:{use_notice.pk}"
    assert got("notice_ended").first().title.startswith("公示期满，可以记录任职结果")
    assert got("notice_ended").first().url == f"/uses/{use.pk}/"


# --- quarterly review ----------------------------------------------------------------------------------------------


def test_quarter_review_due_from_the_first_day_of_the_quarters_last_month(cast, people):
    scan(cast, D(2026, 11, 30))
    assert not got("quarter_due").exists()
    scan(cast, TUE_DEC_1)
    township = got("quarter_due", subject=f"org.orgunit:{cast.township_a.pk}")
    assert {n.recipient.username for n in township} == TOWNSHIP_A
    assert "3名后备干部尚未填写乡镇评定意见" in township.first().title
    village = got("quarter_due", subject=f"org.orgunit:{cast.village_a1.pk}")
    assert {n.recipient.username for n in village} == {"a1_sec"}
    assert township.first().period == "2026Q4"


def test_quarter_review_due_is_not_sent_when_the_opinions_are_in_or_the_quarter_is_submitted(cast, people):
    for key in ("a1", "a2", "a3"):
        QuarterReview.objects.create(
            record=people[key],
            year=2026,
            quarter=4,
            village=people[key].village,
            township_rating="good",
            village_rating="good",
        )
    QuarterSubmission.objects.create(township=cast.township_b, year=2026, quarter=4, state="submitted")
    scan(cast, TUE_DEC_1)
    assert not got("quarter_due").exists()


def test_quarter_overdue_during_the_grace_period_and_the_lock_warning_in_its_last_three_working_days(cast, people):
    deadline = grace_deadline(cast.county, 2026, 3).day  # 10 working days after 30 September
    assert deadline == D(2026, 10, 20)  # 1–7 October off, Saturday 10 October worked
    scan(cast, D(2026, 10, 15))  # Thu: 15, 16, 19, 20 — four working days left
    assert recipients("quarter_overdue") == TOWNSHIP_A | {"tb_admin"}
    assert not got("quarter_lock").exists()
    scan(cast, D(2026, 10, 16))  # Fri: 16, 19, 20 — the last three
    assert recipients("quarter_lock") == TOWNSHIP_A | {"tb_admin"}
    assert "还剩3个工作日" in got("quarter_lock").first().title
    got("quarter_overdue").delete()
    got("quarter_lock").delete()
    scan(cast, D(2026, 10, 21))  # locked: too late for either
    assert not got("quarter_overdue").exists() and not got("quarter_lock").exists()


def test_quarter_overdue_is_not_sent_to_a_township_that_submitted(cast, people):
    QuarterSubmission.objects.create(township=cast.township_a, year=2026, quarter=3, state="submitted")
    scan(cast, D(2026, 10, 16))
    assert recipients("quarter_overdue") == {"tb_admin"} and recipients("quarter_lock") == {"tb_admin"}


# --- annual appraisal ----------------------------------------------------------------------------------------------


def test_appraisal_due_in_december_and_january_only(cast, people):
    scan(cast, D(2026, 11, 30))
    assert not got("appraisal_due").exists()
    for key in ("b1",):
        AnnualAppraisal.objects.create(record=people[key], year=2026, result="competent", village=cast.village_b1)
    scan(cast, TUE_DEC_1)
    assert recipients("appraisal_due") == TOWNSHIP_A  # township B's one reserve is appraised
    assert "3名后备干部" in got("appraisal_due").first().title
    assert got("appraisal_due").first().period == "2026"


def test_appraisal_due_in_january_is_for_the_year_before(cast, people):
    scan(cast, D(2027, 1, 5))
    assert {n.period for n in got("appraisal_due")} == {"2026"}
    got("appraisal_due").delete()
    scan(cast, D(2027, 2, 2))
    assert not got("appraisal_due").exists()


# --- training ------------------------------------------------------------------------------------------------------


def test_training_at_risk_within_60_days_of_the_deadline(cast):
    soon = make_record(make_person(cast.village_a1, name="将到期"), entered=D(2023, 12, 15))  # deadline 14 Dec
    later = make_record(make_person(cast.village_a1, name="未到期"), entered=D(2024, 3, 1))  # deadline Feb 2027
    trained = make_record(make_person(cast.village_a1, name="已培训"), entered=D(2020, 3, 1))
    event = TrainingEvent.objects.create(
        form="concentrated",
        start=D(2026, 5, 11),
        end=D(2026, 5, 15),
        days=5,
        content="集中培训",
        organiser="青竹街道",
        unit=cast.township_a,
    )
    Enrolment.objects.create(event=event, record=trained)
    overdue = make_record(make_person(cast.village_a1, name="已逾期"), entered=D(2020, 3, 1))
    scan(cast, TUE_NOV_3)
    subjects = {n.subject for n in got("training_risk")}
    assert subjects == {f"reserves.reserverecord:{soon.pk}", f"reserves.reserverecord:{overdue.pk}"}
    n = got("training_risk", subject=f"reserves.reserverecord:{soon.pk}").first()
    assert "2026年12月14日前" in n.title and n.period == "2026-12-14"
    assert recipients("training_risk") == TOWNSHIP_A
    assert "未达要求" in got("training_risk", subject=f"reserves.reserverecord:{overdue.pk}").first().title
    assert not got("training_risk", subject=f"reserves.reserverecord:{later.pk}").exists()


# --- mentoring -----------------------------------------------------------------------------------------------------


def test_a_reserve_without_a_mentor_once_a_quarter(cast, people):
    scan(cast, TUE_NOV_3)
    # people: a1 is paired with the mentor; a2, a3 (township A) and b1 (township B) are not
    assert {n.subject for n in got("mentor_missing")} == {
        f"reserves.reserverecord:{people[k].pk}" for k in ("a2", "a3", "b1")
    }
    assert recipients("mentor_missing", subject=f"reserves.reserverecord:{people['b1'].pk}") == {"tb_admin"}
    scan(cast, TUE_DEC_1)
    assert got("mentor_missing").count() == 5  # the same quarter: nothing new
    scan(cast, D(2027, 1, 5))
    assert got("mentor_missing", period="2027Q1").count() == 5


def test_the_pair_rule_wants_a_township_leader_and_a_village_cadre(cast, people):
    CountyPolicy.objects.filter(pk=cast.policy.pk).update(mentor_rule=CountyPolicy.MENTOR_PAIR)
    scan(cast, TUE_NOV_3)
    n = got("mentor_missing", subject=f"reserves.reserverecord:{people['a1'].pk}").first()
    assert n is not None and "缺少村干部结对" in n.title


def test_mentor_entry_missing_from_the_quarters_last_month(cast, people):
    scan(cast, D(2026, 11, 30))
    assert not got("mentor_entry").exists()
    scan(cast, TUE_DEC_1)
    (n,) = got("mentor_entry")
    assert n.recipient == cast.mentor and "李兰" in n.body and "（1人）" in n.title


def test_mentor_entry_not_sent_when_this_quarters_entry_is_in(cast, people):
    pairing = MentorPairing.objects.get(record=people["a1"])
    MentoringEntry.objects.create(pairing=pairing, year=2026, quarter=4, date=D(2026, 11, 20), content="帮扶")
    scan(cast, TUE_DEC_1)
    assert not got("mentor_entry").exists()


def test_full_coverage_talks_not_held_by_november(cast, people):
    scan(cast, D(2026, 10, 30))
    assert not got("talk_coverage").exists()
    talk = Talk.objects.create(
        kind=KIND_FULL_COVERAGE, date=D(2026, 6, 1), unit=cast.township_a, held_by_name="书记", notes="谈话"
    )
    for key in ("a1", "a2", "a3"):
        TalkParticipant.objects.create(talk=talk, record=people[key])
    scan(cast, TUE_NOV_3)
    assert recipients("talk_coverage") == {"tb_admin"}
    assert "尚有1名后备干部未谈" in got("talk_coverage").first().title


# --- attendance ----------------------------------------------------------------------------------------------------


def test_leave_past_its_end_without_return(cast, people):
    use_preset(cast, "QL2022")  # leave routing is QL's rule (§10)
    open_leave = Leave.objects.create(
        record=people["a1"], village=cast.village_a1, start=D(2026, 10, 30), end=D(2026, 11, 2), reason="事假"
    )
    Leave.objects.filter(pk=open_leave.pk).update(state=Leave.APPROVED)
    Leave.objects.create(
        record=people["a2"],
        village=cast.village_a2,
        start=D(2026, 10, 30),
        end=D(2026, 11, 2),
        reason="事假",
        state=Leave.APPROVED,
        returned_on=D(2026, 11, 3),
    )
    scan(cast, D(2026, 11, 2))
    assert not got("leave_overdue").exists()
    scan(cast, TUE_NOV_3)
    assert {n.subject for n in got("leave_overdue")} == {f"assessment.leave:{open_leave.pk}"}
    assert recipients("leave_overdue") == TOWNSHIP_A | {"a1_sec"}


def test_absence_over_fifteen_consecutive_days(cast, people):
    use_preset(cast, "QL2022")  # the absence thresholds are QL's (§11)
    Absence.objects.create(record=people["a1"], village=cast.village_a1, start=D(2026, 10, 1), end=D(2026, 10, 16))
    Absence.objects.create(record=people["a2"], village=cast.village_a2, start=D(2026, 10, 1), end=D(2026, 10, 15))
    scan(cast, TUE_NOV_3)
    assert {n.subject for n in got("absence")} == {f"reserves.reserverecord:{people['a1'].pk}"}
    assert "16天" in got("absence").first().body
    assert recipients("absence") == TOWNSHIP_A | {"a1_sec"}


def test_absence_over_thirty_days_in_a_year(cast, people):
    use_preset(cast, "QL2022")
    for start in (D(2026, 2, 1), D(2026, 4, 1), D(2026, 6, 1)):
        Absence.objects.create(
            record=people["a1"], village=cast.village_a1, start=start, end=start + datetime.timedelta(days=10)
        )  # 3 × 11 = 33 days
    for start in (D(2026, 2, 1), D(2026, 4, 1), D(2026, 6, 1)):
        Absence.objects.create(
            record=people["a2"], village=cast.village_a2, start=start, end=start + datetime.timedelta(days=9)
        )  # 30 days: not over
    scan(cast, TUE_NOV_3)
    assert {n.subject for n in got("absence")} == {f"reserves.reserverecord:{people['a1'].pk}"}


def test_a_qs_county_has_no_leave_or_absence_reminder_after_twenty_days_away(cast, people):
    """QS2017 has neither leave routing nor absence thresholds: an overdue leave and 20 days away remind nobody."""
    leave = Leave.objects.create(
        record=people["a1"], village=cast.village_a1, start=D(2026, 10, 1), end=D(2026, 10, 2), reason="事假"
    )
    Leave.objects.filter(pk=leave.pk).update(state=Leave.APPROVED)
    Absence.objects.create(record=people["a2"], village=cast.village_a2, start=D(2026, 10, 1), end=D(2026, 10, 20))
    scan(cast, TUE_NOV_3)
    assert not got("leave_overdue").exists() and not got("absence").exists()
    use_preset(cast, "QL2022", since=D(2026, 11, 4))  # the county switches to QL's rules: reminded the next day
    scan(cast, D(2026, 11, 4))
    assert got("leave_overdue").count() == 3  # 兰沟村's secretary and township A's two
    assert got("absence").count() == 2  # 甘家沟村 has no secretary account: township A


def test_ageing_out_under_a_blocking_age_limit(cast):
    CountyPolicy.objects.filter(pk=cast.policy.pk).update(age_limit=35, age_mode=CountyPolicy.BLOCK)
    soon = make_record(make_person(cast.village_a1, birth=D(1991, 6, 1), name="满36"))  # 36 on 1 June 2027
    make_record(make_person(cast.village_a1, birth=D(1992, 6, 1), name="未满"))  # 36 in 2028
    past = make_record(make_person(cast.village_a1, birth=D(1990, 11, 3), name="已满36"))  # 36 on the scan day
    scan(cast, TUE_NOV_3)
    (n,) = {n.subject for n in got("age_out")}
    assert n == f"reserves.reserverecord:{soon.pk}"
    assert got("age_out").first().period == "2027-06-01"
    assert "12个月内将超过年龄上限" in got("age_out").first().title
    # Already past on the day the limit is passed: the other kind, never both.
    assert {n.subject for n in got("age_over")} == {f"reserves.reserverecord:{past.pk}"}
    assert got("age_over").first().title == "已超过年龄上限：已满36（兰沟村）"
    assert recipients("age_over") == TOWNSHIP_A
    scan(cast, D(2026, 11, 2))  # the day before, the same person was still passing within 12 months
    assert got("age_out", subject=f"reserves.reserverecord:{past.pk}").exists()


def test_no_age_out_reminder_under_a_limit_that_only_warns(cast):
    make_record(make_person(cast.village_a1, birth=D(1985, 6, 1)))  # QS2017: "35周岁左右" warns only
    make_record(make_person(cast.village_a1, birth=D(1991, 6, 1)))
    scan(cast, TUE_NOV_3)
    assert not got("age_out").exists() and not got("age_over").exists()


# --- villages below target, filings -------------------------------------------------------------------------------


def test_village_below_target(cast, people):
    make_record(make_person(cast.village_a1, name="第二名"))  # A1 reaches the QS target of 2
    scan(cast, TUE_NOV_3)
    villages = {n.subject for n in got("below_target")}
    assert f"org.orgunit:{cast.village_a1.pk}" not in villages
    assert f"org.orgunit:{cast.village_a2.pk}" in villages
    assert recipients("below_target", subject=f"org.orgunit:{cast.village_a2.pk}") == TOWNSHIP_A
    assert "缺1名（目标2名，在库1名）" in got("below_target", subject=f"org.orgunit:{cast.village_a2.pk}").first().body


def test_filing_waiting_more_than_five_working_days(cast):
    filing = Filing.objects.create(
        kind="selection", subject="selection.round:1", title="兰沟村选拔结果", unit=cast.township_a, county=cast.county
    )
    submitted = timezone.make_aware(datetime.datetime(2026, 11, 2, 10))  # Monday
    Filing.objects.filter(pk=filing.pk).update(submitted_at=submitted)
    scan(cast, D(2026, 11, 9))  # Tue–Mon: 5 working days
    assert not got("filing_waiting").exists()
    scan(cast, D(2026, 11, 10))
    assert recipients("filing_waiting") == {"county_admin"}
    assert "已等待6个工作日" in got("filing_waiting").first().title


def test_the_filing_wait_is_the_countys_setting(cast):
    use_preset(cast, "QS2017", filing_wait_working_days=3)
    filing = Filing.objects.create(
        kind="selection", subject="selection.round:1", title="兰沟村选拔结果", unit=cast.township_a, county=cast.county
    )
    Filing.objects.filter(pk=filing.pk).update(submitted_at=timezone.make_aware(datetime.datetime(2026, 11, 2, 10)))
    scan(cast, D(2026, 11, 5))  # Tue–Thu: 3 working days
    assert not got("filing_waiting").exists()
    scan(cast, D(2026, 11, 6))
    assert "（超过3个工作日）" in got("filing_waiting").first().body


# --- digest ------------------------------------------------------------------------------------------------------


def test_weekly_digest_on_monday_for_users_with_unread_reminders(cast, people):
    scan(cast, TUE_NOV_3)  # reminders, but Tuesday: no digest
    assert not got("digest").exists()
    got("training_risk").update(read_at=timezone.now())
    scan(cast, D(2026, 11, 9))
    digests = {n.recipient.username: n for n in got("digest")}
    assert set(digests) == TOWNSHIP_A | {"tb_admin", "a1_sec"}  # only users with something unread
    assert digests["ta_admin"].period == "2026-W46" and "未按要求结对帮带" in digests["ta_admin"].body
    assert "培训" not in digests["ta_admin"].body  # read ones are not counted
    assert "村后备干部缺额 1 条" in digests["a1_sec"].body


def test_records_that_ended_are_not_reminded_about(cast, people):
    ReserveRecord.objects.filter(pk=people["a2"].pk).update(status="removed", ended_on=D(2026, 6, 1))
    scan(cast, TUE_NOV_3)
    assert not got("mentor_missing", subject=f"reserves.reserverecord:{people['a2'].pk}").exists()
    assert not got("training_risk", subject=f"reserves.reserverecord:{people['a2'].pk}").exists()


# --- roster submission deadline ------------------------------------------------------------------------------------


def test_roster_deadline_reminds_townships_that_have_not_submitted(cast, people):
    from reports import submissions

    call = submissions.call_create(
        actor=cast.county_admin, county=cast.county, year=2026, deadline=D(2026, 11, 30)
    )  # Monday 30 November
    scan(cast, D(2026, 11, 20))  # Fri: 7 working days through the 30th
    assert not got("roster_deadline").exists()
    submissions.submission_submit(actor=cast.township_b_admin, call=call, township=cast.township_b)
    scan(cast, D(2026, 11, 24))  # Tue: 5 working days left
    assert recipients("roster_deadline") == TOWNSHIP_A  # township B has submitted
    assert "截止日期为2026年11月30日" in got("roster_deadline").first().body
    scan(cast, D(2026, 11, 25))  # once per call and township
    assert got("roster_deadline").count() == 2
    scan(cast, D(2026, 12, 1))  # past the deadline: no more (the county sees who is late)
    assert got("roster_deadline").count() == 2


def test_a_returned_roster_is_reminded_about_again(cast, people):
    from reports import submissions

    call = submissions.call_create(actor=cast.county_admin, county=cast.county, year=2026, deadline=D(2026, 11, 30))
    sub = submissions.submission_submit(actor=cast.township_a_admin, call=call, township=cast.township_a)
    scan(cast, D(2026, 11, 24))
    assert recipients("roster_deadline") == {"tb_admin"}
    submissions.submission_decide(actor=cast.county_admin, submission=sub, accept=False, reason="少报一人，请更正")
    scan(cast, D(2026, 11, 25))
    assert recipients("roster_deadline") == TOWNSHIP_A | {"tb_admin"}
