"""Writes of the assessment app. Keyword-only, one transaction each, audited; refusals are ValidationErrors in
Chinese and change nothing. `today` may be passed (tests, back-dated scans); it defaults to the local date.

Audit actions: assessment.quarter_review, assessment.quarter_submit, assessment.quarter_reopen,
assessment.appraisal, assessment.leave_create, assessment.leave_approve, assessment.leave_reject,
assessment.leave_close, assessment.absence_add, assessment.inability_report (and flag.raise / flag.resolve through
reserves.flags)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from notices.calendar import cn_date
from org import roles
from org.audit import audit, audit_many
from org.models import Membership, OrgUnit, VillageLeader
from org.scope import get_scope
from reserves.compliance import quarter_bounds
from reserves.flags import flag_raise, flag_resolve
from reserves.models import CountyPolicy, Flag, ReservePlacement, ReserveRecord
from reserves.policy import county_of

from .compliance import (
    absence_flag_items,
    age_limit_blocks,
    ageing_out,
    missing_township_opinion,
    over_absence_limit,
    passes_limit_on,
    past_age_limit,
    policies_in_force,
    policy_of_unit,
    records_in_period,
    rule_day,
    rule_off_text,
)
from .models import (
    APPRAISAL_LABELS,
    INCOMPETENT,
    RATING_LABELS,
    Absence,
    AnnualAppraisal,
    InabilityReport,
    Leave,
    QuarterReview,
    QuarterSubmission,
    opinion_text,
    quarter_label,
)
from .quarters import FUTURE, SUBMITTED, quarter_status, valid_quarter

ONE_DAY = datetime.timedelta(days=1)
VILLAGE_SIDE, TOWNSHIP_SIDE = "village", "township"
SIDE_LABELS = {VILLAGE_SIDE: "村（社区）评定意见", TOWNSHIP_SIDE: "乡镇评定意见"}
TEXT_MAX = 500
NO_APPROVAL = "none"  # leave_approver under a county without leave routing


def _today(today):
    return today or timezone.localdate()


# --- who may write -----------------------------------------------------------------------------------------------


def is_village_secretary(user, village: OrgUnit) -> bool:
    """The party secretary of this village (a village_secretary membership on it, with the view grant)."""
    if not get_scope(user).has(roles.VIEW, village):
        return False
    return Membership.objects.filter(user_id=user.pk, unit=village, role="village_secretary").exists()


def writer_role(user, village: OrgUnit) -> str | None:
    """TOWNSHIP_SIDE for township (and county) users who edit people there, VILLAGE_SIDE for the village's own
    secretary, None for everybody else. The village side enters village opinions, leave, absences, reports."""
    if get_scope(user).has(roles.EDIT_PEOPLE, village):
        return TOWNSHIP_SIDE
    if is_village_secretary(user, village):
        return VILLAGE_SIDE
    return None


def _require_writer(user, village, message):
    role = writer_role(user, village)
    if role is None:
        raise ValidationError(message)
    return role


def _placed(record: ReserveRecord, village: OrgUnit, on: datetime.date) -> bool:
    """The record was in the pool, placed in `village`, on `on`."""
    if record.entered_on > on or (record.ended_on is not None and record.ended_on <= on):
        return False
    return (
        ReservePlacement.objects.filter(record=record, village=village, start__lte=on)
        .exclude(end__isnull=False, end__lte=on)
        .exists()
    )


def _lock_record(record: ReserveRecord) -> ReserveRecord:
    """Writes to one record's leave and absences are serialised on the record row."""
    return ReserveRecord.objects.select_for_update(of=("self",)).select_related("person", "village").get(pk=record.pk)


# --- 季度评议 --------------------------------------------------------------------------------------------------------


def _claim_quarter(township: OrgUnit, year: int, quarter: int) -> QuarterSubmission:
    """Lock the township's quarter row (created on first use): saves, submission and reopening queue on it."""
    row, _ = QuarterSubmission.objects.get_or_create(township=township, year=year, quarter=quarter)
    return QuarterSubmission.objects.select_for_update(of=("self",)).get(pk=row.pk)


def _clean_side(name: str, side: str, values: dict, errors: list) -> tuple[str, str, str]:
    potential = (values.get("potential") or "").strip()
    shortcomings = (values.get("shortcomings") or "").strip()
    rating = (values.get("rating") or "").strip()
    where = f"{name}的{SIDE_LABELS[side]}"
    if rating and rating not in RATING_LABELS:
        errors.append(f"{where}：评定等次只能是“{'、'.join(RATING_LABELS.values())}”之一。")
    elif len(potential) > TEXT_MAX or len(shortcomings) > TEXT_MAX:
        errors.append(f"{where}：发展潜力、主要不足各不超过{TEXT_MAX}字。")
    elif (potential or shortcomings or rating) and not (potential and shortcomings and rating):
        errors.append(f"{where}：请同时填写发展潜力、主要不足并选择评定等次（或全部留空）。")
    return potential, shortcomings, rating


