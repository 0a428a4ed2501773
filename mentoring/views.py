"""Thin views: scope through for_user / get_scope (out of scope is 404), write through mentoring.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from org import roles
from org.models import OrgUnit
from org.parsing import BIGINT_MAX, parse_int
from org.scope import get_scope
from org.viewutils import apply_errors, submit
from reserves.compliance import quarter_bounds, quarter_of
from reserves.models import MentorPairing, ReserveRecord
from reserves.policy import PRESET_CHOICES, policy_in_force
from reserves.views import get_record_for_user

from . import selectors, services
from .forms import ComplianceFilterForm, EntryForm, QuarterPickForm, QuarterRowForm, ReasonForm, TalkForm
from .models import KIND_CHOICES, KIND_FLAGS, KIND_LABELS, QUARTER_LABELS, VILLAGE_KINDS, MentoringEntry, Talk
from .rules import (
    RULE_LABELS,
    applicable_rules,
    mentoring_checks,
    off_text,
    pairing_missing_text,
    quarter_label,
    rule_applies,
    rules_off,
)


def _require(request, perm):
    if not get_scope(request.user).has(perm):
        raise Http404("页面不存在")


def get_pairing_for_user(request, pk, *, write=False) -> MentorPairing:
    """A pairing of a record the user sees; for writes, one the user may write entries for (else 404)."""
    pairing = (
        MentorPairing.objects.filter(record__in=ReserveRecord.objects.for_user(request.user))
        .select_related("record__person", "record__village__parent", "mentor_user")
        .filter(pk=pk)
        .first()
    )
    if pairing is None or (write and not services.can_write_pairing(request.user, pairing)):
        raise Http404("未找到该结对")
    return pairing


def get_entry_for_user(request, pk, *, write=False) -> MentoringEntry:
    entry = (
        MentoringEntry.objects.for_user(request.user)
        .select_related("pairing__record__person", "pairing__record__village__parent", "pairing__mentor_user")
        .filter(pk=pk)
        .first()
    )
    if entry is None or (write and not services.can_write_pairing(request.user, entry.pairing)):
        raise Http404("未找到该帮扶情况")
    return entry


def get_talk_for_user(request, pk) -> Talk:
    talk = Talk.objects.for_user(request.user).select_related("unit", "held_by_user").filter(pk=pk).first()
    if talk is None:
        raise Http404("未找到该谈话记录")
    return talk


def _query_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _int(value, default=None):
    # ASCII digits within the bigint range only: "²" or a 20-digit number must not reach a filter
    number = parse_int(value, lo=0, hi=BIGINT_MAX)
    return default if number is None else number


def _year(value, default=None):
    """A year from the query string, within reason (else the default): 2000 to next year."""
    year = _int(value)
    return year if year is not None and 2000 <= year <= timezone.localdate().year + 1 else default


# --- 我的帮带对象 --------------------------------------------------------------------------------------------------


@login_required
def mine(request):
    _require(request, roles.MENTOR)
    today = timezone.localdate()
    year, quarter = quarter_of(today)
    prev = selectors.previous_quarter(year, quarter)
    pairings = list(selectors.my_pairings(request.user, today))
    policies = {}  # county code -> version in force (a mentor's pairings are in one county, at most a few)
    for p in pairings:
        code = p.record.village.code[:6]
        if code not in policies:
            policies[code] = services.policy_of(p.record.village, today)
        p.entry_on = rule_applies(policies[code], "entry")
        p.prev_applicable = p.start <= quarter_bounds(*prev)[1]
    return render(
        request,
        "mentoring/mine.html",
        {
            "pairings": pairings,
            "any_entry": any(p.entry_on for p in pairings),
            "entry_off_text": off_text("entry"),
            "year": year,
            "quarter": quarter,
            "period": quarter_label(year, quarter),
            "prev": prev,
            "prev_period": quarter_label(*prev),
        },
    )


# --- a record's mentoring page --------------------------------------------------------------------------------------


@login_required
def record_mentoring(request, pk):
    record = get_record_for_user(request, pk)
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year)
    pairings = list(MentorPairing.objects.filter(record=record).select_related("mentor_user").order_by("start", "id"))
    for p in pairings:
        p.record = record  # already fetched with its village
        p.writable = services.can_write_pairing(request.user, p, today)
        p.is_current = p.start <= today and (p.end is None or p.end > today)
    rows = selectors.quarter_rows(record, year)
    scope = get_scope(request.user)
    policy = services.policy_of(record.village, today)
    entry_on = rule_applies(policy, "entry")
    for p in pairings:
        p.entry_writable = p.writable and entry_on
    return render(
        request,
        "mentoring/record.html",
        {
            "record": record,
            "year": year,
            "years": list(range(today.year, max(record.entered_on.year, 2017) - 1, -1)),
            "pairings": pairings,
            "writable_ids": {p.pk for p in pairings if p.writable},
            "rows": rows,
            "talks": selectors.talks_of(record, year),
            "checks": mentoring_checks(record, policy, on=today) if year == today.year else [],
            "rules_off": [label for _key, label in rules_off(policy)] if policy is not None else [],
            "no_policy": policy is None,
            "entry_on": entry_on,
            "entry_off_text": off_text("entry"),
            "has_entries": any(not r.is_empty for r in rows),
            "can_talk": scope.has(roles.EDIT_PEOPLE, record.village)
            or services.is_village_secretary(request.user, record.village)
            or any(p.writable and p.mentor_user_id == request.user.pk for p in pairings),
            "talk_kind": "" if scope.has(roles.EDIT_PEOPLE, record.village) else _own_talk_kind(request, record),
        },
    )


def _own_talk_kind(request, record):
    """The talk kind offered from a record page to someone who records their own talks."""
    return VILLAGE_KINDS[0] if services.is_village_secretary(request.user, record.village) else "mentor"


# --- entries -------------------------------------------------------------------------------------------------------


def _after_entry(request, pairing):
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt in {"mine", "quarter"}:
        return "mentoring_mine" if nxt == "mine" else "mentoring_quarter"
    return ("mentoring_record", pairing.record_id)


@login_required
def entry_add(request, pk):
    pairing = get_pairing_for_user(request, pk, write=True)
    today = timezone.localdate()
    year, quarter = quarter_of(today)
    year = _year(request.GET.get("year"), year)
    quarter = _int(request.GET.get("quarter"), quarter)
    quarter = quarter if quarter in QUARTER_LABELS else 1
    if request.method == "GET":
        existing = MentoringEntry.objects.filter(pairing=pairing, year=year, quarter=quarter).first()
        if existing is not None:
            messages.info(request, f"{quarter_label(year, quarter)}已填写，可在此修改。")
            return redirect("mentoring_entry_edit", existing.pk)
    form = EntryForm(request.POST or None, initial={"year": year, "quarter": quarter})
    done = submit(
        request,
        form,
        lambda d: services.entry_create(
            actor=request.user,
            pairing=pairing,
            year=d["year"],
            quarter=d["quarter"],
            date=d["date"],
            content=d["content"],
            assessment=d["assessment"],
            request=request,
        ),
        success=lambda e: f"已填写{pairing.record.person.name}{quarter_label(e.year, e.quarter)}的结对帮扶情况。",
        then=_after_entry(request, pairing),
    )
    return done or render(
        request,
        "mentoring/entry_form.html",
        {"form": form, "pairing": pairing, "heading": f"填写结对帮扶情况：{pairing.record.person.name}"},
    )


@login_required
def entry_edit(request, pk):
    entry = get_entry_for_user(request, pk, write=True)
    pairing = entry.pairing
    form = EntryForm(
        request.POST or None,
        editing=True,
        initial={
            "year": entry.year,
            "quarter": entry.quarter,
            "date": entry.date,
            "content": entry.content,
            "assessment": entry.assessment,
        },
    )
    done = submit(
        request,
        form,
        lambda d: services.entry_update(
            actor=request.user,
            entry=entry,
            date=d["date"],
            content=d["content"],
            assessment=d["assessment"],
            request=request,
        ),
        success="已保存。",
        then=_after_entry(request, pairing),
    )
    return done or render(
        request,
        "mentoring/entry_form.html",
        {
            "form": form,
            "pairing": pairing,
            "entry": entry,
            "heading": f"修改结对帮扶情况：{pairing.record.person.name} {entry.year}年{entry.quarter_label}",
        },
    )


# --- township quarterly bulk entry ---------------------------------------------------------------------------------


def _editable_township(request, form):
    """The township (or village) a bulk page works on: the one chosen, or the user's only township."""
    data = form.cleaned_data if form.is_valid() else {}
    unit = data.get("village") or data.get("township")
    if unit is None:
        townships = list(form.fields["township"].queryset[:2])
        unit = townships[0] if len(townships) == 1 else None
    if unit is not None and not get_scope(request.user).has(roles.EDIT_PEOPLE, unit):
        raise Http404("页面不存在")
    return unit


