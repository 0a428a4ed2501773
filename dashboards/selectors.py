"""Dashboard figures, computed in the database: conditional counts and sums over the pool ("in the pool of a subtree
on a date", `ReserveRecord.objects.in_pool`) and the compliance querysets of the apps below. Nothing here loops over
people; per-village rows (a village is an org unit, at most a few thousand in a city) are rolled up to townships and
counties in Python so one query serves every level of a table.

Every figure has one definition used twice: the dashboard counts it, and the list behind it (a list page of another
app, or dashboards' own village / reserve / notice lists) filters by the same condition, so the numbers agree."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least, Substr
from django.utils import timezone

from assessment.compliance import age_limit_blocks, ageing_out, missing_township_opinion, past_age_limit
from assessment.models import QuarterReview
from assessment.quarters import previous_quarter
from lifecycle import rules as coverage_rules
from lifecycle.models import Removal, Transfer, Use
from mentoring.rules import RULE_LABELS, annotate_mentoring, applicable_rules, problem_q
from notices.models import Notice
from org import roles
from org.models import OrgUnit
from reserves import choices as C
from reserves.compliance import quarter_bounds, quarter_of
from reserves.models import CountyPolicy, Filing, Flag, ReservePlacement, ReserveRecord
from reserves.policy import RULES, rule_on
from reserves.selectors import age_band_q
from selection.models import STAGES, Round
from training import rules as training_rules

TYPES = [key for key, _ in C.RESERVE_TYPE_CHOICES]
# Coverage is lifecycle.rules' ("a village's coverage against its targets"): the count beside a target is of the
# type the target is for, and 3YR's "至少1名35岁以下" (key YOUNG) counts young 书记后备力量 only.
YOUNG = coverage_rules.YOUNG
COVERAGE_KEYS = coverage_rules.COVERAGE_KEYS
TYPE_LABELS = dict(C.RESERVE_TYPE_CHOICES)
COLLEGE_UP = [key for key, rank in C.EDUCATION_RANK.items() if rank >= C.EDUCATION_RANK["college"]]
PARTY = sorted(C.PARTY_STATUSES)
CLOSED_STAGES = ("closed", "cancelled")
TREND_QUARTERS = 8


def today() -> datetime.date:
    return timezone.localdate()


# --- policies ------------------------------------------------------------------------------------------------------


class Policies:
    """Every policy version of the counties a dashboard covers (one query), so the version in force on any date is a
    dictionary look-up."""

    def __init__(self, rows):
        self._by_county: dict[str, list[CountyPolicy]] = defaultdict(list)
        for policy in rows:  # newest first within a county
            self._by_county[policy.county.code].append(policy)

    def at(self, code: str, on: datetime.date) -> CountyPolicy | None:
        """The policy in force on `on` for the county of the unit with `code` (its first six digits)."""
        for policy in self._by_county.get(code[:6], ()):
            if policy.effective_from <= on:
                return policy
        return None

    def in_force(self, on: datetime.date) -> dict[str, CountyPolicy]:
        return {code: p for code in self._by_county if (p := self.at(code, on)) is not None}

    def versions(self):
        return [p for versions in self._by_county.values() for p in versions]

    def rules_on(self, on: datetime.date) -> set[str]:
        """The rule keys (reserves.policy.RULES) some county's version in force on `on` imposes: a figure, column
        or list of a rule no county here imposes is not shown at all. "age_block" is added for a blocking age
        limit, the only one that makes 已超过 / 将超过年龄上限 a to-do."""
        keys = set()
        for policy in self.in_force(on).values():
            keys |= {rule.key for rule in RULES if rule_on(policy, rule.key)}
            if age_limit_blocks(policy):
                keys.add("age_block")
        return keys


def load_policies(unit: OrgUnit) -> Policies:
    if unit.level == roles.CITY:
        cond = Q(county__code__startswith=unit.code)
    else:
        cond = Q(county__code=unit.code[:6])
    rows = (
        CountyPolicy.objects.filter(cond, county__level=roles.COUNTY)
        .select_related("county")
        .order_by("county__code", "-effective_from", "-id")
    )
    return Policies(rows)


def targets_of(policy: CountyPolicy | None) -> dict[str, int]:
    """Coverage key (a reserve type, or YOUNG) -> what a village of the county must hold (lifecycle.rules)."""
    return coverage_rules.coverage_targets(policy)


def coverage_label(key: str, young_age: int = 35) -> str:
    return coverage_rules.coverage_label(key, young_age)


# --- units ---------------------------------------------------------------------------------------------------------

CHILD_LABELS = {roles.CITY: "县（区）", roles.COUNTY: "乡镇（街道）", roles.TOWNSHIP: "村（社区）"}


def children_of(unit: OrgUnit, on: datetime.date) -> list[OrgUnit]:
    """The current units directly below (counties of a city, townships of a county, villages of a township), each
    with `unit` as its loaded parent."""
    if unit.level == roles.VILLAGE:
        return []
    children = list(OrgUnit.objects.filter(parent=unit).current(on).order_by("code"))
    for child in children:
        child.parent = unit
    unit.dashboard_children = children
    return children


def key_length(unit: OrgUnit) -> int:
    """How many code digits the per-child figures are grouped by: townships (9) under a city or a county, villages
    (12) under a township. A city's rows are rolled up to its counties by prefix, so a township hanging straight
    under a city (3YR) is a child like a county."""
    return 12 if unit.level in (roles.TOWNSHIP, roles.VILLAGE) else 9


class Rollup:
    """Maps grouped codes (townships or villages) to the child unit whose code is their prefix."""

    def __init__(self, children: list[OrgUnit]):
        self.by_code = {c.code: c for c in children}
        self.lengths = sorted({len(c.code) for c in children}, reverse=True)

    def child(self, code: str) -> OrgUnit | None:
        for n in self.lengths:
            found = self.by_code.get(code[:n])
            if found is not None:
                return found
        return None


# --- coverage: per village, on any number of dates (two queries) ------------------------------------------------------


@dataclass
class VillageRow:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int
    valid_from: datetime.date
    valid_to: datetime.date | None
    n: list[int]  # in the pool on each date (every type)
    n_type: list[dict[str, int]]  # per date: coverage key (reserve type, YOUNG) -> in the pool
    targets: dict[str, int] = field(default_factory=dict)  # today's policy
    young_rule: bool = False
    young_age: int = 35
    parent_name: str = ""

    @property
    def young(self) -> int:
        """Young 书记后备力量 in the pool on the last date (3YR's "至少1名35岁以下")."""
        return self.n_type[-1].get(YOUNG, 0)

    def current_on(self, on: datetime.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or self.valid_to > on)

    def meets(self, targets: dict[str, int], i: int = -1) -> bool:
        return all(self.n_type[i].get(t, 0) >= target for t, target in targets.items())

    def short(self, t: str) -> int:
        return max(0, self.targets.get(t, 0) - self.n_type[-1].get(t, 0))

    @property
    def shortfalls(self) -> list[tuple[str, int, int, int]]:
        """(type label, in pool, target, short) for each type with a target, today."""
        return [
            (coverage_label(t, self.young_age), self.n_type[-1].get(t, 0), target, self.short(t))
            for t, target in self.targets.items()
        ]

    @property
    def total(self) -> int:
        return self.n[-1]


FAR = datetime.date(9999, 12, 31)


def village_rows(unit: OrgUnit, dates: list[datetime.date], policies: Policies) -> list[VillageRow]:
    """Every village under `unit` (current or not: past placements count on past dates) with its pool on each of
    `dates` (the last one is "today" for targets and the young line). Two queries: the villages, and the
    placements counted per village and date (a placement counts on day d when its record was in the pool that day
    and it ran that day: the village side of `ReserveRecord.objects.in_pool`)."""
    on = dates[-1]
    versions = policies.versions()
    types = [t for t in TYPES if any(p.target_for(t) for p in versions)]
    young = any(coverage_rules.young_rule_on(p) for p in versions)
    villages = OrgUnit.objects.filter(level=roles.VILLAGE, code__startswith=unit.code)
    if unit.level == roles.VILLAGE:
        villages = OrgUnit.objects.filter(pk=unit.pk)
    fields = ["id", "code", "name", "kind", "parent_id", "valid_from", "valid_to", "parent__name"]
    units = list(villages.values(*fields).order_by("code", "id"))
    # Each placement's days in the pool, [lo, hi), computed once; every date is then a comparison on two columns.
    placements = (
        ReservePlacement.objects.filter(village__code__startswith=unit.code)
        .annotate(
            lo=Greatest(F("start"), F("record__entered_on")),
            hi=Least(
                Coalesce(F("end"), Value(FAR, output_field=DateField())),
                Coalesce(F("record__ended_on"), Value(FAR, output_field=DateField())),
            ),
            rt=F("record__reserve_type"),
            born=F("record__person__birth_date"),
        )
        .order_by()
        .values("village_id")
    )
    counts = {}
    for i, day in enumerate(dates):
        placed = Q(lo__lte=day, hi__gt=day)
        counts[f"n{i}"] = Count("pk", filter=placed)
        for t in types:
            counts[f"n{i}_{t}"] = Count("pk", filter=placed & Q(rt=t))
        if young:  # the young line of the counties whose young rule is in force that day
            cond = coverage_rules.young_q(policies.in_force(day), day, born="born", code="village__code", rtype="rt")
            counts[f"n{i}_{YOUNG}"] = Count("pk", filter=placed & cond)
    keys = types + [YOUNG] * young
    per_village = {r["village_id"]: r for r in placements.annotate(**counts)}
    out = []
    zero = dict.fromkeys(counts, 0)
    for u in units:
        r = per_village.get(u["id"], zero)
        policy = policies.at(u["code"], on)
        out.append(
            VillageRow(
                id=u["id"],
                code=u["code"],
                name=u["name"],
                kind=u["kind"],
                parent_id=u["parent_id"],
                valid_from=u["valid_from"],
                valid_to=u["valid_to"],
                parent_name=u["parent__name"] or "",
                n=[r[f"n{i}"] for i in range(len(dates))],
                n_type=[{k: r[f"n{i}_{k}"] for k in keys} for i in range(len(dates))],
                targets=targets_of(policy),
                young_rule=coverage_rules.young_rule_on(policy),
                young_age=policy.young_age if policy else 35,
            )
        )
    return out


# The village list's filters; each is a predicate on a VillageRow (today) the dashboards count with too.
def village_filter(key: str):
    if key == "all":
        return lambda v: True
    if key == "met":
        return lambda v: bool(v.targets) and v.meets(v.targets)
    if key == "short":
        return lambda v: bool(v.targets) and not v.meets(v.targets)
    if key == "none":
        return lambda v: v.total == 0
    if key == "no_young":
        return lambda v: v.young_rule and v.young == 0
    kind, _, t = key.partition(":")
    if t in COVERAGE_KEYS and kind in ("met", "short"):
        if kind == "met":
            return lambda v: t in v.targets and v.short(t) == 0
        return lambda v: t in v.targets and v.short(t) > 0
    return None


VILLAGE_FILTER_LABELS = {
    "all": "全部村（社区）",
    "met": "各类后备干部均达到目标数的村（社区）",
    "short": "有缺额的村（社区）",
    "none": "没有后备干部的村（社区）",
    "no_young": "没有35岁及以下书记后备力量的村（社区）",
}


def village_filter_label(key: str) -> str:
    if key in VILLAGE_FILTER_LABELS:
        return VILLAGE_FILTER_LABELS[key]
    kind, _, t = key.partition(":")
    label = coverage_label(t) if t in COVERAGE_KEYS else ""
    return f"{label}{'达到目标数' if kind == 'met' else '有缺额'}的村（社区）"


@dataclass
class TypeCoverage:
    key: str
    label: str
    target: int = 0
    villages: int = 0
    met: int = 0
    short: int = 0
    shortfall: int = 0  # reserves missing in the short villages
    targets: set = field(default_factory=set)  # several when the counties of a city differ

    @property
    def target_text(self) -> str:
        return f"每村目标{self.target}名" if len(self.targets) <= 1 else "各县每村目标数不同"


@dataclass
class Coverage:
    villages: int = 0
    with_target: int = 0
    met: int = 0
    short: int = 0
    none: int = 0
    no_young: int = 0
    young_rule: bool = False
    by_type: dict[str, TypeCoverage] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return round(100 * self.met / self.with_target, 1) if self.with_target else None


def coverage_of(rows: list[VillageRow], on: datetime.date) -> Coverage:
    """Today's coverage of the current villages among `rows`."""
    cov = Coverage()
    for v in rows:
        if not v.current_on(on):
            continue
        # The village list's predicates: each count is the length of the list its figure links to.
        cov.villages += 1
        cov.none += village_filter("none")(v)
        cov.young_rule |= v.young_rule
        cov.no_young += village_filter("no_young")(v)
        cov.with_target += bool(v.targets)
        cov.met += village_filter("met")(v)
        cov.short += village_filter("short")(v)
        for t, target in v.targets.items():
            tc = cov.by_type.setdefault(t, TypeCoverage(t, coverage_label(t, v.young_age), target))
            tc.targets.add(target)
            tc.villages += 1
            tc.met += village_filter(f"met:{t}")(v)
            tc.short += village_filter(f"short:{t}")(v)
            tc.shortfall += v.short(t)
    cov.by_type = {t: cov.by_type[t] for t in COVERAGE_KEYS if t in cov.by_type}
    return cov


@dataclass
class TrendPoint:
    label: str
    on: datetime.date
    pool: int
    villages: int
    met: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.met / self.villages, 1) if self.villages else None


