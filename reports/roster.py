"""附件1 村级后备干部名册: the people in the pool of a unit on a date, in the template's column order, as rows of plain
values (the frozen snapshot a submission keeps), as an .xlsx and as a PDF."""

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field

import xlsxwriter
from django.db.models import Min, Q
from django.template.loader import render_to_string

from notices.naming import issuing_body, name_with_post
from org.masking import mask_id, mask_phone
from org.models import OrgUnit
from reports import cells
from reports.pdfchunks import render_document, worker_count
from reserves import choices as C
from reserves.models import MentorPairing, ReservePlacement

# (title, key, xlsx width, pdf width in mm): the order and titles of 附件1.
COLUMNS = [
    ("序号", "no", 5, 9),
    ("乡镇", "township", 12, 20),
    ("村（社区）", "village", 12, 20),
    ("姓名", "name", 9, 15),
    ("性别", "sex", 5, 8),
    ("出生年月", "birth", 9, 15),
    ("入党时间", "party_joined", 9, 15),
    ("年龄", "age", 5, 8),
    ("学历", "education", 11, 20),
    ("身份", "source", 16, 27),
    ("身份证号码", "id_number", 21, 35),
    ("联系电话", "phone", 13, 21),
    ("结对干部姓名及职务", "mentors", 26, 39),
    ("备注", "note", 14, 25),
]
HEADERS = [c[0] for c in COLUMNS]
ANNEX = "附件1"  # the line above the title, as the roster is attached to the 2017 plan
KEYS = [c[1] for c in COLUMNS]
EDUCATION = dict(C.EDUCATION_CHOICES)
SEX = dict(C.SEX_CHOICES)
SOURCE = dict(C.SOURCE_CHOICES)
# Rows per WeasyPrint document: enough chunks to keep every process busy (two per process), but each chunk embeds
# its own font subsets (about 300 KB for the CJK fonts), so no more chunks than that, and none over the cap (memory).
PDF_ROWS_PER_CHUNK = 80  # the smallest chunk
PDF_ROWS_MAX_CHUNK = 400


@dataclass
class Roster:
    unit: OrgUnit
    on: datetime.date
    rows: list[dict]  # full values; masking happens on output
    explanation: str = ""  # why the roster is empty, when it is
    source_note: str = ""  # e.g. which submissions a county roster was built from
    extra: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.unit.name}村级后备干部名册"


def _placed(unit: OrgUnit, on: datetime.date):
    """Placements in `unit`'s subtree on `on` of records in the pool that day."""
    return (
        ReservePlacement.objects.filter(start__lte=on, village__code__startswith=unit.code)
        .filter(Q(end__isnull=True) | Q(end__gt=on))
        .filter(record__entered_on__lte=on)
        .filter(Q(record__ended_on__isnull=True) | Q(record__ended_on__gt=on))
    )


def roster_rows(unit: OrgUnit, on: datetime.date, limit: int | None = None) -> list[dict]:
    """The 名册 rows of `unit`'s subtree on `on`: one per reserve record in the pool that day, by where it was placed
    that day (a later transfer or removal does not change it), ordered township → village → name; the first `limit`
    only when given. Two queries."""
    placed = (
        _placed(unit, on)
        .order_by("village__code", "record__person__name", "record_id")
        .values_list(
            "record_id",
            "village__name",
            "village__parent__name",
            "record__person__name",
            "record__person__sex",
            "record__person__birth_date",
            "record__person__party_joined",
            "record__person__education",
            "record__person__source_group",
            "record__person__source_group_other",
            "record__person__id_number",
            "record__person__phone",
            "record__note",
        )
    )
    if limit is not None:
        placed = placed[:limit]
    rows = []
    for i, (
        rid,
        village,
        township,
        name,
        sex,
        birth,
        joined,
        edu,
        source,
        other,
        id_no,
        phone,
        note,
    ) in enumerate(placed.iterator(chunk_size=2000), start=1):
        rows.append(
            {
                "record": rid,
                "no": i,
                "township": township or "",
                "village": village,
                "name": name,
                "sex": SEX.get(sex, ""),
                "birth": cells.ym(birth),
                "party_joined": cells.ym(joined),
                "age": cells.age_on(birth, on),
                "education": EDUCATION.get(edu, ""),
                "source": other if source == C.SOURCE_OTHER and other else SOURCE.get(source, ""),
                "id_number": id_no,
                "phone": phone,
                "mentors": "",
                # 备注 is the record's own note (ReserveRecord.note), not its type (issue 13).
                "note": note or "",
            }
        )
    if rows:
        mentors = defaultdict(list)
        pairings = (
            MentorPairing.objects.current(on)
            .filter(record_id__in=[row["record"] for row in rows] if limit is not None else placed.values("record_id"))
            .order_by("record_id", "start", "id")
            .values_list("record_id", "mentor_name", "mentor_user__display_name", "mentor_user__username", "post")
        )
        for rid, name, user_name, username, post in pairings.iterator(chunk_size=2000):
            mentors[rid].append(name_with_post(name or user_name or username, post))
        for row in rows:
            row["mentors"] = "；".join(mentors.get(row["record"], []))
    return rows


