"""Reading an uploaded workbook safely, before any of it reaches the database.

Hand-written rather than tablib's xlsx reader (which django-import-export uses): tablib opens with data_only=True, so a
formula's cached result would be imported as if typed; it reads whichever sheet is active (hidden ones included); it
cannot tell a number from text, so an ID number rounded by Excel would arrive as digits; and it knows nothing of merged
cells. Here:

1. the bytes are sniffed: a zip with [Content_Types].xml and xl/workbook.xml, no macros (vbaProject.bin or a
   macro-enabled content type), not an OLE2 container (a password-protected workbook or an old .xls), declared
   uncompressed size and compression ratio within limits (zip bombs; zipfile never inflates past the declared size);
2. openpyxl opens it read-only with data_only=False: formulas stay formulas and are refused, never evaluated; every
   XML part goes through defusedxml (entity declarations, so billion-laughs bombs, are refused);
3. the first visible sheet is read (or the visible one named like the template); hidden sheets never;
4. the header row is found by its names; each cell becomes a string or a Problem that says in Chinese what is wrong
   with it (a number where the ID number should be text, a formula, an error value); merged cells in the data area are
   filled from their top-left cell.

The result (ParsedSheet) is plain data: the Resource (imports.resources) cleans and validates it."""

import contextlib
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

import openpyxl
from defusedxml import DefusedXmlException
from django.core.exceptions import ImproperlyConfigured
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from imports import columns as K

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # all parts together, as declared in the zip directory
MAX_RATIO = 200  # uncompressed / compressed, for parts over 1 MB
MAX_PARTS = 2000
MAX_ROWS = 5000  # data rows per file
MAX_COLUMNS = 40
MAX_MERGES = 5000
HEADER_SEARCH_LINES = 20

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NUMERIC_ID = "身份证号被Excel存成了数字，请把该列设为文本后重新填写"


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """A cell that cannot be read as what its column needs; the resource reports it on that cell."""

    message: str

    def as_json(self):
        return {"!": self.message}


def from_json(value):
    return Problem(value["!"]) if isinstance(value, dict) else value


@dataclass
class ParsedSheet:
    sheet: str
    header_line: int
    headers: list[str]  # canonical headers of the columns read, in file order
    rows: list[tuple[int, list]]  # (line in the sheet, one value per header: str or Problem)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "sheet": self.sheet,
            "header_line": self.header_line,
            "headers": self.headers,
            "rows": [
                [line, [v.as_json() if isinstance(v, Problem) else v for v in values]] for line, values in self.rows
            ],
            "notes": self.notes,
        }

    @classmethod
    def from_json(cls, data: dict) -> "ParsedSheet":
        return cls(
            sheet=data["sheet"],
            header_line=data["header_line"],
            headers=list(data["headers"]),
            rows=[(line, [from_json(v) for v in values]) for line, values in data["rows"]],
            notes=list(data.get("notes", [])),
        )


# --- 1. the bytes ---------------------------------------------------------------------------------------------------


