"""The import template (.xlsx): one sheet to fill, with drop-down lists (data validations) for 政治面貌, 学历, 身份,
后备干部类型 and the user's townships and villages; ID number, phone and date columns formatted as text so Excel
keeps what is typed; a sheet of instructions; the lists on a hidden sheet (the importer never reads hidden sheets)."""

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from imports import columns as K
from imports.parser import MAX_ROWS
from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from reserves import choices as C

LISTS_SHEET = "选项"
HELP_SHEET = "填写说明"
TEXT_KINDS = {K.ID, K.PHONE, K.YEAR_MONTH, K.DATE}


def _lists(user) -> dict[str, list[str]]:
    villages = (
        OrgUnit.objects.filter(level=roles.VILLAGE, valid_to__isnull=True)
        .filter(get_scope(user).q(roles.EDIT_PEOPLE, "code"))
        .select_related("parent")
        .order_by("code")
    )
    village_names, township_names = [], []
    for village in villages:
        if village.name not in village_names:
            village_names.append(village.name)
        if village.parent_id and village.parent.name not in township_names:
            township_names.append(village.parent.name)
    return {
        "political_status": [label for _, label in C.POLITICAL_CHOICES],
        "education": [label for _, label in C.EDUCATION_CHOICES],
        "source_group": [label for _, label in C.SOURCE_CHOICES],
        "reserve_type": [label for _, label in C.RESERVE_TYPE_CHOICES],
        "township": township_names,
        "village": village_names,
    }


HELP = [
    "村级后备干部批量导入模板：填写说明",
    "",
    "1. 在“后备干部信息”工作表中每行填写一人，不要修改表头，不要合并单元格，不要使用公式。",
    "2. 红色表头为新增人员的必填项；更新已有人员（身份证号已在系统中）时，空白单元格不会清除系统中已有的内容。",
    "3. 身份证号码、联系电话和日期列已设为“文本”格式，请保持；如从其他表格粘贴，请用“选择性粘贴—数值”。",
    "   身份证号码被Excel存成数字（显示为1.10105E+17）时后几位已经丢失，须重新录入。",
    "4. 性别和出生日期由身份证号码自动得出，无须填写。",
    "5. 年月写作1990.01（也可写作1990年1月、1990-01、1990/1、199001）；入库日期写完整日期，如2020.03.01。",
    "6. 政治面貌、学历、身份、后备干部类型请从下拉列表中选择；身份不在列表中时选“其他”，并在“其他身份说明”列写明。",
    "7. 村（社区）须是本次导入范围内的村（社区）；如有同名的村，请在“乡镇”列注明所属乡镇。",
    f"8. 每个文件最多{MAX_ROWS}行。上传后先预览：每行显示“新增”“更新”或“错误”及原因；确认后才写入，"
    "并且要么全部写入，要么一行也不写入。",
    "9. 也可以直接上传名册（附件1）格式的表格：按表头名称识别各列，“序号”“年龄”“结对干部姓名及职务”列不导入；"
    "“性别”“出生年月”须与身份证号码一致；“备注”中写明的后备干部类型会被采用。",
    "",
    "各列说明：",
]


def template_xlsx(user) -> bytes:
    lists = _lists(user)
    wb = Workbook()
    ws = wb.active
    ws.title = K.SHEET_NAME
    head_font = Font(name="黑体", bold=True)
    required_font = Font(name="黑体", bold=True, color="C00000")
    fill = PatternFill("solid", fgColor="DDEBF7")
    last_row = MAX_ROWS + 1
    for index, column in enumerate(K.TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font = required_font if column.required else head_font
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if column.note:
            cell.comment = Comment(column.note, "导入模板")
        dimension = ws.column_dimensions[letter]
        dimension.width = column.width + 2
        if column.kind in TEXT_KINDS:
            dimension.number_format = "@"  # typed IDs and 1990.01 stay text
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 28

    options = wb.create_sheet(LISTS_SHEET)
    for index, (key, values) in enumerate(lists.items(), start=1):
        options.cell(row=1, column=index, value=K.BY_KEY[key].header)
        for row, value in enumerate(values, start=2):
            options.cell(row=row, column=index, value=value)  # our own labels: never formula-like
        if not values:
            continue
        letter = get_column_letter(index)
        source = f"={quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
        target = get_column_letter(next(i for i, c in enumerate(K.TEMPLATE_COLUMNS, 1) if c.key == key))
        strict = key not in ("village", "township")  # a place list may lag behind the org tree: warn only
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if strict else "warning",
            errorTitle="请从列表中选择",
            error=f"“{K.BY_KEY[key].header}”请从下拉列表中选择。",
            promptTitle=K.BY_KEY[key].header,
            prompt="请从下拉列表中选择",
            showInputMessage=True,
        )
        validation.add(f"{target}2:{target}{last_row}")
        ws.add_data_validation(validation)
    options.sheet_state = "hidden"

    help_ws = wb.create_sheet(HELP_SHEET, 1)
    for row, text in enumerate(HELP, start=1):
        help_ws.cell(row=row, column=1, value=text)
    help_ws["A1"].font = Font(name="黑体", bold=True, size=14)
    row = len(HELP) + 1
    for column in K.TEMPLATE_COLUMNS:
        help_ws.cell(row=row, column=1, value=f"{column.header}{'（必填）' if column.required else ''}")
        help_ws.cell(row=row, column=2, value=column.note or "")
        row += 1
    help_ws.column_dimensions["A"].width = 24
    help_ws.column_dimensions["B"].width = 90
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