@transaction.atomic
def quarter_reviews_save(
    *,
    actor,
    village: OrgUnit,
    year: int,
    quarter: int,
    rows: dict[int, dict[str, dict[str, str]]],
    today: datetime.date | None = None,
    request=None,
) -> int:
    """Save a village's quarter in one go: rows = {record pk: {"village"|"township": {"potential", "shortcomings",
    "rating"}}}. All three of a side are given together, or all left empty (clears that opinion). Returns the
    number of reviews changed. The village secretary may send only village sides."""
    today = _today(today)
    if not valid_quarter(year, quarter):
        raise ValidationError("季度不正确。")
    if not village.is_village:
        raise ValidationError("季度评议按村（社区）填写。")
    role = _require_writer(actor, village, "您无权填写该村（社区）的季度评议。")
    require_quarter_review(village, year, quarter, today)
    sides_sent = {side for sides in rows.values() for side in sides}
    if sides_sent - set(SIDE_LABELS):
        raise ValidationError("评定意见只分村（社区）和乡镇两级。")
    if role == VILLAGE_SIDE and TOWNSHIP_SIDE in sides_sent:
        raise ValidationError("村（社区）党组织书记只能填写村（社区）评定意见，乡镇评定意见由乡镇填写。")
    township = village.parent
    status = quarter_status(township, year, quarter, today=today, submission=_claim_quarter(township, year, quarter))
    if not status.is_open:
        raise ValidationError(status.explanation)
    label = quarter_label(year, quarter)
    start, end = quarter_bounds(year, quarter)
    allowed = {r.pk: r for r in records_in_period(start, end, village=village).select_related("person")}
    unknown = [pk for pk in rows if pk not in allowed]
    if unknown:
        names = [r.person.name for r in ReserveRecord.objects.for_user(actor).filter(pk__in=unknown)]
        who = "、".join(names) if names else f"{len(unknown)}条记录"
        raise ValidationError(f"{who}在{label}不在{village.name}后备干部库中，不能评议。")
    errors: list[str] = []
    cleaned = {
        pk: {side: _clean_side(allowed[pk].person.name, side, values, errors) for side, values in sides.items()}
        for pk, sides in rows.items()
    }
    if errors:
        raise ValidationError(errors)

    existing = {r.record_id: r for r in QuarterReview.objects.filter(record_id__in=cleaned, year=year, quarter=quarter)}
    now = timezone.now()
    created, updated, entries = [], [], []
    for pk, sides in cleaned.items():
        review = existing.get(pk)
        is_new = review is None
        if is_new:
            review = QuarterReview(year=year, quarter=quarter, village=village)
        review.record = allowed[pk]
        changes = {}
        for side, values in sides.items():
            before = tuple(getattr(review, f"{side}_{f}") for f in ("potential", "shortcomings", "rating"))
            if before == values:
                continue
            for f, value in zip(("potential", "shortcomings", "rating"), values, strict=True):
                setattr(review, f"{side}_{f}", value)
            setattr(review, f"{side}_by", actor)
            setattr(review, f"{side}_at", now)
            changes[side] = [opinion_text(*before), opinion_text(*values)]
        if not changes:
            continue
        review.village = village
        (created if is_new else updated).append(review)
        entries.append((review, village, {"quarter": label} | changes))
    QuarterReview.objects.bulk_create(created)
    if updated:
        QuarterReview.objects.bulk_update(
            updated,
            [f"{side}_{f}" for side in SIDE_LABELS for f in ("potential", "shortcomings", "rating", "by", "at")]
            + ["village"],
        )
    audit_many(actor, "assessment.quarter_review", entries, request=request)
    return len(entries)


def quarter_review_save(
    *,
    actor,
    record: ReserveRecord,
    village: OrgUnit,
    year: int,
    quarter: int,
    side: str,
    potential: str,
    shortcomings: str,
    rating: str,
    today: datetime.date | None = None,
    request=None,
) -> int:
    """One opinion for one record (the bulk save with one row)."""
    return quarter_reviews_save(
        actor=actor,
        village=village,
        year=year,
        quarter=quarter,
        rows={record.pk: {side: {"potential": potential, "shortcomings": shortcomings, "rating": rating}}},
        today=today,
        request=request,
    )


