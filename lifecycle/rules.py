"""Management rules that exist twice: a per-item function returning reserves.compliance.Check with a Chinese reason
(for detail pages and reminders), and a queryset form (annotations, no Python loop over people) for lists,
dashboards and scans. tests/lifecycle/test_rules.py keeps each pair in step.

- coverage and replenishment (跟进补充, QS §二(三)2): a village's pool against its county's targets. This module is
  THE owner of "a village's coverage against its targets"; dashboards and reminders reuse it rather than count again:
    * `coverage_targets(policy)` — {key: target} a village must meet: each reserve type with a target (only when the
      target rule is on), and YOUNG (1) when the age rule's "至少1名35岁以下" is on;
    * `village_coverage(village, on, policy)` — per item: counts per type, the young count, targets, gaps, checks;
    * `village_shortfall(village, on, policy)` — the same as Checks (OK / DUE "缺额 N 名");
    * `annotate_shortfall(villages, policies, on)` — the queryset form: n_/target_/short_<key> for every key in
      COVERAGE_KEYS and `short_any`; `shortfall_gaps(row)` reads the gaps back from an annotated row (or a dict of
      its values);
    * `young_q(policies, on, born=..., code=..., rtype=...)` — the "young secretary reserve" condition on any
      placement or record query (per county young line), for aggregations shaped differently;
    * `shortfall_villages(scope, on)` — the villages of a user's scope with a gap.
  A village's count beside a target counts only the reserve type the target is for; the young count counts only
  书记后备力量 (YOUNG_TYPE) aged at most the county's young line (3YR "其中至少1名35岁以下").
- stipends (QL §13–14): who is paid for a month, by which township, and from when payment stops — only where the
  county's policy has the stipend rule on (`stipend_on`);
- the re-selection ban (QL §11) is reserves.eligibility's (check_eligibility / annotate_eligibility); `ban_until`
  only says until when, for the pages here.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from notices.calendar import cn_date
from org import roles
from org.models import OrgUnit
from reserves import choices as C
from reserves.compliance import NA, OK, Check
from reserves.dates import add_years_forward, shift_years_back
from reserves.models import CountyPolicy, ReservePlacement, ReserveRecord
from reserves.policy import county_of, policy_in_force, rule_on

TYPE_LABELS = dict(C.RESERVE_TYPE_CHOICES)
TYPES = [key for key, _ in C.RESERVE_TYPE_CHOICES]
DUE = "due"
# The young requirement (3YR "其中至少1名35岁以下") counts secretary reserves only.
YOUNG = "young"
YOUNG_TYPE = "secretary_reserve"
COVERAGE_KEYS = [*TYPES, YOUNG]


def county_policy(unit: OrgUnit, on: datetime.date | None = None) -> CountyPolicy | None:
    """The policy in force on `on` (default today) of the county `unit` lies in."""
    county = county_of(unit)
    return policy_in_force(county, on or timezone.localdate()) if county else None


# --- coverage and replenishment (跟进补充) ------------------------------------------------------------------------


def policies_in_force(county_codes: set[str], city_codes: set[str], on: datetime.date) -> dict[str, CountyPolicy]:
    """The policy in force on `on` of each county (by code), for counties named or lying under the cities named.
    One query."""
    cond = Q(county__code__in=county_codes)
    for code in city_codes:
        cond |= Q(county__code__startswith=code, county__level=roles.COUNTY)
    rows = (
        CountyPolicy.objects.filter(cond, effective_from__lte=on)
        .select_related("county")
        .order_by("county_id", "-effective_from", "-id")
    )
    out: dict[str, CountyPolicy] = {}
    for policy in rows:
        out.setdefault(policy.county.code, policy)
    return out


def young_rule_on(policy: CountyPolicy | None) -> bool:
    """The age rule's "at least one young secretary reserve per village" (3YR) is in force."""
    return policy is not None and policy.young_rule


def young_born_after(policy: CountyPolicy, on: datetime.date) -> datetime.date:
    """Born after this day = aged at most the county's young line (policy.young_age) on `on`."""
    return shift_years_back(on, policy.young_age + 1)


