"""The file itself: what is not a plain .xlsx workbook is refused with a Chinese message before anything is stored,
bombs are refused quickly in bounded memory, and the cells are read as typed (never a formula's result, never a hidden
sheet, never an ID number that Excel turned into a number)."""

import datetime
import io
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from imports import parser
from imports.parser import ImportFileError, Problem, parse
from tests.imports.helpers import HEADERS, new_id, row, xlsx

ROOT = Path(__file__).resolve().parents[2]


def refused(data: bytes, name="导入.xlsx") -> str:
    with pytest.raises(ImportFileError) as info:
        parse(data, name)
    return info.value.message


def rewrite(data: bytes, replace: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> bytes:
    """The same workbook with some parts replaced (None drops a part) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    dst.writestr(info.filename, replace[info.filename])
            else:
                dst.writestr(info, src.read(info.filename))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def test_openpyxl_parses_through_defusedxml():
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True
    assert functions.fromstring.__module__.startswith("defusedxml")
    assert functions.iterparse.__module__.startswith("defusedxml")


def test_the_deploy_check_fails_without_defusedxml(monkeypatch):
    from imports.apps import defusedxml_check

    assert defusedxml_check(None) == []
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    assert [e.id for e in defusedxml_check(None)] == ["imports.E001"]
    with pytest.raises(Exception, match="defusedxml"):
        parse(xlsx([row()]))


# --- not a workbook ---------------------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    assert refused(b"") == "文件是空的（0字节），请选择填好的Excel文件。"


def test_a_csv_renamed_xlsx_is_refused():
    data = "姓名,身份证号码\n张三,11010519491231002X\n".encode()
    assert (
        refused(data)
        == "文件实际是CSV（文本）文件，只是扩展名写成了.xlsx；请用Excel打开后“另存为”Excel工作簿（.xlsx）再上传。"
    )
    assert "CSV" in refused("姓名,身份证号码\n张三,1\n".encode("gb18030"))


def test_an_html_table_renamed_xlsx_is_refused():
    data = b"<html><head><meta charset='utf-8'></head><body><table><tr><td>x</td></tr></table></body></html>"
    assert "网页（HTML）文件" in refused(data)


def test_random_bytes_are_not_a_workbook():
    assert (
        refused(bytes(range(256)) * 4) == "文件不是Excel工作簿（.xlsx），请使用导入模板或从Excel另存为.xlsx后再上传。"
    )


def test_a_zip_that_is_not_a_workbook_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
        zf.writestr("[Content_Types].xml", "<Types/>")
    assert "文件不是Excel工作簿" in refused(buf.getvalue())


def test_a_truncated_workbook_is_refused():
    data = xlsx([row()])
    assert "文件已损坏" in refused(data[: len(data) // 2])


def test_a_password_protected_workbook_is_an_ole2_file_and_refused():
    # Excel saves an encrypted .xlsx as a Compound File holding the streams EncryptionInfo and EncryptedPackage.
    header = parser.OLE2_MAGIC + b"\x00" * 504
    directory = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50 + "EncryptedPackage".encode("utf-16-le")
    assert refused(header + directory + b"\x00" * 1024) == "工作簿设置了密码，请取消密码后再上传。"


def test_an_old_xls_file_is_told_apart_from_a_password():
    data = parser.OLE2_MAGIC + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 1024
    assert "旧版Excel（.xls）" in refused(data, "名册.xls")


def test_a_macro_workbook_is_refused_by_its_vba_part():
    data = rewrite(xlsx([row()]), {}, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    assert "含有宏（.xlsm）" in refused(data, "导入.xlsm")


def test_a_macro_workbook_is_refused_by_its_content_type():
    data = xlsx([row()])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        types = zf.read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert b"macroEnabled" in types
    assert "含有宏（.xlsm）" in refused(rewrite(data, {"[Content_Types].xml": types}), "a.xlsx")


def test_a_binary_workbook_is_refused():
    data = rewrite(xlsx([row()]), {}, add={"xl/workbook.bin": b"\x00"})
    assert ".xlsb" in refused(data)


def test_a_file_over_the_size_limit_is_refused():
    assert "超过10MB" in refused(b"PK\x03\x04" + b"\x00" * parser.MAX_UPLOAD_BYTES)


# --- bombs ----------------------------------------------------------------------------------------------------------

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "\n".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "\n]>\n"
)


SST = (
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    "<si><t>{}</t></si></sst>"
)


def with_shared_strings(data: bytes, sst: str, prolog: str = "") -> bytes:
    """The workbook as Excel saves it: 姓名 of the first row as shared string 0 (openpyxl writes inline strings)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        types = zf.read("[Content_Types].xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    types = types.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdSS" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    sheet = sheet.replace('<c r="B2" t="inlineStr"><is><t>王新</t></is></c>', '<c r="B2" t="s"><v>0</v></c>')
    return rewrite(
        data,
        {
            "[Content_Types].xml": types.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "xl/worksheets/sheet1.xml": sheet.encode(),
        },
        add={"xl/sharedStrings.xml": (prolog + sst).encode()},
    )


def test_shared_strings_as_excel_writes_them_are_read():
    sheet = parse(with_shared_strings(xlsx([row()]), SST.format("共享的名字")))
    assert dict(zip(sheet.headers, sheet.rows[0][1], strict=True))["姓名"] == "共享的名字"


def billion_laughs(part: str) -> bytes:
    data = xlsx([row()])
    if part == "xl/sharedStrings.xml":
        return with_shared_strings(data, SST.format("&lol9;"), LAUGHS)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        original = zf.read(part).decode()
    body = original.split("?>", 1)[1] if original.startswith("<?xml") else original
    if part.startswith("xl/worksheets/"):
        body = body.replace("<t>王新</t>", "<t>&lol9;</t>")
    return rewrite(data, {part: (LAUGHS + body).encode()})


def zip_bomb(megabytes: int, part="xl/worksheets/sheet1.xml") -> bytes:
    """A workbook whose sheet inflates to `megabytes` of spaces (a few hundred kilobytes compressed)."""
    data = xlsx([row()])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info.filename, src.read(info.filename))
        with dst.open(part, "w") as f:
            f.write(src.read(part)[:-12])  # ...</worksheet> cut; the padding never gets parsed anyway
            chunk = b" " * (1024 * 1024)
            for _ in range(megabytes):
                f.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_over_the_size_cap_is_refused():
    data = zip_bomb(60)
    assert len(data) < 1024 * 1024
    started = time.perf_counter()
    assert "疑似“压缩炸弹”" in refused(data)
    assert time.perf_counter() - started < 1


def test_a_zip_bomb_under_the_size_cap_is_refused_by_its_ratio():
    data = zip_bomb(20)
    assert "压缩比例异常" in refused(data)


def lying_sizes(data: bytes, part: str, declared: int) -> bytes:
    """Patch the zip directory so `part` claims to inflate to `declared` bytes (its data still inflates further)."""
    buf = bytearray(data)
    name = part.encode()
    at = buf.find(b"PK\x01\x02" + b"\x00" * 0)
    while at != -1:
        name_len = struct.unpack_from("<H", buf, at + 28)[0]
        if bytes(buf[at + 46 : at + 46 + name_len]) == name:
            struct.pack_into("<I", buf, at + 24, declared)
            local = struct.unpack_from("<I", buf, at + 42)[0]
            struct.pack_into("<I", buf, local + 22, declared)
        at = buf.find(b"PK\x01\x02", at + 4)
    return bytes(buf)


def test_a_zip_whose_directory_understates_a_part_never_inflates_past_it():
    # zipfile stops at the declared size (and then fails the CRC): the check on declared sizes bounds memory.
    data = lying_sizes(zip_bomb(60), "xl/worksheets/sheet1.xml", 4096)
    started = time.perf_counter()
    message = refused(data)
    assert time.perf_counter() - started < 2
    assert "无法" in message or "损坏" in message


MEMORY_PROBE = textwrap.dedent(
    """
    import resource, sys, time
    from imports.parser import ImportFileError, parse
    data = open(sys.argv[1], "rb").read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        parse(data)
        outcome = "parsed"
    except ImportFileError as exc:
        outcome = exc.message
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"{time.perf_counter() - started:.3f} {grown:.1f} {outcome}")
    """
)


@pytest.mark.parametrize("kind", ["laughs", "zip", "lying"])
def test_bombs_are_refused_in_bounded_memory(tmp_path, kind):
    data = {
        "laughs": lambda: billion_laughs("xl/sharedStrings.xml"),
        "zip": lambda: zip_bomb(60),
        "lying": lambda: lying_sizes(zip_bomb(60), "xl/worksheets/sheet1.xml", 4096),
    }[kind]()
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split(" ", 2)
    seconds, grown_mb, outcome = float(out[0]), float(out[1]), out[2]
    assert outcome != "parsed"
    assert seconds < 2, outcome
    assert grown_mb < 30, (grown_mb, outcome)


# --- limits --------------------------------------------------------------------------------------------------------


def test_headers_only_is_refused():
    assert refused(xlsx([], HEADERS)) == "工作表“后备干部信息”只有表头（第1行），没有数据行。"


def test_an_empty_sheet_is_refused():
    wb = Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    assert refused(buf.getvalue()) == "工作表“Sheet”是空的，没有任何内容。"


def test_a_sheet_without_the_headers_is_refused():
    message = refused(xlsx([{"名字": "张三", "号码": "1"}]))
    assert "没有找到表头" in message and "“姓名”和“身份证号码”" in message


def test_a_column_twice_is_refused():
    data = xlsx([{"姓名": "张三"}], ["姓名", "身份证号码", "身份证号"])
    assert refused(data) == "表头中“身份证号码”出现了两次（第B列和第C列），请删去一列。"


def test_twenty_thousand_rows_get_a_clear_limit_quickly():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("后备干部信息")
    ws.append(HEADERS)
    for i in range(20_000):
        ws.append(["兰沟村", f"人{i}", f"51142519900101{i % 10000:04d}", "群众", "", "高中", "村民小组长", ""])
    buf = io.BytesIO()
    wb.save(buf)
    started = time.perf_counter()
    assert refused(buf.getvalue()) == "文件的数据超过5000行，请分成几个文件导入（每个文件不超过5000行）。"
    assert time.perf_counter() - started < 5


def test_blank_lines_between_rows_are_skipped_and_lines_kept():
    data = xlsx([row(name="甲"), {}, {}, row(name="乙")], HEADERS)
    sheet = parse(data)
    assert [line for line, _ in sheet.rows] == [2, 5]


def test_a_wrong_dimension_does_not_cut_rows_off():
    data = xlsx([row(name="甲"), row(name="乙"), row(name="丙")], HEADERS)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet1.xml")
    import re

    sheet_xml = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:B2"', sheet_xml)
    assert len(parse(rewrite(data, {"xl/worksheets/sheet1.xml": sheet_xml})).rows) == 3


def test_the_header_row_is_found_under_a_title_as_in_the_roster():
    sheet = parse(xlsx([row()], HEADERS, title="青神县村级后备干部名册"))
    assert sheet.header_line == 2 and [line for line, _ in sheet.rows] == [3]


def test_unknown_and_ignored_columns_are_listed():
    sheet = parse(xlsx([row() | {"序号": 1, "年龄": 30, "爱好": "读书"}], [*HEADERS, "序号", "年龄", "爱好"]))
    assert "序号" not in sheet.headers and "年龄" not in sheet.headers
    assert "以下列不导入：“序号”、“年龄”、“爱好”。" in sheet.notes


def test_headers_match_with_stars_spaces_and_full_width_brackets():
    data = xlsx([{"*姓 名": "张三", "身份证号码*": "x", "村(社区)": "兰沟村", "学历（下拉选择）": "大专"}])
    assert parse(data).headers == ["姓名", "身份证号码", "村（社区）", "学历"]


# --- cells ------------------------------------------------------------------------------------------------------------


def cells_of(data: bytes) -> list[dict]:
    sheet = parse(data)
    return [dict(zip(sheet.headers, values, strict=True)) for _, values in sheet.rows]


def test_an_id_number_stored_as_a_number_is_a_problem_on_that_cell():
    got = cells_of(xlsx([row(id_number=110105194912310000), row(id_number=1.10105e17)], HEADERS))
    for values in got:
        assert values["身份证号码"] == Problem("身份证号被Excel存成了数字，请把该列设为文本后重新填写")


def test_formula_cells_are_never_evaluated():
    def prepare(wb, ws):
        ws["C2"] = "=1+1"
        ws["B2"] = '=HYPERLINK("http://x.example","张三")'

    (values,) = cells_of(xlsx([row()], HEADERS, prepare=prepare))
    assert isinstance(values["身份证号码"], Problem) and "公式（=1+1）" in values["身份证号码"].message
    assert isinstance(values["姓名"], Problem) and "公式不会被计算" in values["姓名"].message


def test_formula_like_text_stays_text():
    def prepare(wb, ws):
        ws["B2"].value = '=HYPERLINK("http://x.example","张三")'
        ws["B2"].data_type = "s"  # typed with a leading apostrophe in Excel

    (values,) = cells_of(xlsx([row()], HEADERS, prepare=prepare))
    assert values["姓名"] == '=HYPERLINK("http://x.example","张三")'


def test_error_values_are_problems():
    def prepare(wb, ws):
        ws["F2"].value = "#N/A"
        ws["F2"].data_type = "e"

    (values,) = cells_of(xlsx([row()], HEADERS, prepare=prepare))
    assert values["学历"] == Problem("单元格是错误值（#N/A），请改为实际内容。")


def test_dates_and_numbers_in_year_month_columns():
    rows = [
        row(入党时间=datetime.datetime(2015, 7, 1)),
        row(入党时间=201507),
        row(入党时间=2015.07),
        row(入党时间=2015.1),
        row(入党时间=2015.11),
    ]
    got = [v["入党时间"] for v in cells_of(xlsx(rows, HEADERS))]
    assert got[:3] == ["2015.07", "201507", "2015.07"]
    assert got[3] == Problem("“2015.1”被Excel存成了数字，分不清是1月还是10月；请把该列设为文本后填写2015.01或2015.10。")
    assert got[4] == "2015.11"


def test_a_two_decimal_number_format_settles_the_month():
    def prepare(wb, ws):
        ws["E2"].number_format = "0.00"

    (values,) = cells_of(xlsx([row(入党时间=2015.1)], HEADERS, prepare=prepare))
    assert values["入党时间"] == "2015.10"


def test_phone_numbers_stored_as_numbers_are_read_as_digits():
    (values,) = cells_of(xlsx([row(联系电话=13800138000)], HEADERS))
    assert values["联系电话"] == "13800138000"


def test_merged_cells_fill_the_rows_they_span():
    def prepare(wb, ws):
        ws.merge_cells("A2:A4")

    rows = [row(name="甲"), row(name="乙", village=None), row(name="丙", village=None)]
    sheet = parse(xlsx(rows, HEADERS, prepare=prepare))
    assert [dict(zip(sheet.headers, v, strict=True))["村（社区）"] for _, v in sheet.rows] == ["兰沟村"] * 3
    assert "“村（社区）”列有合并单元格（第3—4行），已把合并区域的内容用于其中每一行。" in sheet.notes


def test_a_merged_title_above_the_header_is_harmless():
    def prepare(wb, ws):
        ws.merge_cells("A1:H1")

    sheet = parse(xlsx([row()], HEADERS, title="名册", prepare=prepare))
    assert sheet.header_line == 2 and len(sheet.rows) == 1


def test_hidden_sheets_are_never_read():
    def prepare(wb, ws):
        ws.title = "数据"
        hidden = wb.create_sheet("后备干部信息", 0)
        hidden.append(HEADERS)
        hidden.append(list(row(name="隐藏的人").values()))
        hidden.sheet_state = "hidden"
        very = wb.create_sheet("另一个", 1)
        very.append(HEADERS)
        very.sheet_state = "veryHidden"
        wb.active = 2

    sheet = parse(xlsx([row(name="看得见")], HEADERS, prepare=prepare))
    assert sheet.sheet == "数据"
    assert [dict(zip(sheet.headers, v, strict=True))["姓名"] for _, v in sheet.rows] == ["看得见"]
    assert "隐藏的工作表不导入：“后备干部信息”、“另一个”。" in sheet.notes


def test_the_visible_sheet_named_like_the_template_wins_over_the_first():
    def prepare(wb, ws):
        first = wb.create_sheet("填写说明", 0)
        first.append(["说明"])

    sheet = parse(xlsx([row()], HEADERS, prepare=prepare))
    assert sheet.sheet == "后备干部信息"
    assert "未读取的其他工作表：“填写说明”（每次只导入一个工作表）。" in sheet.notes


def test_a_parsed_sheet_survives_json():
    sheet = parse(xlsx([row(id_number=110105194912310000)], HEADERS))
    again = parser.ParsedSheet.from_json(sheet.as_json())
    assert again == sheet


def test_a_template_file_round_trips_its_ids(cast):
    number = new_id()
    (values,) = cells_of(xlsx([row(id_number=number)], HEADERS))
    assert values["身份证号码"] == number
