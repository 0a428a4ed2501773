"""后备力量名单汇总表: the figures on hand-built data, the xlsx and the PDF, scoping, bad input and query counts."""

import datetime
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from org.models import AuditLog
from org.scope import get_scope
from reports.cells import age_on
from reports.summary import EMPTY_TEXT, _sheet_name, summary_data, summary_pdf, summary_xlsx
from reserves.models import ReservePlacement
from tests.conftest import make_person, make_record

D = datetime.date
ON = D(2026, 6, 30)
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "artifacts" / "reports"
HEADERS = ["序号", "村（社区）", "类型", "姓名", "性别", "年龄", "学历", "政治面貌", "身份", "从事职业"]
FORMULA = '=HYPERLINK("http://x/?"&A1)'
EVIL = "<img src=file:///etc/passwd>"

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils 未安装")


def transfer(record, to, on):
    """Move a record (and its person) to village `to` from `on`, as the transfer service leaves the placements."""
    ReservePlacement.objects.filter(record=record, end__isnull=True).update(end=on)
    ReservePlacement.objects.create(record=record, village=to, start=on, reason="transfer")
    record.village = to
    record.save(update_fields=["village"])
    record.person.village = to
    record.person.save(update_fields=["village"])


@pytest.fixture
def pool(cast):
    """Township A on 2026-06-30: six people (seven rows: 陈五 has two types); B: one. Ages either side of 35 and 45."""
    a1, a2, a3, b1 = cast.village_a1, cast.village_a2, cast.community_a3, cast.village_b1
    p = {}
    p["li"] = make_person(
        a1, name="李一", birth=D(1991, 7, 1), education="bachelor", political_status="member", occupation="种植大户"
    )  # 34: birthday tomorrow
    p["wang"] = make_person(
        a1,
        name="王二",
        sex="F",
        birth=D(1990, 6, 30),
        education="college",
        political_status="probationary",
        source_group="veteran",
    )  # 36 on the day
    p["zhang"] = make_person(
        a2,
        name="张三",
        birth=D(1981, 7, 1),
        education="high_school",
        political_status="masses",
        source_group="wealth_leader",
    )  # 44
    p["zhao"] = make_person(
        a2,
        name="赵四",
        sex="F",
        birth=D(1980, 6, 30),
        education="junior",
        political_status="league",
        source_group="other",
        source_group_other="个体经营户",
    )  # 46
    p["chen"] = make_person(a3, name="陈五", birth=D(1991, 6, 30), education="postgraduate")  # 35
    p["zhou"] = make_person(
        a2, name="周八", birth=D(1995, 3, 3), education="bachelor", source_group="returned_graduate"
    )  # 31, moves to B after the date
    p["zheng"] = make_person(b1, name="郑十", birth=D(1970, 1, 1), education="college")  # 56
    for key in ("li", "wang", "zhang", "zhao", "chen", "zhou", "zheng"):
        make_record(p[key], entered=D(2024, 10, 1))
    make_record(p["chen"], entered=D(2025, 1, 1), rtype="secretary_reserve")
    transfer(p["zhou"].records.get(), cast.village_b1, D(2026, 8, 1))
    # not counted on the date: removed and used before it, entered after it
    gone = make_person(a1, name="钱六", birth=D(1990, 1, 1))
    make_record(gone, entered=D(2024, 10, 1), ended=D(2026, 3, 1), status="removed")
    used = make_person(a1, name="孙七", birth=D(1990, 1, 1))
    make_record(used, entered=D(2024, 10, 1), ended=D(2026, 6, 30), status="used")  # ended that day: out
    late = make_person(a1, name="吴九", birth=D(1990, 1, 1))
    make_record(late, entered=D(2026, 7, 1))
    return p


def figures(section) -> dict:
    return {(g.title, i.label): (i.value_text, i.share) for g in section.groups for i in g.items}