def explain_empty(unit: OrgUnit, on: datetime.date) -> str:
    """Why a roster has no rows: the date lies before anything was recorded for the unit, or no one was in the pool."""
    first = ReservePlacement.objects.filter(village__code__startswith=unit.code).aggregate(first=Min("start"))["first"]
    if first is None:
        return f"{unit.name}在系统中还没有任何后备干部记录。"
    if on < first:
        first_text = cells.cn_date(first)
        return f"{cells.cn_date(on)}早于{unit.name}在系统中的第一条记录（{first_text}），该日期无在库后备干部。"
    return f"{cells.cn_date(on)}{unit.name}无在库后备干部。"


def roster_preview(unit: OrgUnit, on: datetime.date, limit: int) -> tuple[Roster, int]:
    """The first `limit` rows and how many there are in all (the page shows a few; the files have them all)."""
    rows = roster_rows(unit, on, limit=limit)
    total = _placed(unit, on).count() if len(rows) == limit else len(rows)
    return Roster(unit=unit, on=on, rows=rows, explanation="" if rows else explain_empty(unit, on)), total


def build_roster(unit: OrgUnit, on: datetime.date) -> Roster:
    rows = roster_rows(unit, on)
    return Roster(unit=unit, on=on, rows=rows, explanation="" if rows else explain_empty(unit, on))


def output_rows(rows: list[dict], *, reveal: bool) -> list[list]:
    """Rows as the cells printed, in column order; ID numbers and phones masked unless `reveal`."""
    out = []
    for row in rows:
        values = dict(row)
        if not reveal:
            values["id_number"] = mask_id(values["id_number"])
            values["phone"] = mask_phone(values["phone"])
        out.append([values[k] for k in KEYS])
    return out


def footer_text(roster: Roster) -> str:
    return f"{roster.unit.name}　名册日期：{cells.cn_date(roster.on)}"


# --- Excel ------------------------------------------------------------------------------------------------------

