"""Every printed document as an organization department issues it: one page-number style "第 n 页 共 N 页" on
every page of every PDF, the issuing body under the same full name, places and titles written once, the 附件 lines
and the form's five training rows, titles that leave no character alone, Chinese file names.

The documents are fetched as users download them (the views), so the file name is checked with the content. Set
PRINT_PNG_DIR to keep a PNG of each first page (pdftoppm -r 60) for a look."""

import datetime
import io
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from notices.models import Notice
from notices.naming import issuing_body, name_with_post, place_name
from notices.services import notice_post
from org import roles
from reports import record_sheet
from reports.roster import build_roster, roster_pdf, roster_xlsx
from reserves.builders import make_user, unit
from reserves.models import MentorPairing
from selection import services as selection
from tests.conftest import PASSWORD, make_person, make_record

D = datetime.date
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils 未安装"),
]
PAGE = re.compile(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页")
STREET_BODY = "中共青竹街道工作委员会"  # cast.township_a is 青竹街道
COUNTY_BODY = "中共青神县委组织部"


def pages_of(pdf: bytes, tmp_path: Path, name: str) -> list[str]:
    """The text of each page (pdftotext -layout), and a PNG of the first page when PRINT_PNG_DIR is set."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    keep = os.environ.get("PRINT_PNG_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(Path(keep) / name)], check=True)
    return out.stdout.decode("utf-8").split("\f")[:-1]


def squeeze(text: str) -> str:
    return "".join(text.split())


def assert_house_style(pages: list[str], *, total_per_page=None):
    """Each page has exactly one page number, "第 n 页 共 N 页", counting up; no other style anywhere."""
    assert pages
    numbers = []
    for text in pages:
        found = PAGE.findall(text)
        assert len(found) == 1, text[-300:]
        numbers.append(tuple(int(x) for x in found[0]))
        assert not re.search(r"\b\d+\s*/\s*\d+\b", text), "a 1/1 style page number"
    if total_per_page is None:
        assert numbers == [(i, len(pages)) for i in range(1, len(pages) + 1)]
    else:
        assert numbers == total_per_page
    whole = squeeze("".join(pages))
    assert "村村（社区）" not in whole and "社区社区" not in whole and "栏栏" not in whole


def assert_chinese_filename(response, stem_part: str, ext: str):
    header = response["Content-Disposition"]
    match = re.search(r"filename\*=utf-8''([^;]+)", header, re.IGNORECASE)
    assert match, header
    name = unquote(match.group(1))
    assert name.endswith(f".{ext}") and stem_part in name, name
    assert re.search(r"[\u4e00-\u9fff]", name), name


def lonely_title_line(text: str) -> bool:
    """A line of the title (the first lines) that holds a single character."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return any(len(line) == 1 for line in lines[:3])


@pytest.fixture
def world(cast):
    """Two reserves in 兰沟村 (one paired with a mentor whose account name still holds a title, as old accounts
    may), one in 青竹社区."""
    titled = make_user("titled", "青竹街道副主任 周涛", cast.township_a, "mentor", PASSWORD, "副主任")
    a = make_record(make_person(cast.village_a1, name="李兰"), mentor=cast.mentor)
    b = make_record(make_person(cast.village_a1, name="王甘"), mentor=titled)
    MentorPairing.objects.filter(record=b, mentor_user=titled).update(post="副主任")
    c = make_record(make_person(cast.community_a3, name="陈青", sex="F"))
    return {"a": a, "b": b, "c": c}


# --- the naming rules -------------------------------------------------------------------------------------------


def test_the_issuing_body_has_its_full_name_by_the_units_kind(cast):
    town = unit(roles.TOWNSHIP, "汉阳镇", "511425102", cast.county)
    xiang = unit(roles.TOWNSHIP, "白鹭乡", "511425103", cast.county)
    assert issuing_body(town) == "中共汉阳镇委员会"
    assert issuing_body(xiang) == "中共白鹭乡委员会"
    assert issuing_body(cast.township_a) == STREET_BODY
    assert issuing_body(cast.county) == COUNTY_BODY
    assert issuing_body(cast.village_a1) == STREET_BODY  # a village's papers are its township's


def test_a_place_names_its_village_once(cast):
    a1, a3 = cast.village_a1, cast.community_a3
    assert place_name(a1, "兰沟村村（社区）公示栏") == "兰沟村公示栏"
    assert place_name(a3, "青竹社区村（社区）公示栏") == "青竹社区公示栏"
    assert place_name(a3, "青竹社区社区公示栏") == "青竹社区公示栏"
    assert place_name(a1, "兰沟村村公示栏") == "兰沟村公示栏"
    assert place_name(a1, "兰沟村村务公开栏") == "兰沟村村务公开栏"  # 村务 is a word of its own
    assert place_name(None, "街道公示栏") == "街道公示栏"


def test_a_post_already_in_the_name_is_not_repeated():
    assert name_with_post("青禾镇副镇长 周涛", "副镇长") == "青禾镇副镇长 周涛"
    assert name_with_post("周涛", "副镇长") == "周涛 副镇长"
    assert name_with_post("周涛", "") == "周涛"


# --- each document ------------------------------------------------------------------------------------------------


def test_the_announcement_is_signed_numbered_and_indented(client, cast, tmp_path):
    round_ = selection.round_open(
        actor=cast.township_a_admin,
        township=cast.township_a,
        villages=[cast.village_a1, cast.village_a2],
        kind="qs",
        reserve_type="village_reserve",
        title="2026年青竹街道村级后备干部选拔",
        announcement="为加强村级后备干部队伍建设，决定开展选拔工作。\n一、选拔范围：本街道各村（社区）。\n二、选拔条件：见附件。",
        announced_on=D(2026, 9, 1),
        nomination_deadline=D(2026, 9, 15),
    )
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("round_announcement_pdf", args=[round_.pk]))
    assert response.status_code == 200
    assert_chinese_filename(response, "选拔公告", "pdf")
    pages = pages_of(response.content, tmp_path, "announcement")
    assert_house_style(pages)
    text = squeeze("".join(pages))
    assert STREET_BODY in text and "选拔范围：兰沟村、甘家沟村" in text
    assert not lonely_title_line(pages[0])
    # Each line of the announcement is a paragraph of its own (each indented by the same rule).
    from django.template.loader import render_to_string

    html = render_to_string("selection/pdf/announcement.html", {"round": round_, "villages": []})
    assert html.count("<p>") == 5 and "text-indent: 2em" in html


