"""附件2 村级后备干部日常管理纪实表: one sheet per reserve record and year, as .xlsx (openpyxl), as PDF (WeasyPrint)
and as a zip of workbooks.

`collect()` turns a scoped ReserveRecord queryset into plain `Sheet` values in a fixed number of queries (six, however
many records and rows); the builders never touch the database, so a background job can build from the same values.
ID number and phone are kept in full in the Sheet; each builder masks them unless `reveal` (the caller decides who may
see them and audits the export)."""

import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from urllib.parse import quote

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.drawing.image import Image as XLImage
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.units import pixels_to_EMU
from PIL import Image as PILImage
from pypdf import PdfReader

from assessment.models import APPRAISAL_LABELS, QUARTER_LABELS, AnnualAppraisal, QuarterReview
from mentoring.selectors import quarter_rows_many
from notices.naming import name_with_post
from notices.pdf import MEDIA_PREFIX, anchor_pages, html_to_pdf, stamp_pages
from org.audit import audit
from org.masking import mask_id, mask_phone
from reports.cells import clean, set_text, ym
from reports.pdfchunks import render_chunks, worker_count
from reserves.models import Person, ReserveRecord
from training.selectors import practice_by_record, trainings_by_record

TITLE = "村级后备干部日常管理纪实表"
ANNEX = "附件2"  # the line above the title, as the form is attached to the 2017 plan
PDF_TEMPLATE = "reports/pdf/record_sheet.html"
AUDIT_ACTION = "report.record_sheet"  # label 导出纪实表
# The printed form (附件2) leaves this many empty rows in its open-ended sections: five under 培训方式.
MIN_TRAINING_ROWS = 5
MIN_PRACTICE_ROWS = 8


# --- values --------------------------------------------------------------------------------------------------------


@dataclass
class TrainingLine:
    form: str  # 培训方式
    period: str  # 培训时间 2026.03.01—03.05
    days: str  # 培训天数
    content: str  # 培训内容


@dataclass
class MentoringLine:
    label: str  # 第一季度 …
    date: str  # 帮扶时间
    mentor: str  # 帮扶责任人 "姓名 职务"
    content: str  # 帮扶内容
    assessment: str  # 评定意见


@dataclass
class PracticeLine:
    content: str  # 具体内容 (with its period)
    performance: str  # 主要表现
    assessment: str  # 评定意见


@dataclass
class Sheet:
    """One person's 纪实表 for one year, as plain strings (cleaned of the control characters a file cannot hold)."""

    record_id: int
    person_id: int
    year: int
    township: str
    village: str
    reserve_type: str
    name: str
    sex: str
    birth: str
    ethnicity: str
    native_place: str
    birthplace: str
    party_joined: str
    work_started: str
    health: str
    occupation: str
    specialty: str
    education: str
    school_major: str
    id_number: str
    phone: str
    photo: str  # storage name of the photo ("" when none)
    trainings: list[TrainingLine] = field(default_factory=list)
    mentoring: list[MentoringLine] = field(default_factory=list)  # always the four quarters
    practice: list[PracticeLine] = field(default_factory=list)
    village_opinions: list[str] = field(default_factory=lambda: [""] * 4)
    township_opinions: list[str] = field(default_factory=lambda: [""] * 4)
    appraisal: str = ""

    def id_text(self, reveal: bool) -> str:
        return self.id_number if reveal else mask_id(self.id_number)

    def phone_text(self, reveal: bool) -> str:
        return self.phone if reveal else mask_phone(self.phone)

    @property
    def training_rows(self) -> list:
        """The training lines padded with empty rows to the printed form's minimum."""
        return self.trainings + [None] * max(0, MIN_TRAINING_ROWS - len(self.trainings))

    @property
    def practice_rows(self) -> list:
        return self.practice + [None] * max(0, MIN_PRACTICE_ROWS - len(self.practice))

    @property
    def opinion_quarters(self) -> list[tuple[str, str, str]]:
        return [(QUARTER_LABELS[q], self.village_opinions[q - 1], self.township_opinions[q - 1]) for q in range(1, 5)]

    @property
    def file_stem(self) -> str:
        return safe_filename(f"{self.village}_{self.name}_纪实表_{self.year}")


