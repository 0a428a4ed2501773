"""Excel exports (openpyxl): a title row merged over the table, a header, the rows, a total. Every text cell goes
through `text_cell`, so a value starting with = + - @ tab or CR is stored as text, never as a formula."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from lifecycle.rules import END_WORDS
from org.masking import mask_id

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def text_cell(ws, row: int, column: int, value) -> None:
    """Write a value; strings are always text (formula-injection protection: a leading = + - @ tab or CR would
    otherwise make a spreadsheet evaluate the cell)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        if value.startswith(FORMULA_LEADS):
            cell.quotePrefix = True
    else:
        cell.value = value
    cell.border = BOX
    cell.alignment = Alignment(vertical="center", wrap_text=isinstance(value, str) and len(value) > 12)


STIPEND_COLUMNS = [
    ("序号", 6),
    ("村（社区）", 14),
    ("姓名", 10),
    ("性别", 6),
    ("身份证号码", 21),
    ("入库日期", 12),
    ("县级补贴（元）", 12),
    ("乡镇补贴（元）", 12),
    ("合计（元）", 12),
    ("备注", 30),
]


def stipend_xlsx(sheet, *, reveal: bool) -> bytes:
    """The month's stipend sheet of one township. Full ID numbers only when `reveal` (the caller audits)."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{sheet.year}年{sheet.month}月"
    n_cols = len(STIPEND_COLUMNS)
    title = f"{sheet.township.name}村级后备干部补贴发放表（{sheet.year}年{sheet.month}月）"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n_cols)
    ws.cell(row=1, column=1, value=title).font = Font(size=14, bold=True)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    ws.row_dimensions[1].height = 28
    policy = f"依据：{sheet.policy}" if sheet.policy else "本县尚未设置政策"
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n_cols)
    text_cell(
        ws, 2, 1, f"{policy}；县级补贴每人每月{sheet.county_amount}元，乡镇补贴每人每月{sheet.township_amount}元。"
    )
    for i, (label, width) in enumerate(STIPEND_COLUMNS, start=1):
        text_cell(ws, 3, i, label)
        ws.cell(row=3, column=i).font = Font(bold=True)
        ws.cell(row=3, column=i).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = width
    row = 4
    for i, p in enumerate(sheet.lines, start=1):
        record, person = p.record, p.record.person
        note = ""
        if record.ended_on is not None:
            note = f"{record.ended_on:%Y年%m月%d日}{END_WORDS.get(record.status, '出库')}，下月起停发"
        values = [
            i,
            p.village.name,
            person.name,
            person.get_sex_display(),
            person.id_number if reveal else mask_id(person.id_number),
            f"{record.entered_on:%Y.%m.%d}",
            sheet.county_amount,
            sheet.township_amount,
            sheet.per_person,
            note,
        ]
        for col, value in enumerate(values, start=1):
            text_cell(ws, row, col, value)
        row += 1
    totals = sheet.totals
    text_cell(ws, row, 1, "合计")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
    text_cell(ws, row, 7, totals["county"])
    text_cell(ws, row, 8, totals["township"])
    text_cell(ws, row, 9, totals["all"])
    text_cell(ws, row, 10, f"{totals['n']}人")
    for col in range(1, n_cols + 1):
        ws.cell(row=row, column=col).font = Font(bold=True)
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
