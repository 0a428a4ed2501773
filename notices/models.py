"""Public notices (公示) with their posting places and objections, and the county's working-day table.

Low in the layering: selection and priority use both post notices here and ask whether they may proceed."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from org.models import OrgUnit


class CalendarDay(models.Model):
    """A county's own entry for a date: a holiday (off) or a make-up working day (调休, on). Overrides the library;
    for years the library does not know, entering any day of the year makes that year exact."""

    HOLIDAY, WORKDAY = "holiday", "workday"
    KIND_CHOICES = [(HOLIDAY, "节假日（休息）"), (WORKDAY, "调休上班日")]

    county = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="calendar_days")
    date = models.DateField("日期")
    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES)
    note = models.CharField("说明", max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["county", "date"]
        constraints = [models.UniqueConstraint(fields=["county", "date"], name="calendar_day_uniq")]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user):
        """Notices of units in the user's subtree, and notices posted in a village of it (a village secretary sees
        the township's notice on the village board)."""
        from org import roles
        from org.scope import get_scope

        scope = get_scope(user)
        posted_here = NoticePlace.objects.filter(scope.q(roles.VIEW, "village__code")).values("notice_id")
        return self.filter(scope.q(roles.VIEW, "unit__code") | Q(pk__in=posted_here))


class Notice(models.Model):
    """One public notice period, posted in one or more places, counted in working days."""

    KIND_CANDIDATE, KIND_VILLAGE, KIND_USE = "candidate", "village", "use"
    KIND_CHOICES = [
        (KIND_CANDIDATE, "考察对象公示"),
        (KIND_VILLAGE, "后备干部村内公示"),
        (KIND_USE, "择优使用公示"),
    ]

    kind = models.CharField("类型", max_length=20, choices=KIND_CHOICES)
    # The unit that posts it (a township); scoping follows it.
    unit = models.ForeignKey(OrgUnit, verbose_name="发布单位", on_delete=models.PROTECT, related_name="notices")
    county = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # What the notice is about, as "app.model:pk" (e.g. "selection.round:12"), so any flow can find its notices.
    subject = models.CharField("公示事项", max_length=60, db_index=True)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("正文")
    start = models.DateField("张贴日期")
    working_days = models.PositiveSmallIntegerField("公示期（工作日）")
    posting_day_counts = models.BooleanField("张贴当日为工作日时计入", default=True)
    first_day = models.DateField("起算日")
    end = models.DateField("公示期满日")
    estimated = models.BooleanField("按周一至周五估算", default=False)
    contact = models.CharField("受理电话／地点", max_length=120, blank=True)
    # The table of names as posted (a snapshot: later edits to the people do not change a notice already posted).
    # `columns` are the header titles in order; each row maps some of them to text.
    columns = models.JSONField("名单表头", default=list, blank=True)
    rows = models.JSONField("公示名单", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="notice_end_after_start"),
        ]

    def __str__(self):
        return self.title


class NoticePlace(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="places")
    village = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.CharField("张贴地点", max_length=120)

    class Meta:
        ordering = ["notice", "id"]

    def __str__(self):
        return self.place


class Objection(models.Model):
    """An objection received during a notice period (异议), and how it was handled."""

    PENDING, UPHELD, REJECTED = "pending", "upheld", "rejected"
    RESULT_CHOICES = [
        (PENDING, "待处理"),
        (UPHELD, "异议属实"),
        (REJECTED, "异议不属实／已澄清"),
    ]

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField("收到日期")
    from_whom = models.CharField("反映人", max_length=60, blank=True, help_text="可匿名")
    about = models.CharField("涉及对象", max_length=60, blank=True)
    content = models.TextField("反映内容")
    handling = models.TextField("核查处理情况", blank=True)
    result = models.CharField("处理结果", max_length=10, choices=RESULT_CHOICES, default=PENDING)
    resolved_on = models.DateField("办结日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self):
        return f"{self.received_on} {self.about or self.content[:20]}"

    @property
    def is_open(self):
        return self.result == self.PENDING
