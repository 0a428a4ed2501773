import datetime

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from org import roles, services
from org.audit import audit
from org.audit_labels import action_label, describe, prefetch_entries
from org.forms import (
    AccountCreateForm,
    AuditFilterForm,
    FirstPasswordChangeForm,
    LeaderForm,
    PasswordResetByAdminForm,
    RenameForm,
)
from org.models import Attachment, AuditLog, Membership, OrgUnit, User, VillageLeader
from org.scope import get_scope
from org.viewutils import submit
from org.xlsx import set_text


def _require(request, perm):
    if not get_scope(request.user).has(perm):
        raise Http404("页面不存在")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = FirstPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=self.request.user, request=self.request)
        messages.success(self.request, "密码已修改。")
        return response


def _managed_users(request):
    """Accounts holding a role the requester may hand out, on a unit under one the requester manages."""
    scope = get_scope(request.user)
    cond = Q(pk__in=[])
    mine = Membership.objects.filter(
        user=request.user, unit_id__in=[g.unit_id for g in scope.units(roles.MANAGE_ACCOUNTS)]
    ).select_related("unit")
    for m in mine:
        cond |= Q(unit__code__startswith=m.unit.code, role__in=roles.GRANTABLE.get(m.role, ()))
    return User.objects.filter(pk__in=Membership.objects.filter(cond).values("user_id"))


@login_required
def account_list(request):
    _require(request, roles.MANAGE_ACCOUNTS)
    users = (
        _managed_users(request)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("unit").order_by("unit__code"))
        )
        .order_by("username")
    )
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "org/account_list.html", {"page": page, "q": q})


@login_required
def account_create(request):
    _require(request, roles.MANAGE_ACCOUNTS)
    form = AccountCreateForm(request.POST or None, user=request.user)
    done = submit(
        request,
        form,
        lambda d: services.account_create(
            actor=request.user,
            username=d["username"],
            display_name=d["display_name"],
            password=d["password"],
            unit=d["unit"],
            role_key=d["role"],
            title=d["title"],
            email=d["email"],
            request=request,
        ),
        success=lambda user: f"已创建账号 {user.username}，请将初始密码告知本人；首次登录须修改密码。",
        then="account_list",
    )
    if done:
        return done
    return render(request, "org/account_form.html", {"form": form})


def _get_managed_user(request, pk):
    user = _managed_users(request).filter(pk=pk).first()
    if user is None:
        raise Http404("未找到该账号")
    return user


@login_required
@require_POST
def account_toggle(request, pk):
    _require(request, roles.MANAGE_ACCOUNTS)
    user = _get_managed_user(request, pk)
    try:
        services.account_set_active(actor=request.user, user=user, active=not user.is_active, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"账号 {user.username} 已{'停用' if user.is_active else '启用'}。")
    return redirect("account_list")


@login_required
def account_reset(request, pk):
    _require(request, roles.MANAGE_ACCOUNTS)
    user = _get_managed_user(request, pk)
    form = PasswordResetByAdminForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda d: services.account_reset_password(
            actor=request.user, user=user, password=d["password"], request=request
        ),
        success=f"已重置 {user.username} 的密码，下次登录须修改。",
        then="account_list",
    )
    if done:
        return done
    return render(request, "org/account_reset.html", {"form": form, "account": user})


@login_required
def leader_list(request):
    _require(request, roles.ASSIGN_LEADERS)
    today = datetime.date.today()
    villages = (
        OrgUnit.objects.for_user(request.user, roles.ASSIGN_LEADERS)
        .filter(level=roles.VILLAGE, valid_to__isnull=True)
        .select_related("parent")
        .prefetch_related(
            Prefetch(
                "leaders",
                queryset=VillageLeader.objects.current(today).select_related("user"),
                to_attr="current_leaders",
            )
        )
        .order_by("code")
    )
    return render(request, "org/leader_list.html", {"villages": villages})


@login_required
def leader_assign(request, pk):
    _require(request, roles.ASSIGN_LEADERS)
    village = get_object_or_404(
        OrgUnit.objects.for_user(request.user, roles.ASSIGN_LEADERS)
        .filter(level=roles.VILLAGE, valid_to__isnull=True)
        .select_related("parent"),
        pk=pk,
    )
    form = LeaderForm(request.POST or None, township=village.parent, initial={"start": datetime.date.today()})
    done = submit(
        request,
        form,
        lambda d: services.leader_assign(
            actor=request.user, village=village, user=d["user"], start=d["start"], request=request
        ),
        success=f"已为 {village.name} 指定包村领导。",
        then="leader_list",
    )
    if done:
        return done
    history = VillageLeader.objects.filter(village=village).select_related("user").order_by("-start")
    return render(request, "org/leader_form.html", {"form": form, "village": village, "history": history})