@login_required
def quarter_sheet(request):
    """Every pairing of a township for one quarter, with the missing entries entered at once."""
    _require(request, roles.EDIT_PEOPLE)
    today = timezone.localdate()
    pick = QuarterPickForm(request.GET or None, user=request.user, perm=roles.EDIT_PEOPLE)
    unit = _editable_township(request, pick)
    data = pick.cleaned_data if pick.is_valid() else {}
    year, quarter = quarter_of(today)
    year, quarter = data.get("year") or year, data.get("quarter") or quarter
    context = {"pick": pick, "unit": unit, "year": year, "quarter": quarter, "period": quarter_label(year, quarter)}
    if unit is None:
        return render(request, "mentoring/quarter.html", context | {"rows": []})
    if not services.entries_asked(unit, year, quarter, today):
        # A county without QS's 附件2 结对帮扶情况: no sheet to fill, and the page says so.
        return render(request, "mentoring/quarter.html", context | {"rows": [], "rule_off": off_text("entry")})
    start, end = quarter_bounds(year, quarter)
    pairings = list(selectors.quarter_pairings(unit, year, quarter)) if start <= today else []
    rows = []
    for p in pairings:
        entry = p.quarter_entry[0] if p.quarter_entry else None
        row_form = None if entry else QuarterRowForm(request.POST or None, prefix=f"p{p.pk}")
        rows.append({"pairing": p, "entry": entry, "form": row_form})
    if request.method == "POST":
        if start > today:
            messages.error(request, f"{quarter_label(year, quarter)}尚未开始，不能提前填写。")
        else:
            todo = [r for r in rows if r["form"] is not None]
            valid = all(r["form"].is_valid() for r in todo)
            filled = [r for r in todo if valid and r["form"].filled]
            if valid and not filled:
                messages.error(request, "没有填写任何一行。")
            elif valid:
                try:
                    created = services.entries_bulk_create(
                        actor=request.user,
                        year=year,
                        quarter=quarter,
                        rows=[{"pairing": r["pairing"], **r["form"].cleaned_data} for r in filled],
                        request=request,
                    )
                except services.BulkEntryError as exc:
                    for r in filled:
                        if r["pairing"].pk in exc.errors:
                            apply_errors(r["form"], exc.errors[r["pairing"].pk])
                    messages.error(request, f"有 {len(exc.errors)} 行未通过检查，全部未保存，请修改后重新提交。")
                else:
                    messages.success(request, f"已填写 {len(created)} 条结对帮扶情况。")
                    return redirect(f"{reverse('mentoring_quarter')}?{request.GET.urlencode()}")
    context["rows"] = rows
    context["missing"] = sum(1 for r in rows if r["entry"] is None)
    context["future"] = start > today
    return render(request, "mentoring/quarter.html", context)