def sniff(data: bytes, name: str = "") -> zipfile.ZipFile:
    """The upload as an open zip if it is a plain .xlsx workbook, else ImportFileError saying what it is."""
    lower = (name or "").lower()
    if not data:
        raise ImportFileError("文件是空的（0字节），请选择填好的Excel文件。")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(f"文件超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB，请分成几个文件导入。")
    if data.startswith(OLE2_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise ImportFileError("工作簿设置了密码，请取消密码后再上传。")
        raise ImportFileError("这是旧版Excel（.xls）文件，请在Excel中“另存为”Excel工作簿（.xlsx）后再上传。")
    if not data.startswith(b"PK\x03\x04"):
        raise ImportFileError(_not_a_workbook(data, lower))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        _check_parts(archive, infos)
    except ImportFileError:
        raise
    except Exception:  # noqa: BLE001 - zipfile and zlib raise many kinds on a damaged archive
        raise ImportFileError("文件已损坏，无法作为Excel工作簿打开，请重新保存后再上传。") from None
    return archive


def _check_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]):
    names = {info.filename for info in infos}
    if len(infos) > MAX_PARTS:
        raise ImportFileError("文件结构异常（包含的部件过多），已拒绝。")
    if "xl/workbook.bin" in names:
        raise ImportFileError("这是Excel二进制工作簿（.xlsb），请“另存为”Excel工作簿（.xlsx）后再上传。")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportFileError("文件不是Excel工作簿（.xlsx），请使用导入模板或从Excel另存为.xlsx后再上传。")
    if any(info.flag_bits & 0x1 for info in infos):
        raise ImportFileError("工作簿设置了密码，请取消密码后再上传。")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportFileError("文件的压缩比例异常（疑似“压缩炸弹”），已拒绝。")
    if total > MAX_UNCOMPRESSED:
        raise ImportFileError(
            f"文件解压后超过{MAX_UNCOMPRESSED // 1024 // 1024}MB（疑似“压缩炸弹”或数据过多），已拒绝；"
            f"请分成几个文件导入。"
        )
    with archive.open("[Content_Types].xml") as src:
        content_types = src.read(1024 * 1024)
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroenabled" in content_types.lower():
        raise ImportFileError(
            "文件含有宏（.xlsm），为安全起见不予接收；请“另存为”不含宏的Excel工作簿（.xlsx）后再上传。"
        )


def _not_a_workbook(data: bytes, lower_name: str) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    ext = lower_name.rsplit(".", 1)[-1] if "." in lower_name else "xlsx"
    lowered = head.lower()
    if lowered.startswith((b"<!doctype", b"<html", b"<table", b"<?xml", b"<meta")) or b"<html" in lowered:
        what = "网页（HTML）文件"
    elif _looks_like_text(head, complete=len(data) <= 4096):
        what = "CSV（文本）文件"
    else:
        return "文件不是Excel工作簿（.xlsx），请使用导入模板或从Excel另存为.xlsx后再上传。"
    return f"文件实际是{what}，只是扩展名写成了.{ext[:10]}；请用Excel打开后“另存为”Excel工作簿（.xlsx）再上传。"


def _looks_like_text(head: bytes, *, complete: bool) -> bool:
    if b"\x00" in head or not (b"," in head or b"\t" in head or b"\n" in head):
        return False
    sample = head if complete else head[:-4]  # the cut end of a longer file may split a character
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


# --- 2–4. the sheet --------------------------------------------------------------------------------------------------


def parse(data: bytes, name: str = "") -> ParsedSheet:
    """The rows of an uploaded workbook, or ImportFileError. Never evaluates a formula, never reads a hidden sheet."""
    if not openpyxl.DEFUSEDXML:
        # openpyxl parses with defusedxml only when it is installed (and OPENPYXL_DEFUSEDXML is not "False").
        raise ImproperlyConfigured("defusedxml is required for imports (pip install defusedxml)")
    archive = sniff(data, name)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False, rich_text=False
        )
    except DefusedXmlException:
        raise ImportFileError("文件中含有不安全的XML内容（实体定义），已拒绝。") from None
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a malformed part; all mean "cannot open"
        raise ImportFileError("无法打开该Excel文件（文件可能已损坏），请在Excel中重新保存为.xlsx后再上传。") from None
    try:
        return _read(workbook, archive)
    except ImportFileError:
        raise
    except DefusedXmlException:
        raise ImportFileError("文件中含有不安全的XML内容（实体定义），已拒绝。") from None
    except Exception:  # noqa: BLE001 - same: a malformed sheet part (a bad number, a broken tag)
        raise ImportFileError("工作表内容无法读取（文件可能已损坏），请在Excel中重新保存为.xlsx后再上传。") from None
    finally:
        workbook.close()


def _choose_sheet(workbook, notes: list[str]):
    sheets = list(workbook.worksheets)
    visible = [ws for ws in sheets if ws.sheet_state == "visible"]
    if not visible:
        raise ImportFileError("工作簿中没有可见的工作表。")
    chosen = next((ws for ws in visible if ws.title.strip() == K.SHEET_NAME), visible[0])
    hidden = [ws.title for ws in sheets if ws.sheet_state != "visible"]
    others = [ws.title for ws in visible if ws is not chosen]
    notes.append(f"读取的工作表：“{chosen.title}”。")
    if others:
        notes.append("未读取的其他工作表：" + "、".join(f"“{t}”" for t in others) + "（每次只导入一个工作表）。")
    if hidden:
        notes.append("隐藏的工作表不导入：" + "、".join(f"“{t}”" for t in hidden) + "。")
    return chosen