def test_township_figures_count_people_on_the_date_where_they_were(cast, pool):
    data = summary_data(cast.township_a, ON, cast.township_a_admin)
    (section,) = data.sections
    assert section.title == "青竹街道后备力量名单汇总表"
    assert section.place == "中共青竹街道工作委员会"  # the issuing body, as every paper is signed
    names = [(r.village, r.name, r.reserve_type, r.age) for r in section.rows]
    assert names == [
        ("青竹社区", "陈五", "村级后备干部", 35),
        ("青竹社区", "陈五", "村党组织书记后备力量", 35),
        ("兰沟村", "李一", "村级后备干部", 34),
        ("兰沟村", "王二", "村级后备干部", 36),
        ("甘家沟村", "周八", "村级后备干部", 31),  # moved to 汉阳镇 after the date: still here
        ("甘家沟村", "张三", "村级后备干部", 44),
        ("甘家沟村", "赵四", "村级后备干部", 46),
    ]
    zhao = section.rows[-1]
    assert (zhao.sex, zhao.education, zhao.political, zhao.source, zhao.occupation) == (
        "女",
        "初中及以下",
        "共青团员",
        "个体经营户",
        "",
    )
    assert section.people == data.people == 6
    f = figures(section)
    assert f[("合计", "人数")] == ("6", "")
    assert [(i.label, i.n) for i in section.groups[1].items] == [("青竹社区", 1), ("兰沟村", 2), ("甘家沟村", 3)]
    assert f[("性别", "男")] == ("4", "66.7%") and f[("性别", "女")] == ("2", "33.3%")
    assert f[("年龄", "35岁及以下")] == ("3", "50.0%")
    assert f[("年龄", "36至45岁")] == ("2", "33.3%")
    assert f[("年龄", "45岁以上")] == ("1", "16.7%")
    assert f[("年龄", "平均年龄（岁）")] == ("37.7", "")  # 226 / 6
    assert str(section.average_age) == "37.7"
    assert [f[("学历", k)][0] for k in ("研究生", "大学本科", "大学专科", "高中（中专）", "初中及以下")] == list(
        "12111"
    )
    assert f[("学历", "其中：大专及以上")] == ("4", "66.7%")
    assert f[("政治面貌", "中共党员（含预备党员）")] == ("4", "66.7%")
    assert f[("政治面貌", "其中：中共预备党员")] == ("1", "16.7%")
    assert f[("政治面貌", "非中共党员")] == ("2", "33.3%")
    sources = {i.label: i.n for i in section.groups[6].items}
    assert sources == {"村民小组长": 2, "复员退伍军人": 1, "返乡高校毕业生": 1, "致富能手": 1, "其他": 1}
    types = {i.label: i.n for i in section.groups[7].items}
    assert types == {"村级后备干部": 6, "村党组织书记后备力量": 1}


@pytest.mark.parametrize("on", [D(2024, 2, 28), D(2024, 2, 29), D(2025, 2, 28), D(2025, 3, 1), D(2026, 12, 31)])
def test_ages_and_bands_in_sql_agree_with_the_paper_arithmetic(cast, on):
    births = [D(1988, 2, 29), D(1989, 2, 28), D(1989, 3, 1), D(1979, 2, 28), D(1979, 3, 1), D(1980, 12, 31)]
    births += [shift(on, years, days) for years in (35, 36, 45, 46) for days in (-1, 0, 1)]
    for birth in births:
        make_record(make_person(cast.village_a1, birth=birth), entered=D(2020, 1, 1))
    data = summary_data(cast.township_a, on, cast.county_admin)
    ages = sorted(age_on(b, on) for b in births)
    assert sorted(r.age for r in data.sections[0].rows) == ages
    bands = {g.title: {i.label: i.n for i in g.items} for g in data.sections[0].groups}["年龄"]
    assert bands["35岁及以下"] == sum(a <= 35 for a in ages)
    assert bands["36至45岁"] == sum(36 <= a <= 45 for a in ages)
    assert bands["45岁以上"] == sum(a > 45 for a in ages)


def shift(on, years, days):
    """`years` before `on`, moved by `days` (29 February falls back to the 28th)."""
    try:
        day = on.replace(year=on.year - years)
    except ValueError:
        day = on.replace(year=on.year - years, day=28)
    return day + datetime.timedelta(days=days)