def trend_dates(on: datetime.date, quarters: int = TREND_QUARTERS) -> list[tuple[str, datetime.date]]:
    """The ends of the `quarters - 1` quarters before this one, and today for this one."""
    year, quarter = quarter_of(on)
    label = f"{year}年{'一二三四'[quarter - 1]}季度"
    if on != quarter_bounds(year, quarter)[1]:
        label += f"（截至{on.month}月{on.day}日）"
    points = [(label, on)]
    for _ in range(quarters - 1):
        year, quarter = previous_quarter(year, quarter)
        points.append((f"{year}年{'一二三四'[quarter - 1]}季度", quarter_bounds(year, quarter)[1]))
    return points[::-1]


def trend(rows: list[VillageRow], dates: list[tuple[str, datetime.date]], policies: Policies) -> list[TrendPoint]:
    """Pool size and villages meeting every target at each date (targets of the policy in force that day)."""
    points = []
    for i, (label, day) in enumerate(dates):
        met = villages = 0
        for v in rows:
            if not v.current_on(day):
                continue
            targets = targets_of(policies.at(v.code, day))
            if targets:
                villages += 1
                met += v.meets(targets, i)
        points.append(TrendPoint(label, day, sum(v.n[i] for v in rows), villages, met))
    return points


# --- structure of the pool ---------------------------------------------------------------------------------------

