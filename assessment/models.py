"""Assessment (考核评议) and attendance (考勤): quarterly reviews with their township submissions, annual appraisals,
leave (请销假), absences and a village's reports that a reserve cannot perform (QS 精心管理, QL §10, §11, §15).

Everything hangs off a reserve record (one stint in the pool) and names the village it was entered for, so a
record's history follows it when it moves, and rows of a past village stay where they were entered."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from reserves.models import ReserveRecord

# 季度评议 ratings (QS 附件2 keeps a village and a township opinion for each quarter).
RATING_CHOICES = [("good", "好"), ("fairly_good", "较好"), ("average", "一般"), ("poor", "差")]
RATING_LABELS = dict(RATING_CHOICES)

# 年度考核结果: the four-grade scale of DOMAIN.md (QL uses 称职 / 不称职 only; both fit).
INCOMPETENT = "incompetent"
APPRAISAL_CHOICES = [("excellent", "优秀"), ("competent", "称职"), ("basic", "基本称职"), (INCOMPETENT, "不称职")]
APPRAISAL_LABELS = dict(APPRAISAL_CHOICES)

QUARTER_LABELS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}年{QUARTER_LABELS[quarter]}"


class ByVillageQuerySet(models.QuerySet):
    def for_user(self, user, perm=roles.VIEW):
        return self.filter(get_scope(user).q(perm, "village__code"))


class ByRecordQuerySet(models.QuerySet):
    def for_user(self, user, perm=roles.VIEW):
        return self.filter(record__in=ReserveRecord.objects.for_user(user, perm))


class QuarterReview(models.Model):
    """The village and the township opinion on one reserve for one quarter (季度评议)."""

    record = models.ForeignKey(ReserveRecord, on_delete=models.CASCADE, related_name="quarter_reviews")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    village = models.ForeignKey(
        OrgUnit, verbose_name="评议时所在村（社区）", on_delete=models.PROTECT, related_name="+"
    )
    village_potential = models.TextField("村（社区）意见：发展潜力", blank=True)
    village_shortcomings = models.TextField("村（社区）意见：主要不足", blank=True)
    village_rating = models.CharField("村（社区）评定", max_length=20, choices=RATING_CHOICES, blank=True)
    village_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    village_at = models.DateTimeField(null=True, blank=True)
    township_potential = models.TextField("乡镇意见：发展潜力", blank=True)
    township_shortcomings = models.TextField("乡镇意见：主要不足", blank=True)
    township_rating = models.CharField("乡镇评定", max_length=20, choices=RATING_CHOICES, blank=True)
    township_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    township_at = models.DateTimeField(null=True, blank=True)

    objects = ByRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "季度评议"
        verbose_name_plural = "季度评议"
        ordering = ["record", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["record", "year", "quarter"], name="one_review_per_record_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="review_quarter_1_to_4"),
            models.CheckConstraint(
                condition=Q(village_rating__in=["", *RATING_LABELS]) & Q(township_rating__in=["", *RATING_LABELS]),
                name="review_rating_on_scale",
            ),
        ]
        indexes = [models.Index(fields=["year", "quarter"])]

    def __str__(self):
        return f"{self.record.person.name} {quarter_label(self.year, self.quarter)}评议"

    def opinion_text(self, side: str) -> str:
        """One cell of the 纪实表: "发展潜力：…；主要不足：…；评定：较好" ("" when nothing is entered)."""
        return opinion_text(
            getattr(self, f"{side}_potential"),
            getattr(self, f"{side}_shortcomings"),
            getattr(self, f"{side}_rating"),
        )


def opinion_text(potential: str, shortcomings: str, rating: str) -> str:
    if not (potential or shortcomings or rating):
        return ""
    return f"发展潜力：{potential or '—'}；主要不足：{shortcomings or '—'}；评定：{RATING_LABELS.get(rating, '—')}"


class QuarterSubmission(models.Model):
    """A township's quarter (按乡镇提交). The row also serialises writes to the quarter: every save locks it."""

    OPEN, SUBMITTED, REOPENED = "open", "submitted", "reopened"
    STATE_CHOICES = [(OPEN, "未提交"), (SUBMITTED, "已提交"), (REOPENED, "县委组织部已重新开放")]

    township = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=OPEN)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField("重新开放时间", null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopen_reason = models.CharField("重新开放理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "季度评议提交"
        verbose_name_plural = "季度评议提交"
        constraints = [
            models.UniqueConstraint(fields=["township", "year", "quarter"], name="one_submission_per_quarter"),
        ]

    def __str__(self):
        return f"{self.township} {quarter_label(self.year, self.quarter)} {self.get_state_display()}"


class AnnualAppraisal(models.Model):
    """年度考核结果, entered by the township. 不称职 raises a removal flag."""

    record = models.ForeignKey(ReserveRecord, on_delete=models.CASCADE, related_name="appraisals")
    year = models.PositiveSmallIntegerField("年度")
    result = models.CharField("考核结果", max_length=20, choices=APPRAISAL_CHOICES)
    village = models.ForeignKey(
        OrgUnit, verbose_name="考核时所在村（社区）", on_delete=models.PROTECT, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    objects = ByRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["record", "year"]
        constraints = [
            models.UniqueConstraint(fields=["record", "year"], name="one_appraisal_per_record_year"),
            models.CheckConstraint(condition=Q(result__in=list(APPRAISAL_LABELS)), name="appraisal_on_scale"),
        ]

    def __str__(self):
        return f"{self.record.person.name} {self.year}年度考核{self.get_result_display()}"

    @property
    def flag_source(self) -> str:
        return f"assessment.appraisal:{self.pk}"


class Leave(models.Model):
    """请假 (QL §10), entered by the village for a reserve (reserves have no accounts). Approval and 销假 are
    separate: a leave is approved (or refused) by the right person, and closed with the date the reserve came back."""

    # NOT_REQUIRED: entered under a county policy without QL §10's leave routing — kept as an attendance record,
    # nobody approves it.
    PENDING, APPROVED, REJECTED, NOT_REQUIRED = "pending", "approved", "rejected", "not_required"
    STATE_CHOICES = [(PENDING, "待审批"), (APPROVED, "已批准"), (REJECTED, "不予批准"), (NOT_REQUIRED, "无需审批")]

    record = models.ForeignKey(ReserveRecord, on_delete=models.CASCADE, related_name="leaves")
    village = models.ForeignKey(OrgUnit, verbose_name="村（社区）", on_delete=models.PROTECT, related_name="+")
    start = models.DateField("请假开始日期")
    end = models.DateField("请假结束日期")
    reason = models.CharField("请假事由", max_length=300)
    state = models.CharField("审批", max_length=12, choices=STATE_CHOICES, default=PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    returned_on = models.DateField("销假（返岗）日期", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ByVillageQuerySet.as_manager()

    class Meta:
        verbose_name = "请假"
        verbose_name_plural = "请假"
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="leave_end_after_start"),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=models.F("start")),
                name="leave_return_after_start",
            ),
        ]
        indexes = [models.Index(fields=["record", "start"])]

    def __str__(self):
        return f"{self.record.person.name} 请假{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}"

    @property
    def days(self) -> int:
        """Calendar days, both ends included."""
        return (self.end - self.start).days + 1

    @property
    def is_closed(self) -> bool:
        return self.returned_on is not None

    def overdue_days(self, on: datetime.date) -> int:
        """Days past the end without 销假, up to `on` (the day of return itself is not absent)."""
        if self.state == self.REJECTED:
            return 0
        last = (self.returned_on - datetime.timedelta(days=1)) if self.returned_on else on
        return max(0, (min(last, on) - self.end).days)


class Absence(models.Model):
    """Days absent (旷工) for the QL §11 thresholds: recorded directly, or the overstay of a leave not closed in time
    (from the day after its end until the day before 销假; while not closed, `end` is empty and it runs to today).

    The services keep a record's absences and leaves from overlapping, so day counts are plain sums."""

    DIRECT, OVERSTAY = "direct", "overstay"
    KIND_CHOICES = [(DIRECT, "缺勤（旷工）"), (OVERSTAY, "请假逾期未销假")]

    record = models.ForeignKey(ReserveRecord, on_delete=models.CASCADE, related_name="absences")
    village = models.ForeignKey(OrgUnit, verbose_name="村（社区）", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES, default=DIRECT)
    leave = models.OneToOneField(Leave, null=True, blank=True, on_delete=models.CASCADE, related_name="overstay")
    start = models.DateField("起始日期")
    end = models.DateField("终止日期", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ByVillageQuerySet.as_manager()

    class Meta:
        verbose_name = "缺勤"
        verbose_name_plural = "缺勤"
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="absence_end_after_start"
            ),
            models.CheckConstraint(
                condition=(Q(kind="direct") & Q(end__isnull=False) & Q(leave__isnull=True))
                | (Q(kind="overstay") & Q(leave__isnull=False)),
                name="absence_kind_shape",
            ),
        ]
        indexes = [models.Index(fields=["record", "start"])]

    def __str__(self):
        return f"{self.record.person.name} {self.get_kind_display()} {self.start:%Y-%m-%d}"

    def days(self, on: datetime.date) -> int:
        if self.start > on:
            return 0
        return (min(self.end or on, on) - self.start).days + 1


class InabilityReport(models.Model):
    """A village's report that a reserve cannot perform (QL §15: within 5 days of finding out)."""

    record = models.ForeignKey(ReserveRecord, on_delete=models.CASCADE, related_name="inability_reports")
    village = models.ForeignKey(OrgUnit, verbose_name="报告的村（社区）", on_delete=models.PROTECT, related_name="+")
    found_on = models.DateField("发现日期")
    reported_on = models.DateField("报告日期")
    reason = models.CharField("不能正常履职的情况", max_length=500)
    limit_days = models.PositiveSmallIntegerField("报告时限（天）")
    late = models.BooleanField("逾期报告", default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ByVillageQuerySet.as_manager()

    class Meta:
        verbose_name = "不能履职报告"
        verbose_name_plural = "不能履职报告"
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(reported_on__gte=models.F("found_on")), name="report_after_finding"),
        ]

    def __str__(self):
        return f"{self.record.person.name} 不能履职报告 {self.reported_on:%Y-%m-%d}"

    @property
    def days_taken(self) -> int:
        return (self.reported_on - self.found_on).days

    @property
    def days_late(self) -> int:
        return max(0, self.days_taken - self.limit_days)