HEAD_ROW = 3  # 附件1, title, subtitle above the header row (0-based rows)
BODY = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter", "text_wrap": True}
WRAP_KEYS = {"mentors", "note", "source"}
XLSX_OPTIONS = {
    "constant_memory": True,  # rows go straight to disk in order: memory stays flat for the whole city
    "in_memory": False,
    "strings_to_formulas": False,  # a name like =HYPERLINK(...) stays text
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def roster_xlsx(roster: Roster, *, reveal: bool, progress=None) -> bytes:
    """The roster as an .xlsx (XlsxWriter, about eight times faster than openpyxl for 14,000 styled rows): title
    merged over the table, the header repeated on every printed page, A4 landscape fitted to the page width, borders,
    date and unit in the footer. Every text goes in with write_string, so nothing is ever read as a formula."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, XLSX_OPTIONS)
    ws = wb.add_worksheet("名册")
    n = len(COLUMNS)
    title_fmt = wb.add_format(
        {"font_name": "黑体", "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"}
    )
    sub_fmt = wb.add_format({"font_name": "宋体", "font_size": 10, "align": "right"})
    annex_fmt = wb.add_format({"font_name": "黑体", "font_size": 11, "align": "left"})
    head_fmt = wb.add_format(BODY | {"font_name": "黑体", "bold": True, "align": "center", "bg_color": "#F2F2F2"})
    fmts = {
        (align, quoted): wb.add_format(BODY | {"align": align, "quote_prefix": quoted})
        for align in ("center", "left")
        for quoted in (False, True)
    }
    for i, (_, _, width, _) in enumerate(COLUMNS):
        ws.set_column(i, i, width)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.repeat_rows(HEAD_ROW)
    ws.center_horizontally()
    footer = cells.clean(footer_text(roster)).replace("&", "&&")[:200]
    ws.set_footer(f"&L{footer}&C第 &P 页 共 &N 页")  # notices.pdf.PAGE_NUMBER_FORMAT, in Excel's codes
    ws.freeze_panes(HEAD_ROW + 1, 0)
    ws.merge_range(0, 0, 0, n - 1, ANNEX, annex_fmt)
    ws.set_row(1, 30)
    ws.merge_range(1, 0, 1, n - 1, cells.clean(roster.title), title_fmt)
    ws.merge_range(2, 0, 2, n - 1, cells.clean(_subtitle(roster)), sub_fmt)
    ws.set_row(HEAD_ROW, 30)
    for c, title_text in enumerate(HEADERS):
        ws.write_string(HEAD_ROW, c, title_text, head_fmt)
    aligns = ["left" if key in WRAP_KEYS else "center" for key in KEYS]
    body = output_rows(roster.rows, reveal=reveal)
    step = max(len(body) // 20, 500)
    for index, values in enumerate(body):
        r = index + HEAD_ROW + 1
        for c, value in enumerate(values):
            if isinstance(value, int):
                ws.write_number(r, c, value, fmts[(aligns[c], False)])
            else:
                text = cells.clean(value)
                ws.write_string(r, c, text, fmts[(aligns[c], text.startswith(cells.FORMULA_START))])
        if progress and index and index % step == 0:
            progress(index / len(body))
    if not body:
        ws.write_string(HEAD_ROW + 1, 0, cells.clean(roster.explanation or "无在库后备干部。"), sub_fmt)
    wb.close()
    return buf.getvalue()


def _subtitle(roster: Roster) -> str:
    on, count = cells.cn_date(roster.on), len(roster.rows)
    parts = [f"填报单位：{issuing_body(roster.unit)}", f"名册日期：{on}", f"共{count}人"]
    if roster.source_note:
        parts.insert(0, roster.source_note)
    return "　".join(parts)


# --- PDF --------------------------------------------------------------------------------------------------------

PDF_TEMPLATE = "reports/pdf/roster.html"


def roster_pdf(roster: Roster, *, reveal: bool, progress=None, workers: int | None = None) -> bytes:
    """A4 landscape, the header repeated on every page, unit, date and page numbers in the footer. Large rosters are
    laid out in chunks by parallel worker processes (reports.pdfchunks)."""
    body = output_rows(roster.rows, reveal=reveal)
    name_at = KEYS.index("name")
    for values in body:
        values[name_at] = cells.pad_name(values[name_at])  # 张　三: two-character names aligned, in print only
    size = min(PDF_ROWS_MAX_CHUNK, max(PDF_ROWS_PER_CHUNK, -(-len(body) // (2 * worker_count(99, workers)))))
    chunks = [body[i : i + size] for i in range(0, len(body), size)] or [[]]
    widths = [c[3] for c in COLUMNS]
    htmls = []
    for index, rows in enumerate(chunks):
        htmls.append(
            render_to_string(
                PDF_TEMPLATE,
                {
                    "roster": roster,
                    "subtitle": _subtitle(roster),
                    "headers": HEADERS,
                    "widths": widths,
                    "rows": rows,
                    "first": index == 0,
                    "explanation": roster.explanation if not body else "",
                },
            )
        )
    return render_document(htmls, footer_left=footer_text(roster), landscape=True, progress=progress, workers=workers)