RESERVE_FIGURES = {
    "pool": "在库后备干部",
    "young": "35岁及以下",
    "college": "大专及以上学历",
    "party": "中共党员（含预备党员）",
    "women": "女性",
    "flagged": "有待处理的取消资格提示",
    "over_age": "已超过年龄上限",
    "ageing": "12个月内将超过年龄上限",
}
AGE_FIGURES = {"over_age": past_age_limit, "ageing": ageing_out}


def figure_q(key: str, on: datetime.date, policies: Policies) -> Q | None:
    """The condition of a pool figure over ReserveRecord rows (None: unknown figure)."""
    if key == "pool":
        return Q()
    if key == "young":
        return age_band_q("le35", "person__birth_date", on)
    if key == "college":
        return Q(person__education__in=COLLEGE_UP)
    if key == "party":
        return Q(person__political_status__in=PARTY)
    if key == "women":
        return Q(person__sex="F")
    if key == "flagged":
        return Q(Exists(Flag.objects.filter(record=OuterRef("pk"), resolved_on__isnull=True)))
    if key in AGE_FIGURES:
        # assessment.compliance decides who is past / passing the limit (the same rows its flags and the reminders
        # take); only a blocking limit counts.
        cond = Q(pk__in=[])
        for code, policy in policies.in_force(on).items():
            if age_limit_blocks(policy):
                rows = AGE_FIGURES[key](ReserveRecord.objects.filter(village__code__startswith=code), policy, on=on)
                cond |= Q(pk__in=rows.values("pk"))
        return cond
    return None


