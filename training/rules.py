"""The training rule and the shadowing rule, each in two forms kept in step by tests (tests/training/test_agreement.py):

- `training_checks(record, policy, on)` / `shadowing_checks(record, policy, on)`: a list of one `Check` explained in
  Chinese, for the record's page and for reminders;
- `annotate_training_status(records, policy, on)` / `annotate_shadowing_status(records, policy, on)`: the same
  status as database expressions (no Python loop over people), for lists, dashboards and reminder scans.

Decisions (README paragraph in the report):

- A training counts when it is of a counting form (`training_counting_forms`; empty = every form) and has been held:
  its **end date** is on or before the check date. The end date also decides which window (or year) it falls in.
- Only a rule the policy switches on is judged (`training_on`, `shadowing_on`): off, the status is NA with
  "本县政策未要求…", whatever values the version still holds.
- What meets `training_min_days` in a window (or year) is `training_count_mode`: COUNT_SINGLE (QS "至少接受1次集中培训，
  时间不少于5天"): one counting training alone; COUNT_PROGRAMME (3YR "每年至少全覆盖轮训一遍,培训时间不少于3天"): one
  counting training alone, or the counting sessions of one 轮训 programme (TrainingProgramme) inside the window added
  together — unrelated trainings never add up; COUNT_SUM (versions stored before the rule flags): every counting
  training of the window added up.
- "rolling" (QS): windows of `training_window_years` years counted from the record's `entered_on` (window k runs from
  the k·N-th anniversary to the day before the next; an entry on 29 February has its anniversaries on 1 March in common
  years, as `reserves.dates.add_years_forward`). The current window must be met.
- "calendar" (3YR): each calendar year must be met. The year of entry is judged only when the record entered on or
  before 30 June (half a year to comply); otherwise the first judged year is the next one (status NA with the reason).
  The shadowing rule (`shadowing_days_per_year`, QL) judges calendar years the same way, counting the calendar days of
  跟班学习 assignments inside the year up to the check date.
- Status: OK when the current window (year) is met. Otherwise OVERDUE when the most recent closed window (year) was
  judged and missed too — the deadline is then that window's last day; else DUE with the current window's last day as
  the deadline. So a missed window is reported only while the current one also lacks it: a training now puts the
  reserve right again (the miss stays visible in the history). Records not in the pool on the check date, policies
  without the rule and no policy at all are NA.
- "At risk" (`needs_attention`): OVERDUE, or DUE with the deadline within `AT_RISK_DAYS` (60) days.

The database form compares dates as yyyymmdd integers ("keys"): adding N years to a key is adding N·10000, and an
invalid key such as 20230229 sorts exactly where 1 March would, which is the anniversary rule above. Day totals are
compared with a 0.05 tolerance so a SQLite float sum of tenths (2.9 + 0.1) cannot fall just short; values are
multiples of 0.1, so this changes no verdict on PostgreSQL's exact numerics.
"""

import datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.db.models.lookups import GreaterThanOrEqual, LessThan

from reserves.compliance import DUE, NA, OK, OVERDUE, Check
from reserves.dates import add_years_forward
from reserves.models import CountyPolicy
from reserves.policy import county_of, policy_in_force
from training.models import FORM_LABELS, SHADOWING, Enrolment, PracticeAssignment, TrainingEvent

AT_RISK_DAYS = 60
TOLERANCE = Decimal("0.05")
ENTRY_YEAR_CUTOFF = (6, 30)  # entered on or before 30 June: the entry year is judged
ONE_DAY = datetime.timedelta(days=1)

TRAINING_KEY, TRAINING_LABEL = "training", "培训"
SHADOWING_KEY, SHADOWING_LABEL = "shadowing", "到乡镇跟班学习"


# --- shared helpers ------------------------------------------------------------------------------------------------


