"""An uploaded import between preview and confirmation: the file (under MEDIA_ROOT, never served), the rows as read,
the preview as shown. It belongs to the user who uploaded it and expires; nothing reaches Person until confirmed."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from org.models import OrgUnit

PREVIEW_HOURS = 24


def _expiry():
    return timezone.now() + datetime.timedelta(hours=PREVIEW_HOURS)


def _upload_to(instance, filename):
    # The user's file name is kept in original_name; on disk a random name (no path tricks, no collisions).
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.xlsx"


class ImportBatch(models.Model):
    PREVIEW, DONE, DISCARDED, EXPIRED = "preview", "done", "discarded", "expired"
    STATE_CHOICES = [(PREVIEW, "待确认"), (DONE, "已导入"), (DISCARDED, "已放弃"), (EXPIRED, "已过期")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_batches")
    unit = models.ForeignKey(OrgUnit, verbose_name="导入范围", on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小", default=0)
    file = models.FileField(upload_to=_upload_to, blank=True)
    # enroll (bool), reserve_type, entered_on (ISO), override (text): what the user chose on upload
    options = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)  # parser.ParsedSheet.as_json(): the cells as read
    preview = models.JSONField(default=list, blank=True)  # one dict per row, as the preview shows it (masked)
    notes = models.JSONField(default=list, blank=True)  # about the file: the sheet read, columns not imported, merges
    rows = models.PositiveIntegerField("行数", default=0)
    new_count = models.PositiveIntegerField("新增", default=0)
    update_count = models.PositiveIntegerField("更新", default=0)
    error_count = models.PositiveIntegerField("错误", default=0)
    record_count = models.PositiveIntegerField("入库", default=0)
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=PREVIEW)
    message = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    expires_at = models.DateTimeField(default=_expiry, db_index=True)
    confirmed_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="importbatch_user_recent")]

    def __str__(self):
        return self.original_name

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def confirmable(self) -> bool:
        return self.state == self.PREVIEW and not self.expired and self.error_count == 0 and self.rows > 0