def quarter_review_applies(unit: OrgUnit, year: int, quarter: int, today: datetime.date | None = None) -> bool:
    """The county of `unit` has QS's quarterly review in the version deciding that quarter."""
    policy = policy_of_unit(unit, rule_day(quarter_bounds(year, quarter)[1], today))
    return policy is not None and policy.quarter_review_on


def require_quarter_review(unit: OrgUnit, year: int, quarter: int, today: datetime.date | None = None) -> None:
    if not quarter_review_applies(unit, year, quarter, today):
        raise ValidationError(rule_off_text("quarter_review") + "无需填写或提交。")


def _require_township(actor, township: OrgUnit):
    if township.level != roles.TOWNSHIP or not get_scope(actor).has(roles.EDIT_PEOPLE, township):
        raise ValidationError("您无权提交该乡镇的季度评议。")


@transaction.atomic
def quarter_submit(
    *, actor, township: OrgUnit, year: int, quarter: int, today: datetime.date | None = None, request=None
) -> QuarterSubmission:
    """The township submits its quarter (按乡镇提交): every reserve in the pool of its villages that quarter must
    have the township's opinion. Locks the quarter."""
    today = _today(today)
    if not valid_quarter(year, quarter):
        raise ValidationError("季度不正确。")
    _require_township(actor, township)
    require_quarter_review(township, year, quarter, today)
    row = _claim_quarter(township, year, quarter)
    status = quarter_status(township, year, quarter, today=today, submission=row)
    if status.state == FUTURE:
        raise ValidationError(status.explanation)
    if status.state == SUBMITTED:
        raise ValidationError(f"{status.label}评议已经提交，不能重复提交。")
    missing = list(
        missing_township_opinion(ReserveRecord.objects.all(), year, quarter, unit=township, today=today)
        .select_related("person")
        .order_by("village__code", "person__name")[:11]
    )
    if missing:
        total = missing_township_opinion(ReserveRecord.objects.all(), year, quarter, unit=township, today=today).count()
        names = "、".join(r.person.name for r in missing[:10]) + ("等" if total > 10 else "")
        raise ValidationError(f"还有{total}名后备干部未填写乡镇评定意见（{names}），请填写后再提交。")
    late = today > status.deadline.day
    row.state, row.submitted_at, row.submitted_by = QuarterSubmission.SUBMITTED, timezone.now(), actor
    row.save(update_fields=["state", "submitted_at", "submitted_by"])
    audit(
        actor,
        "assessment.quarter_submit",
        row,
        unit=township,
        request=request,
        changes={"quarter": status.label, "deadline": str(status.deadline.day), "after_deadline": late},
    )
    return row


@transaction.atomic
def quarter_reopen(
    *,
    actor,
    township: OrgUnit,
    year: int,
    quarter: int,
    reason: str,
    today: datetime.date | None = None,
    request=None,
) -> QuarterSubmission:
    """The county reopens a locked (submitted or expired) quarter of a township, with a written reason. It stays
    open until the township submits again."""
    today = _today(today)
    if not valid_quarter(year, quarter):
        raise ValidationError("季度不正确。")
    county = county_of(township) if township.level == roles.TOWNSHIP else None
    if county is None or not get_scope(actor).has(roles.EDIT_PEOPLE, county):
        raise ValidationError("只有县委组织部可以重新开放季度评议。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写重新开放的理由。"})
    if len(reason) > TEXT_MAX:
        raise ValidationError({"reason": f"理由不超过{TEXT_MAX}字。"})
    row = _claim_quarter(township, year, quarter)
    status = quarter_status(township, year, quarter, today=today, submission=row)
    if not status.is_locked:
        raise ValidationError(f"{township.name}{status.label}评议当前为“{status.state_label}”，无需重新开放。")
    row.state, row.reopened_at, row.reopened_by, row.reopen_reason = (
        QuarterSubmission.REOPENED,
        timezone.now(),
        actor,
        reason,
    )
    row.save(update_fields=["state", "reopened_at", "reopened_by", "reopen_reason"])
    audit(
        actor,
        "assessment.quarter_reopen",
        row,
        unit=township,
        request=request,
        changes={"quarter": status.label, "was": status.state_label, "reason": reason},
    )
    return row


# --- 年度考核 --------------------------------------------------------------------------------------------------------


