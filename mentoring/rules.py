"""The mentoring rules, each in two forms kept in step by tests (tests/mentoring/test_rules.py):

- `mentoring_checks(record, policy, on=...)`: one `reserves.compliance.Check` per rule, explained in Chinese;
- `annotate_mentoring(queryset, policy, on)`: the same statuses as database expressions on a ReserveRecord queryset
  (`mc_<key>`), for lists, dashboards and reminder scans.

Rules (key — source — policy switch):
- `pairing` — QS ≥ 1 mentor / QL one township leader contact + one village cadre pair / 3YR 导师 — `mentor_on`
  (`mentor_rule` says which);
- `entry` — QS 附件2 结对帮扶情况: this quarter's entry for every current pairing — `quarter_mentoring_on`;
- `full_coverage` — QS 全覆盖谈心谈话 this calendar year — `talk_full_coverage_yearly`;
- `half_yearly` — QL 乡镇每半年逐一谈话 in this half-year — `talk_township_half_yearly`;
- `collective` — QL 每年一次集体谈话 this calendar year — `talk_collective_yearly`;
- `monthly` — 3YR 导师每月了解情况 this month (a 导师谈心谈话 counts too) — `talk_mentor_monthly`.

Only records in the pool on `on` count (by entry and end date; every other record gets NA). A period's talks count
from its first day up to `on`. A rule whose switch is off in the county's policy is NA with a Chinese reason, and so is
every rule when no policy is in force (a county has no duty its policy does not name)."""

import calendar
import datetime

from django.db.models import BooleanField, Case, CharField, Exists, OuterRef, Q, Value, When

from reserves.compliance import DUE, NA, OK, OVERDUE, Check, quarter_bounds, quarter_of
from reserves.models import CountyPolicy, MentorPairing, ReserveRecord
from reserves.policy import county_of, policy_in_force, rule_on

from .models import (
    KIND_COLLECTIVE,
    KIND_FULL_COVERAGE,
    KIND_HALF_YEARLY,
    KIND_MENTOR,
    KIND_MONTHLY,
    QUARTER_LABELS,
    MentoringEntry,
    TalkParticipant,
    mentor_label,
)

LEADER_KINDS = ("township_leader",)
CADRE_KINDS = ("village_head", "village_cadre")

RULES = [
    ("pairing", "结对帮带"),
    ("entry", "季度帮扶情况"),
    ("full_coverage", "全覆盖谈心谈话"),
    ("half_yearly", "乡镇半年谈话"),
    ("collective", "集体谈话"),
    ("monthly", "导师每月了解情况"),
]
RULE_LABELS = dict(RULES)
PROBLEM = (DUE, OVERDUE)
# The policy switch of each rule (reserves.models.CountyPolicy); a rule applies only where its switch is on.
# This app's rule keys -> the policy rules (reserves.policy.RULES) they are.
POLICY_RULES = {
    "pairing": "mentor",
    "entry": "quarter_mentoring",
    "full_coverage": "talk_full_coverage",
    "half_yearly": "talk_half_yearly",
    "collective": "talk_collective",
    "monthly": "talk_monthly",
}
NOT_SET = "本县尚未设置适用的政策。"
OFF_TEXTS = {
    "pairing": "本县政策未要求结对帮带。",
    "entry": "本县政策未要求每季度填写结对帮扶情况。",
}


def rule_applies(policy: CountyPolicy | None, key: str) -> bool:
    """Whether the county's policy asks for mentoring rule `key`."""
    return rule_on(policy, POLICY_RULES[key])


def off_text(key: str) -> str:
    """What a page says for a rule the county's policy does not ask for."""
    return OFF_TEXTS.get(key) or f"本县政策未要求{RULE_LABELS[key]}。"


