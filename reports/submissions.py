"""Roster submission (seed 000: "11月31日前，向县委组织部报送村级后备干部名册" — November has 30 days, so the default
deadline is 30 November): the county opens a yearly call with a deadline; each township submits a frozen snapshot of
its roster, from which the stored xlsx and pdf are made; the county accepts it or returns it with a reason; the county
roster is built from the accepted snapshots only."""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from org import roles
from org.audit import audit
from org.models import OrgUnit
from reports.models import RosterCall, RosterSubmission
from reports.roster import Roster, roster_pdf, roster_rows, roster_xlsx

RETURN_REASON_MIN = 4


def default_deadline(year: int) -> datetime.date:
    return datetime.date(year, 11, 30)


def call_create(*, actor, county: OrgUnit, year: int, deadline: datetime.date, note: str = "") -> RosterCall:
    if county.level != roles.COUNTY:
        raise ValidationError("只能由县（区）发布名册报送通知。")
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": "年度不在有效范围内。"})
    if not datetime.date(year, 1, 1) <= deadline <= datetime.date(year + 1, 3, 31):
        raise ValidationError({"deadline": f"截止日期应在{year}年1月1日至{year + 1}年3月31日之间。"})
    try:
        with transaction.atomic():
            call = RosterCall.objects.create(county=county, year=year, deadline=deadline, note=note, created_by=actor)
            audit(actor, "roster.call_create", call, unit=county, changes={"year": year, "deadline": str(deadline)})
    except IntegrityError:
        raise ValidationError({"year": f"{county.name}{year}年度的名册报送通知已经发布。"}) from None
    return call


def townships_of(call: RosterCall):
    """The county's townships that exist on the deadline, each with its submissions (newest first) prefetched."""
    return (
        OrgUnit.objects.filter(parent=call.county, level=roles.TOWNSHIP)
        .current(call.deadline)
        .order_by("code")
        .prefetch_related(
            Prefetch(
                "roster_submissions",
                queryset=RosterSubmission.objects.filter(call=call)
                .select_related("submitted_by", "decided_by", "call")  # on_time reads the call's deadline
                .defer("rows")
                .order_by("-submitted_at", "-id"),
                to_attr="subs",
            )
        )
    )


def live_submission(call: RosterCall, township: OrgUnit) -> RosterSubmission | None:
    return (
        RosterSubmission.objects.filter(call=call, township=township).exclude(state=RosterSubmission.RETURNED).first()
    )


def submission_submit(*, actor, call: RosterCall, township: OrgUnit, on: datetime.date | None = None):
    """Freeze the township's roster of today (or `on`) and submit it; files are made from the snapshot after the
    commit. Refused while an earlier submission is waiting or accepted."""
    if township.parent_id != call.county_id:
        raise ValidationError("该乡镇不属于本通知所在的县（区）。")
    on = on or timezone.localdate()
    rows = roster_rows(township, on)
    if not rows:
        raise ValidationError(f"{township.name}{on:%Y年%m月%d日}无在库后备干部，不能报送空名册。")
    try:
        with transaction.atomic():
            submission = RosterSubmission.objects.create(
                call=call, township=township, on=on, rows=rows, people=len(rows), submitted_by=actor
            )
            audit(
                actor,
                "roster.submit",
                submission,
                unit=township,
                changes={"year": call.year, "people": len(rows), "on": str(on)},
            )
    except IntegrityError:
        raise ValidationError("本年度名册已经报送，县委组织部退回后才能重新报送。") from None
    from reports.tasks import render_submission

    transaction.on_commit(lambda: render_submission.delay(submission.pk))
    return submission


def submission_roster(submission: RosterSubmission) -> Roster:
    return Roster(unit=submission.township, on=submission.on, rows=submission.rows)


def render_submission_files(submission_id: int) -> None:
    """The submitted xlsx and pdf, made once from the snapshot with full values (the official copy)."""
    submission = RosterSubmission.objects.select_related("township", "call").get(pk=submission_id)
    if submission.xlsx and submission.pdf:
        return
    roster = submission_roster(submission)
    stem = f"{submission.township.code}-{submission.call.year}-{submission.pk}"
    submission.xlsx.save(f"{stem}.xlsx", ContentFile(roster_xlsx(roster, reveal=True)), save=False)
    submission.pdf.save(f"{stem}.pdf", ContentFile(roster_pdf(roster, reveal=True)), save=False)
    RosterSubmission.objects.filter(pk=submission.pk).update(xlsx=submission.xlsx.name, pdf=submission.pdf.name)


def submission_decide(*, actor, submission: RosterSubmission, accept: bool, reason: str = "") -> RosterSubmission:
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = RosterSubmission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
        if accept:
            if locked.state != RosterSubmission.SUBMITTED:
                raise ValidationError("只有待接收的名册可以接收。")
            locked.state = RosterSubmission.ACCEPTED
        else:
            if locked.state == RosterSubmission.RETURNED:
                raise ValidationError("该名册已经退回。")
            if len(reason) < RETURN_REASON_MIN:
                raise ValidationError({"reason": f"请填写退回理由（至少{RETURN_REASON_MIN}个字），以便乡镇更正。"})
            locked.state = RosterSubmission.RETURNED
            locked.return_reason = reason[:500]
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "return_reason", "decided_by", "decided_at"])
        audit(
            actor,
            "roster.accept" if accept else "roster.return",
            locked,
            unit=submission.township,
            changes={"reason": reason} if not accept else {},
        )
    return locked


def county_roster(call_id: int) -> Roster:
    """The county roster from the accepted submissions, township by township, numbered afresh."""
    call = RosterCall.objects.select_related("county").get(pk=call_id)
    accepted = list(
        RosterSubmission.objects.filter(call=call, state=RosterSubmission.ACCEPTED)
        .select_related("township")
        .order_by("township__code")
    )
    rows = []
    for submission in accepted:
        for row in submission.rows:
            rows.append({**row, "no": len(rows) + 1})
    missing = list(
        OrgUnit.objects.filter(parent=call.county, level=roles.TOWNSHIP)
        .current(call.deadline)
        .exclude(roster_submissions__in=[s.pk for s in accepted])
        .order_by("code")
        .values_list("name", flat=True)
    )
    on = max((s.on for s in accepted), default=call.deadline)
    note = f"根据{len(accepted)}个乡镇已接收的报送名册汇总"
    if missing:
        note += f"（未含：{'、'.join(missing)}）"
    explanation = "" if rows else f"{call.county.name}{call.year}年度还没有已接收的乡镇名册。"
    return Roster(unit=call.county, on=on, rows=rows, explanation=explanation, source_note=note)


def visible_calls(user):
    """Calls of the counties in the user's view scope, or of the county above the user's township."""
    from org.scope import get_scope

    scope = get_scope(user)
    cond = Q(pk__in=[])
    for grant in scope.units(roles.VIEW):
        if grant.level in (roles.CITY, roles.COUNTY):
            cond |= Q(county__code__startswith=grant.code)
        elif grant.level == roles.TOWNSHIP:
            cond |= Q(county__code=grant.code[: OrgUnit.CODE_LENGTHS[roles.COUNTY]])
    return RosterCall.objects.filter(cond).select_related("county")