def appraisal_applies(unit: OrgUnit, year: int, today: datetime.date | None = None) -> bool:
    """The county of `unit` appraises its reserves (QS 年度考核结果, QL 年底评估) in the version deciding `year`."""
    policy = policy_of_unit(unit, rule_day(datetime.date(year, 12, 31), today))
    return policy is not None and policy.annual_appraisal_on


@transaction.atomic
def appraisals_save(
    *,
    actor,
    village: OrgUnit,
    year: int,
    results: dict[int, str],
    today: datetime.date | None = None,
    request=None,
) -> int:
    """A village's annual appraisal results in one go: {record pk: result key, or "" to clear}. 不称职 raises a
    removal flag; correcting it resolves that flag. Returns the number of results changed."""
    today = _today(today)
    if not village.is_village or not get_scope(actor).has(roles.EDIT_PEOPLE, village):
        raise ValidationError("年度考核结果由乡镇录入。")
    if year > today.year:
        raise ValidationError(f"{year}年度尚未开始，不能录入考核结果。")
    if year < 2000:
        raise ValidationError("年度不正确。")
    if not appraisal_applies(village, year, today):
        raise ValidationError(rule_off_text("annual_appraisal") + "无需录入考核结果。")
    bad = sorted({value for value in results.values() if value and value not in APPRAISAL_LABELS})
    if bad:
        raise ValidationError(f"考核结果只能是“{'、'.join(APPRAISAL_LABELS.values())}”之一。")
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    allowed = {
        r.pk: r
        for r in records_in_period(first, last, village=village)
        .select_related("person", "village")
        .select_for_update(of=("self",))
    }
    unknown = [pk for pk in results if pk not in allowed]
    if unknown:
        names = [r.person.name for r in ReserveRecord.objects.for_user(actor).filter(pk__in=unknown)]
        who = "、".join(names) if names else f"{len(unknown)}条记录"
        raise ValidationError(f"{who}在{year}年不在{village.name}后备干部库中，不能录入考核结果。")
    existing = {a.record_id: a for a in AnnualAppraisal.objects.filter(record_id__in=results, year=year)}
    created, updated, deleted, entries = [], [], [], []
    raise_for, resolve_for = [], []
    for pk, result in results.items():
        old = existing.get(pk)
        before = old.result if old else ""
        if before == result:
            continue
        record = allowed[pk]
        if old is None:
            appraisal = AnnualAppraisal(record=record, year=year, result=result, village=village, entered_by=actor)
            created.append(appraisal)
        else:
            appraisal = old
            appraisal.record = record
            if before == INCOMPETENT:
                resolve_for.append((appraisal, result))
            if result:
                appraisal.result, appraisal.village, appraisal.entered_by = result, village, actor
                updated.append(appraisal)
            else:
                deleted.append(appraisal)
        if result == INCOMPETENT:
            raise_for.append(appraisal)
        entries.append(
            (
                record,
                village,
                {"year": year, "result": [APPRAISAL_LABELS.get(before, ""), APPRAISAL_LABELS.get(result, "")]},
            )
        )
    for appraisal, result in resolve_for:
        flag = Flag.objects.filter(
            record=appraisal.record, kind=Flag.APPRAISAL, source=appraisal.flag_source, resolved_on__isnull=True
        ).first()
        if flag is not None:
            text = f"已更正为{APPRAISAL_LABELS[result]}" if result else "已撤销"
            flag_resolve(flag=flag, on=today, resolution=f"{year}年度考核结果{text}。", actor=actor, request=request)
    AnnualAppraisal.objects.bulk_create(created)
    for appraisal in updated:
        appraisal.save(update_fields=["result", "village", "entered_by", "entered_at"])
    for appraisal in deleted:
        appraisal.delete()
    audit_many(actor, "assessment.appraisal", entries, request=request)
    for appraisal in raise_for:
        flag_raise(
            record=appraisal.record,
            kind=Flag.APPRAISAL,
            source=appraisal.flag_source,
            reason=f"{year}年度考核结果为不称职。",
            on=today,
            actor=actor,
            request=request,
            reopen=True,
        )
    return len(entries)


# --- 请销假 and 缺勤 --------------------------------------------------------------------------------------------------


def _span_text(start, end) -> str:
    return cn_date(start) if start == end else f"{cn_date(start)}至{cn_date(end)}"