# --- talks ---------------------------------------------------------------------------------------------------------


@login_required
def talk_list(request):
    scope = get_scope(request.user)
    kind = request.GET.get("kind", "")
    kind = kind if kind in KIND_LABELS else ""
    year = _year(request.GET.get("year"))
    township = None
    township_id = _int(request.GET.get("township"))
    townships = OrgUnit.objects.filter(level=roles.TOWNSHIP, valid_to__isnull=True).filter(scope.q(roles.VIEW, "code"))
    if township_id:
        township = townships.filter(pk=township_id).first()
    page = Paginator(selectors.talk_list(request.user, kind=kind, year=year, township=township), 50).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    return render(
        request,
        "mentoring/talk_list.html",
        {
            "page": page,
            "kinds": KIND_CHOICES,
            "kind": kind,
            "year": year,
            "years": list(range(today.year, 2016, -1)),
            "townships": townships.order_by("code"),
            "township": township,
            "query": _query_without_page(request),
            "can_record": scope.has(roles.EDIT_PEOPLE)
            or scope.has(roles.MENTOR)
            or bool(services.secretary_villages(request.user)),
        },
    )


def _talk_township(request, scope):
    """For an editor: the township chosen (?township=) or their only one; None means: ask."""
    townships = OrgUnit.objects.filter(level=roles.TOWNSHIP, valid_to__isnull=True).filter(
        scope.q(roles.EDIT_PEOPLE, "code")
    )
    chosen = _int(request.GET.get("township"))
    if chosen:
        township = townships.filter(pk=chosen).first()
        if township is None:
            raise Http404("页面不存在")
        return township, townships
    only = list(townships[:2])
    return (only[0] if len(only) == 1 else None), townships


