import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from org import roles
from org.parsing import parse_id, parse_ids
from org.scope import get_scope
from org.viewutils import submit
from reserves.models import ReserveRecord
from reserves.policy import policy_in_force, rule_on
from reserves.views import get_record_for_user
from training import rules, selectors, services
from training.forms import (
    CandidateFilterForm,
    EventFilterForm,
    EventForm,
    GapFilterForm,
    PracticeForm,
    ProgrammeFilterForm,
    ProgrammeForm,
    TrainingFieldsForm,
    editable_units,
)
from training.models import Enrolment, PracticeAssignment, TrainingEvent, TrainingProgramme


def get_event_for_user(request, pk, *, write=False) -> TrainingEvent:
    """Visible events only (404 otherwise); `write` needs the edit right on the organising unit."""
    event = TrainingEvent.objects.for_user(request.user).select_related("unit").filter(pk=pk).first()
    if event is None or (write and not get_scope(request.user).has(roles.EDIT_PEOPLE, event.unit)):
        raise Http404("未找到该培训")
    return event


def get_practice_for_user(request, pk) -> PracticeAssignment:
    assignment = (
        PracticeAssignment.objects.for_user(request.user, roles.EDIT_PEOPLE)
        .select_related("record__person", "record__village")
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404("未找到该实践锻炼记录")
    return assignment


def _query_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- events --------------------------------------------------------------------------------------------------------


@login_required
def event_list(request):
    form = EventFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    events = selectors.event_list(
        request.user, year=data.get("year"), form=data.get("form", ""), township=data.get("township")
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    scope = get_scope(request.user)
    return render(
        request,
        "training/event_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "can_create": scope.has(roles.EDIT_PEOPLE),
        },
    )


@login_required
def event_create(request):
    if not get_scope(request.user).has(roles.EDIT_PEOPLE):
        raise Http404("页面不存在")
    initial = {"form": "concentrated"}
    programme_id = parse_id(request.GET.get("programme"))
    if programme_id is not None:  # "登记一期培训" from a programme's page
        programme = TrainingProgramme.objects.for_user(request.user).filter(pk=programme_id).first()
        if programme is not None:
            initial["programme"] = programme
            if editable_units(request.user).filter(pk=programme.unit_id).exists():
                initial["unit"] = programme.unit_id
    form = EventForm(request.POST or None, user=request.user, initial=initial)
    done = submit(
        request,
        form,
        lambda d: services.training_create(actor=request.user, unit=d["unit"], data=d, request=request),
        success="已登记培训，请勾选参训人员。",
        then=lambda event: ("training_enrol", event.pk),
    )
    return done or render(request, "training/form.html", {"form": form, "heading": "登记培训"})


@login_required
def event_edit(request, pk):
    event = get_event_for_user(request, pk, write=True)
    initial = {name: getattr(event, name) for name in services.EVENT_FIELDS}
    form = TrainingFieldsForm(request.POST or None, initial=initial, user=request.user, under=event.unit)
    done = submit(
        request,
        form,
        lambda d: services.training_update(actor=request.user, event=event, data=d, request=request),
        success="已保存。",
        then=("training_event_detail", event.pk),
    )
    return done or render(
        request, "training/form.html", {"form": form, "heading": f"修改培训：{event.content}", "event": event}
    )


@login_required
def event_detail(request, pk):
    event = get_event_for_user(request, pk)
    scope = get_scope(request.user)
    programme = (
        TrainingProgramme.objects.for_user(request.user).select_related("unit").filter(pk=event.programme_id).first()
        if event.programme_id
        else None
    )
    enrolments = list(selectors.enrolled_visible(request.user, event))
    total = Enrolment.objects.filter(event=event).count()
    for e in enrolments:
        e.can_remove = not event.is_individual and scope.has(roles.EDIT_PEOPLE, e.record.village)
    return render(
        request,
        "training/event_detail.html",
        {
            "event": event,
            "programme": programme,
            "enrolments": enrolments,
            "hidden": total - len(enrolments),
            "can_edit": scope.has(roles.EDIT_PEOPLE, event.unit),
            "can_enrol": selectors.can_enrol(request.user, event),
        },
    )


@login_required
def event_delete(request, pk):
    """GET asks for confirmation (the enrolments go too); POST deletes."""
    event = get_event_for_user(request, pk, write=True)
    if request.method != "POST":
        n = Enrolment.objects.filter(event=event).count()
        return render(request, "training/event_delete.html", {"event": event, "n_enrolled": n})
    try:
        services.training_delete(actor=request.user, event=event, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("training_event_detail", event.pk)
    messages.success(request, "已删除该培训及其报名记录。")
    return redirect("training_event_list")


@login_required
def enrol(request, pk):
    """Bulk enrolment: the township's reserves in the pool during the training, with checkboxes; one POST enrols all
    checked (all or nothing)."""
    event = get_event_for_user(request, pk)
    if not selectors.can_enrol(request.user, event):
        raise Http404("未找到该培训")
    filters = CandidateFilterForm(request.GET or None, user=request.user, event=event)
    data = filters.cleaned_data if filters.is_valid() else {}
    candidates = list(
        selectors.enrolment_candidates(
            request.user, event, township=data.get("township"), village=data.get("village"), q=data.get("q", "")
        )
    )
    enrolled = set(Enrolment.objects.filter(event=event).values_list("record_id", flat=True))
    errors, checked = [], set()
    if request.method == "POST":
        raw = request.POST.getlist("records")
        checked = set(parse_ids(raw))
        if len(checked) != len(raw):
            errors = ["提交的数据有误，请刷新页面后重试。"]
        else:
            # Only records the user can see reach the service; it refuses the rest with reasons.
            chosen = list(ReserveRecord.objects.for_user(request.user).filter(pk__in=checked))
            if len(chosen) != len(checked):
                errors = ["所选人员中有不在您管辖范围内的记录，请刷新页面后重试。"]
            else:
                try:
                    created = services.enrol(actor=request.user, event=event, records=chosen, request=request)
                except ValidationError as exc:
                    errors = exc.messages
                else:
                    messages.success(request, f"已为 {len(created)} 人报名本次培训。")
                    return redirect("training_event_detail", event.pk)
    return render(
        request,
        "training/enrol.html",
        {
            "event": event,
            "filters": filters,
            "candidates": candidates,
            "enrolled": enrolled,
            "already": sum(1 for r in candidates if r.pk in enrolled),
            "checked": checked,
            "errors": errors,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_POST
def unenrol(request, pk):
    enrolment = (
        Enrolment.objects.for_user(request.user, roles.EDIT_PEOPLE)
        .filter(event__in=TrainingEvent.objects.for_user(request.user))
        .select_related("event")
        .filter(pk=pk)
        .first()
    )
    if enrolment is None:
        raise Http404("未找到该报名记录")
    if request.POST.get("confirm") != "1":
        messages.error(request, "请在页面上点击“取消报名”按钮。")
        return redirect("training_event_detail", enrolment.event_id)
    try:
        services.unenrol(actor=request.user, enrolment=enrolment, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已取消报名。")
    return redirect("training_event_detail", enrolment.event_id)


# --- one record ----------------------------------------------------------------------------------------------------


@login_required
def record_page(request, pk):
    """A record's trainings and practice, with the training and shadowing checks as of today."""
    record = get_record_for_user(request, pk)
    today = datetime.date.today()
    trainings = list(selectors.training_history(record))
    practice = list(selectors.practice_history(record))
    policy = rules.policy_for(record, today)
    # A rule the county's policy does not impose is not shown (no policy at all: both say so).
    checks = []
    if policy is None or rule_on(policy, "training"):
        checks += rules.training_checks(record, policy, today, trainings=trainings)
    if policy is None or rule_on(policy, "shadowing"):
        checks += rules.shadowing_checks(record, policy, today, assignments=practice)
    scope = get_scope(request.user)
    return render(
        request,
        "training/record_page.html",
        {
            "record": record,
            "trainings": trainings,
            "practice": practice,
            "checks": checks,
            "policy": policy,
            "today": today,
            "can_edit": scope.has(roles.EDIT_PEOPLE, record.village),
            "can_view_events": scope.has(roles.VIEW),
        },
    )


@login_required
def single_training(request, pk):
    record = get_record_for_user(request, pk, write=True)
    form = TrainingFieldsForm(request.POST or None, user=request.user, under=record.village)
    done = submit(
        request,
        form,
        lambda d: services.training_record_single(actor=request.user, record=record, data=d, request=request),
        success=f"已为 {record.person.name} 登记培训。",
        then=("training_record", record.pk),
    )
    return done or render(
        request,
        "training/form.html",
        {"form": form, "heading": f"登记个人培训：{record.person.name}", "record": record},
    )


@login_required
def practice_add(request, pk):
    record = get_record_for_user(request, pk, write=True)
    form = PracticeForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda d: services.practice_add(actor=request.user, record=record, data=d, request=request),
        success="已登记实践锻炼。",
        then=("training_record", record.pk),
    )
    return done or render(
        request,
        "training/form.html",
        {"form": form, "heading": f"登记实践锻炼：{record.person.name}", "record": record},
    )


@login_required
def practice_edit(request, pk):
    assignment = get_practice_for_user(request, pk)
    record = assignment.record
    initial = {name: getattr(assignment, name) for name in services.PRACTICE_FIELDS}
    form = PracticeForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda d: services.practice_update(actor=request.user, assignment=assignment, data=d, request=request),
        success="已保存。",
        then=("training_record", record.pk),
    )
    return done or render(
        request,
        "training/form.html",
        {"form": form, "heading": f"修改实践锻炼：{record.person.name}", "record": record, "assignment": assignment},
    )


@login_required
@require_POST
def practice_delete(request, pk):
    assignment = get_practice_for_user(request, pk)
    record_pk = assignment.record_id
    if request.POST.get("confirm") != "1":
        messages.error(request, "请在页面上点击“删除”按钮。")
        return redirect("training_record", record_pk)
    try:
        services.practice_delete(actor=request.user, assignment=assignment, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已删除该实践锻炼记录。")
    return redirect("training_record", record_pk)


# --- 轮训 programmes -------------------------------------------------------------------------------------------------


def get_programme_for_user(request, pk, *, write=False) -> TrainingProgramme:
    """Visible programmes only (404 otherwise); `write` needs the edit right on the organising unit."""
    programme = TrainingProgramme.objects.for_user(request.user).select_related("unit").filter(pk=pk).first()
    if programme is None or (write and not get_scope(request.user).has(roles.EDIT_PEOPLE, programme.unit)):
        raise Http404("未找到该轮训班")
    return programme


@login_required
def programme_list(request):
    form = ProgrammeFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.programme_list(request.user, year=data.get("year")), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "training/programme_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "can_create": get_scope(request.user).has(roles.EDIT_PEOPLE),
        },
    )


@login_required
def programme_create(request):
    if not get_scope(request.user).has(roles.EDIT_PEOPLE):
        raise Http404("页面不存在")
    form = ProgrammeForm(request.POST or None, user=request.user, initial={"year": datetime.date.today().year})
    done = submit(
        request,
        form,
        lambda d: services.programme_create(actor=request.user, unit=d["unit"], data=d, request=request),
        success="已登记轮训班。登记各期培训时，在“所属轮训班次”中选择它。",
        then=lambda programme: ("training_programme_detail", programme.pk),
    )
    return done or render(request, "training/programme_form.html", {"form": form, "heading": "登记轮训班"})


@login_required
def programme_edit(request, pk):
    programme = get_programme_for_user(request, pk, write=True)
    initial = {name: getattr(programme, name) for name in services.PROGRAMME_FIELDS}
    form = ProgrammeForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda d: services.programme_update(actor=request.user, programme=programme, data=d, request=request),
        success="已保存。",
        then=("training_programme_detail", programme.pk),
    )
    return done or render(
        request,
        "training/programme_form.html",
        {"form": form, "heading": f"修改轮训班：{programme.name}", "programme": programme},
    )


@login_required
def programme_detail(request, pk):
    programme = get_programme_for_user(request, pk)
    scope = get_scope(request.user)
    sessions = list(selectors.programme_sessions(request.user, programme))
    return render(
        request,
        "training/programme_detail.html",
        {
            "programme": programme,
            "sessions": sessions,
            "total_days": sum((s.days for s in sessions), 0),
            "participants": list(selectors.programme_participants(request.user, programme)),
            "can_edit": scope.has(roles.EDIT_PEOPLE, programme.unit),
            "can_add_session": scope.has(roles.EDIT_PEOPLE),
        },
    )


@login_required
@require_POST
def programme_delete(request, pk):
    programme = get_programme_for_user(request, pk, write=True)
    if request.POST.get("confirm") != "1":
        messages.error(request, "请在页面上点击“删除”按钮。")
        return redirect("training_programme_detail", programme.pk)
    try:
        services.programme_delete(actor=request.user, programme=programme, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("training_programme_detail", programme.pk)
    messages.success(request, "已删除该轮训班。")
    return redirect("training_programme_list")


# --- the non-compliance list ---------------------------------------------------------------------------------------


@login_required
def gap_list(request):
    """Reserves who miss the training (or shadowing) rule, or will by its deadline unless trained (60 days)."""
    today = datetime.date.today()
    counties = list(selectors.counties_in_scope(request.user))
    form = GapFilterForm(request.GET or None, user=request.user, counties=counties)
    data = form.cleaned_data if form.is_valid() else {}
    county = data.get("county") or (counties[0] if counties else None)
    policy = policy_in_force(county, today) if county else None
    if policy is not None:
        policy.county = county  # str(policy) names the county: no second query
    # Without a choice, the county's own rule (QL: shadowing only).
    rule = data.get("rule") or (
        "shadowing" if rule_on(policy, "shadowing") and not rule_on(policy, "training") else "training"
    )
    if "rule" in form.fields and not data.get("rule"):  # the filter shows the list actually shown
        if form.is_bound:
            form.data = form.data.copy()
            form.data["rule"] = rule
        form.fields["rule"].initial = rule
    applies = rule_on(policy, rule)
    page, rows = None, []
    if county is not None and applies:
        qs = selectors.gap_list(
            request.user,
            county=county,
            policy=policy,
            rule=rule,
            on=today,
            township=data.get("township"),
            village=data.get("village"),
            q=(data.get("q") or "").strip(),
        )
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        for r in page:
            r.status = getattr(r, f"{rule}_status")
            r.deadline = rules.deadline_from_key(getattr(r, f"{rule}_due_before"))
            r.days_left = (r.deadline - today).days if r.deadline else None
            r.days_over = -r.days_left if r.days_left is not None and r.days_left < 0 else None
        rows = page
    return render(
        request,
        "training/gap_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "rule": rule,
            "rule_label": dict(selectors.RULES)[rule],
            "applies": applies,
            "county": county,
            "policy": policy,
            "today": today,
            "at_risk_days": rules.AT_RISK_DAYS,
            "query": _query_without_page(request),
        },
    )