def _check_free(record: ReserveRecord, start, end, *, exclude_leave=None, exclude_absence=None):
    """A leave or a direct absence may not overlap another leave's period or a recorded absence of the record."""
    leaves = Leave.objects.filter(record=record, start__lte=end, end__gte=start).exclude(state=Leave.REJECTED)
    if exclude_leave is not None:
        leaves = leaves.exclude(pk=exclude_leave.pk)
    clash = leaves.order_by("start").first()
    if clash is not None:
        raise ValidationError(f"与已登记的请假（{_span_text(clash.start, clash.end)}）时间重叠。")
    absences = Absence.objects.filter(record=record, kind=Absence.DIRECT, start__lte=end, end__gte=start)
    if exclude_absence is not None:
        absences = absences.exclude(pk=exclude_absence.pk)
    clash = absences.order_by("start").first()
    if clash is not None:
        raise ValidationError(f"与已登记的缺勤（{_span_text(clash.start, clash.end)}）时间重叠。")


def _next_start(record: ReserveRecord, after: datetime.date, *, exclude_leave=None) -> datetime.date | None:
    """The first day of the record's next leave or direct absence starting after `after`."""
    leaves = Leave.objects.filter(record=record, start__gt=after).exclude(state=Leave.REJECTED)
    if exclude_leave is not None:
        leaves = leaves.exclude(pk=exclude_leave.pk)
    starts = list(leaves.values_list("start", flat=True)) + list(
        Absence.objects.filter(record=record, kind=Absence.DIRECT, start__gt=after).values_list("start", flat=True)
    )
    return min(starts) if starts else None


def sync_overstays(record: ReserveRecord) -> None:
    """Keep each leave's overstay (请假逾期未销假) in step: from the day after its end until the day before 销假,
    or open (until today) while not closed — but never past the start of the record's next leave or absence, so
    absences never overlap and day counts stay plain sums."""
    leaves = list(Leave.objects.filter(record=record).exclude(state=Leave.REJECTED))
    starts = [leave.start for leave in leaves] + list(
        Absence.objects.filter(record=record, kind=Absence.DIRECT).values_list("start", flat=True)
    )
    wanted = {}
    for leave in leaves:
        ends = [leave.returned_on - ONE_DAY] if leave.returned_on else []
        later = [s for s in starts if s > leave.end]
        if later:
            ends.append(min(later) - ONE_DAY)
        last = min(ends) if ends else None
        if last is None or last > leave.end:
            wanted[leave.pk] = (leave, leave.end + ONE_DAY, last)
    current = {a.leave_id: a for a in Absence.objects.filter(record=record, kind=Absence.OVERSTAY)}
    for leave_id, absence in current.items():
        if leave_id not in wanted:
            absence.delete()
    for leave_id, (leave, start, end) in wanted.items():
        absence = current.get(leave_id)
        if absence is None:
            Absence.objects.create(
                record=record,
                village=leave.village,
                kind=Absence.OVERSTAY,
                leave=leave,
                start=start,
                end=end,
                note="请假期满未销假",
            )
        elif (absence.start, absence.end) != (start, end):
            absence.start, absence.end = start, end
            absence.save(update_fields=["start", "end"])


def raise_absence_flags(record: ReserveRecord, *, on: datetime.date, actor=None, request=None) -> int:
    """Raise an ABSENCE flag for every run and year over the thresholds up to `on` (once each) — only under a
    county policy with the absence rule on."""
    policy = policy_of_unit(record.village, on)
    if policy is None or not policy.absence_on:
        return 0
    raised = 0
    for source, reason in absence_flag_items(record, policy, on=on, absences=list(record.absences.all())):
        _, new = flag_raise(
            record=record, kind=Flag.ABSENCE, source=source, reason=reason, on=on, actor=actor, request=request
        )
        raised += new
    return raised


def _require_placed(record, village, on):
    if not _placed(record, village, on):
        raise ValidationError(f"{record.person.name}在{cn_date(on)}不在{village.name}后备干部库中。")


