import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from org import roles
from org.fields import posted_text
from org.models import OrgUnit
from org.parsing import parse_ids
from org.scope import get_scope
from org.viewutils import submit
from reserves import choices as C
from reserves import filings as filings_module
from reserves import selectors, services
from reserves.forms import (
    FilterForm,
    LookupForm,
    MergeForm,
    PairingEndForm,
    PairingForm,
    PersonForm,
    PolicyForm,
    PolicyFromPresetForm,
    RecordCloseForm,
    RecordForm,
    RecordNoteForm,
)
from reserves.models import CountyPolicy, Filing, MentorPairing, Person, ReserveRecord
from reserves.policy import (
    POLICY_FIELDS,
    PRESETS,
    differences_from_preset,
    policy_create,
    preset_label,
    preset_values,
    rule_rows,
    setting_rows,
)


def get_person_for_user(request, pk: int, *, write=False) -> Person:
    """Fetch and check in one place: out of scope is 404, in scope without the right is 404 for writes too."""
    perm = roles.EDIT_PEOPLE if write else roles.VIEW
    person = (
        Person.objects.for_user(request.user, perm).select_related("village", "village__parent").filter(pk=pk).first()
    )
    if person is None:
        raise Http404("未找到该人员")
    return person


def get_record_for_user(request, pk: int, *, write=False) -> ReserveRecord:
    perm = roles.EDIT_PEOPLE if write else roles.VIEW
    record = (
        ReserveRecord.objects.for_user(request.user, perm)
        .select_related("person", "village", "village__parent")
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404("未找到该记录")
    return record


def _require_scope(request, perm):
    if not get_scope(request.user).has(perm):
        raise Http404("页面不存在")


def _paginate(request, qs):
    paginator = Paginator(qs, 50)
    return paginator.get_page(request.GET.get("page"))


def _query_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def record_list(request):
    form = FilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    page = _paginate(request, selectors.record_list(request.user, data))
    return render(
        request,
        "reserves/record_list.html",
        {"form": form, "page": page, "query": _query_without_page(request), "today": datetime.date.today()},
    )


@login_required
def person_list(request):
    form = FilterForm(request.GET or None, user=request.user, with_record_fields=False)
    data = form.cleaned_data if form.is_valid() else {}
    page = _paginate(request, selectors.person_list(request.user, data))
    return render(
        request,
        "reserves/person_list.html",
        {"form": form, "page": page, "query": _query_without_page(request), "today": datetime.date.today()},
    )


@login_required
def person_create(request):
    _require_scope(request, roles.EDIT_PEOPLE)
    form = PersonForm(request.POST or None, request.FILES or None, user=request.user)
    done = submit(
        request,
        form,
        lambda d: services.person_create(actor=request.user, data=form.service_data(), request=request),
        success=lambda person: f"已登记 {person.name}。",
        then=lambda person: ("person_detail", person.pk),
    )
    return done or render(request, "reserves/person_form.html", {"form": form, "title": "登记人员"})


@login_required
def person_edit(request, pk):
    person = get_person_for_user(request, pk, write=True)
    title = f"修改 {person.name}"
    form = PersonForm(request.POST or None, request.FILES or None, instance=person, user=request.user)
    done = submit(
        request,
        form,
        lambda d: services.person_update(actor=request.user, person=person, data=form.service_data(), request=request),
        success="已保存。",
        then=("person_detail", person.pk),
    )
    return done or render(request, "reserves/person_form.html", {"form": form, "title": title, "person": person})


@login_required
def person_detail(request, pk):
    try:
        person = selectors.person_detail(request.user, pk)
    except Person.DoesNotExist:
        raise Http404("未找到该人员") from None
    scope = get_scope(request.user)
    today = datetime.date.today()
    can_edit = scope.has(roles.EDIT_PEOPLE, person.village)
    eligibility, history = None, []
    if can_edit:
        eligibility = services.eligibility_for(person, person.village, today)
        history = selectors.person_history(person)
    return render(
        request,
        "reserves/person_detail.html",
        {
            "person": person,
            "records": person.records.all(),
            "can_edit": can_edit,
            "can_reveal": scope.has(roles.REVEAL, person.village),
            "can_view_assessment": scope.has(roles.VIEW, person.village),
            "eligibility": eligibility,
            "history": history,
            "age": person.age_on(today),
        },
    )


@login_required
@require_POST
def person_reveal(request, pk, field):
    person = get_person_for_user(request, pk)
    try:
        value = services.person_reveal(actor=request.user, person=person, field=field, request=request)
    except ValidationError:
        raise Http404("未找到") from None
    return HttpResponse(format_html('<span class="font-monospace">{}</span>', value or "（未填写）"))


@login_required
def person_photo(request, pk):
    person = get_person_for_user(request, pk)
    if not person.photo:
        raise Http404("没有照片")
    try:
        handle = person.photo.open("rb")
    except FileNotFoundError:
        raise Http404("照片文件不存在") from None
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def record_create(request, pk):
    person = get_person_for_user(request, pk, write=True)
    form = RecordForm(
        request.POST or None,
        user=request.user,
        initial={"village": person.village, "entered_on": datetime.date.today()},
    )
    done = submit(
        request,
        form,
        lambda d: services.record_open(
            actor=request.user,
            person=person,
            reserve_type=d["reserve_type"],
            village=d["village"],
            entered_on=d["entered_on"],
            entry_method=d["entry_method"],
            entry_reason=d["entry_reason"],
            override_reason=d["override_reason"],
            request=request,
        ),
        success=f"{person.name} 已入库。",
        then=("person_detail", person.pk),
    )
    if done:
        return done
    eligibility = None
    if form.is_bound and form.is_valid():
        # Show why the service refused: each condition for the chosen village and date.
        eligibility = services.eligibility_for(person, form.cleaned_data["village"], form.cleaned_data["entered_on"])
    return render(request, "reserves/record_form.html", {"form": form, "person": person, "eligibility": eligibility})


@login_required
def record_note(request, pk):
    record = get_record_for_user(request, pk, write=True)
    form = RecordNoteForm(request.POST or None, initial={"note": record.note})
    done = submit(
        request,
        form,
        lambda d: services.record_note_set(actor=request.user, record=record, note=d["note"], request=request),
        success="备注已保存。",
        then=("person_detail", record.person_id),
    )
    return done or render(request, "reserves/record_note.html", {"form": form, "record": record})


@login_required
def record_close(request, pk):
    record = get_record_for_user(request, pk, write=True)
    form = RecordCloseForm(request.POST or None, initial={"ended_on": datetime.date.today()})
    done = submit(
        request,
        form,
        lambda d: services.record_close(
            actor=request.user,
            record=record,
            status=C.STATUS_EXITED,
            ended_on=d["ended_on"],
            reason=d["reason"],
            request=request,
        ),
        success="记录已出库。",
        then=("person_detail", record.person_id),
    )
    return done or render(request, "reserves/record_close.html", {"form": form, "record": record})


@login_required
def pairing_add(request, pk):
    record = get_record_for_user(request, pk, write=True)
    form = PairingForm(request.POST or None, record=record)
    done = submit(
        request,
        form,
        lambda d: services.pairing_add(
            actor=request.user,
            record=record,
            mentor_user=d["mentor_user"],
            mentor_name=d["mentor_name"],
            mentor_kind=d["mentor_kind"],
            post=d["post"],
            start=d["start"],
            request=request,
        ),
        success="已安排结对。",
        then=("person_detail", record.person_id),
    )
    return done or render(request, "reserves/pairing_form.html", {"form": form, "record": record})


@login_required
def pairing_end(request, pk):
    editable = ReserveRecord.objects.for_user(request.user, roles.EDIT_PEOPLE)
    pairing = get_object_or_404(
        MentorPairing.objects.select_related("record__person", "record__village").filter(record__in=editable), pk=pk
    )
    form = PairingEndForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda d: services.pairing_end(actor=request.user, pairing=pairing, end=d["end"], request=request),
        success="结对已结束。",
        then=("person_detail", pairing.record.person_id),
    )
    return done or render(request, "reserves/pairing_end.html", {"form": form, "pairing": pairing})


