"""Long tables as PDF, fast: the document comes in chunks (each a complete HTML page set with the table header),
laid out by parallel worker processes, concatenated, and stamped with one footer layer (unit, date, "第 n 页 共 N
页"), so page numbers run across chunks although no chunk knows where it starts.

A plain WeasyPrint table of 750 roster rows takes about 10 s on one core here, nearly all of it line layout (font
subsetting is HarfBuzz's and takes under 0.1 s); two processes halve that, and the footer layer costs 0.25 s."""

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from pypdf import PdfReader, PdfWriter

from reports.pdfworker import claim
from reports.pdfworker import render as render_in_process

ROOT = Path(__file__).resolve().parent.parent


class PdfRenderError(RuntimeError):
    pass


def worker_count(chunks: int, workers: int | None = None) -> int:
    wanted = workers or getattr(settings, "PDF_WORKERS", 0) or os.cpu_count() or 1
    return max(1, min(wanted, chunks))


def _forked_worker(pairs: list[tuple[Path, Path]], htmls: list[str], render) -> None:
    """In a forked child: take chunks from the front until none is left, write each PDF atomically, and leave without
    running the parent's clean-up (atexit handlers, open database connections)."""
    code = 0
    try:
        for i, (_, target) in enumerate(pairs):
            if claim(str(target)):
                part = Path(f"{target}.part")
                part.write_bytes(render(htmls[i]))
                os.replace(part, target)
    except Exception as exc:  # noqa: BLE001  (reported to the parent through the exit code and a file)
        Path(pairs[0][1].parent, f"error-{os.getpid()}.txt").write_text(f"{type(exc).__name__}: {exc}")
        code = 1
    finally:
        os._exit(code)


def render_chunks(htmls: list[str], *, workers: int | None = None, progress=None, render=None) -> list[bytes]:
    """Each HTML chunk as PDF bytes, in order. With more than one worker, this process forks the others once
    WeasyPrint is loaded and warm (a fresh `python -m reports.pdfworker` would spend about 0.75 s importing and
    finding fonts); the children take chunks from the front, this process from the back, a claim file per chunk
    keeping each to one taker, so all finish together. Fork, not multiprocessing: a Celery prefork child is a daemon,
    and daemons may not have multiprocessing children. Without os.fork, plain worker subprocesses do the same.

    `render` (HTML -> PDF bytes) defaults to the fetch-nothing renderer; a caller whose chunks load files (the
    纪实表's photos) passes notices.pdf.html_to_pdf, which forked children run as they are."""
    n = worker_count(len(htmls), workers)
    if render is None:
        render = render_in_process
    elif not hasattr(os, "fork"):  # pragma: no cover  (the worker subprocess only knows the default renderer)
        n = 1
    if n == 1:
        out = []
        for i, html in enumerate(htmls):
            out.append(render(html))
            if progress:
                progress((i + 1) / len(htmls))
        return out
    with tempfile.TemporaryDirectory(prefix="pdfchunks-") as tmp:
        pairs = [(Path(tmp, f"{i:05d}.html"), Path(tmp, f"{i:05d}.pdf")) for i in range(len(htmls))]
        pids, procs = [], []
        if hasattr(os, "fork"):
            render(WARM_UP)  # load fonts once, before the children inherit them
            for _ in range(n - 1):
                pid = os.fork()
                if pid == 0:
                    _forked_worker(pairs, htmls, render)
                pids.append(pid)
        else:  # pragma: no cover  (no fork on this platform)
            for (source, _), html in zip(pairs, htmls, strict=True):
                source.write_text(html, encoding="utf-8")
            args = [f"{s}:{t}" for s, t in pairs]
            procs = [
                subprocess.Popen([sys.executable, "-m", "reports.pdfworker", *args], cwd=ROOT) for _ in range(n - 1)
            ]
        out: dict[int, bytes] = {}

        def report():
            if progress:
                progress(sum(1 for i, (_, t) in enumerate(pairs) if i in out or t.exists()) / len(pairs))

        codes = []
        try:
            for i in reversed(range(len(pairs))):
                if claim(str(pairs[i][1])):
                    out[i] = render(htmls[i])
                    report()
            for pid in pids:
                codes.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
            for proc in procs:
                codes.append(proc.wait())
        finally:
            for pid in pids[len(codes) :]:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
        if any(codes):
            errors = sorted(Path(tmp).glob("error-*.txt"))
            raise PdfRenderError(errors[0].read_text()[-500:] if errors else f"PDF 排版进程退出码 {codes}")
        report()
        return [out[i] if i in out else t.read_bytes() for i, (_, t) in enumerate(pairs)]


WARM_UP = "<p>预热 0</p>"


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
    n = len(writer.pages)
    # The footer pages go into the same writer first, so every stamp refers to one copy of the footer's font
    # (merging from a separate reader would copy the font into every page), and are dropped after stamping.
    writer.append(PdfReader(io.BytesIO(footer_layer(n, footer_left=footer_left, landscape=landscape))))
    for i in range(n):
        writer.pages[i].merge_page(writer.pages[n + i])
        writer.pages[i].compress_content_streams()  # merging leaves the page's content uncompressed (4x the size)
    for i in reversed(range(n, 2 * n)):
        del writer.pages[i]
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    buf = io.BytesIO()
    writer.write(buf)
    if progress:
        progress(1.0)
    return buf.getvalue()