def test_county_prints_a_total_then_one_section_per_township(cast, pool):
    data = summary_data(cast.county, ON, cast.county_staff)
    total, a, b = data.sections
    assert total.is_total and total.title == "青神县后备力量名单汇总表（合计）" and not total.rows
    assert [(i.label, i.n) for i in total.groups[1].items] == [("青竹街道", 6), ("汉阳镇", 1)]
    assert total.people == data.people == 7
    assert figures(total)[("年龄", "平均年龄（岁）")] == ("40.3", "")  # (226 + 56) / 7
    assert figures(total)[("年龄", "45岁以上")] == ("2", "28.6%")
    assert a.people == 6 and [r.name for r in b.rows] == ["郑十"]  # 周八 arrives in B only on 2026-08-01
    # today 周八 counts in B
    today = summary_data(cast.county, D(2026, 8, 1), cast.county_staff)
    assert [r.name for r in today.sections[2].rows] == ["周八", "郑十"]


def test_a_city_user_gets_the_county_and_a_type_filter_counts_that_type(cast, pool):
    data = summary_data(cast.county, ON, cast.city_viewer, "secretary_reserve")
    assert data.people == 1 and [r.name for s in data.sections for r in s.rows] == ["陈五"]
    assert data.type_label == "村党组织书记后备力量"


def test_a_city_summary_totals_by_county(cast, pool):
    data = summary_data(cast.city, ON, cast.city_viewer)
    total = data.sections[0]
    assert total.title == "眉山市后备力量名单汇总表（合计）" and total.groups[1].title == "按县（区）"
    assert [(i.label, i.n) for i in total.groups[1].items] == [("青神县", 7)]
    assert [s.place for s in data.sections[1:]] == ["中共青竹街道工作委员会", "中共汉阳镇委员会"]


def test_a_date_before_any_record_gives_empty_sections(cast, pool):
    data = summary_data(cast.township_a, D(2000, 1, 1), cast.township_a_admin)
    (section,) = data.sections
    assert data.people == 0 and section.rows == [] and section.average_age is None
    assert [(i.label, i.n) for i in section.groups[1].items] == [("青竹社区", 0), ("兰沟村", 0), ("甘家沟村", 0)]
    assert figures(section)[("年龄", "平均年龄（岁）")] == ("—", "")


def test_out_of_scope_units_are_refused_by_the_selector(cast, pool):
    from django.core.exceptions import PermissionDenied

    for user, unit in [
        (cast.township_b_admin, cast.township_a),
        (cast.township_a_admin, cast.county),
        (cast.village_secretary, cast.township_a),
        (cast.mentor, cast.township_a),
        (cast.county_admin, cast.village_a1),  # not a township-level paper
    ]:
        with pytest.raises(PermissionDenied):
            summary_data(unit, ON, user)