def _kinds_for(policy):
    """Talk kinds a township offers: those its county's policy makes a duty, and the ones any county may record."""
    return [k for k, _label in KIND_CHOICES if KIND_FLAGS[k] is None or (policy and getattr(policy, KIND_FLAGS[k]))]


@login_required
def talk_create(request):
    scope = get_scope(request.user)
    today = timezone.localdate()
    editor = scope.has(roles.EDIT_PEOPLE)
    villages = [] if editor else services.secretary_villages(request.user)
    if not editor and not villages and not scope.has(roles.MENTOR):
        raise Http404("页面不存在")
    kinds = None
    if editor:
        township, townships = _talk_township(request, scope)
        if township is None:
            params = request.GET.copy()
            params.pop("township", None)
            return render(
                request,
                "mentoring/talk_pick_township.html",
                {"townships": townships.order_by("code"), "query": params.urlencode()},
            )
        choices = list(
            ReserveRecord.objects.for_user(request.user, roles.EDIT_PEOPLE)
            .filter(pk__in=ReserveRecord.objects.in_pool(township, today).values("pk"))
            .select_related("person", "village")
            .order_by("village__code", "person__name", "id")
        )
        holders = services.users_who_may_hold(township)
        kinds = _kinds_for(services.policy_of(township, today))
    elif villages:
        # A village party secretary: their own village's reserves in the pool today (QL §15 经常性谈心谈话).
        township, holders, kinds = None, None, list(VILLAGE_KINDS)
        choices = list(
            ReserveRecord.objects.filter(pk__in=ReserveRecord.objects.in_pool(None, today).values("pk"))
            .filter(village__in=villages)
            .select_related("person", "village")
            .order_by("village__code", "person__name", "id")
        )
        asked = {_int(v) for v in request.GET.getlist("record")} - {None}
        if asked - {r.pk for r in choices}:
            raise Http404("未找到该后备干部")  # another village's reserve
    else:
        township, holders = None, None
        choices = list(
            ReserveRecord.objects.filter(
                pk__in=MentorPairing.objects.current(today).filter(mentor_user_id=request.user.pk).values("record_id")
            )
            .select_related("person", "village")
            .order_by("village__code", "person__name", "id")
        )
    kind = request.GET.get("kind", "")
    initial = {"kind": kind if kind in KIND_LABELS else None, "date": today}
    if villages:
        initial["held_by_post"] = "村（社区）党组织书记"
    elif not editor:
        initial["held_by_post"] = (
            MentorPairing.objects.current(today)
            .filter(mentor_user_id=request.user.pk)
            .values_list("post", flat=True)
            .first()
        )
    form = TalkForm(
        request.POST or None,
        initial=initial,
        record_choices=choices,
        holders=holders,
        mentor_only=not editor,
        kinds=kinds,
    )
    done = submit(
        request,
        form,
        lambda d: services.talk_create(
            actor=request.user,
            kind=d["kind"],
            date=d["date"],
            records=d["records"],
            notes=d["notes"],
            held_by_user=d.get("held_by_user"),
            held_by_name=d.get("held_by_name", ""),
            held_by_post=d.get("held_by_post", ""),
            request=request,
        ),
        success=lambda t: f"已登记{t.get_kind_display()}（{len(form.cleaned_data['records'])}人）。",
        then=lambda t: ("talk_detail", t.pk),
    )
    if done:
        return done
    selected = form.selected_ids() if form.is_bound else {_int(v) for v in request.GET.getlist("record")}
    groups = [
        (village, [(r, r.pk in selected) for r in records]) for village, records in selectors.group_by_village(choices)
    ]
    return render(
        request,
        "mentoring/talk_form.html",
        {
            "form": form,
            "township": township,
            "groups": groups,
            "editor": editor,
            "secretary": bool(villages),
            "n_choices": len(choices),
        },
    )


@login_required
def talk_detail(request, pk):
    talk = get_talk_for_user(request, pk)
    visible, hidden = selectors.talk_participants(request.user, talk)
    return render(
        request,
        "mentoring/talk_detail.html",
        {
            "talk": talk,
            "participants": visible,
            "hidden": hidden,
            "can_delete": services.can_delete_talk(request.user, talk),
        },
    )


