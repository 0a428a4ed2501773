"""Background exports: a job row per request, built by a Celery task, kept seven days in "我的导出".

A kind is a builder `build(job, progress) -> (filename, bytes, people)`. The builder decides what is revealed from the
job's user *now* (permissions may have changed since the request). The task claims the job with a conditional
update, so a redelivered message (acks_late) does not build it twice at once; a job left "running" by a killed
worker is claimed again after STALE."""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from org import roles
from org.audit import audit
from org.models import OrgUnit
from org.scope import get_scope
from reports.models import ExportJob

log = logging.getLogger(__name__)
STALE = datetime.timedelta(minutes=30)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"xlsx": XLSX, "pdf": "application/pdf", "zip": "application/zip"}


@dataclass(frozen=True)
class Kind:
    label: str
    build: Callable  # (job, progress) -> (filename, bytes, people)


def _on(job) -> datetime.date:
    return datetime.date.fromisoformat(job.params["on"])


def can_reveal(user, unit: OrgUnit) -> bool:
    return get_scope(user).has(roles.REVEAL, unit)


def _roster(fmt):
    def build(job, progress):
        from reports.roster import build_roster, roster_pdf, roster_xlsx

        roster = build_roster(job.unit, _on(job))
        reveal = can_reveal(job.user, job.unit)
        data = (roster_xlsx if fmt == "xlsx" else roster_pdf)(roster, reveal=reveal, progress=progress)
        return f"{roster.title}（{roster.on:%Y%m%d}）.{fmt}", data, len(roster.rows)

    return build


def _submitted(fmt):
    def build(job, progress):
        from reports.roster import roster_pdf, roster_xlsx
        from reports.submissions import county_roster

        roster = county_roster(job.params["call"])
        reveal = can_reveal(job.user, job.unit)
        data = (roster_xlsx if fmt == "xlsx" else roster_pdf)(roster, reveal=reveal, progress=progress)
        return f"{roster.title}（{roster.on.year}年度报送）.{fmt}", data, len(roster.rows)

    return build


def _record_sheets(fmt):
    def build(job, progress):
        from reports.record_sheet import collect, sheets_pdf, sheets_zip
        from reserves.models import ReserveRecord

        year = int(job.params["year"])
        on = min(datetime.date(year, 12, 31), timezone.localdate())
        records = ReserveRecord.objects.in_pool(job.unit, on).distinct()
        sheets = collect(records, year)
        progress(0.2)
        reveal = can_reveal(job.user, job.unit)
        data = (sheets_pdf if fmt == "pdf" else sheets_zip)(sheets, reveal=reveal)
        suffix = "pdf" if fmt == "pdf" else "zip"
        return f"{job.unit.name}村级后备干部日常管理纪实表（{year}年）.{suffix}", data, len(sheets)

    return build


def _summary(fmt):
    def build(job, progress):
        from reports.summary import summary_data, summary_pdf, summary_xlsx

        data = summary_data(job.unit, _on(job), job.user, job.params.get("type") or None)
        progress(0.2)
        content = (summary_xlsx if fmt == "xlsx" else summary_pdf)(data)
        return f"{job.unit.name}后备力量名单汇总表（{_on(job):%Y%m%d}）.{fmt}", content, data.people

    return build


KINDS = {
    "roster_xlsx": Kind("村级后备干部名册（Excel）", _roster("xlsx")),
    "roster_pdf": Kind("村级后备干部名册（PDF）", _roster("pdf")),
    "submitted_roster_xlsx": Kind("报送名册汇总（Excel）", _submitted("xlsx")),
    "submitted_roster_pdf": Kind("报送名册汇总（PDF）", _submitted("pdf")),
    "summary_xlsx": Kind("后备力量名单汇总表（Excel）", _summary("xlsx")),
    "summary_pdf": Kind("后备力量名单汇总表（PDF）", _summary("pdf")),
    "record_sheets_pdf": Kind("日常管理纪实表（合并PDF）", _record_sheets("pdf")),
    "record_sheets_zip": Kind("日常管理纪实表（Excel压缩包）", _record_sheets("zip")),
}


def export_request(*, user, kind: str, unit: OrgUnit, title: str, params: dict) -> ExportJob:
    """Queue an export for `user` (the caller has checked the scope); the task starts after the commit."""
    from reports.tasks import run_export

    if kind not in KINDS:
        raise ValueError(kind)
    job = ExportJob.objects.create(user=user, kind=kind, unit=unit, title=title, params=params)
    # EXPORT_QUEUE lets a deployment give long PDF jobs their own worker, so they never delay the reminders.
    queue = getattr(settings, "EXPORT_QUEUE", "") or None
    transaction.on_commit(lambda: run_export.apply_async((job.pk,), queue=queue))
    return job


def _claim(job_id: int) -> bool:
    now = timezone.now()
    claimable = Q(state=ExportJob.QUEUED) | Q(state=ExportJob.RUNNING, started_at__lt=now - STALE)
    return bool(
        ExportJob.objects.filter(claimable, pk=job_id).update(state=ExportJob.RUNNING, started_at=now, progress=0)
    )


def run(job_id: int) -> str:
    """Build one job; returns its final state. Safe to call twice: the second call finds nothing to claim."""
    if not _claim(job_id):
        return ExportJob.objects.filter(pk=job_id).values_list("state", flat=True).first() or "missing"
    job = ExportJob.objects.select_related("user", "unit").get(pk=job_id)
    last = {"percent": 0}

    def progress(fraction: float):
        percent = max(0, min(99, int(fraction * 100)))
        if percent >= last["percent"] + 5:  # a write per 5 %, not per row
            last["percent"] = percent
            ExportJob.objects.filter(pk=job.pk).update(progress=percent)

    try:
        filename, data, people = KINDS[job.kind].build(job, progress)
    except Exception as exc:  # a failed export is shown to its user; the worker goes on
        log.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.FAILED, error=f"{type(exc).__name__}: {exc}"[:500], finished_at=timezone.now()
        )
        return ExportJob.FAILED
    job.file.save(f"{job.pk}-{filename}", ContentFile(data), save=False)
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.DONE,
        progress=100,
        file=job.file.name,
        size=len(data),
        people=people,
        title=filename,
        finished_at=timezone.now(),
    )
    audit(
        job.user,
        "report.export",
        job,
        unit=job.unit,
        object_repr=filename,
        changes={"kind": KINDS[job.kind].label, "people": people, "params": job.params},
    )
    return ExportJob.DONE


def purge_expired(now=None) -> int:
    """Delete jobs past their seven days, files first."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(expires_at__lte=now))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[j.pk for j in expired]).delete()
    return len(expired)
