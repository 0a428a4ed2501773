"""Eligibility that explains itself, in two forms kept in step by tests:

- `check_eligibility(person, policy, on=...)` for one person: each condition with pass / warn / fail and a reason;
- `annotate_eligibility(queryset, policy, on)` for lists and dashboards: the same verdicts as database expressions.

Both use the same cut-off dates (reserves.dates), so they cannot disagree at a boundary."""

import datetime
from dataclasses import asdict, dataclass, field

from django.db.models import Case, CharField, Exists, OuterRef, Value, When

from reserves import choices as C
from reserves.dates import add_years_forward, shift_years_back
from reserves.models import CountyPolicy, ReserveRecord

PASS, WARN, FAIL = "pass", "warn", "fail"
STATUS_LABELS = {PASS: "符合", WARN: "需确认", FAIL: "不符合"}

# QL §7: ten cases that disqualify (seed 001).
QL7_ITEMS = [
    ("criminal", "曾受过刑事处罚或劳动教养"),
    ("investigated", "正在被审查调查（侦查）"),
    ("expelled", "受到开除党籍处分或党纪政务处分影响期未满"),
    ("dismissed", "受撤职及以上政务处分"),
    ("unqualified_member", "近3年内被评议为不合格党员且被劝退、除名，或仍在限期改正"),
    ("cult", "参与邪教、非法宗教组织及其活动，或非法组织参与集体上访"),
    ("bully", "涉及“村霸”、涉黑涉恶，或宗族房头势力干预村务"),
    ("vote_buying", "换届中拉票贿选，操纵、干扰、破坏选举"),
    ("bad_character", "政治素质和道德品质差，多数党员、群众不认可"),
    ("other", "法律法规和党内法规规定的其他不宜情形"),
]


@dataclass
class Condition:
    key: str
    label: str
    status: str
    reason: str

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


@dataclass
class EligibilityResult:
    policy_id: int | None
    on: datetime.date
    conditions: list[Condition] = field(default_factory=list)

    @property
    def status(self) -> str:
        statuses = {c.status for c in self.conditions}
        return FAIL if FAIL in statuses else WARN if WARN in statuses else PASS

    @property
    def failures(self):
        return [c for c in self.conditions if c.status == FAIL]

    @property
    def warnings(self):
        return [c for c in self.conditions if c.status == WARN]

    def __bool__(self):
        return self.status != FAIL

    def as_json(self) -> list[dict]:
        return [asdict(c) for c in self.conditions]


def age_cutoff(policy: CountyPolicy, on: datetime.date) -> datetime.date:
    """People born after this date are within the age limit on `on`."""
    return shift_years_back(on, policy.age_limit + 1)


def ban_cutoff(policy: CountyPolicy, on: datetime.date) -> datetime.date:
    """A removal that ended after this date still bans re-selection on `on`."""
    return shift_years_back(on, policy.ban_years)


def _mode(mode: str) -> str:
    return FAIL if mode == CountyPolicy.BLOCK else WARN


def party_ok(policy: CountyPolicy, political_status: str) -> bool:
    if policy.party_requirement == CountyPolicy.PARTY_FULL:
        return political_status == "member"
    if policy.party_requirement == CountyPolicy.PARTY_ANY:
        return political_status in C.PARTY_STATUSES
    return True


