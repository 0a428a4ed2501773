from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from lifecycle import exports, rules, selectors, services
from lifecycle.forms import (
    NoticeForm,
    OpinionFormSet,
    OutcomeForm,
    RemovalForm,
    StipendForm,
    TransferForm,
    TransferResubmitForm,
    UseForm,
    opinion_initial,
)
from lifecycle.models import Removal, Transfer, Use
from org import roles
from org.audit import audit
from org.fields import posted_text
from org.models import OrgUnit
from org.parsing import parse_id
from org.scope import get_scope
from org.viewutils import submit
from reserves.compliance import OK
from reserves.models import ReserveRecord
from reserves.policy import rule_on


def _params(request, drop=("page",)) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


def get_record_for_user(request, pk) -> ReserveRecord:
    """A record the user may see by their unit (mentors see records through pairings elsewhere, not here)."""
    record = (
        ReserveRecord.objects.filter(get_scope(request.user).q(roles.VIEW, "village__code"))
        .select_related("person", "village__parent")
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404("未找到该后备干部")
    return record


def _get(model, request, pk, *related):
    chain = (
        model.objects.for_user(request.user)
        .select_related("record__person", "record__village", "village__parent", "proposed_by", "filing", *related)
        .filter(pk=pk)
        .first()
    )
    if chain is None:
        raise Http404("未找到该事项")
    return chain


def _act(request, chain, actions: dict, detail: str):
    """One POST that takes a step (approve / return / withdraw); the service's refusal comes back as a message."""
    action = request.POST.get("action", "")
    note = posted_text(request.POST, "note")
    run = actions.get(action)
    if run is None:
        messages.error(request, "请选择要办理的操作。")
    else:
        try:
            run(note)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            chain.refresh_from_db()
            messages.success(request, f"已办理，当前状态：{chain.state_label}。")
    return redirect(detail, chain.pk)


# --- hub and one record -----------------------------------------------------------------------------------------


@login_required
def lifecycle_home(request):
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "lifecycle/home.html",
        {
            "q": q,
            "found": selectors.find_records(request.user, q),
            "waiting": selectors.waiting_counts(request.user),
            "flags": selectors.open_flags(request.user),
            "can_view": get_scope(request.user).has(roles.VIEW),
        },
    )


@login_required
def record_lifecycle(request, pk):
    record = get_record_for_user(request, pk)
    overview = selectors.record_overview(request.user, record)
    user = request.user
    in_pool = record.ended_on is None and overview.open_chain is None
    return render(
        request,
        "lifecycle/record.html",
        {
            "record": record,
            "o": overview,
            "can_propose": in_pool and services.can_propose(user, record.village),
            "can_transfer": in_pool and services.acts_for_township(user, record.village.parent),
            "shortfall": rules.village_shortfall(record.village),
        },
    )


# --- removal ----------------------------------------------------------------------------------------------------


@login_required
def removal_list(request):
    state = request.GET.get("state", "open")
    page = Paginator(selectors.removal_list(request.user, state), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "lifecycle/removal_list.html",
        {"page": page, "state": state, "states": Removal.STATE_CHOICES, "query": _params(request)},
    )


def _removal_form_page(request, record, form, heading, back, policy):
    return render(
        request,
        "lifecycle/removal_form.html",
        {
            "form": form,
            "record": record,
            "heading": heading,
            "back": back,
            "stipend_on": rule_on(policy, "stipend"),
            "ban_years": policy.reselection_ban_years if rule_on(policy, "reselection_ban") else 0,
        },
    )


@login_required
def removal_create(request, pk):
    record = get_record_for_user(request, pk)
    if not services.can_propose(request.user, record.village):
        raise Http404("页面不存在")
    township_user = not services.acts_for_village(request.user, record.village)
    prefill = services.removal_prefill(record)
    policy = rules.county_policy(record.village)
    form = RemovalForm(
        request.POST or None,
        request.FILES or None,
        record=record,
        preset=policy.preset if policy else "",
        with_initiator_note=township_user,
        initial=prefill,
    )
    done = submit(
        request,
        form,
        lambda d: services.removal_propose(
            actor=request.user,
            record=record,
            grounds=d["grounds"],
            account=d["account"],
            flags=d["flags"],
            initiator_note=d.get("initiator_note", ""),
            upload=d.get("upload"),
            request=request,
        ),
        success="已提出取消资格建议，等待乡镇党委审批。",
        then=lambda r: ("removal_detail", r.pk),
    )
    heading = f"提出取消资格建议：{record.person.name}（{record.village.name}）"
    return done or _removal_form_page(request, record, form, heading, ("record_lifecycle", record.pk), policy)


