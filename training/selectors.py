"""Reads: scoped lists for the pages, and the selectors other pages compose from (the cultivation view of a record,
the 纪实表 rows). Every list fetches its joins up front; none queries per row."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from reserves.models import CountyPolicy, ReserveRecord
from training import rules
from training.models import Enrolment, PracticeAssignment, TrainingEvent, TrainingProgramme, period_text

# --- composition: one record ---------------------------------------------------------------------------------------


def training_history(record):
    """The record's trainings (TrainingEvent), oldest first."""
    return (
        TrainingEvent.objects.filter(enrolments__record=record)
        .select_related("unit", "programme")
        .order_by("start", "end", "id")
    )


def practice_history(record):
    """The record's practice assignments, oldest first."""
    return PracticeAssignment.objects.filter(record=record).order_by("start", "id")


@dataclass(frozen=True)
class TrainingRow:
    """One row of the 纪实表's 参加培训情况: 培训方式 | 培训时间 | 培训天数 | 培训内容."""

    form_label: str
    period: str
    days: Decimal
    content: str
    start: datetime.date
    end: datetime.date

    @property
    def days_text(self) -> str:
        return f"{self.days.normalize():f}"


@dataclass(frozen=True)
class PracticeRow:
    """One row of the 纪实表's 参加实践锻炼情况: 具体内容 | 主要表现 | 评定意见 (with the kind and period)."""

    kind_label: str
    content: str
    performance: str
    assessment: str
    period: str
    start: datetime.date
    end: datetime.date | None


def _training_row(event: TrainingEvent) -> TrainingRow:
    return TrainingRow(
        form_label=event.get_form_display(),
        period=period_text(event.start, event.end),
        days=event.days,
        content=event.content,
        start=event.start,
        end=event.end,
    )


def _practice_row(a: PracticeAssignment) -> PracticeRow:
    return PracticeRow(
        kind_label=a.get_kind_display(),
        content=a.content,
        performance=a.performance,
        assessment=a.assessment,
        period=a.period,
        start=a.start,
        end=a.end,
    )


def training_rows_for_year(record, year: int) -> list[TrainingRow]:
    """The record's trainings of `year` for the 纪实表 (a training belongs to the year of its end date, as the rules
    count it), oldest first: form label, period as "2026.03.01—03.05", days, content."""
    return trainings_by_record([record.pk], year).get(record.pk, [])


def practice_rows_for_year(record, year: int) -> list[PracticeRow]:
    """The record's practice assignments that overlap `year`, oldest first."""
    return practice_by_record([record.pk], year).get(record.pk, [])


def trainings_by_record(record_ids, year: int | None = None) -> dict[int, list[TrainingRow]]:
    """Rows for many records in one query (rosters, batch 纪实表): record id -> rows, oldest first."""
    qs = Enrolment.objects.filter(record_id__in=list(record_ids)).select_related("event")
    if year is not None:
        qs = qs.filter(event__end__year=year)
    out: dict[int, list[TrainingRow]] = {}
    for e in qs.order_by("event__start", "event__end", "event_id"):
        out.setdefault(e.record_id, []).append(_training_row(e.event))
    return out


def practice_by_record(record_ids, year: int | None = None) -> dict[int, list[PracticeRow]]:
    """Practice rows for many records in one query: record id -> rows, oldest first."""
    qs = PracticeAssignment.objects.filter(record_id__in=list(record_ids))
    if year is not None:
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        qs = qs.filter(start__lte=last).filter(Q(end__isnull=True) | Q(end__gte=first))
    out: dict[int, list[PracticeRow]] = {}
    for a in qs.order_by("start", "id"):
        out.setdefault(a.record_id, []).append(_practice_row(a))
    return out


# --- pages ---------------------------------------------------------------------------------------------------------


def event_list(user, *, year=None, form="", township=None):
    qs = (
        TrainingEvent.objects.for_user(user)
        .select_related("unit", "programme")
        .annotate(n_enrolled=Count("enrolments"))
    )
    if year:
        qs = qs.filter(start__year=year)
    if form:
        qs = qs.filter(form=form)
    if township is not None:
        qs = qs.filter(unit__code__startswith=township.code)
    return qs.order_by("-start", "-id")


def programme_list(user, *, year=None):
    """Visible 轮训 programmes with their number of sessions and days (a session's days once, not per person)."""
    qs = (
        TrainingProgramme.objects.for_user(user)
        .select_related("unit")
        .annotate(n_sessions=Count("sessions"), total_days=Sum("sessions__days"))
    )
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "unit__code", "name", "id")


