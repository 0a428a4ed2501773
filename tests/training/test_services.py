"""Writes: bad input is refused in Chinese and changes nothing; good input is written and audited."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from org.models import AuditLog
from tests.conftest import make_person, make_record
from tests.training.conftest import D
from training import selectors, services
from training.models import Enrolment, PracticeAssignment, TrainingEvent


def data(**over):
    return {
        "form": "concentrated",
        "start": D(2026, 3, 1),
        "end": D(2026, 3, 5),
        "days": Decimal(5),
        "content": "乡村振兴政策",
        "organiser": "县委组织部",
    } | over


def messages(exc):
    return " ".join(exc.value.messages)


@pytest.fixture
def event(cast):
    return services.training_create(actor=cast.township_a_admin, unit=cast.township_a, data=data())


def unchanged(fn):
    """Run `fn`, expect a ValidationError, and check that no row and no audit entry was written."""
    counts = (TrainingEvent.objects.count(), Enrolment.objects.count(), PracticeAssignment.objects.count())
    audits = AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        fn()
    assert (TrainingEvent.objects.count(), Enrolment.objects.count(), PracticeAssignment.objects.count()) == counts
    assert AuditLog.objects.count() == audits
    return exc


# --- events ----------------------------------------------------------------------------------------------------------


def test_a_township_records_a_training_and_it_is_audited(cast, event):
    assert (event.unit, event.days, event.period) == (cast.township_a, Decimal("5.0"), "2026.03.01—03.05")
    entry = AuditLog.objects.get(action="training.create")
    assert entry.unit_code == cast.township_a.code and entry.changes["days"] == "5.0"


@pytest.mark.parametrize(
    "over, field, message",
    [
        ({"end": D(2026, 2, 28)}, "end", "结束日期不能早于开始日期"),
        ({"days": Decimal("5.5")}, "days", "培训天数（5.5天）不能超过培训期间的日历天数（5天）"),
        ({"days": Decimal(0)}, "days", "培训天数须大于0"),
        ({"days": Decimal(-1)}, "days", "培训天数须大于0"),
        ({"days": Decimal("2.25")}, "days", "最多保留一位小数"),
        ({"days": None}, "days", "请填写培训天数"),
        ({"form": "picnic"}, "form", "请选择培训方式"),
        ({"content": "  "}, "content", "请填写培训内容"),
    ],
)
def test_bad_training_input_is_refused_in_chinese_and_nothing_is_written(cast, over, field, message):
    exc = unchanged(
        lambda: services.training_create(actor=cast.township_a_admin, unit=cast.township_a, data=data(**over))
    )
    assert message in " ".join(exc.value.message_dict[field])


def test_fractional_days_within_the_period_are_fine(cast):
    event = services.training_create(
        actor=cast.township_a_admin,
        unit=cast.township_a,
        data=data(start=D(2026, 3, 1), end=D(2026, 3, 3), days=Decimal("2.5")),
    )
    assert event.days == Decimal("2.5")
    one_day = services.training_create(
        actor=cast.township_a_admin, unit=cast.township_a, data=data(start=D(2026, 3, 1), end=D(2026, 3, 1), days=1)
    )
    assert one_day.period == "2026.03.01"


def test_a_township_cannot_record_for_another_township_nor_for_a_village(cast):
    exc = unchanged(lambda: services.training_create(actor=cast.township_b_admin, unit=cast.township_a, data=data()))
    assert "无权" in messages(exc)
    exc = unchanged(lambda: services.training_create(actor=cast.township_a_admin, unit=cast.village_a1, data=data()))
    assert "乡镇或县" in messages(exc)
    exc = unchanged(lambda: services.training_create(actor=cast.village_secretary, unit=cast.township_a, data=data()))
    assert "无权" in messages(exc)


def test_a_county_user_records_a_county_training(cast):
    event = services.training_create(actor=cast.county_staff, unit=cast.county, data=data(form="party_school"))
    assert event.unit == cast.county


def test_changing_dates_so_an_enrolled_reserve_no_longer_fits_is_refused(cast, people, event):
    services.enrol(actor=cast.township_a_admin, event=event, records=[people["a1"]])
    exc = unchanged(
        lambda: services.training_update(
            actor=cast.township_a_admin, event=event, data=data(start=D(2019, 1, 1), end=D(2019, 1, 5))
        )
    )
    assert "李兰" in messages(exc)
    services.training_update(actor=cast.township_a_admin, event=event, data=data(days=Decimal("4.5")))
    event.refresh_from_db()
    assert event.days == Decimal("4.5")
    assert AuditLog.objects.get(action="training.update").changes["days"] == ["5.0", "4.5"]


def test_deleting_a_training_removes_its_enrolments_and_is_audited(cast, people, event):
    services.enrol(actor=cast.township_a_admin, event=event, records=[people["a1"], people["a2"]])
    with pytest.raises(ValidationError):
        services.training_delete(actor=cast.township_b_admin, event=event)
    services.training_delete(actor=cast.township_a_staff, event=event)
    assert not TrainingEvent.objects.exists() and not Enrolment.objects.exists()
    assert "李兰" in AuditLog.objects.get(action="training.delete").changes["enrolled"]


# --- enrolment -------------------------------------------------------------------------------------------------------


def test_bulk_enrolment_enrols_everyone_and_audits_each_record(cast, people, event):
    records = [people["a1"], people["a2"], people["a3"]]
    created = services.enrol(actor=cast.township_a_staff, event=event, records=records)
    assert len(created) == 3
    entries = AuditLog.objects.filter(action="training.enrol")
    assert sorted(int(e.object_id) for e in entries) == sorted(r.pk for r in records)
    assert {e.object_type for e in entries} == {"reserverecord"}  # shows on the person's page


def test_enrolling_a_removed_record_is_refused(cast, event):
    ended = make_record(
        make_person(cast.village_a1, name="钱某"), entered=D(2020, 3, 1), ended=D(2025, 1, 1), status="removed"
    )
    exc = unchanged(lambda: services.enrol(actor=cast.township_a_admin, event=event, records=[ended]))
    assert "钱某已于2025年1月1日出库" in messages(exc)


def test_enrolling_someone_outside_the_township_refuses_the_whole_batch(cast, people, event):
    exc = unchanged(
        lambda: services.enrol(actor=cast.township_a_admin, event=event, records=[people["a1"], people["b1"]])
    )
    assert "赵汉不属于青竹街道" in messages(exc)
    # A county user has the right on township B too, but the event is township A's.
    exc = unchanged(lambda: services.enrol(actor=cast.county_admin, event=event, records=[people["b1"]]))
    assert "赵汉不属于青竹街道" in messages(exc)


def test_a_reserve_who_entered_after_the_training_cannot_be_enrolled(cast, event):
    late = make_record(make_person(cast.village_a1, name="新入库"), entered=D(2026, 3, 6))
    exc = unchanged(lambda: services.enrol(actor=cast.township_a_admin, event=event, records=[late]))
    assert "晚于培训结束日期" in messages(exc)


def test_duplicate_enrolment_is_refused(cast, people, event):
    services.enrol(actor=cast.township_a_admin, event=event, records=[people["a1"]])
    exc = unchanged(
        lambda: services.enrol(actor=cast.township_a_admin, event=event, records=[people["a2"], people["a1"]])
    )
    assert "李兰已报名本次培训，不能重复报名" in messages(exc)
    exc = unchanged(
        lambda: services.enrol(actor=cast.township_a_admin, event=event, records=[people["a2"], people["a2"]])
    )
    assert "重复勾选" in messages(exc)
    exc = unchanged(lambda: services.enrol(actor=cast.township_a_admin, event=event, records=[]))
    assert "请至少勾选" in messages(exc)


def test_a_village_secretary_cannot_enrol(cast, people, event):
    exc = unchanged(lambda: services.enrol(actor=cast.village_secretary, event=event, records=[people["a1"]]))
    assert "李兰不属于" in messages(exc)


def test_a_township_enrols_its_own_reserves_in_a_county_training(cast, people):
    event = services.training_create(actor=cast.county_admin, unit=cast.county, data=data(form="party_school"))
    services.enrol(actor=cast.township_a_admin, event=event, records=[people["a1"]])
    exc = unchanged(lambda: services.enrol(actor=cast.township_a_admin, event=event, records=[people["b1"]]))
    assert "赵汉" in messages(exc)
    services.enrol(actor=cast.township_b_admin, event=event, records=[people["b1"]])
    assert event.enrolments.count() == 2
    candidates = selectors.enrolment_candidates(cast.township_a_admin, event)
    assert {r.person.name for r in candidates} == {"李兰", "王甘", "陈青"}


def test_unenrol_is_audited_and_only_for_the_records_editors(cast, people, event):
    (enrolment,) = services.enrol(actor=cast.township_a_admin, event=event, records=[people["a1"]])
    with pytest.raises(ValidationError):
        services.unenrol(actor=cast.township_b_admin, enrolment=enrolment)
    services.unenrol(actor=cast.township_a_staff, enrolment=enrolment)
    assert not Enrolment.objects.exists()
    assert AuditLog.objects.get(action="training.unenrol").object_id == str(people["a1"].pk)


# --- one person's training -------------------------------------------------------------------------------------------


def test_one_persons_training_is_an_event_of_their_township_with_one_enrolment(cast, people):
    record = people["a1"]
    event = services.training_record_single(
        actor=cast.county_staff, record=record, data=data(form="outside_county", organiser="省委党校")
    )
    assert (event.unit, event.is_individual, [e.record for e in event.enrolments.all()]) == (
        cast.township_a,
        True,
        [record],
    )
    assert AuditLog.objects.get(action="training.single").object_id == str(record.pk)
    exc = unchanged(lambda: services.enrol(actor=cast.township_a_admin, event=event, records=[people["a2"]]))
    assert "个人培训" in messages(exc)
    with pytest.raises(ValidationError, match="个人培训"):
        services.unenrol(actor=cast.township_a_admin, enrolment=event.enrolments.get())


def test_one_persons_training_refuses_bad_input_and_other_townships(cast, people):
    exc = unchanged(
        lambda: services.training_record_single(
            actor=cast.township_a_admin, record=people["a1"], data=data(end=D(2026, 2, 1))
        )
    )
    assert "结束日期不能早于开始日期" in messages(exc)
    exc = unchanged(
        lambda: services.training_record_single(actor=cast.township_b_admin, record=people["a1"], data=data())
    )
    assert "无权" in messages(exc)
    exc = unchanged(
        lambda: services.training_record_single(
            actor=cast.township_a_admin, record=people["a1"], data=data(start=D(2019, 1, 1), end=D(2019, 1, 5))
        )
    )
    assert "入库之前" in messages(exc)


# --- practice --------------------------------------------------------------------------------------------------------


def practice(**over):
    return {
        "kind": "shadowing",
        "content": "在镇党政办跟班学习",
        "performance": "积极主动",
        "assessment": "优秀",
        "start": D(2026, 3, 1),
        "end": D(2026, 3, 30),
    } | over


def test_practice_is_recorded_updated_and_deleted_with_audit(cast, people):
    record = people["a1"]
    a = services.practice_add(actor=cast.township_a_admin, record=record, data=practice())
    assert a.period == "2026.03.01—03.30"
    services.practice_update(
        actor=cast.township_a_staff, assignment=a, data=practice(end=None, assessment="称职", kind="assistant")
    )
    a.refresh_from_db()
    assert (a.end, a.assessment, a.period) == (None, "称职", "2026.03.01—至今")
    services.practice_delete(actor=cast.county_admin, assignment=a)
    assert not PracticeAssignment.objects.exists()
    assert list(AuditLog.objects.filter(object_id=str(record.pk)).order_by("id").values_list("action", flat=True)) == [
        "practice.create",
        "practice.update",
        "practice.delete",
    ]


def test_practice_ending_before_it_starts_is_refused(cast, people):
    exc = unchanged(
        lambda: services.practice_add(
            actor=cast.township_a_admin, record=people["a1"], data=practice(end=D(2026, 2, 1))
        )
    )
    assert "结束日期不能早于开始日期" in exc.value.message_dict["end"][0]


def test_overlapping_shadowing_is_refused_other_kinds_may_overlap(cast, people):
    record = people["a1"]
    services.practice_add(actor=cast.township_a_admin, record=record, data=practice())
    exc = unchanged(
        lambda: services.practice_add(
            actor=cast.township_a_admin, record=record, data=practice(start=D(2026, 3, 30), end=D(2026, 4, 10))
        )
    )
    assert "与已登记的跟班学习（2026.03.01—03.30）时间重叠" in messages(exc)
    exc = unchanged(
        lambda: services.practice_add(
            actor=cast.township_a_admin, record=record, data=practice(start=D(2026, 1, 1), end=None)
        )
    )
    assert "重叠" in messages(exc)
    services.practice_add(actor=cast.township_a_admin, record=record, data=practice(start=D(2026, 3, 31), end=None))
    services.practice_add(actor=cast.township_a_admin, record=record, data=practice(kind="assistant"))
    assert PracticeAssignment.objects.count() == 3


def test_practice_needs_the_township_right_and_a_period_in_the_pool(cast, people):
    exc = unchanged(lambda: services.practice_add(actor=cast.village_secretary, record=people["a1"], data=practice()))
    assert "无权" in messages(exc)
    exc = unchanged(lambda: services.practice_add(actor=cast.township_b_admin, record=people["a1"], data=practice()))
    assert "无权" in messages(exc)
    ended = make_record(
        make_person(cast.village_a1, name="钱某"), entered=D(2020, 3, 1), ended=D(2025, 1, 1), status="removed"
    )
    exc = unchanged(lambda: services.practice_add(actor=cast.township_a_admin, record=ended, data=practice()))
    assert "已于2025年1月1日出库" in messages(exc)
    exc = unchanged(
        lambda: services.practice_add(actor=cast.township_a_admin, record=people["a1"], data=practice(kind=""))
    )
    assert "请选择锻炼类型" in messages(exc)


# --- selectors for composition ---------------------------------------------------------------------------------------


def test_record_sheet_rows_of_a_year(cast, people):
    record = people["a1"]
    for start, end, days, form in [
        (D(2026, 3, 1), D(2026, 3, 5), 5, "concentrated"),
        (D(2025, 12, 30), D(2026, 1, 2), Decimal("2.5"), "party_school"),
        (D(2025, 6, 1), D(2025, 6, 1), 1, "meeting"),
    ]:
        services.training_record_single(
            actor=cast.township_a_admin, record=record, data=data(start=start, end=end, days=days, form=form)
        )
    rows = selectors.training_rows_for_year(record, 2026)
    assert [(r.form_label, r.period, r.days_text, r.content) for r in rows] == [
        ("县委党校", "2025.12.30—2026.01.02", "2.5", "乡村振兴政策"),
        ("集中培训", "2026.03.01—03.05", "5", "乡村振兴政策"),
    ]
    assert [t.get_form_display() for t in selectors.training_history(record)] == ["以会代训", "县委党校", "集中培训"]
    assert selectors.trainings_by_record([record.pk, people["a2"].pk]).keys() == {record.pk}
    services.practice_add(actor=cast.township_a_admin, record=record, data=practice(start=D(2025, 11, 1), end=None))
    (row,) = selectors.practice_rows_for_year(record, 2026)
    assert (row.content, row.performance, row.assessment, row.period) == (
        "在镇党政办跟班学习",
        "积极主动",
        "优秀",
        "2025.11.01—至今",
    )
    assert selectors.practice_rows_for_year(record, 2024) == []
    assert len(selectors.practice_history(record)) == 1


def test_period_text_formats():
    from training.models import period_text

    assert period_text(D(2026, 3, 1), D(2026, 3, 5)) == "2026.03.01—03.05"
    assert period_text(D(2026, 3, 1), D(2026, 3, 1)) == "2026.03.01"
    assert period_text(D(2025, 12, 30), D(2026, 1, 2)) == "2025.12.30—2026.01.02"
    assert period_text(D(2026, 3, 1), None) == "2026.03.01—至今"
