import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe

from dashboards import cache as dashboard_cache
from dashboards import halfyear as H
from dashboards import panels, services
from dashboards import selectors as S
from dashboards.charts import trend_chart
from dashboards.forms import FIGURE_LABELS, HalfYearForm, ReserveFilterForm, VillageFilterForm
from dashboards.models import HalfYearReport
from mentoring.selectors import my_pairings
from notices.pdf import render_pdf
from org import roles
from org.models import OrgUnit
from org.parsing import parse_id
from org.scope import get_scope
from org.viewutils import apply_errors


def get_unit_for_user(request, pk, level: str) -> OrgUnit:
    """A current unit of `level` in the user's view scope (404 otherwise), with its parents loaded."""
    unit = (
        OrgUnit.objects.for_user(request.user)
        .current()
        .filter(pk=pk, level=level)
        .select_related("parent__parent")
        .first()
    )
    if unit is None:
        raise Http404("未找到该单位")
    return unit


def _default_unit(request) -> OrgUnit | None:
    """The user's widest unit (a county for county staff, the village for a village secretary)."""
    grants = sorted(get_scope(request.user).units(roles.VIEW), key=lambda g: (len(g.code), g.code))
    if not grants:
        return None
    return OrgUnit.objects.select_related("parent__parent").filter(pk=grants[0].unit_id).first()


def _page(request, title: str, body: str):
    return render(request, "dashboards/page.html", {"title": title, "body": mark_safe(body)})  # noqa: S308


def _dashboard(request, unit: OrgUnit, *, home=False):
    """A unit's dashboard. The body is rendered without the request (no user-specific context: it may be cached
    for everyone with the same scope, see dashboards/cache.py); the village view is cheap and never cached."""
    if unit.level == roles.VILLAGE:
        context = panels.village_view(request.user, unit)
        context["home"] = home
        return render(request, "dashboards/village.html", context)
    today = S.today()

    def build():
        return render_to_string("dashboards/_unit_body.html", panels.unit_dashboard(request.user, unit, today))

    body = dashboard_cache.cached(request.user, "unit", unit.pk, today, build)
    return _page(request, f"{unit.name} · 统计分析", body)


@login_required
def home(request):
    """The role's dashboard: the city, county or township dashboard, the village view; a mentor's pairees."""
    unit = _default_unit(request)
    if unit is not None:
        return _dashboard(request, unit, home=True)
    if get_scope(request.user).has(roles.MENTOR):
        today = S.today()
        return render(request, "dashboards/home_mentor.html", {"pairings": my_pairings(request.user, today)})
    return render(request, "dashboards/home_empty.html")


@login_required
def city(request, pk):
    return _dashboard(request, get_unit_for_user(request, pk, roles.CITY))


@login_required
def county(request, pk):
    return _dashboard(request, get_unit_for_user(request, pk, roles.COUNTY))


@login_required
def township(request, pk):
    return _dashboard(request, get_unit_for_user(request, pk, roles.TOWNSHIP))


@login_required
def village(request, pk):
    return _dashboard(request, get_unit_for_user(request, pk, roles.VILLAGE))


@login_required
def scorecard(request, pk):
    unit = get_unit_for_user(request, pk, roles.COUNTY)
    today = S.today()

    def build():
        return render_to_string("dashboards/_scorecard_body.html", panels.scorecard(request.user, unit, today))

    body = dashboard_cache.cached(request.user, "scorecard", unit.pk, today, build)
    return _page(request, f"乡镇工作评价 · {unit.name}", body)


def _list_unit(request) -> OrgUnit:
    """The `unit` of a list (default: the user's widest unit); 404 outside the user's scope."""
    raw = request.GET.get("unit", "")
    if raw:
        pk = parse_id(raw)
        if pk is None:
            raise Http404("未找到该单位")
        unit = OrgUnit.objects.for_user(request.user).current().filter(pk=pk).first()
    else:
        unit = _default_unit(request)
    if unit is None:
        raise Http404("未找到该单位")
    return unit


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def village_list(request):
    """Villages under a unit by coverage today: the list behind the dashboards' village figures."""
    unit = _list_unit(request)
    form = VillageFilterForm(request.GET or None)
    key = form.cleaned_data["coverage"] if form.is_valid() else None
    today = S.today()
    rows = []
    if key is not None:
        policies = S.load_policies(unit)
        match = S.village_filter(key)
        rows = [v for v in S.village_rows(unit, [today], policies) if v.current_on(today) and match(v)]
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/village_list.html",
        {
            "unit": unit,
            "form": form,
            "title": S.village_filter_label(key) if key else "村（社区）",
            "page": page,
            "query": _query_without_page(request),
            "on": today,
            "unit_url": panels.child_url(unit),
        },
    )


