"""The 纪实表 page and its downloads: year chooser, scope (404 outside, mentors see their pairees), full numbers only
for those who may reveal them, every download audited, a bad year explained in Chinese."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from org.models import AuditLog
from reserves.services import record_close
from tests.conftest import make_person, make_record
from tests.reports.test_record_sheet import YEAR, fill, give_photo, in_order, needs_poppler, pdf_text, training

D = datetime.date
TODAY = datetime.date.today()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def record(cast, people, media):
    record = people["a1"]
    record.person.phone = "13800138000"
    record.person.save()
    give_photo(record.person)
    fill(cast, record)
    return record


def page(client, record, **params):
    return client.get(reverse("record_sheet", args=[record.pk]), params)


def xlsx(client, record, **params):
    return client.get(reverse("record_sheet_xlsx", args=[record.pk]), params)


def pdf(client, record, **params):
    return client.get(reverse("record_sheet_pdf", args=[record.pk]), params)


def test_the_page_previews_this_year_with_a_year_chooser_and_the_buttons(client, cast, record):
    client.force_login(cast.township_a_admin)
    response = page(client, record)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["year"] == TODAY.year  # by default this year
    assert response.context["years"] == list(range(2020, TODAY.year + 1))  # from entry
    assert f'<option value="{TODAY.year}" selected>' in html and '<option value="2020">' in html
    assert f"{reverse('record_sheet_xlsx', args=[record.pk])}?year={TODAY.year}" in html
    assert f"{reverse('record_sheet_pdf', args=[record.pk])}?year={TODAY.year}" in html
    response = page(client, record, year=str(YEAR))
    html = response.content.decode()
    assert response.context["year"] == YEAR and f'<option value="{YEAR}" selected>' in html
    assert "村级后备干部日常管理纪实表" in html and "乡村振兴政策理论" in html and "进步明显" in html
    assert reverse("person_photo", args=[record.person_id]) in html
    # escaped like everything else, and masked on screen even for those who may reveal
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html and '<img src="file:' not in html
    assert record.person.id_number not in html and "138****8000" in html
    assert "导出的文件中完整显示" in html
    assert not AuditLog.objects.filter(action="report.record_sheet").exists()  # looking is not exporting


def test_the_page_shows_an_earlier_year(client, cast, record):
    client.force_login(cast.village_secretary)
    html = page(client, record, year=str(YEAR - 1)).content.decode()
    assert "上一年的培训" in html and "乡村振兴政策理论" not in html and "基本称职" in html
    assert "导出的文件中同样隐去" in html


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("abc", "年度“abc”不正确：请填写四位数字的年份"),
        ("２０２６", "不正确：请填写四位数字的年份"),
        ("2019", "只能按2020年至"),
        (str(TODAY.year + 1), "只能按2020年至"),
        ("99999999999999999999", "不正确：请填写四位数字的年份"),
    ],
)
@pytest.mark.parametrize("view", ["record_sheet", "record_sheet_xlsx", "record_sheet_pdf"])
def test_a_bad_year_is_explained_and_nothing_is_exported(client, cast, record, view, year, message):
    client.force_login(cast.township_a_admin)
    response = client.get(reverse(view, args=[record.pk]), {"year": year})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert not AuditLog.objects.filter(action="report.record_sheet").exists()


def test_a_closed_record_offers_the_years_up_to_its_end(client, cast, people):
    record = people["a2"]
    record_close(actor=cast.county_admin, record=record, status="removed", ended_on=D(2023, 6, 30), reason="取消")
    client.force_login(cast.county_admin)
    response = page(client, record)
    assert response.context["years"] == [2020, 2021, 2022, 2023] and response.context["year"] == 2023
    assert page(client, record, year=str(TODAY.year)).status_code == 400


def test_xlsx_download_for_a_township_user_has_the_full_numbers_and_is_audited(client, cast, record):
    client.force_login(cast.township_a_admin)
    response = xlsx(client, record, year=str(YEAR))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    assert "%E5%85%B0%E6%B2%9F%E6%9D%91_%E6%9D%8E%E5%85%B0_" in response["Content-Disposition"]  # 兰沟村_李兰_
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A2"].value == "村级后备干部日常管理纪实表" and ws["B4"].value == "李兰"
    assert ws["B9"].value == record.person.id_number and ws["G9"].value == "13800138000"
    assert len(ws._images) == 1
    entry = AuditLog.objects.get(action="report.record_sheet")
    assert entry.actor == cast.township_a_admin and entry.object_id == str(record.pk)
    assert entry.unit_code == cast.village_a1.code
    assert entry.changes == {"year": YEAR, "format": "xlsx", "people": 1, "full_id": True}


@pytest.mark.parametrize("role", ["village_secretary", "mentor", "city_viewer"])
def test_roles_that_may_not_reveal_get_masked_numbers(client, cast, record, role):
    client.force_login(getattr(cast, role))
    response = xlsx(client, record, year=str(YEAR))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["B9"].value.startswith(record.person.id_number[:6]) and "*" in ws["B9"].value
    assert ws["G9"].value == "138****8000"
    assert AuditLog.objects.get(action="report.record_sheet").changes["full_id"] is False


@needs_poppler
def test_pdf_download(client, cast, record, tmp_path):
    client.force_login(cast.county_staff)
    response = pdf(client, record)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content, tmp_path)
    assert "村级后备干部日常管理纪实表" in text and "李兰" in text and record.person.id_number in text
    assert in_order("年度考核结果", text)
    entry = AuditLog.objects.get(action="report.record_sheet")
    assert entry.changes == {"year": TODAY.year, "format": "pdf", "people": 1, "full_id": True}


def test_a_record_of_another_township_is_not_found(client, cast, record, people):
    client.force_login(cast.township_b_admin)
    for view in ("record_sheet", "record_sheet_xlsx", "record_sheet_pdf"):
        assert client.get(reverse(view, args=[record.pk])).status_code == 404
    assert client.get(reverse("record_sheet", args=[people["b1"].pk])).status_code == 200
    assert not AuditLog.objects.filter(action="report.record_sheet").exists()


def test_a_mentor_sees_only_current_pairees(client, cast, record, people):
    client.force_login(cast.mentor)
    assert page(client, record).status_code == 200
    assert page(client, people["a2"]).status_code == 404
    other = make_record(make_person(cast.village_a1, name="未结对"))
    assert xlsx(client, other).status_code == 404


def test_anonymous_is_sent_to_login(client, record):
    for view in ("record_sheet", "record_sheet_xlsx", "record_sheet_pdf"):
        response = client.get(reverse(view, args=[record.pk]))
        assert response.status_code == 302 and "/login" in response["Location"]


def test_page_and_download_run_a_fixed_number_of_queries(client, cast, record, django_assert_num_queries):
    """Session, user, scope, the record; collect()'s six; the download adds its audit row."""
    client.force_login(cast.township_a_admin)
    page(client, record)  # warm the session
    for _round in range(2):
        with django_assert_num_queries(10):
            assert page(client, record).status_code == 200
        with django_assert_num_queries(11):
            assert xlsx(client, record).status_code == 200
        for day in range(1, 11):  # more rows on the sheet, no more queries
            training(cast.county, [record], start=D(TODAY.year, 9, day), end=D(TODAY.year, 9, day), days=1, content="x")