def coverage_targets(policy: CountyPolicy | None) -> dict[str, int]:
    """What a village of the county must hold: {reserve type: target} for each type with a target (none when the
    target rule is off), and {YOUNG: 1} when the young rule is on. Empty: the county sets no coverage duty."""
    out = {t: policy.target_for(t) for t in TYPES if policy is not None and policy.target_for(t)}
    if young_rule_on(policy):
        out[YOUNG] = 1
    return out


def coverage_label(key: str, young_age: int = 35) -> str:
    if key == YOUNG:
        return f"{young_age}岁以下{TYPE_LABELS[YOUNG_TYPE]}"
    return TYPE_LABELS[key]


@dataclass(frozen=True)
class Gap:
    """One target a village misses: `reserve_type` is what a selection round to fill it selects."""

    key: str
    reserve_type: str
    label: str
    short: int
    target: int
    n: int


@dataclass
class VillageCoverage:
    village: OrgUnit
    on: datetime.date
    policy: CountyPolicy | None
    targets: dict[str, int]  # coverage_targets(policy)
    counts: dict[str, int]  # in the pool on `on`: per reserve type, and YOUNG (young secretary reserves)

    def short(self, key: str) -> int:
        return max(0, self.targets.get(key, 0) - self.counts.get(key, 0))

    def label(self, key: str) -> str:
        return coverage_label(key, self.policy.young_age if self.policy else 35)

    @property
    def gaps(self) -> list[Gap]:
        return [
            Gap(key, YOUNG_TYPE if key == YOUNG else key, self.label(key), self.short(key), target, self.counts[key])
            for key, target in self.targets.items()
            if self.short(key)
        ]

    @property
    def meets(self) -> bool:
        return not self.gaps

    @property
    def checks(self) -> list[Check]:
        if self.policy is None:
            return [Check("replenish", "后备干部数量", NA, "本县尚未设置政策，没有每村目标数。")]
        out = []
        for key, target in self.targets.items():
            n, label = self.counts[key], f"{self.label(key)}数量"
            if key == YOUNG:
                label = f"{self.label(key)}（每村至少1名）"
            if n >= target:
                out.append(Check(f"replenish_{key}", label, OK, f"在库{n}名，达到每村{target}名的目标。"))
            else:
                reason = f"缺额 {target - n} 名（每村目标{target}名，在库{n}名），请跟进补充。"
                if key == YOUNG:
                    secretaries = self.counts[YOUNG_TYPE]
                    reason = (
                        f"缺额 {target - n} 名（每村至少{target}名{self.label(key)}，在库{TYPE_LABELS[YOUNG_TYPE]}"
                        f"{secretaries}名，其中{self.policy.young_age}岁以下{n}名），请跟进补充。"
                    )
                out.append(Check(f"replenish_{key}", label, DUE, reason))
        return out


def village_coverage(village: OrgUnit, on: datetime.date | None = None, policy=...) -> VillageCoverage:
    """A village's pool on `on` against its county's targets (the policy in force that day unless given). Two
    queries at most (the policy, the pool)."""
    on = on or timezone.localdate()
    if policy is ...:
        policy = county_policy(village, on)
    targets = coverage_targets(policy)
    counts = dict.fromkeys(COVERAGE_KEYS, 0)
    if targets:
        young = Q(reserve_type=YOUNG_TYPE)
        if young_rule_on(policy):
            young &= Q(person__birth_date__gt=young_born_after(policy, on))
        else:
            young = Q(pk__in=[])
        row = ReserveRecord.objects.in_pool(village, on).aggregate(
            **{t: Count("pk", filter=Q(reserve_type=t)) for t in TYPES}, **{YOUNG: Count("pk", filter=young)}
        )
        counts.update(row)
    return VillageCoverage(village=village, on=on, policy=policy, targets=targets, counts=counts)


def village_shortfall(village: OrgUnit, on: datetime.date | None = None, policy=...) -> list[Check]:
    """One Check per target of the village (each reserve type the county sets a target for, and the young secretary
    reserve under 3YR): OK, or DUE with "缺额 N 名"."""
    return village_coverage(village, on, policy).checks


