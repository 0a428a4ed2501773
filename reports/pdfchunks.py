"""Long tables as PDF, fast: the document comes in chunks (each a complete HTML page set with the table header),
laid out by parallel worker processes, concatenated, and stamped with one footer layer (unit, date, "第 n 页 共 N
页"), so page numbers run across chunks although no chunk knows where it starts.

A plain WeasyPrint table of 700 roster rows takes about 9 s on one core here, nearly all of it line layout; two
workers halve that, and the footer layer costs a fraction of a second."""

import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from pypdf import PdfReader, PdfWriter

from reports.pdfworker import render as render_in_process

ROOT = Path(__file__).resolve().parent.parent


class PdfRenderError(RuntimeError):
    pass


def worker_count(chunks: int, workers: int | None = None) -> int:
    wanted = workers or getattr(settings, "PDF_WORKERS", 0) or os.cpu_count() or 1
    return max(1, min(wanted, chunks))


def render_chunks(htmls: list[str], *, workers: int | None = None, progress=None) -> list[bytes]:
    """Each HTML chunk as PDF bytes, in order. One chunk (or one worker) renders in this process."""
    n = worker_count(len(htmls), workers)
    if n == 1:
        out = []
        for i, html in enumerate(htmls):
            out.append(render_in_process(html))
            if progress:
                progress((i + 1) / len(htmls))
        return out
    with tempfile.TemporaryDirectory(prefix="pdfchunks-") as tmp:
        pairs = []
        for i, html in enumerate(htmls):
            source, target = Path(tmp, f"{i:05d}.html"), Path(tmp, f"{i:05d}.pdf")
            source.write_text(html, encoding="utf-8")
            pairs.append((source, target))
        # Round-robin, so the first chunks finish first and the progress bar moves evenly.
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "reports.pdfworker", *[f"{s}:{t}" for s, t in pairs[w::n]]],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for w in range(n)
        ]
        try:
            while any(p.poll() is None for p in procs):
                if progress:
                    progress(sum(t.exists() for _, t in pairs) / len(pairs))
                time.sleep(0.2)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
        failed = [p for p in procs if p.returncode != 0]
        if failed:
            raise PdfRenderError(failed[0].stderr.read().decode("utf-8", "replace")[-500:])
        for p in procs:
            p.stderr.close()
        return [t.read_bytes() for _, t in pairs]


FOOTER_CSS = """
@page { size: A4 %(orientation)s; margin: 12mm 10mm 14mm 10mm;
  @bottom-left { content: element(unit); }
  @bottom-right { content: "第 " counter(page) " 页 共 " counter(pages) " 页";
                  font-family: "Noto Sans CJK SC", sans-serif; font-size: 8.5pt; } }
.unit { position: running(unit); font-family: "Noto Sans CJK SC", sans-serif; font-size: 8.5pt; }
.page { page-break-after: always; }
"""


def footer_layer(pages: int, *, footer_left: str, landscape: bool) -> bytes:
    css = FOOTER_CSS % {"orientation": "landscape" if landscape else "portrait"}
    html = (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head><body>"
        f"<div class='unit'>{escape(footer_left)}</div>" + "<div class='page'></div>" * pages + "</body></html>"
    )
    return render_in_process(html)


def render_document(
    htmls: list[str], *, footer_left: str, landscape: bool, progress=None, workers: int | None = None
) -> bytes:
    """The chunks as one PDF with the footer on every page. The chunk templates must use the same page size and
    margins as FOOTER_CSS and leave the bottom margin empty."""
    parts = render_chunks(htmls, workers=workers, progress=(lambda f: progress(0.9 * f)) if progress else None)
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    footer = PdfReader(io.BytesIO(footer_layer(len(writer.pages), footer_left=footer_left, landscape=landscape)))
    for page, stamp in zip(writer.pages, footer.pages, strict=True):
        page.merge_page(stamp)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    buf = io.BytesIO()
    writer.write(buf)
    if progress:
        progress(1.0)
    return buf.getvalue()