@login_required
def org_units(request):
    _require(request, roles.MANAGE_ORG)
    units = (
        OrgUnit.objects.for_user(request.user, roles.MANAGE_ORG)
        .select_related("parent", "merged_into")
        .order_by("code")
    )
    return render(request, "org/unit_list.html", {"units": units})


@login_required
def unit_rename(request, pk):
    _require(request, roles.MANAGE_ORG)
    unit = get_object_or_404(
        OrgUnit.objects.for_user(request.user, roles.MANAGE_ORG).filter(valid_to__isnull=True).select_related("parent"),
        pk=pk,
    )
    form = RenameForm(request.POST or None, initial={"name": unit.name, "code": unit.code, "on": datetime.date.today()})
    done = submit(
        request,
        form,
        lambda d: services.unit_rename(
            actor=request.user, unit=unit, name=d["name"], code=d["code"], on=d["on"], note=d["note"], request=request
        ),
        success="已更名，原名称保留在历史中。",
        then="org_units",
    )
    if done:
        return done
    return render(request, "org/unit_rename.html", {"form": form, "unit": unit, "history": unit.history.all()})


def _audit_entries(request):
    _require(request, roles.VIEW_AUDIT)
    scope = get_scope(request.user)
    form = AuditFilterForm(request.GET or None)
    # County admins see entries of their subtree, their users' account actions, and failed logins that named no
    # known account (those belong to no unit).
    visible = scope.q(roles.VIEW_AUDIT, "unit_code") | Q(action="auth.login_failed", unit_code="")
    entries = AuditLog.objects.filter(visible).select_related("actor")
    if form.is_bound and not form.is_valid():
        # A filter that cannot be read shows its error and nothing, rather than the unfiltered log.
        return form, entries.none()
    if form.is_valid():
        d = form.cleaned_data
        if d.get("action"):
            entries = entries.filter(action=d["action"])
        if d.get("actor"):
            entries = entries.filter(actor_label__icontains=d["actor"])
        if d.get("q"):
            entries = entries.filter(object_repr__icontains=d["q"])
        if d.get("date_from"):
            entries = entries.filter(at__date__gte=d["date_from"])
        if d.get("date_to"):
            entries = entries.filter(at__date__lte=d["date_to"])
    return form, entries


def _filter_text(form) -> str:
    """The export's filter in words for its own audit entry ("操作：入库；起：2026-01-01")."""
    if not form.is_bound or not form.is_valid():
        return "全部"
    parts = []
    for name, value in form.cleaned_data.items():
        if value in (None, ""):
            continue
        text = action_label(value) if name == "action" else str(value)
        parts.append(f"{form.fields[name].label}：{text}")
    return "；".join(parts) or "全部"


@login_required
def audit_list(request):
    form, entries = _audit_entries(request)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    page.object_list = prefetch_entries(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "org/audit_list.html",
        {"form": form, "page": page, "query": params.urlencode()},
    )


AUDIT_EXPORT_MAX = 50_000


@login_required
def audit_export(request):
    """The filtered log as .xlsx (write-only workbook; values are already masked when written)."""
    import io
    from urllib.parse import quote

    from django.http import HttpResponse
    from django.utils import timezone
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    form, entries = _audit_entries(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, "筛选条件有误，请更正后再导出。")
        return redirect(f"{reverse('audit_list')}?{request.GET.urlencode()}")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计日志")
    ws.append(["时间", "操作人", "操作", "对象", "单位代码", "IP", "详情"])
    n = 0
    for entry in entries.iterator(chunk_size=2000):
        if n >= AUDIT_EXPORT_MAX:
            break
        row = []
        for value in (
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
            entry.actor_label,
            action_label(entry.action),
            entry.object_repr,
            entry.unit_code,
            entry.ip or "",
            "；".join(f"{label}：{text}" for label, text in describe(entry)),
        ):
            cell = WriteOnlyCell(ws)
            set_text(cell, value)
            row.append(cell)
        ws.append(row)
        n += 1
    buf = io.BytesIO()
    wb.save(buf)
    audit(request.user, "audit.export", None, request=request, changes={"rows": n, "筛选条件": _filter_text(form)})
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"审计日志_{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def attachment_download(request, pk):
    attachment = Attachment.objects.for_user(request.user).filter(pk=pk).first()
    if attachment is None:
        raise Http404("未找到该附件")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在") from None
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        filename=attachment.original_name,
        as_attachment=attachment.content_type == "application/pdf" and "dl" in request.GET,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