def pool_records(user, unit: OrgUnit, on: datetime.date):
    """The pool of `unit` on `on` that the user may see."""
    return ReserveRecord.objects.for_user(user).in_pool(unit, on)


@dataclass
class Structure:
    n: int = 0
    age_sum: int = 0
    young: int = 0
    college: int = 0
    party: int = 0
    women: int = 0
    flagged: int = 0
    over_age: int = 0
    ageing: int = 0

    def add(self, other: "Structure"):
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def avg_age(self) -> float | None:
        return round(self.age_sum / self.n, 1) if self.n else None

    def pct(self, name: str) -> float | None:
        return round(100 * getattr(self, name) / self.n, 1) if self.n else None

    @property
    def young_pct(self):
        return self.pct("young")

    @property
    def college_pct(self):
        return self.pct("college")

    @property
    def party_pct(self):
        return self.pct("party")

    @property
    def women_pct(self):
        return self.pct("women")


def age_expression(on: datetime.date):
    """Whole years of age on `on` in SQL: (yyyymmdd of `on` − yyyymmdd of birth) div 10000."""
    return (Value(training_rules.date_key(on)) - training_rules.DateKey(F("person__birth_date"))) / Value(10000)


def structure_and_sources(
    user, unit: OrgUnit, on: datetime.date, policies: Policies
) -> tuple[dict[str, Structure], list[tuple[str, str, int]]]:
    """Per township (or village, under a township) code: the pool's size, age sum and the pool figures; and the
    unit's pool by source group (身份), largest first. One query, grouped by code and source group (every figure
    adds up across groups)."""
    aggregates = {"n": Count("pk"), "age_sum": Sum(age_expression(on), output_field=IntegerField())}
    for key in ("young", "college", "party", "women", "flagged", "over_age", "ageing"):
        aggregates[key] = Count("pk", filter=figure_q(key, on, policies))
    rows = (
        pool_records(user, unit, on)
        .annotate(k=Substr("village__code", 1, key_length(unit)))
        .order_by()
        .values("k", "person__source_group")
        .annotate(**aggregates)
    )
    by_code: dict[str, Structure] = {}
    by_source: dict[str, int] = defaultdict(int)
    for r in rows:
        by_code.setdefault(r["k"], Structure()).add(
            Structure(**{name: r[name] or 0 for name in Structure.__dataclass_fields__})
        )
        by_source[r["person__source_group"]] += r["n"]
    labels = dict(C.SOURCE_CHOICES)
    sources = sorted(((key, labels.get(key, key), n) for key, n in by_source.items()), key=lambda s: (-s[2], s[0]))
    return by_code, sources


