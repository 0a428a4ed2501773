"""The assessment and attendance rules, each in two forms kept in step by tests (tests/assessment/test_compliance.py):

- per record, a `reserves.compliance.Check` with a Chinese reason (detail pages, reminders);
- as a queryset filter or annotation (lists, dashboards, scans) — no Python loop over people.

Rules: the township's quarterly opinion (季度评议, `quarter_review_on`), the annual appraisal (年度考核,
`annual_appraisal_on`), absence beyond the QL §11 thresholds (连续超过15天 / 一年累计超过30天, `absence_on`), and the
age limit (`age_on`): records already past it ("已超过年龄上限", `past_age_limit`) and records that pass it within
12 months ("12个月内将超过年龄上限", `ageing_out`) are separate. Every rule answers only under a policy that has it on:
with the rule off a check is NA with a Chinese reason and a list is empty."""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields import DateField
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from notices.calendar import cn_date
from reserves.compliance import DUE, NA, OK, OVERDUE, Check, quarter_bounds
from reserves.dates import add_years_forward, shift_years_back
from reserves.models import CountyPolicy, ReservePlacement, ReserveRecord
from reserves.policy import county_of, policy_in_force, rule_on

from .models import Absence, AnnualAppraisal, QuarterReview, quarter_label

ONE_DAY = datetime.timedelta(days=1)


def policy_for(record: ReserveRecord, on: datetime.date) -> CountyPolicy | None:
    county = county_of(record.village)
    return policy_in_force(county, on) if county is not None else None


def policy_of_unit(unit, on: datetime.date) -> CountyPolicy | None:
    """The version in force on `on` for the county of a village or township (None above a county or without one)."""
    county = county_of(unit)
    return policy_in_force(county, on) if county is not None else None


def policies_in_force(on: datetime.date) -> list[CountyPolicy]:
    """The version in force on `on` of every county's policy, with its county (one query)."""
    seen, out = set(), []
    for policy in (
        CountyPolicy.objects.filter(effective_from__lte=on)
        .select_related("county")
        .order_by("county_id", "-effective_from", "-id")
    ):
        if policy.county_id not in seen:
            seen.add(policy.county_id)
            out.append(policy)
    return out


def where_rule_on(queryset: QuerySet, key: str, on: datetime.date, *, field: str = "village__code") -> QuerySet:
    """Rows of `queryset` in counties whose version in force on `on` has rule `key` (a reserves.policy RULES key)
    on. For lists over several counties (city and county users): a county without the rule has no such duty."""
    cond = Q(pk__in=[])
    for policy in policies_in_force(on):
        if rule_on(policy, key):
            cond |= Q(**{f"{field}__startswith": policy.county.code})
    return queryset.filter(cond)


def rule_day(last_day: datetime.date, today: datetime.date | None = None) -> datetime.date:
    """The day whose policy decides a period's duty: its last day, or today while the period runs (a version that
    takes effect later does not reach back)."""
    return min(last_day, today or timezone.localdate())


NOT_SET = "本县尚未设置该日期适用的政策。"


def rule_off_text(key: str) -> str:
    """What a page says when the county's policy does not have the rule."""
    return RULE_OFF_TEXTS[key]


RULE_OFF_TEXTS = {
    "quarter_review": "本县政策未规定季度评议。",
    "annual_appraisal": "本县政策未规定对后备干部进行年度考核（评估）。",
    "leave_routing": "本县政策未规定请销假审批。",
    "absence": "本县政策未规定缺勤（旷工、超假）取消资格的界限。",
    "inability_report": "本县政策未规定不能正常履职情况的报告时限。",
    "age": "本县政策未规定年龄上限。",
}


# --- who was in the pool where, over a period ----------------------------------------------------------------------


