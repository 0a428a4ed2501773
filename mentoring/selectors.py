"""Reads for pages and for composition (the cultivation view, the 纪实表 export, reminders). Each runs a fixed number
of queries whatever the number of rows. Callers scope the record (get_record_for_user) before asking."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from reserves.compliance import quarter_bounds, quarter_of
from reserves.models import MentorPairing, ReserveRecord

from .models import MENTOR_KINDS, QUARTER_CHOICES, MentoringEntry, Talk, TalkParticipant
from .rules import annotate_mentoring, cn_date, mentoring_checks, problem_q

# --- the 纪实表 (附件2 结对帮扶情况) -------------------------------------------------------------------------------


@dataclass
class QuarterRow:
    """One quarter's row of 结对帮扶情况: 帮扶时间 | 帮扶责任人 | 帮扶内容 | 评定意见. A reserve with two mentors (QL)
    has two entries in a quarter; the text columns join them in the same order with "；"."""

    quarter: int
    label: str  # 第一季度 … 第四季度
    entries: list = field(default_factory=list)

    @property
    def date_text(self) -> str:
        return "；".join(cn_date(e.date) for e in self.entries)

    @property
    def mentor_text(self) -> str:
        return "；".join(e.mentor_label for e in self.entries)

    @property
    def content_text(self) -> str:
        return "；".join(e.content for e in self.entries)

    @property
    def assessment_text(self) -> str:
        return "；".join(e.assessment for e in self.entries if e.assessment)

    @property
    def is_empty(self) -> bool:
        return not self.entries


def _entries(record_ids, year: int | None = None):
    qs = MentoringEntry.objects.filter(pairing__record_id__in=record_ids).select_related("pairing__mentor_user")
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("year", "quarter", "date", "pairing__start", "pairing_id")


def quarter_rows_many(records, year: int) -> dict[int, list[QuarterRow]]:
    """record id -> the four QuarterRows of `year` (one query for any number of records)."""
    ids = [getattr(r, "pk", r) for r in records]
    out = {pk: [QuarterRow(q, label) for q, label in QUARTER_CHOICES] for pk in ids}
    for entry in _entries(ids, year):
        out[entry.pairing.record_id][entry.quarter - 1].entries.append(entry)
    return out


def quarter_rows(record: ReserveRecord, year: int) -> list[QuarterRow]:
    """The four quarters of `year` for one record, as the 纪实表 prints them (one query)."""
    return quarter_rows_many([record], year)[record.pk]


def _talks(record_ids, year: int | None = None):
    qs = (
        TalkParticipant.objects.filter(record_id__in=record_ids)
        .select_related("talk__held_by_user", "talk__unit")
        .annotate(n_participants=Count("talk__participants"))
        .order_by("talk__date", "talk_id")
    )
    if year is not None:
        qs = qs.filter(talk__date__year=year)
    return qs


def talks_of_many(records, year: int | None = None) -> dict[int, list[Talk]]:
    """record id -> its talks (of `year`, or all), oldest first; each talk carries n_participants (one query)."""
    ids = [getattr(r, "pk", r) for r in records]
    out = {pk: [] for pk in ids}
    for row in _talks(ids, year):
        talk = row.talk
        talk.n_participants = row.n_participants
        out[row.record_id].append(talk)
    return out


def talks_of(record: ReserveRecord, year: int | None = None) -> list[Talk]:
    """The record's talks in `year` (all years when None), oldest first, with kind, date, held_by_label, notes and
    n_participants (one query)."""
    return talks_of_many([record], year)[record.pk]


@dataclass
class MentoringHistory:
    pairings: list  # every pairing of the record, oldest first, with mentor_user
    entries: list  # every entry, newest first, with pairing.mentor_user
    talks: list  # every talk, newest first, with n_participants


def mentoring_history(record: ReserveRecord) -> MentoringHistory:
    """Everything mentoring knows about a record (three queries)."""
    pairings = list(MentorPairing.objects.filter(record=record).select_related("mentor_user").order_by("start", "id"))
    entries = list(_entries([record.pk]))[::-1]
    talks = talks_of(record)[::-1]
    return MentoringHistory(pairings=pairings, entries=entries, talks=talks)


def record_checks(record: ReserveRecord, on: datetime.date | None = None):
    """The mentoring Checks of a record on `on` (default today), under the policy in force."""
    return mentoring_checks(record, on=on or timezone.localdate())


# --- pages -------------------------------------------------------------------------------------------------------


def _entry_of(year: int, quarter: int):
    return Subquery(MentoringEntry.objects.filter(pairing=OuterRef("pk"), year=year, quarter=quarter).values("pk")[:1])


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def my_pairings(user, on: datetime.date):
    """The mentor's current pairings with this and last quarter's entry id (or None) and the last talk date."""
    year, quarter = quarter_of(on)
    prev = previous_quarter(year, quarter)
    last_talk = (
        TalkParticipant.objects.filter(record=OuterRef("record_id"), talk__kind__in=MENTOR_KINDS)
        .order_by("-talk__date")
        .values("talk__date")[:1]
    )
    return (
        MentorPairing.objects.current(on)
        .filter(mentor_user_id=user.pk)
        .select_related("record__person", "record__village__parent", "mentor_user")
        .annotate(
            entry_now=_entry_of(year, quarter),
            entry_prev=_entry_of(*prev),
            last_talk=Subquery(last_talk),
        )
        .order_by("record__village__code", "record__person__name", "id")
    )


def quarter_pairings(unit: OrgUnit, year: int, quarter: int, village: OrgUnit | None = None):
    """Pairings of records in the pool of `unit` (or `village`) that run at some time in the quarter, with their
    entry for it (`entry` prefetched as a one-item list `quarter_entry`)."""
    start, end = quarter_bounds(year, quarter)
    where = village or unit
    pool = ReserveRecord.objects.filter(entered_on__lte=end).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start))
    # One filter() call, so the three conditions hold for the same placement.
    pool = pool.filter(
        Q(placements__end__isnull=True) | Q(placements__end__gt=start),
        placements__village__code__startswith=where.code,
        placements__start__lte=end,
    )
    return (
        MentorPairing.objects.filter(record__in=pool.values("pk"), start__lte=end)
        .filter(Q(end__isnull=True) | Q(end__gt=start))
        .select_related("record__person", "record__village", "mentor_user")
        .prefetch_related(
            Prefetch(
                "mentoring_entries",
                queryset=MentoringEntry.objects.filter(year=year, quarter=quarter),
                to_attr="quarter_entry",
            )
        )
        .order_by("record__village__code", "record__person__name", "record_id", "start", "id")
    )


def talk_list(user, *, kind: str = "", year: int | None = None, township: OrgUnit | None = None):
    qs = Talk.objects.for_user(user)
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(date__year=year)
    if township is not None:
        qs = qs.filter(unit__code__startswith=township.code)
    return (
        qs.select_related("unit", "held_by_user")
        .annotate(n_participants=Count("participants"))
        .order_by("-date", "-id")
    )


def talk_participants(user, talk: Talk):
    """The participants the user may see, and how many others there are (two queries)."""
    visible = list(
        TalkParticipant.objects.filter(talk=talk, record__in=ReserveRecord.objects.for_user(user))
        .select_related("record__person", "record__village")
        .order_by("record__village__code", "record__person__name")
    )
    total = TalkParticipant.objects.filter(talk=talk).count()
    return visible, total - len(visible)


def counties_in_scope(user):
    """Counties the user sees anything of (a township user: their own county). One query."""
    scope = get_scope(user)
    cond = Q(pk__in=[])
    for grant in scope.units(roles.VIEW):
        if grant.level == roles.CITY:
            cond |= Q(code__startswith=grant.code)
        else:
            cond |= Q(code=grant.code[:6])
    return OrgUnit.objects.filter(level=roles.COUNTY, valid_to__isnull=True).filter(cond).order_by("code")


def compliance_rows(user, *, policy, on: datetime.date, unit: OrgUnit | None, rule_keys):
    """Records in the pool of `unit` on `on` that the user sees, annotated with the mentoring rules, only those with
    a problem in `rule_keys`; each with its current pairings (and whether each has this quarter's entry)."""
    year, quarter = quarter_of(on)
    pool = ReserveRecord.objects.in_pool(unit, on).values("pk")
    has_entry = Exists(MentoringEntry.objects.filter(pairing=OuterRef("pk"), year=year, quarter=quarter))
    qs = annotate_mentoring(ReserveRecord.objects.for_user(user).filter(pk__in=pool), policy, on)
    return (
        qs.filter(problem_q(rule_keys))
        .select_related("person", "village__parent")
        .prefetch_related(
            Prefetch(
                "pairings",
                queryset=MentorPairing.objects.current(on)
                .select_related("mentor_user")
                .annotate(has_entry=has_entry)
                .order_by("start", "id"),
                to_attr="current_pairings",
            )
        )
        .order_by("village__code", "person__name", "id")
    )


def compliance_summary(user, *, policy, on: datetime.date, unit: OrgUnit | None, rule_keys, shown_keys=None) -> dict:
    """In-pool total and, per rule, how many have a problem (one query). With `shown_keys`, also "shown": how many
    rows the list of those rules has, so its paginator need not count them again."""
    pool = ReserveRecord.objects.in_pool(unit, on).values("pk")
    qs = annotate_mentoring(ReserveRecord.objects.for_user(user).filter(pk__in=pool), policy, on)
    aggregates = {"total": Count("pk")}
    for key in rule_keys:
        aggregates[key] = Count("pk", filter=problem_q([key]))
    if shown_keys is not None:
        aggregates["shown"] = Count("pk", filter=problem_q(list(shown_keys)))
    return qs.aggregate(**aggregates)


def group_by_village(records):
    groups = defaultdict(list)
    for r in records:
        groups[r.village].append(r)
    return sorted(groups.items(), key=lambda item: item[0].code)