def test_the_notice_names_its_places_once_and_its_issuer_in_full(client, cast, tmp_path):
    notice = notice_post(
        actor=cast.township_a_admin,
        kind=Notice.KIND_CANDIDATE,
        unit=cast.township_a,
        county=cast.county,
        subject="test.round:9",
        title="关于2026年青竹街道村级后备干部选拔考察对象的公示",
        body="经党员群众推荐、资格审查，确定以下同志为考察对象，现予公示。\n公示期间如有异议，请向街道党工委反映。",
        start=D(2026, 9, 30),
        working_days=5,
        posting_day_counts=True,
        places=[(cast.village_a1, "兰沟村村（社区）公示栏"), (cast.community_a3, "青竹社区村（社区）公示栏")],
        rows=[{"序号": "1", "姓名": "李兰", "性别": "男", "村（社区）": "兰沟村"}],
        columns=["序号", "姓名", "性别", "村（社区）"],
    )
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("notice_pdf", args=[notice.pk]))
    assert response.status_code == 200
    assert_chinese_filename(response, "考察对象的公示", "pdf")
    pages = pages_of(response.content, tmp_path, "notice")
    assert_house_style(pages)
    text = squeeze("".join(pages))
    assert "公示地点：兰沟村公示栏、青竹社区公示栏" in text
    assert f"请于公示期内向{STREET_BODY}反映" in text and text.count(STREET_BODY) >= 2
    assert not lonely_title_line(pages[0])


def test_the_use_notice_is_signed_like_every_other(client, cast, tmp_path):
    notice = notice_post(
        actor=cast.township_a_admin,
        kind=Notice.KIND_USE,
        unit=cast.township_a,
        county=cast.county,
        subject="lifecycle.use:1",
        title="关于李兰同志拟任兰沟村党支部副书记的公示",
        body="经兰沟村党组织推荐、青竹街道党工委审批同意，拟推荐李兰同志为兰沟村党支部副书记人选，现予公示。",
        start=D(2026, 9, 30),
        working_days=5,
        posting_day_counts=True,
        places=[(cast.village_a1, "兰沟村公示栏")],
    )
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("notice_pdf", args=[notice.pk]))
    pages = pages_of(response.content, tmp_path, "use_notice")
    assert_house_style(pages)
    assert STREET_BODY in squeeze("".join(pages))
    assert_chinese_filename(response, "拟任", "pdf")