def collect(records, year: int) -> list[Sheet]:
    """One Sheet per record of the (already scoped) queryset, ordered township → village → name, with the trainings
    ending in `year`, the mentoring entries of its four quarters, the practice overlapping it, the quarter opinions
    and the annual appraisal. Six queries whatever the number of records and rows."""
    rows = records.select_related("person", "village__parent").order_by("village__code", "person__name", "pk")
    seen, ordered = set(), []
    for record in rows:
        if record.pk not in seen:  # a caller's join (placements) may repeat a record
            seen.add(record.pk)
            ordered.append(record)
    if not ordered:
        return []
    ids = [r.pk for r in ordered]
    trainings = trainings_by_record(ids, year)
    practice = practice_by_record(ids, year)
    quarters = quarter_rows_many(ids, year)
    reviews = {(r.record_id, r.quarter): r for r in QuarterReview.objects.filter(record_id__in=ids, year=year)}
    appraisals = dict(AnnualAppraisal.objects.filter(record_id__in=ids, year=year).values_list("record_id", "result"))
    return [
        _sheet(r, year, trainings.get(r.pk, []), practice.get(r.pk, []), quarters[r.pk], reviews, appraisals)
        for r in ordered
    ]


def _sheet(record, year, trainings, practice, quarters, reviews, appraisals) -> Sheet:
    p: Person = record.person
    village = record.village
    opinions = {side: [] for side in ("village", "township")}
    for q in range(1, 5):
        review = reviews.get((record.pk, q))
        for side, texts in opinions.items():
            texts.append(clean(review.opinion_text(side)) if review else "")
    return Sheet(
        record_id=record.pk,
        person_id=p.pk,
        year=year,
        township=clean(village.parent.name if village.parent_id else ""),
        village=clean(village.name),
        reserve_type=record.get_reserve_type_display(),
        name=clean(p.name),
        sex=p.get_sex_display(),
        birth=ym(p.birth_date),
        ethnicity=clean(p.ethnicity),
        native_place=clean(p.native_place),
        birthplace=clean(p.birthplace),
        party_joined=ym(p.party_joined),
        work_started=ym(p.work_started),
        health=clean(p.health),
        occupation=clean(p.occupation),
        specialty=clean(p.specialty),
        education=p.get_education_display(),
        school_major=clean(p.school_major),
        id_number=clean(p.id_number),
        phone=clean(p.phone),
        photo=p.photo.name or "",
        trainings=[TrainingLine(t.form_label, t.period, t.days_text, clean(t.content)) for t in trainings],
        mentoring=[
            MentoringLine(q.label, q.date_text, clean(_mentors(q)), clean(q.content_text), clean(q.assessment_text))
            for q in quarters
        ],
        practice=[
            PracticeLine(f"{clean(a.content)}（{a.period}）", clean(a.performance), clean(a.assessment))
            for a in practice
        ],
        village_opinions=opinions["village"],
        township_opinions=opinions["township"],
        appraisal=APPRAISAL_LABELS.get(appraisals.get(record.pk), ""),
    )


def _mentors(quarter) -> str:
    """帮扶责任人 "姓名 职务" of the quarter's entries, the post left out where the name already holds it."""
    return "；".join(name_with_post(e.pairing.display_name, e.pairing.post) for e in quarter.entries)


# --- file names and photos -----------------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_filename(stem: str) -> str:
    """A file name without path separators, reserved or control characters (a person's name is user input)."""
    name = _UNSAFE_NAME.sub("_", stem).strip(" .")
    return name[:120] or "纪实表"


def _photo_storage():
    return Person._meta.get_field("photo").storage


def photo_exists(name: str) -> bool:
    if not name:
        return False
    try:
        return _photo_storage().exists(name)
    except Exception:  # noqa: BLE001 - a bad stored name (e.g. escaping the folder) is simply no photo
        return False


def _photo_png(name: str, max_px=(240, 320)) -> tuple[bytes, int, int] | None:
    """The photo scaled down (a phone picture would make every workbook megabytes) as PNG bytes with its size, or
    None when the file is missing or not a readable image."""
    if not photo_exists(name):
        return None
    try:
        with _photo_storage().open(name, "rb") as handle, PILImage.open(handle) as image:
            image = image.convert("RGB")
            image.thumbnail(max_px)
            out = io.BytesIO()
            image.save(out, "PNG")
            return out.getvalue(), image.width, image.height
    except Exception:  # noqa: BLE001 - a broken upload must not stop the export; the box says 照片 instead
        return None


# --- xlsx ----------------------------------------------------------------------------------------------------------

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = "宋体"
BODY = Font(name=FONT, size=11)
# Nine columns: A holds the labels (the section titles written vertically), B–I the values.
WIDTHS = [7, 10, 10, 10.5, 10, 10, 10, 10, 10]
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
VERTICAL = Alignment(horizontal="center", vertical="center", wrap_text=True, textRotation=255)
VERTICAL_TOP = Alignment(horizontal="center", vertical="top", wrap_text=True, textRotation=255)
LINE_PT = 14.5  # one line of 11 pt 宋体
ROW_PT = 24  # the printed form's row height


