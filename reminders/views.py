from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from org import roles
from org.scope import get_scope

from . import selectors, services
from .forms import CHANNEL_COLUMNS, NotificationFilterForm, PreferencesForm, SentLogFilterForm
from .kinds import CHANNEL_LABELS, KIND_LABELS, KINDS
from .models import ChannelAddress, Notification, Preference


def _query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    # A path on this site only: redirect() would take a bare word ("abc") for a view name and fail on it
    if (
        target.startswith("/")
        and len(target) <= 2000
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    ):
        return target
    return fallback


def notification_bell(request):
    """The header bell's badge, loaded by htmx after the page (so no page pays for it). Anonymous (a session that
    expired under an open page): 204, htmx leaves the bell as it is."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    # Rendered without the request: the context processors (the scope's query) are not needed for a badge.
    return HttpResponse(render_to_string("reminders/bell.html", {"unread": selectors.unread_count(request.user)}))


@login_required
def notification_list(request):
    form = NotificationFilterForm(request.GET or None)
    kind, unread = "", False
    if form.is_valid():
        kind, unread = form.cleaned_data["kind"], form.cleaned_data["unread"]
    page = Paginator(selectors.notification_list(request.user, kind=kind, unread=unread), 50).get_page(
        request.GET.get("page")
    )
    by_kind = selectors.unread_by_kind(request.user)
    return render(
        request,
        "reminders/notification_list.html",
        {
            "form": form,
            "page": page,
            "kind": kind,
            "unread": unread,
            "by_kind": [(k, KIND_LABELS[k], by_kind[k]) for k in KIND_LABELS if k in by_kind],
            "unread_total": sum(by_kind.values()),
            "labels": KIND_LABELS,
            "query": _query(request),
            "can_see_log": get_scope(request.user).has(roles.VIEW_AUDIT),
        },
    )


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one's own notification read and go where it points (or back to the list)."""
    notification = Notification.objects.filter(pk=pk, recipient_id=request.user.pk).first()
    if notification is None:
        raise Http404("未找到该提醒")
    services.mark_read(user=request.user, notification=notification)
    if request.POST.get("open") and notification.url:
        return redirect(notification.url)
    return redirect(_safe_next(request, "notification_list"))


@login_required
@require_POST
def notification_read_all(request):
    kind = request.POST.get("kind", "")
    n = services.mark_all_read(user=request.user, kind=kind if kind in KIND_LABELS else "")
    messages.success(request, f"已将 {n} 条提醒标为已读。" if n else "没有未读提醒。")
    return redirect(_safe_next(request, "notification_list"))


@login_required
def preferences(request):
    user = request.user
    off = set(Preference.objects.filter(user=user).values_list("kind", "channel"))
    addresses = dict(ChannelAddress.objects.filter(user=user).values_list("channel", "address"))
    form = PreferencesForm(request.POST or None, off=off, addresses=addresses)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=user, off=form.off(), addresses=form.addresses(), request=request)
        messages.success(request, "提醒设置已保存。")
        return redirect("reminder_preferences")
    return render(
        request,
        "reminders/preferences.html",
        {"form": form, "columns": CHANNEL_COLUMNS, "kinds": KINDS, "email": user.email},
    )


@login_required
def sent_log(request):
    """What was sent, to whom, when, through which channel, in what state: county admins, for their subtree."""
    if not get_scope(request.user).has(roles.VIEW_AUDIT):
        raise Http404("页面不存在")
    form = SentLogFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.sent_log(request.user, data), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reminders/sent_log.html",
        {"form": form, "page": page, "labels": KIND_LABELS, "channels": CHANNEL_LABELS, "query": _query(request)},
    )
