import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from org import roles
from org.fields import posted_text
from org.models import OrgUnit, VillageLeader
from org.parsing import parse_int, parse_year
from org.scope import get_scope
from org.viewutils import submit
from reserves.compliance import quarter_bounds
from reserves.models import CountyPolicy
from reserves.policy import county_of
from reserves.views import get_record_for_user

from . import services
from .compliance import policy_of_unit, records_in_period, rule_day, rule_off_text
from .forms import AbsenceForm, CloseForm, DecideForm, InabilityForm, LeaveForm, ReopenForm
from .models import (
    APPRAISAL_CHOICES,
    QUARTER_LABELS,
    RATING_CHOICES,
    Absence,
    AnnualAppraisal,
    InabilityReport,
    Leave,
    QuarterSubmission,
    quarter_label,
)
from .quarters import (
    FUTURE,
    default_review_quarter,
    grace_deadline,
    next_quarter,
    previous_quarter,
    quarter_status,
    valid_quarter,
)
from .selectors import assessment_checks, assessment_history, quarter_counts, village_quarter_rows
from .services import TOWNSHIP_SIDE, VILLAGE_SIDE, writer_role

SIDES = [(VILLAGE_SIDE, "村（社区）评定意见"), (TOWNSHIP_SIDE, "乡镇评定意见")]
FIELDS = ("potential", "shortcomings", "rating")


def _check_quarter(year, quarter):
    if not valid_quarter(year, quarter):
        raise Http404("季度不正确")


def get_village_for_user(request, pk, *, write=False):
    """A village in the user's view scope, and the side they may write (None: read only). Out of scope is 404,
    and so is a write page for someone who may not write there."""
    village = OrgUnit.objects.for_user(request.user).filter(pk=pk, level=roles.VILLAGE).select_related("parent").first()
    if village is None:
        raise Http404("未找到该村（社区）")
    role = writer_role(request.user, village)
    if write and role is None:
        raise Http404("未找到该村（社区）")
    return village, role


def get_township_for_user(request, pk, perm=roles.VIEW):
    township = OrgUnit.objects.for_user(request.user, perm).filter(pk=pk, level=roles.TOWNSHIP).first()
    if township is None:
        raise Http404("未找到该乡镇")
    return township


