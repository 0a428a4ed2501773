"""PDF from HTML templates with WeasyPrint and the Noto CJK fonts (Debian `fonts-noto-cjk`), offline.

The URL fetcher serves only files under the static folders (STATIC_ROOT, STATICFILES_DIRS, via the staticfiles
finders) and under MEDIA_ROOT, addressed as "/static/..." and "/media/..." relative to the document. Everything else
(file://, http://, https://, paths escaping those folders) is refused, so a value that slips into the HTML cannot make
the server read /etc/passwd or call out to the network. Templates autoescape every value anyway."""

import mimetypes
import os
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in a PDF template resolve against this pseudo origin; the fetcher maps it to files. ".invalid" is
# reserved (RFC 2606): nothing is ever fetched from the network.
BASE_URL = "https://pdf.invalid/"
STATIC_PREFIX = "/static/"
MEDIA_PREFIX = "/media/"
MAX_BYTES = 20 * 1024 * 1024


class RefusedURL(ValueError):
    """The PDF asked for something outside the static and media folders."""


def _inside(path: Path, root) -> bool:
    if not root:
        return False
    root_real = os.path.realpath(root)
    return os.path.commonpath([os.path.realpath(path), root_real]) == root_real


def _clean_relative(path: str) -> str:
    """A relative path with no "..", no backslash, no NUL, no empty parts; else RefusedURL."""
    if "\x00" in path or "\\" in path:
        raise RefusedURL("非法路径")
    parts = path.split("/")
    if any(part in ("..", ".") for part in parts) or not path or path.startswith("/"):
        raise RefusedURL("非法路径")
    normal = posixpath.normpath(path)
    if normal != path.rstrip("/") or normal.startswith(".."):
        raise RefusedURL("非法路径")
    return normal


def _static_roots() -> list:
    dirs = [d[1] if isinstance(d, (list, tuple)) else d for d in settings.STATICFILES_DIRS]
    return [r for r in [settings.STATIC_ROOT, *dirs] if r]


def resolve_local(url: str) -> Path:
    """The file behind an allowed URL, or RefusedURL."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL:
        raise RefusedURL(f"不允许的地址：{url[:80]}")
    path = unquote(parts.path)
    if path.startswith(STATIC_PREFIX):
        relative = _clean_relative(path[len(STATIC_PREFIX) :])
        roots = _static_roots()
        # Collected files first (hashed names in production), then the source folders through the finders.
        candidates = [Path(settings.STATIC_ROOT) / relative] if settings.STATIC_ROOT else []
        found = finders.find(relative)
        if found:
            candidates.append(Path(found))
    elif path.startswith(MEDIA_PREFIX):
        relative = _clean_relative(path[len(MEDIA_PREFIX) :])
        roots = [settings.MEDIA_ROOT]
        candidates = [Path(settings.MEDIA_ROOT) / relative]
    else:
        raise RefusedURL(f"不允许的地址：{url[:80]}")
    for candidate in candidates:
        if candidate.is_file() and any(_inside(candidate, root) for root in roots):
            return candidate
    raise RefusedURL(f"文件不存在：{path[:80]}")


class LocalFilesFetcher(URLFetcher):
    """Serves static and media files only; refuses every other URL (WeasyPrint logs the refusal and goes on)."""

    def fetch(self, url, headers=None):
        path = resolve_local(url)
        if path.stat().st_size > MAX_BYTES:
            raise RefusedURL("文件过大")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=LocalFilesFetcher()).write_pdf()


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render a Django template (autoescaped) to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, context, request=request))


NOTICE_TEMPLATE = "notices/pdf/notice.html"
DEFAULT_COLUMNS = ["姓名", "性别", "出生年月", "学历", "政治面貌", "村（社区）"]
NUMBER_COLUMN = "序号"


def names_table(rows, columns) -> dict:
    """The table of names as the PDF and the detail page show it: `columns` (default 姓名/性别/出生年月/学历/政治面貌/
    村（社区）) and one list of cells per row. A 序号 column is numbered 1, 2, ... where a row leaves it empty; without
    one, `numbered` asks the template to put it in front."""
    columns = list(columns or DEFAULT_COLUMNS)
    table = []
    for i, row in enumerate(rows or [], start=1):
        cells = ["" if row.get(c) is None else row[c] for c in columns]
        table.append([str(i) if c == NUMBER_COLUMN and v == "" else v for c, v in zip(columns, cells, strict=True)])
    return {"columns": columns, "table": table, "numbered": NUMBER_COLUMN not in columns}


def notice_pdf_context(notice, *, rows=None, columns=None, issuer: str | None = None, issued_on=None) -> dict:
    """Context for templates/notices/pdf/notice.html. `rows` are dicts keyed by the column titles; a table is printed
    (under the body) only when rows are given. The caller decides whether they are the notice's stored snapshot."""
    return {
        "notice": notice,
        # Each line of the body is a paragraph (indented two characters, as Chinese documents are).
        "paragraphs": [line.strip() for line in notice.body.splitlines() if line.strip()],
        "places": [p.place for p in notice.places.all()],
        **names_table(rows, columns),
        "issuer": issuer or notice.unit.name,
        "issued_on": issued_on or notice.start,
    }