def date_key(day: datetime.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def deadline_from_key(key: int | None) -> datetime.date | None:
    """The deadline from a `*_due_before` annotation: the day before the (exclusive) key; 20230229 reads as 1 March."""
    if key is None:
        return None
    year, rest = divmod(int(key), 10000)
    month, day = divmod(rest, 100)
    try:
        after = datetime.date(year, month, day)
    except ValueError:  # 29 February of a common year
        after = datetime.date(year, 3, 1)
    return after - ONE_DAY


def needs_attention(status: str, deadline: datetime.date | None, on: datetime.date) -> bool:
    """OVERDUE, or DUE with the deadline within AT_RISK_DAYS of `on`."""
    return status == OVERDUE or (
        status == DUE and deadline is not None and deadline <= on + datetime.timedelta(days=AT_RISK_DAYS)
    )


def attention_q(prefix: str, on: datetime.date | None = None) -> Q:
    """The queryset twin of `needs_attention`: the `<prefix>_attention` flag the annotate functions add (the check
    date and the 60 days are already in it). `on` is accepted for symmetry and ignored."""
    return Q(**{f"{prefix}_attention": True})


def _limit_key(on: datetime.date) -> int:
    """A DUE status needs attention when the key of the day after its deadline is at most this."""
    return date_key(on + datetime.timedelta(days=AT_RISK_DAYS + 1))


def policy_for(record, on: datetime.date) -> CountyPolicy | None:
    """The policy in force on `on` for the county of the record's village."""
    county = county_of(record.village)
    policy = policy_in_force(county, on) if county else None
    if policy is not None:
        policy.county = county  # str(policy) names the county: no second query
    return policy


class DateKey(Func):
    """A date as the integer yyyymmdd. PostgreSQL: TO_CHAR (three numeric EXTRACTs cost five times as much, and the
    rolling-window expressions repeat the key many times per row); SQLite stores dates as ISO text."""

    arity = 1
    output_field = IntegerField()
    template = "CAST(TO_CHAR(%(expressions)s, 'YYYYMMDD') AS INTEGER)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="CAST(REPLACE(%(expressions)s, '-', '') AS INTEGER)", **extra_context
        )


def _key_expr(field: str):
    return DateKey(F(field))


def _fmt(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _days(value) -> str:
    value = Decimal(value).normalize()
    return f"{value:f}"


def _not_in_pool(record, on: datetime.date, key: str, label: str) -> Check | None:
    if record.entered_on > on:
        return Check(key, label, NA, f"{_fmt(record.entered_on)}入库，检查日期时尚未入库。")
    if record.ended_on is not None and record.ended_on <= on:
        return Check(key, label, NA, f"已于{_fmt(record.ended_on)}出库，不再要求。")
    return None


def _pool_na_q(on: datetime.date) -> Q:
    return Q(entered_on__gt=on) | Q(ended_on__lte=on)


def _in_pool_q(on: datetime.date) -> Q:
    """The complement of `_pool_na_q`, written out (a negated Q over NULLs is not what we mean in an annotation)."""
    return Q(entered_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))


def year_judged(entered_on: datetime.date, year: int) -> bool:
    """A calendar-year rule judges `year` for a record that entered by 30 June of it."""
    return entered_on <= datetime.date(year, *ENTRY_YEAR_CUTOFF)


def counting_forms(policy: CountyPolicy) -> list[str]:
    return list(policy.training_counting_forms or FORM_LABELS)


def _forms_text(policy: CountyPolicy) -> str:
    """The counting forms in words: all of them are "培训"; when most count, name the few that do not."""
    if not policy.training_counting_forms:
        return "培训"
    counting = [f for f in FORM_LABELS if f in policy.training_counting_forms]
    left_out = [FORM_LABELS[f] for f in FORM_LABELS if f not in policy.training_counting_forms]
    if not left_out:
        return "培训"
    if len(left_out) < len(counting):
        return f"{'、'.join(left_out)}以外的培训"
    return "、".join(FORM_LABELS[f] for f in counting) or "培训"


# --- the training rule: per person ---------------------------------------------------------------------------------


