"""后备力量名单汇总表: the page and its immediate .xlsx / .pdf downloads, scoped to the user's townships or counties."""

import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from org import roles
from org.audit import audit
from org.models import OrgUnit
from org.scope import get_scope
from reports.summary import EMPTY_TEXT, summary_data, summary_pdf, summary_xlsx
from reserves import choices as C

LEVELS = [roles.CITY, roles.COUNTY, roles.TOWNSHIP, roles.VILLAGE]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EARLIEST = datetime.date(1950, 1, 1)


class SummaryForm(forms.Form):
    on = forms.DateField(
        label="统计日期",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "请按“2026-05-01”的格式填写统计日期。"},
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    type = forms.ChoiceField(
        label="类型",
        required=False,
        choices=[("", "全部类型"), *C.RESERVE_TYPE_CHOICES],
        error_messages={"invalid_choice": "请选择列表中的后备干部类型。"},
    )

    def clean_on(self):
        on = self.cleaned_data.get("on") or timezone.localdate()
        if on > timezone.localdate():
            raise forms.ValidationError("统计日期不能晚于今天。")
        if on < EARLIEST:
            raise forms.ValidationError("统计日期不能早于1950年1月1日。")
        return on


def unit_options(user) -> list[OrgUnit]:
    """What the user may pick: a county user their county (all townships) or one township, a city user a county, a
    township user their township. Village and mentor accounts have none (the table is a township's paper)."""
    scope = get_scope(user)
    levels = {g.level for g in scope.units(roles.VIEW)}
    if not levels:
        return []
    top = min(LEVELS.index(level) for level in levels)
    wanted = [lv for lv in LEVELS[top : top + 2] if lv in (roles.COUNTY, roles.TOWNSHIP)]
    if not wanted:
        return []
    options = list(
        OrgUnit.objects.filter(scope.q(roles.VIEW, "code"), level__in=wanted, valid_to__isnull=True)
        .only("id", "name", "code", "level", "parent_id", "valid_to")
        .order_by("code")
    )
    for u in options:
        u.label = f"{u.name}（各乡镇分别列出）" if u.level == roles.COUNTY else u.name
    return options


def _parse(request):
    """(unit, form, options); a unit the user may not pick is 404 (out of scope looks like absent)."""
    options = unit_options(request.user)
    if not options:
        raise Http404("页面不存在")
    raw = request.GET.get("unit", "").strip()
    unit = next((u for u in options if str(u.pk) == raw), None) if raw else options[0]
    if unit is None:
        raise Http404("页面不存在")
    return unit, SummaryForm(request.GET), options


def _page(request, unit, form, options, data=None, status=200):
    query = ""
    if data is not None:
        query = urlencode({"unit": unit.pk, "on": data.on.isoformat(), "type": data.reserve_type or ""})
    return render(
        request,
        "reports/summary.html",
        {"unit": unit, "form": form, "options": options, "data": data, "query": query, "empty_text": EMPTY_TEXT},
        status=status,
    )


def _data(unit, form, user):
    return summary_data(unit, form.cleaned_data["on"], user, form.cleaned_data["type"] or None)


@login_required
@require_GET
def summary(request):
    unit, form, options = _parse(request)
    if not form.is_valid():
        return _page(request, unit, form, options, status=400)
    return _page(request, unit, form, options, _data(unit, form, request.user))


def _download(request, fmt: str):
    unit, form, options = _parse(request)
    if not form.is_valid():
        return _page(request, unit, form, options, status=400)
    if unit.level != roles.TOWNSHIP:  # a county or city: hundreds of rows, built in the background
        from django.contrib import messages
        from django.shortcuts import redirect

        from reports.exports import export_request

        on = form.cleaned_data["on"]
        job = export_request(
            user=request.user,
            kind=f"summary_{fmt}",
            unit=unit,
            title=f"{unit.name}后备力量名单汇总表（{on:%Y%m%d}）.{fmt}",
            params={"on": on.isoformat(), "type": form.cleaned_data["type"] or ""},
        )
        messages.success(request, f"正在后台生成“{job.title}”，完成后可在“我的导出”中下载，您可以离开本页。")
        return redirect("export_list")
    data = _data(unit, form, request.user)
    content = summary_xlsx(data) if fmt == "xlsx" else summary_pdf(data)
    audit(
        request.user,
        "report.summary",
        unit,
        unit=unit,
        request=request,
        changes={
            "on": data.on.isoformat(),
            "format": fmt,
            "people": data.people,
            "reserve_type": data.reserve_type or "",
        },
    )
    response = HttpResponse(content, content_type=XLSX if fmt == "xlsx" else "application/pdf")
    name = f"{unit.name}后备力量名单汇总表（{data.on:%Y%m%d}）.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_GET
def summary_xlsx_download(request):
    return _download(request, "xlsx")


@login_required
@require_GET
def summary_pdf_download(request):
    return _download(request, "pdf")
