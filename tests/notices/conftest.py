import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from notices import services
from notices.models import Notice

D = datetime.date
START = D(2026, 9, 30)  # a Wednesday; 3 working days end Fri 2026-10-09 (National Day between)


def post_notice(cast, *, start=START, days=3, actor=None, counts=True, places=None, **extra) -> Notice:
    """A township A notice posted in village A1 (the defaults: 3 working days from Wed 2026-09-30)."""
    fields = {
        "actor": actor or cast.township_a_admin,
        "kind": Notice.KIND_CANDIDATE,
        "unit": cast.township_a,
        "county": cast.county,
        "subject": "test.round:1",
        "title": "关于青竹街道村级后备干部考察对象的公示",
        "body": "经民主评议、组织考察，拟确定以下同志为村级后备干部考察对象，现予公示。",
        "start": start,
        "working_days": days,
        "posting_day_counts": counts,
        "places": places if places is not None else [(cast.village_a1, "兰沟村村务公开栏")],
        "contact": "0833-8888888（街道党工委组织办）",
    }
    return services.notice_post(**(fields | extra))


@pytest.fixture
def notice(cast):
    return post_notice(cast)


@pytest.fixture
def media(settings, tmp_path):
    """Uploads land in a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_file(name="来信.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")


def png_file(name="核查报告.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def html_as_pdf(name="来信.pdf") -> SimpleUploadedFile:
    """Named and typed as a PDF, but HTML inside: refused by content."""
    return SimpleUploadedFile(name, b"<html><script>alert(1)</script></html>", content_type="application/pdf")


def too_big(name="扫描件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")


NAMES_COLUMNS = ["序号", "姓名", "性别", "出生年月", "学历", "政治面貌", "村（社区）"]
NAMES_ROWS = [
    {
        "序号": "1",
        "姓名": "李兰",
        "性别": "女",
        "出生年月": "1990.01",
        "学历": "大学本科",
        "政治面貌": "中共党员",
        "村（社区）": "兰沟村",
    },
    {
        "姓名": "王甘",
        "性别": "男",
        "出生年月": "1992.05",
        "学历": "大学专科",
        "政治面貌": "群众",
        "村（社区）": "甘家沟村",
    },
]