@login_required
def removal_detail(request, pk):
    removal = _get(Removal, request, pk)
    user = request.user
    record = removal.record
    return render(
        request,
        "lifecycle/removal_detail.html",
        {
            "c": removal,
            "record": record,
            "steps": selectors.steps_of(removal),
            "attachments": selectors.attachments_of(removal),
            "flags": list(removal.flags.all()),
            "can_decide": removal.state == Removal.PROPOSED
            and services.acts_for_township(user, removal.village.parent),
            "can_withdraw": removal.state in (Removal.PROPOSED, Removal.RETURNED)
            and services.can_propose(user, removal.village),
            "can_resubmit": removal.state == Removal.RETURNED and services.can_propose(user, removal.village),
            "ban_until": rules.ban_until(record) if removal.state == Removal.FILED else None,
            # The stipend stops only where the county pays one (QL §13–14), by the policy of the day it ended.
            "stipend_on": removal.state == Removal.FILED
            and rule_on(rules.county_policy(removal.village, removal.ended_on), "stipend"),
            "shortfall": [c for c in rules.village_shortfall(removal.village) if c.status != OK]
            if removal.state == Removal.FILED
            else [],
        },
    )


@login_required
@require_POST
def removal_act(request, pk):
    removal = _get(Removal, request, pk)
    u = request.user
    return _act(
        request,
        removal,
        {
            "approve": lambda n: services.removal_approve(actor=u, removal=removal, note=n, request=request),
            "return": lambda n: services.removal_return(actor=u, removal=removal, reason=n, request=request),
            "withdraw": lambda n: services.removal_withdraw(actor=u, removal=removal, reason=n, request=request),
        },
        "removal_detail",
    )


@login_required
def removal_resubmit(request, pk):
    removal = _get(Removal, request, pk)
    if removal.state != Removal.RETURNED or not services.can_propose(request.user, removal.village):
        raise Http404("页面不存在")
    record = removal.record
    policy = rules.county_policy(record.village)
    form = RemovalForm(
        request.POST or None,
        request.FILES or None,
        record=record,
        preset=policy.preset if policy else "",
        initial={"grounds": removal.grounds, "account": removal.account, "flags": list(removal.flags.all())},
    )
    done = submit(
        request,
        form,
        lambda d: services.removal_resubmit(
            actor=request.user,
            removal=removal,
            grounds=d["grounds"],
            account=d["account"],
            flags=d["flags"],
            upload=d.get("upload"),
            request=request,
        ),
        success="已重新提交，等待乡镇党委审批。",
        then=("removal_detail", removal.pk),
    )
    heading = f"修改后重新提交：{record.person.name} 取消资格"
    return done or _removal_form_page(request, record, form, heading, ("removal_detail", removal.pk), policy)


# --- priority use -----------------------------------------------------------------------------------------------


@login_required
def use_list(request):
    state = request.GET.get("state", "open")
    page = Paginator(selectors.use_list(request.user, state), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "lifecycle/use_list.html",
        {"page": page, "state": state, "states": Use.STATE_CHOICES, "query": _params(request)},
    )


@login_required
def use_create(request, pk):
    record = get_record_for_user(request, pk)
    if not services.can_propose(request.user, record.village):
        raise Http404("页面不存在")
    township_user = not services.acts_for_village(request.user, record.village)
    form = UseForm(
        request.POST or None,
        request.FILES or None,
        record=record,
        with_initiator_note=township_user,
        initial={"target_village": record.village, "occasion": "vacancy"},
    )
    done = submit(
        request,
        form,
        lambda d: services.use_propose(
            actor=request.user,
            record=record,
            target_village=d["target_village"],
            position=d["position"],
            occasion=d["occasion"],
            recommendation=d["recommendation"],
            cross_reason=d["cross_reason"],
            initiator_note=d.get("initiator_note", ""),
            upload=d.get("upload"),
            request=request,
        ),
        success="已提出推荐，请乡镇党委录入有关方面意见后审批。",
        then=lambda u: ("use_detail", u.pk),
    )
    return done or render(
        request,
        "lifecycle/chain_form.html",
        {
            "form": form,
            "heading": f"推荐使用：{record.person.name}（{record.village.name}）",
            "back": ("record_lifecycle", record.pk),
        },
    )