@login_required
def id_lookup(request):
    _require_scope(request, roles.LOOKUP_ID)
    form = LookupForm(request.POST or None)
    person, searched = None, False
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_lookup_by_id(
                actor=request.user, raw_id=form.cleaned_data["id_number"], request=request
            )
            searched = True
        except ValidationError as exc:
            form.add_error("id_number", exc)
    return render(request, "reserves/id_lookup.html", {"form": form, "person": person, "searched": searched})


# --- county policy -----------------------------------------------------------------------------------------------


def _policy_counties(request):
    return OrgUnit.objects.filter(level=roles.COUNTY).filter(get_scope(request.user).q(roles.MANAGE_POLICY, "code"))


@login_required
def policy_list(request):
    _require_scope(request, roles.MANAGE_POLICY)
    counties = list(_policy_counties(request))
    policies = list(CountyPolicy.objects.filter(county__in=counties).select_related("county", "created_by"))
    today = timezone.localdate()
    in_force = {c.pk: CountyPolicy.objects.in_force(c, today) for c in counties}
    for p in policies:
        p.preset_label = preset_label(p.preset)
        p.differs = bool(differences_from_preset(p))
    return render(
        request,
        "reserves/policy_list.html",
        {"counties": counties, "policies": policies, "in_force_ids": {p.pk for p in in_force.values() if p}},
    )