def structure(user, unit: OrgUnit, on: datetime.date, policies: Policies) -> dict[str, Structure]:
    """Per code: the pool figures (see structure_and_sources). One query."""
    return structure_and_sources(user, unit, on, policies)[0]


def status_counts(user, unit: OrgUnit) -> dict[tuple[str, str], int]:
    """(status, reserve type) -> records, as the reserve list counts them (by the record's current village). One
    query."""
    rows = (
        ReserveRecord.objects.for_user(user)
        .filter(village__code__startswith=unit.code)
        .order_by()
        .values("status", "reserve_type")
        .annotate(n=Count("pk"))
    )
    return {(r["status"], r["reserve_type"]): r["n"] for r in rows}


def status_records(user, unit: OrgUnit, status: str):
    qs = ReserveRecord.objects.for_user(user).filter(village__code__startswith=unit.code)
    return qs if status == "all" else qs.filter(status=status)


# --- work in progress --------------------------------------------------------------------------------------------


def week_end(on: datetime.date) -> datetime.date:
    return on + datetime.timedelta(days=6 - on.weekday())


def notices_ending_this_week(user, on: datetime.date):
    """Notices the user sees whose period ends between today and Sunday."""
    return Notice.objects.for_user(user).filter(end__gte=on, end__lte=week_end(on))


STAGE_ORDER = {key: i for i, key in enumerate(dict.fromkeys(k for stages in STAGES.values() for k, _ in stages))}


def stage_order(stage: str) -> int:
    return STAGE_ORDER.get(stage, len(STAGE_ORDER))


def township_rounds(user, township: OrgUnit) -> dict[str, int]:
    """Stage -> open selection rounds of the township (the round list filtered by township). One query."""
    rows = (
        Round.objects.for_user(user)
        .filter(township=township)
        .exclude(stage__in=CLOSED_STAGES)
        .order_by()
        .values("stage")
        .annotate(n=Count("pk"))
    )
    return {r["stage"]: r["n"] for r in rows}


