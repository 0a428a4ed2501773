"""Dynamic management (动态管理, QS §二(三)2–3, QL §11, §13–14): removal, priority use and transfer as approval
chains. Each chain is an explicit state machine (`TRANSITIONS` below, one service function per transition in
services.py); `Step` keeps who did what and when, per item.

A chain belongs to the village its reserve sat in when it was proposed (`village`); scoping follows it (and the target
village for uses and transfers, so the receiving township sees what comes to it)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from notices.models import Notice
from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from reserves.models import Filing, Flag, ReserveRecord

VILLAGE, TOWNSHIP = "village", "township"
INITIATED_CHOICES = [(VILLAGE, "村（社区）党组织提出"), (TOWNSHIP, "乡镇党委直接提出")]

# Removal grounds, in each seed's own words, grouped by the seed (and article) that names them. Codes are stored in
# Removal.grounds: the nine codes of the first version (political … other) keep their meaning, so removals stored
# before the seeds' full lists display as they did. Under QL §11 a ground allows removal after weighing the case
# ("视具体情况作出处理直至取消资格"); it never forces one.
GROUND_GROUPS = [
    (
        "QS2017",
        "青神县工作方案（二(三)2）",
        "对以下情形，由村（社区）党组织提出调整建议，取消其资格，并跟进补充。",
        [
            ("political", "政治立场不坚定"),
            ("performance", "现实表现不好"),
            ("recognition", "群众公认度不高"),
        ],
    ),
    (
        "QL2022",
        "清流县管理办法第十一条",
        "存在以下情形之一的，将视具体情况作出处理直至取消资格。",
        [
            ("ql11_incompetent", "不能胜任工作的"),
            ("ql11_complaints", "群众意见较大的"),
            ("ql11_time", "工作时间无法保证的"),
            (
                "absence",
                "旷工或者因公外出、请假期满无正当理由逾期不归连续超过十五天，或者一年内累计超过三十天的",
            ),
            ("ql11_disobey", "工作不服从合理安排或不执行上级有关要求的"),
            ("ql11_discipline", "其他不遵守工作纪律行为的"),
        ],
    ),
    (
        "QL2022",
        "清流县管理办法第十四条",
        "因以下原因取消资格的，从取消之日下月起停发相应的报酬待遇。",
        [
            ("resigned", "主动辞职"),
            ("inability", "无法胜任"),
            ("discipline", "涉嫌违纪违法"),
        ],
    ),
    (
        "QL2022",
        "清流县管理办法第十五条（年底评估）",
        "对考评不称职的，取消村级后备干部资格。",
        [("appraisal", "年度考核（评估）不称职")],
    ),
    (
        "3YR2024",
        "村党组织书记后备力量三年行动方案",
        "结合日常了解、考核评估等情况，及时进行调整。",
        [("unsuitable", "存在不适宜作为后备力量的")],
    ),
    ("", "其他", "", [("other", "其他")]),
]
GROUND_CHOICES = [choice for _seed, _title, _intro, choices in GROUND_GROUPS for choice in choices]
GROUND_LABELS = dict(GROUND_CHOICES)


def ground_groups_for(preset: str | None) -> list[tuple[str, str, list[tuple[str, str]], bool]]:
    """The groups of grounds as a county's form offers them: its own seed's first (marked as its own), then the
    other seeds', then 其他. (title, intro, choices, own)."""
    groups = [(seed, title, intro, choices) for seed, title, intro, choices in GROUND_GROUPS]
    own = [g for g in groups if preset and g[0] == preset]
    rest = [g for g in groups if g not in own]
    return [(title, intro, choices, True) for _s, title, intro, choices in own] + [
        (title, intro, choices, False) for _s, title, intro, choices in rest
    ]


# Which ground a removal flag (reserves.Flag) stands for; ageing out has no ground of its own.
FLAG_GROUNDS = {
    Flag.APPRAISAL: "appraisal",
    Flag.ABSENCE: "absence",
    Flag.INABILITY: "inability",
    Flag.AGE_OUT: "other",
}

# Positions a reserve may be used for (QS §二(三)3), by the kind of the target village.
POSITIONS_CUN = [
    ("cun_secretary", "村党组织书记"),
    ("cun_deputy", "村党组织副书记"),
    ("cun_member", "村党组织委员"),
    ("cun_director", "村民委员会主任"),
    ("cun_committee", "村民委员会委员"),
]
POSITIONS_SHEQU = [
    ("sq_secretary", "社区党组织书记"),
    ("sq_deputy", "社区党组织副书记"),
    ("sq_member", "社区党组织委员"),
    ("sq_director", "社区居民委员会主任"),
    ("sq_committee", "社区居民委员会委员"),
]
POSITION_CHOICES = POSITIONS_CUN + POSITIONS_SHEQU
# Members of a villagers' or residents' committee are elected by law (村民委员会组织法): never appointed.
ELECTED_ONLY = {"cun_director", "cun_committee", "sq_director", "sq_committee"}
POSITIONS_BY_KIND = {OrgUnit.KIND_CUN: POSITIONS_CUN, OrgUnit.KIND_SHEQU: POSITIONS_SHEQU}
OCCASION_CHOICES = [("election", "村（社区）“两委”集中换届"), ("vacancy", "届中出缺")]
DEPARTMENT_CHOICES = [
    ("discipline", "纪检监察"),
    ("political_legal", "政法"),
    ("civil_affairs", "民政"),
    ("health", "卫健"),
    ("petitions", "信访"),
    ("environment", "环保"),
    ("other", "其他部门"),
]
DEPARTMENT_LABELS = dict(DEPARTMENT_CHOICES)
# Whose opinions a use hears (QS §二(三)3 "注重听取村（社区）“两委”班子成员、党员群众代表及纪检、政法…等部门意见"):
# the village's two committees and the party members' and villagers' representatives beside the departments. Stored in
# UseOpinion.department (the field predates the village sources; its name is kept so stored opinions stay valid).
VILLAGE_SOURCES = [("two_committees", "村（社区）“两委”班子成员"), ("member_reps", "党员群众代表")]
OPINION_SOURCE_CHOICES = [("村（社区）", VILLAGE_SOURCES), ("有关部门", DEPARTMENT_CHOICES)]
OPINION_SOURCES = VILLAGE_SOURCES + DEPARTMENT_CHOICES
OPINION_SOURCE_LABELS = dict(OPINION_SOURCES)


class ChainQuerySet(models.QuerySet):
    scope_fields: tuple[str, ...] = ("village__code",)

    def for_user(self, user, perm=roles.VIEW):
        scope = get_scope(user)
        cond = Q(pk__in=[])
        for field in self.scope_fields:
            cond |= scope.q(perm, field)
        return self.filter(cond)

    def open(self):
        return self.filter(state__in=self.model.OPEN_STATES)


class RemovalQuerySet(ChainQuerySet):
    scope_fields = ("village__code",)


class UseQuerySet(ChainQuerySet):
    scope_fields = ("village__code", "target_village__code")


class TransferQuerySet(ChainQuerySet):
    scope_fields = ("village__code", "target_village__code")


class Chain(models.Model):
    """What every approval chain keeps: the reserve, where it sat, who proposed, the county filing, returns and
    withdrawals. The states and transitions are each subclass's own."""

    record = models.ForeignKey(ReserveRecord, verbose_name="后备干部", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(OrgUnit, verbose_name="所在村（社区）", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=20)
    initiated_by = models.CharField("提出方", max_length=10, choices=INITIATED_CHOICES, default=VILLAGE)
    initiator_note = models.CharField("乡镇直接提出的原因", max_length=300, blank=True)
    proposed_at = models.DateTimeField("提出时间", default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filing = models.ForeignKey(
        Filing, verbose_name="报县委组织部备案", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.CharField("退回理由", max_length=500, blank=True)
    returned_step = models.CharField("退回环节", max_length=10, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    close_reason = models.CharField("撤回或办结说明", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES

    @property
    def state_label(self):
        return dict(self.STATE_CHOICES).get(self.state, self.state)

    @property
    def subject(self):
        return f"{self._meta.app_label}.{self._meta.model_name}:{self.pk}"


class Removal(Chain):
    """取消资格: the village proposes → the township approves → the county files → the record ends as removed."""

    PROPOSED, APPROVED, FILED, RETURNED, WITHDRAWN = "proposed", "approved", "filed", "returned", "withdrawn"
    STATE_CHOICES = [
        (PROPOSED, "待乡镇党委审批"),
        (APPROVED, "乡镇党委已同意，待县委组织部备案"),
        (FILED, "已备案，资格已取消"),
        (RETURNED, "已退回"),
        (WITHDRAWN, "已撤回"),
    ]
    OPEN_STATES = (PROPOSED, APPROVED, RETURNED)

    grounds = models.JSONField("取消理由", default=list)
    account = models.TextField("具体情况说明")
    flags = models.ManyToManyField(Flag, verbose_name="据以提出的提示", blank=True, related_name="+")
    township_note = models.CharField("乡镇党委审批意见", max_length=500, blank=True)
    ended_on = models.DateField("取消资格日期", null=True, blank=True)

    objects = RemovalQuerySet.as_manager()

    class Meta:
        verbose_name = "取消资格"
        verbose_name_plural = "取消资格"
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(state__in=("proposed", "approved", "returned")),
                name="one_open_removal_per_record",
            ),
            models.CheckConstraint(
                condition=Q(state__in=("proposed", "approved", "filed", "returned", "withdrawn")),
                name="removal_state_known",
            ),
            models.CheckConstraint(
                condition=~Q(state="filed") | Q(ended_on__isnull=False), name="removal_filed_has_date"
            ),
        ]
        indexes = [models.Index(fields=["state"], name="removal_state")]

    def __str__(self):
        return f"{self.record.person.name} 取消资格"

    @property
    def ground_labels(self):
        return [GROUND_LABELS.get(g, g) for g in self.grounds]


class Use(Chain):
    """择优使用: the village recommends → the township approves → the county files → a notice in both villages →
    elected or appointed (the record ends as used) or not (the reserve stays in the pool)."""

    PROPOSED, APPROVED, FILED, NOTICE = "proposed", "approved", "filed", "notice"
    USED, NOT_USED, RETURNED, WITHDRAWN = "used", "not_used", "returned", "withdrawn"
    STATE_CHOICES = [
        (PROPOSED, "待乡镇党委审批"),
        (APPROVED, "乡镇党委已同意，待县委组织部备案"),
        (FILED, "已备案，待公示"),
        (NOTICE, "公示中"),
        (USED, "已任职"),
        (NOT_USED, "未任职，仍在库"),
        (RETURNED, "已退回"),
        (WITHDRAWN, "已撤回"),
    ]
    OPEN_STATES = (PROPOSED, APPROVED, FILED, NOTICE, RETURNED)

    ELECTED, APPOINTED, NOT_ELECTED, OBJECTION = "elected", "appointed", "not_elected", "objection_upheld"
    OUTCOME_CHOICES = [
        (ELECTED, "依法选举当选"),
        (APPOINTED, "任命（聘任）"),
        (NOT_ELECTED, "未当选"),
        (OBJECTION, "公示异议属实，不予使用"),
    ]

    target_village = models.ForeignKey(
        OrgUnit, verbose_name="拟任职村（社区）", on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField("拟任职务", max_length=20, choices=POSITION_CHOICES)
    occasion = models.CharField("时机", max_length=10, choices=OCCASION_CHOICES)
    recommendation = models.TextField("推荐意见")
    cross_reason = models.CharField("跨村统筹理由", max_length=300, blank=True)
    township_note = models.CharField("乡镇党委审批意见", max_length=500, blank=True)
    notice = models.ForeignKey(
        Notice, verbose_name="公示", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField("结果", max_length=20, choices=OUTCOME_CHOICES, blank=True)
    outcome_on = models.DateField("结果日期", null=True, blank=True)

    objects = UseQuerySet.as_manager()

    class Meta:
        verbose_name = "择优使用"
        verbose_name_plural = "择优使用"
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(state__in=("proposed", "approved", "filed", "notice", "returned")),
                name="one_open_use_per_record",
            ),
            models.CheckConstraint(
                condition=Q(
                    state__in=("proposed", "approved", "filed", "notice", "used", "not_used", "returned", "withdrawn")
                ),
                name="use_state_known",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=("used", "not_used")) | (~Q(outcome="") & Q(outcome_on__isnull=False)),
                name="use_outcome_recorded",
            ),
        ]
        indexes = [models.Index(fields=["state"], name="use_state")]

    def __str__(self):
        return f"{self.record.person.name} 拟任{self.target_village.name}{self.get_position_display()}"


class UseOpinion(models.Model):
    """An opinion heard on a use: the village's “两委”班子成员, 党员群众代表, or a department (纪检、政法、民政、卫健、
    信访、环保 and others)."""

    use = models.ForeignKey(Use, on_delete=models.CASCADE, related_name="opinions")
    department = models.CharField("意见来源", max_length=20, choices=OPINION_SOURCES)
    department_name = models.CharField("部门名称", max_length=60, blank=True, help_text="“其他部门”时填写")
    agrees = models.BooleanField("是否同意")
    opinion = models.CharField("意见", max_length=500)
    given_on = models.DateField("日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "有关方面意见"
        verbose_name_plural = "有关方面意见"
        ordering = ["use", "id"]

    def __str__(self):
        return f"{self.label}：{'同意' if self.agrees else '不同意'}"

    @property
    def label(self):
        if self.department == "other" and self.department_name:
            return self.department_name
        return OPINION_SOURCE_LABELS.get(self.department, "其他")

    @property
    def from_village(self) -> bool:
        return self.department in dict(VILLAGE_SOURCES)


class Transfer(Chain):
    """调动. Within one township the township decides and the move is made at once; across townships the source
    township proposes → the receiving township agrees → the county approves (through its filing inbox) → moved."""

    PROPOSED, TARGET_APPROVED, DONE, RETURNED, WITHDRAWN = "proposed", "target_ok", "done", "returned", "withdrawn"
    STATE_CHOICES = [
        (PROPOSED, "待调入乡镇同意"),
        (TARGET_APPROVED, "调入乡镇已同意，待县委组织部审批"),
        (DONE, "已调动"),
        (RETURNED, "已退回"),
        (WITHDRAWN, "已撤回"),
    ]
    OPEN_STATES = (PROPOSED, TARGET_APPROVED, RETURNED)

    target_village = models.ForeignKey(
        OrgUnit, verbose_name="调入村（社区）", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("调动原因", max_length=500)
    target_note = models.CharField("调入乡镇意见", max_length=500, blank=True)
    moved_on = models.DateField("调动日期", null=True, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = "调动"
        verbose_name_plural = "调动"
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(state__in=("proposed", "target_ok", "returned")),
                name="one_open_transfer_per_record",
            ),
            models.CheckConstraint(
                condition=Q(state__in=("proposed", "target_ok", "done", "returned", "withdrawn")),
                name="transfer_state_known",
            ),
            models.CheckConstraint(condition=~Q(state="done") | Q(moved_on__isnull=False), name="transfer_done_dated"),
        ]

    def __str__(self):
        return f"{self.record.person.name} 调往{self.target_village.name}"

    @property
    def crosses_townships(self):
        return self.village.code[:9] != self.target_village.code[:9]


class Step(models.Model):
    """One step of a chain: who did what, when, with what note (shown on the item and on the record's page). The
    audit log has the same entries; this table is what the pages read, in one query per item."""

    subject = models.CharField("事项", max_length=60, db_index=True)
    record = models.ForeignKey(ReserveRecord, on_delete=models.PROTECT, related_name="+")
    action = models.CharField("操作", max_length=30)
    label = models.CharField("环节", max_length=60)
    state = models.CharField("办理后状态", max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField("办理人", max_length=150)
    at = models.DateTimeField("时间", default=timezone.now)
    note = models.CharField("意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["record", "at"], name="step_record_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.label}"
