"""结对帮带: quarterly mentoring entries on the foundation's pairings (附件2 结对帮扶情况) and heart-to-heart talks
(谈心谈话) of every kind the seeds ask for."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from notices.naming import name_with_post
from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from reserves.models import MentorPairing, ReserveRecord

QUARTER_CHOICES = [(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")]
QUARTER_LABELS = dict(QUARTER_CHOICES)


class MentoringEntryQuerySet(models.QuerySet):
    def for_user(self, user):
        """Entries of records the user may see (a mentor: of the reserves paired with them now)."""
        return self.filter(pairing__record__in=ReserveRecord.objects.for_user(user))


class MentoringEntry(models.Model):
    """One quarter of one pairing: 帮扶时间, 帮扶内容, 评定意见 (帮扶责任人 is the pairing's mentor)."""

    pairing = models.ForeignKey(MentorPairing, on_delete=models.PROTECT, related_name="mentoring_entries")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=QUARTER_CHOICES)
    date = models.DateField("帮扶时间")
    content = models.TextField("帮扶内容", max_length=2000)
    assessment = models.CharField("评定意见", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MentoringEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "结对帮扶情况"
        verbose_name_plural = "结对帮扶情况"
        ordering = ["year", "quarter", "date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "year", "quarter"], name="mentoring_one_entry_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="mentoring_quarter_1_4"),
        ]
        indexes = [models.Index(fields=["year", "quarter"])]

    def __str__(self):
        return f"{self.year}年{self.quarter_label} {self.pairing.record.person.name}"

    @property
    def quarter_label(self):
        return QUARTER_LABELS[self.quarter]

    @property
    def mentor_label(self):
        """帮扶责任人 as the 纪实表 writes it: "姓名 职务"."""
        return mentor_label(self.pairing)


def mentor_label(pairing: MentorPairing) -> str:
    return name_with_post(pairing.display_name, pairing.post)


# Talk kinds, with the seed each comes from.
KIND_MENTOR = "mentor"  # 导师谈心谈话 (QS, QL)
KIND_FULL_COVERAGE = "full_coverage"  # 乡镇党委书记每年全覆盖谈心谈话 (QS)
KIND_HALF_YEARLY = "half_yearly"  # 乡镇每半年逐一谈话 (QL)
KIND_COLLECTIVE = "collective"  # 每年一次集体谈话 (QL)
KIND_MONTHLY = "monthly"  # 导师每月了解情况 (3YR)
KIND_REGULAR = "regular"  # 经常性谈心谈话 by the village party secretary (QL §15 村党组织职责)
KIND_CHOICES = [
    (KIND_MENTOR, "导师谈心谈话"),
    (KIND_FULL_COVERAGE, "全覆盖谈心谈话"),
    (KIND_HALF_YEARLY, "半年谈话"),
    (KIND_COLLECTIVE, "集体谈话"),
    (KIND_MONTHLY, "每月了解情况"),
    (KIND_REGULAR, "经常性谈心谈话"),
]
KIND_LABELS = dict(KIND_CHOICES)
MENTOR_KINDS = (KIND_MENTOR, KIND_MONTHLY)  # what a mentor account may record
# What a village party secretary may record, with their own village's reserves only: the ordinary talks of QL §15
# ("开展经常性谈心谈话"); the township's full-coverage, half-yearly and collective talks are the township's.
VILLAGE_KINDS = (KIND_REGULAR,)
TOWNSHIP_KINDS = (KIND_FULL_COVERAGE, KIND_HALF_YEARLY, KIND_COLLECTIVE)
# The policy switch under which each talk kind is a duty of the county (None: a record any county may keep).
KIND_FLAGS = {
    KIND_MENTOR: "mentor_on",
    KIND_FULL_COVERAGE: "talk_full_coverage_yearly",
    KIND_HALF_YEARLY: "talk_township_half_yearly",
    KIND_COLLECTIVE: "talk_collective_yearly",
    KIND_MONTHLY: "talk_mentor_monthly",
    KIND_REGULAR: None,
}


class TalkQuerySet(models.QuerySet):
    def for_user(self, user):
        """Talks with at least one participant the user may see, and talks the user held or recorded."""
        visible = TalkParticipant.objects.filter(record__in=ReserveRecord.objects.for_user(user)).values("talk_id")
        cond = Q(pk__in=visible)
        if get_scope(user).has(roles.MENTOR):
            cond |= Q(held_by_user_id=user.pk) | Q(created_by_id=user.pk)
        return self.filter(cond)


class Talk(models.Model):
    """One talk (or one sitting of a talk) with one or many reserves."""

    kind = models.CharField("谈话类型", max_length=20, choices=KIND_CHOICES)
    date = models.DateField("谈话日期")
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name="组织单位",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="参加人员所在乡镇",
    )
    held_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="谈话人账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    held_by_name = models.CharField("谈话人姓名", max_length=50, blank=True)
    held_by_post = models.CharField("谈话人职务", max_length=60, blank=True)
    notes = models.TextField("谈话内容", max_length=4000)
    records = models.ManyToManyField(ReserveRecord, through="TalkParticipant", related_name="talks")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TalkQuerySet.as_manager()

    class Meta:
        verbose_name = "谈心谈话"
        verbose_name_plural = "谈心谈话"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(held_by_user__isnull=False) | ~Q(held_by_name=""), name="talk_has_holder"
            ),
        ]
        indexes = [models.Index(fields=["kind", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def held_by_label(self):
        """谈话人 as "姓名 职务"."""
        if self.held_by_user_id:
            name = self.held_by_user.display_name or self.held_by_user.username
        else:
            name = self.held_by_name
        return name_with_post(name, self.held_by_post)


class TalkParticipant(models.Model):
    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="participants")
    record = models.ForeignKey(ReserveRecord, on_delete=models.PROTECT, related_name="talk_participations")

    class Meta:
        verbose_name = "谈话对象"
        verbose_name_plural = "谈话对象"
        constraints = [models.UniqueConstraint(fields=["talk", "record"], name="talk_participant_once")]
        indexes = [models.Index(fields=["record", "talk"])]

    def __str__(self):
        return f"{self.talk} {self.record}"
