"""Reads for composition: the lead's cultivation view of a record and the 纪实表 export call these. Nothing here
checks permissions — callers fetch the record through `ReserveRecord.objects.for_user` first."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from org.models import OrgUnit
from reserves.compliance import Check, quarter_bounds, quarter_of
from reserves.models import CountyPolicy, ReservePlacement, ReserveRecord

from .compliance import (
    check_absence,
    check_age_out,
    check_appraisal,
    check_quarter_review,
    policy_for,
    records_in_period,
    summarise_absences,
)
from .models import (
    APPRAISAL_LABELS,
    QUARTER_LABELS,
    Absence,
    AnnualAppraisal,
    InabilityReport,
    Leave,
    QuarterReview,
)
from .quarters import previous_quarter


@dataclass
class QuarterOpinions:
    quarter: int
    label: str  # 第一季度 …
    village: str  # "发展潜力：…；主要不足：…；评定：较好", or ""
    township: str


@dataclass
class SheetAssessment:
    """The assessment part of the 纪实表 for one record and year."""

    year: int
    quarters: list[QuarterOpinions]
    appraisal: str  # 优秀 / 称职 / 基本称职 / 不称职, or ""


def record_sheet_assessment(record: ReserveRecord, year: int) -> SheetAssessment:
    """The four quarters' village and township opinion texts and the annual appraisal result (two queries)."""
    reviews = {r.quarter: r for r in QuarterReview.objects.filter(record=record, year=year)}
    quarters = []
    for quarter, label in QUARTER_LABELS.items():
        review = reviews.get(quarter)
        quarters.append(
            QuarterOpinions(
                quarter,
                label,
                review.opinion_text("village") if review else "",
                review.opinion_text("township") if review else "",
            )
        )
    result = AnnualAppraisal.objects.filter(record=record, year=year).values_list("result", flat=True).first()
    return SheetAssessment(year, quarters, APPRAISAL_LABELS.get(result, "") if result else "")


@dataclass
class AssessmentHistory:
    record: ReserveRecord
    reviews: list[QuarterReview] = field(default_factory=list)  # newest first
    appraisals: list[AnnualAppraisal] = field(default_factory=list)
    leaves: list[Leave] = field(default_factory=list)
    absences: list[Absence] = field(default_factory=list)  # direct and overstay
    reports: list[InabilityReport] = field(default_factory=list)
    year_absence_days: dict[int, int] = field(default_factory=dict)
    runs: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)


def assessment_history(record: ReserveRecord, *, on: datetime.date | None = None) -> AssessmentHistory:
    """Everything this app holds on a record, newest first (five queries, whatever the length of the history)."""
    on = on or timezone.localdate()
    absences = list(Absence.objects.filter(record=record).select_related("village", "leave"))
    summary = summarise_absences(absences, on)
    return AssessmentHistory(
        record=record,
        reviews=list(
            QuarterReview.objects.filter(record=record)
            .select_related("village", "village_by", "township_by")
            .order_by("-year", "-quarter")
        ),
        appraisals=list(
            AnnualAppraisal.objects.filter(record=record).select_related("village", "entered_by").order_by("-year")
        ),
        leaves=list(
            Leave.objects.filter(record=record).select_related("village", "decided_by").order_by("-start", "-id")
        ),
        absences=sorted(absences, key=lambda a: (a.start, a.pk), reverse=True),
        reports=list(
            InabilityReport.objects.filter(record=record)
            .select_related("village", "reported_by")
            .order_by("-reported_on", "-id")
        ),
        year_absence_days=dict(sorted(summary.by_year.items(), reverse=True)),
        runs=summary.runs,
    )


def assessment_checks(
    record: ReserveRecord, *, on: datetime.date | None = None, policy: CountyPolicy | None = ...
) -> list[Check]:
    """The rules of this app for one record on `on`: the township's opinion for the last finished quarter, last
    year's appraisal, absence thresholds, age limit. For detail pages and reminders."""
    on = on or timezone.localdate()
    if policy is ...:
        policy = policy_for(record, on)
    year, quarter = previous_quarter(*quarter_of(on))
    return [
        check_quarter_review(record, year, quarter, on=on),
        check_appraisal(record, on.year - 1, on=on),
        check_absence(record, policy, on=on),
        check_age_out(record, policy, on=on),
    ]


def village_quarter_rows(village: OrgUnit, year: int, quarter: int):
    """The bulk page's rows: every record in the village's pool during the quarter, with its review (or None)
    attached as `.review`. Two queries, whatever the number of reserves."""
    start, end = quarter_bounds(year, quarter)
    records = list(
        records_in_period(start, end, village=village).select_related("person").order_by("person__name", "pk")
    )
    reviews = {
        r.record_id: r
        for r in QuarterReview.objects.filter(record_id__in=[r.pk for r in records], year=year, quarter=quarter)
    }
    for record in records:
        record.review = reviews.get(record.pk)
    return records


def quarter_counts(villages_q: Q, year: int, quarter: int, *, group: str = "village_id") -> dict[int, dict]:
    """Per village (or per `group`, e.g. "village__parent_id" for townships): reserves in the pool during the
    quarter ("total"), with a township opinion ("township"), with a village opinion ("village"). One query."""
    start, end = quarter_bounds(year, quarter)
    reviews = QuarterReview.objects.filter(record=OuterRef("record_id"), year=year, quarter=quarter)
    rows = (
        ReservePlacement.objects.filter(villages_q, start__lte=end)
        .filter(Q(end__isnull=True) | Q(end__gt=start))
        .filter(record__entered_on__lte=end)
        .filter(Q(record__ended_on__isnull=True) | Q(record__ended_on__gt=start))
        .order_by()
        .values(group)
        .annotate(
            total=Count("record_id", distinct=True),
            township=Count("record_id", distinct=True, filter=Q(Exists(reviews.exclude(township_rating="")))),
            village=Count("record_id", distinct=True, filter=Q(Exists(reviews.exclude(village_rating="")))),
        )
    )
    return {row[group]: row for row in rows}