def records_in_period(start: datetime.date, end: datetime.date, *, village=None, unit=None) -> QuerySet:
    """Records whose stint in the pool and whose placement in `village` (or anywhere under `unit`, or anywhere)
    overlap [start, end]. Placements and stints end exclusively (as `ReserveRecord.objects.in_pool`)."""
    placements = ReservePlacement.objects.filter(record=OuterRef("pk"), start__lte=end).filter(
        Q(end__isnull=True) | Q(end__gt=start)
    )
    if village is not None:
        placements = placements.filter(village=village)
    elif unit is not None:
        placements = placements.filter(village__code__startswith=unit.code)
    return (
        ReserveRecord.objects.filter(entered_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start))
        .filter(Exists(placements))
    )


def in_period(record: ReserveRecord, start: datetime.date, end: datetime.date, placements=None) -> bool:
    """The per-record twin of `records_in_period` (anywhere)."""
    if record.entered_on > end or (record.ended_on is not None and record.ended_on <= start):
        return False
    placements = record.placements.all() if placements is None else placements
    return any(p.start <= end and (p.end is None or p.end > start) for p in placements)


def village_in_quarter(record: ReserveRecord, year: int, quarter: int):
    """The village the record sat in last during the quarter (its review belongs to that village's township)."""
    start, end = quarter_bounds(year, quarter)
    placements = [p for p in record.placements.all() if p.start <= end and (p.end is None or p.end > start)]
    if not placements:
        return None
    return max(placements, key=lambda p: (p.start, p.pk)).village


# --- 季度评议: the township's opinion each quarter ----------------------------------------------------------------


def has_township_opinion(review: QuarterReview | None) -> bool:
    return review is not None and review.township_rating != ""


def check_quarter_review(
    record: ReserveRecord, year: int, quarter: int, *, on: datetime.date, status=None, policy=...
) -> Check:
    """Does the record have the township's opinion for the quarter? `status` (a QuarterStatus) may be passed to
    save the look-ups; otherwise the lock of the township the record sat in is read. `policy` defaults to the
    version in force at the quarter's end (or on `on`, if earlier); without quarter_review_on the check is NA."""
    label = f"{quarter_label(year, quarter)}评议"
    start, end = quarter_bounds(year, quarter)
    if policy is ...:
        policy = policy_for(record, min(end, on))
    if policy is None:
        return Check("quarter_review", label, NA, NOT_SET)
    if not policy.quarter_review_on:
        return Check("quarter_review", label, NA, rule_off_text("quarter_review"))
    if not in_period(record, start, end):
        return Check("quarter_review", label, NA, f"{quarter_label(year, quarter)}不在库，无需评议。")
    review = QuarterReview.objects.filter(record=record, year=year, quarter=quarter).first()
    if has_township_opinion(review):
        return Check(
            "quarter_review", label, OK, f"乡镇评定意见已填写（评定：{review.get_township_rating_display()}）。"
        )
    if status is None:
        from .quarters import quarter_status

        village = village_in_quarter(record, year, quarter)
        status = quarter_status(village.parent, year, quarter, today=on)
    if status.is_locked:
        return Check(
            "quarter_review",
            label,
            OVERDUE,
            f"未填写乡镇评定意见；{status.explanation}",
            status.deadline.day,
        )
    return Check(
        "quarter_review",
        label,
        DUE,
        f"尚未填写乡镇评定意见，请于{status.deadline_text}前完成并提交。",
        status.deadline.day,
    )


def missing_township_opinion(
    queryset: QuerySet, year: int, quarter: int, *, village=None, unit=None, today: datetime.date | None = None
) -> QuerySet:
    """The records of `queryset` in the pool during the quarter (in `village` / under `unit` if given) that have
    no township opinion for it — only in counties whose policy (in force at the quarter's end, or today while it
    runs) has quarter_review_on."""
    start, end = quarter_bounds(year, quarter)
    in_quarter = records_in_period(start, end, village=village, unit=unit)
    reviewed = QuarterReview.objects.filter(record=OuterRef("pk"), year=year, quarter=quarter).exclude(
        township_rating=""
    )
    missing = queryset.filter(pk__in=in_quarter.values("pk")).exclude(Exists(reviewed))
    return where_rule_on(missing, "quarter_review", rule_day(end, today))