def rolling_window(
    entered_on: datetime.date, years: int, on: datetime.date
) -> tuple[int, datetime.date, datetime.date]:
    """(k, first day, last day) of the window containing `on`, windows counted every `years` years from entry."""
    k = max(0, (on.year - entered_on.year) // years + 1)
    while k > 0 and add_years_forward(entered_on, k * years) > on:
        k -= 1
    return k, add_years_forward(entered_on, k * years), add_years_forward(entered_on, (k + 1) * years) - ONE_DAY


def window_bounds(entered_on: datetime.date, years: int, k: int) -> tuple[datetime.date, datetime.date]:
    return add_years_forward(entered_on, k * years), add_years_forward(entered_on, (k + 1) * years) - ONE_DAY


def _record_trainings(record, trainings):
    if trainings is not None:
        return list(trainings)
    return list(
        TrainingEvent.objects.filter(enrolments__record=record).select_related("programme").order_by("start", "id")
    )


def _mode(policy: CountyPolicy) -> str:
    mode = policy.training_count_mode
    return mode if mode in (CountyPolicy.COUNT_PROGRAMME, CountyPolicy.COUNT_SUM) else CountyPolicy.COUNT_SINGLE


class _Unit:
    """What may meet the requirement in one window: one training, the sessions of one 轮训 programme, or (COUNT_SUM)
    every counting training of the window."""

    def __init__(self, trainings, programme=None):
        self.trainings = trainings
        self.programme = programme
        self.days = sum((t.days for t in trainings), Decimal(0))


def _units(held, lo: datetime.date, hi: datetime.date, mode: str) -> list[_Unit]:
    inside = [t for t in held if lo <= t.end <= hi]
    if mode == CountyPolicy.COUNT_SUM:
        return [_Unit(inside)] if inside else []
    if mode == CountyPolicy.COUNT_PROGRAMME:
        groups: dict = {}
        for t in inside:
            groups.setdefault(("p", t.programme_id) if t.programme_id else ("e", t.pk), []).append(t)
        return [_Unit(ts, ts[0].programme if ts[0].programme_id else None) for ts in groups.values()]
    return [_Unit([t]) for t in inside]


def _best(units: list[_Unit]) -> _Unit | None:
    return max(units, key=lambda u: u.days) if units else None


def _requirement(policy, mode, need, what) -> str:
    """The rule in words, e.g. "每3年至少1次集中培训、不少于5天"."""
    every = (
        "每年" if policy.training_window == CountyPolicy.WINDOW_CALENDAR else f"每{policy.training_window_years or 1}年"
    )
    if mode == CountyPolicy.COUNT_SUM:
        return f"{every}参加{what}合计不少于{_days(need)}天"
    if mode == CountyPolicy.COUNT_PROGRAMME:
        return f"{every}至少参加1次不少于{_days(need)}天的{what}（同一轮训班各期可合计）"
    return f"{every}至少1次{what}、不少于{_days(need)}天"


def _wanted(mode, need, what) -> str:
    """What is missing, e.g. "不少于5天的集中培训"."""
    if mode == CountyPolicy.COUNT_SUM:
        return f"合计不少于{_days(need)}天的{what}"
    if mode == CountyPolicy.COUNT_PROGRAMME:
        return f"不少于{_days(need)}天的{what}（1次培训或同一轮训班各期合计）"
    return f"不少于{_days(need)}天的{what}"


def _met_text(unit: _Unit, where: str, what: str) -> str:
    if unit.programme is not None:
        return f"{where}已参加轮训班“{unit.programme.name}”{len(unit.trainings)}期，共{_days(unit.days)}天"
    if len(unit.trainings) == 1 and unit.programme is None:
        t = unit.trainings[0]
        return f"{where}已参加{t.get_form_display()}{_days(t.days)}天（{t.period}）"
    return f"{where}已参加{what}共{_days(unit.days)}天"


def _short_text(units: list[_Unit], mode: str) -> str:
    """How far the trainings of a window fall short ("" when there are none)."""
    best = _best(units)
    if best is None:
        return ""
    if mode == CountyPolicy.COUNT_SUM:
        return f"（已参加共{_days(best.days)}天）"
    if mode == CountyPolicy.COUNT_PROGRAMME:
        return f"（单次或同一轮训班合计最多{_days(best.days)}天，不同培训的天数不能相加）"
    return f"（已参加的培训中，单次最多{_days(best.days)}天）"


def training_checks(record, policy: CountyPolicy | None, on: datetime.date, *, trainings=None) -> list[Check]:
    """The county's training rule for one record on `on`. `trainings` (the record's TrainingEvent objects, with their
    programme) may be passed to save the query."""
    key, label = TRAINING_KEY, TRAINING_LABEL
    if policy is None:
        return [Check(key, label, NA, "本县尚未设置该日期适用的政策，无法检查培训要求。")]
    if not policy.training_on:
        return [Check(key, label, NA, "本县政策未要求后备干部参加培训的天数，不作检查。")]
    if not policy.training_min_days or policy.training_min_days <= 0:
        return [Check(key, label, NA, "本县政策未规定培训最少天数，不作检查。")]
    outside = _not_in_pool(record, on, key, label)
    if outside:
        return [outside]
    forms = set(counting_forms(policy))
    held = [t for t in _record_trainings(record, trainings) if t.form in forms and t.end <= on]
    need = policy.training_min_days
    what = _forms_text(policy)
    mode = _mode(policy)
    if policy.training_window == CountyPolicy.WINDOW_CALENDAR:
        return [_calendar_training_check(record, policy, on, held, need, what, mode)]
    years = policy.training_window_years or 1
    k, first, last = rolling_window(record.entered_on, years, on)
    requirement = _requirement(policy, mode, need, what)
    wanted = _wanted(mode, need, what)

    current = _units(held, first, last, mode)
    window = f"本周期（{_fmt(first)}至{_fmt(last)}）"
    best = _best(current)
    if best is not None and best.days >= need:
        return [Check(key, label, OK, f"{_met_text(best, window, what)}，达到{requirement}的要求。")]
    if k >= 1:
        p_first, p_last = window_bounds(record.entered_on, years, k - 1)
        p_best = _best(_units(held, p_first, p_last, mode))
        if p_best is None or p_best.days < need:
            return [
                Check(
                    key,
                    label,
                    OVERDUE,
                    f"上一周期（{_fmt(p_first)}至{_fmt(p_last)}）未参加{wanted}，"
                    f"{window}也尚未参加{_short_text(current, mode)}；须在{_fmt(last)}前补训。",
                    deadline=p_last,
                )
            ]
    return [
        Check(
            key,
            label,
            DUE,
            f"{window}尚未参加{wanted}{_short_text(current, mode)}，须在{_fmt(last)}前参加。",
            deadline=last,
        )
    ]


def _calendar_training_check(record, policy, on, held, need, what, mode) -> Check:
    key, label = TRAINING_KEY, TRAINING_LABEL
    year = on.year
    if not year_judged(record.entered_on, year):
        return Check(
            key, label, NA, f"{_fmt(record.entered_on)}入库（下半年），当年不作要求，自{year + 1}年起每年检查。"
        )
    requirement = _requirement(policy, mode, need, what)
    wanted = _wanted(mode, need, what)
    current = _units(held, datetime.date(year, 1, 1), datetime.date(year, 12, 31), mode)
    best = _best(current)
    if best is not None and best.days >= need:
        return Check(key, label, OK, f"{_met_text(best, f'{year}年', what)}，达到{requirement}的要求。")
    last = datetime.date(year, 12, 31)
    previous = year - 1
    if year_judged(record.entered_on, previous):
        p_best = _best(_units(held, datetime.date(previous, 1, 1), datetime.date(previous, 12, 31), mode))
        if p_best is None or p_best.days < need:
            return Check(
                key,
                label,
                OVERDUE,
                f"{previous}年未参加{wanted}{_short_text(_units_of(p_best), mode)}；"
                f"{year}年至今也尚未参加{_short_text(current, mode)}，须在{_fmt(last)}前补训。",
                deadline=datetime.date(previous, 12, 31),
            )
    return Check(
        key,
        label,
        DUE,
        f"{year}年至今尚未参加{wanted}{_short_text(current, mode)}，须在{_fmt(last)}前参加。",
        deadline=last,
    )


def _units_of(unit: _Unit | None) -> list[_Unit]:
    return [unit] if unit is not None else []


# --- the training rule: the queryset form --------------------------------------------------------------------------


def _na_annotations(qs, prefix: str):
    return qs.annotate(
        **{
            f"{prefix}_status": Value(NA, output_field=CharField()),
            f"{prefix}_due_before": Value(None, output_field=IntegerField()),
            f"{prefix}_attention": Value(False, output_field=BooleanField()),
        }
    )


def _calendar_annotations(qs, prefix: str, *, on: datetime.date, met: Q, not_met: Q, prev_missed: Q):
    """Status, deadline key and attention flag of a calendar-year rule, from conditions over annotations: `met` /
    `not_met` (this year's total reaches the requirement or not) and `prev_missed` (last year's does not)."""
    year = on.year
    cutoff = datetime.date(year, *ENTRY_YEAR_CUTOFF)
    na = _pool_na_q(on) | Q(entered_on__gt=cutoff)
    judged = _in_pool_q(on) & Q(entered_on__lte=cutoff)
    overdue = Q(entered_on__lte=datetime.date(year - 1, *ENTRY_YEAR_CUTOFF)) & prev_missed
    status = Case(
        When(na, then=Value(NA)),
        When(met, then=Value(OK)),
        When(overdue, then=Value(OVERDUE)),
        default=Value(DUE),
        output_field=CharField(),
    )
    due_before = Case(
        When(na | met, then=Value(None)),
        When(overdue, then=Value(year * 10000 + 101)),
        default=Value((year + 1) * 10000 + 101),
        output_field=IntegerField(),
    )
    # Attention: overdue, or due with 31 December within the 60 days (the same for every row).
    soon = (year + 1) * 10000 + 101 <= _limit_key(on)
    attention = judged & not_met & (Q() if soon else overdue)
    return qs.annotate(
        **{
            f"{prefix}_status": status,
            f"{prefix}_due_before": due_before,
            f"{prefix}_attention": ExpressionWrapper(attention, output_field=BooleanField()),
        }
    )


def _met_exists(trainings, need, mode: str):
    """EXISTS: among `trainings` (Enrolment rows of the outer record, already limited to one window) one unit reaches
    `need` days: one training (COUNT_SINGLE), one training or one programme's sessions together (COUNT_PROGRAMME; a
    training outside any programme is its own group, keyed by its negated id so it never meets a programme's id), or
    all of them (COUNT_SUM)."""
    if mode == CountyPolicy.COUNT_SINGLE:
        return Exists(trainings.filter(event__days__gte=need))
    if mode == CountyPolicy.COUNT_PROGRAMME:
        grouped = trainings.annotate(
            _grp=Coalesce(F("event__programme_id"), Value(0) - F("event_id"), output_field=IntegerField())
        ).values("_grp")
    else:
        grouped = trainings.values("record")
    return Exists(grouped.order_by().annotate(_s=Sum("event__days")).filter(_s__gte=need))


def annotate_training_status(records, policy: CountyPolicy | None, on: datetime.date):
    """Annotate a ReserveRecord queryset with `training_status` (ok / due / overdue / na) and `training_due_before`
    (yyyymmdd key of the day after the deadline, or None; read it with `deadline_from_key`). The database form of
    `training_checks`."""
    if policy is None or not policy.training_on or not policy.training_min_days or policy.training_min_days <= 0:
        return _na_annotations(records, "training")
    forms = counting_forms(policy)
    need = policy.training_min_days - TOLERANCE
    mode = _mode(policy)
    on_key = date_key(on)
    held = Enrolment.objects.filter(record=OuterRef("pk"), event__form__in=forms, event__end__lte=on)
    out = CharField()
    if policy.training_window == CountyPolicy.WINDOW_CALENDAR:
        year = on.year
        qs = records.annotate(
            _tr_cur=_met_exists(held.filter(event__end__year=year), need, mode),
            _tr_prev=_met_exists(held.filter(event__end__year=year - 1), need, mode),
        )
        return _calendar_annotations(
            qs,
            "training",
            on=on,
            met=Q(_tr_cur=True),
            not_met=Q(_tr_cur=False),
            prev_missed=Q(_tr_prev=False),
        )

    span = (policy.training_window_years or 1) * 10000
    qs = records.annotate(_tr_entry=_key_expr("entered_on"))
    qs = qs.annotate(_tr_k=(Value(on_key) - F("_tr_entry")) / Value(span))
    qs = qs.annotate(_tr_lo=F("_tr_entry") + F("_tr_k") * Value(span))
    # The first day of the previous window, or -1 in the first window (no key is below it: never overdue).
    qs = qs.annotate(
        _tr_prev_lo=Case(
            When(_tr_k__gte=1, then=F("_tr_lo") - Value(span)), default=Value(-1), output_field=IntegerField()
        )
    )
    untrained = Case(When(_tr_k__gte=1, then=Value(OVERDUE)), default=Value(DUE), output_field=out)
    if mode == CountyPolicy.COUNT_SINGLE:
        # The latest qualifying training (its end date's key, M) settles it: the current window is met when
        # M >= lo (its first day); if not, M is the latest before lo, so the previous window was met iff
        # M >= lo - span. The subquery grades the row itself, so each expression below evaluates it once
        # (PostgreSQL does not share a correlated subquery between the places it appears).
        graded = (
            held.filter(event__days__gte=need)
            .annotate(_m=_key_expr("event__end"))
            .annotate(
                _grade=Case(
                    When(GreaterThanOrEqual(F("_m"), OuterRef("_tr_lo")), then=Value(OK)),
                    When(LessThan(F("_m"), OuterRef("_tr_prev_lo")), then=Value(OVERDUE)),
                    default=Value(DUE),
                    output_field=out,
                )
            )
            .order_by("-event__end", "-event_id")
            .values("_grade")[:1]
        )
        judged = Coalesce(Subquery(graded, output_field=out), untrained)
    else:
        # Sums depend on the window, so no single training settles it: one EXISTS per window (the current one, the
        # previous one). Only stored or hand-made versions combine rolling windows with these modes.
        keyed = held.annotate(_m=_key_expr("event__end"))
        cur = _met_exists(keyed.filter(_m__gte=OuterRef("_tr_lo"), _m__lt=OuterRef("_tr_lo") + span), need, mode)
        prev = _met_exists(keyed.filter(_m__gte=OuterRef("_tr_prev_lo"), _m__lt=OuterRef("_tr_lo")), need, mode)
        judged = Case(
            When(cur, then=Value(OK)),
            When(Q(_tr_k__gte=1) & ~Q(prev), then=Value(OVERDUE)),
            default=Value(DUE),
            output_field=out,
        )
    status = Case(When(_pool_na_q(on), then=Value(NA)), default=judged, output_field=out)
    qs = qs.annotate(training_status=status)
    due_before = Case(
        When(training_status=OVERDUE, then=F("_tr_lo")),
        When(training_status=DUE, then=F("_tr_lo") + Value(span)),
        default=Value(None),
        output_field=IntegerField(),
    )
    # Attention: due with the deadline (lo + span, exclusive) within the 60 days, or overdue.
    soon = Q(_tr_lo__lte=Value(_limit_key(on) - span))
    attention = Case(
        When(soon, then=ExpressionWrapper(Q(training_status__in=[DUE, OVERDUE]), output_field=BooleanField())),
        default=ExpressionWrapper(Q(training_status=OVERDUE), output_field=BooleanField()),
        output_field=BooleanField(),
    )
    return qs.annotate(training_due_before=due_before, training_attention=attention)


# --- the shadowing rule (跟班学习, QL: 30 days a year) ----------------------------------------------------------------


def shadowing_days_in(assignments, year: int, on: datetime.date) -> int:
    """Calendar days of shadowing inside `year`, up to `on`; an open assignment runs until `on`."""
    first, cap = datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), on)
    total = 0
    for a in assignments:
        if a.kind != SHADOWING:
            continue
        lo, hi = max(a.start, first), min(a.end or on, cap)
        if hi >= lo:
            total += (hi - lo).days + 1
    return total