def cn_date(day: datetime.date) -> str:
    """2026年3月31日 (body text: no padding, as official documents write it)."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- periods -----------------------------------------------------------------------------------------------------


def year_bounds(on: datetime.date):
    return datetime.date(on.year, 1, 1), datetime.date(on.year, 12, 31)


def half_bounds(on: datetime.date):
    if on.month <= 6:
        return datetime.date(on.year, 1, 1), datetime.date(on.year, 6, 30)
    return datetime.date(on.year, 7, 1), datetime.date(on.year, 12, 31)


def month_bounds(on: datetime.date):
    last = calendar.monthrange(on.year, on.month)[1]
    return on.replace(day=1), on.replace(day=last)


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}年{QUARTER_LABELS[quarter]}"


# (key, kinds that count, bounds, period text, policy flag)
TALK_RULES = [
    ("full_coverage", (KIND_FULL_COVERAGE,), year_bounds, lambda on: f"{on.year}年", "talk_full_coverage_yearly"),
    (
        "half_yearly",
        (KIND_HALF_YEARLY,),
        half_bounds,
        lambda on: f"{on.year}年{'上' if on.month <= 6 else '下'}半年",
        "talk_township_half_yearly",
    ),
    ("collective", (KIND_COLLECTIVE,), year_bounds, lambda on: f"{on.year}年", "talk_collective_yearly"),
    (
        "monthly",
        (KIND_MONTHLY, KIND_MENTOR),
        month_bounds,
        lambda on: f"{on.year}年{on.month}月",
        "talk_mentor_monthly",
    ),
]


def policy_for(record: ReserveRecord, on: datetime.date) -> CountyPolicy | None:
    county = county_of(record.village)
    return policy_in_force(county, on) if county else None


def mentor_rule_of(policy: CountyPolicy | None) -> str:
    return policy.mentor_rule if policy is not None else CountyPolicy.MENTOR_ONE


def in_pool(record: ReserveRecord, on: datetime.date) -> bool:
    return record.entered_on <= on and (record.ended_on is None or record.ended_on > on)


def in_pool_q(on: datetime.date) -> Q:
    return Q(entered_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))


# --- per person --------------------------------------------------------------------------------------------------


def check_pairing(record, policy, *, on, pairings=None) -> Check:
    label = RULE_LABELS["pairing"]
    if policy is None:
        return Check("pairing", label, NA, NOT_SET)
    if not policy.mentor_on:
        return Check("pairing", label, NA, off_text("pairing"))
    if pairings is None:
        pairings = list(MentorPairing.objects.current(on).filter(record=record).select_related("mentor_user"))
    if mentor_rule_of(policy) == CountyPolicy.MENTOR_PAIR:
        leaders = [p for p in pairings if p.mentor_kind in LEADER_KINDS]
        cadres = [p for p in pairings if p.mentor_kind in CADRE_KINDS]
        missing = [name for name, have in (("乡镇领导联系人", leaders), ("村干部结对", cadres)) if not have]
        if missing:
            return Check(
                "pairing",
                label,
                OVERDUE,
                f"缺少{'和'.join(missing)}（本县要求每名后备干部有1名乡镇领导联系、1名村干部结对）。",
            )
        return Check(
            "pairing",
            label,
            OK,
            f"乡镇领导联系：{'、'.join(mentor_label(p) for p in leaders)}；"
            f"村干部结对：{'、'.join(mentor_label(p) for p in cadres)}。",
        )
    if not pairings:
        return Check("pairing", label, OVERDUE, "尚未安排帮带干部（每名后备干部至少1名帮带干部）。")
    return Check("pairing", label, OK, f"已结对：{'、'.join(mentor_label(p) for p in pairings)}。")


def check_entry(record, policy, *, on, pairings=None) -> Check:
    label = RULE_LABELS["entry"]
    year, quarter = quarter_of(on)
    _start, end = quarter_bounds(year, quarter)
    period = quarter_label(year, quarter)
    if policy is None:
        return Check("entry", label, NA, NOT_SET)
    if not policy.quarter_mentoring_on:
        return Check("entry", label, NA, off_text("entry"))
    if pairings is None:
        pairings = list(MentorPairing.objects.current(on).filter(record=record).select_related("mentor_user"))
    if not pairings:
        return Check("entry", label, NA, "目前没有结对帮带干部，无需填写帮扶情况。")
    done = set(
        MentoringEntry.objects.filter(pairing__in=pairings, year=year, quarter=quarter).values_list(
            "pairing_id", flat=True
        )
    )
    missing = [p for p in pairings if p.pk not in done]
    if missing:
        return Check(
            "entry",
            label,
            DUE,
            f"{period}结对帮扶情况尚未填写（帮扶责任人：{'、'.join(mentor_label(p) for p in missing)}），"
            f"请于{cn_date(end)}前填写。",
            deadline=end,
        )
    return Check("entry", label, OK, f"{period}结对帮扶情况已填写。")


def check_talk(record, policy, key: str, *, on) -> Check:
    _key, kinds, bounds, period_of, flag = next(r for r in TALK_RULES if r[0] == key)
    label = RULE_LABELS[key]
    if policy is None:
        return Check(key, label, NA, NOT_SET)
    if not getattr(policy, flag):
        return Check(key, label, NA, off_text(key))
    start, end = bounds(on)
    last = (
        TalkParticipant.objects.filter(record=record, talk__kind__in=kinds, talk__date__gte=start, talk__date__lte=on)
        .order_by("-talk__date")
        .values_list("talk__date", flat=True)
        .first()
    )
    if last is not None:
        return Check(key, label, OK, f"已于{cn_date(last)}进行{label}。")
    return Check(key, label, DUE, f"{period_of(on)}尚未进行{label}，请于{cn_date(end)}前完成。", deadline=end)


def mentoring_checks(record: ReserveRecord, policy: CountyPolicy | None = ..., *, on: datetime.date) -> list[Check]:
    """Every mentoring rule for one record on `on`, in the order of RULES. `policy` defaults to the one in force
    for the record's county on `on`."""
    if policy is ...:
        policy = policy_for(record, on)
    if not in_pool(record, on):
        reason = f"{cn_date(on)}不在库。"
        return [Check(key, label, NA, reason) for key, label in RULES]
    pairings = list(MentorPairing.objects.current(on).filter(record=record).select_related("mentor_user"))
    checks = [
        check_pairing(record, policy, on=on, pairings=pairings),
        check_entry(record, policy, on=on, pairings=pairings),
    ]
    checks += [check_talk(record, policy, key, on=on) for key, *_ in TALK_RULES]
    return checks