# --- 年度考核 --------------------------------------------------------------------------------------------------------


def check_appraisal(record: ReserveRecord, year: int, *, on: datetime.date, policy=...) -> Check:
    """Is the year's appraisal entered? `policy` defaults to the version in force at the year's end (or on `on`,
    if earlier); without annual_appraisal_on the check is NA."""
    label = f"{year}年度考核"
    if policy is ...:
        policy = policy_for(record, min(datetime.date(year, 12, 31), on))
    if policy is None:
        return Check("appraisal", label, NA, NOT_SET)
    if not policy.annual_appraisal_on:
        return Check("appraisal", label, NA, rule_off_text("annual_appraisal"))
    if not in_period(record, datetime.date(year, 1, 1), datetime.date(year, 12, 31)):
        return Check("appraisal", label, NA, f"{year}年不在库，无需考核。")
    appraisal = AnnualAppraisal.objects.filter(record=record, year=year).first()
    if appraisal is not None:
        return Check("appraisal", label, OK, f"考核结果：{appraisal.get_result_display()}。")
    if year >= on.year:
        return Check("appraisal", label, DUE, f"{year}年度考核结果尚未录入（年底考核）。")
    return Check("appraisal", label, OVERDUE, f"{year}年度考核结果尚未录入。")


def missing_appraisal(
    queryset: QuerySet, year: int, *, village=None, unit=None, today: datetime.date | None = None
) -> QuerySet:
    """Records in the pool during `year` without its appraisal — only in counties whose policy (in force at the
    year's end, or today while it runs) has annual_appraisal_on."""
    last = datetime.date(year, 12, 31)
    in_year = records_in_period(datetime.date(year, 1, 1), last, village=village, unit=unit)
    missing = queryset.filter(pk__in=in_year.values("pk")).exclude(
        Exists(AnnualAppraisal.objects.filter(record=OuterRef("pk"), year=year))
    )
    return where_rule_on(missing, "annual_appraisal", rule_day(last, today))


# --- 缺勤: QL §11 thresholds -------------------------------------------------------------------------------------


class DayNumber(Func):
    """A date as a whole day number, so day counts are integer arithmetic on SQLite and PostgreSQL alike. Only
    differences between day numbers mean anything (the two databases count from different origins)."""

    arity = 1
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="(CAST(%(expressions)s AS date) - DATE '2000-01-01')", **extra
        )


def _day(value: datetime.date):
    return DayNumber(Value(value, output_field=DateField()))


def _spans(on: datetime.date, **filters) -> QuerySet:
    """Absence rows started by `on`, with their first and last day (clipped at `on`) as day numbers."""
    return (
        Absence.objects.filter(start__lte=on, **filters)
        .order_by()
        .annotate(
            s=DayNumber(F("start")),
            e=DayNumber(Least(Coalesce(F("end"), Value(on, output_field=DateField())), Value(on))),
        )
    )


def annotate_absence(queryset: QuerySet, *, on: datetime.date, consecutive: int) -> QuerySet:
    """Adds `absence_year_days` (days absent in on's calendar year up to `on`) and `absence_run_over` (a run of
    more than `consecutive` days reaching into that year) to a ReserveRecord queryset.

    A run is found without walking it: some absence of the record ends a window of consecutive+1 days that the
    record's absences cover completely (they never overlap, so coverage is a sum)."""
    year_start = datetime.date(on.year, 1, 1)
    per_year = (
        _spans(on, record=OuterRef("pk"))
        .filter(Q(end__isnull=True) | Q(end__gte=year_start))
        .annotate(days=F("e") - Greatest(F("s"), _day(year_start)) + 1)
        .values("record")
        .annotate(total=Sum("days"))
        .values("total")
    )
    window = consecutive  # window [e - consecutive, e]: consecutive + 1 days
    coverage = (
        _spans(on, record=OuterRef("record"))
        .filter(s__lte=OuterRef("e"), e__gte=OuterRef("e") - window)
        .annotate(days=Least(F("e"), OuterRef("e")) - Greatest(F("s"), OuterRef("e") - window) + 1)
        .values("record")
        .annotate(total=Sum("days"))
        .values("total")
    )
    run_ends = (
        _spans(on, record=OuterRef("pk"))
        .filter(Q(end__isnull=True) | Q(end__gte=year_start))
        .annotate(covered=Subquery(coverage, output_field=IntegerField()))
        .filter(covered__gte=window + 1)
    )
    return queryset.annotate(
        absence_year_days=Coalesce(Subquery(per_year, output_field=IntegerField()), 0),
        absence_run_over=Exists(run_ends),
    )