@transaction.atomic
def leave_create(
    *,
    actor,
    record: ReserveRecord,
    village: OrgUnit,
    start: datetime.date,
    end: datetime.date,
    reason: str,
    returned_on: datetime.date | None = None,
    today: datetime.date | None = None,
    request=None,
) -> Leave:
    """The village enters a leave for a reserve (请假). `returned_on` is given when entering a finished leave
    afterwards (补录)."""
    today = _today(today)
    _require_writer(actor, village, "您无权为该村（社区）的后备干部登记请假。")
    record = _lock_record(record)
    reason = (reason or "").strip()
    if end < start:
        raise ValidationError({"end": "请假结束日期不能早于开始日期。"})
    if not reason:
        raise ValidationError({"reason": "请填写请假事由。"})
    if len(reason) > 300:
        raise ValidationError({"reason": "请假事由不超过300字。"})
    _require_placed(record, village, start)
    if returned_on is not None:
        _check_return(record, start, returned_on, today)
    _check_free(record, start, end)
    routed = leave_routing_applies(village, start)
    leave = Leave.objects.create(
        record=record,
        village=village,
        start=start,
        end=end,
        reason=reason,
        state=Leave.PENDING if routed else Leave.NOT_REQUIRED,
        created_by=actor,
        returned_on=returned_on,
        closed_by=actor if returned_on else None,
        closed_at=timezone.now() if returned_on else None,
    )
    sync_overstays(record)
    audit(
        actor,
        "assessment.leave_create",
        leave,
        unit=village,
        request=request,
        changes={
            "start": str(start),
            "end": str(end),
            "days": leave.days,
            "reason": reason,
            "returned_on": str(returned_on) if returned_on else "",
            "state": leave.get_state_display(),
        },
    )
    raise_absence_flags(record, on=today, actor=actor, request=request)
    return leave


def _check_return(record, start, returned_on, today, *, leave=None):
    if returned_on < start:
        raise ValidationError(
            {"returned_on": f"销假日期不能早于请假开始日期（{cn_date(start)}）：请假尚未开始，不能销假。"}
        )
    if returned_on > today:
        raise ValidationError({"returned_on": "销假日期不能晚于今天。"})
    following = _next_start(record, start, exclude_leave=leave)
    if following is not None and returned_on > following:
        raise ValidationError(
            {"returned_on": f"销假日期不能晚于之后一次请假或缺勤的开始日期（{cn_date(following)}），请核对。"}
        )


def leave_routing_applies(village: OrgUnit, on: datetime.date) -> bool:
    """The county of `village` routes leave for approval (QL §10) in the version in force on `on`."""
    policy = policy_of_unit(village, on)
    return policy is not None and policy.leave_routing_on


def leave_approver(leave: Leave, policy: CountyPolicy | None = ...) -> tuple[str, int]:
    """Who approves this leave under QL §10: ("village", max days) or ("leader", max days); (NO_APPROVAL, 0) when
    the leave needs no approval (entered, or starting, under a county policy without leave routing). `policy` is
    the version in force on the leave's first day."""
    if leave.state == Leave.NOT_REQUIRED:
        return NO_APPROVAL, 0
    if policy is ...:
        policy = policy_of_unit(leave.village, leave.start)
    if policy is None or not policy.leave_routing_on:
        return NO_APPROVAL, 0
    max_days = policy.leave_village_max_days
    return ("village" if leave.days <= max_days else "leader"), max_days


@transaction.atomic
def leave_decide(
    *,
    actor,
    leave: Leave,
    approve: bool,
    note: str = "",
    today: datetime.date | None = None,
    request=None,
) -> Leave:
    """Approve (or refuse) a leave. ≤ policy.leave_village_max_days (1) days: the village party secretary (or the
    township leader in charge of the village); longer: only the township leader in charge (包村领导) on its first
    day."""
    leave = Leave.objects.select_for_update(of=("self",)).select_related("village", "record__person").get(pk=leave.pk)
    village = leave.village
    if not get_scope(actor).has(roles.VIEW, village):
        raise ValidationError("未找到该请假。")
    who, max_days = leave_approver(leave)
    if who == NO_APPROVAL:
        raise ValidationError(rule_off_text("leave_routing") + "该请假无需审批。")
    if leave.state != Leave.PENDING:
        raise ValidationError(f"该请假已审批（{leave.get_state_display()}），不能重复审批。")
    leaders = VillageLeader.objects.current(leave.start).filter(village=village)
    is_leader = leaders.filter(user_id=actor.pk).exists()
    if who == "leader" and not is_leader:
        leader = leaders.select_related("user").first()
        named = (
            f"{village.name}的包村领导是{leader.user}"
            if leader
            else f"{village.name}在{cn_date(leave.start)}没有包村领导，请乡镇先指定"
        )
        raise ValidationError(
            f"请假{leave.days}天，超过{max_days}天，须报乡（镇）包村领导审批（{named}）；"
            f"村（社区）党组织书记只能审批{max_days}天以内的请假。"
        )
    if who == "village" and not (is_leader or is_village_secretary(actor, village)):
        raise ValidationError(f"{max_days}天以内的请假由{village.name}党组织书记审批。")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": "不予批准时请填写理由。"})
    if len(note) > 300:
        raise ValidationError({"note": "审批意见不超过300字。"})
    leave.state = Leave.APPROVED if approve else Leave.REJECTED
    leave.decided_by, leave.decided_at, leave.decision_note = actor, timezone.now(), note
    leave.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    if not approve:
        sync_overstays(leave.record)
    audit(
        actor,
        "assessment.leave_approve" if approve else "assessment.leave_reject",
        leave,
        unit=village,
        request=request,
        changes={"days": leave.days, "approver": "包村领导" if is_leader else "村党组织书记", "note": note},
    )
    return leave