# --- queryset form -----------------------------------------------------------------------------------------------


def _current_pairings(on: datetime.date):
    return MentorPairing.objects.current(on).filter(record=OuterRef("pk"))


def annotate_mentoring(queryset, policy: CountyPolicy | None, on: datetime.date):
    """Annotate a ReserveRecord queryset with mc_pairing, mc_entry, mc_full_coverage, mc_half_yearly,
    mc_collective, mc_monthly ('ok' / 'due' / 'overdue' / 'na'), and mc_has_leader / mc_has_cadre (booleans, for
    saying which pair is missing). The database form of `mentoring_checks`."""
    out = CharField()
    na = Value(NA, output_field=out)
    pool = in_pool_q(on)
    current = _current_pairings(on)
    year, quarter = quarter_of(on)
    has_any = Exists(current)
    has_leader = Exists(current.filter(mentor_kind__in=LEADER_KINDS))
    has_cadre = Exists(current.filter(mentor_kind__in=CADRE_KINDS))
    annotations = {
        "mc_has_leader": Case(When(has_leader, then=Value(True)), default=Value(False), output_field=BooleanField()),
        "mc_has_cadre": Case(When(has_cadre, then=Value(True)), default=Value(False), output_field=BooleanField()),
    }
    if mentor_rule_of(policy) == CountyPolicy.MENTOR_PAIR:
        paired = has_leader & has_cadre
    else:
        paired = has_any
    if rule_applies(policy, "pairing"):
        annotations["mc_pairing"] = Case(
            When(~pool, then=na), When(paired, then=Value(OK)), default=Value(OVERDUE), output_field=out
        )
    else:
        annotations["mc_pairing"] = na
    if rule_applies(policy, "entry"):
        entry = MentoringEntry.objects.filter(pairing=OuterRef("pk"), year=year, quarter=quarter)
        missing_entry = Exists(current.filter(~Exists(entry)))
        annotations["mc_entry"] = Case(
            When(~pool, then=na),
            When(~has_any, then=na),
            When(missing_entry, then=Value(DUE)),
            default=Value(OK),
            output_field=out,
        )
    else:
        annotations["mc_entry"] = na
    for key, kinds, bounds, _period, flag in TALK_RULES:
        if policy is None or not getattr(policy, flag):
            annotations[f"mc_{key}"] = na
            continue
        start, _end = bounds(on)
        held = TalkParticipant.objects.filter(
            record=OuterRef("pk"), talk__kind__in=kinds, talk__date__gte=start, talk__date__lte=on
        )
        annotations[f"mc_{key}"] = Case(
            When(~pool, then=na), When(Exists(held), then=Value(OK)), default=Value(DUE), output_field=out
        )
    return queryset.annotate(**annotations)


def problem_q(keys=None) -> Q:
    """Rows of an annotated queryset with a problem (due or overdue) in any of `keys` (default: every rule)."""
    cond = Q()
    for key in keys or [k for k, _ in RULES]:
        cond |= Q(**{f"mc_{key}__in": PROBLEM})
    return cond


def applicable_rules(policy: CountyPolicy | None) -> list[tuple[str, str]]:
    """The rules the policy asks for, as (key, label); none without a policy."""
    return [(key, label) for key, label in RULES if rule_applies(policy, key)]


def rules_off(policy: CountyPolicy | None) -> list[tuple[str, str]]:
    """The rules the policy does not ask for, as (key, label): pages name them instead of showing an empty duty."""
    return [(key, label) for key, label in RULES if not rule_applies(policy, key)]


def pairing_missing_text(policy: CountyPolicy | None, has_leader: bool, has_cadre: bool) -> str:
    """What an annotated row lacks under the pairing rule, for list pages."""
    if mentor_rule_of(policy) == CountyPolicy.MENTOR_PAIR:
        missing = [name for name, have in (("乡镇领导联系人", has_leader), ("村干部结对", has_cadre)) if not have]
        return f"缺少{'和'.join(missing)}" if missing else ""
    return "未结对"
