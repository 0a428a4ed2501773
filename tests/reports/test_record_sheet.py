"""附件2 纪实表 builders: collect() in a fixed number of queries, the workbook laid out like the printed form, the PDF
with its Chinese text in an embedded CJK font, the zip of workbooks; bad input gives a correct file."""

import datetime
import io
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from PIL import Image

from assessment.models import AnnualAppraisal, QuarterReview
from mentoring.models import MentoringEntry
from reports import record_sheet as rs
from reserves.models import MentorPairing, ReserveRecord
from tests.conftest import make_person, make_record
from training.models import Enrolment, PracticeAssignment, TrainingEvent

D = datetime.date
YEAR = 2026
EVIL = '<img src="file:///etc/passwd">'
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "reports"
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils 未安装")


# --- data ----------------------------------------------------------------------------------------------------------


def png(color="red", size=(300, 400)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def give_photo(person):
    person.photo = SimpleUploadedFile("photo.png", png(), content_type="image/png")
    person.save()


def training(unit, records, *, start, end, days, content, form="concentrated"):
    event = TrainingEvent.objects.create(
        form=form, start=start, end=end, days=Decimal(days), content=content, organiser="县委组织部", unit=unit
    )
    Enrolment.objects.bulk_create([Enrolment(event=event, record=r) for r in records])
    return event


def fill(cast, record, *, year=YEAR):
    """A year of cultivation for one record: trainings (one of the year before), mentoring in two quarters,
    practice, the quarter opinions of Q1 and Q2, and the annual appraisal."""
    training(cast.township_a, [record], start=D(year, 3, 1), end=D(year, 3, 5), days=5, content="乡村振兴政策理论")
    training(
        cast.county,
        [record],
        start=D(year, 6, 10),
        end=D(year, 6, 10),
        days="0.5",
        content="两委会列席",
        form="meeting",
    )
    training(cast.county, [record], start=D(year - 1, 5, 1), end=D(year - 1, 5, 3), days=3, content="上一年的培训")
    pairing = record.pairings.first() or MentorPairing.objects.create(
        record=record, mentor_name="刘明", mentor_kind="village_head", post="村党委书记", start=record.entered_on
    )
    MentoringEntry.objects.create(
        pairing=pairing, year=year, quarter=1, date=D(year, 2, 10), content="谈心谈话，讲解村务", assessment="进步明显"
    )
    MentoringEntry.objects.create(pairing=pairing, year=year, quarter=3, date=D(year, 8, 5), content=EVIL)
    MentoringEntry.objects.create(pairing=pairing, year=year - 1, quarter=2, date=D(year - 1, 5, 5), content="去年")
    PracticeAssignment.objects.create(
        record=record,
        kind="shadowing",
        content="到街道党建办跟班学习",
        performance=EVIL,
        assessment="合格",
        start=D(year, 4, 1),
        end=D(year, 4, 30),
    )
    PracticeAssignment.objects.create(
        record=record, kind="village_affairs", content="协助村务公开", start=D(year - 1, 11, 1)
    )  # still running: overlaps this year
    PracticeAssignment.objects.create(
        record=record, kind="public_service", content="早已结束", start=D(year - 2, 1, 1), end=D(year - 2, 2, 1)
    )
    QuarterReview.objects.create(
        record=record,
        year=year,
        quarter=1,
        village=record.village,
        village_potential="有干劲",
        village_shortcomings="经验不足",
        village_rating="good",
        township_potential="可培养",
        township_shortcomings="需历练",
        township_rating="fairly_good",
    )
    QuarterReview.objects.create(
        record=record, year=year, quarter=2, village=record.village, village_potential="稳定", village_rating="average"
    )
    AnnualAppraisal.objects.create(record=record, year=year, result="excellent", village=record.village)
    AnnualAppraisal.objects.create(record=record, year=year - 1, result="basic", village=record.village)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def rich(cast, people, media):
    record = people["a1"]
    person = record.person
    person.native_place = "四川青神"
    person.birthplace = "青神县青竹街道"
    person.party_joined = D(2012, 7, 1)
    person.work_started = D(2011, 9, 1)
    person.occupation = "个体经营"
    person.specialty = "电子商务、乡村旅游策划"
    person.school_major = "四川农业大学 农学"
    person.phone = "13800138000"
    person.save()
    give_photo(person)
    fill(cast, record)
    return ReserveRecord.objects.get(pk=record.pk)


def one(record, year=YEAR) -> rs.Sheet:
    (sheet,) = rs.collect(ReserveRecord.objects.filter(pk=record.pk), year)
    return sheet


def workbook(sheet, reveal=False):
    return load_workbook(io.BytesIO(rs.sheet_xlsx(sheet, reveal=reveal))).active


def values(ws) -> list:
    return [c.value for row in ws.iter_rows() for c in row if c.value not in (None, "")]


def row_of(ws, text) -> int:
    for row in ws.iter_rows():
        for c in row:
            if c.value == text:
                return c.row
    raise AssertionError(f"{text} not in sheet")


def pdf_text(pdf: bytes, tmp_path, name="out.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    return "".join(out.decode("utf-8").split())


def in_order(chars: str, text: str) -> bool:
    """The characters appear in this order (a cell's lines come out between its neighbours' lines)."""
    rest = iter(text)
    return all(ch in rest for ch in chars)


def pdf_pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def save_png(pdf: bytes, tmp_path, stem: str, first=1, last=1) -> list[Path]:
    """Page images a person can look at: artifacts/reports/<stem>-<page>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    src = tmp_path / f"{stem}.pdf"
    src.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", str(first), "-l", str(last), str(src), str(ARTIFACTS / stem)],
        check=True,
    )
    return sorted(ARTIFACTS.glob(f"{stem}-*.png"))


# --- collect -------------------------------------------------------------------------------------------------------


def test_collect_gathers_the_year_of_one_record(rich):
    s = one(rich)
    assert (s.name, s.sex, s.birth, s.township, s.village, s.year) == (
        "李兰",
        "男",
        "1990.01",
        "青竹街道",
        "兰沟村",
        2026,
    )
    assert (s.party_joined, s.work_started, s.education, s.school_major) == (
        "2012.07",
        "2011.09",
        "大学专科",
        "四川农业大学 农学",
    )
    assert s.photo.startswith("photos/")
    # trainings ending in the year, oldest first; the year before is left out
    assert [(t.form, t.period, t.days, t.content) for t in s.trainings] == [
        ("集中培训", "2026.03.01—03.05", "5", "乡村振兴政策理论"),
        ("以会代训", "2026.06.10", "0.5", "两委会列席"),
    ]
    # four quarters always, entries where written; 帮扶责任人 as "姓名 职务"
    assert [m.label for m in s.mentoring] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    q1 = s.mentoring[0]
    assert (q1.date, q1.mentor, q1.content, q1.assessment) == (
        "2026年2月10日",
        "副镇长",  # the cast's mentor is named 副镇长: the post is not printed twice
        "谈心谈话，讲解村务",
        "进步明显",
    )
    assert s.mentoring[1].content == "" and s.mentoring[2].content == EVIL
    # practice overlapping the year, with its period
    assert [p.content for p in s.practice] == [
        "协助村务公开（2025.11.01—至今）",
        "到街道党建办跟班学习（2026.04.01—04.30）",
    ]
    assert s.practice[1].performance == EVIL and s.practice[1].assessment == "合格"
    assert s.village_opinions[0] == "发展潜力：有干劲；主要不足：经验不足；评定：好"
    assert s.township_opinions[0] == "发展潜力：可培养；主要不足：需历练；评定：较好"
    assert s.village_opinions[1] == "发展潜力：稳定；主要不足：—；评定：一般"
    assert s.township_opinions[1:] == ["", "", ""]
    assert s.appraisal == "优秀"
    assert one(rich, 2025).appraisal == "基本称职"


def test_collect_orders_township_village_name_and_skips_empty(cast, people):
    make_record(make_person(cast.village_a1, name="阿明"))
    make_record(make_person(cast.village_b1, name="白云"))
    sheets = rs.collect(ReserveRecord.objects.all(), YEAR)
    # 兰沟村 (…201) and 甘家沟村 (…202) after 青竹社区 (…101): township → village by area code → name
    assert [s.village for s in sheets] == ["青竹社区", "兰沟村", "兰沟村", "甘家沟村", "汉阳村", "汉阳村"]
    assert [s.township for s in sheets] == ["青竹街道"] * 4 + ["汉阳镇"] * 2
    # within a village by name, in the database's collation
    names = list(
        ReserveRecord.objects.filter(village=cast.village_a1)
        .order_by("person__name")
        .values_list("person__name", flat=True)
    )
    assert [s.name for s in sheets[1:3]] == names
    assert rs.collect(ReserveRecord.objects.none(), YEAR) == []


def test_collect_does_not_repeat_a_record_a_join_repeats(cast, people):
    record = people["a1"]
    record.placements.create(village=cast.village_a1, start=D(2019, 1, 1), end=D(2020, 3, 1), reason="entry")
    joined = ReserveRecord.objects.filter(placements__village=cast.village_a1)
    assert joined.count() == 2
    assert [s.record_id for s in rs.collect(joined, YEAR)] == [record.pk]


def test_collect_takes_the_pool_query_the_background_exports_use(cast, people):
    fill(cast, people["a1"])
    records = ReserveRecord.objects.in_pool(cast.township_a, D(YEAR, 6, 30)).distinct()
    sheets = rs.collect(records, YEAR)
    assert [s.village for s in sheets] == ["青竹社区", "兰沟村", "甘家沟村"]
    assert sheets[1].appraisal == "优秀" and len(sheets[1].trainings) == 2


def test_collect_runs_the_same_six_queries_for_one_and_for_five_records(cast, people, django_assert_num_queries):
    fill(cast, people["a1"])
    with django_assert_num_queries(6):
        assert len(rs.collect(ReserveRecord.objects.filter(pk=people["a1"].pk), YEAR)) == 1
    for key in ("a2", "a3", "b1"):
        fill(cast, people[key])
        for i in range(3):  # more rows per record must not add queries either
            training(cast.county, [people[key]], start=D(YEAR, 9, i + 1), end=D(YEAR, 9, i + 1), days=1, content="x")
    extra = make_record(make_person(cast.village_a2, name="钱多"), mentor=cast.mentor)
    fill(cast, extra)
    with django_assert_num_queries(6):
        sheets = rs.collect(ReserveRecord.objects.all(), YEAR)
    assert len(sheets) == 5 and all(len(s.trainings) >= 2 for s in sheets)


# --- xlsx ----------------------------------------------------------------------------------------------------------


def test_workbook_is_laid_out_like_the_printed_form(rich):
    sheet = one(rich)
    ws = workbook(sheet)
    assert (ws["A1"].value, ws["A2"].value) == ("附件2", "村级后备干部日常管理纪实表")
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:I1", "A2:I2", "B4:C4", "H4:I8", "B9:E9", "G9:I9", "E7:G7"} <= merged
    got = values(ws)
    for label in [
        "姓名", "性别", "出生年月", "民族", "籍贯", "出生地", "入党时间", "参加工作时间", "健康状况", "从事职业",
        "熟悉专业有何专长", "学历", "毕业院校及专业", "身份证号", "电话号码",
        "参加培训情况", "培训方式", "培训时间", "培训天数", "培训内容",
        "结对帮扶情况", "帮扶时间", "帮扶责任人", "帮扶内容", "评定意见", "第一季度", "第四季度",
        "参加实践锻炼情况", "具体内容", "主要表现", "村（社区）评定意见", "乡镇评定意见", "年度考核结果",
    ]:  # fmt: skip
        assert label in got, label
    assert ws["B4"].value == "李兰" and ws["E4"].value == "男" and ws["G4"].value == "1990.01"
    assert ws["E7"].value == "电子商务、乡村旅游策划"
    # masked unless revealed
    assert ws["B9"].value == rich.person.id_number[:6] + "********" + rich.person.id_number[-4:]
    assert ws["G9"].value == "138****8000"
    full = workbook(sheet, reveal=True)
    assert full["B9"].value == rich.person.id_number and full["G9"].value == "13800138000"
    # the training block: a header and the rows under it, the title written down the left over all of them
    head = row_of(ws, "培训方式")
    assert [ws.cell(head + 1, c).value for c in (2, 4, 6, 7)] == [
        "集中培训",
        "2026.03.01—03.05",
        "5",
        "乡村振兴政策理论",
    ]
    assert [ws.cell(head + 2, c).value for c in (2, 4, 6, 7)] == ["以会代训", "2026.06.10", "0.5", "两委会列席"]
    assert f"A{head}:A{head + 5}" in merged  # padded to the printed five rows
    assert ws.cell(head, 1).value == "参加培训情况" and ws.cell(head, 1).alignment.textRotation == 255
    q1 = row_of(ws, "第一季度")
    assert [ws.cell(q1, c).value for c in (3, 4, 5, 8)] == [
        "2026年2月10日",
        "副镇长",  # the cast's mentor is named 副镇长: the post is not printed twice
        "谈心谈话，讲解村务",
        "进步明显",
    ]
    assert ws.cell(q1 + 2, 5).value == EVIL  # text, as entered
    p = row_of(ws, "具体内容")
    assert ws.cell(p + 2, 2).value == "到街道党建办跟班学习（2026.04.01—04.30）" and ws.cell(p + 2, 5).value == EVIL
    v = row_of(ws, "村（社区）评定意见")
    assert ws.cell(v + 1, 2).value == "发展潜力：有干劲；主要不足：经验不足；评定：好"
    assert ws.cell(v + 3, 2).value == "发展潜力：可培养；主要不足：需历练；评定：较好"
    a = row_of(ws, "年度考核结果")
    assert ws.cell(a, 2).value == "优秀" and f"B{a}:I{a}" in merged
    # the photo sits in the box on the right, print set to A4 portrait fitted to the width
    assert len(ws._images) == 1
    anchor = ws._images[0].anchor._from
    assert (anchor.col, anchor.row) == (7, 3)  # H4
    assert ws.page_setup.orientation == "portrait" and int(ws.page_setup.paperSize) == 9  # A4
    assert (
        ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    )
    assert ws["B4"].border.left.style == "thin" and ws["I8"].border.right.style == "thin"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_rows_grow_with_their_text(rich):
    rich.person.specialty = "熟悉农村电商运营与直播带货，" * 8
    rich.person.save()
    ws = workbook(one(rich))
    assert ws.row_dimensions[7].height > ws.row_dimensions[6].height


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x/?"&A1)', "@SUM(1)", "+1", "-1"])
def test_a_name_that_looks_like_a_formula_is_text(cast, people, media, name):
    person = people["a1"].person
    person.name = name
    person.save()
    ws = workbook(one(people["a1"]))
    assert ws["B4"].value == name and ws["B4"].data_type == "s"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_control_characters_are_removed(cast, people, media):
    person = people["a1"].person
    person.name = "李\x0b兰"
    person.specialty = "种植\x01养殖"
    person.save()
    sheet = one(people["a1"])
    assert sheet.name == "李兰"
    ws = workbook(sheet)
    assert ws["B4"].value == "李兰" and ws["E7"].value == "种植养殖"


def test_a_missing_photo_file_leaves_the_photo_box(rich, media):
    sheet = one(rich)
    (media / sheet.photo).unlink()
    ws = workbook(sheet)
    assert ws._images == [] and ws["H4"].value == "照片"
    assert rs.photo_url(sheet) == ""


def test_a_broken_photo_file_leaves_the_photo_box(rich, media):
    sheet = one(rich)
    (media / sheet.photo).write_bytes(b"not an image")
    ws = workbook(sheet)
    assert ws._images == [] and ws["H4"].value == "照片"


def test_a_person_with_nothing_recorded_gets_the_empty_form(cast, people, media):
    sheet = one(people["a2"])
    assert sheet.trainings == [] and sheet.practice == [] and sheet.appraisal == "" and sheet.photo == ""
    assert all(m.content == "" for m in sheet.mentoring)
    ws = workbook(sheet)
    assert ws["H4"].value == "照片" and ws._images == []
    head = row_of(ws, "培训方式")
    assert [ws.cell(head + i, 2).value for i in range(1, 6)] == [None] * 5  # the form's five empty rows
    assert ws.cell(head + 6, 1).value == "结对帮扶情况"
    assert rs.sheets_pdf([sheet], reveal=False).startswith(b"%PDF-")


def test_five_hundred_training_rows_make_a_long_sheet(cast, people, media, tmp_path):
    record = people["a1"]
    events = TrainingEvent.objects.bulk_create(
        [
            TrainingEvent(
                form="online",
                start=D(YEAR, 1, 1) + datetime.timedelta(days=i % 300),
                end=D(YEAR, 1, 1) + datetime.timedelta(days=i % 300),
                days=Decimal("0.5"),
                content=f"学习强国专题学习第{i + 1}讲",
                organiser="县委组织部",
                unit=cast.county,
            )
            for i in range(500)
        ]
    )
    Enrolment.objects.bulk_create([Enrolment(event=e, record=record) for e in events])
    sheet = one(record)
    assert len(sheet.trainings) == 500
    ws = workbook(sheet)
    head = row_of(ws, "培训方式")
    contents = [ws.cell(head + i, 7).value for i in range(1, 501)]
    assert len(set(contents)) == 500 and all(c.startswith("学习强国专题学习第") for c in contents)
    assert ws.cell(head + 501, 1).value == "结对帮扶情况"
    assert ws.cell(head, 1).alignment.vertical == "top"  # the title at the top of a block of many pages
    assert f"A{head}:A{head + 500}" in {str(r) for r in ws.merged_cells.ranges}
    if shutil.which("pdftotext"):
        pdf = rs.sheets_pdf([sheet], reveal=False)
        assert pdf_pages(pdf, tmp_path) >= 5
        text = pdf_text(pdf, tmp_path)
        assert "学习强国专题学习第500讲" in text and in_order("年度考核结果", text)
        save_png(pdf, tmp_path, "record_sheet_500_trainings", 1, 2)


# --- pdf -----------------------------------------------------------------------------------------------------------


@needs_poppler
def test_pdf_has_the_form_text_in_an_embedded_cjk_font(rich, tmp_path):
    sheet = one(rich)
    pdf = rs.sheets_pdf([sheet], reveal=False)
    text = pdf_text(pdf, tmp_path)
    for label in [
        "村级后备干部日常管理纪实表", "青竹街道", "兰沟村", "2026年度", "姓名", "李兰", "出生年月", "1990.01",
        "熟悉专业", "有何专长", "电子商务、乡村旅游策划", "毕业院校", "及专业", "身份证号", "电话号码", "138****8000",
        "培训方式", "培训时间", "培训天数", "培训内容", "乡村振兴政策理论", "2026.03.01—03.05",
        "帮扶时间", "帮扶责任人", "第一季度", "谈心谈话，讲解村务", "进步明显", "具体内容", "主要表现",
        "到街道党建办跟班学习", "发展潜力：有干劲", "经验不足",
        "优秀",
    ]:  # fmt: skip
        assert label in text, label
    # written down the left, one character a line, between the rows of the block
    for title in (
        "参加培训情况",
        "结对帮扶情况",
        "参加实践锻炼情况",
        "村（社区）评定意见",
        "乡镇评定意见",
        "年度考核结果",
    ):
        assert in_order(title, text), title
    assert rich.person.id_number not in text
    assert rich.person.id_number in pdf_text(rs.sheets_pdf([sheet], reveal=True), tmp_path, "full.pdf")
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=False, text=False).stdout
    if not out:  # older poppler reads only files
        path = tmp_path / "fonts.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout
    rows = [line.split() for line in out.decode().splitlines()[2:]]
    cjk = [row for row in rows if "CJK" in row[0]]
    assert cjk and all(row[-5] == "yes" for row in cjk)  # the "emb" column
    pages = save_png(pdf, tmp_path, "record_sheet", 1, 2)
    assert pages and pages[0].stat().st_size > 1000


@needs_poppler
def test_markup_in_free_text_is_printed_as_text_and_reads_no_file(rich, tmp_path, monkeypatch):
    from notices.pdf import LocalFilesFetcher

    asked = []
    original = LocalFilesFetcher.fetch

    def fetch(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(LocalFilesFetcher, "fetch", fetch)
    pdf = rs.sheets_pdf([one(rich)], reveal=False)
    text = pdf_text(pdf, tmp_path)
    assert text.count('<imgsrc="file:///etc/passwd">') == 2  # mentoring content and practice performance
    assert len(asked) == 1 and asked[0].endswith(".png") and "/media/photos/" in asked[0]  # only the photo


@needs_poppler
def test_pdf_without_a_photo_file_draws_the_photo_box(rich, media, tmp_path):
    sheet = one(rich)
    (media / sheet.photo).unlink()
    text = pdf_text(rs.sheets_pdf([sheet], reveal=False), tmp_path)
    assert "照片" in text and "李兰" in text


def page_texts(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "paged.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    return ["".join(page.split()) for page in out.decode("utf-8").split("\f")[:-1]]


@needs_poppler
@pytest.mark.parametrize("workers", [1, 2])
def test_many_sheets_in_one_pdf_each_start_a_page_and_number_their_own_pages(cast, media, tmp_path, workers):
    villages = [cast.village_a1, cast.village_a2, cast.community_a3, cast.village_b1]
    for i in range(rs.PARALLEL_FROM):
        record = make_record(make_person(villages[i % 4], name=f"人员{i:02d}"))
        give_photo(record.person)
        fill(cast, record)
    sheets = rs.collect(ReserveRecord.objects.all(), YEAR)
    pdf = rs.sheets_pdf(sheets, reveal=False, workers=workers)
    # two pages each, as the printed form (identity, training, mentoring | practice, opinions, appraisal)
    pages = page_texts(pdf, tmp_path)
    assert len(pages) == 2 * len(sheets)
    for i, sheet in enumerate(sheets):
        first, second = pages[2 * i], pages[2 * i + 1]
        assert first.startswith("附件2村级后备干部日常管理纪实表") and sheet.name in first
        # each sheet numbers its own pages, 第 1 页 共 2 页 and 第 2 页 共 2 页, beside whose sheet it is
        assert f"{sheet.village}{sheet.name}·2026年度第1页共2页" in first
        assert f"{sheet.village}{sheet.name}·2026年度第2页共2页" in second
    path = tmp_path / "images.pdf"
    path.write_bytes(pdf)
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    assert len(images.splitlines()) - 2 == len(sheets)  # every photo, in whichever process laid it out


# --- zip -----------------------------------------------------------------------------------------------------------


def test_zip_holds_one_workbook_per_person_with_unique_names(cast, people, media):
    make_record(make_person(cast.village_a1, name="李兰"))  # same name, same village
    make_record(make_person(cast.village_a1, name='=HYPERLINK("http://x/?"&A1)'))
    sheets = rs.collect(ReserveRecord.objects.filter(village=cast.village_a1), YEAR)
    data = rs.sheets_zip(sheets, reveal=False)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert sorted(names) == sorted(
            [
                "兰沟村_李兰_纪实表_2026.xlsx",
                "兰沟村_李兰_纪实表_2026(2).xlsx",
                "兰沟村_=HYPERLINK(_http_x_&A1)_纪实表_2026.xlsx",
            ]
        )
        for name in names:
            ws = load_workbook(io.BytesIO(archive.read(name))).active
            assert ws["A2"].value == "村级后备干部日常管理纪实表" and ws["B4"].data_type == "s"


def test_safe_filename():
    assert rs.safe_filename("../../etc/passwd") == "_.._etc_passwd"
    assert rs.safe_filename("a\x0bb:c") == "a_b_c"
    assert rs.safe_filename("...") == "纪实表"


@needs_poppler
def test_no_sheets_give_a_pdf_that_says_so_and_an_empty_zip(tmp_path):
    assert "所选范围内没有后备干部" in pdf_text(rs.sheets_pdf([], reveal=False), tmp_path)
    with zipfile.ZipFile(io.BytesIO(rs.sheets_zip([], reveal=False))) as archive:
        assert archive.namelist() == []
