"""Selection rounds (选拔): the QS pipeline 三推两选两公示 and the QL variant (报名、考试、协审、县级决定).

A round belongs to a township and covers some of its villages. People arrive as candidacies (one per person and
round) through nominations; candidates who fail stay here with their reasons and never become reserve records."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from notices.models import Notice
from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from reserves.choices import RESERVE_TYPE_CHOICES
from reserves.models import CountyPolicy, Person, ReserveRecord

KIND_QS, KIND_QL = "qs", "ql"
KIND_CHOICES = [(KIND_QS, "三推两选两公示"), (KIND_QL, "个人报名、考试考察（清流县办法）")]

# Stages in order, per kind. Each transition in services.py moves a round one step along its list.
STAGES = {
    KIND_QS: [
        ("announced", "发布公告、三推"),
        ("review", "资格审查"),
        ("evaluation", "党员群众评选"),
        ("selection", "组织挑选：确定考察对象"),
        ("notice1", "考察对象公示"),
        ("inspection", "组织考察"),
        ("decision", "乡镇党委会研究决定"),
        ("notice2", "村内公示"),
        ("filing", "报县委组织部备案"),
        ("closed", "已入库"),
    ],
    KIND_QL: [
        ("announced", "发布公告、个人报名"),
        ("review", "乡镇初审"),
        ("exam", "笔试、面试"),
        ("joint_review", "有关部门协审"),
        ("decision", "县人才工作领导小组研究决定"),
        ("closed", "已入库"),
    ],
}
# For lists across kinds; a round's own labels come from its kind (Round.label_of).
STAGE_LABELS = {key: label for stages in reversed(STAGES.values()) for key, label in stages} | {"cancelled": "已终止"}

CHANNEL_VILLAGE, CHANNEL_MASSES, CHANNEL_SELF = "village_org", "members_masses", "self"
CHANNEL_CHOICES = [
    (CHANNEL_VILLAGE, "村党组织推荐"),
    (CHANNEL_MASSES, "党员群众推荐"),
    (CHANNEL_SELF, "个人自我推荐"),
]

VOTE_OPTIONS = {
    CountyPolicy.VOTE_FOUR: [
        ("excellent", "优秀"),
        ("competent", "称职"),
        ("basic", "基本称职"),
        ("incompetent", "不称职"),
    ],
    CountyPolicy.VOTE_THREE: [("for", "赞成"), ("against", "不赞成"), ("abstain", "弃权")],
}
# The options that count as approval when ranking.
APPROVING = {"excellent", "competent", "for"}

ATTENDEE_CATEGORIES = [("village_cadres", "村干部"), ("member_reps", "党员代表"), ("villager_reps", "村（居）民代表")]


class RoundQuerySet(models.QuerySet):
    def for_user(self, user, perm=roles.VIEW):
        """Rounds of townships in scope, and rounds that cover a village in scope (a village secretary's)."""
        scope = get_scope(user)
        by_village = Round.villages.through.objects.filter(scope.q(perm, "orgunit__code")).values("round_id")
        return self.filter(scope.q(perm, "township__code") | Q(pk__in=by_village))


class Round(models.Model):
    township = models.ForeignKey(OrgUnit, verbose_name="乡镇", on_delete=models.PROTECT, related_name="rounds")
    villages = models.ManyToManyField(OrgUnit, verbose_name="涉及村（社区）", related_name="selection_rounds")
    kind = models.CharField("程序", max_length=10, choices=KIND_CHOICES, default=KIND_QS)
    reserve_type = models.CharField("后备干部类型", max_length=30, choices=RESERVE_TYPE_CHOICES)
    title = models.CharField("标题", max_length=120)
    announcement = models.TextField("公告正文")
    announced_on = models.DateField("公告日期")
    nomination_deadline = models.DateField("报名（推荐）截止日期")
    stage = models.CharField("阶段", max_length=20, default="announced")
    policy = models.ForeignKey(
        CountyPolicy, verbose_name="适用政策", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staffing_note = models.TextField("两委职数配备情况", blank=True)
    inspection_team = models.CharField("考察组成员", max_length=300, blank=True)
    inspection_date = models.DateField("考察日期", null=True, blank=True)
    decision_date = models.DateField("会议日期", null=True, blank=True)
    decision_text = models.TextField("研究决定", blank=True)
    notice1 = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notice2 = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField("完成日期", null=True, blank=True)
    cancel_reason = models.CharField("终止原因", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = "选拔"
        verbose_name_plural = "选拔"
        ordering = ["-announced_on", "-id"]
        indexes = [models.Index(fields=["stage"])]

    def __str__(self):
        return self.title

    @property
    def stages(self):
        return STAGES[self.kind]

    def label_of(self, stage: str) -> str:
        return dict(self.stages).get(stage) or STAGE_LABELS.get(stage, stage)

    @property
    def stage_label(self):
        return self.label_of(self.stage)

    @property
    def stage_index(self):
        keys = [k for k, _ in self.stages]
        return keys.index(self.stage) if self.stage in keys else -1

    @property
    def subject(self):
        return f"selection.round:{self.pk}"


class CandidacyQuerySet(models.QuerySet):
    def for_user(self, user, perm=roles.VIEW):
        return self.filter(get_scope(user).q(perm, "village__code"))


class Candidacy(models.Model):
    NOMINATED, QUALIFIED, FAILED, WITHDRAWN = "nominated", "qualified", "failed", "withdrawn"
    INSPECTION, NOT_SELECTED, DECIDED, ENTERED = "inspection", "not_selected", "decided", "entered"
    STATE_CHOICES = [
        (NOMINATED, "待资格审查"),
        (QUALIFIED, "资格审查通过"),
        (FAILED, "资格审查未通过"),
        (WITHDRAWN, "已退出"),
        (INSPECTION, "考察对象"),
        (NOT_SELECTED, "未被确定"),
        (DECIDED, "确定为后备干部"),
        (ENTERED, "已入库"),
    ]
    ACTIVE = [NOMINATED, QUALIFIED, INSPECTION, DECIDED]

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="candidacies")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="candidacies")
    village = models.ForeignKey(OrgUnit, verbose_name="拟任村（社区）", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=20, choices=STATE_CHOICES, default=NOMINATED)
    cross_village_reason = models.CharField("跨村统筹理由", max_length=300, blank=True)
    ban_override = models.CharField("再选拔限制例外理由", max_length=300, blank=True)
    # 资格审查
    eligibility = models.JSONField("资格审查结果", default=list, blank=True)
    checklist = models.JSONField("十种情形核查", null=True, blank=True)
    review_note = models.CharField("审查意见", max_length=500, blank=True)
    reviewed_on = models.DateField("审查日期", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # 党员群众评选
    votes = models.JSONField("测评票数", default=dict, blank=True)
    approval = models.DecimalField("赞成率（%）", max_digits=5, decimal_places=1, null=True, blank=True)
    # 清流县办法：笔试、面试、协审
    written_score = models.DecimalField("笔试成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    interview_score = models.DecimalField("面试成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    joint_review_ok = models.BooleanField("协审通过", null=True, blank=True)
    joint_review_note = models.CharField("协审意见", max_length=500, blank=True)
    # 组织考察
    findings = models.TextField("考察情况", blank=True)
    exit_reason = models.CharField("退出或未确定的原因", max_length=500, blank=True)
    record = models.ForeignKey(ReserveRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = CandidacyQuerySet.as_manager()

    class Meta:
        verbose_name = "候选人"
        verbose_name_plural = "候选人"
        ordering = ["village__code", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="one_candidacy_per_round")]

    def __str__(self):
        return f"{self.person.name}（{self.round.title}）"

    @property
    def subject(self):
        return f"selection.candidacy:{self.pk}"

    @property
    def total_score(self):
        if self.written_score is None or self.interview_score is None:
            return None
        return self.written_score + self.interview_score


class Nomination(models.Model):
    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="nominations")
    channel = models.CharField("推荐渠道", max_length=20, choices=CHANNEL_CHOICES)
    nominated_by = models.CharField("推荐人／单位", max_length=120)
    nominated_on = models.DateField("推荐日期")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["candidacy", "id"]
        constraints = [models.UniqueConstraint(fields=["candidacy", "channel"], name="one_nomination_per_channel")]

    def __str__(self):
        return f"{self.get_channel_display()}：{self.nominated_by}"

    @property
    def subject(self):
        return f"selection.nomination:{self.pk}"


class EvaluationMeeting(models.Model):
    """村干部、党员代表和村（居）民代表会议: one per village of the round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="meetings")
    village = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    date = models.DateField("会议日期")
    place = models.CharField("会议地点", max_length=120)
    categories = models.JSONField("参会人员类别", default=list)
    expected = models.PositiveIntegerField("应到人数")
    present = models.PositiveIntegerField("实到人数")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["round", "village__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "village"], name="one_meeting_per_village"),
            models.CheckConstraint(condition=Q(present__lte=models.F("expected")), name="present_not_over_expected"),
        ]

    def __str__(self):
        return f"{self.village} {self.date}"

    @property
    def subject(self):
        return f"selection.meeting:{self.pk}"
