"""名册 page and downloads, "我的导出", and the yearly roster submission."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from org import roles
from org.audit import audit
from org.fields import posted_text
from org.models import OrgUnit
from org.parsing import parse_id, parse_year
from org.scope import get_scope
from org.viewutils import apply_errors
from reports import exports
from reports import submissions as subs
from reports.forms_roster import CallForm, ReturnForm, RosterForm
from reports.models import ExportJob, RosterCall, RosterSubmission
from reports.roster import HEADERS, build_roster, output_rows, roster_pdf, roster_preview, roster_xlsx

PREVIEW_ROWS = 30


def download(data: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _need(request, perm, unit=None):
    if not get_scope(request.user).has(perm, unit):
        raise Http404("页面不存在")


# --- 名册 ----------------------------------------------------------------------------------------------------------


@login_required
def roster(request):
    _need(request, roles.VIEW)
    data = request.GET.copy() if request.GET else None
    if data is not None:
        data.setdefault("on", timezone.localdate().isoformat())
    form = RosterForm(data, user=request.user, initial={"on": timezone.localdate()})
    context = {"form": form, "headers": HEADERS}
    if data is None:
        first = form.fields["unit"].queryset.first()
        if first is not None:
            form = RosterForm({"unit": first.pk, "on": timezone.localdate().isoformat()}, user=request.user)
            context["form"] = form
    if form.is_bound and form.is_valid():
        unit, on = form.cleaned_data["unit"], form.cleaned_data["on"]
        result, total = roster_preview(unit, on, PREVIEW_ROWS)
        context.update(
            {
                "roster": result,
                "total": total,
                "preview": output_rows(result.rows, reveal=False),
                "more": max(0, total - PREVIEW_ROWS),
                "immediate": unit.level == roles.VILLAGE,
                "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
            }
        )
    return render(request, "reports/roster.html", context)


@login_required
@require_POST
def roster_export(request):
    _need(request, roles.VIEW)
    form = RosterForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("roster")
    unit, on, fmt = form.cleaned_data["unit"], form.cleaned_data["on"], form.cleaned_data["fmt"] or "xlsx"
    if unit.level == roles.VILLAGE:  # small: at once
        result = build_roster(unit, on)
        reveal = exports.can_reveal(request.user, unit)
        data = (roster_xlsx if fmt == "xlsx" else roster_pdf)(result, reveal=reveal)
        filename = f"{result.title}（{on:%Y%m%d}）.{fmt}"
        audit(
            request.user,
            "report.roster",
            unit,
            unit=unit,
            request=request,
            changes={"format": fmt, "on": str(on), "people": len(result.rows), "full_id": reveal},
        )
        return download(data, filename, fmt)
    job = exports.export_request(
        user=request.user,
        kind=f"roster_{fmt}",
        unit=unit,
        title=f"{unit.name}村级后备干部名册（{on:%Y%m%d}）.{fmt}",
        params={"on": on.isoformat()},
    )
    messages.success(request, f"正在后台生成“{job.title}”，完成后可在“我的导出”中下载，您可以离开本页。")
    return redirect("export_list")


@login_required
@require_POST
def record_sheets_export(request):
    """All 纪实表 of a village, township or county for a year, as one PDF or a zip of workbooks (background)."""
    _need(request, roles.VIEW)
    form = RosterForm(request.POST, user=request.user)
    # The raw values are parsed before any query: "abc" or a 20-digit number is refused, not filtered on
    unit_pk = parse_id(request.POST.get("unit"))
    unit = form.fields["unit"].queryset.filter(pk=unit_pk).first() if unit_pk is not None else None
    fmt = request.POST.get("fmt")
    year = parse_year(request.POST.get("year"), lo=2000, hi=timezone.localdate().year)
    if unit is None or fmt not in ("pdf", "zip") or year is None:
        messages.error(request, "请选择单位、年度（2000年至今年）和格式。")
        return redirect("roster")
    job = exports.export_request(
        user=request.user,
        kind=f"record_sheets_{fmt}",
        unit=unit,
        title=f"{unit.name}村级后备干部日常管理纪实表（{year}年）.{fmt}",
        params={"year": year},
    )
    messages.success(request, f"正在后台生成“{job.title}”，完成后可在“我的导出”中下载，您可以离开本页。")
    return redirect("export_list")


# --- 我的导出 ------------------------------------------------------------------------------------------------------


def _jobs(user):
    return ExportJob.objects.filter(user=user, expires_at__gt=timezone.now()).select_related("unit")[:50]


@login_required
def export_list(request):
    jobs = list(_jobs(request.user))
    context = {"jobs": jobs, "polling": any(j.active for j in jobs)}
    if request.headers.get("HX-Request"):
        return render(request, "reports/_export_table.html", context)
    return render(request, "reports/exports.html", context)


@login_required
def export_download(request, pk):
    job = get_object_or_404(ExportJob, pk=pk, user=request.user, state=ExportJob.DONE, expires_at__gt=timezone.now())
    if not job.file:
        raise Http404("文件不存在")
    fmt = job.file.name.rsplit(".", 1)[-1]
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.title, content_type=exports.CONTENT_TYPES.get(fmt)
    )


# --- 名册报送 ------------------------------------------------------------------------------------------------------


def _county_of_user(user) -> OrgUnit | None:
    for grant in get_scope(user).units(roles.EDIT_PEOPLE):
        if grant.level == roles.COUNTY:
            return OrgUnit.objects.get(pk=grant.unit_id)
    return None


def _own_township(user, call) -> OrgUnit | None:
    """The township of `call`'s county where the user may submit (edit people there)."""
    for grant in get_scope(user).units(roles.EDIT_PEOPLE):
        if grant.level == roles.TOWNSHIP and grant.code.startswith(call.county.code):
            return OrgUnit.objects.get(pk=grant.unit_id)
    return None