# --- the files ----------------------------------------------------------------------------------------------------


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def sheet_values(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_xlsx_has_the_title_headers_rows_and_counts(cast, pool):
    wb = workbook(summary_xlsx(summary_data(cast.township_a, ON, cast.township_a_admin)))
    assert wb.sheetnames == ["青竹街道"]
    ws = wb.active
    rows = sheet_values(ws)
    assert rows[0][0] == "青竹街道后备力量名单汇总表"
    assert rows[1][0] == "填报单位：中共青竹街道工作委员会　　统计日期：2026年6月30日　　类型：全部类型"
    assert list(rows[2]) == HEADERS
    assert list(rows[3]) == [1, "青竹社区", "村级后备干部", "陈五", "男", 35, "研究生", "中共党员", "村民小组长", None]
    assert list(rows[9]) == [
        7,
        "甘家沟村",
        "村级后备干部",
        "赵四",
        "女",
        46,
        "初中及以下",
        "共青团员",
        "个体经营户",
        None,
    ]
    assert "A1:J1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.print_title_rows == "$3:$3" and ws.page_setup.orientation == "landscape"
    counts = {(r[1], r[2]): (r[3], r[4]) for r in rows[12:] if r[2] is not None}
    assert rows[11][1] == "统计" and list(rows[12][1:5]) == ["类别", "项目", "人数", "占比"]
    assert counts[("合计", "人数")] == (6, None)
    assert counts[("按村（社区）", "青竹社区")] == (1, "16.7%")
    assert counts[(None, "甘家沟村")] == (3, "50.0%")
    assert counts[(None, "兰沟村")] == (2, "33.3%")  # the group title is merged down the column
    assert counts[("性别", "男")] == (4, "66.7%")
    assert counts[("年龄", "35岁及以下")] == (3, "50.0%")
    assert counts[(None, "平均年龄（岁）")] == (37.7, None)
    assert counts[("学历", "研究生")] == (1, "16.7%")
    assert counts[("政治面貌", "中共党员（含预备党员）")] == (4, "66.7%")
    assert counts[(None, "非中共党员")] == (2, "33.3%")


def test_county_xlsx_has_a_total_sheet_and_one_sheet_per_township(cast, pool):
    wb = workbook(summary_xlsx(summary_data(cast.county, ON, cast.county_admin)))
    assert wb.sheetnames == ["合计", "青竹街道", "汉阳镇"]
    total = sheet_values(wb["合计"])
    assert total[0][0] == "青神县后备力量名单汇总表（合计）"
    assert any(r[2] == "汉阳镇" and r[3] == 1 for r in total)
    assert sheet_values(wb["汉阳镇"])[3][3] == "郑十"


def test_sheet_names_are_legal_and_unique():
    taken = set()
    assert _sheet_name("青竹街道", taken) == "青竹街道"
    assert _sheet_name("青竹街道", taken) == "青竹街道2"
    assert _sheet_name("a/b[c]:d*e?f\\g", taken) == "a_b_c__d_e_f_g"
    assert len(_sheet_name("长" * 40, taken)) <= 31


def test_xlsx_of_an_empty_date_says_so(cast, pool):
    ws = workbook(summary_xlsx(summary_data(cast.township_a, D(2000, 1, 1), cast.township_a_admin))).active
    assert ws["A4"].value == EMPTY_TEXT


@pytest.fixture
def bad(cast):
    """Formula-like and control-character names and markup in a free-text field, in township B."""
    people = [
        make_person(cast.village_b1, name=FORMULA, occupation=EVIL),
        make_person(cast.village_b1, name="@SUM(1)"),
        make_person(cast.village_b1, name="刘\x0b明"),
    ]
    for p in people:
        make_record(p, entered=D(2024, 1, 1))
    return people


def test_formula_like_names_stay_text_and_control_characters_go(cast, bad):
    ws = workbook(summary_xlsx(summary_data(cast.township_b, ON, cast.township_b_admin))).active
    cells = {ws.cell(row=r, column=4).value: ws.cell(row=r, column=4) for r in range(4, 7)}
    assert set(cells) == {FORMULA, "@SUM(1)", "刘明"}
    assert cells[FORMULA].data_type == "s" and cells["@SUM(1)"].data_type == "s"
    assert (
        ws.cell(row=[r for r in range(4, 7) if ws.cell(row=r, column=4).value == FORMULA][0], column=10).value == EVIL
    )


def text_of(pdf: bytes, tmp_path, mode="-layout") -> str:
    """The PDF's text, line by line as laid out, without the spaces (Chinese lines wrap and pad anywhere)."""
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", mode, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    lines = ("".join(line.split()) for line in out.decode("utf-8").splitlines())
    return "\n".join(line for line in lines if line)


def fonts_of(pdf: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


@needs_poppler
def test_pdf_has_title_headers_values_counts_footer_and_embedded_cjk_fonts(cast, pool, tmp_path):
    pdf = summary_pdf(summary_data(cast.county, ON, cast.county_admin))
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf, tmp_path)
    assert "青神县后备力量名单汇总表（合计）" in text
    assert "青竹街道后备力量名单汇总表" in text and "汉阳镇后备力量名单汇总表" in text
    assert "".join(HEADERS) in text
    assert "3兰沟村村级后备干部李一男34大学本科中共党员村民小组长种植大户" in text  # 李一, 34: birthday tomorrow
    assert "2青竹社区村党组织书记后备力量陈五男35研究生中共党员村民小组长" in text
    assert "7甘家沟村村级后备干部赵四女46初中及以下共青团员个体经营户" in text
    assert "按村（社区）青竹社区1人（16.7%）兰沟村2人（33.3%）甘家沟村3人（50.0%）" in text
    assert "性别男4人（66.7%）女2人（33.3%）" in text
    assert "年龄35岁及以下3人（50.0%）36至45岁2人（33.3%）45岁以上1人（16.7%）平均年龄（岁）37.7" in text
    assert "按乡镇（街道）青竹街道6人（85.7%）汉阳镇1人（14.3%）" in text and "平均年龄（岁）40.3" in text
    # the footer: unit and date on every page, with the page number
    assert "填报单位：中共青神县委组织部统计日期：2026年6月30日类型：全部类型第1页共3页" in text
    assert "填报单位：中共青竹街道工作委员会统计日期：2026年6月30日类型：全部类型第2页共3页" in text
    cjk = [row for row in fonts_of(pdf, tmp_path) if "CJK" in row[0]]
    assert cjk and all(row[-5] == "yes" for row in cjk)  # the "emb" column
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / "summary_county.pdf"
    source.write_bytes(pdf)
    for page in (1, 2):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                str(page),
                "-l",
                str(page),
                str(source),
                str(ARTIFACTS / f"summary_p{page}"),
            ],
            check=True,
        )
    assert list(ARTIFACTS.glob("summary_p2*.png"))


