"""Notice pages per role: who sees a notice, who may print it and handle objections, what bad input shows, and a
pinned query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notices.models import Objection
from org.models import Attachment, AuditLog
from tests.notices.conftest import NAMES_COLUMNS, NAMES_ROWS, html_as_pdf, pdf_file, png_file, post_notice

D = datetime.date
TODAY = timezone.localdate()

READERS = {"county_admin", "county_staff", "township_a_admin", "township_a_staff", "village_secretary", "city_viewer"}
WRITERS = {"county_admin", "county_staff", "township_a_admin", "township_a_staff"}


@pytest.fixture
def running(cast):
    return post_notice(cast, start=TODAY - datetime.timedelta(days=10))


@pytest.fixture
def objection(running):
    return Objection.objects.create(
        notice=running, received_on=running.start, from_whom="村民王某", about="李兰", content="反映其长期外出"
    )


def statuses(client, cast, url, method="get", data=None):
    got = {}
    for role, user in cast.users().items():
        client.force_login(user)
        got[role] = getattr(client, method)(url, data or {}).status_code
    return got


def expect(allowed, ok=200):
    return {
        role: ok if role in allowed else 404 for role in READERS | WRITERS | {"township_b_admin", "mentor", "outsider"}
    }


# --- who gets in --------------------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client, running, objection):
    for name, args in [
        ("notice_detail", [running.pk]),
        ("notice_pdf", [running.pk]),
        ("objection_add", [running.pk]),
        ("objection_resolve", [objection.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name


def test_notice_detail_per_role(client, cast, running):
    assert statuses(client, cast, reverse("notice_detail", args=[running.pk])) == expect(READERS)


def test_a_village_secretary_sees_notices_posted_in_another_village_only_if_posted_in_theirs(client, cast):
    elsewhere = post_notice(cast, places=[(cast.village_a2, "")])
    client.force_login(cast.village_secretary)
    assert client.get(reverse("notice_detail", args=[elsewhere.pk])).status_code == 404


def test_notice_pdf_per_role(client, cast, running):
    assert statuses(client, cast, reverse("notice_pdf", args=[running.pk])) == expect(WRITERS)


def test_objection_add_per_role(client, cast, running):
    assert statuses(client, cast, reverse("objection_add", args=[running.pk])) == expect(WRITERS)


def test_objection_resolve_per_role(client, cast, objection):
    assert statuses(client, cast, reverse("objection_resolve", args=[objection.pk])) == expect(WRITERS)


def test_readers_cannot_post_objections_either(client, cast, running):
    client.force_login(cast.village_secretary)
    data = {"received_on": running.start.isoformat(), "content": "反映"}
    assert client.post(reverse("objection_add", args=[running.pk]), data).status_code == 404
    assert not Objection.objects.exists()


# --- what the page shows ------------------------------------------------------------------------------------------


def test_detail_shows_period_status_places_and_objections_to_a_writer(client, cast, monkeypatch, objection):
    notice = post_notice(cast)  # Wed 2026-09-30, 3 working days, ends Fri 2026-10-09
    Objection.objects.create(notice=notice, received_on=D(2026, 10, 8), from_whom="村民王某", content="反映其不在村")
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 10, 5))
    client.force_login(cast.township_a_admin)
    page = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    assert "2026年9月30日" in page and "2026年10月9日" in page
    assert "还差 2 个工作日（至2026年10月9日期满）" in page
    assert "兰沟村村务公开栏" in page
    assert "反映其不在村" in page and "村民王某" in page and "1 条待处理" in page
    assert reverse("notice_pdf", args=[notice.pk]) in page
    assert reverse("objection_add", args=[notice.pk]) in page
    assert reverse("objection_resolve", args=[notice.objections.get().pk]) in page
    assert "<script>" not in page.split("</head>")[1]  # no inline script in the body


def test_detail_is_read_only_for_a_village_secretary_and_hides_who_objected(client, cast, objection):
    client.force_login(cast.village_secretary)
    page = client.get(reverse("notice_detail", args=[objection.notice_id])).content.decode()
    assert "反映其长期外出" in page
    assert "村民王某" not in page
    assert reverse("notice_pdf", args=[objection.notice_id]) not in page
    assert reverse("objection_add", args=[objection.notice_id]) not in page
    assert reverse("objection_resolve", args=[objection.pk]) not in page


def test_detail_shows_the_table_of_names_as_posted(client, cast):
    notice = post_notice(cast, rows=NAMES_ROWS + [{"姓名": "<b>赵青</b>"}], columns=NAMES_COLUMNS)
    client.force_login(cast.village_secretary)
    page = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    table = page.split('id="notice-names"')[1].split("</table>")[0]
    assert "".join(f"<th>{c}</th>" for c in NAMES_COLUMNS) in table
    assert table.count("<th>序号</th>") == 1
    assert "<td>2</td><td>王甘</td><td>男</td>" in table  # an empty 序号 is numbered
    assert "<td>3</td><td>&lt;b&gt;赵青&lt;/b&gt;</td>" in table


def test_detail_without_rows_has_no_table(client, cast, running):
    client.force_login(cast.township_a_admin)
    assert 'id="notice-names"' not in client.get(reverse("notice_detail", args=[running.pk])).content.decode()


@pytest.mark.parametrize(
    "today, text",
    [
        (D(2026, 9, 29), "尚未张贴（2026年9月30日张贴）"),
        (D(2026, 10, 8), "还差 1 个工作日（至2026年10月9日期满）"),
        (D(2026, 10, 9), "今天是公示期最后一天"),
        (D(2026, 10, 10), "公示期已满"),
    ],
)
def test_detail_status_through_the_period(client, cast, monkeypatch, today, text):
    notice = post_notice(cast)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    client.force_login(cast.township_a_staff)
    assert text in client.get(reverse("notice_detail", args=[notice.pk])).content.decode()


def test_detail_warns_when_the_end_is_estimated(client, cast):
    notice = post_notice(cast, start=D(2026, 12, 30), days=5)
    client.force_login(cast.county_staff)
    assert (
        "期满日按周一至周五估算，待节假日安排公布后确认"
        in client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
    )


def test_pdf_is_inline_and_audited_as_an_export(client, cast, running):
    client.force_login(cast.township_a_staff)
    response = client.get(reverse("notice_pdf", args=[running.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF-")
    assert AuditLog.objects.filter(action="notice.pdf", actor=cast.township_a_staff).count() == 1


# --- objections through the forms ---------------------------------------------------------------------------------


def test_objection_added_and_resolved_through_the_forms(client, cast, running):
    client.force_login(cast.township_a_staff)
    url = reverse("objection_add", args=[running.pk])
    response = client.post(url, {"received_on": TODAY.isoformat(), "about": "李兰", "content": "反映其长期外出"})
    assert response.status_code == 302 and response.url == reverse("notice_detail", args=[running.pk])
    objection = Objection.objects.get()
    response = client.post(
        reverse("objection_resolve", args=[objection.pk]),
        {"result": "rejected", "resolved_on": TODAY.isoformat(), "handling": "经核查，本人在村务工，反映不属实"},
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.result == "rejected" and objection.handling.startswith("经核查")
    # A second visit is turned back: already resolved.
    response = client.get(reverse("objection_resolve", args=[objection.pk]), follow=True)
    assert "该异议已办结" in response.content.decode()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"content": ""}, "content", "请填写反映内容。"),
        ({"content": "   "}, "content", "请填写反映内容。"),
        ({"received_on": "before"}, "received_on", "收到日期不能早于公示张贴日期"),
        ({"received_on": "2026-02-30"}, "received_on", "收到日期格式不正确。"),
    ],
)
def test_bad_objection_shows_chinese_errors_and_writes_nothing(client, cast, running, data, field, message):
    client.force_login(cast.township_a_admin)
    base = {"received_on": TODAY.isoformat(), "content": "反映"}
    if data.get("received_on") == "before":
        data = {"received_on": (running.start - datetime.timedelta(days=1)).isoformat()}
    response = client.post(reverse("objection_add", args=[running.pk]), base | data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Objection.objects.exists() and not AuditLog.objects.filter(action="objection.add").exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"handling": ""}, "handling", "请填写核查处理情况。"),
        ({"handling": "  "}, "handling", "请填写核查处理情况。"),
        ({"result": ""}, "result", "请选择处理结果。"),
        ({"result": "pending"}, "result", "选择一个有效的选项"),
    ],
)
def test_bad_resolution_shows_chinese_errors_and_writes_nothing(client, cast, objection, data, field, message):
    client.force_login(cast.township_a_admin)
    base = {"result": "upheld", "resolved_on": TODAY.isoformat(), "handling": "属实"}
    response = client.post(reverse("objection_resolve", args=[objection.pk]), base | data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    objection.refresh_from_db()
    assert objection.is_open and not AuditLog.objects.filter(action="objection.resolve").exists()


def test_objection_files_through_the_forms_are_linked_for_writers_only(client, cast, running, media):
    client.force_login(cast.township_a_staff)
    data = {"received_on": TODAY.isoformat(), "content": "反映其长期外出", "upload": pdf_file("举报信.pdf")}
    response = client.post(reverse("objection_add", args=[running.pk]), data)
    assert response.status_code == 302
    objection = Objection.objects.get()
    data = {"result": "rejected", "resolved_on": TODAY.isoformat(), "handling": "经核查不属实", "upload": png_file()}
    assert client.post(reverse("objection_resolve", args=[objection.pk]), data).status_code == 302
    letter, report = Attachment.objects.filter(owner=f"notices.objection:{objection.pk}").order_by("id")
    assert (letter.purpose, report.purpose) == ("异议材料", "核查材料")

    page = client.get(reverse("notice_detail", args=[running.pk])).content.decode()
    for attachment in (letter, report):
        assert reverse("attachment_download", args=[attachment.pk]) in page
    assert "举报信.pdf" in page and "核查报告.png" in page
    download = client.get(reverse("attachment_download", args=[letter.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")

    # The letter may name who objected: like the name itself, a reader gets no link.
    client.force_login(cast.village_secretary)
    page = client.get(reverse("notice_detail", args=[running.pk])).content.decode()
    assert "经核查不属实" in page
    assert "举报信.pdf" not in page and reverse("attachment_download", args=[letter.pk]) not in page


@pytest.mark.parametrize("view", ["objection_add", "objection_resolve"])
def test_a_bad_file_is_a_chinese_form_error_and_writes_nothing(client, cast, running, objection, media, view):
    client.force_login(cast.township_a_admin)
    if view == "objection_add":
        url = reverse(view, args=[running.pk])
        data = {"received_on": TODAY.isoformat(), "content": "又一条反映"}
    else:
        url = reverse(view, args=[objection.pk])
        data = {"result": "upheld", "resolved_on": TODAY.isoformat(), "handling": "属实"}
    response = client.post(url, data | {"upload": html_as_pdf("材料.pdf")})
    assert response.status_code == 200
    assert "附件“材料.pdf”不是PDF或图片" in " ".join(response.context["form"].errors["upload"])
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert list(Objection.objects.all()) == [objection] and Objection.objects.get().is_open
    assert not Attachment.objects.exists()
    assert not AuditLog.objects.filter(action__in=["objection.add", "objection.resolve", "attachment.add"]).exists()


def test_an_empty_file_is_refused_by_the_form_in_chinese(client, cast, running, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.township_a_admin)
    data = {"received_on": TODAY.isoformat(), "content": "反映", "upload": SimpleUploadedFile("空.pdf", b"")}
    response = client.post(reverse("objection_add", args=[running.pk]), data)
    assert response.context["form"].errors["upload"] == ["附件是空文件。"]
    assert not Objection.objects.exists()


def test_the_forms_offer_the_optional_file(client, cast, objection):
    client.force_login(cast.township_a_admin)
    urls = [reverse("objection_add", args=[objection.notice_id]), reverse("objection_resolve", args=[objection.pk])]
    for url in urls:
        page = client.get(url).content.decode()
        assert 'type="file"' in page and 'name="upload"' in page and "不超过10MB" in page


# --- query count --------------------------------------------------------------------------------------------------


def attach(objection, n):
    for i in range(n):
        Attachment.objects.create(
            unit=objection.notice.unit,
            owner=f"notices.objection:{objection.pk}",
            file=f"attachments/2026/10/{objection.pk}-{i}.pdf",
            original_name=f"材料{objection.pk}-{i}.pdf",
            content_type="application/pdf",
            size=10,
        )


def test_notice_detail_query_count_does_not_grow_with_objections_or_their_files(client, cast, monkeypatch):
    # session, user, guardian grants (scope), the notice (with unit and county, scoped), places, objections, the
    # files of all the objections (writers only, one query), the county's calendar rows for the working days left
    # (one query for the whole range).
    running = post_notice(cast, rows=NAMES_ROWS, columns=NAMES_COLUMNS)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 10, 5))
    url = reverse("notice_detail", args=[running.pk])

    def count(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        attach(Objection.objects.create(notice=running, received_on=running.start, content=f"反映{i}"), 1)
    few = count(cast.township_a_admin), count(cast.village_secretary)
    for i in range(20):
        objection = Objection.objects.create(
            notice=running, received_on=running.start, content=f"反映{i}", result="rejected"
        )
        attach(objection, i % 3)
    assert Attachment.objects.count() == 2 + 19
    many = count(cast.township_a_admin), count(cast.village_secretary)
    assert few == many
    assert few == (8, 7)  # a writer: one query more than before the files; a reader: none (no links)