def get_leave_for_user(request, pk):
    leave = (
        Leave.objects.for_user(request.user)
        .select_related("village__parent", "record__person", "decided_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if leave is None or writer_role(request.user, leave.village) is None:
        raise Http404("未找到该请假")
    return leave


class RuleSet:
    """Which of this app's rules a county's policy has on, for templates (no policy: none)."""

    def __init__(self, policy):
        self.policy = policy
        on = (lambda flag: bool(getattr(policy, flag))) if policy is not None else (lambda flag: False)
        self.quarter_review = on("quarter_review_on")
        self.appraisal = on("annual_appraisal_on")
        self.leave_routing = on("leave_routing_on")
        self.absence = on("absence_on")
        self.inability = on("inability_report_on")
        self.attendance = self.leave_routing or self.absence or self.inability


def _policies_by_code(codes, day):
    """county code -> the version in force on `day` (one query)."""
    out = {}
    for policy in (
        CountyPolicy.objects.filter(county__code__in=codes, county__level=roles.COUNTY, effective_from__lte=day)
        .select_related("county")
        .order_by("county_id", "-effective_from", "-id")
    ):
        out.setdefault(policy.county.code, policy)
    return out


def county_versions(unit) -> list[CountyPolicy]:
    """Every version of the policy of `unit`'s county, newest first (one query); pick one with `version_on`."""
    return list(
        CountyPolicy.objects.filter(county__code=unit.code[:6], county__level=roles.COUNTY).order_by(
            "-effective_from", "-id"
        )
    )


def version_on(versions, day):
    return next((v for v in versions if v.effective_from <= day), None)


def attendance_texts(policy) -> list[str]:
    """What the attendance pages say about each attendance rule of the county (on: the duty; off: that there is
    none and what entering still means)."""
    if policy is None:
        return ["本县尚未设置政策：登记的请假无需审批，缺勤只作记录。"]
    texts = []
    if policy.leave_routing_on:
        n = policy.leave_village_max_days
        texts.append(
            f"请假{n}天以内由村（社区）党组织书记审批，{n}天以上报乡（镇）包村领导审批；"
            "请假结束要及时销假，逾期未销假的天数计为缺勤。"
        )
    else:
        texts.append(rule_off_text("leave_routing") + "登记的请假无需审批，只作考勤记录；回来后仍可销假。")
    if policy.absence_on:
        texts.append(
            f"无故缺勤（含请假期满逾期不归）连续超过{policy.absence_consecutive_days}天，或一年内累计超过"
            f"{policy.absence_year_days}天的，将提示为取消资格的依据。"
        )
    else:
        texts.append(rule_off_text("absence") + "登记的缺勤只作记录，不作为取消资格的依据。")
    if policy.inability_report_on:
        texts.append(
            f"对无法正常履职的，应于发现之日起{policy.report_inability_days}日内向乡（镇）党委报告；"
            "逾期仍可报告，将标注为逾期报告。"
        )
    else:
        texts.append(rule_off_text("inability_report") + "本页不提供该报告。")
    return texts


def _units_current_in(start, end):
    return Q(valid_from__lte=end) & (Q(valid_to__isnull=True) | Q(valid_to__gt=start))


def _quarter_nav(year, quarter):
    return {
        "year": year,
        "quarter": quarter,
        "label": quarter_label(year, quarter),
        "prev": previous_quarter(year, quarter),
        "next": next_quarter(year, quarter),
    }


# --- 季度评议 ---------------------------------------------------------------------------------------------------------


@login_required
def quarter_overview(request):
    """Every township in scope for one quarter: reviewed / total, submitted or not, the lock date; the county
    reopens from here. A village secretary finds their village here."""
    scope = get_scope(request.user)
    if not scope.has(roles.VIEW):
        raise Http404("页面不存在")
    today = timezone.localdate()
    year, quarter = default_review_quarter(today)
    asked_year, asked_quarter = parse_year(request.GET.get("year")), parse_int(request.GET.get("quarter"), lo=1, hi=4)
    if asked_year is not None and asked_quarter is not None:
        year, quarter = asked_year, asked_quarter
    _check_quarter(year, quarter)
    start, end = quarter_bounds(year, quarter)
    townships = list(
        OrgUnit.objects.for_user(request.user)
        .filter(level=roles.TOWNSHIP)
        .filter(_units_current_in(start, end))
        .order_by("code")
    )
    scope_townships = [t.pk for t in townships]
    county_codes = sorted({t.code[:6] for t in townships})
    counties = {c.code: c for c in OrgUnit.objects.filter(level=roles.COUNTY, code__in=county_codes, valid_to=None)}
    counts = quarter_counts(Q(village__parent__in=[t.pk for t in townships]), year, quarter, group="village__parent_id")
    submissions = {
        s.township_id: s
        for s in QuarterSubmission.objects.filter(township__in=[t.pk for t in townships], year=year, quarter=quarter)
    }
    policies = {}
    for policy in CountyPolicy.objects.filter(
        county__in=counties.values(), effective_from__lte=rule_day(end, today)
    ).order_by("county_id", "-effective_from", "-id"):
        policies.setdefault(policy.county_id, policy)
    # A county without QS's quarterly review has no such duty: its townships are not listed, the page says so.
    review_on = {code for code, c in counties.items() if getattr(policies.get(c.pk), "quarter_review_on", False)}
    counties_off = [c for code, c in sorted(counties.items()) if code not in review_on]
    # ... but their villages' attendance and appraisal pages stay reachable through the township page.
    rows_off = [t for t in townships if t.code[:6] not in review_on]
    townships = [t for t in townships if t.code[:6] in review_on]
    deadlines = {
        code: grace_deadline(county, year, quarter, policies.get(county.pk))
        for code, county in counties.items()
        if code in review_on
    }
    rows = []
    for township in townships:
        county = counties.get(township.code[:6])
        deadline = deadlines.get(township.code[:6]) or grace_deadline(None, year, quarter, None)
        status = quarter_status(
            township,
            year,
            quarter,
            today=today,
            county=county,
            submission=submissions.get(township.pk),
            deadline=deadline,
        )
        count = counts.get(township.pk, {"total": 0, "township": 0, "village": 0})
        rows.append(
            {
                "township": township,
                "county": county,
                "count": count,
                "status": status,
                "can_reopen": status.is_locked and county is not None and scope.has(roles.EDIT_PEOPLE, county),
            }
        )
    own_villages = list(
        OrgUnit.objects.for_user(request.user)
        .filter(level=roles.VILLAGE)
        .filter(_units_current_in(start, end))
        .exclude(parent_id__in=scope_townships)
        .select_related("parent")
        .order_by("code")
    )
    codes = {v.code[:6] for v in own_villages}
    today_policies = _policies_by_code(codes, today)
    quarter_policies = _policies_by_code(codes, rule_day(end, today))
    for village in own_villages:
        village.rules = RuleSet(today_policies.get(village.code[:6]))
        village.review_on = RuleSet(quarter_policies.get(village.code[:6])).quarter_review
    return render(
        request,
        "assessment/quarter_overview.html",
        {
            "rows": rows,
            "villages": own_villages,
            "nav": _quarter_nav(year, quarter),
            "today": today,
            "counties_off": counties_off if len(counties) > 1 or not own_villages else [],
            "review_off_text": rule_off_text("quarter_review"),
            "rows_off": rows_off,
        },
    )


@login_required
def quarter_township(request, year, quarter, pk):
    _check_quarter(year, quarter)
    township = get_township_for_user(request, pk)
    start, end = quarter_bounds(year, quarter)
    status = quarter_status(township, year, quarter)
    today = timezone.localdate()
    versions = county_versions(township)
    rules = RuleSet(version_on(versions, today))
    review_on = RuleSet(version_on(versions, rule_day(end, today))).quarter_review
    villages = list(township.children.filter(level=roles.VILLAGE).filter(_units_current_in(start, end)))
    counts = quarter_counts(Q(village__parent=township), year, quarter)
    empty = {"total": 0, "township": 0, "village": 0}
    rows = [{"village": v, "count": counts.get(v.pk, empty)} for v in villages]
    total = {key: sum(r["count"][key] for r in rows) for key in empty}
    scope = get_scope(request.user)
    return render(
        request,
        "assessment/quarter_township.html",
        {
            "township": township,
            "status": status,
            "rows": rows,
            "total": total,
            "nav": _quarter_nav(year, quarter),
            "can_submit": review_on
            and scope.has(roles.EDIT_PEOPLE, township)
            and not status.is_submitted
            and status.state != FUTURE,
            "review_on": review_on,
            "rules": rules,
            "review_off_text": rule_off_text("quarter_review"),
        },
    )


@login_required
@require_POST
def quarter_submit(request, year, quarter, pk):
    _check_quarter(year, quarter)
    township = get_township_for_user(request, pk, roles.EDIT_PEOPLE)
    try:
        services.quarter_submit(actor=request.user, township=township, year=year, quarter=quarter, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已提交{township.name}{quarter_label(year, quarter)}评议，本季度评议已锁定。")
    return redirect("quarter_township", year=year, quarter=quarter, pk=township.pk)


@login_required
def quarter_reopen(request, year, quarter, pk):
    _check_quarter(year, quarter)
    township = get_township_for_user(request, pk)
    county = county_of(township)
    if county is None or not get_scope(request.user).has(roles.EDIT_PEOPLE, county):
        raise Http404("页面不存在")
    status = quarter_status(township, year, quarter, county=county)
    form = ReopenForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda d: services.quarter_reopen(
            actor=request.user, township=township, year=year, quarter=quarter, reason=d["reason"], request=request
        ),
        success=f"已重新开放{township.name}{quarter_label(year, quarter)}评议，乡镇再次提交后锁定。",
        then=f"{reverse('quarter_overview')}?year={year}&quarter={quarter}",
    )
    return done or render(
        request,
        "assessment/reopen.html",
        {
            "form": form,
            "heading": f"重新开放{township.name}{quarter_label(year, quarter)}评议",
            "township": township,
            "status": status,
            "nav": _quarter_nav(year, quarter),
        },
    )


def _posted_rows(request, records, sides):
    rows = {}
    for record in records:
        row = {}
        for side in sides:
            names = [f"{side[0]}{record.pk}-{f}" for f in FIELDS]
            if any(name in request.POST for name in names):
                row[side] = {f: posted_text(request.POST, name) for f, name in zip(FIELDS, names, strict=True)}
        if row:
            rows[record.pk] = row
    return rows


@login_required
def quarter_village(request, year, quarter, pk):
    """The bulk page: one row per reserve in the village's pool during the quarter, both opinions side by side.
    The village secretary writes the village column; township users write both."""
    _check_quarter(year, quarter)
    village, role = get_village_for_user(request, pk)
    status = quarter_status(village.parent, year, quarter)
    records = village_quarter_rows(village, year, quarter)
    review_on = RuleSet(
        version_on(county_versions(village), rule_day(quarter_bounds(year, quarter)[1], timezone.localdate()))
    ).quarter_review
    editable = {TOWNSHIP_SIDE: [VILLAGE_SIDE, TOWNSHIP_SIDE], VILLAGE_SIDE: [VILLAGE_SIDE]}.get(role, [])
    if not status.is_open or not review_on:
        editable = []
    errors = []
    if request.method == "POST":
        if role is None:
            raise Http404("页面不存在")
        try:
            changed = services.quarter_reviews_save(
                actor=request.user,
                village=village,
                year=year,
                quarter=quarter,
                rows=_posted_rows(
                    request, records, [VILLAGE_SIDE, TOWNSHIP_SIDE] if role == TOWNSHIP_SIDE else [VILLAGE_SIDE]
                ),
                request=request,
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request, f"已保存{village.name}{quarter_label(year, quarter)}评议（{changed}人次有变动）。"
            )
            return redirect("quarter_village", year=year, quarter=quarter, pk=village.pk)
    for record in records:
        record.cells = []
        for side, _ in SIDES:
            review = record.review
            values = {f: getattr(review, f"{side}_{f}") if review else "" for f in FIELDS}
            if errors:
                values = {f: posted_text(request.POST, f"{side[0]}{record.pk}-{f}", values[f]) for f in FIELDS}
            record.cells.append(
                {"side": side, "prefix": f"{side[0]}{record.pk}", "values": values, "editable": side in editable}
            )
    return render(
        request,
        "assessment/quarter_village.html",
        {
            "village": village,
            "records": records,
            "status": status,
            "errors": errors,
            "editable": bool(editable),
            "sides": SIDES,
            "ratings": RATING_CHOICES,
            "nav": _quarter_nav(year, quarter),
            "role": role,
            "review_on": review_on,
            "review_off_text": rule_off_text("quarter_review"),
        },
    )


# --- 年度考核 ---------------------------------------------------------------------------------------------------------


def _year_param(request, default):
    value = request.GET.get("year", "")
    # Not a year in ASCII digits ("abc", "²", "٢٠٢٦"): the default, as for no year at all
    year = parse_year(value, lo=0, hi=9999) or default
    if not 2000 <= year <= 2100:
        raise Http404("年度不正确")
    return year


@login_required
def appraisal_village(request, pk):
    """Annual appraisal results of a village in one page (the township enters them)."""
    village, role = get_village_for_user(request, pk)
    today = timezone.localdate()
    year = _year_param(request, today.year if today.month >= 10 else today.year - 1)
    records = list(
        records_in_period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), village=village)
        .select_related("person")
        .order_by("person__name", "pk")
    )
    results = dict(
        AnnualAppraisal.objects.filter(record_id__in=[r.pk for r in records], year=year).values_list(
            "record_id", "result"
        )
    )
    appraisal_on = RuleSet(version_on(county_versions(village), rule_day(datetime.date(year, 12, 31), today))).appraisal
    editable = appraisal_on and role == TOWNSHIP_SIDE and year <= today.year
    errors = []
    if request.method == "POST":
        if role != TOWNSHIP_SIDE:
            raise Http404("页面不存在")
        posted = {r.pk: posted_text(request.POST, f"a{r.pk}") for r in records if f"a{r.pk}" in request.POST}
        try:
            changed = services.appraisals_save(
                actor=request.user, village=village, year=year, results=posted, request=request
            )
        except ValidationError as exc:
            errors = exc.messages
            results |= posted
        else:
            messages.success(request, f"已保存{village.name}{year}年度考核结果（{changed}人有变动）。")
            return redirect(f"{reverse('appraisal_village', args=[village.pk])}?year={year}")
    for record in records:
        record.result = results.get(record.pk, "")
    return render(
        request,
        "assessment/appraisal_village.html",
        {
            "village": village,
            "year": year,
            "records": records,
            "choices": APPRAISAL_CHOICES,
            "editable": editable,
            "errors": errors,
            "appraisal_on": appraisal_on,
            "appraisal_off_text": rule_off_text("annual_appraisal"),
        },
    )


