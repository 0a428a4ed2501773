"""Reminders: one in-app notification per (kind, subject, period, recipient), and one outbox row per message sent
through another channel (e-mail, SMS, 政务微信).

- `Notification` is written by the scan in the same transaction that claims its unique key (an INSERT that ignores
  conflicts on `notification_once`): a beat that fires twice, two workers or a retried task cannot double it. `batch`
  tells the inserting transaction which rows it won.
- `Outbox` rows are created only by the transaction that inserted their notification (so also exactly once), then
  claimed pending → sending with a conditional UPDATE before the channel is called, and marked sent after. A crash in
  between leaves the row `sending`; the next sweep marks it `unknown` and never sends it again (at most once)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reminders.kinds import CHANNEL_CHOICES, KIND_CHOICES


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("类型", max_length=30, choices=KIND_CHOICES)
    # What it is about, as "app.model:pk" (e.g. "notices.notice:12"), and the period it is for ("2026Q4", a date, "").
    subject = models.CharField("事项", max_length=60)
    period = models.CharField("期间", max_length=20, blank=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    # Denormalised code of the unit the subject belongs to, so county admins see their subtree's log by prefix.
    unit_code = models.CharField("单位代码", max_length=12, blank=True)
    created_at = models.DateTimeField("提醒时间", default=timezone.now)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    # The scan transaction that inserted the row (rows it lost to a concurrent insert keep the winner's batch).
    batch = models.CharField(max_length=32, db_index=True, editable=False)

    class Meta:
        verbose_name = "站内提醒"
        verbose_name_plural = "站内提醒"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject", "period", "recipient"], name="notification_once"),
        ]
        indexes = [
            # The bell: unread rows of one user (a partial index keeps it small: read rows are most rows).
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["unit_code"], name="notification_unit_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["-created_at"], name="notification_created"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Outbox(models.Model):
    """One message to one address through one channel."""

    PENDING, SENDING, SENT, FAILED, UNKNOWN = "pending", "sending", "sent", "failed", "unknown"
    STATE_CHOICES = [
        (PENDING, "待发送"),
        (SENDING, "发送中"),
        (SENT, "已发送"),
        (FAILED, "发送失败"),
        (UNKNOWN, "发送中断，未确认"),
    ]

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=10, choices=CHANNEL_CHOICES)
    address = models.CharField("地址", max_length=254)
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField("开始发送", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    error = models.CharField("错误", max_length=500, blank=True)
    batch = models.CharField(max_length=32, editable=False)

    class Meta:
        verbose_name = "外发消息"
        verbose_name_plural = "外发消息"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="outbox_once_per_channel"),
        ]
        indexes = [
            models.Index(fields=["state", "claimed_at"], name="outbox_state"),
            models.Index(fields=["batch", "state"], name="outbox_batch"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.address}（{self.get_state_display()}）"


class Preference(models.Model):
    """A user's opt-out of one channel for one kind (no row: on)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=30, choices=KIND_CHOICES)
    channel = models.CharField("渠道", max_length=10, choices=CHANNEL_CHOICES)

    class Meta:
        verbose_name = "提醒退订"
        verbose_name_plural = "提醒退订"
        constraints = [models.UniqueConstraint(fields=["user", "kind", "channel"], name="preference_once")]

    def __str__(self):
        return f"{self.user} 不接收 {self.get_kind_display()}（{self.get_channel_display()}）"


class ChannelAddress(models.Model):
    """Where a user receives SMS or 政务微信 messages (e-mail uses the account's address)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField("渠道", max_length=10, choices=CHANNEL_CHOICES)
    address = models.CharField("地址", max_length=100)

    class Meta:
        verbose_name = "接收地址"
        verbose_name_plural = "接收地址"
        constraints = [models.UniqueConstraint(fields=["user", "channel"], name="channel_address_once")]

    def __str__(self):
        return f"{self.user} {self.get_channel_display()}"
