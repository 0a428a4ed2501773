"""Long tables as PDF, fast: the document comes in chunks (each a complete HTML page set with the table header),
laid out by parallel worker processes, concatenated, and stamped with the footer every PDF carries (unit, date, "第 n
页 共 N 页", notices.pdf.stamp_pages), so page numbers run across chunks although no chunk knows where it starts.

A plain WeasyPrint table of 750 roster rows takes about 10 s on one core here, nearly all of it line layout (font
subsetting is HarfBuzz's and takes under 0.1 s); two processes halve that, and the footer layer costs 0.25 s."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

from notices.pdf import stamp_pages
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


def render_document(
    htmls: list[str], *, footer_left: str, landscape: bool, progress=None, workers: int | None = None
) -> bytes:
    """The chunks as one PDF with the footer (notices.pdf.stamp_pages, the one every PDF carries) on every page, the
    numbers running across chunks. The chunk templates leave the bottom margin (at least 14 mm) empty. `landscape`
    is kept for callers: the stamp takes each page's own size."""
    parts = render_chunks(htmls, workers=workers, progress=(lambda f: progress(0.9 * f)) if progress else None)
    pdf = stamp_pages(parts, footer_left=footer_left, side_mm=10)
    if progress:
        progress(1.0)
    return pdf