def test_the_roster_prints_annex_1_its_issuer_and_each_mentor_once(client, cast, world, tmp_path):
    roster = build_roster(cast.township_a, D(2026, 6, 30))
    pages = pages_of(roster_pdf(roster, reveal=False), tmp_path, "roster")
    assert_house_style(pages)
    text = squeeze("".join(pages))
    assert text.startswith("附件1") and f"填报单位：{STREET_BODY}" in text
    assert "青竹街道副主任周涛副主任" not in text and "青竹街道副主任周涛" in text
    assert "副镇长副镇长" not in text and "副镇长" in text

    ws = load_workbook(io.BytesIO(roster_xlsx(roster, reveal=False))).active
    assert [ws.cell(row=r, column=1).value for r in (1, 2, 4)] == ["附件1", "青竹街道村级后备干部名册", "序号"]
    mentors = [ws.cell(row=r, column=13).value for r in range(5, 8)]
    assert "青竹街道副主任 周涛" in mentors and "副镇长" in mentors  # the cast's mentor is called 副镇长
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"

    client.force_login(cast.township_a_admin)
    response = client.post(reverse("roster_export"), {"unit": cast.village_a1.pk, "on": "2026-06-30", "fmt": "pdf"})
    assert response.status_code == 200
    assert_chinese_filename(response, "兰沟村村级后备干部名册", "pdf")
    assert_house_style(pages_of(response.content, tmp_path, "roster_village"))


def test_record_sheets_carry_annex_2_five_training_rows_and_their_own_page_numbers(client, cast, world, tmp_path):
    records = [world["a"], world["b"]]
    sheets = record_sheet.collect(type(world["a"]).objects.filter(pk__in=[r.pk for r in records]), 2026)
    assert [len(s.training_rows) for s in sheets] == [5, 5]
    pdf = record_sheet.sheets_pdf(sheets, reveal=False)
    pages = pages_of(pdf, tmp_path, "record_sheets")
    per_sheet = len(pages) // 2
    # Each person's sheet counts its own pages: 第 1 页 共 n 页 … then 第 1 页 again.
    expected = [(i, per_sheet) for i in range(1, per_sheet + 1)] * 2
    assert_house_style(pages, total_per_page=expected)
    text = squeeze("".join(pages))
    assert text.count("附件2") == 2
    assert "副镇长副镇长" not in text

    html = record_sheet._html([record_sheet.item(sheets[0], reveal=False, photo_src="")])
    training = html.split('<tbody class="training">')[1].split("</tbody>")[0]
    assert training.count("<tr>") == 5

    ws = load_workbook(io.BytesIO(record_sheet.sheet_xlsx(sheets[0], reveal=False))).active
    column_a = [ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)]
    column_b = [ws.cell(row=r, column=2).value for r in range(1, ws.max_row + 1)]
    assert column_a[:2] == ["附件2", "村级后备干部日常管理纪实表"]
    head = column_b.index("培训方式")
    assert column_b.index("第一季度") - head - 1 == 6  # five training rows, then the mentoring header row
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"

    client.force_login(cast.township_a_admin)
    for fmt in ("pdf", "xlsx"):
        response = client.get(reverse(f"record_sheet_{fmt}", args=[world["a"].pk]), {"year": 2026})
        assert response.status_code == 200
        assert_chinese_filename(response, "兰沟村_李兰_纪实表_2026", fmt)
    assert_house_style(
        pages_of(response.content, tmp_path, "record_sheet_one") if fmt == "pdf" else ["第 1 页 共 1 页"]
    )


def test_the_summary_names_its_issuer_and_numbers_through(client, cast, world, tmp_path):
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("summary_pdf"), {"unit": cast.township_a.pk, "on": "2026-06-30"})
    assert response.status_code == 200
    assert_chinese_filename(response, "青竹街道后备力量名单汇总表", "pdf")
    pages = pages_of(response.content, tmp_path, "summary")
    assert_house_style(pages)
    text = squeeze("".join(pages))
    assert f"填报单位：{STREET_BODY}" in text
    response = client.get(reverse("summary_xlsx"), {"unit": cast.township_a.pk, "on": "2026-06-30"})
    assert_chinese_filename(response, "青竹街道后备力量名单汇总表", "xlsx")


def test_the_half_year_analysis_is_signed_by_the_county_department(client, cast, world, tmp_path):
    from dashboards import halfyear as H

    year, half = H.current_half(datetime.date.today())
    client.force_login(cast.county_admin)
    response = client.get(reverse("halfyear_pdf", args=[cast.county.pk, year, half]))
    assert response.status_code == 200
    assert_chinese_filename(response, "后备干部队伍分析", "pdf")
    pages = pages_of(response.content, tmp_path, "halfyear")
    assert_house_style(pages)
    assert COUNTY_BODY in squeeze("".join(pages))


def test_no_pdf_template_numbers_its_own_pages():
    """The footer is stamped by notices.pdf.stamp_pages alone: a template with its own counter would print a second
    style."""
    root = Path(__file__).resolve().parents[2] / "templates"
    templates = sorted(root.glob("*/pdf/*.html"))
    assert len(templates) >= 6
    for path in templates:
        assert "counter(page" not in path.read_text(encoding="utf-8"), path