@login_required
def use_detail(request, pk):
    use = _get(Use, request, pk, "target_village__parent", "notice")
    user = request.user
    at_township = services.acts_for_township(user, use.village.parent)
    verdict = None
    if use.notice_id:
        policy = services.use_policy(use, timezone.localdate())
        verdict = services.notice_verdict(
            use.notice, on=timezone.localdate(), objection_blocks=policy.objection_blocks if policy else True
        )
    opinions = list(use.opinions.select_related("recorded_by"))
    return render(
        request,
        "lifecycle/use_detail.html",
        {
            "c": use,
            "record": use.record,
            "steps": selectors.steps_of(use),
            "attachments": selectors.attachments_of(use),
            "opinions": opinions,
            "not_heard": services.opinions_not_heard(opinions),
            "can_decide": use.state == Use.PROPOSED and at_township,
            "can_withdraw": use.state in (Use.PROPOSED, Use.RETURNED) and services.can_propose(user, use.village),
            "can_resubmit": use.state == Use.RETURNED and services.can_propose(user, use.village),
            "can_opinions": use.state in services.OPINION_OPEN and get_scope(user).has(roles.EDIT_PEOPLE, use.village),
            "can_notice": use.state == Use.FILED and at_township,
            "can_outcome": use.state == Use.NOTICE and at_township,
            "verdict": verdict,
        },
    )


@login_required
@require_POST
def use_act(request, pk):
    use = _get(Use, request, pk, "target_village__parent")
    u = request.user
    return _act(
        request,
        use,
        {
            "approve": lambda n: services.use_approve(actor=u, use=use, note=n, request=request),
            "return": lambda n: services.use_return(actor=u, use=use, reason=n, request=request),
            "withdraw": lambda n: services.use_withdraw(actor=u, use=use, reason=n, request=request),
        },
        "use_detail",
    )


@login_required
def use_resubmit(request, pk):
    use = _get(Use, request, pk, "target_village__parent")
    if use.state != Use.RETURNED or not services.can_propose(request.user, use.village):
        raise Http404("页面不存在")
    form = UseForm(
        request.POST or None,
        request.FILES or None,
        record=use.record,
        initial={
            "target_village": use.target_village,
            "position": use.position,
            "occasion": use.occasion,
            "recommendation": use.recommendation,
            "cross_reason": use.cross_reason,
        },
    )
    done = submit(
        request,
        form,
        lambda d: services.use_resubmit(
            actor=request.user,
            use=use,
            target_village=d["target_village"],
            position=d["position"],
            occasion=d["occasion"],
            recommendation=d["recommendation"],
            cross_reason=d["cross_reason"],
            upload=d.get("upload"),
            request=request,
        ),
        success="已重新提交，等待乡镇党委审批。",
        then=("use_detail", use.pk),
    )
    return done or render(
        request,
        "lifecycle/chain_form.html",
        {"form": form, "heading": f"修改后重新提交：{use}", "back": ("use_detail", use.pk)},
    )


@login_required
def use_opinions(request, pk):
    """Bulk entry: one row per department, blank rows ignored."""
    use = _get(Use, request, pk, "target_village__parent")
    if use.state not in services.OPINION_OPEN or not get_scope(request.user).has(roles.EDIT_PEOPLE, use.village):
        raise Http404("页面不存在")
    formset = OpinionFormSet(request.POST or None, initial=None if request.method == "POST" else opinion_initial())
    if request.method == "POST" and formset.is_valid():
        rows = [f.cleaned_data for f in formset if f.cleaned_data and not f.is_blank()]
        try:
            services.use_opinions_record(actor=request.user, use=use, rows=rows, request=request)
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(exc.messages)
        else:
            messages.success(request, f"已录入{len(rows)}条意见。")
            return redirect("use_detail", use.pk)
    return render(
        request,
        "lifecycle/use_opinions.html",
        {"use": use, "formset": formset, "existing": list(use.opinions.all())},
    )


