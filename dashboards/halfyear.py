"""Figures of the half-yearly analysis (半年分析, QS): a county's pool at the end of a half year (or today, for the
half under way) beside the previous half's, and what happened in each half. A fixed number of queries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum

from assessment.models import QuarterReview
from dashboards import selectors as S
from mentoring.models import MentoringEntry, TalkParticipant
from org.models import OrgUnit
from reserves import choices as C
from reserves.models import ReservePlacement, ReserveRecord
from training.models import Enrolment

HALF_LABELS = {1: "上半年", 2: "下半年"}


def half_bounds(year: int, half: int) -> tuple[datetime.date, datetime.date]:
    if half == 1:
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    return datetime.date(year, 7, 1), datetime.date(year, 12, 31)


def previous_half(year: int, half: int) -> tuple[int, int]:
    return (year, 1) if half == 2 else (year - 1, 2)


def next_half(year: int, half: int) -> tuple[int, int]:
    return (year, 2) if half == 1 else (year + 1, 1)


def current_half(on: datetime.date) -> tuple[int, int]:
    return on.year, 1 if on.month <= 6 else 2


def half_label(year: int, half: int) -> str:
    return f"{year}年{HALF_LABELS[half]}"


@dataclass
class Half:
    year: int
    half: int
    start: datetime.date
    end: datetime.date
    on: datetime.date  # figures "at the end" are taken on this day: the half's last day, or today
    structure: S.Structure = field(default_factory=S.Structure)
    coverage: S.Coverage = field(default_factory=S.Coverage)
    by_type: dict[str, int] = field(default_factory=dict)
    entered: int = 0
    removed: int = 0
    used: int = 0
    exited: int = 0
    trained: int = 0  # reserves with a training ending in the half
    training_days: float = 0
    events: int = 0
    talks: int = 0
    talk_people: int = 0
    entries: int = 0
    reviews: list[tuple[str, int, int]] = field(default_factory=list)  # (quarter label, reviewed, in the pool)

    @property
    def label(self) -> str:
        return half_label(self.year, self.half)

    @property
    def partial(self) -> bool:
        return self.on < self.end

    @property
    def on_text(self) -> str:
        return f"{self.on.year}年{self.on.month}月{self.on.day}日"


def _half(year: int, half: int, on: datetime.date) -> Half:
    start, end = half_bounds(year, half)
    return Half(year, half, start, end, min(end, on))


def half_year(user, county: OrgUnit, year: int, half: int, on: datetime.date | None = None) -> dict:
    on = on or S.today()
    cur = _half(year, half, on)
    prev = _half(*previous_half(year, half), on)
    halves = (prev, cur)
    policies = S.load_policies(county)
    in_county = Q(village__code__startswith=county.code)

    # Pool and structure at each half's end (grouped by township; summed here).
    for h in halves:
        for st in S.structure(user, county, h.on, policies).values():
            h.structure.add(st)

    # Pool by type at both dates (one query, from the placements: the village side of in_pool).
    aggregates = {}
    for i, h in enumerate(halves):
        placed = (
            Q(start__lte=h.on)
            & (Q(end__isnull=True) | Q(end__gt=h.on))
            & Q(record__entered_on__lte=h.on)
            & (Q(record__ended_on__isnull=True) | Q(record__ended_on__gt=h.on))
        )
        for t in S.TYPES:
            aggregates[f"h{i}_{t}"] = Count("record_id", filter=placed & Q(record__reserve_type=t))
    counts = ReservePlacement.objects.filter(in_county).aggregate(**aggregates)
    for i, h in enumerate(halves):
        h.by_type = {t: counts[f"h{i}_{t}"] for t in S.TYPES if counts[f"h{i}_{t}"]}

    # Coverage at both ends and the quarterly trend up to this half's end (one query).
    dates = S.trend_dates(cur.on)
    rows = S.village_rows(county, [d for _, d in dates], policies)
    trend = S.trend(rows, dates, policies)
    cur.coverage = _coverage_at(rows, len(dates) - 1, cur.on, policies)
    prev_index = next((i for i, (_, d) in enumerate(dates) if d == prev.on), None)
    if prev_index is not None:
        prev.coverage = _coverage_at(rows, prev_index, prev.on, policies)

    # Entries and exits in each half (one query).
    records = ReserveRecord.objects.for_user(user).filter(in_county)
    flows = {}
    for i, h in enumerate(halves):
        inside = {"gte": h.start, "lte": h.end}
        flows[f"entered{i}"] = Count("pk", filter=Q(entered_on__gte=inside["gte"], entered_on__lte=inside["lte"]))
        for status, name in ((C.STATUS_REMOVED, "removed"), (C.STATUS_USED, "used"), (C.STATUS_EXITED, "exited")):
            flows[f"{name}{i}"] = Count(
                "pk", filter=Q(status=status, ended_on__gte=inside["gte"], ended_on__lte=inside["lte"])
            )
    flow = records.aggregate(**flows)
    for i, h in enumerate(halves):
        for name in ("entered", "removed", "used", "exited"):
            setattr(h, name, flow[f"{name}{i}"])

    # Training, talks and mentoring entries in each half (three queries).
    in_county_record = Q(record__village__code__startswith=county.code)
    training = {}
    talks = {}
    for i, h in enumerate(halves):
        held = Q(event__end__gte=h.start, event__end__lte=h.on)
        training[f"people{i}"] = Count("record_id", distinct=True, filter=held)
        training[f"events{i}"] = Count("event_id", distinct=True, filter=held)
        training[f"days{i}"] = Sum("event__days", filter=held)
        said = Q(talk__date__gte=h.start, talk__date__lte=h.on)
        talks[f"talks{i}"] = Count("talk_id", distinct=True, filter=said)
        talks[f"people{i}"] = Count("record_id", distinct=True, filter=said)
    t = Enrolment.objects.filter(in_county_record).aggregate(**training)
    k = TalkParticipant.objects.filter(in_county_record).aggregate(**talks)
    entries = MentoringEntry.objects.filter(pairing__record__village__code__startswith=county.code).aggregate(
        **{
            f"e{i}": Count("pk", filter=Q(year=h.year, quarter__in=_quarters(h.half), date__lte=h.on))
            for i, h in enumerate(halves)
        }
    )
    for i, h in enumerate(halves):
        h.trained, h.events = t[f"people{i}"], t[f"events{i}"]
        h.training_days = float(t[f"days{i}"] or 0)
        h.talks, h.talk_people = k[f"talks{i}"], k[f"people{i}"]
        h.entries = entries[f"e{i}"]

    # Quarterly reviews of the quarters that have begun: per quarter, the reserves in the county's pool during it
    # and those with the township's opinion (as assessment.selectors.quarter_counts counts them). One query.
    quarters = [(h, q) for h in halves for q in _quarters(h.half) if S.quarter_bounds(h.year, q)[0] <= on]
    review_counts = {}
    for h, q in quarters:
        start, end = S.quarter_bounds(h.year, q)
        during = (
            Q(start__lte=end)
            & (Q(end__isnull=True) | Q(end__gt=start))
            & Q(record__entered_on__lte=end)
            & (Q(record__ended_on__isnull=True) | Q(record__ended_on__gt=start))
        )
        opinion = QuarterReview.objects.filter(record=OuterRef("record_id"), year=h.year, quarter=q).exclude(
            township_rating=""
        )
        review_counts[f"t{h.year}_{q}"] = Count("record_id", distinct=True, filter=during)
        review_counts[f"r{h.year}_{q}"] = Count("record_id", distinct=True, filter=during & Q(Exists(opinion)))
    if review_counts:
        c = ReservePlacement.objects.filter(in_county).aggregate(**review_counts)
        for h, q in quarters:
            h.reviews.append((f"第{'一二三四'[q - 1]}季度", c[f"r{h.year}_{q}"], c[f"t{h.year}_{q}"]))
    return {"cur": cur, "prev": prev, "trend": trend, "shown": policies.rules_on(cur.on)}


def _quarters(half: int) -> tuple[int, int]:
    return (1, 2) if half == 1 else (3, 4)


def _coverage_at(rows, i: int, on: datetime.date, policies: S.Policies) -> S.Coverage:
    """Coverage on the i-th date of the village rows, with the targets in force that day (lifecycle.rules' targets:
    each type's, and the young secretary reserve where that rule is on)."""
    cov = S.Coverage()
    for v in rows:
        if not v.current_on(on):
            continue
        targets = S.targets_of(policies.at(v.code, on))
        cov.villages += 1
        cov.none += v.n[i] == 0
        if targets:
            cov.with_target += 1
            if v.meets(targets, i):
                cov.met += 1
            else:
                cov.short += 1
        for t, target in targets.items():
            tc = cov.by_type.setdefault(t, S.TypeCoverage(t, S.coverage_label(t, v.young_age), target))
            tc.villages += 1
            short = max(0, target - v.n_type[i].get(t, 0))
            tc.met += short == 0
            tc.short += short > 0
            tc.shortfall += short
    return cov


TALK_RULES = {"talk_full_coverage", "talk_half_yearly", "talk_collective", "talk_monthly"}


def comparison_rows(cur: Half, prev: Half, shown: set[str] | None = None) -> list[tuple[str, str, str, str]]:
    """(item, previous half, this half, change) for the table on the page and in the PDF. Rows of a rule the county
    does not impose (reserves.policy rule keys in `shown`; None: every row) are left out."""

    def on(*keys):
        return shown is None or any(k in shown for k in keys)

    def num(v):
        return "—" if v is None else f"{v:g}"

    def change(a, b, suffix=""):
        if a is None or b is None:
            return ""
        d = round(b - a, 1)
        return f"{'+' if d > 0 else ''}{d:g}{suffix}" if d else "持平"

    rows = []

    def add(label, a, b, suffix=""):
        rows.append(
            (
                label,
                num(a) + (suffix if a is not None else ""),
                num(b) + (suffix if b is not None else ""),
                change(a, b, suffix if suffix != "%" else "个百分点"),
            )
        )

    add("在库后备干部（人）", prev.structure.n, cur.structure.n)
    for t, label in S.TYPE_LABELS.items():
        if prev.by_type.get(t) or cur.by_type.get(t):
            add(f"　其中：{label}", prev.by_type.get(t, 0), cur.by_type.get(t, 0))
    add("平均年龄（岁）", prev.structure.avg_age, cur.structure.avg_age)
    add("35岁及以下占比", prev.structure.young_pct, cur.structure.young_pct, "%")
    add("大专及以上学历占比", prev.structure.college_pct, cur.structure.college_pct, "%")
    add("中共党员占比", prev.structure.party_pct, cur.structure.party_pct, "%")
    add("女性占比", prev.structure.women_pct, cur.structure.women_pct, "%")
    add("村（社区）数", prev.coverage.villages, cur.coverage.villages)
    add("达到目标数的村（社区）", prev.coverage.met, cur.coverage.met)
    add("达标村（社区）占比", prev.coverage.rate, cur.coverage.rate, "%")
    add("没有后备干部的村（社区）", prev.coverage.none, cur.coverage.none)
    add("新入库（人）", prev.entered, cur.entered)
    add("取消资格（人）", prev.removed, cur.removed)
    add("择优使用（人）", prev.used, cur.used)
    add("其他出库（人）", prev.exited, cur.exited)
    if on("training"):
        add("参加培训（人）", prev.trained, cur.trained)
        add("举办（参加）培训（期）", prev.events, cur.events)
        add("培训天数合计（天）", prev.training_days, cur.training_days)
    if on(*TALK_RULES):
        add("谈心谈话（次）", prev.talks, cur.talks)
        add("谈话覆盖（人）", prev.talk_people, cur.talk_people)
    if on("quarter_mentoring"):
        add("结对帮扶情况记录（条）", prev.entries, cur.entries)

    def reviews(h):
        return "；".join(f"{label}{done}/{total}" for label, done, total in h.reviews) or "—"

    if on("quarter_review"):
        rows.append(("季度评议（乡镇已评/应评）", reviews(prev), reviews(cur), ""))
    return rows