@login_required
def reserve_list(request):
    """Reserves behind a dashboard figure that the reserve list cannot filter (female, college or above, party
    members, removal grounds, ageing out, missing opinions, removals replenished, or a county seen from a city)."""
    unit = _list_unit(request)
    form = ReserveFilterForm(request.GET or None)
    today = S.today()
    qs, title = None, "后备干部"
    if form.is_valid():
        data = form.cleaned_data
        qs = S.figure_records(request.user, unit, today, S.load_policies(unit), data)
        title = FIGURE_LABELS.get(data.get("figure") or "pool")
        if data.get("status"):
            title = dict(form.fields["status"].choices)[data["status"]] + "的后备干部记录"
    page = Paginator(qs if qs is not None else [], 50).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/reserve_list.html",
        {
            "unit": unit,
            "form": form,
            "title": title,
            "page": page,
            "query": _query_without_page(request),
            "today": today,
            "unit_url": panels.child_url(unit),
            "figure": form.cleaned_data.get("figure") if form.is_valid() else "",
        },
    )


@login_required
def notice_list(request):
    """Notices (公示) in the user's scope whose period ends this week."""
    if not get_scope(request.user).has(roles.VIEW):
        raise Http404("页面不存在")
    today = S.today()
    notices = S.notices_ending_this_week(request.user, today).select_related("unit").order_by("end", "id")
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/notice_list.html",
        {"page": page, "today": today, "week_end": S.week_end(today), "query": _query_without_page(request)},
    )


# --- half-yearly analysis ------------------------------------------------------------------------------------------


def _half_or_404(year: int, half: int, today: datetime.date):
    if half not in (1, 2) or not 2000 <= year <= today.year or H.half_bounds(year, half)[0] > today:
        raise Http404("没有该半年的数据")


def _halfyear_context(request, unit, year, half):
    today = S.today()
    _half_or_404(year, half, today)
    figures = H.half_year(request.user, unit, year, half, today)
    report = HalfYearReport.objects.filter(county=unit, year=year, half=half).select_related("saved_by").first()
    prev_half, next_half = H.previous_half(year, half), H.next_half(year, half)
    return {
        "unit": unit,
        "year": year,
        "half": half,
        "label": H.half_label(year, half),
        "cur": figures["cur"],
        "prev": figures["prev"],
        "rows": H.comparison_rows(figures["cur"], figures["prev"], figures["shown"]),
        "trend": figures["trend"],
        "chart": trend_chart("在库人数与达标村（社区）占比（按季度）", figures["trend"]),
        "report": report,
        "today": today,
        "prev_half": prev_half if prev_half[0] >= 2000 else None,
        "next_half": next_half if H.half_bounds(*next_half)[0] <= today else None,
        "can_edit": get_scope(request.user).has(roles.EDIT_PEOPLE, unit),
    }


@login_required
def halfyear_report(request, pk, year, half):
    unit = get_unit_for_user(request, pk, roles.COUNTY)
    context = _halfyear_context(request, unit, year, half)
    if request.method == "POST":
        if not context["can_edit"]:
            raise Http404("页面不存在")
        form = HalfYearForm(request.POST)
        if form.is_valid():
            try:
                services.halfyear_save(
                    actor=request.user,
                    county=unit,
                    year=year,
                    half=half,
                    text=form.cleaned_data["assessment_text"],
                    request=request,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存分析评估意见。")
                return redirect("halfyear_report", pk=unit.pk, year=year, half=half)
    else:
        report = context["report"]
        form = HalfYearForm(initial={"assessment_text": report.assessment_text if report else ""})
    context["form"] = form
    return render(request, "dashboards/halfyear.html", context)


@login_required
def halfyear_pdf(request, pk, year, half):
    unit = get_unit_for_user(request, pk, roles.COUNTY)
    context = _halfyear_context(request, unit, year, half)
    pdf = render_pdf("dashboards/pdf/halfyear.html", context, request=request)
    services.halfyear_pdf_export(actor=request.user, county=unit, year=year, half=half, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{unit.name}{context['label']}后备干部队伍分析.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