@login_required
def policy_detail(request, pk):
    _require_scope(request, roles.MANAGE_POLICY)
    policy = get_object_or_404(
        CountyPolicy.objects.filter(county__in=_policy_counties(request)).select_related("county"), pk=pk
    )
    rules = rule_rows(policy)
    settings_rows = setting_rows(policy)
    return render(
        request,
        "reserves/policy_detail.html",
        {
            "policy": policy,
            "preset_label": preset_label(policy.preset),
            "rules": rules,
            "settings_rows": settings_rows,
            "n_differs": sum(r.differs for r in rules) + sum(d for *_, d in settings_rows),
            "in_force": CountyPolicy.objects.in_force(policy.county, timezone.localdate()) == policy,
            "today": timezone.localdate(),
        },
    )


@login_required
def policy_from_preset(request, pk):
    """One step: a new version of the county from the (corrected) preset of version `pk`, in force from a date."""
    _require_scope(request, roles.MANAGE_POLICY)
    policy = get_object_or_404(
        CountyPolicy.objects.filter(county__in=_policy_counties(request)).select_related("county"), pk=pk
    )
    if request.method != "POST":
        return redirect("policy_detail", policy.pk)
    if policy.preset not in PRESETS:
        messages.error(request, "该版本不是按预设设置的，无法按预设新建。")
        return redirect("policy_detail", policy.pk)
    form = PolicyFromPresetForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("policy_detail", policy.pk)
    try:
        created = policy_create(
            actor=request.user,
            county=policy.county,
            effective_from=form.cleaned_data["effective_from"],
            values=preset_values(policy.preset),
            preset=policy.preset,
            note=f"按预设《{preset_label(policy.preset)}》重新设置",
            request=request,
        )
    except ValidationError as exc:
        for e in exc.messages:
            messages.error(request, e)
        return redirect("policy_detail", policy.pk)
    messages.success(request, f"已按预设新建政策版本，自{created.effective_from:%Y年%m月%d日}起施行。")
    return redirect("policy_detail", created.pk)


@login_required
def policy_create_view(request, county_pk):
    _require_scope(request, roles.MANAGE_POLICY)
    county = get_object_or_404(_policy_counties(request), pk=county_pk)
    preset = request.GET.get("preset") if request.GET.get("preset") in PRESETS else None
    base = CountyPolicy.objects.in_force(county, timezone.localdate())
    if preset:
        initial = preset_values(preset) | {"preset": preset}
    elif base:
        initial = {name: getattr(base, name) for name in POLICY_FIELDS} | {"preset": base.preset}
    else:
        initial = preset_values("QS2017") | {"preset": "QS2017"}
    initial.setdefault("effective_from", timezone.localdate())
    form = PolicyForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda d: policy_create(
            actor=request.user,
            county=county,
            effective_from=d["effective_from"],
            values={name: d[name] for name in POLICY_FIELDS},
            preset=d.get("preset") or "",
            note=d.get("note") or "",
            request=request,
        ),
        success="已保存新的政策版本。",
        then="policy_list",
    )
    if done:
        return done
    chosen = (form.data.get("preset") if form.is_bound else initial.get("preset")) or ""
    return render(
        request,
        "reserves/policy_form.html",
        {
            "form": form,
            "county": county,
            "presets": PRESETS,
            "chosen_preset": chosen if chosen in PRESETS else "",
        },
    )