def _union_part(qs, kind: str, state_field: str | None):
    state = F(state_field) if state_field else Value("", output_field=CharField())
    return (
        qs.order_by()
        .annotate(wk=Value(kind, output_field=CharField()), ws=state)
        .values("wk", "ws")
        .annotate(wn=Count("pk"))
        .values_list("wk", "ws", "wn")
    )


@dataclass
class WorkInProgress:
    rounds: dict[str, int] = field(default_factory=dict)  # stage -> open rounds
    notices_week: int = 0
    filings_waiting: int = 0
    filings_returned: int = 0
    chains: dict[str, dict[str, int]] = field(default_factory=dict)  # removal/use/transfer -> state -> n

    def open_total(self, kind: str) -> int:
        model = {"removal": Removal, "use": Use, "transfer": Transfer}[kind]
        return sum(n for state, n in self.chains.get(kind, {}).items() if state in model.OPEN_STATES)

    @property
    def rounds_open(self) -> int:
        return sum(self.rounds.values())


def work_in_progress(user, on: datetime.date) -> WorkInProgress:
    """Everything in flight in the user's scope, as the lists of each app count it (they are scoped to the user, not
    to a unit: shown where the dashboard's unit is the user's whole scope). One query (UNION ALL)."""
    parts = [
        _union_part(Round.objects.for_user(user).exclude(stage__in=CLOSED_STAGES), "round", "stage"),
        _union_part(notices_ending_this_week(user, on), "notice", None),
        _union_part(
            Filing.objects.for_user(user).filter(state__in=[Filing.SUBMITTED, Filing.RETURNED]), "filing", "state"
        ),
        _union_part(Removal.objects.for_user(user).filter(state__in=Removal.OPEN_STATES), "removal", "state"),
        _union_part(Use.objects.for_user(user).filter(state__in=Use.OPEN_STATES), "use", "state"),
        _union_part(Transfer.objects.for_user(user).filter(state__in=Transfer.OPEN_STATES), "transfer", "state"),
    ]
    wip = WorkInProgress()
    for kind, state, n in parts[0].union(*parts[1:], all=True):
        if kind == "round":
            wip.rounds[state] = n
        elif kind == "notice":
            wip.notices_week = n
        elif kind == "filing":
            if state == Filing.SUBMITTED:
                wip.filings_waiting = n
            else:
                wip.filings_returned = n
        else:
            wip.chains.setdefault(kind, {})[state] = n
    return wip


# --- compliance --------------------------------------------------------------------------------------------------

TRAINING_FIELDS = (
    "training_on",
    "training_window",
    "training_window_years",
    "training_min_days",
    "training_count_mode",
    "training_counting_forms",
)
MENTORING_FIELDS = (
    "mentor_on",
    "mentor_rule",
    "quarter_mentoring_on",
    "talk_full_coverage_yearly",
    "talk_township_half_yearly",
    "talk_collective_yearly",
    "talk_mentor_monthly",
)


def _groups(unit: OrgUnit, policies: Policies, on: datetime.date, fields) -> list[tuple[CountyPolicy | None, Q]]:
    """The unit's counties grouped by the policy fields a rule reads, each with a filter on the record's village:
    one query per group (a city whose counties share a preset: one)."""
    if unit.level != roles.CITY:
        return [(policies.at(unit.code, on), Q())]
    groups: dict[tuple, tuple[CountyPolicy | None, list[str]]] = {}
    for code, policy in policies.in_force(on).items():
        key = tuple(str(getattr(policy, f)) for f in fields)
        groups.setdefault(key, (policy, []))[1].append(code)
    out = []
    covered = []
    for policy, codes in groups.values():
        cond = Q(pk__in=[])
        for code in codes:
            cond |= Q(village__code__startswith=code)
        out.append((policy, cond))
        covered += codes
    rest = Q()
    for code in covered:
        rest &= ~Q(village__code__startswith=code)
    if unit.level == roles.CITY and _has_uncovered(unit, covered):
        out.append((None, rest))  # counties without a policy (and townships straight under the city)
    return out


def _has_uncovered(city: OrgUnit, covered: list[str]) -> bool:
    """A county (or a township straight under the city) with no policy: only then is a query for them needed. No
    query: the city's children are cached on it by the dashboard (else assume there may be some)."""
    children = getattr(city, "dashboard_children", None)
    if children is None:
        return True
    return any(not any(child.code.startswith(code) for code in covered) for child in children)