_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Za-z0-9:$]+)\"")


def _merged_ranges(archive: zipfile.ZipFile, ws) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range: read-only sheets do not expose them. The part's size
    is bounded by sniff(); the <mergeCells> block follows the cell data, so only the tail after it is searched."""
    path = getattr(ws, "_worksheet_path", None)
    if not path or path not in archive.namelist():
        return []
    xml = archive.read(path)
    at = max(xml.rfind(b"<mergeCells"), xml.rfind(b":mergeCells"))
    if at < 0:
        return []
    out = []
    for match in _MERGE_REF.finditer(xml, at):
        with contextlib.suppress(ValueError, TypeError):
            out.append(range_boundaries(match.group(1).decode("ascii")))
    return out


def _read(workbook, archive) -> ParsedSheet:
    notes: list[str] = []
    ws = _choose_sheet(workbook, notes)
    ws.reset_dimensions()  # a wrong <dimension> must not cut rows off
    merges = [m for m in _merged_ranges(archive, ws) if m[0] <= MAX_COLUMNS]
    if len(merges) > MAX_MERGES:
        raise ImportFileError(f"工作表中的合并单元格过多（{len(merges)}处），请取消合并后再上传。")
    header_line, mapping = 0, {}
    rows: list[tuple[int, list]] = []
    saw_anything = False
    merged_top: dict[tuple, object] = {}  # merged range -> value of its top-left cell
    merged_used: dict[str, list[int]] = {}
    for line, cells in enumerate(ws.iter_rows(min_row=1, min_col=1, max_col=MAX_COLUMNS), start=1):
        if not header_line:
            texts = [_header_text(c) for c in cells]
            if any(texts):
                saw_anything = True
            found = _header_mapping(texts)
            if found is not None:
                header_line, mapping = line, found
                headers = [column.header for column in mapping.values()]
                _note_columns(texts, mapping, notes)
            elif line >= HEADER_SEARCH_LINES:
                break
            continue
        values = []
        empty = True
        active = [m for m in merges if m[1] <= line <= m[3]] if merges else ()
        for index, column in mapping.items():
            cell = cells[index] if index < len(cells) else None
            value = _cell_value(cell, column)
            fill = _merged_fill(active, merged_top, line, index + 1, cell, column) if active else None
            if fill is not None:
                value = fill
                merged_used.setdefault(column.header, []).append(line)
            if value != "":
                empty = False
            values.append(value)
        if empty:
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(f"文件的数据超过{MAX_ROWS}行，请分成几个文件导入（每个文件不超过{MAX_ROWS}行）。")
        rows.append((line, values))
    if not header_line:
        if not saw_anything:
            raise ImportFileError(f"工作表“{ws.title}”是空的，没有任何内容。")
        raise ImportFileError(
            f"在工作表“{ws.title}”的前{HEADER_SEARCH_LINES}行中没有找到表头：表头行须包含“姓名”和“身份证号码”列"
            "（请使用导入模板，或名册（附件1）的格式）。"
        )
    if not rows:
        raise ImportFileError(f"工作表“{ws.title}”只有表头（第{header_line}行），没有数据行。")
    for header, lines in merged_used.items():
        notes.append(f"“{header}”列有合并单元格（第{_spans(lines)}行），已把合并区域的内容用于其中每一行。")
    return ParsedSheet(sheet=ws.title, header_line=header_line, headers=headers, rows=rows, notes=notes)


def _header_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None or getattr(cell, "data_type", "") == "f":
        return ""
    return str(value).strip()


def _header_mapping(texts: list[str]) -> dict[int, K.Column] | None:
    """Column index -> Column for a header row (one with 姓名 and the ID number), else None."""
    found: dict[int, K.Column] = {}
    for index, text in enumerate(texts):
        column = K.match_header(text) if text else None
        if column is not None:
            found[index] = column
    keys = {c.key for c in found.values()}
    if not {"name", "id_number"} <= keys:
        return None
    seen: dict[str, int] = {}
    for index, column in found.items():
        if column.key in seen:
            first = get_column_letter(seen[column.key] + 1)
            raise ImportFileError(
                f"表头中“{column.header}”出现了两次（第{first}列和第{get_column_letter(index + 1)}列），请删去一列。"
            )
        seen[column.key] = index
    return {i: c for i, c in found.items() if c.kind != K.IGNORED}


def _note_columns(texts, mapping, notes):
    read = set(mapping)
    skipped = [t for i, t in enumerate(texts) if t and i not in read]
    if skipped:
        notes.append("以下列不导入：" + "、".join(f"“{t}”" for t in skipped) + "。")


def _spans(lines: list[int]) -> str:
    parts, start, prev = [], lines[0], lines[0]
    for n in lines[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}—{prev}")
        if n is not None:
            start = prev = n
    return "、".join(parts[:10]) + ("等" if len(parts) > 10 else "")


def _merged_fill(merges, merged_top, line, col, cell, column):
    """The value a cell inside a merged range (below the range's first row) takes: its top-left cell's."""
    for rng in merges:
        min_col, min_row, max_col, max_row = rng
        if not (min_col <= col <= max_col and min_row <= line <= max_row):
            continue
        if line == min_row and col == min_col:
            merged_top[rng] = _cell_value(cell, column)
            return None
        if rng in merged_top:
            return merged_top[rng]
        return None
    return None


_AMBIGUOUS_MONTH = re.compile(r"^(\d{4})\.1$")


def _cell_value(cell, column: K.Column):
    """The cell as text for the resource, or a Problem naming what is wrong with it."""
    value = getattr(cell, "value", None)
    data_type = getattr(cell, "data_type", "n")
    if value is None:
        return ""
    if data_type == "f" or isinstance(value, (ArrayFormula, DataTableFormula)):
        text = value if isinstance(value, str) else "=…"
        return Problem(f"单元格是公式（{text[:40]}），公式不会被计算，请直接填写内容。")
    if data_type == "e":
        return Problem(f"单元格是错误值（{value}），请改为实际内容。")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (datetime.datetime, datetime.date)):
        if column.kind == K.DATE:
            return f"{value:%Y-%m-%d}"
        if column.kind == K.YEAR_MONTH or column.key == "birth":
            return f"{value.year}.{value.month:02d}"
        if column.kind == K.ID:
            return Problem(NUMERIC_ID)
        return Problem(f"单元格是日期（{value:%Y-%m-%d}），“{column.header}”应填文字。")
    if isinstance(value, (datetime.time, datetime.timedelta)):
        return Problem(f"单元格是时间（{value}），“{column.header}”应填文字。")
    if isinstance(value, (int, float)):
        return _number(value, cell, column)
    return str(value)


def _number(value, cell, column: K.Column):
    if column.kind == K.ID:
        return Problem(NUMERIC_ID)
    integral = isinstance(value, int) or value.is_integer()
    if column.kind == K.PHONE:
        if integral and 0 <= value < 10**15:
            return str(int(value))
        return Problem("电话号码被Excel存成了小数，请把该列设为文本后重新填写。")
    if column.kind == K.YEAR_MONTH or column.key == "birth" or column.kind == K.DATE:
        if integral:
            return str(int(value))
        fmt = getattr(cell, "number_format", "") or ""
        decimals = re.search(r"\.(0+)", fmt)
        if decimals:
            return f"{value:.{len(decimals.group(1))}f}"
        text = repr(value)
        if _AMBIGUOUS_MONTH.match(text):
            year = text[:4]
            return Problem(
                f"“{text}”被Excel存成了数字，分不清是1月还是10月；请把该列设为文本后填写{year}.01或{year}.10。"
            )
        return text
    if integral:
        return str(int(value))
    return repr(value)