@login_required
def submission_home(request):
    _need(request, roles.VIEW)
    calls = list(subs.visible_calls(request.user).order_by("-year", "county__code"))
    return render(
        request,
        "reports/submission_home.html",
        {"calls": calls, "can_open": _county_of_user(request.user) is not None, "today": timezone.localdate()},
    )


@login_required
def call_create(request):
    county = _county_of_user(request.user)
    if county is None:
        raise Http404("页面不存在")
    year = timezone.localdate().year
    form = CallForm(request.POST or None, initial={"year": year, "deadline": subs.default_deadline(year)})
    if request.method == "POST" and form.is_valid():
        try:
            call = subs.call_create(actor=request.user, county=county, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已发布{call}，截止日期{call.deadline:%Y年%m月%d日}。")
            return redirect("call_detail", pk=call.pk)
    return render(request, "reports/call_form.html", {"form": form, "heading": f"发布{county.name}名册报送通知"})


def _call_for(request, pk) -> RosterCall:
    return get_object_or_404(subs.visible_calls(request.user), pk=pk)


@login_required
def call_detail(request, pk):
    call = _call_for(request, pk)
    scope = get_scope(request.user)
    county_view = scope.has(roles.VIEW, call.county)
    townships = list(subs.townships_of(call))
    if not county_view:  # a township user sees its own line only
        townships = [t for t in townships if scope.has(roles.VIEW, t)]
    lines = []
    for township in townships:
        live = next((s for s in township.subs if s.state != RosterSubmission.RETURNED), None)
        lines.append({"township": township, "live": live, "history": township.subs})
    counts = {
        "townships": len(lines),
        "submitted": sum(1 for line in lines if line["live"]),
        "on_time": sum(1 for line in lines if line["live"] and line["live"].on_time),
        "accepted": sum(1 for line in lines if line["live"] and line["live"].state == RosterSubmission.ACCEPTED),
    }
    return render(
        request,
        "reports/call_detail.html",
        {
            "call": call,
            "lines": lines,
            "counts": counts,
            "county_view": county_view,
            "can_decide": scope.has(roles.EDIT_PEOPLE, call.county),
            "own": _own_township(request.user, call),
            "today": timezone.localdate(),
        },
    )


@login_required
def submission_submit(request, pk):
    call = _call_for(request, pk)
    township = _own_township(request.user, call)
    if township is None:
        raise Http404("页面不存在")
    today = timezone.localdate()
    if request.method == "POST":
        try:
            submission = subs.submission_submit(actor=request.user, call=call, township=township)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("submission_submit", pk=call.pk)
        messages.success(request, f"已向县委组织部报送{township.name}名册（{submission.people}人）。")
        return redirect("submission_detail", pk=submission.pk)
    preview = build_roster(township, today)
    return render(
        request,
        "reports/submission_submit.html",
        {
            "call": call,
            "township": township,
            "roster": preview,
            "live": subs.live_submission(call, township),
            "late": today > call.deadline,
        },
    )


def _submission_for(request, pk) -> RosterSubmission:
    submission = get_object_or_404(
        RosterSubmission.objects.select_related("call__county", "township", "submitted_by", "decided_by"), pk=pk
    )
    if not get_scope(request.user).has(roles.VIEW, submission.township):
        raise Http404("页面不存在")
    return submission


@login_required
def submission_detail(request, pk):
    submission = _submission_for(request, pk)
    scope = get_scope(request.user)
    return render(
        request,
        "reports/submission_detail.html",
        {
            "s": submission,
            "headers": HEADERS,
            "rows": output_rows(submission.rows, reveal=False),
            "can_decide": scope.has(roles.EDIT_PEOPLE, submission.call.county),
            "return_form": ReturnForm(),
        },
    )


@login_required
def submission_file(request, pk, fmt):
    """The stored official file for who may see full ID numbers; a masked copy made from the same snapshot for
    everyone else (e.g. the city's read-only users)."""
    submission = _submission_for(request, pk)
    if fmt not in ("xlsx", "pdf"):
        raise Http404("页面不存在")
    reveal = exports.can_reveal(request.user, submission.township)
    filename = f"{submission.township.name}村级后备干部名册（{submission.call.year}年度报送）.{fmt}"
    stored = getattr(submission, fmt)
    audit(
        request.user,
        "report.roster",
        submission,
        unit=submission.township,
        request=request,
        changes={"format": fmt, "people": submission.people, "full_id": reveal, "submitted": True},
    )
    if reveal and stored:
        return FileResponse(stored.open("rb"), as_attachment=True, filename=filename)
    roster_ = subs.submission_roster(submission)
    data = (roster_xlsx if fmt == "xlsx" else roster_pdf)(roster_, reveal=reveal)
    return download(data, filename, fmt)


@login_required
@require_POST
def submission_decide(request, pk):
    submission = _submission_for(request, pk)
    if not get_scope(request.user).has(roles.EDIT_PEOPLE, submission.call.county):
        raise Http404("页面不存在")
    accept = request.POST.get("action") == "accept"
    try:
        subs.submission_decide(
            actor=request.user, submission=submission, accept=accept, reason=posted_text(request.POST, "reason")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("submission_detail", pk=submission.pk)
    messages.success(request, "已接收该名册。" if accept else "已退回该名册，乡镇可更正后重新报送。")
    return redirect("call_detail", pk=submission.call_id)


@login_required
@require_POST
def call_export(request, pk):
    call = _call_for(request, pk)
    if not get_scope(request.user).has(roles.VIEW, call.county):
        raise Http404("页面不存在")
    fmt = request.POST.get("fmt")
    if fmt not in ("xlsx", "pdf"):
        messages.error(request, "请选择导出格式。")
        return redirect("call_detail", pk=call.pk)
    job = exports.export_request(
        user=request.user,
        kind=f"submitted_roster_{fmt}",
        unit=call.county,
        title=f"{call.county.name}村级后备干部名册（{call.year}年度报送）.{fmt}",
        params={"call": call.pk},
    )
    messages.success(request, f"正在后台生成“{job.title}”，完成后可在“我的导出”中下载。")
    return redirect("export_list")