@login_required
def use_notice(request, pk):
    use = _get(Use, request, pk, "target_village__parent")
    if use.state != Use.FILED or not services.acts_for_township(request.user, use.village.parent):
        raise Http404("页面不存在")
    form = NoticeForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda d: services.use_post_notice(
            actor=request.user, use=use, start=d["start"], place=d["place"], contact=d["contact"], request=request
        ),
        success=lambda n: f"已在两村（社区）发布公示，{n.end:%Y年%m月%d日}期满。",
        then=("use_detail", use.pk),
    )
    return done or render(
        request,
        "lifecycle/chain_form.html",
        {"form": form, "heading": f"发布择优使用公示：{use}", "back": ("use_detail", use.pk), "submit": "发布公示"},
    )


@login_required
def use_outcome(request, pk):
    use = _get(Use, request, pk, "target_village__parent", "notice")
    if use.state != Use.NOTICE or not services.acts_for_township(request.user, use.village.parent):
        raise Http404("页面不存在")
    form = OutcomeForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda d: services.use_record_outcome(
            actor=request.user, use=use, outcome=d["outcome"], on=d["on"], note=d["note"], request=request
        ),
        success=lambda u: f"已登记结果：{u.get_outcome_display()}。",
        then=("use_detail", use.pk),
    )
    return done or render(
        request,
        "lifecycle/chain_form.html",
        {"form": form, "heading": f"登记结果：{use}", "back": ("use_detail", use.pk)},
    )


# --- transfer ---------------------------------------------------------------------------------------------------


@login_required
def transfer_list(request):
    state = request.GET.get("state", "open")
    page = Paginator(selectors.transfer_list(request.user, state), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "lifecycle/transfer_list.html",
        {"page": page, "state": state, "states": Transfer.STATE_CHOICES, "query": _params(request)},
    )


@login_required
def transfer_create(request, pk):
    record = get_record_for_user(request, pk)
    if not services.acts_for_township(request.user, record.village.parent):
        raise Http404("页面不存在")
    initial = {"on": timezone.localdate()}
    to = parse_id(request.GET.get("to"))
    if to is not None:
        initial["target_village"] = to
    form = TransferForm(request.POST or None, record=record, initial=initial)
    done = submit(
        request,
        form,
        lambda d: services.transfer_propose(
            actor=request.user,
            record=record,
            target_village=d["target_village"],
            reason=d["reason"],
            on=d["on"],
            request=request,
        ),
        success=lambda t: "已调动。" if t.state == Transfer.DONE else "已提出调动，等待调入乡镇同意。",
        then=lambda t: ("transfer_detail", t.pk),
    )
    return done or render(
        request,
        "lifecycle/chain_form.html",
        {
            "form": form,
            "heading": f"调动：{record.person.name}（{record.village.parent.name} · {record.village.name}）",
            "back": ("record_lifecycle", record.pk),
        },
    )


@login_required
def transfer_detail(request, pk):
    transfer = _get(Transfer, request, pk, "target_village__parent")
    user = request.user
    source = services.acts_for_township(user, transfer.village.parent)
    return render(
        request,
        "lifecycle/transfer_detail.html",
        {
            "c": transfer,
            "record": transfer.record,
            "steps": selectors.steps_of(transfer),
            "can_decide": transfer.state == Transfer.PROPOSED
            and services.acts_for_township(user, transfer.target_village.parent),
            "can_withdraw": transfer.state in (Transfer.PROPOSED, Transfer.RETURNED) and source,
            "can_resubmit": transfer.state == Transfer.RETURNED and source,
        },
    )


@login_required
@require_POST
def transfer_act(request, pk):
    transfer = _get(Transfer, request, pk, "target_village__parent")
    u = request.user
    return _act(
        request,
        transfer,
        {
            "approve": lambda n: services.transfer_target_approve(actor=u, transfer=transfer, note=n, request=request),
            "return": lambda n: services.transfer_return(actor=u, transfer=transfer, reason=n, request=request),
            "withdraw": lambda n: services.transfer_withdraw(actor=u, transfer=transfer, reason=n, request=request),
        },
        "transfer_detail",
    )


@login_required
def transfer_resubmit(request, pk):
    transfer = _get(Transfer, request, pk, "target_village__parent")
    if transfer.state != Transfer.RETURNED or not services.acts_for_township(request.user, transfer.village.parent):
        raise Http404("页面不存在")
    form = TransferResubmitForm(request.POST or None, initial={"reason": transfer.reason})
    done = submit(
        request,
        form,
        lambda d: services.transfer_resubmit(
            actor=request.user, transfer=transfer, reason=d["reason"], request=request
        ),
        success="已重新提交，等待调入乡镇同意。",
        then=("transfer_detail", transfer.pk),
    )
    return done or render(
        request,
        "lifecycle/chain_form.html",
        {"form": form, "heading": f"修改后重新提交：{transfer}", "back": ("transfer_detail", transfer.pk)},
    )