def check_eligibility(
    person,
    policy: CountyPolicy | None,
    *,
    on: datetime.date,
    checklist: dict[str, bool] | None = None,
    last_removed_on: datetime.date | None = ...,
):
    """Each condition of `policy` for `person` on date `on`. `checklist` answers QL §7 (key -> True if the case
    applies). `last_removed_on` may be passed to save a query."""
    result = EligibilityResult(policy_id=policy.pk if policy else None, on=on)
    add = result.conditions.append
    if policy is None:
        add(Condition("policy", "县级政策", WARN, "本县尚未设置该日期适用的政策，无法自动审查。"))
        return result

    if policy.age_rule:
        age = person.age_on(on)
        if person.birth_date > age_cutoff(policy, on):
            add(Condition("age", "年龄", PASS, f"{age}周岁，不超过{policy.age_limit}周岁。"))
        else:
            word = "一般应在" if policy.age_mode == CountyPolicy.WARN else "须不超过"
            add(
                Condition(
                    "age",
                    "年龄",
                    _mode(policy.age_mode),
                    f"{age}周岁，超过{policy.age_limit}周岁（{word}{policy.age_limit}周岁）。",
                )
            )

    if policy.education_rule:
        floor_label = dict(C.EDUCATION_CHOICES)[policy.education_floor]
        have = person.get_education_display()
        if C.EDUCATION_RANK[person.education] >= C.EDUCATION_RANK[policy.education_floor]:
            add(Condition("education", "学历", PASS, f"{have}，达到{floor_label}及以上。"))
        else:
            add(
                Condition("education", "学历", _mode(policy.education_mode), f"{have}，低于要求的{floor_label}及以上。")
            )

    if policy.party_rule:
        need = dict(CountyPolicy.PARTY_CHOICES)[policy.party_requirement]
        have = person.get_political_status_display()
        if party_ok(policy, person.political_status):
            add(Condition("party", "政治面貌", PASS, f"{have}，符合“{need}”的要求。"))
        else:
            add(Condition("party", "政治面貌", _mode(policy.party_mode), f"{have}，要求为{need}。"))

    if policy.ban_years:
        if last_removed_on is ... and person.pk is None:
            last_removed_on = None  # an unsaved person has no history
        elif last_removed_on is ...:
            last_removed_on = (
                ReserveRecord.objects.filter(person=person, status=C.STATUS_REMOVED)
                .order_by("-ended_on")
                .values_list("ended_on", flat=True)
                .first()
            )
        n = policy.ban_years
        if last_removed_on and last_removed_on > ban_cutoff(policy, on):
            until = add_years_forward(last_removed_on, n)
            add(
                Condition(
                    "ban",
                    "再选拔限制",
                    FAIL,
                    f"{last_removed_on:%Y年%m月%d日}被取消资格，原则上{n}年内不得参加选拔"
                    f"（至{until:%Y年%m月%d日}止）；如确需选拔，须填写理由。",
                )
            )
        else:
            add(Condition("ban", "再选拔限制", PASS, f"{n}年内无被取消资格记录。"))

    if policy.ql7_checklist:
        if checklist is None:
            add(Condition("ql7", "不得确定为后备干部的情形", WARN, "须在资格审查时逐项确认十种情形。"))
        else:
            hits = [label for key, label in QL7_ITEMS if checklist.get(key)]
            if hits:
                add(Condition("ql7", "不得确定为后备干部的情形", FAIL, "存在以下情形：" + "；".join(hits) + "。"))
            else:
                add(Condition("ql7", "不得确定为后备干部的情形", PASS, "十种情形均不存在。"))
    return result


def annotate_eligibility(queryset, policy: CountyPolicy, on: datetime.date):
    """Annotate a Person queryset with elig_age, elig_education, elig_party, elig_ban: 'pass' / 'warn' / 'fail',
    or 'na' where the policy has no such rule. The database form of `check_eligibility`."""
    out = CharField()
    na = Value("na", output_field=out)
    annotations = {}
    if policy.age_rule:
        annotations["elig_age"] = Case(
            When(birth_date__gt=age_cutoff(policy, on), then=Value(PASS)),
            default=Value(_mode(policy.age_mode)),
            output_field=out,
        )
    else:
        annotations["elig_age"] = na
    if policy.education_rule:
        floor = C.EDUCATION_RANK[policy.education_floor]
        ok = [key for key, rank in C.EDUCATION_RANK.items() if rank >= floor]
        annotations["elig_education"] = Case(
            When(education__in=ok, then=Value(PASS)), default=Value(_mode(policy.education_mode)), output_field=out
        )
    else:
        annotations["elig_education"] = na
    if policy.party_rule:
        ok = ["member"] if policy.party_requirement == CountyPolicy.PARTY_FULL else sorted(C.PARTY_STATUSES)
        annotations["elig_party"] = Case(
            When(political_status__in=ok, then=Value(PASS)), default=Value(_mode(policy.party_mode)), output_field=out
        )
    else:
        annotations["elig_party"] = na
    if policy.ban_years:
        banned = ReserveRecord.objects.filter(
            person=OuterRef("pk"), status=C.STATUS_REMOVED, ended_on__gt=ban_cutoff(policy, on)
        )
        annotations["elig_ban"] = Case(When(Exists(banned), then=Value(FAIL)), default=Value(PASS), output_field=out)
    else:
        annotations["elig_ban"] = na
    return queryset.annotate(**annotations)
