"""Quarterly review (季度评议): who writes what, the grace period on the working-day calendar, submission, reopening,
and the refusals."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from assessment import services
from assessment.models import QuarterReview, QuarterSubmission
from assessment.quarters import EXPIRED, FUTURE, OPEN, REOPENED, SUBMITTED, grace_deadline, quarter_status
from notices.models import CalendarDay
from org.models import AuditLog
from reserves.models import ReservePlacement
from tests.conftest import make_person, make_record

D = datetime.date
SEPT_15, OCT_9 = D(2026, 9, 15), D(2026, 10, 9)
OPINION = {"potential": "群众基础好，有带富能力", "shortcomings": "理论学习不够", "rating": "fairly_good"}


def save(user, village, record, side="township", today=SEPT_15, year=2026, quarter=3, **values):
    return services.quarter_review_save(
        actor=user,
        record=record,
        village=village,
        year=year,
        quarter=quarter,
        side=side,
        today=today,
        **(OPINION | values),
    )


# --- the grace period ----------------------------------------------------------------------------------------------


def test_q3_2026_grace_crosses_national_day_and_counts_the_make_up_saturday(cast):
    # 10-01..07 are off; 10-08 (Thu), 10-09 (Fri) and 10-10 (Sat, 调休) are working days in the 2026 arrangement:
    # 8, 9, 10, 12, 13, 14, 15, 16, 19, 20 → the tenth working day after 09-30 is Tuesday 10-20.
    deadline = grace_deadline(cast.county, 2026, 3)
    assert deadline.day == D(2026, 10, 20) and not deadline.estimated and deadline.grace_days == 10


def test_a_county_holiday_on_the_make_up_saturday_moves_the_deadline_a_day(cast):
    CalendarDay.objects.create(county=cast.county, date=D(2026, 10, 10), kind=CalendarDay.HOLIDAY)
    assert grace_deadline(cast.county, 2026, 3).day == D(2026, 10, 21)


def test_q4_2026_grace_runs_into_a_year_the_library_does_not_know_and_says_so(cast):
    deadline = grace_deadline(cast.county, 2026, 4)
    assert deadline.estimated and deadline.day == D(2027, 1, 14)


def test_the_policy_sets_the_grace_period(cast):
    cast.policy.quarter_grace_working_days = 3
    cast.policy.save()
    assert grace_deadline(cast.county, 2026, 3).day == D(2026, 10, 10)


def test_quarter_is_open_on_the_last_grace_day_and_locked_the_day_after(cast, a1_record):
    status = quarter_status(cast.township_a, 2026, 3, today=D(2026, 10, 20))
    assert status.state == OPEN and "2026年10月20日" in status.explanation
    save(cast.township_a_admin, cast.village_a1, a1_record, today=D(2026, 10, 20))
    locked = quarter_status(cast.township_a, 2026, 3, today=D(2026, 10, 21))
    assert locked.state == EXPIRED
    with pytest.raises(ValidationError) as exc:
        save(cast.township_a_admin, cast.village_a1, a1_record, today=D(2026, 10, 21), rating="good")
    assert "评议期已于2026年10月20日截止" in exc.value.messages[0]
    assert QuarterReview.objects.get().township_rating == "fairly_good"


def test_quarter_is_open_from_its_first_day_and_a_future_quarter_is_refused(cast, a1_record):
    assert quarter_status(cast.township_a, 2026, 4, today=D(2026, 9, 30)).state == FUTURE
    assert quarter_status(cast.township_a, 2026, 4, today=D(2026, 10, 1)).state == OPEN
    with pytest.raises(ValidationError) as exc:
        save(cast.township_a_admin, cast.village_a1, a1_record, quarter=4, today=D(2026, 9, 30))
    assert exc.value.messages == ["2026年第四季度尚未开始，不能评议。"]
    assert not QuarterReview.objects.exists()


# --- who writes what -----------------------------------------------------------------------------------------------


def test_village_secretary_writes_the_village_opinion_and_the_township_its_own(cast, a1_record):
    save(cast.village_secretary, cast.village_a1, a1_record, side="village", rating="good")
    save(cast.township_a_staff, cast.village_a1, a1_record, side="township")
    review = QuarterReview.objects.get()
    assert (review.village_rating, review.township_rating) == ("good", "fairly_good")
    assert (review.village_by, review.township_by) == (cast.village_secretary, cast.township_a_staff)
    assert review.opinion_text("village") == "发展潜力：群众基础好，有带富能力；主要不足：理论学习不够；评定：好"
    assert AuditLog.objects.filter(action="assessment.quarter_review").count() == 2


def test_village_secretary_cannot_write_the_township_opinion(cast, a1_record):
    with pytest.raises(ValidationError) as exc:
        save(cast.village_secretary, cast.village_a1, a1_record, side="township")
    assert "乡镇评定意见由乡镇填写" in exc.value.messages[0]
    assert not QuarterReview.objects.exists()


def test_township_users_may_fill_the_village_opinion_too(cast, a1_record):
    save(cast.township_a_admin, cast.village_a1, a1_record, side="village")
    assert QuarterReview.objects.get().village_rating == "fairly_good"


@pytest.mark.parametrize("role", ["township_b_admin", "mentor", "city_viewer", "outsider"])
def test_others_cannot_write_a_review(cast, a1_record, role):
    with pytest.raises(ValidationError) as exc:
        save(cast.users()[role], cast.village_a1, a1_record, side="village")
    assert exc.value.messages == ["您无权填写该村（社区）的季度评议。"]
    assert not QuarterReview.objects.exists()


def test_village_secretary_of_a1_cannot_write_for_a2(cast):
    record = make_record(make_person(cast.village_a2, name="王甘"))
    with pytest.raises(ValidationError):
        save(cast.village_secretary, cast.village_a2, record, side="village")


# --- refusals --------------------------------------------------------------------------------------------------------


def test_rating_outside_the_scale_is_refused(cast, a1_record):
    with pytest.raises(ValidationError) as exc:
        save(cast.township_a_admin, cast.village_a1, a1_record, rating="excellent")
    assert exc.value.messages == ["李兰的乡镇评定意见：评定等次只能是“好、较好、一般、差”之一。"]
    assert not QuarterReview.objects.exists()


def test_an_opinion_needs_potential_shortcomings_and_rating_together(cast, a1_record):
    with pytest.raises(ValidationError) as exc:
        save(cast.township_a_admin, cast.village_a1, a1_record, shortcomings="")
    assert "请同时填写发展潜力、主要不足并选择评定等次" in exc.value.messages[0]
    assert not QuarterReview.objects.exists()


def test_a_record_not_in_the_pool_that_quarter_is_refused(cast):
    late = make_record(make_person(cast.village_a1, name="新人"), entered=D(2026, 10, 1))
    gone = make_record(
        make_person(cast.village_a1, name="已出库"), entered=D(2020, 1, 1), ended=D(2026, 7, 1), status="removed"
    )
    for record in (late, gone):
        with pytest.raises(ValidationError) as exc:
            save(cast.township_a_admin, cast.village_a1, record)
        assert exc.value.messages == [f"{record.person.name}在2026年第三季度不在兰沟村后备干部库中，不能评议。"]
    assert not QuarterReview.objects.exists()


def test_a_record_of_another_village_is_refused_on_this_village(cast):
    record = make_record(make_person(cast.village_a2, name="王甘"))
    with pytest.raises(ValidationError, match="不在兰沟村后备干部库中"):
        save(cast.township_a_admin, cast.village_a1, record)


def test_a_record_that_moved_mid_quarter_belongs_to_both_villages_that_quarter(cast):
    record = make_record(make_person(cast.village_a1, name="调动"), entered=D(2020, 1, 1))
    ReservePlacement.objects.filter(record=record).update(end=D(2026, 8, 15))
    ReservePlacement.objects.create(record=record, village=cast.village_a2, start=D(2026, 8, 15), reason="transfer")
    save(cast.township_a_admin, cast.village_a1, record)
    save(cast.township_a_admin, cast.village_a2, record, rating="good")
    assert QuarterReview.objects.get().village == cast.village_a2
    with pytest.raises(ValidationError):  # gone from A1 before Q4
        save(cast.township_a_admin, cast.village_a1, record, quarter=4, today=D(2026, 11, 1))


def test_one_bad_row_in_a_bulk_save_writes_nothing(cast):
    good = make_record(make_person(cast.village_a1, name="甲"))
    bad = make_record(make_person(cast.village_a1, name="乙"))
    rows = {good.pk: {"township": OPINION}, bad.pk: {"township": OPINION | {"rating": "bad"}}}
    with pytest.raises(ValidationError) as exc:
        services.quarter_reviews_save(
            actor=cast.township_a_admin, village=cast.village_a1, year=2026, quarter=3, rows=rows, today=D(2026, 9, 1)
        )
    assert "乙的乡镇评定意见" in exc.value.messages[0]
    assert not QuarterReview.objects.exists() and not AuditLog.objects.filter(action__startswith="assessment").exists()


def test_saving_the_same_values_again_changes_nothing(cast, a1_record):
    assert save(cast.township_a_admin, cast.village_a1, a1_record) == 1
    assert save(cast.township_a_admin, cast.village_a1, a1_record) == 0
    assert AuditLog.objects.filter(action="assessment.quarter_review").count() == 1


# --- submission and reopening ------------------------------------------------------------------------------------


def submit(cast, user, today=OCT_9):
    return services.quarter_submit(actor=user, township=cast.township_a, year=2026, quarter=3, today=today)


def test_submit_refuses_while_a_reserve_lacks_the_township_opinion(cast, a1_record):
    make_record(make_person(cast.village_a2, name="王甘"))
    save(cast.township_a_admin, cast.village_a1, a1_record)
    with pytest.raises(ValidationError) as exc:
        submit(cast, cast.township_a_admin)
    assert exc.value.messages == ["还有1名后备干部未填写乡镇评定意见（王甘），请填写后再提交。"]
    assert quarter_status(cast.township_a, 2026, 3, today=D(2026, 10, 9)).state == OPEN


def test_submitted_quarter_is_locked_and_only_the_county_reopens_it_with_a_reason(cast, a1_record):
    save(cast.township_a_admin, cast.village_a1, a1_record)
    submit(cast, cast.township_a_admin)
    assert quarter_status(cast.township_a, 2026, 3, today=D(2026, 10, 9)).state == SUBMITTED
    with pytest.raises(ValidationError, match="由乡镇提交，已锁定"):
        save(cast.village_secretary, cast.village_a1, a1_record, side="village", today=D(2026, 10, 9))
    with pytest.raises(ValidationError, match="不能重复提交"):
        submit(cast, cast.township_a_admin)
    with pytest.raises(ValidationError, match="只有县委组织部"):
        services.quarter_reopen(
            actor=cast.township_a_admin,
            township=cast.township_a,
            year=2026,
            quarter=3,
            reason="补充",
            today=D(2026, 10, 9),
        )
    with pytest.raises(ValidationError) as exc:
        services.quarter_reopen(
            actor=cast.county_admin, township=cast.township_a, year=2026, quarter=3, reason="  ", today=D(2026, 10, 9)
        )
    assert exc.value.message_dict == {"reason": ["请填写重新开放的理由。"]}
    services.quarter_reopen(
        actor=cast.county_staff,
        township=cast.township_a,
        year=2026,
        quarter=3,
        reason="兰沟村评议有误，需更正",
        today=D(2026, 10, 9),
    )
    entry = AuditLog.objects.get(action="assessment.quarter_reopen")
    assert entry.changes["reason"] == "兰沟村评议有误，需更正" and entry.unit_code == cast.township_a.code


def test_a_reopened_quarter_stays_open_past_the_grace_period_until_submitted_again(cast, a1_record):
    far = D(2026, 11, 20)
    assert quarter_status(cast.township_a, 2026, 3, today=far).state == EXPIRED
    services.quarter_reopen(
        actor=cast.county_admin, township=cast.township_a, year=2026, quarter=3, reason="补评", today=far
    )
    assert quarter_status(cast.township_a, 2026, 3, today=far).state == REOPENED
    save(cast.township_a_admin, cast.village_a1, a1_record, today=far)
    services.quarter_submit(actor=cast.township_a_admin, township=cast.township_a, year=2026, quarter=3, today=far)
    assert QuarterSubmission.objects.get().state == QuarterSubmission.SUBMITTED
    assert AuditLog.objects.get(action="assessment.quarter_submit").changes["after_deadline"] is True
    with pytest.raises(ValidationError, match="已锁定"):
        save(cast.township_a_admin, cast.village_a1, a1_record, today=far, rating="good")


def test_reopening_an_open_quarter_is_refused(cast):
    with pytest.raises(ValidationError, match="无需重新开放"):
        services.quarter_reopen(
            actor=cast.county_admin, township=cast.township_a, year=2026, quarter=3, reason="x", today=D(2026, 10, 1)
        )
    assert not QuarterSubmission.objects.exclude(state=QuarterSubmission.OPEN).exists()


def test_submitting_one_township_does_not_lock_another(cast):
    b = make_record(make_person(cast.village_b1, name="赵汉"))
    submit(cast, cast.township_a_admin)
    save(cast.township_b_admin, cast.village_b1, b, today=D(2026, 10, 9))
    assert QuarterReview.objects.get().record == b


def test_township_b_cannot_submit_township_a(cast):
    with pytest.raises(ValidationError, match="无权提交"):
        services.quarter_submit(
            actor=cast.township_b_admin, township=cast.township_a, year=2026, quarter=3, today=D(2026, 10, 9)
        )