@needs_poppler
def test_a_long_list_repeats_the_header_and_the_footer_on_every_page(cast, tmp_path):
    crowd(cast, 60)
    pdf = summary_pdf(summary_data(cast.township_a, ON, cast.township_a_admin))
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    assert pages >= 3
    for page in range(1, pages + 1):
        out = subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"], capture_output=True, text=True
        ).stdout
        text = "".join(out.split())
        assert f"第{page}页共{pages}页" in text and "填报单位：中共青竹街道工作委员会统计日期：2026年6月30日" in text
        if page == 2:
            assert "".join(HEADERS) in text and "青竹街道后备力量名单汇总表" in text  # header row and running title
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "2", "-l", "2", str(path), str(ARTIFACTS / "summary_long")])


@needs_poppler
def test_pdf_prints_markup_as_text_and_an_empty_date_explained(cast, bad, tmp_path, monkeypatch):
    asked = []
    from notices import pdf as notices_pdf

    original = notices_pdf.LocalFilesFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(notices_pdf.LocalFilesFetcher, "fetch", spy)
    pdf = summary_pdf(summary_data(cast.township_b, ON, cast.township_b_admin))
    text = text_of(pdf, tmp_path, "-raw").replace("\n", "")  # the long name wraps in its cell
    assert "<imgsrc=file:///etc/passwd>" in text and asked == []
    assert '=HYPERLINK("http://x/?"&A1)' in text
    assert "3汉阳村村级后备干部刘明男36" in text and "\x0b" not in text
    empty = text_of(summary_pdf(summary_data(cast.township_b, D(2000, 1, 1), cast.township_b_admin)), tmp_path)
    assert EMPTY_TEXT in empty


# --- views ----------------------------------------------------------------------------------------------------------


def url(name, **params):
    from urllib.parse import urlencode

    return reverse(name) + ("?" + urlencode(params) if params else "")