def programme_sessions(user, programme: TrainingProgramme):
    """The programme's sessions, oldest first, with the number of enrolled reserves the user may see."""
    visible = ReserveRecord.objects.for_user(user)
    return (
        TrainingEvent.objects.filter(programme=programme)
        .select_related("unit")
        .annotate(n_enrolled=Count("enrolments", filter=Q(enrolments__record__in=visible)))
        .order_by("start", "end", "id")
    )


def programme_participants(user, programme: TrainingProgramme):
    """Reserves (visible to the user) enrolled in any session of the programme: sessions attended and days together,
    the figure the COUNT_PROGRAMME training rule reads (counting forms aside)."""
    return (
        ReserveRecord.objects.for_user(user)
        .filter(training_enrolments__event__programme=programme)
        .annotate(n_sessions=Count("training_enrolments"), programme_days=Sum("training_enrolments__event__days"))
        .select_related("person", "village", "village__parent")
        .order_by("village__code", "person__name", "id")
    )


def enrolled_visible(user, event):
    """The event's enrolments the user may see (a village secretary sees their own village's), with joins."""
    return (
        Enrolment.objects.filter(event=event)
        .filter(record__in=ReserveRecord.objects.for_user(user))
        .select_related("record__person", "record__village", "record__village__parent")
        .order_by("record__village__code", "record__person__name", "id")
    )


def enrolment_units(user, event: TrainingEvent):
    """Units under the event's unit where the user may enrol people (their own, or the event's when above them)."""
    scope = get_scope(user)
    return [
        g
        for g in scope.units(roles.EDIT_PEOPLE)
        if g.code.startswith(event.unit.code) or event.unit.code.startswith(g.code)
    ]


def can_enrol(user, event: TrainingEvent) -> bool:
    return not event.is_individual and bool(enrolment_units(user, event))


def enrolment_candidates(user, event: TrainingEvent, *, township=None, village=None, q=""):
    """Records the user may enrol: in their edit scope, under the event's unit, in the pool during the training."""
    qs = (
        ReserveRecord.objects.for_user(user, roles.EDIT_PEOPLE)
        .filter(village__code__startswith=event.unit.code, entered_on__lte=event.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=event.start))
    )
    if township is not None:
        qs = qs.filter(village__code__startswith=township.code)
    if village is not None:
        qs = qs.filter(village=village)
    if q:
        qs = qs.filter(person__name__icontains=q)
    return qs.select_related("person", "village", "village__parent").order_by(
        "village__code", "person__name", "reserve_type", "id"
    )


def counties_in_scope(user):
    """Counties the user sees (a city viewer several, everybody else one; a mentor the county of their unit)."""
    scope = get_scope(user)
    cond = Q(pk__in=[])
    for g in scope.units(roles.VIEW) or scope.units(roles.MENTOR):
        cond |= Q(code=g.code[:6]) if len(g.code) >= 6 else Q(code__startswith=g.code)
    return OrgUnit.objects.filter(cond, level=roles.COUNTY, valid_to__isnull=True).order_by("code")


RULES = [("training", "培训"), ("shadowing", "到乡镇跟班学习")]


def gap_list(
    user,
    *,
    county: OrgUnit,
    policy: CountyPolicy | None,
    rule: str,
    on: datetime.date,
    township=None,
    village=None,
    q="",
):
    """Reserves in the pool of `county` (within the user's scope) who miss `rule` or are at risk of missing it
    (DUE with the deadline within 60 days), soonest deadline first. Rows carry `<rule>_status` and
    `<rule>_due_before`; read the deadline with `rules.deadline_from_key`."""
    qs = (
        ReserveRecord.objects.for_user(user)
        .filter(ended_on__isnull=True, entered_on__lte=on, village__code__startswith=county.code)
        .select_related("person", "village", "village__parent")
    )
    if township is not None:
        qs = qs.filter(village__code__startswith=township.code)
    if village is not None:
        qs = qs.filter(village=village)
    if q:
        qs = qs.filter(person__name__icontains=q)
    if rule == "shadowing":
        qs = rules.annotate_shadowing_status(qs, policy, on)
    else:
        qs = rules.annotate_training_status(qs, policy, on)
    return qs.filter(rules.attention_q(rule, on)).order_by(f"{rule}_due_before", "village__code", "person__name", "id")
