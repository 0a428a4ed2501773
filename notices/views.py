import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_POST

from notices import services
from notices.calendar import cn_date, library_arrangement, library_knows, working_days_left
from notices.forms import CalendarDayForm, ObjectionForm, ResolveForm
from notices.models import CalendarDay, Notice, Objection
from notices.pdf import names_table
from org import roles
from org.models import OrgUnit
from org.parsing import parse_year
from org.scope import get_scope
from org.viewutils import submit


def get_notice_for_user(request, pk: int, *, write=False) -> Notice:
    """Fetch and check in one place: out of scope is 404; for writes, no EDIT_PEOPLE on the notice's unit is 404 too."""
    notice = Notice.objects.for_user(request.user).select_related("unit", "county").filter(pk=pk).first()
    if notice is None or (write and not services.can_write(request.user, notice)):
        raise Http404("未找到该公示")
    return notice


def get_objection_for_write(request, pk: int) -> Objection:
    objection = (
        Objection.objects.filter(notice__in=Notice.objects.for_user(request.user))
        .select_related("notice", "notice__unit", "notice__county")
        .filter(pk=pk)
        .first()
    )
    if objection is None or not services.can_write(request.user, objection.notice):
        raise Http404("未找到该异议")
    return objection


def _status(notice: Notice, today: datetime.date) -> dict:
    if today < notice.start:
        return {"state": "future", "text": f"尚未张贴（{cn_date(notice.start)}张贴）"}
    if today < notice.end:
        left = working_days_left(notice.end, today, notice.county)
        return {"state": "running", "left": left, "text": f"还差 {left} 个工作日（至{cn_date(notice.end)}期满）"}
    if today == notice.end:
        return {"state": "last", "left": 0, "text": "今天是公示期最后一天，期满后方可进行下一步"}
    return {"state": "over", "left": 0, "text": "公示期已满"}


@login_required
def notice_detail(request, pk):
    notice = get_notice_for_user(request, pk)
    today = timezone.localdate()
    writer = services.can_write(request.user, notice)
    objections = list(notice.objections.all())
    # The files may name who objected, which only writers see: readers get neither the links nor the query.
    if writer:
        files = services.objection_attachments(objections)
        for o in objections:
            o.files = files[o.pk]
    context = {
        "notice": notice,
        "places": list(notice.places.all()),
        "names": names_table(notice.rows, notice.columns) if notice.rows else None,
        "objections": objections,
        "pending": sum(1 for o in objections if o.is_open),
        "status": _status(notice, today),
        "can_write": writer,
        "today": today,
    }
    return render(request, "notices/notice_detail.html", context)


@login_required
def notice_pdf(request, pk):
    notice = get_notice_for_user(request, pk, write=True)
    pdf = services.notice_pdf_export(actor=request.user, notice=notice, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{notice.title}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def objection_add(request, pk):
    notice = get_notice_for_user(request, pk, write=True)
    form = ObjectionForm(request.POST or None, request.FILES or None, initial={"received_on": timezone.localdate()})
    done = submit(
        request,
        form,
        lambda d: services.objection_add(
            actor=request.user,
            notice=notice,
            received_on=d["received_on"],
            from_whom=d["from_whom"],
            about=d["about"],
            content=d["content"],
            upload=d.get("upload"),
            request=request,
        ),
        success="已登记异议，请及时核查处理。",
        then=("notice_detail", notice.pk),
    )
    if done:
        return done
    return render(request, "notices/objection_form.html", {"form": form, "notice": notice})


@login_required
def objection_resolve(request, pk):
    objection = get_objection_for_write(request, pk)
    notice = objection.notice
    if not objection.is_open:
        messages.info(request, "该异议已办结。")
        return redirect("notice_detail", notice.pk)
    form = ResolveForm(request.POST or None, request.FILES or None, initial={"resolved_on": timezone.localdate()})
    done = submit(
        request,
        form,
        lambda d: services.objection_resolve(
            actor=request.user,
            objection=objection,
            handling=d["handling"],
            result=d["result"],
            resolved_on=d["resolved_on"],
            upload=d.get("upload"),
            request=request,
        ),
        success="异议已办结。",
        then=("notice_detail", notice.pk),
    )
    if done:
        return done
    return render(request, "notices/objection_resolve.html", {"form": form, "objection": objection, "notice": notice})


# --- the county's holiday arrangement ------------------------------------------------------------------------------


def _admin_counties(request):
    counties = (
        OrgUnit.objects.filter(level=roles.COUNTY)
        .filter(get_scope(request.user).q(roles.MANAGE_POLICY, "code"))
        .order_by("code")
    )
    return counties


def _pick(request):
    """(county, year) from the query string or form: the user's first county, the current year by default."""
    if not get_scope(request.user).has(roles.MANAGE_POLICY):
        raise Http404("页面不存在")
    counties = list(_admin_counties(request))
    if not counties:
        raise Http404("页面不存在")
    params = request.POST if request.method == "POST" else request.GET
    county = counties[0]
    wanted = params.get("county", "")
    if wanted:
        county = next((c for c in counties if str(c.pk) == wanted), None)
        if county is None:
            raise Http404("未找到该县")
    year = parse_year(params.get("year"), lo=2000, hi=2100) or timezone.localdate().year
    return counties, county, year


def _calendar_url(county, year) -> str:
    return f"{reverse('calendar_list')}?{urlencode({'county': county.pk, 'year': year})}"


def _render_calendar(request, counties, county, year, form, status=200):
    days = list(
        CalendarDay.objects.filter(county=county, date__year=year).select_related("created_by").order_by("date")
    )
    if library_knows(datetime.date(year, 7, 1)):
        state = "library"
    elif days:
        state = "entered"
    else:
        state = "estimated"
    context = {
        "counties": counties,
        "county": county,
        "year": year,
        "years": [year - 1, year, year + 1],
        "days": days,
        "state": state,
        "arrangement": library_arrangement(year) if state == "library" else [],
        "form": form,
    }
    return render(request, "notices/calendar_list.html", context, status=status)


@login_required
def calendar_list(request):
    counties, county, year = _pick(request)
    form = CalendarDayForm(initial={"date": datetime.date(year, 1, 1)})
    return _render_calendar(request, counties, county, year, form)


@login_required
@require_POST
def calendar_add(request):
    counties, county, year = _pick(request)
    form = CalendarDayForm(request.POST)
    done = submit(
        request,
        form,
        lambda d: services.calendar_day_add(
            actor=request.user, county=county, date=d["date"], kind=d["kind"], note=d["note"], request=request
        ),
        success=lambda day: f"已添加：{cn_date(day.date)} {day.get_kind_display()}。",
        then=lambda day: _calendar_url(county, day.date.year),
    )
    if done:
        return done
    return _render_calendar(request, counties, county, year, form)


@login_required
@require_POST
def calendar_delete(request, pk):
    counties, _county, _year = _pick(request)
    day = CalendarDay.objects.filter(county__in=counties, pk=pk).select_related("county").first()
    if day is None:
        raise Http404("未找到该安排")
    county, date = day.county, day.date
    try:
        services.calendar_day_delete(actor=request.user, day=day, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已删除 {cn_date(date)} 的安排。")
    return redirect(_calendar_url(county, date.year))
