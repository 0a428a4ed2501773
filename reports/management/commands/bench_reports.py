"""Time and peak memory of the big exports on generated city data, beside a bare openpyxl write and a bare WeasyPrint
render of the same rows.

    manage.py bench_reports --size city|tiny [--keep] [--workers N]

Each scenario runs in a fresh child process (`--run NAME`). Memory: the peak of the child alone (VmHWM), and the
peak of the child and its PDF layout workers together (by PSS, so pages the forked workers share count once),
sampled every 250 ms (the goal applies to that total). Data
comes from generate_city (kept with --keep, else deleted at the end)."""

import datetime
import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from org.models import OrgUnit
from reports.management.commands.generate_city import CITY_CODE, SIZES, delete_generated

ROOT = Path(__file__).resolve().parents[3]
# name -> (what, goal seconds, goal MB)
SCENARIOS = {
    "roster_xlsx_city": ("名册 xlsx，全市", 3.0, 300),
    "bare_xlsx_city": ("对照：openpyxl 只写模式、无样式，全市同样的行", None, None),
    "bare_xlsxwriter_city": ("对照：XlsxWriter 无样式，全市同样的行", None, None),
    "roster_pdf_county": ("名册 PDF，一个县（最大的县）", 5.0, 400),
    "bare_pdf_county": ("对照：WeasyPrint 无样式表格、单进程，同一个县同样的行", None, None),
    "roster_pdf_city": ("名册 PDF，全市（后台任务）", 120.0, 1024),
    "record_sheets_township": ("纪实表合并 PDF，一个乡镇（最多60人）", 15.0, None),
}


def _status_kb(pid, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid) -> int:
    """Proportional set size: a page shared by forked processes counts once in their sum, not once per process."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return _status_kb(pid, "VmRSS")


def _tree_rss_mb(root: int) -> float:
    """Memory of a process and all its descendants now (Linux /proc), by PSS."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _pss_kb(pid)
        stack.extend(children.get(pid, []))
    return total / 1024


class PeakSampler(threading.Thread):
    """Samples the memory of this process and its layout workers every 250 ms: the peak of the sum is what
    the export needs at once. (ru_maxrss would count the parent's memory at fork time in every child.)"""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0.0
        self._done = threading.Event()

    def run(self):
        while not self._done.is_set():
            self.peak = max(self.peak, _tree_rss_mb(os.getpid()))
            self._done.wait(0.25)

    def stop(self) -> float:
        self._done.set()
        self.join()
        return max(self.peak, _tree_rss_mb(os.getpid()))


def _largest_county() -> OrgUnit:
    from reserves.models import ReserveRecord

    counties = OrgUnit.objects.filter(code__startswith=CITY_CODE, level="county")
    return max(counties, key=lambda county: (ReserveRecord.objects.in_pool(county).count(), county.code))


def _township_for_sheets(limit: int = 60) -> OrgUnit:
    """The township whose pool is closest to `limit` without exceeding it by much (the issue's 60 sheets)."""
    from reserves.models import ReservePlacement

    rows = (
        ReservePlacement.objects.filter(village__code__startswith=CITY_CODE, end__isnull=True, record__ended_on=None)
        .values("village__parent")
        .annotate(n=Count("record", distinct=True))
        .order_by("-n")
    )
    best = min(rows, key=lambda r: (abs(r["n"] - limit), -r["n"]))
    return OrgUnit.objects.get(pk=best["village__parent"])


def run_one(name: str, workers: int | None) -> dict:
    from reports import roster as R
    from reports.roster import build_roster, output_rows, roster_pdf, roster_xlsx

    today = timezone.localdate()
    city = OrgUnit.objects.get(code=CITY_CODE, level="city")
    out: dict = {"name": name}
    sampler = PeakSampler()
    sampler.start()
    if name in ("roster_xlsx_city", "bare_xlsx_city", "bare_xlsxwriter_city"):
        roster = build_roster(city, today)
        started = time.perf_counter()
        if name == "roster_xlsx_city":
            data = roster_xlsx(build_roster(city, today), reveal=True)  # rows are read again: part of the export
        elif name == "bare_xlsxwriter_city":
            import xlsxwriter

            buf = io.BytesIO()
            wb = xlsxwriter.Workbook(buf, {"constant_memory": True})
            ws = wb.add_worksheet()
            ws.write_row(0, 0, R.HEADERS)
            for r, values in enumerate(output_rows(roster.rows, reveal=True), start=1):
                ws.write_row(r, 0, values)
            wb.close()
            data = buf.getvalue()
        else:
            from openpyxl import Workbook

            wb = Workbook(write_only=True)
            ws = wb.create_sheet()
            ws.append(R.HEADERS)
            for values in output_rows(roster.rows, reveal=True):
                ws.append(values)
            buf = io.BytesIO()
            wb.save(buf)
            data = buf.getvalue()
        out.update(seconds=time.perf_counter() - started, rows=len(roster.rows), bytes=len(data))
    elif name in ("roster_pdf_county", "bare_pdf_county", "roster_pdf_city"):
        unit = city if name == "roster_pdf_city" else _largest_county()
        if name == "bare_pdf_county":
            from django.utils.html import escape
            from weasyprint import HTML

            roster = build_roster(unit, today)
            started = time.perf_counter()
            body = "".join(
                "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in values) + "</tr>"
                for values in output_rows(roster.rows, reveal=True)
            )
            head = "".join(f"<th>{h}</th>" for h in R.HEADERS)
            html = (
                "<html><head><style>@page{size:A4 landscape} body{font-family:'Noto Sans CJK SC'}"
                "</style></head><body><table><thead><tr>" + head + "</tr></thead><tbody>" + body + "</tbody>"
                "</table></body></html>"
            )
            data = HTML(string=html).write_pdf()
            out.update(seconds=time.perf_counter() - started, rows=len(roster.rows), bytes=len(data))
        else:
            started = time.perf_counter()
            roster = build_roster(unit, today)
            data = roster_pdf(roster, reveal=True, workers=workers)
            out.update(seconds=time.perf_counter() - started, rows=len(roster.rows), bytes=len(data))
        out["unit"] = unit.name
        from pypdf import PdfReader

        out["pages"] = len(PdfReader(io.BytesIO(data)).pages)
    elif name == "record_sheets_township":
        try:
            from reports.record_sheet import collect, sheets_pdf
        except ImportError:
            sampler.stop()
            return {"name": name, "skipped": "reports.record_sheet 不存在"}
        from reserves.models import ReserveRecord

        township = _township_for_sheets()
        started = time.perf_counter()
        records = ReserveRecord.objects.in_pool(township, today).distinct()
        sheets = collect(records, today.year)
        data = sheets_pdf(sheets, reveal=True)
        from pypdf import PdfReader

        out.update(
            seconds=time.perf_counter() - started,
            rows=len(sheets),
            bytes=len(data),
            unit=township.name,
            pages=len(PdfReader(io.BytesIO(data)).pages),
        )
    else:
        raise CommandError(f"未知场景：{name}")
    out["total_peak_mb"] = sampler.stop()
    out["peak_mb"] = _status_kb("self", "VmHWM") / 1024  # this process alone (reset at exec, unlike ru_maxrss)
    return out