def training_base(user, unit: OrgUnit, on: datetime.date):
    """The records the training gap list looks at (training.selectors.gap_list): open, entered by `on`, under
    `unit` by their current village."""
    return ReserveRecord.objects.for_user(user).filter(
        ended_on__isnull=True, entered_on__lte=on, village__code__startswith=unit.code
    )


def training_gaps(user, unit: OrgUnit, on: datetime.date, policies: Policies) -> dict[str, int]:
    """Code (township / village) -> reserves who miss the training rule or are at risk (the gap list's rows)."""
    out: dict[str, int] = defaultdict(int)
    for policy, cond in _groups(unit, policies, on, TRAINING_FIELDS):
        if not rule_on(policy, "training"):
            continue
        rows = (
            training_rules.annotate_training_status(training_base(user, unit, on).filter(cond), policy, on)
            .filter(training_rules.attention_q("training", on))
            .annotate(k=Substr("village__code", 1, key_length(unit)))
            .order_by()
            .values("k")
            .annotate(n=Count("pk"))
        )
        for r in rows:
            out[r["k"]] += r["n"]
    return out


def mentoring_base(user, unit: OrgUnit, on: datetime.date):
    """The records the mentoring compliance list looks at (mentoring.selectors.compliance_summary: the user's
    records among the pool of `unit` on `on`), as a join rather than its IN (subquery): the same rows."""
    return pool_records(user, unit, on)


# mentoring.rules' rule keys -> the policy rule that imposes each (reserves.policy.RULES)
MENTORING_RULE_OF = {
    "pairing": "mentor",
    "entry": "quarter_mentoring",
    "full_coverage": "talk_full_coverage",
    "half_yearly": "talk_half_yearly",
    "collective": "talk_collective",
    "monthly": "talk_monthly",
}


def mentoring_keys(policy: CountyPolicy | None) -> list[str]:
    """The mentoring rules the policy imposes (none without a policy: a rule that is off is not shown)."""
    return [k for k, _ in applicable_rules(policy) if rule_on(policy, MENTORING_RULE_OF.get(k, k))]


def mentoring_rules(unit: OrgUnit, policies: Policies, on: datetime.date) -> list[tuple[str, str]]:
    """The mentoring rules some county of the unit asks for, in the order of mentoring.rules.RULES."""
    keys = set()
    for policy, _cond in _groups(unit, policies, on, MENTORING_FIELDS):
        keys |= set(mentoring_keys(policy))
    return [(k, label) for k, label in RULE_LABELS.items() if k in keys]


def mentoring_gaps(user, unit: OrgUnit, on: datetime.date, policies: Policies) -> dict[str, dict[str, int]]:
    """Code -> rule -> reserves with a problem under that rule (the compliance list's summary, per child)."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for policy, cond in _groups(unit, policies, on, MENTORING_FIELDS):
        keys = mentoring_keys(policy)
        if not keys:
            continue
        qs = annotate_mentoring(mentoring_base(user, unit, on).filter(cond), policy, on)
        rows = (
            qs.annotate(k=Substr("village__code", 1, key_length(unit)))
            .order_by()
            .values("k")
            .annotate(**{key: Count("pk", filter=problem_q([key])) for key in keys})
        )
        for r in rows:
            for key in keys:
                out[r["k"]][key] += r[key]
    return out


def review_quarter(on: datetime.date) -> tuple[int, int]:
    """The last finished quarter: the township's opinions for it are due."""
    return previous_quarter(*quarter_of(on))


def unreviewed_records(user, unit: OrgUnit, year: int, quarter: int):
    """Reserves in the pool of `unit` during the quarter without the township's opinion for it."""
    return missing_township_opinion(ReserveRecord.objects.for_user(user), year, quarter, unit=unit)


