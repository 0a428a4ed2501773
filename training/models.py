"""Training (培训) and practice (实践锻炼) of reserves.

A training event is recorded once (form, period, days, content, organiser, organising unit) and many reserve records
are enrolled in it; one person's own training is an event with a single enrolment (`is_individual`). Practice
assignments belong to one record each; 跟班学习（乡镇） assignments of one record never overlap (the service refuses),
so the shadowing rule can add their days up."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from reserves import choices as C
from reserves.models import ReserveRecord

# The codes CountyPolicy.training_counting_forms uses: owned by reserves.choices.
FORM_CHOICES = C.TRAINING_FORM_CHOICES
FORM_LABELS = dict(FORM_CHOICES)

SHADOWING = "shadowing"
PRACTICE_KIND_CHOICES = [
    ("village_affairs", "村务工作"),
    ("public_service", "公共服务"),
    ("key_project", "重点项目（产业发展、脱贫攻坚、征地拆迁、信访维稳）"),
    ("assistant", "助理岗位（村书记助理、集体经济协管员）"),
    (SHADOWING, "跟班学习（乡镇）"),
]


def visible_event_q(user, perm=roles.VIEW) -> Q:
    """Events organised in the user's subtree, and events of the units above it (a county training is seen by every
    township and village of the county; a township's by its villages), never a sibling township's."""
    scope = get_scope(user)
    cond = scope.q(perm, "unit__code") if scope.has(perm) else Q(pk__in=[])
    ancestors = {code for grant in scope.units(perm) for code in OrgUnit(code=grant.code).ancestor_codes()}
    if ancestors:
        cond |= Q(unit__code__in=sorted(ancestors))
    return cond


class TrainingEventQuerySet(models.QuerySet):
    def for_user(self, user, perm=roles.VIEW):
        return self.filter(visible_event_q(user, perm))


class TrainingProgramme(models.Model):
    """A 轮训 programme (3YR "每年至少全覆盖轮训一遍,培训时间不少于3天"): one rotation of a year, held in sessions
    (TrainingEvent.programme). Under the COUNT_PROGRAMME rule the days of one person's sessions of one programme add
    up; unrelated trainings never do. Scoped like events: a township sees its own and its county's."""

    name = models.CharField("轮训班名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name="组织单位",
        on_delete=models.PROTECT,
        related_name="training_programmes",
        help_text="组织该轮训的乡镇或县",
    )
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TrainingEventQuerySet.as_manager()

    class Meta:
        verbose_name = "轮训班次"
        verbose_name_plural = "轮训班次"
        ordering = ["-year", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "name"], name="one_programme_name_per_unit_year")
        ]

    def __str__(self):
        return f"{self.year}年 {self.name}"


class TrainingEvent(models.Model):
    form = models.CharField("培训方式", max_length=20, choices=FORM_CHOICES)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    days = models.DecimalField("培训天数", max_digits=4, decimal_places=1)
    content = models.CharField("培训内容", max_length=300)
    organiser = models.CharField("主办单位", max_length=100, help_text="如：县委组织部、县委党校、××镇党委")
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name="组织单位",
        on_delete=models.PROTECT,
        related_name="training_events",
        help_text="录入和管理该培训的乡镇或县",
    )
    is_individual = models.BooleanField("个人培训", default=False)
    # PROTECT: deleting a programme would silently split its sessions and change who meets the 轮训 rule.
    programme = models.ForeignKey(
        TrainingProgramme,
        verbose_name="所属轮训班次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TrainingEventQuerySet.as_manager()

    class Meta:
        verbose_name = "培训"
        verbose_name_plural = "培训"
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["start", "end"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="training_end_after_start"),
            models.CheckConstraint(condition=Q(days__gt=0), name="training_days_positive"),
        ]

    def __str__(self):
        return f"{self.get_form_display()}：{self.content}"

    @property
    def period(self) -> str:
        return period_text(self.start, self.end)


def period_text(start, end) -> str:
    """As the record sheet writes it: 2026.03.01—03.05; 2025.12.30—2026.01.02 across years; one day alone."""
    if end is None:
        return f"{start:%Y.%m.%d}—至今"
    if start == end:
        return f"{start:%Y.%m.%d}"
    if start.year == end.year:
        return f"{start:%Y.%m.%d}—{end:%m.%d}"
    return f"{start:%Y.%m.%d}—{end:%Y.%m.%d}"


class EnrolmentQuerySet(models.QuerySet):
    def for_user(self, user, perm=roles.VIEW):
        return self.filter(record__in=ReserveRecord.objects.for_user(user, perm))


class Enrolment(models.Model):
    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="enrolments")
    record = models.ForeignKey(ReserveRecord, on_delete=models.PROTECT, related_name="training_enrolments")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = "参训人员"
        verbose_name_plural = "参训人员"
        ordering = ["event", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "record"], name="one_enrolment_per_event")]

    def __str__(self):
        return f"{self.record} · {self.event}"


class PracticeQuerySet(models.QuerySet):
    def for_user(self, user, perm=roles.VIEW):
        return self.filter(record__in=ReserveRecord.objects.for_user(user, perm))


class PracticeAssignment(models.Model):
    record = models.ForeignKey(ReserveRecord, on_delete=models.PROTECT, related_name="practice_assignments")
    kind = models.CharField("锻炼类型", max_length=20, choices=PRACTICE_KIND_CHOICES)
    content = models.CharField("具体内容", max_length=300)
    performance = models.CharField("主要表现", max_length=500, blank=True)
    assessment = models.CharField("评定意见", max_length=300, blank=True)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True, help_text="仍在进行的留空")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PracticeQuerySet.as_manager()

    class Meta:
        verbose_name = "实践锻炼"
        verbose_name_plural = "实践锻炼"
        ordering = ["record", "start", "id"]
        indexes = [models.Index(fields=["record", "kind", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="practice_end_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.content}"

    @property
    def period(self) -> str:
        return period_text(self.start, self.end)