# --- 考勤：请销假、缺勤、不能履职报告 ---------------------------------------------------------------------------------


@login_required
def leave_list(request, pk):
    """A village's attendance for a year: leave (with who approves it), absences, reports."""
    village, role = get_village_for_user(request, pk)
    today = timezone.localdate()
    year = _year_param(request, today.year)
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    leaves = (
        Leave.objects.filter(village=village)
        .filter(Q(start__lte=last, end__gte=first) | Q(returned_on__isnull=True, start__lte=last))
        .select_related("record__person", "decided_by")
        .order_by("-start", "-id")
    )
    page = Paginator(leaves, 50).get_page(request.GET.get("page"))
    county = county_of(village)
    versions = list(CountyPolicy.objects.filter(county=county).order_by("-effective_from", "-id")) if county else []
    policy = next((v for v in versions if v.effective_from <= today), None)
    for leave in page:
        # Each leave is routed by the version in force on its first day (as leave_decide does).
        at_start = next((v for v in versions if v.effective_from <= leave.start), None)
        leave.approver, leave.max_days = services.leave_approver(leave, at_start)
        leave.overdue = leave.overdue_days(today)
    absences = list(
        Absence.objects.filter(village=village, start__lte=min(last, today))
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .select_related("record__person")
        .order_by("-start", "-id")[:200]
    )
    for absence in absences:
        absence.days_today = absence.days(today)
    reports = (
        InabilityReport.objects.filter(village=village, reported_on__year=year)
        .select_related("record__person", "reported_by")
        .order_by("-reported_on", "-id")
    )
    return render(
        request,
        "assessment/leave_list.html",
        {
            "village": village,
            "year": year,
            "page": page,
            "absences": absences,
            "reports": reports,
            "today": today,
            "can_write": role is not None,
            "policy": policy,
            "rules": RuleSet(policy),
            "texts": attendance_texts(policy),
            "query": f"year={year}",
        },
    )