def over_absence_thresholds(queryset: QuerySet, *, on: datetime.date, consecutive: int, year_days: int) -> QuerySet:
    """Records absent more than `consecutive` days in a row (a run reaching into on's year) or more than
    `year_days` days in on's calendar year, as of `on`. The bare arithmetic: callers with a policy use
    `over_absence_limit`, which asks the rule first."""
    return annotate_absence(queryset, on=on, consecutive=consecutive).filter(
        Q(absence_run_over=True) | Q(absence_year_days__gt=year_days)
    )


def over_absence_limit(queryset: QuerySet, policy: CountyPolicy | None, on: datetime.date) -> QuerySet:
    """Records of `queryset` over the policy's absence thresholds on `on`; none when the policy has no absence rule
    (a county without it flags nobody, however long the absence)."""
    if policy is None or not policy.absence_on:
        return queryset.none()
    return over_absence_thresholds(
        queryset, on=on, consecutive=policy.absence_consecutive_days, year_days=policy.absence_year_days
    )


@dataclass
class AbsenceSummary:
    on: datetime.date
    runs: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)  # merged, clipped at `on`
    by_year: dict[int, int] = field(default_factory=dict)

    @property
    def year_days(self) -> int:
        return self.by_year.get(self.on.year, 0)

    def runs_in_year(self, year: int):
        first = datetime.date(year, 1, 1)
        return [r for r in self.runs if r[1] >= first and r[0].year <= year]

    def longest_in_year(self, year: int) -> tuple[datetime.date, datetime.date] | None:
        runs = self.runs_in_year(year)
        return max(runs, key=lambda r: ((r[1] - r[0]).days, -r[0].toordinal())) if runs else None


def run_days(run) -> int:
    return (run[1] - run[0]).days + 1


def summarise_absences(absences, on: datetime.date) -> AbsenceSummary:
    """Merge a record's absences (direct and overstay) into runs of consecutive days, clipped at `on`."""
    spans = sorted((a.start, min(a.end or on, on)) for a in absences if a.start <= on)
    runs: list[list[datetime.date]] = []
    for start, end in spans:
        if runs and start <= runs[-1][1] + ONE_DAY:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    summary = AbsenceSummary(on, [(s, e) for s, e in runs])
    for start, end in summary.runs:
        for year in range(start.year, end.year + 1):
            first = max(start, datetime.date(year, 1, 1))
            last = min(end, datetime.date(year, 12, 31))
            summary.by_year[year] = summary.by_year.get(year, 0) + (last - first).days + 1
    return summary