def _in_pool_on(on: datetime.date, reserve_type: str) -> Q:
    """Placements of a village (reverse relation `placements`) counting for the pool of type on `on`."""
    return (
        Q(placements__start__lte=on)
        & (Q(placements__end__isnull=True) | Q(placements__end__gt=on))
        & Q(placements__record__entered_on__lte=on)
        & (Q(placements__record__ended_on__isnull=True) | Q(placements__record__ended_on__gt=on))
        & Q(placements__record__reserve_type=reserve_type)
    )


def young_q(
    policies: dict[str, CountyPolicy],
    on: datetime.date,
    *,
    born: str = "record__person__birth_date",
    code: str = "village__code",
    rtype: str = "record__reserve_type",
) -> Q:
    """The young secretary reserve on `on`, as a condition on any query: of type YOUNG_TYPE and born after the
    young line of the county (by `code`) whose young rule is on. Counties without the rule match nothing."""
    cond = Q(pk__in=[])
    for county_code, policy in policies.items():
        if young_rule_on(policy):
            cond |= Q(**{f"{code}__startswith": county_code, f"{born}__gt": young_born_after(policy, on)})
    return Q(**{rtype: YOUNG_TYPE}) & cond


def annotate_shortfall(
    villages: QuerySet, policies: dict[str, CountyPolicy], on: datetime.date, types: list[str] | None = None
) -> QuerySet:
    """Annotate villages with n_<key>, target_<key> and short_<key> (target − in pool; > 0 is a shortfall) for
    every key of COVERAGE_KEYS (or those in `types`: reserve types and/or YOUNG), `young_age` (the county's young
    line) and `short_any` (any of them short). The database form of `village_coverage`."""
    keys = types or COVERAGE_KEYS
    annotations = {}
    for key in keys:
        targets = {code: coverage_targets(policy).get(key, 0) for code, policy in policies.items()}
        whens = [When(code__startswith=code, then=Value(t)) for code, t in targets.items() if t]
        annotations[f"target_{key}"] = (
            Case(*whens, default=Value(0), output_field=IntegerField()) if whens else Value(0, IntegerField())
        )
        # One placement row joins one record: no DISTINCT needed.
        if key == YOUNG:
            young = young_q(
                policies,
                on,
                born="placements__record__person__birth_date",
                code="code",
                rtype="placements__record__reserve_type",
            )
            annotations[f"n_{key}"] = (
                Count("placements", filter=_in_pool_on(on, YOUNG_TYPE) & young) if whens else Value(0, IntegerField())
            )
        else:
            annotations[f"n_{key}"] = Count("placements", filter=_in_pool_on(on, key))
    ages = [When(code__startswith=code, then=Value(p.young_age)) for code, p in policies.items() if young_rule_on(p)]
    annotations["young_age"] = Case(*ages, default=Value(35), output_field=IntegerField()) if ages else Value(35)
    qs = villages.annotate(**annotations)
    qs = qs.annotate(**{f"short_{k}": F(f"target_{k}") - F(f"n_{k}") for k in keys})
    short_q = Q()
    for k in keys:
        short_q |= Q(**{f"target_{k}__gt": 0, f"short_{k}__gt": 0})
    return qs.annotate(short_any=Case(When(short_q, then=Value(True)), default=Value(False)))


def shortfall_gaps(row, keys: list[str] | None = None) -> list[Gap]:
    """The gaps of a village annotated by `annotate_shortfall` (an instance, or a dict from .values())."""
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name))
    gaps = []
    for key in keys or COVERAGE_KEYS:
        target, short = get(f"target_{key}"), get(f"short_{key}")
        if target and short > 0:
            label = coverage_label(key, get("young_age") if key == YOUNG else 35)
            gaps.append(Gap(key, YOUNG_TYPE if key == YOUNG else key, label, short, target, get(f"n_{key}")))
    return gaps


def _scope_codes(scope) -> tuple[set[str], set[str]]:
    counties, cities = set(), set()
    for prefix in scope.prefixes(roles.VIEW):
        if len(prefix) >= 6:
            counties.add(prefix[:6])
        else:
            cities.add(prefix)
    return counties, cities


def scope_policies(scope, on: datetime.date) -> dict[str, CountyPolicy]:
    """The policy in force of every county in a user's scope (one query)."""
    counties, cities = _scope_codes(scope)
    return policies_in_force(counties, cities, on)