def _text_width(text: str) -> int:
    """Width in column units: a CJK (wide) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines(text: str, width_units: float) -> int:
    usable = max(1.0, width_units - 1)
    return sum(max(1, math.ceil(_text_width(part) / usable)) for part in (text or "").split("\n"))


class _Writer:
    def __init__(self, ws):
        self.ws = ws
        self.heights: dict[int, float] = {}

    def cell(self, row, col, value, *, end_col=None, end_row=None, align=LEFT, font=BODY):
        """Write a (merged) box with a full border; its text makes the row tall enough to show it."""
        end_col, end_row = end_col or col, end_row or row
        if (end_col, end_row) != (col, row):
            self.ws.merge_cells(start_row=row, start_column=col, end_row=end_row, end_column=end_col)
        for r in range(row, end_row + 1):
            for c in range(col, end_col + 1):
                self.ws.cell(row=r, column=c).border = BOX
        target = self.ws.cell(row=row, column=col)
        set_text(target, value)
        target.alignment = align
        target.font = font
        if end_row == row:
            width = sum(WIDTHS[c - 1] for c in range(col, end_col + 1))
            need = _lines(str(target.value or ""), width) * LINE_PT + 6
            self.heights[row] = max(self.heights.get(row, ROW_PT), need)
        return target

    def label(self, row, col, text, **kw):
        return self.cell(row, col, text, align=CENTER, font=kw.pop("font", BODY), **kw)

    def section_title(self, first, last, text):
        # Stacked characters read top to bottom, as the form prints 参加培训情况; over a long block (several printed
        # pages) at its top rather than in the middle of it.
        self.cell(first, 1, text, end_row=last, align=VERTICAL if last - first <= 12 else VERTICAL_TOP)

    def finish(self):
        for row, height in self.heights.items():
            self.ws.row_dimensions[row].height = height


def _add_photo(ws, sheet: Sheet, top_row: int, first_col: int, last_col: int, box_pt: float) -> bool:
    photo = _photo_png(sheet.photo)
    if photo is None:
        return False
    data, w, h = photo
    box_w = sum(WIDTHS[c - 1] for c in range(first_col, last_col + 1)) * 7 + 5 * (last_col - first_col + 1)
    box_h = box_pt * 96 / 72
    scale = min((box_w - 10) / w, (box_h - 10) / h)
    width, height = int(w * scale), int(h * scale)
    image = XLImage(io.BytesIO(data))
    image.width, image.height = width, height
    marker = AnchorMarker(
        col=first_col - 1,
        colOff=pixels_to_EMU(int((box_w - width) / 2)),
        row=top_row - 1,
        rowOff=pixels_to_EMU(int((box_h - height) / 2)),
    )
    image.anchor = OneCellAnchor(_from=marker, ext=XDRPositiveSize2D(pixels_to_EMU(width), pixels_to_EMU(height)))
    ws.add_image(image)
    return True


def _fill_sheet(ws, sheet: Sheet, *, reveal: bool):
    ws.title = f"{sheet.year}年纪实表"
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    w = _Writer(ws)
    last = len(WIDTHS)

    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    annex = set_text(ws.cell(row=1, column=1), ANNEX)
    annex.font = Font(name="黑体", size=12)
    annex.alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[1].height = 20
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    title = set_text(ws.cell(row=2, column=1), TITLE)
    title.font = Font(name=FONT, size=18, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[2].height = 36
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=last)
    sub = set_text(ws.cell(row=3, column=1), f"{sheet.township}　{sheet.village}　　{sheet.year}年度")
    sub.font = BODY
    sub.alignment = Alignment(horizontal="right", vertical="center")
    ws.row_dimensions[3].height = 20

    # Identity block: three label/value pairs a row, the photo over five rows on the right.
    r = 4
    photo_rows = 5
    identity = [
        [("姓名", sheet.name), ("性别", sheet.sex), ("出生年月", sheet.birth)],
        [("民族", sheet.ethnicity), ("籍贯", sheet.native_place), ("出生地", sheet.birthplace)],
        [("入党时间", sheet.party_joined), ("参加工作时间", sheet.work_started), ("健康状况", sheet.health)],
    ]
    for i, pairs in enumerate(identity):
        row = r + i
        (l1, v1), (l2, v2), (l3, v3) = pairs
        w.label(row, 1, l1)
        w.cell(row, 2, v1, end_col=3, align=CENTER)
        w.label(row, 4, l2)
        w.cell(row, 5, v2, align=CENTER)
        w.label(row, 6, l3)
        w.cell(row, 7, v3, align=CENTER)
    row = r + 3
    w.label(row, 1, "从事职业")
    w.cell(row, 2, sheet.occupation, end_col=3, align=CENTER)
    w.label(row, 4, "熟悉专业有何专长")
    w.cell(row, 5, sheet.specialty, end_col=7)
    row = r + 4
    w.label(row, 1, "学历")
    w.cell(row, 2, sheet.education, end_col=3, align=CENTER)
    w.label(row, 4, "毕业院校及专业")
    w.cell(row, 5, sheet.school_major, end_col=7)
    photo_pt = 28
    for i in range(photo_rows):
        w.heights[r + i] = max(w.heights.get(r + i, ROW_PT), photo_pt)
    w.finish()  # the photo box is sized from the identity rows' final heights
    box_pt = sum(w.heights[r + i] for i in range(photo_rows))
    has_photo = _add_photo(ws, sheet, r, 8, 9, box_pt)
    box = w.cell(r, 8, "" if has_photo else "照片", end_col=9, end_row=r + photo_rows - 1, align=CENTER)
    if has_photo:
        box.value = None
    row = r + photo_rows
    w.label(row, 1, "身份证号")
    w.cell(row, 2, sheet.id_text(reveal), end_col=5, align=CENTER)
    w.label(row, 6, "电话号码")
    w.cell(row, 7, sheet.phone_text(reveal), end_col=9, align=CENTER)
    row += 1

    # 参加培训情况
    lines = sheet.training_rows
    w.section_title(row, row + len(lines), "参加培训情况")
    w.label(row, 2, "培训方式", end_col=3)
    w.label(row, 4, "培训时间", end_col=5)
    w.label(row, 6, "培训天数")
    w.label(row, 7, "培训内容", end_col=9)
    for line in lines:
        row += 1
        w.cell(row, 2, line.form if line else "", end_col=3, align=CENTER)
        w.cell(row, 4, line.period if line else "", end_col=5, align=CENTER)
        w.cell(row, 6, line.days if line else "", align=CENTER)
        w.cell(row, 7, line.content if line else "", end_col=9)
    row += 1

    # 结对帮扶情况: the four quarters
    w.section_title(row, row + 4, "结对帮扶情况")
    w.label(row, 2, "")
    w.label(row, 3, "帮扶时间")
    w.label(row, 4, "帮扶责任人")
    w.label(row, 5, "帮扶内容", end_col=7)
    w.label(row, 8, "评定意见", end_col=9)
    for m in sheet.mentoring:
        row += 1
        w.label(row, 2, m.label)
        w.cell(row, 3, m.date, align=CENTER)
        w.cell(row, 4, m.mentor, align=CENTER)
        w.cell(row, 5, m.content, end_col=7)
        w.cell(row, 8, m.assessment, end_col=9)
    row += 1

    # 参加实践锻炼情况
    lines = sheet.practice_rows
    w.section_title(row, row + len(lines), "参加实践锻炼情况")
    w.label(row, 2, "具体内容", end_col=4)
    w.label(row, 5, "主要表现", end_col=7)
    w.label(row, 8, "评定意见", end_col=9)
    for line in lines:
        row += 1
        w.cell(row, 2, line.content if line else "", end_col=4)
        w.cell(row, 5, line.performance if line else "", end_col=7)
        w.cell(row, 8, line.assessment if line else "", end_col=9)
    row += 1

    # 村（社区）评定意见 and 乡镇评定意见: a quarter header and the four opinions
    for label, texts in (("村（社区）评定意见", sheet.village_opinions), ("乡镇评定意见", sheet.township_opinions)):
        w.label(row, 1, label, end_row=row + 1)
        for q in range(4):
            w.label(row, 2 + 2 * q, QUARTER_LABELS[q + 1], end_col=3 + 2 * q)
            w.cell(row + 1, 2 + 2 * q, texts[q], end_col=3 + 2 * q)
        w.heights[row + 1] = max(w.heights.get(row + 1, ROW_PT), 48)
        row += 2

    w.label(row, 1, "年度考核结果")
    w.cell(row, 2, sheet.appraisal, end_col=9)
    w.heights[row] = max(w.heights.get(row, ROW_PT), 30)
    w.finish()

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages as the rows need
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"  # notices.pdf.PAGE_NUMBER_FORMAT, in Excel's codes
    ws.print_area = f"A1:{get_column_letter(last)}{row}"


def sheet_xlsx(sheet: Sheet, *, reveal: bool) -> bytes:
    """One workbook laid out like 附件2."""
    wb = Workbook()
    _fill_sheet(wb.active, sheet, reveal=reveal)
    wb.properties.title = f"{TITLE}（{sheet.name}，{sheet.year}年度）"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def sheets_zip(sheets: list[Sheet], *, reveal: bool) -> bytes:
    """One workbook per sheet, named <村>_<姓名>_纪实表_<年>.xlsx; people of the same name get (2), (3)…"""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in sheets:
            stem, n = sheet.file_stem, 1
            name = f"{stem}.xlsx"
            while name.lower() in used:
                n += 1
                name = f"{stem}({n}).xlsx"
            used.add(name.lower())
            archive.writestr(name, sheet_xlsx(sheet, reveal=reveal))
    return buffer.getvalue()


# --- pdf -----------------------------------------------------------------------------------------------------------


def photo_url(sheet: Sheet) -> str:
    """The URL the confined PDF fetcher serves the photo from, or "" (the template draws an empty 照片 box)."""
    return MEDIA_PREFIX + quote(sheet.photo) if photo_exists(sheet.photo) else ""


def item(sheet: Sheet, *, reveal: bool, photo_src: str) -> dict:
    """What templates/reports/record_sheet_table.html prints for one sheet."""
    return {
        "sheet": sheet,
        "id_text": sheet.id_text(reveal),
        "phone_text": sheet.phone_text(reveal),
        "photo_src": photo_src,
    }


# Below this many sheets one process is quicker than sharing the work; above it the sheets are laid out in parallel
# (reports.pdfchunks), which is nearly all of the time (~0.2 s CPU a sheet).
PARALLEL_FROM = 12


def _html(items: list[dict]) -> str:
    return render_to_string(PDF_TEMPLATE, {"items": items, "title": TITLE})


def sheets_pdf(sheets: list[Sheet], *, reveal: bool, workers: int | None = None) -> bytes:
    """One PDF, each person's sheet starting on a new page with its own page numbers. Many sheets are laid out in
    parallel chunks (`workers`, default settings.PDF_WORKERS or the number of CPUs) and joined."""
    items = [item(s, reveal=reveal, photo_src=photo_url(s)) for s in sheets]
    n = worker_count(len(items), workers) if len(items) >= PARALLEL_FROM else 1
    if n == 1:
        parts = [html_to_pdf(_html(items))]
    else:
        size = math.ceil(len(items) / n)
        # html_to_pdf: the photos come through the confined fetcher, in the forked workers as here.
        parts = render_chunks(
            [_html(items[i : i + size]) for i in range(0, len(items), size)], workers=n, render=html_to_pdf
        )
    # Each sheet's first page, from the ids the template gives them: the page numbers start again there.
    sections, offset, k = [], 0, 0
    for part in parts:
        starts = anchor_pages(part, "sheet-")
        for name in sorted(starts, key=lambda a: int(a.rsplit("-", 1)[1])):
            sections.append((offset + starts[name], footer_who(sheets[k]) if k < len(sheets) else ""))
            k += 1
        offset += len(PdfReader(io.BytesIO(part)).pages)
    return stamp_pages(parts, sections=sections, restart=True, side_mm=14)


def footer_who(sheet: Sheet) -> str:
    """The footer's left text on each page of a sheet: whose sheet it is, so loose pages find their owner."""
    return f"{sheet.township} {sheet.village} {sheet.name} · {sheet.year}年度"


# --- one person, at once -------------------------------------------------------------------------------------------


def export_record(*, actor, record, year: int, fmt: str, reveal: bool, request=None) -> tuple[bytes, Sheet]:
    """The sheet of one (scoped) record as "xlsx" or "pdf", audited: who, which record, year, format, one person,
    and whether the numbers were in full."""
    (sheet,) = collect(ReserveRecord.objects.filter(pk=record.pk), year)
    content = sheet_xlsx(sheet, reveal=reveal) if fmt == "xlsx" else sheets_pdf([sheet], reveal=reveal)
    audit(
        actor,
        AUDIT_ACTION,
        record,
        unit=record.village,
        request=request,
        changes={"year": year, "format": fmt, "people": 1, "full_id": reveal},
    )
    return content, sheet
