"""Audit entries, account and password forms, attachments: Chinese for every reader (issue 14)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from org.attachments import attachment_save
from org.audit import audit
from org.audit_labels import ACTIONS, ascii_identifiers, describe
from org.models import AuditLog, User
from tests.conftest import PASSWORD, make_person, make_record


def _rendered(html: str) -> str:
    return html.split("<tbody>", 1)[-1]


def test_the_person_history_shows_field_names_and_choice_labels(client, cast):
    client.force_login(cast.township_a_admin)
    person = make_person(cast.village_a1, political_status="masses", education="high_school")
    audit(
        cast.township_a_admin,
        "person.update",
        person,
        unit=cast.village_a1,
        changes={"political_status": [None, "member"], "education": ["high_school", "bachelor"]},
    )
    html = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "政治面貌</span>：— → 中共党员" in html
    assert "学历</span>：高中（中专） → 大学本科" in html
    assert "political_status" not in html and "bachelor" not in html


def test_the_audit_log_names_the_subject_and_shows_booleans_and_parameters_in_words(client, cast):
    record = make_record(make_person(cast.village_a1, name="何敏强"))
    audit(
        cast.county_admin,
        "report.roster",
        None,
        unit=cast.county,
        changes={"full_id": True, "params": {"year": 2026}, "status": ["active", "removed"]},
    )
    entry = AuditLog.objects.latest("id")
    rows = dict(describe(entry))
    assert rows["含完整身份证号"] == "是"
    assert rows["条件"] == "年度：2026"
    audit(
        cast.county_admin,
        "attachment.add",
        record,
        unit=cast.village_a1,
        changes={"事项": f"reserves.reserverecord:{record.pk}"},
    )
    client.force_login(cast.county_admin)
    html = client.get(reverse("audit_list")).content.decode()
    assert "后备干部记录：何敏强（村级后备干部）" in html
    assert "reserves.reserverecord" not in html and "full_id" not in html and "params" not in html
    assert "含完整身份证号</span>：是" in html


def test_every_registered_action_has_a_chinese_label():
    assert len(ACTIONS) > 100
    for action, label in ACTIONS.items():
        assert label and not ascii_identifiers(label), action


def test_an_unreadable_date_in_the_audit_filter_says_so_and_the_export_refuses_it(client, cast):
    audit(cast.county_admin, "person.lookup", None, unit=cast.county, changes={"found": True})
    client.force_login(cast.county_admin)
    html = client.get(reverse("audit_list"), {"date_from": "2026-02-30"}).content.decode()
    assert "起：" in html and "有效的日期" in html
    response = client.get(reverse("audit_export"), {"date_from": "2026-02-30"}, follow=True)
    assert "筛选条件有误，请更正后再导出" in response.content.decode()
    assert not AuditLog.objects.filter(action="audit.export").exists()


def test_the_export_keeps_the_filter_and_records_it_in_words(client, cast):
    audit(cast.county_admin, "person.lookup", None, unit=cast.county, changes={"found": True})
    client.force_login(cast.county_admin)
    response = client.get(reverse("audit_export"), {"action": "person.lookup"})
    assert response.status_code == 200
    entry = AuditLog.objects.get(action="audit.export")
    assert entry.changes["筛选条件"] == "操作：按身份证号查询"
    assert entry.changes["rows"] == 1


def test_the_first_password_change_must_differ_from_the_issued_one(client, cast):
    client.force_login(cast.village_secretary)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert "新密码不能与当前密码相同" in response.content.decode()
    cast.village_secretary.refresh_from_db()
    assert cast.village_secretary.check_password(PASSWORD)


def test_the_account_form_offers_only_the_roles_the_manager_may_grant(client, cast):
    client.force_login(cast.township_a_admin)
    form = client.get(reverse("account_create")).context["form"]
    assert {k for k, _ in form.fields["role"].choices} == {"village_secretary", "mentor"}
    client.force_login(cast.county_admin)
    form = client.get(reverse("account_create")).context["form"]
    assert "city_viewer" not in {k for k, _ in form.fields["role"].choices}


def test_a_name_holding_a_title_is_questioned_until_confirmed(client, cast):
    client.force_login(cast.county_admin)
    data = {
        "username": "zhoutao",
        "display_name": "青禾镇副镇长周涛",
        "unit": cast.township_a.pk,
        "role": "township_staff",
        "title": "副镇长",
        "password": "Zt2026passw0rd",
    }
    response = client.post(reverse("account_create"), data)
    assert "姓名中含有职务字样“镇长”" in response.content.decode()
    assert not User.objects.filter(username="zhoutao").exists()
    response = client.post(reverse("account_create"), data | {"display_name": "周涛"})
    assert response.status_code == 302 and User.objects.get(username="zhoutao").display_name == "周涛"


def test_a_pdf_uploaded_with_an_html_name_is_stored_as_pdf(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("会议记录.html", b"%PDF-1.4\n%...", content_type="text/html")
    att = attachment_save(actor=cast.county_admin, unit=cast.county, owner="x.y:1", upload=upload)
    assert att.file.name.endswith(".pdf") and att.content_type == "application/pdf"
    assert att.original_name == "会议记录.html"


def test_a_date_far_in_the_past_in_an_audit_entry_reads_as_it_is(cast):
    audit(
        cast.county_admin,
        "policy.create",
        None,
        unit=cast.county,
        changes={"effective_from": str(datetime.date(2017, 10, 1))},
    )
    rows = describe(AuditLog.objects.latest("id"))
    assert rows == [("生效日期", "2017-10-01")]