def shortfall_villages(
    scope, on: datetime.date | None = None, township: OrgUnit | None = None, policies=None
) -> QuerySet:
    """Villages in the user's scope (a Scope) below their county's target on `on`, each annotated as in
    `annotate_shortfall`, ordered by code."""
    on = on or timezone.localdate()
    if policies is None:
        policies = scope_policies(scope, on)
    villages = OrgUnit.objects.filter(level=roles.VILLAGE).current(on).filter(scope.q(roles.VIEW, "code"))
    if township is not None:
        villages = villages.filter(code__startswith=township.code)
    return annotate_shortfall(villages, policies, on).filter(short_any=True).select_related("parent").order_by("code")


# --- stipends (QL §13–14) ---------------------------------------------------------------------------------------

COMMITTEE_MEMBER = "committee_member"  # 现任村（社区）“两委”干部: serving village cadres are not paid (QL §13)
END_WORDS = {C.STATUS_REMOVED: "取消资格", C.STATUS_USED: "任职（已使用）", C.STATUS_EXITED: "出库"}


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


def stipend_rule_on(policy: CountyPolicy | None) -> bool:
    """The county pays reserves a stipend (QL §13): the rule's flag, never "an amount is set"."""
    return rule_on(policy, "stipend")


def stipend_counties(scope, on: datetime.date | None = None) -> set[str]:
    """Codes of the counties in a user's scope whose policy in force pays a stipend (one query): the stipend pages
    and tab exist only for them."""
    on = on or timezone.localdate()
    return {code for code, policy in scope_policies(scope, on).items() if stipend_rule_on(policy)}


def stipend_policy(county: OrgUnit | None, year: int, month: int) -> CountyPolicy | None:
    """The policy in force on the last day of the month sets that month's amounts."""
    return policy_in_force(county, month_bounds(year, month)[1]) if county else None


def paying_placement(record: ReserveRecord, year: int, month: int) -> ReservePlacement | None:
    """Where the record is paid for the month: its placement at the end of the month (or at its end), if it was in
    the pool at all that month. Payment runs to the end of the month of removal or use ("从取消之日下月起停发")."""
    first, last = month_bounds(year, month)
    if record.entered_on > last or (record.ended_on is not None and record.ended_on < first):
        return None
    best = None
    for p in record.placements.all():
        overlaps = p.start <= last and (p.end is None or p.end > first or (p.end == record.ended_on and p.end >= first))
        if overlaps and (best is None or p.start > best.start or (p.start == best.start and p.pk > best.pk)):
            best = p
    return best


def stipend_check(record: ReserveRecord, year: int, month: int, policy=...) -> Check:
    """Is this record paid the county and township subsidies for the month, and why (or why not)."""
    first, last = month_bounds(year, month)
    key, label = "stipend", f"{year}年{month}月补贴"
    if policy is ...:
        policy = stipend_policy(county_of(record.village), year, month)
    if record.entered_on > last:
        return Check(key, label, NA, f"{cn_date(record.entered_on)}入库，该月尚未入库。")
    if record.ended_on is not None and record.ended_on < first:
        stop = (record.ended_on.replace(day=1) + datetime.timedelta(days=31)).replace(day=1)
        return Check(
            key,
            label,
            NA,
            f"{cn_date(record.ended_on)}{END_WORDS.get(record.status, '出库')}，自{stop.year}年{stop.month}月起停发。",
        )
    if record.person.source_group == COMMITTEE_MEMBER:
        return Check(key, label, NA, "现任村（社区）“两委”干部，不享受后备干部补贴（不含在职村干部）。")
    if not stipend_rule_on(policy):
        return Check(key, label, NA, "本县政策未设置后备干部补贴。")
    placement = paying_placement(record, year, month)
    if placement is None:
        return Check(key, label, NA, "该月没有所在村（社区）记录。")
    county, township = policy.stipend_county_monthly, policy.stipend_township_monthly
    reason = f"在{placement.village.name}，县级补贴{county}元、乡镇补贴{township}元，合计{county + township}元。"
    if record.ended_on is not None and record.ended_on <= last:
        word = END_WORDS.get(record.status, "出库")
        reason += f"{cn_date(record.ended_on)}{word}，本月照发，下月起停发。"
    return Check(key, label, OK, reason)