# --- org changes that move people (merge) -------------------------------------------------------------------------


@login_required
def village_merge(request, pk):
    _require_scope(request, roles.MANAGE_ORG)
    source = get_object_or_404(
        OrgUnit.objects.for_user(request.user, roles.MANAGE_ORG).filter(level=roles.VILLAGE, valid_to__isnull=True),
        pk=pk,
    )
    form = MergeForm(request.POST or None, source=source, user=request.user)
    done = submit(
        request,
        form,
        lambda d: services.village_merge(
            actor=request.user, source=source, target=d["target"], on=d["on"], note=d["note"], request=request
        ),
        success=lambda moved: f"{source.name} 已并入 {form.cleaned_data['target'].name}，{moved} 条在库记录随之调整。",
        then="org_units",
    )
    if done:
        return done
    open_count = ReserveRecord.objects.filter(village=source, ended_on__isnull=True).count()
    return render(request, "reserves/village_merge.html", {"form": form, "source": source, "open_count": open_count})


# --- county filing inbox (备案) ------------------------------------------------------------------------------------


@login_required
def filing_list(request):
    """Everything waiting for the county, oldest first, with its age in working days; townships see their own
    submissions. County users file or return each item, or several at once (a POST here with the ticked ids)."""
    scope = get_scope(request.user)
    counties = [g for g in scope.units(roles.EDIT_PEOPLE) if g.level == roles.COUNTY]
    if request.method == "POST":
        return _filing_decide_many(request, bool(counties))
    filings = Filing.objects.for_user(request.user).select_related("unit", "submitted_by", "decided_by")
    state = request.GET.get("state", Filing.SUBMITTED)
    if state in dict(Filing.STATE_CHOICES):
        filings = filings.filter(state=state)
    kind = request.GET.get("kind", "")
    if kind in dict(Filing.KIND_CHOICES):
        filings = filings.filter(kind=kind)
    page = Paginator(filings.order_by("submitted_at", "id"), 50).get_page(request.GET.get("page"))
    rows = list(page)
    filings_module.waiting_working_days([f for f in rows if f.state == Filing.SUBMITTED], datetime.date.today())
    for f in rows:
        f.link = filings_module.link_for(f)
    return render(
        request,
        "reserves/filing_list.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "states": Filing.STATE_CHOICES,
            "kind": kind,
            "kinds": Filing.KIND_CHOICES,
            "can_decide": bool(counties),
            "query": f"state={state}&kind={kind}",
        },
    )


def _filing_decide_many(request, can_decide: bool):
    back = f"{reverse('filing_list')}?{request.GET.urlencode()}" if request.GET else reverse("filing_list")
    if not can_decide:
        raise Http404("页面不存在")
    ids = parse_ids(request.POST.getlist("ids"))
    accept = request.POST.get("decision") == "file"
    chosen = list(
        Filing.objects.for_user(request.user)
        .filter(pk__in=ids, state=Filing.SUBMITTED)
        .select_related("county", "unit")
        .order_by("submitted_at", "id")
    )
    if not chosen:
        messages.error(request, "请勾选要办理的事项（可能已被他人办理，请刷新页面）。")
        return redirect(back)
    try:
        done, refused = filings_module.filing_decide_many(
            actor=request.user, filings=chosen, accept=accept, note=posted_text(request.POST, "note"), request=request
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(back)
    word = "备案" if accept else "退回"
    if done:
        messages.success(request, f"已{word} {len(done)} 项。")
    for filing, reason in refused:
        messages.error(request, f"{filing.title}：{reason}")
    if len(chosen) < len(set(ids)):
        messages.warning(request, f"另有 {len(set(ids)) - len(chosen)} 项已办理或不在您的范围内，未重复办理。")
    return redirect(back)


@login_required
@require_POST
def filing_decide(request, pk):
    filing = Filing.objects.for_user(request.user).select_related("county", "unit").filter(pk=pk).first()
    if filing is None:
        raise Http404("未找到该备案事项")
    accept = request.POST.get("decision") == "file"
    try:
        filings_module.filing_decide(
            actor=request.user, filing=filing, accept=accept, note=posted_text(request.POST, "note"), request=request
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已{'备案' if accept else '退回'}：{filing.title}")
    return redirect("filing_list")