def unreviewed(user, unit: OrgUnit, year: int, quarter: int, children: list[OrgUnit]) -> tuple[int, dict[int, int]]:
    """The unit's count, and per child unit (a reserve who moved between children in the quarter counts in each, as
    each child's list shows them). One query: every such record has a placement under the unit in the quarter, so
    the distinct records of those placements are the unit's list."""
    start, end = quarter_bounds(year, quarter)
    placements = ReservePlacement.objects.filter(
        record__in=unreviewed_records(user, unit, year, quarter).values("pk"), start__lte=end
    ).filter(Q(end__isnull=True) | Q(end__gt=start), village__code__startswith=unit.code)
    counts = placements.aggregate(
        total=Count("record_id", distinct=True),
        **{
            f"c{child.pk}": Count("record_id", distinct=True, filter=Q(village__code__startswith=child.code))
            for child in children
        },
    )
    return counts["total"], {child.pk: counts[f"c{child.pk}"] for child in children}


def removed_records(user, unit: OrgUnit, year: int):
    """Reserves removed in `year` (取消资格) whose village lies under `unit`, each with `replenished`: a reserve of
    the same type has since been placed in that village (跟进补充)."""
    since = ReservePlacement.objects.filter(
        village=OuterRef("village"), start__gte=OuterRef("ended_on"), record__reserve_type=OuterRef("reserve_type")
    )
    return (
        ReserveRecord.objects.for_user(user)
        .filter(status=C.STATUS_REMOVED, ended_on__year=year, village__code__startswith=unit.code)
        .annotate(replenished=Exists(since))
    )


def removals(user, unit: OrgUnit, year: int) -> dict[str, tuple[int, int]]:
    """Code -> (removed in the year, of them replenished). One query."""
    rows = (
        removed_records(user, unit, year)
        .annotate(k=Substr("village__code", 1, key_length(unit)))
        .order_by()
        .values("k")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(replenished=True)))
    )
    return {r["k"]: (r["n"], r["done"]) for r in rows}


# --- the village view ------------------------------------------------------------------------------------------


def village_reserves(user, village: OrgUnit, on: datetime.date, policies: Policies):
    """The village's pool with what each reserve lacks: the training rule, the mentoring rules, last quarter's
    township opinion, open removal grounds and ageing out. One query."""
    year, quarter = review_quarter(on)
    start, end = quarter_bounds(year, quarter)
    policy = policies.at(village.code, on)
    qs = pool_records(user, village, on).select_related("person")
    qs = training_rules.annotate_training_status(qs, policy, on)
    qs = annotate_mentoring(qs, policy, on)
    reviewed = QuarterReview.objects.filter(record=OuterRef("pk"), year=year, quarter=quarter).exclude(
        township_rating=""
    )
    in_quarter = Q(entered_on__lte=end) & (Q(ended_on__isnull=True) | Q(ended_on__gt=start))
    return qs.annotate(
        d_flagged=Exists(Flag.objects.filter(record=OuterRef("pk"), resolved_on__isnull=True)),
        d_unreviewed=ExpressionWrapper(in_quarter & ~Q(Exists(reviewed)), output_field=BooleanField()),
        d_over_age=ExpressionWrapper(figure_q("over_age", on, policies), output_field=BooleanField()),
        d_ageing=ExpressionWrapper(figure_q("ageing", on, policies), output_field=BooleanField()),
    ).order_by("person__name", "reserve_type", "pk")


# --- dashboards' own reserve list --------------------------------------------------------------------------------


def figure_records(user, unit: OrgUnit, on: datetime.date, policies: Policies, data: dict):
    """The rows behind a figure: a pool figure, a status (as the reserve list counts it), last quarter's missing
    opinions, or this year's removals; optionally by type and source group. None for an unknown figure."""
    figure, status = data.get("figure") or "", data.get("status") or ""
    if status:
        qs = status_records(user, unit, status)
    elif figure in ("", "pool") or figure in RESERVE_FIGURES:
        qs = pool_records(user, unit, on).filter(figure_q(figure or "pool", on, policies))
    elif figure == "unreviewed":
        year, quarter = review_quarter(on)
        qs = unreviewed_records(user, unit, data.get("year") or year, data.get("quarter") or quarter)
    elif figure in ("removed", "replenished", "unreplenished"):
        qs = removed_records(user, unit, data.get("year") or on.year)
        if figure != "removed":
            qs = qs.filter(replenished=figure == "replenished")
    else:
        return None
    if data.get("type"):
        qs = qs.filter(reserve_type=data["type"])
    if data.get("source"):
        qs = qs.filter(person__source_group=data["source"])
    return qs.select_related("person", "village__parent").order_by("village__code", "person__name", "pk")