def stipend_placements(township: OrgUnit, year: int, month: int, policy: CountyPolicy | None) -> QuerySet:
    """The database form: placements in the township's villages that pay a record for the month, annotated with
    `entitled` (False for serving village cadres, or when the stipend rule is off). Same rule as
    `paying_placement` + `stipend_check`."""
    first, last = month_bounds(year, month)
    later = ReservePlacement.objects.filter(record=OuterRef("record"), start__lte=last).filter(
        Q(start__gt=OuterRef("start")) | Q(start=OuterRef("start"), pk__gt=OuterRef("pk"))
    )
    pays = stipend_rule_on(policy)
    return (
        ReservePlacement.objects.filter(village__code__startswith=township.code, start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gt=first) | Q(end=F("record__ended_on"), end__gte=first))
        .filter(record__entered_on__lte=last)
        .filter(Q(record__ended_on__isnull=True) | Q(record__ended_on__gte=first))
        .filter(~Exists(later))
        .annotate(
            entitled=Case(
                When(record__person__source_group=COMMITTEE_MEMBER, then=Value(False)),
                default=Value(pays),
            )
        )
    )


@dataclass
class StipendSheet:
    township: OrgUnit
    year: int
    month: int
    policy: CountyPolicy | None
    lines: list = field(default_factory=list)  # placements paid, with .record.person and .village
    excluded: list = field(default_factory=list)  # placements of the month not paid (serving village cadres)
    stopped: list = field(default_factory=list)  # records that ended last month: stopped from this month

    @property
    def county_amount(self):
        return self.policy.stipend_county_monthly if stipend_rule_on(self.policy) else 0

    @property
    def township_amount(self):
        return self.policy.stipend_township_monthly if stipend_rule_on(self.policy) else 0

    @property
    def per_person(self):
        return self.county_amount + self.township_amount

    @property
    def totals(self):
        n = len(self.lines)
        return {
            "n": n,
            "county": n * self.county_amount,
            "township": n * self.township_amount,
            "all": n * self.per_person,
        }

    @property
    def pays(self):
        return stipend_rule_on(self.policy)


def stipend_sheet(township: OrgUnit, year: int, month: int) -> StipendSheet:
    """The month's sheet for a township (three queries: the policy, the placements, the records stopped)."""
    county = county_of(township)
    policy = stipend_policy(county, year, month)
    if policy is not None:
        policy.county = county  # printed with the sheet: no second query for its name
    first, _ = month_bounds(year, month)
    rows = list(
        stipend_placements(township, year, month, policy)
        .select_related("record__person", "village")
        .order_by("village__code", "record__person__name", "record_id")
    )
    previous_first = (first - datetime.timedelta(days=1)).replace(day=1)
    stopped = list(
        ReserveRecord.objects.filter(
            village__code__startswith=township.code, ended_on__gte=previous_first, ended_on__lt=first
        )
        .exclude(person__source_group=COMMITTEE_MEMBER)
        .select_related("person", "village")
        .order_by("village__code", "person__name")
    )
    return StipendSheet(
        township=township,
        year=year,
        month=month,
        policy=policy,
        lines=[p for p in rows if p.entitled],
        excluded=[p for p in rows if not p.entitled],
        stopped=stopped,
    )


# --- the re-selection ban (QL §11) ------------------------------------------------------------------------------


def ban_until(record: ReserveRecord, on: datetime.date | None = None) -> datetime.date | None:
    """For a removed record: the first day its person may be nominated again without an exception, by the policy in
    force on `on`; None when there is no ban or it is over. Same cut-off as reserves.eligibility."""
    on = on or timezone.localdate()
    if record.status != C.STATUS_REMOVED or record.ended_on is None:
        return None
    county = county_of(record.village)
    policy = policy_in_force(county, on) if county else None
    if not rule_on(policy, "reselection_ban") or not policy.reselection_ban_years:
        return None
    until = add_years_forward(record.ended_on, policy.reselection_ban_years)
    return until if until > on else None