@transaction.atomic
def leave_close(
    *, actor, leave: Leave, returned_on: datetime.date, today: datetime.date | None = None, request=None
) -> Leave:
    """销假: record the day the reserve came back. Coming back after the end counts the days between as absence."""
    today = _today(today)
    leave = Leave.objects.select_related("village").get(pk=leave.pk)
    _require_writer(actor, leave.village, "您无权为该请假销假。")
    record = _lock_record(leave.record)
    leave = Leave.objects.select_for_update(of=("self",)).select_related("village").get(pk=leave.pk)
    if leave.state == Leave.REJECTED:
        raise ValidationError("该请假未获批准，无需销假。")
    if leave.returned_on is not None:
        raise ValidationError(f"该请假已于{cn_date(leave.returned_on)}销假。")
    if returned_on is None:
        raise ValidationError({"returned_on": "请填写销假日期。"})
    _check_return(record, leave.start, returned_on, today, leave=leave)
    leave.returned_on, leave.closed_by, leave.closed_at = returned_on, actor, timezone.now()
    leave.save(update_fields=["returned_on", "closed_by", "closed_at"])
    sync_overstays(record)
    overdue = leave.overdue_days(today)
    audit(
        actor,
        "assessment.leave_close",
        leave,
        unit=leave.village,
        request=request,
        changes={"returned_on": str(returned_on), "overdue_days": overdue},
    )
    raise_absence_flags(record, on=today, actor=actor, request=request)
    return leave


@transaction.atomic
def absence_add(
    *,
    actor,
    record: ReserveRecord,
    village: OrgUnit,
    start: datetime.date,
    end: datetime.date,
    note: str = "",
    today: datetime.date | None = None,
    request=None,
) -> Absence:
    """Record days absent without leave (旷工) directly."""
    today = _today(today)
    _require_writer(actor, village, "您无权为该村（社区）的后备干部登记缺勤。")
    record = _lock_record(record)
    note = (note or "").strip()
    if end < start:
        raise ValidationError({"end": "缺勤终止日期不能早于起始日期。"})
    if end > today:
        raise ValidationError({"end": "缺勤终止日期不能晚于今天。"})
    if len(note) > 300:
        raise ValidationError({"note": "说明不超过300字。"})
    _require_placed(record, village, start)
    _check_free(record, start, end)
    absence = Absence.objects.create(
        record=record, village=village, kind=Absence.DIRECT, start=start, end=end, note=note, created_by=actor
    )
    sync_overstays(record)
    audit(
        actor,
        "assessment.absence_add",
        absence,
        unit=village,
        request=request,
        changes={"start": str(start), "end": str(end), "days": absence.days(end), "note": note},
    )
    raise_absence_flags(record, on=today, actor=actor, request=request)
    return absence


# --- 不能履职报告 (QL §15) ----------------------------------------------------------------------------------------


@transaction.atomic
def inability_report(
    *,
    actor,
    record: ReserveRecord,
    village: OrgUnit,
    found_on: datetime.date,
    reported_on: datetime.date,
    reason: str,
    today: datetime.date | None = None,
    request=None,
) -> InabilityReport:
    """The village reports that a reserve cannot perform. Later than the policy's limit (5 days) is accepted and
    marked late. Raises an INABILITY flag."""
    today = _today(today)
    _require_writer(actor, village, "您无权为该村（社区）报告后备干部履职情况。")
    record = _lock_record(record)
    reason = (reason or "").strip()
    if reported_on < found_on:
        raise ValidationError({"reported_on": "报告日期不能早于发现日期。"})
    if reported_on > today:
        raise ValidationError({"reported_on": "报告日期不能晚于今天。"})
    if not reason:
        raise ValidationError({"reason": "请填写不能正常履职的具体情况。"})
    if len(reason) > 500:
        raise ValidationError({"reason": "情况说明不超过500字。"})
    _require_placed(record, village, found_on)
    policy = policy_of_unit(village, found_on)
    if policy is None or not policy.inability_report_on:
        raise ValidationError(rule_off_text("inability_report") + "无需报告。")
    limit = policy.report_inability_days
    report = InabilityReport.objects.create(
        record=record,
        village=village,
        found_on=found_on,
        reported_on=reported_on,
        reason=reason,
        limit_days=limit,
        late=(reported_on - found_on).days > limit,
        reported_by=actor,
    )
    audit(
        actor,
        "assessment.inability_report",
        report,
        unit=village,
        request=request,
        changes={
            "found_on": str(found_on),
            "reported_on": str(reported_on),
            "late": report.late,
            "reason": reason,
        },
    )
    flag_raise(
        record=record,
        kind=Flag.INABILITY,
        source=f"assessment.inability:{report.pk}",
        reason=f"{village.name}报告：{reason}（{cn_date(found_on)}发现）",
        on=today,
        actor=actor,
        request=request,
    )
    return report