class Command(BaseCommand):
    help = "导出基准：名册 xlsx/PDF、纪实表 PDF 的耗时与内存峰值，并与裸 openpyxl / WeasyPrint 对照。"

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="city")
        parser.add_argument("--keep", action="store_true", help="测完保留生成的数据（默认删除）")
        parser.add_argument("--workers", type=int, default=None, help="PDF 排版进程数（默认为 CPU 核数）")
        parser.add_argument("--only", nargs="*", choices=sorted(SCENARIOS), help="只测这些场景")
        parser.add_argument("--run", choices=sorted(SCENARIOS), help=argparse_hidden())

    def handle(self, *args, size, keep, workers, only, run, **options):
        if run:  # child process: one scenario, one JSON line
            self.stdout.write(json.dumps(run_one(run, workers), ensure_ascii=False))
            return
        from reports.management.commands.bench import Command as PageBench

        spec = SIZES[size]
        if PageBench()._matches(spec):
            self.stdout.write(f"已有规模为 {size} 的生成数据，直接使用。")
        else:
            call_command("generate_city", size=size, replace=True, stdout=self.stdout, stderr=self.stderr)
        results = []
        for name in only or SCENARIOS:
            cmd = [sys.executable, "manage.py", "bench_reports", "--run", name, "--size", size]
            if workers:
                cmd += ["--workers", str(workers)]
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=os.environ.copy())
            if proc.returncode != 0:
                raise CommandError(f"{name} 失败：{proc.stderr[-2000:]}")
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        self._report(results, size, workers)
        if not keep:
            with transaction.atomic():
                delete_generated()
            self.stdout.write("已删除生成的数据（加 --keep 可保留）。")

    def _report(self, results, size, workers):
        w = self.stdout.write
        from reports.pdfchunks import worker_count

        w("")
        n_workers = worker_count(99, workers)
        w(f"导出基准（规模 {size}，{datetime.date.today()}，CPU {os.cpu_count()} 核，PDF 排版进程 {n_workers}）")
        w("| scenario | rows | pages | seconds | goal s | peak MB (process) | peak MB (with workers) | goal MB | ok |")
        w("|---|---|---|---|---|---|---|---|---|")
        by = {r["name"]: r for r in results}
        for r in results:
            what, goal_s, goal_mb = SCENARIOS[r["name"]]
            if "skipped" in r:
                w(f"| {what} | — | — | — | — | — | — | — | 跳过：{r['skipped']} |")
                continue
            ok = (goal_s is None or r["seconds"] <= goal_s) and (goal_mb is None or r["total_peak_mb"] <= goal_mb)
            worker_mb = f"{r['total_peak_mb']:.0f}"
            w(
                f"| {what}{'（' + r['unit'] + '）' if r.get('unit') else ''} | {r['rows']} | {r.get('pages', '')} | "
                f"{r['seconds']:.2f} | {goal_s or ''} | {r['peak_mb']:.0f} | {worker_mb} | "
                f"{goal_mb or ''} | {'' if goal_s is None else ('ok' if ok else 'MISS')} |"
            )
        pairs = (
            ("roster_xlsx_city", "bare_xlsx_city"),
            ("roster_xlsx_city", "bare_xlsxwriter_city"),
            ("roster_pdf_county", "bare_pdf_county"),
        )
        for ours, bare in pairs:
            if ours in by and bare in by and "seconds" in by[bare] and by[bare]["seconds"]:
                w(f"ratio {ours} / {bare}: {by[ours]['seconds'] / by[bare]['seconds']:.2f}")


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS
