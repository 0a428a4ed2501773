import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from notices.naming import name_with_post
from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from reserves import choices as C


class PersonQuerySet(models.QuerySet):
    def for_user(self, user, perm=roles.VIEW):
        """People in the user's subtree (by their village), or, for mentors, those paired with them."""
        scope = get_scope(user)
        cond = scope.q(perm, "village__code") if scope.has(perm) else Q(pk__in=[])
        if perm == roles.VIEW and scope.has(roles.MENTOR):
            paired = MentorPairing.objects.current().filter(mentor_user_id=user.pk).values("record__person_id")
            cond |= Q(pk__in=paired)
        return self.filter(cond)


class Person(models.Model):
    """One person (一人一档), keyed by the normalised ID number. Birth date and sex are derived from it."""

    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    sex = models.CharField("性别", max_length=1, choices=C.SEX_CHOICES, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    native_place = models.CharField("籍贯", max_length=60, blank=True)
    birthplace = models.CharField("出生地", max_length=60, blank=True)
    political_status = models.CharField("政治面貌", max_length=20, choices=C.POLITICAL_CHOICES, default="masses")
    party_joined = models.DateField("入党时间", null=True, blank=True)
    work_started = models.DateField("参加工作时间", null=True, blank=True)
    health = models.CharField("健康状况", max_length=30, default="健康")
    occupation = models.CharField("从事职业", max_length=60, blank=True)
    specialty = models.CharField("熟悉专业有何专长", max_length=200, blank=True)
    education = models.CharField("学历", max_length=20, choices=C.EDUCATION_CHOICES)
    school_major = models.CharField("毕业院校及专业", max_length=120, blank=True)
    photo = models.ImageField("照片", upload_to="photos/%Y/", blank=True)
    phone = models.CharField("电话号码", max_length=11, blank=True)
    source_group = models.CharField("身份", max_length=40, choices=C.SOURCE_CHOICES)
    source_group_other = models.CharField("其他身份说明", max_length=60, blank=True)
    # The village the person belongs to now; scoping of people follows it.
    village = models.ForeignKey(
        OrgUnit,
        verbose_name="所在村（社区）",
        on_delete=models.PROTECT,
        related_name="people",
        limit_choices_to={"level": roles.VILLAGE},
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PersonQuerySet.as_manager()

    # What a clerk may enter, in the order the form shows it (the 纪实表 identity block plus 身份 and the village).
    EDITABLE_FIELDS = [
        "name",
        "id_number",
        "village",
        "ethnicity",
        "native_place",
        "birthplace",
        "political_status",
        "party_joined",
        "work_started",
        "health",
        "occupation",
        "specialty",
        "education",
        "school_major",
        "source_group",
        "source_group_other",
        "phone",
        "photo",
    ]

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["birth_date"])]

    def __str__(self):
        return self.name

    @property
    def source_label(self):
        if self.source_group == C.SOURCE_OTHER and self.source_group_other:
            return self.source_group_other
        return self.get_source_group_display()

    @property
    def is_party_member(self):
        return self.political_status in C.PARTY_STATUSES

    def age_on(self, on: datetime.date) -> int:
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


class ReserveRecordQuerySet(models.QuerySet):
    def for_user(self, user, perm=roles.VIEW):
        scope = get_scope(user)
        cond = scope.q(perm, "village__code") if scope.has(perm) else Q(pk__in=[])
        if perm == roles.VIEW and scope.has(roles.MENTOR):
            cond |= Q(pk__in=MentorPairing.objects.current().filter(mentor_user_id=user.pk).values("record_id"))
        return self.filter(cond)

    def open(self):
        return self.filter(ended_on__isnull=True)

    def in_pool(self, unit: OrgUnit | None = None, on: datetime.date | None = None):
        """Records in the pool of `unit`'s subtree on date `on` (default today), by where they were placed that day.

        The one query every roster, review and dashboard uses: a transfer or a removal after `on` does not change it."""
        on = on or timezone.localdate()
        placement = Q(placements__start__lte=on) & (Q(placements__end__isnull=True) | Q(placements__end__gt=on))
        if unit is not None:
            placement &= Q(placements__village__code__startswith=unit.code)
        return self.filter(entered_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on)).filter(placement)


