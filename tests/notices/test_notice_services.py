"""Posting a notice, objections and their handling, the verdict on the next step, and the county calendar's effect
on notices already posted."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from notices import services
from notices.models import CalendarDay, Notice, NoticePlace, Objection
from org.attachments import attachments_for
from org.models import Attachment, AuditLog
from org.verdict import Allowed, Denied
from tests.notices.conftest import (
    NAMES_COLUMNS,
    NAMES_ROWS,
    html_as_pdf,
    pdf_file,
    png_file,
    post_notice,
    too_big,
)

D = datetime.date
TODAY = timezone.localdate()


def messages_of(exc: ValidationError) -> dict:
    return {k: " ".join(v) for k, v in exc.value.message_dict.items()}


# --- posting ------------------------------------------------------------------------------------------------------


def test_posting_computes_the_period_places_and_audit(cast):
    notice = post_notice(cast, places=[(cast.village_a1, "兰沟村村务公开栏"), (cast.village_a2, "")])
    assert (notice.first_day, notice.end, notice.estimated) == (D(2026, 9, 30), D(2026, 10, 9), False)
    assert list(notice.places.values_list("place", flat=True)) == ["兰沟村村务公开栏", "甘家沟村公示栏"]
    entry = AuditLog.objects.get(action="notice.post")
    assert entry.unit_code == cast.township_a.code
    assert entry.changes["end"] == "2026-10-09" and entry.changes["working_days"] == 3


def test_posting_uses_the_county_table(cast):
    CalendarDay.objects.create(county=cast.county, date=D(2026, 10, 8), kind=CalendarDay.HOLIDAY)
    assert post_notice(cast).end == D(2026, 10, 10)


def test_posting_into_an_unentered_year_is_marked_estimated(cast):
    notice = post_notice(cast, start=D(2026, 12, 30), days=5)
    assert (notice.end, notice.estimated) == (D(2027, 1, 5), True)


def test_a_notice_may_be_posted_in_the_future(cast):
    later = TODAY + datetime.timedelta(days=40)
    assert post_notice(cast, start=later).start == later


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"places": []}, "places", "请至少填写一个张贴地点"),
        ({"places": [(None, "  ")]}, "places", "张贴地点不能为空"),
        ({"working_days": 0}, "working_days", "公示期至少为1个工作日"),
        ({"start": D(1999, 12, 31)}, "start", "张贴日期不能早于2000年1月1日"),
        ({"title": " "}, "title", "请填写公示标题"),
        ({"body": ""}, "body", "请填写公示正文"),
        ({"kind": "other"}, "kind", "未知的公示类型"),
    ],
)
def test_bad_notices_are_refused_in_chinese_and_nothing_is_written(cast, extra, field, message):
    with pytest.raises(ValidationError) as exc:
        post_notice(cast, **extra)
    assert message in messages_of(exc)[field]
    assert not Notice.objects.exists() and not NoticePlace.objects.exists()
    assert not AuditLog.objects.filter(action="notice.post").exists()


def test_a_place_in_another_county_is_refused(cast):
    from org import roles
    from reserves.builders import unit

    other_county = unit(roles.COUNTY, "东坡区", "511402", cast.city)
    other_town = unit(roles.TOWNSHIP, "苏祠街道", "511402001", other_county)
    elsewhere = unit(roles.VILLAGE, "某村", "511402001201", other_town)
    with pytest.raises(ValidationError) as exc:
        post_notice(cast, places=[(elsewhere, "")])
    assert "不是本县" in messages_of(exc)["places"]


@pytest.mark.parametrize("who", ["township_b_admin", "village_secretary", "mentor", "city_viewer", "outsider"])
def test_only_editors_of_the_unit_may_post(cast, who):
    with pytest.raises(ValidationError, match="您无权"):
        post_notice(cast, actor=cast.users()[who])
    assert not Notice.objects.exists()


def test_county_staff_may_post_for_a_township(cast):
    assert post_notice(cast, actor=cast.county_staff).pk


def test_notices_for_a_subject(cast):
    first = post_notice(cast)
    second = post_notice(cast, kind=Notice.KIND_VILLAGE, start=D(2026, 10, 20))
    post_notice(cast, subject="test.round:2")
    assert list(services.notices_for("test.round:1")) == [first, second]
    assert list(services.notices_for("test.round:1", kind=Notice.KIND_VILLAGE)) == [second]
    assert services.subject_of(cast.county) == f"org.orgunit:{cast.county.pk}"


# --- the table of names -------------------------------------------------------------------------------------------


def test_the_table_of_names_is_stored_as_posted(cast):
    notice = post_notice(cast, rows=NAMES_ROWS, columns=NAMES_COLUMNS)
    notice.refresh_from_db()
    assert notice.columns == NAMES_COLUMNS
    assert notice.rows == NAMES_ROWS
    assert AuditLog.objects.get(action="notice.post").changes["rows"] == 2


def test_rows_without_columns_take_the_default_header_and_no_rows_store_nothing(cast):
    notice = post_notice(cast, rows=[{"姓名": "李兰", "村（社区）": "兰沟村"}])
    assert notice.columns == ["姓名", "性别", "出生年月", "学历", "政治面貌", "村（社区）"]
    assert (post_notice(cast).rows, post_notice(cast).columns) == ([], [])


@pytest.mark.parametrize(
    "rows, columns, field, message",
    [
        ([{"姓名": "李兰", "身份证号": "5114"}], ["姓名"], "rows", "公示名单第1行有表头中没有的列“身份证号”"),
        ([{"姓名": "李兰"}, {"姓名": 1990}], ["姓名"], "rows", "公示名单第2行“姓名”一栏须为文字"),
        ([{"姓名": None}], ["姓名"], "rows", "公示名单第1行“姓名”一栏须为文字"),
        (["李兰"], ["姓名"], "rows", "公示名单第1行格式不正确"),
        ([{"姓名": "李" * 201}], ["姓名"], "rows", "不能超过200个字"),
        ([{"姓名": "李兰"}] * 501, ["姓名"], "rows", "公示名单不能超过500行（本次501行），请分批公示"),
        ("李兰", ["姓名"], "rows", "公示名单须为行的列表"),
        ([{"姓名": "李兰"}], ["姓名", "姓名"], "columns", "名单表头有重复的列"),
        ([{"姓名": "李兰"}], ["姓名", " "], "columns", "名单表头不能有空列"),
        ([{"姓名": "李兰"}], ["姓名", 2], "columns", "名单表头须为文字列表"),
    ],
)
def test_a_bad_table_of_names_is_refused_and_nothing_is_written(cast, rows, columns, field, message):
    with pytest.raises(ValidationError) as exc:
        post_notice(cast, rows=rows, columns=columns)
    assert message in messages_of(exc)[field]
    assert not Notice.objects.exists() and not AuditLog.objects.filter(action="notice.post").exists()


def test_five_hundred_rows_are_accepted(cast):
    assert len(post_notice(cast, rows=[{"姓名": f"人员{i}"} for i in range(500)], columns=["姓名"]).rows) == 500


# --- the verdict --------------------------------------------------------------------------------------------------


def test_verdict_before_the_end_says_how_many_working_days_remain(notice):
    verdict = services.notice_verdict(notice, on=D(2026, 10, 5))
    assert not verdict and isinstance(verdict, Denied)
    assert verdict.reason == "公示期未满：还差 2 个工作日（至2026年10月9日期满）"


def test_verdict_before_posting_counts_the_whole_period_only(notice):
    verdict = services.notice_verdict(notice, on=D(2026, 9, 1))
    assert verdict.reason == "公示期未满：还差 3 个工作日（至2026年10月9日期满）"


def test_verdict_on_the_last_day_still_waits_for_the_day_to_pass(notice):
    verdict = services.notice_verdict(notice, on=D(2026, 10, 9))
    assert not verdict
    assert verdict.reason.startswith("公示期未满：2026年10月9日为公示期最后一天")


def test_verdict_after_the_end_allows_the_next_step(notice):
    verdict = services.notice_verdict(notice, on=D(2026, 10, 10))
    assert verdict and isinstance(verdict, Allowed)
    assert verdict.reason == "公示期已满"


def pending(notice, **extra):
    fields = {"received_on": D(2026, 10, 8), "content": "反映某某长期外出务工，不在村居住", "about": "李兰"}
    return Objection.objects.create(notice=notice, **(fields | extra))


def test_an_open_objection_blocks_by_default(notice):
    pending(notice)
    verdict = services.notice_verdict(notice, on=D(2026, 10, 12))
    assert not verdict
    assert verdict.reason == "公示期内有 1 条异议尚未处理完毕"


def test_an_open_objection_does_not_block_when_the_county_says_so(notice):
    pending(notice)
    verdict = services.notice_verdict(notice, on=D(2026, 10, 12), objection_blocks=False)
    assert verdict
    assert "有 1 条异议尚未处理完毕（按县级政策不阻止下一步）" in verdict.reasons


def test_every_reason_is_given_at_once(notice):
    pending(notice)
    pending(notice)
    verdict = services.notice_verdict(notice, on=D(2026, 10, 8))
    assert verdict.reasons == (
        "公示期未满：还差 1 个工作日（至2026年10月9日期满）",
        "公示期内有 2 条异议尚未处理完毕",
    )


def test_resolved_objections_do_not_block_and_upheld_ones_are_noted(notice):
    pending(notice, result=Objection.REJECTED, handling="经核查不属实", resolved_on=D(2026, 10, 9))
    pending(notice, result=Objection.UPHELD, handling="经核查属实", resolved_on=D(2026, 10, 9))
    verdict = services.notice_verdict(notice, on=D(2026, 10, 12))
    assert verdict
    assert "有 1 条异议经核查属实，请据此处理所涉人员" in verdict.reasons


def test_an_estimated_period_waits_for_the_county_to_enter_the_year(cast):
    notice = post_notice(cast, start=D(2026, 12, 30), days=5)
    verdict = services.notice_verdict(notice, on=D(2027, 1, 8))
    assert not verdict and "2027年的节假日安排" in verdict.reason
    services.calendar_day_add(actor=cast.county_admin, county=cast.county, date=D(2027, 1, 1), kind="holiday")
    notice.refresh_from_db()
    assert (notice.end, notice.estimated) == (D(2027, 1, 6), False)
    assert services.notice_verdict(notice, on=D(2027, 1, 7))


# --- objections ---------------------------------------------------------------------------------------------------


@pytest.fixture
def running(cast):
    """A notice posted ten days ago, so received dates up to today are valid whatever the date the tests run."""
    return post_notice(cast, start=TODAY - datetime.timedelta(days=10))


def add(cast, notice, **extra):
    fields = {
        "actor": cast.township_a_staff,
        "notice": notice,
        "received_on": notice.start,
        "from_whom": "村民王某",
        "about": "李兰",
        "content": "反映其长期外出，不了解村情",
    }
    return services.objection_add(**(fields | extra))


def test_objection_is_recorded_and_audited(cast, running):
    objection = add(cast, running)
    assert objection.is_open and objection.created_by == cast.township_a_staff
    entry = AuditLog.objects.get(action="objection.add")
    assert entry.changes["after_end"] is False and entry.unit_code == cast.township_a.code


def test_objection_after_the_end_is_allowed_and_recorded_as_late(cast):
    notice = post_notice(cast, start=TODAY - datetime.timedelta(days=40))
    add(cast, notice, received_on=TODAY)
    assert AuditLog.objects.get(action="objection.add").changes["after_end"] is True


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"content": "   "}, "content", "请填写反映内容"),
        ({"received_on": "before"}, "received_on", "收到日期不能早于公示张贴日期"),
        ({"received_on": "tomorrow"}, "received_on", "收到日期不能晚于今天"),
    ],
)
def test_bad_objections_are_refused_and_nothing_is_written(cast, running, extra, field, message):
    dates = {"before": running.start - datetime.timedelta(days=1), "tomorrow": TODAY + datetime.timedelta(days=1)}
    extra = {k: dates.get(v, v) for k, v in extra.items()}
    with pytest.raises(ValidationError) as exc:
        add(cast, running, **extra)
    assert message in messages_of(exc)[field]
    assert not Objection.objects.exists() and not AuditLog.objects.filter(action="objection.add").exists()


@pytest.mark.parametrize("who", ["township_b_admin", "village_secretary", "city_viewer"])
def test_only_editors_of_the_unit_record_objections(cast, running, who):
    with pytest.raises(ValidationError, match="您无权"):
        add(cast, running, actor=cast.users()[who])


def test_an_objection_keeps_the_file_it_came_with(cast, running, media):
    objection = add(cast, running, upload=pdf_file())
    files = list(attachments_for(services.objection_owner(objection)))
    assert services.objection_owner(objection) == f"notices.objection:{objection.pk}"
    assert [(a.original_name, a.content_type, a.purpose, a.unit) for a in files] == [
        ("来信.pdf", "application/pdf", "异议材料", cast.township_a)
    ]
    assert files[0].uploaded_by == cast.township_a_staff and files[0].file.read().startswith(b"%PDF-")
    assert AuditLog.objects.get(action="attachment.add").changes["事项"] == f"notices.objection:{objection.pk}"
    assert AuditLog.objects.get(action="objection.add").changes["upload"] is True


@pytest.mark.parametrize("upload, message", [(html_as_pdf, "不是PDF或图片"), (too_big, "超过10MB")])
def test_a_bad_file_refuses_the_objection_and_writes_nothing(cast, running, media, upload, message):
    with pytest.raises(ValidationError) as exc:
        add(cast, running, upload=upload())
    assert message in messages_of(exc)["upload"]
    assert not Objection.objects.exists() and not Attachment.objects.exists()
    assert not AuditLog.objects.filter(action__in=["objection.add", "attachment.add"]).exists()
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))  # checked before saving


def test_a_bad_file_is_reported_with_the_other_errors(cast, running, media):
    with pytest.raises(ValidationError) as exc:
        add(cast, running, content="", upload=html_as_pdf())
    assert set(messages_of(exc)) == {"content", "upload"}


def test_objection_attachments_load_many_objections_in_one_query(cast, running, media, django_assert_num_queries):
    first = add(cast, running, upload=pdf_file("一.pdf"))
    second = add(cast, running)
    third = add(cast, running, upload=pdf_file("三.pdf"))
    resolve(cast, third, upload=png_file())
    other = post_notice(cast, start=running.start)
    add(cast, other, upload=pdf_file("别处.pdf"))
    with django_assert_num_queries(1):
        files = services.objection_attachments([first, second, third])
    names = {pk: [a.original_name for a in found] for pk, found in files.items()}
    assert names == {first.pk: ["一.pdf"], second.pk: [], third.pk: ["三.pdf", "核查报告.png"]}
    with django_assert_num_queries(0):
        assert services.objection_attachments([]) == {}


def resolve(cast, objection, **extra):
    fields = {
        "actor": cast.township_a_admin,
        "objection": objection,
        "handling": "经街道党工委核查，反映情况不属实",
        "result": Objection.REJECTED,
        "resolved_on": TODAY,
    }
    return services.objection_resolve(**(fields | extra))


def test_resolving_an_objection_and_twice_is_refused(cast, running):
    objection = add(cast, running)
    resolved = resolve(cast, objection)
    assert (resolved.result, resolved.resolved_on) == (Objection.REJECTED, TODAY)
    assert objection.result == Objection.REJECTED  # the caller's instance follows
    with pytest.raises(ValidationError, match="该异议已办结"):
        resolve(cast, Objection.objects.get(pk=objection.pk), result=Objection.UPHELD)
    assert Objection.objects.get().result == Objection.REJECTED
    assert AuditLog.objects.filter(action="objection.resolve").count() == 1


def test_a_stale_instance_cannot_resolve_twice(cast, running):
    objection = add(cast, running)
    stale = Objection.objects.get(pk=objection.pk)
    resolve(cast, objection)
    with pytest.raises(ValidationError, match="该异议已办结"):
        resolve(cast, stale)


def test_resolving_keeps_the_report_of_the_check(cast, running, media):
    objection = add(cast, running)
    resolve(cast, objection, upload=png_file())
    (report,) = attachments_for(f"notices.objection:{objection.pk}")
    assert (report.original_name, report.content_type, report.purpose) == ("核查报告.png", "image/png", "核查材料")
    assert AuditLog.objects.get(action="objection.resolve").changes["upload"] is True


@pytest.mark.parametrize("upload, message", [(html_as_pdf, "不是PDF或图片"), (too_big, "超过10MB")])
def test_a_bad_report_leaves_the_objection_open_and_writes_nothing(cast, running, media, upload, message):
    objection = add(cast, running)
    with pytest.raises(ValidationError) as exc:
        resolve(cast, objection, upload=upload())
    assert message in messages_of(exc)["upload"]
    assert Objection.objects.get().is_open and not Attachment.objects.exists()
    assert not AuditLog.objects.filter(action__in=["objection.resolve", "attachment.add"]).exists()


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"handling": ""}, "handling", "请填写核查处理情况"),
        ({"result": Objection.PENDING}, "result", "请选择处理结果"),
        ({"resolved_on": "early"}, "resolved_on", "办结日期不能早于收到日期"),
    ],
)
def test_bad_resolutions_are_refused(cast, running, extra, field, message):
    objection = add(cast, running, received_on=TODAY)
    extra = {k: (TODAY - datetime.timedelta(days=1) if v == "early" else v) for k, v in extra.items()}
    with pytest.raises(ValidationError) as exc:
        resolve(cast, objection, **extra)
    assert message in messages_of(exc)[field]
    assert Objection.objects.get().is_open


# --- the county calendar ------------------------------------------------------------------------------------------


def test_county_admin_adds_a_day_and_a_duplicate_is_refused(cast):
    day = services.calendar_day_add(
        actor=cast.county_admin, county=cast.county, date=D(2027, 1, 1), kind="holiday", note="元旦"
    )
    assert day.created_by == cast.county_admin
    with pytest.raises(ValidationError) as exc:
        services.calendar_day_add(actor=cast.county_admin, county=cast.county, date=D(2027, 1, 1), kind="workday")
    assert "2027年1月1日已有安排" in messages_of(exc)["date"]
    assert CalendarDay.objects.count() == 1
    assert AuditLog.objects.filter(action="calendar.add").count() == 1


@pytest.mark.parametrize("who", ["county_staff", "township_a_admin", "city_viewer"])
def test_only_county_admins_edit_the_calendar(cast, who):
    with pytest.raises(ValidationError, match="您无权"):
        services.calendar_day_add(actor=cast.users()[who], county=cast.county, date=D(2027, 1, 1), kind="holiday")
    assert not CalendarDay.objects.exists()


def test_calendar_changes_recount_the_notices_they_move(cast, notice):
    untouched = post_notice(cast, start=D(2026, 11, 2))
    day = services.calendar_day_add(actor=cast.county_admin, county=cast.county, date=D(2026, 10, 8), kind="holiday")
    notice.refresh_from_db()
    assert notice.end == D(2026, 10, 10)
    entry = AuditLog.objects.get(action="notice.recount")
    assert entry.object_id == str(notice.pk) and entry.changes["end"] == ["2026-10-09", "2026-10-10"]
    untouched.refresh_from_db()
    assert untouched.end == D(2026, 11, 4)
    services.calendar_day_delete(actor=cast.county_admin, day=day)
    notice.refresh_from_db()
    assert notice.end == D(2026, 10, 9)
    assert AuditLog.objects.filter(action="notice.recount").count() == 2
    assert AuditLog.objects.filter(action="calendar.delete").count() == 1