# --- replenishment ------------------------------------------------------------------------------------------------


@login_required
def replenish_list(request):
    """Villages below the county's target (缺额), with a link to start a selection round and the township's
    reserves in villages above their target (who could be transferred)."""
    scope = get_scope(request.user)
    if not scope.has(roles.VIEW):
        raise Http404("页面不存在")
    today = timezone.localdate()
    township = None
    township_id = request.GET.get("township", "")
    townships = OrgUnit.objects.filter(level=roles.TOWNSHIP, valid_to__isnull=True).filter(scope.q(roles.VIEW, "code"))
    if parse_id(township_id) is not None:
        township = townships.filter(pk=parse_id(township_id)).first()
    policies = rules.scope_policies(scope, today)
    # One query: the villages short of target are few even at city size; paginate the list, not the query (which
    # would run the aggregate twice, for the count and for the page).
    villages = list(rules.shortfall_villages(scope, today, township, policies=policies))
    page = Paginator(villages, 100).get_page(request.GET.get("page"))
    rows = []
    for v in page:
        v.shortfalls = rules.shortfall_gaps(v)
        # A young secretary reserve is found by a round for secretary reserves: one button per type to select.
        v.select_types = [(t, rules.TYPE_LABELS[t]) for t in dict.fromkeys(g.reserve_type for g in v.shortfalls)]
        v.can_select = scope.has(roles.EDIT_PEOPLE, v) and scope.top_level == roles.TOWNSHIP
        v.can_transfer = services.acts_for_township(request.user, v.parent)
        rows.append(v)
    surplus = selectors.surplus_reserves({v.parent_id for v in rows}, policies, today)
    for v in rows:
        v.candidates = [r for r in surplus.get(v.parent_id, []) if r.village_id != v.pk]
    return render(
        request,
        "lifecycle/replenish_list.html",
        {
            "page": page,
            "rows": rows,
            "townships": townships.order_by("code") if scope.top_level != roles.TOWNSHIP else [],
            "township": township,
            "query": _params(request),
        },
    )


# --- stipends ---------------------------------------------------------------------------------------------------


def _stipend_request(request):
    """The form of the sheet and its export, defaulting to the user's first township and this month; the list of
    townships is read once and reused for the select."""
    scope = get_scope(request.user)
    if not scope.has(roles.EDIT_PEOPLE):
        raise Http404("页面不存在")
    today = timezone.localdate()
    data = request.GET.copy()
    # Only townships of counties whose policy pays a stipend (QL §13): elsewhere there is no sheet to make.
    counties = rules.stipend_counties(scope, today)
    request._stipend_tab = bool(counties)  # the tabs' question, answered (lifecycle_tags.stipend_tab)
    form = StipendForm(data, user=request.user, counties=counties)
    townships = list(form.fields["township"].queryset)
    if not townships:
        raise Http404("页面不存在")
    data.setdefault("month", f"{today.year}-{today.month:02d}")
    data.setdefault("township", str(townships[0].pk))
    form = StipendForm(data, user=request.user, counties=counties)
    return form, townships


@login_required
def stipend_sheet(request):
    form, townships = _stipend_request(request)
    sheet = None
    if form.is_valid():
        year, month = form.cleaned_data["month"]
        sheet = rules.stipend_sheet(form.cleaned_data["township"], year, month)
    return render(request, "lifecycle/stipend_sheet.html", {"form": form, "townships": townships, "sheet": sheet})


@login_required
def stipend_export(request):
    form, _ = _stipend_request(request)
    if not form.is_valid():
        raise Http404("参数有误")
    township = form.cleaned_data["township"]
    year, month = form.cleaned_data["month"]
    sheet = rules.stipend_sheet(township, year, month)
    reveal = get_scope(request.user).has(roles.REVEAL, township)
    content = exports.stipend_xlsx(sheet, reveal=reveal)
    audit(
        request.user,
        "stipend.export",
        township,
        unit=township,
        request=request,
        changes={"month": f"{year}-{month:02d}", "rows": len(sheet.lines), "full_id": reveal},
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{township.name}后备干部补贴{year}年{month:02d}月.xlsx"
    )
    return response
