"""Background exports ("我的导出") and the yearly roster submission (seed 000: townships submit their 名册 to the
county by a deadline)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from org.models import OrgUnit

EXPORT_DAYS = 7


def _expiry():
    return timezone.now() + datetime.timedelta(days=EXPORT_DAYS)


class ExportJob(models.Model):
    """A file built by a Celery task for one user; kept for seven days, downloadable only by that user."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATE_CHOICES = [(QUEUED, "排队中"), (RUNNING, "生成中"), (DONE, "已完成"), (FAILED, "失败")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField("类型", max_length=40)
    title = models.CharField("文件", max_length=200)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    params = models.JSONField(default=dict)
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    people = models.PositiveIntegerField("人数", null=True, blank=True)
    error = models.CharField("错误", max_length=500, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=_expiry, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="exportjob_user_recent")]

    def __str__(self):
        return self.title

    @property
    def active(self) -> bool:
        return self.state in (self.QUEUED, self.RUNNING)

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class RosterCall(models.Model):
    """The county's yearly call for rosters: which year, and by when townships must submit."""

    county = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="roster_calls")
    year = models.PositiveSmallIntegerField("年度")
    deadline = models.DateField("报送截止日期")
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "county__code"]
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="rostercall_one_per_year")]

    def __str__(self):
        return f"{self.county.name}{self.year}年度村级后备干部名册报送"


class RosterSubmission(models.Model):
    """One township's submitted roster: a frozen snapshot of its rows and the files made from them.

    A returned submission stays as history; the township then submits a new one. At most one submission per
    township and call is not returned."""

    SUBMITTED, ACCEPTED, RETURNED = "submitted", "accepted", "returned"
    STATE_CHOICES = [(SUBMITTED, "已报送"), (ACCEPTED, "已接收"), (RETURNED, "已退回")]

    call = models.ForeignKey(RosterCall, on_delete=models.PROTECT, related_name="submissions")
    township = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="roster_submissions")
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=SUBMITTED)
    on = models.DateField("名册日期")
    rows = models.JSONField(default=list)  # full values, as submitted; masked on output for who may not see them
    people = models.PositiveIntegerField("人数", default=0)
    xlsx = models.FileField(upload_to="rosters/%Y/", blank=True)
    pdf = models.FileField(upload_to="rosters/%Y/", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField("报送时间", default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField("退回理由", max_length=500, blank=True)

    class Meta:
        ordering = ["township__code", "-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "township"], condition=~Q(state="returned"), name="rostersubmission_one_live"
            )
        ]

    def __str__(self):
        return f"{self.township.name}{self.call.year}年度名册"

    @property
    def on_time(self) -> bool:
        return timezone.localtime(self.submitted_at).date() <= self.call.deadline
