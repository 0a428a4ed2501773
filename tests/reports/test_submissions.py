"""Roster submission: the county's yearly call, the township's frozen snapshot, return and accept, the county roster
from the accepted snapshots."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from org.models import AuditLog
from reports import submissions as subs
from reports.models import ExportJob, RosterCall, RosterSubmission

YEAR = timezone.localdate().year


@pytest.fixture
def call(cast):
    return subs.call_create(
        actor=cast.county_admin, county=cast.county, year=YEAR, deadline=datetime.date(YEAR, 11, 30)
    )


def submit(cast, call, township=None, actor=None):
    return subs.submission_submit(actor=actor or cast.township_a_admin, call=call, township=township or cast.township_a)


def test_the_default_deadline_is_the_last_day_of_november_not_the_seeds_31st():
    assert subs.default_deadline(2026) == datetime.date(2026, 11, 30)


def test_one_call_per_county_and_year(cast, call):
    with pytest.raises(ValidationError) as exc:
        subs.call_create(actor=cast.county_admin, county=cast.county, year=YEAR, deadline=call.deadline)
    assert "已经发布" in str(exc.value)
    assert RosterCall.objects.count() == 1


@pytest.mark.parametrize(
    "year, deadline, message",
    [(1999, datetime.date(1999, 11, 30), "年度不在有效范围内"), (YEAR, datetime.date(YEAR + 2, 1, 1), "截止日期应在")],
)
def test_bad_calls_are_refused(cast, year, deadline, message):
    with pytest.raises(ValidationError) as exc:
        subs.call_create(actor=cast.county_admin, county=cast.county, year=year, deadline=deadline)
    assert message in str(exc.value)
    assert not RosterCall.objects.exists()


def test_a_submitted_roster_does_not_change_when_a_person_is_edited_afterwards(
    cast, people, call, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit(cast, call)
    submission.refresh_from_db()
    assert submission.people == 3 and [r["name"] for r in submission.rows] == ["陈青", "李兰", "王甘"]
    stored = submission.xlsx.read()
    assert submission.pdf.name.endswith(".pdf")
    person = people["a1"].person
    person.name = "李兰改"
    person.phone = "13900000000"
    person.save()
    submission.refresh_from_db()
    assert [r["name"] for r in submission.rows] == ["陈青", "李兰", "王甘"]
    ws = openpyxl.load_workbook(io.BytesIO(stored)).active
    assert ws["D6"].value == "李兰" and ws["K6"].value == person.id_number  # official copy: full numbers
    # A fresh roster shows the change; the submitted one does not.
    assert "李兰改" in [r["name"] for r in subs.roster_rows(cast.township_a, timezone.localdate())]


def test_a_second_submission_waits_for_a_return(cast, people, call):
    submit(cast, call)
    with pytest.raises(ValidationError) as exc:
        submit(cast, call, actor=cast.township_a_staff)
    assert "县委组织部退回后才能重新报送" in str(exc.value)
    assert RosterSubmission.objects.count() == 1


def test_an_empty_roster_cannot_be_submitted(cast, call):
    with pytest.raises(ValidationError) as exc:
        submit(cast, call)
    assert "不能报送空名册" in str(exc.value)
    assert not RosterSubmission.objects.exists()


def test_return_needs_a_reason_and_then_the_township_submits_again(cast, people, call):
    first = submit(cast, call)
    with pytest.raises(ValidationError) as exc:
        subs.submission_decide(actor=cast.county_admin, submission=first, accept=False, reason=" ")
    assert "请填写退回理由" in str(exc.value)
    first.refresh_from_db()
    assert first.state == RosterSubmission.SUBMITTED
    subs.submission_decide(actor=cast.county_admin, submission=first, accept=False, reason="兰沟村少报一人")
    first.refresh_from_db()
    assert first.state == RosterSubmission.RETURNED and first.return_reason == "兰沟村少报一人"
    second = submit(cast, call)
    assert second.pk != first.pk and second.state == RosterSubmission.SUBMITTED
    subs.submission_decide(actor=cast.county_staff, submission=second, accept=True)
    second.refresh_from_db()
    assert second.state == RosterSubmission.ACCEPTED and second.decided_by == cast.county_staff
    with pytest.raises(ValidationError):
        subs.submission_decide(actor=cast.county_staff, submission=second, accept=True)
    actions = list(AuditLog.objects.filter(action__startswith="roster.").values_list("action", flat=True))
    assert sorted(actions) == sorted(
        ["roster.call_create", "roster.submit", "roster.return", "roster.submit", "roster.accept"]
    )


def test_the_county_roster_is_built_from_accepted_submissions_only(cast, people, call):
    a = submit(cast, call)
    submit(cast, call, township=cast.township_b, actor=cast.township_b_admin)  # submitted, not accepted
    subs.submission_decide(actor=cast.county_admin, submission=a, accept=True)
    roster = subs.county_roster(call.pk)
    assert [r["name"] for r in roster.rows] == ["陈青", "李兰", "王甘"]
    assert [r["no"] for r in roster.rows] == [1, 2, 3]
    assert "根据1个乡镇已接收的报送名册汇总" in roster.source_note and "汉阳镇" in roster.source_note
    assert roster.title == "青神县村级后备干部名册"


def test_on_time_is_judged_against_the_deadline(cast, people, call):
    submission = submit(cast, call)
    assert submission.on_time is (timezone.localdate() <= call.deadline)
    RosterSubmission.objects.filter(pk=submission.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime(YEAR, 12, 1, 9, 0))
    )
    submission.refresh_from_db()
    assert submission.on_time is False


# --- pages ----------------------------------------------------------------------------------------------------------


def test_county_sees_every_township_and_who_submitted(client, cast, people, call):
    submit(cast, call)
    client.force_login(cast.county_admin)
    body = client.get(reverse("call_detail", args=[call.pk])).content.decode()
    assert "青竹街道" in body and "汉阳镇" in body and "已报送" in body and "未报送" in body


def test_township_sees_only_its_own_line(client, cast, people, call):
    submit(cast, call)
    client.force_login(cast.township_b_admin)
    body = client.get(reverse("call_detail", args=[call.pk])).content.decode()
    assert "汉阳镇" in body and "青竹街道" not in body
    submission = RosterSubmission.objects.get()
    assert client.get(reverse("submission_detail", args=[submission.pk])).status_code == 404


def test_submit_page_then_post_freezes_the_roster(client, cast, people, call, django_capture_on_commit_callbacks):
    client.force_login(cast.township_a_staff)
    page = client.get(reverse("submission_submit", args=[call.pk])).content.decode()
    assert "确认报送" in page and "<strong>3</strong>" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("submission_submit", args=[call.pk]))
    submission = RosterSubmission.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("submission_detail", args=[submission.pk])
    again = client.post(reverse("submission_submit", args=[call.pk]), follow=True).content.decode()
    assert "县委组织部退回后才能重新报送" in again
    assert RosterSubmission.objects.count() == 1


def test_return_from_the_page_without_a_reason_changes_nothing(client, cast, people, call):
    submission = submit(cast, call)
    client.force_login(cast.county_admin)
    body = client.post(
        reverse("submission_decide", args=[submission.pk]), {"action": "return", "reason": ""}, follow=True
    ).content.decode()
    assert "请填写退回理由" in body
    submission.refresh_from_db()
    assert submission.state == RosterSubmission.SUBMITTED


def test_the_city_gets_a_masked_copy_and_the_county_the_stored_file(
    client, cast, people, call, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit(cast, call)
    id_number = people["a1"].person.id_number
    client.force_login(cast.city_viewer)
    response = client.get(reverse("submission_file", args=[submission.pk, "xlsx"]))
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert ws["K6"].value != id_number and "*" in ws["K6"].value
    client.force_login(cast.county_admin)
    response = client.get(reverse("submission_file", args=[submission.pk, "xlsx"]))
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert ws["K6"].value == id_number
    assert AuditLog.objects.filter(action="report.roster").count() == 2


def test_county_roster_export_runs_as_a_job(client, cast, people, call, django_capture_on_commit_callbacks):
    subs.submission_decide(actor=cast.county_admin, submission=submit(cast, call), accept=True)
    client.force_login(cast.county_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("call_export", args=[call.pk]), {"fmt": "xlsx"})
    assert response["Location"] == reverse("export_list")
    job = ExportJob.objects.get()
    assert job.state == ExportJob.DONE and job.people == 3
    ws = openpyxl.load_workbook(job.file.path).active
    assert ws["A2"].value == "青神县村级后备干部名册" and "根据1个乡镇" in ws["A3"].value


def test_call_detail_query_count_does_not_grow_with_townships_or_submissions(
    client, cast, people, call, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reserves.builders import unit

    client.force_login(cast.county_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("call_detail", args=[call.pk])).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    submit(cast, call)
    for i in range(5):
        unit("township", f"新镇{i}", f"51142520{i}", cast.county)
    assert count() == before
    assert before <= 10


def test_demo_reports_show_every_state_of_a_submission(db, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    call_command("load_demo")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_reports")
    call_command("load_demo_reports")  # a second run adds nothing
    call = RosterCall.objects.get()
    assert call.deadline.month == 11 and call.deadline.day == 30
    states = sorted(RosterSubmission.objects.values_list("state", flat=True))
    assert states == [RosterSubmission.ACCEPTED, RosterSubmission.SUBMITTED]
    assert all(s.xlsx and s.pdf and s.people > 0 for s in RosterSubmission.objects.all())