def check_absence(record: ReserveRecord, policy: CountyPolicy | None, *, on: datetime.date, absences=None) -> Check:
    """QL §11: absent (旷工, or leave overstayed without 销假) more than N consecutive days, or more than M days in
    a calendar year. `absences` may be passed (e.g. prefetched)."""
    label = "考勤（旷工、超假）"
    if policy is None:
        return Check("absence", label, NA, NOT_SET)
    if not policy.absence_on:
        return Check("absence", label, NA, rule_off_text("absence"))
    n, m = policy.absence_consecutive_days, policy.absence_year_days
    absences = list(record.absences.all()) if absences is None else absences
    summary = summarise_absences(absences, on)
    longest = summary.longest_in_year(on.year)
    problems = []
    if longest is not None and run_days(longest) > n:
        problems.append(f"自{cn_date(longest[0])}起连续缺勤{run_days(longest)}天，超过{n}天")
    if summary.year_days > m:
        problems.append(f"{on.year}年累计缺勤{summary.year_days}天，超过{m}天")
    if problems:
        return Check("absence", label, OVERDUE, "；".join(problems) + "（可作为取消资格的依据）。")
    longest_text = f"，最长连续{run_days(longest)}天" if longest else ""
    return Check(
        "absence",
        label,
        OK,
        f"{on.year}年累计缺勤{summary.year_days}天{longest_text}，未超过连续{n}天、全年{m}天的规定。",
    )


def absence_flag_items(record: ReserveRecord, policy: CountyPolicy, *, on: datetime.date, absences=None):
    """Every ground for an ABSENCE flag in the record's history up to `on`: (source, reason) pairs; none when the
    policy has no absence rule."""
    if policy is None or not policy.absence_on:
        return []
    absences = list(record.absences.all()) if absences is None else absences
    summary = summarise_absences(absences, on)
    n, m = policy.absence_consecutive_days, policy.absence_year_days
    items = []
    for run in summary.runs:
        if run_days(run) > n:
            items.append(
                (
                    f"assessment.absence:{record.pk}:{run[0].isoformat()}",
                    f"自{cn_date(run[0])}起连续缺勤（含超假）{run_days(run)}天，超过{n}天。",
                )
            )
    for year, days in sorted(summary.by_year.items()):
        if days > m:
            items.append((f"assessment.absence:{record.pk}:{year}", f"{year}年累计缺勤（含超假）{days}天，超过{m}天。"))
    return items


# --- 年龄上限: already past it, and passing it within 12 months ------------------------------------------------


def age_rule_on(policy: CountyPolicy | None) -> bool:
    """The county has an age limit (QS "35周岁左右" warns, 3YR "45周岁以下" blocks)."""
    return policy is not None and policy.age_rule


def age_limit_blocks(policy: CountyPolicy | None) -> bool:
    """Only a blocking age limit makes 已超过 / 将超过 a to-do and an AGE_OUT removal flag; a limit that warns
    (QS "一般35周岁左右") is figures only."""
    return policy is not None and policy.age_blocks


def age_out_horizon(on: datetime.date) -> datetime.date:
    return add_years_forward(on, 1)


def passes_limit_on(birth_date: datetime.date, policy: CountyPolicy) -> datetime.date:
    """The day a person is past the limit: their (limit + 1)th birthday (1 March for 29 February in a common
    year)."""
    return add_years_forward(birth_date, policy.age_limit + 1)


def past_cutoff(policy: CountyPolicy, on: datetime.date) -> datetime.date:
    """People born on or before this date are past the limit on `on`."""
    return shift_years_back(on, policy.age_limit + 1)


def age_out_cutoff(policy: CountyPolicy, on: datetime.date) -> datetime.date:
    """People born on or before this date are past the limit by the horizon (12 months after `on`) — past already
    or passing within the year."""
    return shift_years_back(age_out_horizon(on), policy.age_limit + 1)


def _in_pool(queryset: QuerySet, on: datetime.date) -> QuerySet:
    return queryset.filter(entered_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))


def past_age_limit(records: QuerySet, policy: CountyPolicy | None, on: datetime.date) -> QuerySet:
    """ "已超过年龄上限": records of `records` in the pool on `on` who are already past the policy's age limit that
    day (their limit + 1 birthday is on or before `on`). Empty when the county has no age rule. Whether it is a
    to-do is `age_limit_blocks(policy)`."""
    if not age_rule_on(policy):
        return records.none()
    return _in_pool(records, on).filter(person__birth_date__lte=past_cutoff(policy, on))


