"""The printed notice: Chinese text with an embedded CJK font, values escaped, and a URL fetcher that reads only the
static and media folders."""

import datetime
import shutil
import subprocess

import pytest

from notices.pdf import (
    BASE_URL,
    LocalFilesFetcher,
    RefusedURL,
    html_to_pdf,
    notice_pdf_context,
    render_pdf,
)
from notices.services import notice_pdf_export
from org.models import AuditLog
from tests.notices.conftest import NAMES_COLUMNS, NAMES_ROWS, post_notice

D = datetime.date
EVIL = '<img src="file:///etc/passwd">'

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils 未安装")


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    return "".join(out.decode("utf-8").split())  # lines wrap anywhere in Chinese text


def fonts_of(pdf: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


class SpyFetcher(LocalFilesFetcher):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked, self.refused = [], []

    def fetch(self, url, headers=None):
        self.asked.append(url)
        try:
            return super().fetch(url, headers)
        except RefusedURL:
            self.refused.append(url)
            raise


@pytest.fixture
def spy(monkeypatch):
    made = []

    def factory(*args, **kwargs):
        made.append(SpyFetcher(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr("notices.pdf.LocalFilesFetcher", factory)
    return made


@needs_poppler
def test_notice_pdf_has_the_title_period_places_and_an_embedded_cjk_font(cast, tmp_path):
    notice = post_notice(cast)
    pdf = notice_pdf_export(actor=cast.township_a_admin, notice=notice)
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf, tmp_path)
    assert "关于青竹街道村级后备干部考察对象的公示" in text
    assert "公示时间：2026年9月30日至2026年10月9日（3个工作日）" in text
    assert "公示地点：兰沟村村务公开栏" in text
    body = "中共青竹街道工作委员会"  # the issuing body in full, as it signs
    assert f"如有异议，请于公示期内向{body}反映（受理电话／地点：0833-8888888（街道党工委组织办））" in text
    assert text.endswith("中共青竹街道工作委员会2026年9月30日第1页共1页")  # signed in full, numbered
    assert "估算" not in text
    cjk = [row for row in fonts_of(pdf, tmp_path) if "CJK" in row[0]]
    assert cjk and all(row[-5] == "yes" for row in cjk)  # the "emb" column
    entry = AuditLog.objects.get(action="notice.pdf")
    assert entry.object_id == str(notice.pk) and entry.actor == cast.township_a_admin


@needs_poppler
def test_selection_rows_print_as_a_table_and_an_estimate_is_flagged(cast, tmp_path):
    notice = post_notice(cast, start=D(2026, 12, 30), days=5)
    rows = [
        {
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
    context = notice_pdf_context(notice, rows=rows, issuer="中共青神县青竹街道工作委员会")
    text = text_of(render_pdf("notices/pdf/notice.html", context), tmp_path)
    assert "序号姓名性别出生年月学历政治面貌村（社区）" in text
    assert "1李兰女1990.01大学本科中共党员兰沟村" in text
    assert "2王甘男1992.05大学专科群众甘家沟村" in text
    assert "公示时间：2026年12月30日至2027年1月5日（5个工作日）" in text
    assert "按周一至周五估算，待节假日安排公布后确认" in text
    assert text.endswith("中共青神县青竹街道工作委员会2026年12月30日第1页共1页")  # signed bottom right


@needs_poppler
def test_the_stored_table_of_names_prints_under_the_body(cast, tmp_path):
    notice = post_notice(cast, rows=NAMES_ROWS, columns=NAMES_COLUMNS)
    text = text_of(notice_pdf_export(actor=cast.township_a_admin, notice=notice), tmp_path)
    header = "序号姓名性别出生年月学历政治面貌村（社区）"
    assert header in text and "序号序号" not in text  # the posted 序号 column, not a second one
    assert "1李兰女1990.01大学本科中共党员兰沟村" in text
    assert "2王甘男1992.05大学专科群众甘家沟村" in text  # an empty 序号 is numbered
    assert text.index("现予公示。") < text.index(header) < text.index("公示时间：")
    assert AuditLog.objects.get(action="notice.pdf").changes["rows"] == 2


@needs_poppler
def test_rows_passed_by_the_caller_replace_the_stored_ones(cast, tmp_path):
    notice = post_notice(cast, rows=NAMES_ROWS, columns=NAMES_COLUMNS)
    pdf = notice_pdf_export(actor=cast.township_a_admin, notice=notice, rows=[{"姓名": "赵青"}], columns=["姓名"])
    text = text_of(pdf, tmp_path)
    assert "序号姓名1赵青" in text and "李兰" not in text


@needs_poppler
def test_a_notice_without_rows_prints_no_table(cast, tmp_path):
    text = text_of(notice_pdf_export(actor=cast.township_a_admin, notice=post_notice(cast)), tmp_path)
    assert "序号" not in text


@needs_poppler
def test_markup_in_the_body_is_printed_as_text_and_nothing_is_fetched(cast, tmp_path, spy):
    notice = post_notice(
        cast,
        body=f"正文第一段{EVIL}\n第二段<script>alert(1)</script>",
        title=f"标题{EVIL}",
        rows=[{"姓名": f"李兰{EVIL}"}],
        columns=["姓名"],
    )
    text = text_of(render_pdf("notices/pdf/notice.html", notice_pdf_context(notice, rows=notice.rows)), tmp_path)
    assert f"正文第一段{EVIL}".replace(" ", "") in text
    assert f"李兰{EVIL}".replace(" ", "") in text
    assert "第二段<script>alert(1)</script>" in text
    assert "root:" not in text
    assert spy and spy[0].asked == []  # escaped: no element asked for a URL at all


def test_raw_html_asking_for_local_or_remote_files_gets_nothing(tmp_path, spy):
    html = (
        '<html><head><link rel="stylesheet" href="file:///etc/passwd"></head><body>'
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png"><img src="/static/../../../etc/passwd">'
        '<img src="/media/../../etc/passwd"><p>正文</p></body></html>'
    )
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF-")
    fetcher = spy[0]
    assert fetcher.asked and fetcher.refused == fetcher.asked


# --- the fetcher on its own ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://example.com/static/css/app.css",
        "https://pdf.invalid.example.com/static/css/app.css",
        "https://user@pdf.invalid/static/css/app.css",
        f"{BASE_URL}etc/passwd",
        f"{BASE_URL}static/../../etc/passwd",
        f"{BASE_URL}static/%2e%2e/%2e%2e/etc/passwd",
        f"{BASE_URL}static/css/..%2f..%2f..%2fetc/passwd",
        f"{BASE_URL}static//etc/passwd",
        f"{BASE_URL}static/css\\..\\..\\settings.py",
        f"{BASE_URL}static/missing.css",
        f"{BASE_URL}media/../config/settings.py",
        f"{BASE_URL}media/%2fetc/passwd",
        "data:text/plain,hello",
    ],
)
def test_fetcher_refuses_everything_outside_static_and_media(url, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(RefusedURL):
        LocalFilesFetcher().fetch(url)


def test_fetcher_serves_static_files_through_the_finders():
    response = LocalFilesFetcher().fetch(f"{BASE_URL}static/css/app.css")
    assert response.content_type == "text/css"
    assert b"Noto Sans CJK SC" in response.read()


def test_fetcher_does_not_serve_app_static_folders_outside_the_project(settings, tmp_path):
    # The admin's files are found by the app-directories finder but lie outside STATIC_ROOT and STATICFILES_DIRS.
    # (An empty STATIC_ROOT: a collected tree, as `make demo` leaves, would hold a copy of them.)
    settings.STATIC_ROOT = tmp_path / "static"
    with pytest.raises(RefusedURL):
        LocalFilesFetcher().fetch(f"{BASE_URL}static/admin/css/base.css")


def test_fetcher_serves_media_files_but_not_symlinks_out_of_media(settings, tmp_path):
    media = tmp_path / "media"
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "a.png").write_bytes(b"\x89PNG fake")
    (media / "photos" / "link.txt").symlink_to("/etc/passwd")
    settings.MEDIA_ROOT = media
    assert LocalFilesFetcher().fetch(f"{BASE_URL}media/photos/a.png").read() == b"\x89PNG fake"
    with pytest.raises(RefusedURL):
        LocalFilesFetcher().fetch(f"{BASE_URL}media/photos/link.txt")