def shadowing_checks(record, policy: CountyPolicy | None, on: datetime.date, *, assignments=None) -> list[Check]:
    """The shadowing rule for one record on `on`. `assignments` (the record's PracticeAssignment objects) may be
    passed to save the query."""
    key, label = SHADOWING_KEY, SHADOWING_LABEL
    if policy is None:
        return [Check(key, label, NA, "本县尚未设置该日期适用的政策，无法检查跟班学习要求。")]
    if not policy.shadowing_on:
        return [Check(key, label, NA, "本县政策未要求到乡镇跟班学习，不作检查。")]
    need = policy.shadowing_days_per_year
    if not need:
        return [Check(key, label, NA, "本县政策未规定到乡镇跟班学习的天数，不作检查。")]
    outside = _not_in_pool(record, on, key, label)
    if outside:
        return [outside]
    if assignments is None:
        assignments = PracticeAssignment.objects.filter(record=record, kind=SHADOWING)
    assignments = [a for a in assignments if a.kind == SHADOWING]
    year = on.year
    if not year_judged(record.entered_on, year):
        return [
            Check(key, label, NA, f"{_fmt(record.entered_on)}入库（下半年），当年不作要求，自{year + 1}年起每年检查。")
        ]
    days = shadowing_days_in(assignments, year, on)
    if days >= need:
        return [Check(key, label, OK, f"{year}年已到乡镇跟班学习{days}天，达到每年不少于{need}天的要求。")]
    last = datetime.date(year, 12, 31)
    previous = year - 1
    if year_judged(record.entered_on, previous):
        prev_days = shadowing_days_in(assignments, previous, on)
        if prev_days < need:
            return [
                Check(
                    key,
                    label,
                    OVERDUE,
                    f"{previous}年到乡镇跟班学习{prev_days}天，未达到每年不少于{need}天的要求；"
                    f"{year}年至今{days}天，须在{_fmt(last)}前补足。",
                    deadline=datetime.date(previous, 12, 31),
                )
            ]
    return [
        Check(
            key,
            label,
            DUE,
            f"{year}年至今到乡镇跟班学习{days}天，不足{need}天，须在{_fmt(last)}前补足。",
            deadline=last,
        )
    ]


