"""Management rules that exist twice: a per-item function returning reserves.compliance.Check with a Chinese reason
(for detail pages and reminders), and a queryset form (annotations, no Python loop over people) for lists,
dashboards and scans. tests/lifecycle/test_rules.py keeps each pair in step.

- replenishment (跟进补充, QS §二(三)2): a village below its county's target;
- stipends (QL §13–14): who is paid for a month, by which township, and from when payment stops;
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
from reserves.dates import add_years_forward
from reserves.models import CountyPolicy, ReservePlacement, ReserveRecord
from reserves.policy import county_of, policy_in_force

TYPE_LABELS = dict(C.RESERVE_TYPE_CHOICES)
TYPES = [key for key, _ in C.RESERVE_TYPE_CHOICES]
DUE = "due"

# --- replenishment (跟进补充) -------------------------------------------------------------------------------------


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


def village_shortfall(village: OrgUnit, on: datetime.date | None = None, policy=...) -> list[Check]:
    """One Check per reserve type the county sets a target for: OK, or DUE with "缺额 N 名"."""
    on = on or timezone.localdate()
    if policy is ...:
        county = county_of(village)
        policy = policy_in_force(county, on) if county else None
    if policy is None:
        return [Check("replenish", "后备干部数量", NA, "本县尚未设置政策，没有每村目标数。")]
    checks = []
    for reserve_type in TYPES:
        target = policy.target_for(reserve_type)
        if not target:
            continue
        n = ReserveRecord.objects.in_pool(village, on).filter(reserve_type=reserve_type).count()
        label = f"{TYPE_LABELS[reserve_type]}数量"
        if n >= target:
            checks.append(Check(f"replenish_{reserve_type}", label, OK, f"在库{n}名，达到每村{target}名的目标。"))
        else:
            checks.append(
                Check(
                    f"replenish_{reserve_type}",
                    label,
                    DUE,
                    f"缺额 {target - n} 名（每村目标{target}名，在库{n}名），请跟进补充。",
                )
            )
    return checks


def _in_pool_on(on: datetime.date, reserve_type: str) -> Q:
    """Placements of a village (reverse relation `placements`) counting for the pool of type on `on`."""
    return (
        Q(placements__start__lte=on)
        & (Q(placements__end__isnull=True) | Q(placements__end__gt=on))
        & Q(placements__record__entered_on__lte=on)
        & (Q(placements__record__ended_on__isnull=True) | Q(placements__record__ended_on__gt=on))
        & Q(placements__record__reserve_type=reserve_type)
    )


def annotate_shortfall(
    villages: QuerySet, policies: dict[str, CountyPolicy], on: datetime.date, types: list[str] | None = None
) -> QuerySet:
    """Annotate villages with n_<type>, target_<type> and short_<type> (target − in pool; > 0 is a shortfall) for
    every reserve type (or those in `types`), and `short_any` (any of them short). The database form of
    `village_shortfall`."""
    types = types or TYPES
    annotations = {}
    for reserve_type in types:
        whens = [
            When(code__startswith=code, then=Value(policy.target_for(reserve_type)))
            for code, policy in policies.items()
            if policy.target_for(reserve_type)
        ]
        annotations[f"target_{reserve_type}"] = (
            Case(*whens, default=Value(0), output_field=IntegerField()) if whens else Value(0, IntegerField())
        )
        # One placement row joins one record: no DISTINCT needed.
        annotations[f"n_{reserve_type}"] = Count("placements", filter=_in_pool_on(on, reserve_type))
    qs = villages.annotate(**annotations)
    shorts = {f"short_{t}": F(f"target_{t}") - F(f"n_{t}") for t in types}
    qs = qs.annotate(**shorts)
    short_q = Q()
    for t in types:
        short_q |= Q(**{f"target_{t}__gt": 0, f"short_{t}__gt": 0})
    return qs.annotate(short_any=Case(When(short_q, then=Value(True)), default=Value(False)))


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
    if policy is None or not (policy.stipend_county_monthly or policy.stipend_township_monthly):
        return Check(key, label, NA, "本县政策未设置后备干部补贴标准。")
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
    `entitled` (False for serving village cadres, or when the policy sets no subsidy). Same rule as
    `paying_placement` + `stipend_check`."""
    first, last = month_bounds(year, month)
    later = ReservePlacement.objects.filter(record=OuterRef("record"), start__lte=last).filter(
        Q(start__gt=OuterRef("start")) | Q(start=OuterRef("start"), pk__gt=OuterRef("pk"))
    )
    pays = bool(policy and (policy.stipend_county_monthly or policy.stipend_township_monthly))
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
        return self.policy.stipend_county_monthly if self.policy else 0

    @property
    def township_amount(self):
        return self.policy.stipend_township_monthly if self.policy else 0

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
        return bool(self.per_person)


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
    if policy is None or not policy.reselection_ban_years:
        return None
    until = add_years_forward(record.ended_on, policy.reselection_ban_years)
    return until if until > on else None