def inability_late_text(report: InabilityReport) -> str:
    """What the village is told when its report came late (empty when on time)."""
    if not report.late:
        return ""
    return (
        f"该情况于{cn_date(report.found_on)}发现，{cn_date(report.reported_on)}报告，"
        f"超过发现之日起{report.limit_days}日内报告的时限（逾期{report.days_late}天），已标注为逾期报告。"
    )


# --- scans (a daily task): flags from the passage of time ---------------------------------------------------------


def _raise_many(items: list[tuple[ReserveRecord, str, str, str]], *, on: datetime.date, actor=None) -> int:
    """Raise many flags with a fixed number of queries: (record, kind, source, reason); existing ones are kept."""
    if not items:
        return 0
    record_ids = {item[0].pk for item in items}
    existing = set(Flag.objects.filter(record_id__in=record_ids).values_list("record_id", "kind", "source"))
    fresh = [item for item in items if (item[0].pk, item[1], item[2]) not in existing]
    Flag.objects.bulk_create(
        [
            Flag(record=record, kind=kind, source=source, reason=reason[:500], raised_on=on)
            for record, kind, source, reason in fresh
        ],
        ignore_conflicts=True,
    )
    labels = dict(Flag.KIND_CHOICES)
    audit_many(
        actor,
        "flag.raise",
        [(record, record.village, {"kind": labels[kind], "reason": reason[:500]}) for record, kind, _, reason in fresh],
    )
    return len(fresh)


def scan_age_out(on: datetime.date | None = None, *, actor=None) -> int:
    """Flag (AGE_OUT, once per record) every reserve in the pool who is past, or passes within 12 months, the age
    limit of their county's policy — only where the age rule is on and blocks (3YR "45周岁以下"); a limit that
    warns (QS "一般35周岁左右") is no ground for removal. Queries: one for the policies, then a few per county."""
    on = _today(on)
    items = []
    for policy in policies_in_force(on):
        if not age_limit_blocks(policy):
            continue
        county_records = ReserveRecord.objects.filter(village__code__startswith=policy.county.code)
        not_flagged = ~Exists(Flag.objects.filter(record=OuterRef("pk"), kind=Flag.AGE_OUT))
        limit = policy.age_limit
        for finder, verb in ((past_age_limit, "已于"), (ageing_out, "将于")):
            for record in finder(county_records, policy, on).filter(not_flagged).select_related("person", "village"):
                passes_on = passes_limit_on(record.person.birth_date, policy)
                items.append(
                    (
                        record,
                        Flag.AGE_OUT,
                        f"assessment.age_out:{record.pk}",
                        f"{record.person.name}{verb}{cn_date(passes_on)}年满{limit + 1}周岁，超过年龄上限{limit}周岁。",
                    )
                )
    return _raise_many(items, on=on, actor=actor)


def scan_absence(on: datetime.date | None = None, *, actor=None) -> int:
    """Flag (ABSENCE) reserves in the pool over the QL §11 thresholds as of `on` — leave not closed keeps counting
    as days pass, so this runs daily. Only counties whose policy has the absence rule on (a QS county has no
    absence flag, however long the absence). Queries: one for the policies, then a few per county."""
    on = _today(on)
    items = []
    for policy in policies_in_force(on):
        if not policy.absence_on:
            continue
        records = (
            over_absence_limit(
                ReserveRecord.objects.filter(village__code__startswith=policy.county.code)
                .filter(entered_on__lte=on)
                .exclude(ended_on__lte=on),
                policy,
                on,
            )
            .select_related("person", "village")
            .prefetch_related("absences")
        )
        for record in records:
            for source, reason in absence_flag_items(record, policy, on=on, absences=list(record.absences.all())):
                items.append((record, Flag.ABSENCE, source, reason))
    return _raise_many(items, on=on, actor=actor)