def ageing_out(records: QuerySet, policy: CountyPolicy | None, on: datetime.date) -> QuerySet:
    """ "12个月内将超过年龄上限": records of `records` in the pool on `on` not yet past the policy's age limit who
    pass it within 12 months (by the same day next year). Those already past are `past_age_limit`. Empty when the
    county has no age rule. Whether it is a to-do is `age_limit_blocks(policy)`."""
    if not age_rule_on(policy):
        return records.none()
    return _in_pool(records, on).filter(
        person__birth_date__gt=past_cutoff(policy, on), person__birth_date__lte=age_out_cutoff(policy, on)
    )


PAST, SOON, WITHIN = "past", "soon", "within"


def age_limit_state(record: ReserveRecord, policy: CountyPolicy | None, on: datetime.date) -> str | None:
    """The per-record twin of the two lists: PAST (in `past_age_limit`), SOON (in `ageing_out`), WITHIN (neither),
    or None (no age rule, or not in the pool on `on`)."""
    if not age_rule_on(policy) or not (record.entered_on <= on and (record.ended_on is None or record.ended_on > on)):
        return None
    passes_on = passes_limit_on(record.person.birth_date, policy)
    if passes_on <= on:
        return PAST
    if passes_on <= age_out_horizon(on):
        return SOON
    return WITHIN


def check_past_age_limit(record: ReserveRecord, policy: CountyPolicy | None, *, on: datetime.date) -> Check:
    """ "已超过年龄上限" for one record: OVERDUE when past a blocking limit; NA without an age rule, out of the pool,
    or under a limit that only warns (stated, not a to-do)."""
    return _age_check(record, policy, on, "age_past", "已超过年龄上限", PAST)


def check_ageing_out(record: ReserveRecord, policy: CountyPolicy | None, *, on: datetime.date) -> Check:
    """ "12个月内将超过年龄上限" for one record: DUE when passing a blocking limit within 12 months (not yet past)."""
    return _age_check(record, policy, on, "age_soon", "12个月内将超过年龄上限", SOON)


def check_age_out(record: ReserveRecord, policy: CountyPolicy | None, *, on: datetime.date) -> Check:
    """The age limit in one line for a record page: 已超过 (OVERDUE) or 12个月内将超过 (DUE) under a blocking limit."""
    state = age_limit_state(record, policy, on)
    if state == PAST:
        return check_past_age_limit(record, policy, on=on)
    if state == SOON:
        return check_ageing_out(record, policy, on=on)
    return _age_check(record, policy, on, "age_out", "年龄上限", None)


def _age_check(record, policy, on, key, label, wanted) -> Check:
    if policy is None:
        return Check(key, label, NA, NOT_SET)
    if not age_rule_on(policy):
        return Check(key, label, NA, rule_off_text("age"))
    state = age_limit_state(record, policy, on)
    if state is None:
        return Check(key, label, NA, "已不在库。")
    limit = policy.age_limit
    age = record.person.age_on(on)
    passes_on = passes_limit_on(record.person.birth_date, policy)
    if state == PAST:
        fact = f"{age}周岁，已于{cn_date(passes_on)}超过年龄上限{limit}周岁"
    elif state == SOON:
        fact = f"{age}周岁，将于{cn_date(passes_on)}年满{limit + 1}周岁，12个月内超过年龄上限{limit}周岁"
    else:
        fact = f"{age}周岁，12个月内不会超过年龄上限{limit}周岁"
    if wanted is not None and state != wanted:
        if state == WITHIN or wanted == PAST:
            return Check(key, label, OK, fact + "。")
        return Check(key, label, NA, fact + "（见“已超过年龄上限”）。")
    if state == WITHIN:
        return Check(key, label, OK, fact + "。")
    if not age_limit_blocks(policy):
        # QS "一般应在35周岁左右": the limit guides selection; stated, not a to-do or a removal ground.
        return Check(key, label, NA, fact + "（本县年龄条件为提醒性要求，不作为待办或取消资格的依据）。")
    return Check(key, label, OVERDUE if state == PAST else DUE, fact + "。", passes_on)