def _policy_today(village):
    return policy_of_unit(village, timezone.localdate())


def _leave_intro(village):
    return attendance_texts(_policy_today(village))[0]


def _absence_intro(village):
    return attendance_texts(_policy_today(village))[1]


def _back_to_leaves(village):
    return reverse("leave_list", args=[village.pk])


@login_required
def leave_add(request, pk):
    village, _ = get_village_for_user(request, pk, write=True)
    form = LeaveForm(request.POST or None, village=village, initial={"record": request.GET.get("record")})
    done = submit(
        request,
        form,
        lambda d: services.leave_create(
            actor=request.user,
            record=d["record"],
            village=village,
            start=d["start"],
            end=d["end"],
            reason=d["reason"],
            returned_on=d.get("returned_on"),
            request=request,
        ),
        success=lambda leave: (
            f"已登记{leave.record.person.name}的请假（{leave.days}天），"
            + ("待审批。" if leave.state == Leave.PENDING else "本县政策未规定请销假审批，无需审批。")
        ),
        then=_back_to_leaves(village),
    )
    return done or render(
        request,
        "assessment/form.html",
        {
            "form": form,
            "heading": f"{village.name}：登记请假",
            "back": _back_to_leaves(village),
            "village": village,
            "intro": _leave_intro(village),
        },
    )


