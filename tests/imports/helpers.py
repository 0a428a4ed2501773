"""Workbooks built in the tests: the template's headers or the 名册's, any cell values, and the odd files."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from imports import services
from reserves.builders import make_id

HEADERS = ["村（社区）", "姓名", "身份证号码", "政治面貌", "入党时间", "学历", "身份", "联系电话"]
ROSTER_HEADERS = [
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
_seq = iter(range(20, 100_000))


def new_id(birth=datetime.date(1992, 3, 4), sex="M", area=None) -> str:
    """A fresh valid number (make_id varies two digits only, so the area code moves on every 100)."""
    seq = next(_seq)
    return make_id(area or f"5130{(seq // 100) % 100:02d}", birth, seq, sex)


def row(village="兰沟村", name="王新", id_number=None, **extra) -> dict:
    values = {
        "村（社区）": village,
        "姓名": name,
        "身份证号码": id_number or new_id(),
        "政治面貌": "中共党员",
        "入党时间": "2015.07",
        "学历": "大学本科",
        "身份": "村民小组长",
        "联系电话": "13800138000",
    }
    values.update(extra)
    return values


def xlsx(rows, headers=None, *, title=None, sheet="后备干部信息", prepare=None) -> bytes:
    """A workbook with `headers` and one line per dict in `rows` (values written as given: str, int, float, date)."""
    headers = headers or list(dict.fromkeys(k for r in rows for k in r)) or HEADERS
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(headers)
    for values in rows:
        ws.append([values.get(h) for h in headers])
    if prepare:
        prepare(wb, ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def uploaded(data: bytes, name="导入.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


OPTIONS = {"enroll": True, "reserve_type": "village_reserve", "entered_on": "2024-03-01", "override": ""}
PEOPLE_ONLY = {"enroll": False, "reserve_type": "village_reserve", "entered_on": "", "override": ""}


def upload(actor, unit, data: bytes, *, name="导入.xlsx", options=None):
    return services.batch_upload(actor=actor, unit=unit, upload=uploaded(data, name), options=options or OPTIONS)


def by_line(batch) -> dict:
    return {r["line"]: r for r in batch.preview}


def errors_of(batch, line: int) -> dict:
    return dict(by_line(batch)[line]["errors"])
