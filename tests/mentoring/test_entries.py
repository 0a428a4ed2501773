"""Quarterly mentoring entries (附件2 结对帮扶情况): who may write them and which dates are refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from mentoring import services
from mentoring.models import MentoringEntry
from org.models import AuditLog
from reserves.models import MentorPairing

D = datetime.date
TODAY = D(2026, 11, 22)


def create(actor, pairing, year, quarter, date, content="学习党的二十届三中全会精神", today=TODAY, **kw):
    return services.entry_create(
        actor=actor, pairing=pairing, year=year, quarter=quarter, date=date, content=content, today=today, **kw
    )


def refused(actor, pairing, year, quarter, date, **kw):
    """The Chinese message of a refusal; asserts nothing was written."""
    entries, logs = MentoringEntry.objects.count(), AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        create(actor, pairing, year, quarter, date, **kw)
    assert (MentoringEntry.objects.count(), AuditLog.objects.count()) == (entries, logs)
    return " ".join(exc.value.messages)


def test_the_mentor_records_an_entry_for_their_own_pairing_and_it_is_audited(cast, pairing):
    entry = create(cast.mentor, pairing, 2026, 1, D(2026, 3, 31), assessment="表现良好")
    assert (entry.year, entry.quarter, entry.date, entry.mentor_label) == (2026, 1, D(2026, 3, 31), "副镇长")
    log = AuditLog.objects.get(action="mentoring.entry_create")
    assert log.unit_code == cast.village_a1.code and log.changes["quarter"] == "2026年第一季度"


def test_quarter_edges_march_31_is_q1_and_april_1_is_q2(cast, pairing):
    assert "不在2026年第一季度内" in refused(cast.mentor, pairing, 2026, 1, D(2026, 4, 1))
    assert "不在2026年第二季度内" in refused(cast.mentor, pairing, 2026, 2, D(2026, 3, 31))
    create(cast.mentor, pairing, 2026, 1, D(2026, 3, 31))
    create(cast.mentor, pairing, 2026, 2, D(2026, 4, 1))
    assert MentoringEntry.objects.count() == 2


def test_year_end_edges(cast, pairing):
    assert "不在2025年第四季度内" in refused(cast.mentor, pairing, 2025, 4, D(2026, 1, 1))
    create(cast.mentor, pairing, 2025, 4, D(2025, 12, 31))
    create(cast.mentor, pairing, 2026, 1, D(2026, 1, 1))


def test_a_future_quarter_is_refused(cast, pairing):
    message = refused(cast.township_a_admin, pairing, 2026, 3, D(2026, 7, 1), today=D(2026, 6, 30))
    assert message == "2026年第三季度尚未开始，不能提前填写。"


def test_a_future_date_inside_the_current_quarter_is_refused(cast, pairing):
    assert refused(cast.mentor, pairing, 2026, 4, D(2026, 11, 23)) == "帮扶时间不能晚于今天。"
    create(cast.mentor, pairing, 2026, 4, TODAY)


def test_a_date_before_the_pairing_started_is_refused(cast, people):
    late = MentorPairing.objects.create(
        record=people["a2"], mentor_user=cast.mentor, mentor_kind="township_leader", post="副镇长", start=D(2026, 2, 15)
    )
    assert refused(cast.mentor, late, 2026, 1, D(2026, 2, 14)) == "帮扶时间不能早于结对开始日期2026年2月15日。"
    create(cast.mentor, late, 2026, 1, D(2026, 2, 15))


def test_a_pairing_that_ended_mid_quarter_takes_dates_before_its_end_only(cast, named_pairing):
    named_pairing.end = D(2026, 5, 15)
    named_pairing.save()
    message = refused(cast.township_a_staff, named_pairing, 2026, 2, D(2026, 5, 15))
    assert message == "该结对已于2026年5月15日结束，帮扶时间须在此之前。"
    entry = create(cast.township_a_staff, named_pairing, 2026, 2, D(2026, 5, 14))
    assert entry.mentor_label == "王书记 村党支部书记"


def test_a_date_after_the_record_left_the_pool_is_refused(cast, named_pairing):
    record = named_pairing.record
    record.ended_on, record.status = D(2026, 5, 1), "used"
    record.save()
    message = refused(cast.township_a_staff, named_pairing, 2026, 2, D(2026, 5, 2))
    assert message == "该后备干部已于2026年5月1日出库，帮扶时间须在此之前。"


def test_one_entry_per_pairing_and_quarter(cast, pairing):
    create(cast.mentor, pairing, 2026, 2, D(2026, 4, 10))
    message = refused(cast.township_a_admin, pairing, 2026, 2, D(2026, 6, 1))
    assert message == "2026年第二季度已填写过该结对的帮扶情况，请修改原记录。"


def test_two_mentors_each_have_their_own_entry_in_a_quarter(cast, pairing, people):
    second = MentorPairing.objects.create(
        record=people["a1"], mentor_name="李主任", mentor_kind="village_cadre", post="村委会主任", start=D(2021, 1, 1)
    )
    create(cast.mentor, pairing, 2026, 2, D(2026, 4, 10))
    create(cast.township_a_admin, second, 2026, 2, D(2026, 4, 11))
    assert MentoringEntry.objects.filter(year=2026, quarter=2).count() == 2


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"content": "   "}, "请填写帮扶内容。"),
        ({"content": "字" * 2001}, "帮扶内容不能超过2000字。"),
        ({"assessment": "评" * 501}, "评定意见不能超过500字。"),
        ({"date": None}, "请填写帮扶时间。"),
        ({"quarter": 5}, "请选择季度（第一至第四季度）。"),
    ],
)
def test_bad_input_is_refused_in_chinese(cast, pairing, kw, message):
    args = {"year": 2026, "quarter": 1, "date": D(2026, 2, 1)} | kw
    year, quarter, date = args.pop("year"), args.pop("quarter"), args.pop("date")
    assert refused(cast.mentor, pairing, year, quarter, date, **args) == message


@pytest.mark.parametrize("role", ["village_secretary", "township_b_admin", "city_viewer", "outsider"])
def test_readers_and_other_townships_cannot_write(cast, pairing, role):
    message = refused(cast.users()[role], pairing, 2026, 1, D(2026, 2, 1))
    assert message == "您无权为该后备干部填写帮扶情况。"


def test_a_mentor_cannot_write_for_another_mentors_pairing(cast, named_pairing):
    assert refused(cast.mentor, named_pairing, 2026, 1, D(2026, 2, 1)) == "您无权为该后备干部填写帮扶情况。"


def test_a_mentor_cannot_write_once_their_pairing_has_ended(cast, pairing):
    pairing.end = D(2026, 5, 15)
    pairing.save()
    assert refused(cast.mentor, pairing, 2026, 2, D(2026, 5, 1)) == "您无权为该后备干部填写帮扶情况。"
    create(cast.township_a_admin, pairing, 2026, 2, D(2026, 5, 1))  # the township still can


def test_county_users_write_for_the_whole_county(cast, people):
    pairing = MentorPairing.objects.create(
        record=people["b1"], mentor_name="赵镇长", mentor_kind="township_leader", post="镇长", start=D(2020, 3, 1)
    )
    create(cast.county_staff, pairing, 2026, 1, D(2026, 2, 1))


def test_update_keeps_the_quarter_and_checks_the_new_date(cast, pairing):
    entry = create(cast.mentor, pairing, 2026, 1, D(2026, 2, 1))
    with pytest.raises(ValidationError) as exc:
        services.entry_update(
            actor=cast.mentor, entry=entry, date=D(2026, 4, 2), content="x", assessment="", today=TODAY
        )
    assert "不在2026年第一季度内" in exc.value.messages[0]
    entry.refresh_from_db()
    assert entry.date == D(2026, 2, 1)
    services.entry_update(
        actor=cast.township_a_admin, entry=entry, date=D(2026, 3, 1), content="新内容", assessment="优秀", today=TODAY
    )
    entry.refresh_from_db()
    assert (entry.date, entry.content, entry.assessment) == (D(2026, 3, 1), "新内容", "优秀")
    log = AuditLog.objects.get(action="mentoring.entry_update")
    assert log.changes["date"] == ["2026-02-01", "2026-03-01"] and log.changes["assessment"] == ["", "优秀"]


def test_update_by_a_reader_is_refused(cast, pairing):
    entry = create(cast.mentor, pairing, 2026, 1, D(2026, 2, 1))
    with pytest.raises(ValidationError):
        services.entry_update(actor=cast.village_secretary, entry=entry, date=D(2026, 2, 2), content="x", today=TODAY)
    entry.refresh_from_db()
    assert entry.date == D(2026, 2, 1)


def test_bulk_create_is_all_or_nothing(cast, pairing, named_pairing):
    rows = [
        {"pairing": pairing, "date": D(2026, 2, 1), "content": "甲"},
        {"pairing": named_pairing, "date": D(2026, 4, 1), "content": "乙"},  # outside Q1
    ]
    with pytest.raises(services.BulkEntryError) as exc:
        services.entries_bulk_create(actor=cast.township_a_admin, year=2026, quarter=1, rows=rows, today=TODAY)
    assert list(exc.value.errors) == [named_pairing.pk]
    assert MentoringEntry.objects.count() == 0 and not AuditLog.objects.filter(action__startswith="mentoring").exists()
    rows[1]["date"] = D(2026, 3, 1)
    created = services.entries_bulk_create(actor=cast.township_a_admin, year=2026, quarter=1, rows=rows, today=TODAY)
    assert len(created) == 2 and AuditLog.objects.filter(action="mentoring.entry_create").count() == 2