@login_required
def leave_decide(request, pk):
    leave = get_leave_for_user(request, pk)
    approver, max_days = services.leave_approver(leave)
    if approver == services.NO_APPROVAL:
        # No approval duty under the county's rules: say so instead of a form that would be refused.
        if request.method == "POST":
            messages.error(request, rule_off_text("leave_routing") + "该请假无需审批。")
            return redirect(_back_to_leaves(leave.village))
        return render(
            request,
            "assessment/rule_off.html",
            {
                "heading": f"审批请假：{leave.record.person.name}",
                "text": rule_off_text("leave_routing") + "该请假无需审批，只作考勤记录。",
                "back": _back_to_leaves(leave.village),
                "village": leave.village,
            },
        )
    leader = VillageLeader.objects.current(leave.start).filter(village=leave.village).select_related("user").first()
    form = DecideForm(request.POST or None, initial={"decision": "approve"})
    done = submit(
        request,
        form,
        lambda d: services.leave_decide(
            actor=request.user, leave=leave, approve=d["decision"] == "approve", note=d["note"], request=request
        ),
        success=lambda result: (
            f"{'已批准' if result.state == Leave.APPROVED else '不予批准'}{leave.record.person.name}的请假。"
        ),
        then=_back_to_leaves(leave.village),
    )
    return done or render(
        request,
        "assessment/leave_decide.html",
        {
            "form": form,
            "leave": leave,
            "approver": approver,
            "max_days": max_days,
            "leader": leader,
            "heading": f"审批请假：{leave.record.person.name}",
            "back": _back_to_leaves(leave.village),
            "village": leave.village,
        },
    )