class ReserveRecord(models.Model):
    """One stint of a person in the pool, of one type."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="records")
    reserve_type = models.CharField("类型", max_length=30, choices=C.RESERVE_TYPE_CHOICES)
    village = models.ForeignKey(
        OrgUnit,
        verbose_name="村（社区）",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="当前所在村；历史见调动记录",
    )
    entered_on = models.DateField("入库日期")
    entry_method = models.CharField("入库方式", max_length=20, choices=C.ENTRY_CHOICES)
    entry_reason = models.CharField("入库说明", max_length=500, blank=True)
    status = models.CharField("状态", max_length=20, choices=C.STATUS_CHOICES, default=C.STATUS_ACTIVE)
    ended_on = models.DateField("出库日期", null=True, blank=True)
    end_reason = models.CharField("出库原因", max_length=500, blank=True)
    policy = models.ForeignKey(
        "CountyPolicy",
        verbose_name="入库时适用的政策版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    eligibility = models.JSONField("入库时资格审查结果", default=list, blank=True)
    eligibility_override = models.CharField("资格例外说明", max_length=500, blank=True)
    # The 名册's 备注 column (附件1): the county's or township's own remark on this record, printed as written.
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReserveRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "后备干部记录"
        verbose_name_plural = "后备干部记录"
        ordering = ["-entered_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "reserve_type"],
                condition=Q(ended_on__isnull=True),
                name="one_open_record_per_person_type",
            ),
            models.CheckConstraint(
                condition=(Q(status=C.STATUS_ACTIVE) & Q(ended_on__isnull=True))
                | (~Q(status=C.STATUS_ACTIVE) & Q(ended_on__isnull=False)),
                name="record_status_matches_end",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("entered_on")),
                name="record_end_after_entry",
            ),
        ]
        indexes = [models.Index(fields=["status", "reserve_type"])]

    def __str__(self):
        return f"{self.person.name}（{self.get_reserve_type_display()}）"

    @property
    def is_open(self):
        return self.ended_on is None


class ReservePlacement(models.Model):
    """Where a record sat from `start` until `end` (exclusive). Transfers and merges close one and open the next."""

    record = models.ForeignKey(ReserveRecord, on_delete=models.CASCADE, related_name="placements")
    village = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="placements")
    start = models.DateField("起始日期")
    end = models.DateField("终止日期", null=True, blank=True)
    reason = models.CharField("原因", max_length=20, choices=C.PLACEMENT_REASONS, default="entry")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["record", "start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record"], condition=Q(end__isnull=True), name="one_open_placement"),
        ]
        indexes = [models.Index(fields=["start", "end"])]

    def __str__(self):
        return f"{self.village} {self.start}—{self.end or ''}"


class MentorPairingQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gt=on))


class MentorPairing(models.Model):
    """结对帮带: a mentor (an account with the mentor role, or a named person without one) for a reserve record."""

    record = models.ForeignKey(ReserveRecord, on_delete=models.CASCADE, related_name="pairings")
    mentor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="帮带干部账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    mentor_name = models.CharField("帮带干部姓名", max_length=50, blank=True)
    mentor_kind = models.CharField("帮带类型", max_length=30, choices=C.MENTOR_KIND_CHOICES)
    post = models.CharField("职务", max_length=60)
    start = models.DateField("起始日期", default=timezone.localdate)
    end = models.DateField("终止日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MentorPairingQuerySet.as_manager()

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mentor_user__isnull=False) | ~Q(mentor_name=""), name="pairing_has_mentor"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="pairing_end_after_start"
            ),
        ]

    def __str__(self):
        return name_with_post(self.display_name, self.post)

    @property
    def display_name(self):
        if self.mentor_user_id:
            return self.mentor_user.display_name or self.mentor_user.username
        return self.mentor_name


class CountyPolicyQuerySet(models.QuerySet):
    def in_force(self, county: OrgUnit, on: datetime.date):
        return self.filter(county=county, effective_from__lte=on).order_by("-effective_from", "-id").first()


class CountyPolicy(models.Model):
    """A county's rules, versioned by `effective_from`. A rule is always evaluated against the version in force on
    the date in question; later issues read the fields they need from here."""

    WARN, BLOCK = "warn", "block"
    MODE_CHOICES = [(WARN, "提醒（可确认后继续）"), (BLOCK, "不符合即不通过")]
    PARTY_NONE, PARTY_ANY, PARTY_FULL = "none", "any", "full"
    PARTY_CHOICES = [(PARTY_NONE, "不要求"), (PARTY_ANY, "中共党员（含预备党员）"), (PARTY_FULL, "中共正式党员")]
    VOTE_FOUR, VOTE_THREE = "four_grade", "for_against"
    VOTE_CHOICES = [(VOTE_FOUR, "优秀／称职／基本称职／不称职"), (VOTE_THREE, "赞成／不赞成／弃权")]
    WINDOW_ROLLING, WINDOW_CALENDAR = "rolling", "calendar"
    WINDOW_CHOICES = [(WINDOW_ROLLING, "自入库起滚动计算"), (WINDOW_CALENDAR, "每个自然年")]
    MENTOR_ONE, MENTOR_PAIR = "one", "leader_and_cadre"
    MENTOR_CHOICES = [(MENTOR_ONE, "至少1名帮带干部"), (MENTOR_PAIR, "1名乡镇领导联系＋1名村干部结对")]
    # How training days meet training_min_days: one training alone (QS "1次…不少于5天"); one training or the sessions
    # of one 轮训 programme together (3YR "全覆盖轮训一遍…不少于3天"); every counting training of the window added up
    # (how versions stored before the rule flags read it; kept so their history does not change).
    COUNT_SINGLE, COUNT_PROGRAMME, COUNT_SUM = "single", "programme", "sum"
    COUNT_MODE_CHOICES = [
        (COUNT_SINGLE, "须有1次培训达到最少天数"),
        (COUNT_PROGRAMME, "1次培训或同一轮训班各期合计达到最少天数"),
        (COUNT_SUM, "周期内各次培训合计达到最少天数"),
    ]

    county = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="policies")
    effective_from = models.DateField("生效日期")
    preset = models.CharField("依据", max_length=20, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    # Rules: duties a seed imposes. Each has an explicit on/off flag (`*_on`, or the talk booleans, or
    # `ql7_checklist`) and, when on, the values after it. reserves/policy.py RULES names them and their seed phrases;
    # every consumer asks the flag, never "is the value zero".
    target_on = models.BooleanField("每村储备目标", default=False)
    target_village_reserve = models.PositiveSmallIntegerField("每村村级后备干部目标数", default=0)
    target_secretary_reserve = models.PositiveSmallIntegerField("每村书记后备力量目标数", default=0)
    target_committee_reserve = models.PositiveSmallIntegerField("每村“两委”后备力量目标数", default=0)

    age_on = models.BooleanField("年龄条件", default=False)
    age_limit = models.PositiveSmallIntegerField("年龄上限（周岁）", null=True, blank=True)
    age_mode = models.CharField("不符合年龄条件时", max_length=10, choices=MODE_CHOICES, default=WARN)
    young_per_village = models.BooleanField("每村至少1名年轻书记后备力量", default=False)
    young_age = models.PositiveSmallIntegerField("“年轻”年龄线（周岁）", default=35)
    education_on = models.BooleanField("学历条件", default=False)
    education_floor = models.CharField("最低学历", max_length=20, choices=C.EDUCATION_CHOICES, blank=True)
    education_mode = models.CharField("不符合学历条件时", max_length=10, choices=MODE_CHOICES, default=WARN)
    party_on = models.BooleanField("党员条件", default=False)
    party_requirement = models.CharField("党员要求", max_length=10, choices=PARTY_CHOICES, default=PARTY_NONE)
    party_mode = models.CharField("不符合党员条件时", max_length=10, choices=MODE_CHOICES, default=WARN)
    ql7_checklist = models.BooleanField("十种不得确定为后备干部的情形", default=False)
    reselection_ban_on = models.BooleanField("取消资格后限制再选拔", default=False)
    reselection_ban_years = models.PositiveSmallIntegerField("取消资格后不得再选拔年限", default=0)

    # Settings: procedure every county needs whatever its seed. Never "off"; nonsense is refused in clean().
    notice_candidate_days = models.PositiveSmallIntegerField("考察对象公示（工作日）", default=3)
    notice_village_days = models.PositiveSmallIntegerField("村内公示（工作日）", default=3)
    notice_use_days = models.PositiveSmallIntegerField("择优使用公示（工作日）", default=5)
    notice_posting_day_counts = models.BooleanField("张贴当日为工作日时计入", default=True)
    objection_blocks = models.BooleanField("未处理的异议阻止下一步", default=True)
    vote_scale = models.CharField("测评票种", max_length=20, choices=VOTE_CHOICES, default=VOTE_FOUR)
    quorum_percent = models.PositiveSmallIntegerField("实到人数须超过应到人数的（%）", default=50)
    selection_filing_required = models.BooleanField("选拔结果先报县委组织部备案再入库", default=False)
    quarter_grace_working_days = models.PositiveSmallIntegerField("季度评议宽限（工作日）", default=10)
    filing_wait_working_days = models.PositiveSmallIntegerField("备案等待提醒（工作日）", default=5)
    training_counting_forms = models.JSONField("计入的培训方式", default=list, blank=True)

    training_on = models.BooleanField("培训要求", default=False)
    training_window = models.CharField("培训周期", max_length=10, choices=WINDOW_CHOICES, default=WINDOW_CALENDAR)
    training_window_years = models.PositiveSmallIntegerField("培训周期（年）", default=1)
    training_min_days = models.DecimalField("培训最少天数", max_digits=4, decimal_places=1, default=0)
    training_count_mode = models.CharField(
        "培训天数的计算", max_length=10, choices=COUNT_MODE_CHOICES, default=COUNT_SINGLE
    )
    shadowing_on = models.BooleanField("到乡镇跟班学习", default=False)
    shadowing_days_per_year = models.PositiveSmallIntegerField("每年到乡镇跟班学习天数", default=0)
    mentor_on = models.BooleanField("结对帮带", default=False)
    mentor_rule = models.CharField("结对要求", max_length=20, choices=MENTOR_CHOICES, default=MENTOR_ONE)
    talk_full_coverage_yearly = models.BooleanField("乡镇党委书记每年全覆盖谈心谈话", default=False)
    talk_township_half_yearly = models.BooleanField("乡镇每半年逐一谈话", default=False)
    talk_collective_yearly = models.BooleanField("每年一次集体谈话", default=False)
    talk_mentor_monthly = models.BooleanField("导师每月了解情况", default=False)
    quarter_review_on = models.BooleanField("季度评议", default=False)
    quarter_mentoring_on = models.BooleanField("每季度结对帮扶记录", default=False)
    annual_appraisal_on = models.BooleanField("年度考核（评估）", default=False)

    leave_routing_on = models.BooleanField("请销假分级审批", default=False)
    leave_village_max_days = models.PositiveSmallIntegerField("村党组织书记可批假天数", default=1)
    absence_on = models.BooleanField("缺勤取消资格界限", default=False)
    absence_consecutive_days = models.PositiveSmallIntegerField("连续缺勤超过（天）", default=15)
    absence_year_days = models.PositiveSmallIntegerField("一年累计缺勤超过（天）", default=30)
    inability_report_on = models.BooleanField("不能履职情况报告", default=False)
    report_inability_days = models.PositiveSmallIntegerField("不能履职情况报告时限（天）", default=5)
    stipend_on = models.BooleanField("后备干部补贴", default=False)
    stipend_county_monthly = models.PositiveIntegerField("县级补贴（元/月）", default=0)
    stipend_township_monthly = models.PositiveIntegerField("乡镇补贴（元/月）", default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CountyPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = "县级政策"
        verbose_name_plural = "县级政策"
        ordering = ["county", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["county", "effective_from"], name="policy_one_per_day")]

    def __str__(self):
        return f"{self.county.name} {self.effective_from:%Y-%m-%d} 起施行"

    def clean(self):
        """Refuse nonsense: a setting is never "off", and a rule that is on has the values it needs."""
        errors = {}

        def need(field, ok, message):
            if not ok:
                errors.setdefault(field, message)

        for name in ("notice_candidate_days", "notice_village_days", "notice_use_days"):
            value = getattr(self, name)
            need(name, value is not None and 1 <= value <= 30, "公示时间须为1至30个工作日。")
        need("quorum_percent", self.quorum_percent is not None and 1 <= self.quorum_percent <= 99, "须为1至99。")
        need("quarter_grace_working_days", (self.quarter_grace_working_days or 0) <= 60, "宽限期不能超过60个工作日。")
        need(
            "filing_wait_working_days",
            self.filing_wait_working_days is not None and 1 <= self.filing_wait_working_days <= 60,
            "须为1至60个工作日。",
        )
        if self.target_on:
            need(
                "target_village_reserve",
                any(self.target_for(t) for t in ("village_reserve", "secretary_reserve", "committee_reserve")),
                "开启“每村储备目标”时，至少为一种后备干部类型设置目标数。",
            )
        if self.age_on:
            need("age_limit", self.age_limit is not None and 18 <= self.age_limit <= 70, "请填写18至70之间的年龄上限。")
            need("young_age", 18 <= (self.young_age or 0) <= 60, "请填写18至60之间的年龄线。")
        if self.education_on:
            need("education_floor", bool(self.education_floor), "开启学历条件时须选择最低学历。")
        if self.party_on:
            need("party_requirement", self.party_requirement != self.PARTY_NONE, "开启党员条件时须选择党员要求。")
        if self.reselection_ban_on:
            need("reselection_ban_years", 1 <= (self.reselection_ban_years or 0) <= 20, "请填写1至20年。")
        if self.training_on:
            need("training_min_days", (self.training_min_days or 0) > 0, "开启培训要求时，最少天数须大于0。")
            need("training_window_years", 1 <= (self.training_window_years or 0) <= 10, "培训周期须为1至10年。")
        if self.shadowing_on:
            need("shadowing_days_per_year", 1 <= (self.shadowing_days_per_year or 0) <= 366, "请填写1至366天。")
        if self.leave_routing_on:
            need("leave_village_max_days", 1 <= (self.leave_village_max_days or 0) <= 30, "请填写1至30天。")
        if self.absence_on:
            need("absence_consecutive_days", (self.absence_consecutive_days or 0) >= 1, "须至少为1天。")
            need("absence_year_days", (self.absence_year_days or 0) >= 1, "须至少为1天。")
        if self.inability_report_on:
            need("report_inability_days", 1 <= (self.report_inability_days or 0) <= 30, "请填写1至30天。")
        if self.stipend_on:
            need(
                "stipend_county_monthly",
                (self.stipend_county_monthly or 0) + (self.stipend_township_monthly or 0) > 0,
                "开启补贴时，至少填写一项补贴金额。",
            )
        if errors:
            raise ValidationError(errors)

    # The rules as the eligibility and flag code reads them: on, and with the values they need.
    @property
    def age_rule(self) -> bool:
        return self.age_on and self.age_limit is not None

    @property
    def age_blocks(self) -> bool:
        return self.age_rule and self.age_mode == self.BLOCK

    @property
    def young_rule(self) -> bool:
        return self.age_on and self.young_per_village

    @property
    def education_rule(self) -> bool:
        return self.education_on and bool(self.education_floor)

    @property
    def party_rule(self) -> bool:
        return self.party_on and self.party_requirement != self.PARTY_NONE

    @property
    def ban_years(self) -> int:
        return self.reselection_ban_years if self.reselection_ban_on else 0

    def target_for(self, reserve_type: str) -> int:
        """The village target for a reserve type; 0 when the county sets none (or the target rule is off)."""
        if not self.target_on:
            return 0
        return {
            "village_reserve": self.target_village_reserve,
            "secretary_reserve": self.target_secretary_reserve,
            "committee_reserve": self.target_committee_reserve,
        }[reserve_type]


class FilingQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(get_scope(user).q(roles.VIEW, "unit__code"))


class Filing(models.Model):
    """Something a township reports to the county for filing (报县委组织部备案): selection results, removals, uses."""

    SUBMITTED, FILED, RETURNED = "submitted", "filed", "returned"
    STATE_CHOICES = [(SUBMITTED, "待备案"), (FILED, "已备案"), (RETURNED, "已退回")]
    KIND_CHOICES = [("selection", "选拔结果"), ("removal", "取消资格"), ("use", "择优使用"), ("transfer", "跨乡镇调动")]

    kind = models.CharField("类型", max_length=20, choices=KIND_CHOICES)
    subject = models.CharField("事项", max_length=60, db_index=True)
    title = models.CharField("标题", max_length=200)
    unit = models.ForeignKey(OrgUnit, verbose_name="报送单位", on_delete=models.PROTECT, related_name="filings")
    county = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=SUBMITTED)
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField("办理意见", max_length=500, blank=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = "备案"
        verbose_name_plural = "备案"
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subject"], condition=Q(state="submitted"), name="one_open_filing"),
        ]
        # The county's inbox: waiting items of one county, oldest first.
        indexes = [models.Index(fields=["county", "state", "submitted_at"], name="filing_inbox")]

    def __str__(self):
        return self.title


class FlagQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(record__in=ReserveRecord.objects.for_user(user))

    def open(self):
        return self.filter(resolved_on__isnull=True)


class Flag(models.Model):
    """Grounds for removal raised by the cultivation and management records (不称职 appraisal, absence beyond the QL
    limits, a village's report that a reserve cannot perform, ageing out). The removal flow offers open flags as
    pre-filled grounds; `source` ("app.model:pk") says which record raised it, so a scan raises it once."""

    APPRAISAL, ABSENCE, INABILITY, AGE_OUT = "appraisal", "absence", "inability", "age_out"
    KIND_CHOICES = [
        (APPRAISAL, "年度考核不称职"),
        (ABSENCE, "无故缺勤或超假超过规定"),
        (INABILITY, "村（社区）报告不能正常履职"),
        (AGE_OUT, "即将超过年龄上限"),
    ]

    record = models.ForeignKey(ReserveRecord, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField("类型", max_length=20, choices=KIND_CHOICES)
    source = models.CharField("来源", max_length=60)
    reason = models.CharField("说明", max_length=500)
    raised_on = models.DateField("提出日期")
    resolved_on = models.DateField("处理日期", null=True, blank=True)
    resolution = models.CharField("处理情况", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = "取消资格提示"
        verbose_name_plural = "取消资格提示"
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "kind", "source"], name="one_flag_per_source"),
        ]

    def __str__(self):
        return f"{self.record} {self.get_kind_display()}"