def test_page_shows_the_table_counts_and_download_links(client, cast, pool):
    client.force_login(cast.township_a_admin)
    response = client.get(url("summary", on="2026-06-30"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "青竹街道后备力量名单汇总表" in html and "甘家沟村" in html and "37.7" in html
    assert f"?unit={cast.township_a.pk}&amp;on=2026-06-30&amp;type=" in html
    # the chooser offers only the user's township
    assert [u.pk for u in response.context["options"]] == [cast.township_a.pk]


def test_county_chooser_offers_the_county_then_its_townships_and_a_city_user_counties(client, cast, pool):
    client.force_login(cast.county_staff)
    options = client.get(url("summary")).context["options"]
    assert [u.name for u in options] == ["青神县", "青竹街道", "汉阳镇"]
    client.force_login(cast.city_viewer)
    response = client.get(url("summary", on="2026-06-30"))
    assert [u.name for u in response.context["options"]] == ["青神县"]
    assert response.context["data"].people == 7


def test_another_township_or_a_strange_unit_is_404(client, cast, pool):
    client.force_login(cast.township_b_admin)
    for name in ("summary", "summary_xlsx", "summary_pdf"):
        assert client.get(url(name, unit=cast.township_a.pk)).status_code == 404
        assert client.get(url(name, unit=cast.county.pk)).status_code == 404
        assert client.get(url(name, unit="x")).status_code == 404
    client.force_login(cast.county_admin)
    assert client.get(url("summary", unit=cast.village_a1.pk)).status_code == 404
    assert not AuditLog.objects.filter(action="report.summary").exists()


def test_anonymous_is_sent_to_login(client, cast):
    for name in ("summary", "summary_xlsx", "summary_pdf"):
        response = client.get(url(name))
        assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize(
    "on,message",
    [
        ("2026-13-01", "请按“2026-05-01”的格式填写统计日期。"),
        ("昨天", "请按“2026-05-01”的格式填写统计日期。"),
        ("2999-01-01", "统计日期不能晚于今天。"),
        ("0001-01-01", "统计日期不能早于1950年1月1日。"),
    ],
)
def test_a_bad_date_gets_a_clear_chinese_error_and_no_file(client, cast, pool, on, message):
    client.force_login(cast.township_a_admin)
    for name in ("summary", "summary_xlsx", "summary_pdf"):
        response = client.get(url(name, on=on))
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not AuditLog.objects.filter(action="report.summary").exists()


def test_a_bad_type_is_refused(client, cast, pool):
    client.force_login(cast.township_a_admin)
    response = client.get(url("summary", type="boss"))
    assert response.status_code == 400 and "请选择列表中的后备干部类型。" in response.content.decode()


def test_a_date_before_any_record_is_explained(client, cast, pool):
    client.force_login(cast.township_a_admin)
    html = client.get(url("summary", on="2001-01-01")).content.decode()
    assert EMPTY_TEXT in html


def test_downloads_are_files_and_audited(client, cast, pool, django_capture_on_commit_callbacks):
    from reports.models import ExportJob

    client.force_login(cast.county_staff)
    response = client.get(url("summary_xlsx", unit=cast.township_a.pk, on="2026-06-30"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert workbook(response.content).active["A1"].value == "青竹街道后备力量名单汇总表"
    # A county's table is built in the background and waits in 我的导出.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url("summary_pdf", unit=cast.county.pk, on="2026-06-30", type="village_reserve"))
    assert response.status_code == 302 and response["Location"] == reverse("export_list")
    job = ExportJob.objects.get()
    assert job.state == ExportJob.DONE and job.people == 7 and job.file.read().startswith(b"%PDF-")
    export = AuditLog.objects.get(action="report.export")
    assert export.unit_code == cast.county.code and export.changes["people"] == 7
    assert export.changes["params"] == {"on": "2026-06-30", "type": "village_reserve"}
    entries = list(AuditLog.objects.filter(action="report.summary").order_by("id"))
    assert [(e.object_id, e.unit_code, e.changes) for e in entries] == [
        (
            str(cast.township_a.pk),
            cast.township_a.code,
            {"on": "2026-06-30", "format": "xlsx", "people": 6, "reserve_type": ""},
        ),
    ]
    assert all(e.actor == cast.county_staff for e in entries)


# --- query counts -------------------------------------------------------------------------------------------------


def crowd(cast, n):
    for i in range(n):
        village = (cast.village_a1, cast.village_a2, cast.community_a3)[i % 3]
        person = make_person(
            village,
            name=f"人{i}",
            birth=D(1960 + i % 40, 1 + i % 12, 1 + i % 28),
            sex="MF"[i % 2],
            education=("bachelor", "college", "junior")[i % 3],
        )
        make_record(person, entered=D(2024, 1, 1))
        if i % 4 == 0:
            make_record(person, entered=D(2024, 1, 1), rtype="secretary_reserve")


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", [2, 20])
def test_the_selector_takes_four_queries_whatever_the_rows(cast, n, django_assert_num_queries):
    crowd(cast, n)
    get_scope(cast.county_admin)  # grants read once per request
    # 1 units of the subtree, 2 rows, 3 per-village person figures, 4 per-village type counts
    with django_assert_num_queries(4):
        data = summary_data(cast.county, ON, cast.county_admin)
    assert data.people == n


def test_page_and_downloads_do_not_grow_with_rows(client, cast):
    client.force_login(cast.county_admin)
    counts = {}
    for n in (2, 20):
        crowd(cast, n if n == 2 else n - 2)
        counts[n] = [
            count_queries(lambda name=name: client.get(url(name, unit=cast.township_a.pk, on="2026-06-30")))
            for name in ("summary", "summary_xlsx", "summary_pdf")
        ]
    assert counts[2] == counts[20]
    # session, user, grants, unit options, the selector's 4 (units, rows, per-village figures, types); a download adds
    # the audit insert. (The page also renders base.html: its includes from other apps may add their own.)
    assert counts[2] == [8, 9, 9]
