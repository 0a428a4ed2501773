"""PDF from HTML templates with WeasyPrint and the Noto CJK fonts (Debian `fonts-noto-cjk`), offline.

The URL fetcher serves only files under the static folders (STATIC_ROOT, STATICFILES_DIRS, via the staticfiles
finders) and under MEDIA_ROOT, addressed as "/static/..." and "/media/..." relative to the document. Everything else
(file://, http://, https://, paths escaping those folders) is refused, so a value that slips into the HTML cannot make
the server read /etc/passwd or call out to the network. Templates autoescape every value anyway."""

import io
import mimetypes
import os
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.html import escape
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from notices.naming import issuing_body, place_name

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


def render_pdf(template_name: str, context: dict, *, request=None, footer_left: str = "") -> bytes:
    """Render a Django template (autoescaped) to PDF bytes, page numbers stamped by `stamp_pages` (the template
    prints none of its own and leaves its bottom margin empty)."""
    return stamp_pages(
        [html_to_pdf(render_to_string(template_name, context, request=request))], footer_left=footer_left
    )


# --- page numbers -------------------------------------------------------------------------------------------------
# Every PDF the project prints carries the same footer, drawn here and nowhere else: "第 n 页 共 N 页" centred
# 7 mm above the bottom edge, and optionally a line of text (unit, date, person) on the left. The documents are laid
# out first and stamped afterwards, so numbers can run across separately laid-out chunks (the long roster) or restart
# for each person (the 纪实表) although no chunk knows where it stands. Templates keep a bottom margin of at least
# 14 mm and print no page counter themselves.

PAGE_NUMBER_FORMAT = "第 {n} 页 共 {total} 页"
FOOTER_BOTTOM_MM = 7
MIN_BOTTOM_MARGIN_MM = 14


def page_number(n: int, total: int) -> str:
    return PAGE_NUMBER_FORMAT.format(n=n, total=total)


_FOOTER_CSS = """
body { margin: 0; }
.page { position: relative; overflow: hidden; }
.page + .page { break-before: page; }
.f { position: absolute; bottom: %(bottom)smm; font-family: "Noto Sans CJK SC", sans-serif; font-size: 9pt;
     line-height: 1; color: #333; white-space: nowrap; }
.num { left: 0; right: 0; text-align: center; }
.left { left: %(side)smm; }
"""


def _footer_layer(pages: list[tuple[float, float, str, str]], side_mm: float) -> bytes:
    """One PDF page per (width pt, height pt, page number text, left text), blank but for the footer."""
    sizes = sorted({(w, h) for w, h, _, _ in pages})
    css = _FOOTER_CSS % {"bottom": FOOTER_BOTTOM_MM, "side": side_mm}
    css += "".join(
        f"@page s{i} {{ size: {w:.2f}pt {h:.2f}pt; margin: 0; }} .s{i} {{ page: s{i}; width: {w:.2f}pt; "
        f"height: {h:.2f}pt; }}"
        for i, (w, h) in enumerate(sizes)
    )
    body = "".join(
        f"<div class='page s{sizes.index((w, h))}'>"
        + (f"<div class='f left'>{escape(left)}</div>" if left else "")
        + f"<div class='f num'>{escape(number)}</div></div>"
        for w, h, number, left in pages
    )
    return html_to_pdf(
        f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head><body>{body}</body></html>"
    )


def anchor_pages(pdf: bytes, prefix: str) -> dict[str, int]:
    """The page index (from 0) of each element whose id starts with `prefix` (WeasyPrint writes every id as a named
    destination), e.g. where each person's sheet begins."""
    reader = PdfReader(io.BytesIO(pdf))
    return {
        name: reader.get_destination_page_number(dest)
        for name, dest in reader.named_destinations.items()
        if name.startswith(prefix)
    }


def stamp_pages(
    parts: list[bytes],
    *,
    footer_left: str = "",
    sections: list[tuple[int, str]] | None = None,
    restart: bool = False,
    side_mm: float = 15,
) -> bytes:
    """The parts joined into one PDF, each page stamped with the footer. `sections` are (first page index, left
    text) in page order: the left text changes at each; with `restart` the numbers start again at 1 in each section
    and N counts that section's pages (each person's 纪实表), otherwise they run through the document."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    n = len(writer.pages)
    if n == 0:
        return parts[0] if parts else b""
    starts = sorted(sections or [(0, footer_left)])
    if starts[0][0] != 0:
        starts.insert(0, (0, footer_left))
    bounds = [s for s, _ in starts] + [n]
    footer = []
    for k, (first, left) in enumerate(starts):
        for i in range(first, bounds[k + 1]):
            box = writer.pages[i].mediabox
            number = page_number(i - first + 1, bounds[k + 1] - first) if restart else page_number(i + 1, n)
            footer.append((float(box.width), float(box.height), number, left))
    # The footer pages go into the same writer first, so every stamp refers to one copy of the footer's font
    # (merging from a separate reader would copy the font into every page), and are dropped after stamping.
    writer.append(PdfReader(io.BytesIO(_footer_layer(footer, side_mm))))
    for i in range(n):
        writer.pages[i].merge_page(writer.pages[n + i])
        writer.pages[i].compress_content_streams()  # merging leaves the page's content uncompressed (4x the size)
    for i in reversed(range(n, 2 * n)):
        del writer.pages[i]
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


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
        # Notices posted before place names were cleaned print them cleaned too.
        "places": [place_name(p.village, p.place) for p in notice.places.select_related("village")],
        **names_table(rows, columns),
        "issuer": issuer or issuing_body(notice.unit),
        "issued_on": issued_on or notice.start,
    }