@login_required
def talk_delete(request, pk):
    talk = get_talk_for_user(request, pk)
    if not services.can_delete_talk(request.user, talk):
        raise Http404("未找到该谈话记录")
    form = ReasonForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda d: services.talk_delete(actor=request.user, talk=talk, reason=d["reason"], request=request),
        success="已删除该谈话记录。",
        then="talk_list",
    )
    return done or render(request, "mentoring/talk_delete.html", {"form": form, "talk": talk})


# --- compliance ----------------------------------------------------------------------------------------------------


@login_required
def compliance(request):
    """Who lacks the pairing the policy asks for, this year's talks, this quarter's entries: one row per reserve."""
    _require(request, roles.VIEW)
    today = timezone.localdate()
    counties = list(selectors.counties_in_scope(request.user))
    form = ComplianceFilterForm(request.GET or None, user=request.user, counties=counties)
    data = form.cleaned_data if form.is_valid() else {}
    county = data.get("county") or (counties[0] if counties else None)
    unit = data.get("village") or data.get("township")
    if unit is not None:  # the county of the chosen township wins over the county selector
        county = next((c for c in counties if unit.code.startswith(c.code)), county)
    unit = unit or county
    policy = policy_in_force(county, today) if county else None
    rules = applicable_rules(policy)
    keys = [k for k, _ in rules]
    talk_keys = [k for k in keys if k in KIND_FOR_RULE]
    rule = data.get("rule") or ""
    shown = [rule] if rule in keys else keys
    summary = selectors.compliance_summary(
        request.user, policy=policy, on=today, unit=unit, rule_keys=keys, shown_keys=shown
    )
    rows = selectors.compliance_rows(request.user, policy=policy, on=today, unit=unit, rule_keys=shown)
    paginator = Paginator(rows, 50)
    paginator.count = summary["shown"]  # counted in the summary query already
    page = paginator.get_page(request.GET.get("page"))
    year, quarter = quarter_of(today)
    missing_talk = {}
    for r in page:
        r.pairing_text = (
            pairing_missing_text(policy, r.mc_has_leader, r.mc_has_cadre) if r.mc_pairing in ("due", "overdue") else ""
        )
        r.statuses = [(key, getattr(r, f"mc_{key}")) for key in keys]
        for key in talk_keys:
            if getattr(r, f"mc_{key}") in ("due", "overdue"):
                missing_talk.setdefault(key, []).append(r.pk)
    talk_links = [
        (RULE_LABELS[key], KIND_FOR_RULE[key], ids) for key, ids in missing_talk.items() if KIND_FOR_RULE.get(key)
    ]
    return render(
        request,
        "mentoring/compliance.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "policy": policy,
            "county": county,
            "unit": unit,
            "rules": rules,
            "summary": [(key, label, summary[key]) for key, label in rules],
            "total": summary["total"],
            "period": quarter_label(year, quarter),
            "year": year,
            "today": today,
            "can_edit": get_scope(request.user).has(roles.EDIT_PEOPLE),
            "talk_links": talk_links,
            "rules_off": [label for _key, label in rules_off(policy)] if policy is not None else [],
            "preset_label": PRESET_LABELS.get(policy.preset, "") if policy is not None else "",
            "mentor_on": rule_applies(policy, "pairing"),
            "entry_on": rule_applies(policy, "entry"),
            "township_link_id": _township_id_of(unit, get_scope(request.user)),
            "query_without_rule": _query_without(request, "page", "rule"),
        },
    )


def _township_id_of(unit, scope):
    """The township a compliance page is about (for the "登记谈话" shortcut): the one filtered on, or the user's
    only township; else None."""
    if unit is not None and unit.level == roles.TOWNSHIP:
        return unit.pk
    if unit is not None and unit.level == roles.VILLAGE:
        return unit.parent_id
    townships = [g.unit_id for g in scope.units(roles.EDIT_PEOPLE) if g.level == roles.TOWNSHIP]
    return townships[0] if len(townships) == 1 else None


def _query_without(request, *names):
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


PRESET_LABELS = dict(PRESET_CHOICES)

KIND_FOR_RULE = {
    "full_coverage": "full_coverage",
    "half_yearly": "half_yearly",
    "collective": "collective",
    "monthly": "monthly",
}