def _closed_message(leave):
    overdue = leave.overdue_days(timezone.localdate())
    late = f"，请假期满后逾期{overdue}天未归，计为缺勤" if overdue else ""
    return f"已为{leave.record.person.name}销假{late}。"


@login_required
def leave_close(request, pk):
    leave = get_leave_for_user(request, pk)
    form = CloseForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda d: services.leave_close(actor=request.user, leave=leave, returned_on=d["returned_on"], request=request),
        success=_closed_message,
        then=_back_to_leaves(leave.village),
    )
    return done or render(
        request,
        "assessment/leave_decide.html",
        {
            "form": form,
            "leave": leave,
            "heading": f"销假：{leave.record.person.name}",
            "back": _back_to_leaves(leave.village),
            "village": leave.village,
            "closing": True,
        },
    )


@login_required
def absence_add(request, pk):
    village, _ = get_village_for_user(request, pk, write=True)
    form = AbsenceForm(request.POST or None, village=village, initial={"record": request.GET.get("record")})
    done = submit(
        request,
        form,
        lambda d: services.absence_add(
            actor=request.user,
            record=d["record"],
            village=village,
            start=d["start"],
            end=d["end"],
            note=d["note"],
            request=request,
        ),
        success=lambda a: f"已登记{a.record.person.name}缺勤{a.days(a.end)}天。",
        then=_back_to_leaves(village),
    )
    return done or render(
        request,
        "assessment/form.html",
        {
            "form": form,
            "heading": f"{village.name}：登记缺勤（旷工）",
            "back": _back_to_leaves(village),
            "village": village,
            "intro": _absence_intro(village),
        },
    )


@login_required
def inability_add(request, pk):
    village, _ = get_village_for_user(request, pk, write=True)
    policy = _policy_today(village)
    if policy is None or not policy.inability_report_on:
        if request.method == "POST":
            messages.error(request, rule_off_text("inability_report") + "无需报告。")
            return redirect(_back_to_leaves(village))
        return render(
            request,
            "assessment/rule_off.html",
            {
                "heading": f"{village.name}：报告后备干部不能正常履职",
                "text": rule_off_text("inability_report") + "无需报告。",
                "back": _back_to_leaves(village),
                "village": village,
            },
        )
    form = InabilityForm(request.POST or None, village=village, initial={"record": request.GET.get("record")})

    def done_message(report):
        late = services.inability_late_text(report)
        return f"已报告{report.record.person.name}不能正常履职的情况。" + late

    done = submit(
        request,
        form,
        lambda d: services.inability_report(
            actor=request.user,
            record=d["record"],
            village=village,
            found_on=d["found_on"],
            reported_on=d["reported_on"],
            reason=d["reason"],
            request=request,
        ),
        success=done_message,
        then=_back_to_leaves(village),
    )
    return done or render(
        request,
        "assessment/form.html",
        {
            "form": form,
            "heading": f"{village.name}：报告后备干部不能正常履职",
            "back": _back_to_leaves(village),
            "village": village,
            "intro": attendance_texts(policy)[2],
        },
    )


# --- 一个人的考核记录 ---------------------------------------------------------------------------------------------


@login_required
def record_assessment(request, pk):
    record = get_record_for_user(request, pk)
    today = timezone.localdate()
    history = assessment_history(record, on=today)
    return render(
        request,
        "assessment/record.html",
        {
            "record": record,
            "history": history,
            "checks": assessment_checks(record, on=today),
            "today": today,
            "quarter_labels": QUARTER_LABELS,
        },
    )