class DaysBetween(Func):
    """`hi - lo` in whole days as an integer: PostgreSQL's date subtraction, SQLite's julianday()."""

    arity = 2
    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _shadowing_days(year: int, on: datetime.date):
    """Subquery: calendar days of the outer record's shadowing inside `year`, up to `on` (an open one runs to `on`)."""
    first, cap = datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), on)
    as_date = DateField()
    rows = (
        PracticeAssignment.objects.filter(record=OuterRef("pk"), kind=SHADOWING, start__lte=cap)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .annotate(
            _lo=Greatest(F("start"), Value(first, output_field=as_date), output_field=as_date),
            _hi=Least(
                Coalesce(F("end"), Value(on, output_field=as_date), output_field=as_date),
                Value(cap, output_field=as_date),
                output_field=as_date,
            ),
        )
        .annotate(_days=DaysBetween(F("_hi"), F("_lo")) + Value(1))
        .filter(_days__gt=0)
        .order_by()
        .values("record")
        .annotate(s=Sum("_days"))
        .values("s")[:1]
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def annotate_shadowing_status(records, policy: CountyPolicy | None, on: datetime.date):
    """Annotate a ReserveRecord queryset with `shadowing_status` and `shadowing_due_before` (as the training rule),
    and `shadowing_days` (this year's days up to `on`). The database form of `shadowing_checks`."""
    if policy is None or not policy.shadowing_on or not policy.shadowing_days_per_year:
        return _na_annotations(records, "shadowing").annotate(shadowing_days=Value(None, output_field=IntegerField()))
    need = policy.shadowing_days_per_year
    year = on.year
    qs = records.annotate(shadowing_days=_shadowing_days(year, on), _sh_prev=_shadowing_days(year - 1, on))
    return _calendar_annotations(
        qs,
        "shadowing",
        on=on,
        met=Q(shadowing_days__gte=need),
        not_met=Q(shadowing_days__lt=need),
        prev_missed=Q(_sh_prev__lt=need),
    )


def record_checks(record, on: datetime.date, *, trainings=None, assignments=None) -> list[Check]:
    """Both rules for one record under the policy in force on `on` for its county (the record's page, reminders)."""
    policy = policy_for(record, on)
    return training_checks(record, policy, on, trainings=trainings) + shadowing_checks(
        record, policy, on, assignments=assignments
    )
