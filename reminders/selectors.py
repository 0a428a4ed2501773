"""Reads for the pages: the user's own notifications, the bell's count, and the county admin's sent log. A fixed
number of queries whatever the number of rows."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from org import roles
from org.scope import get_scope

from .models import Notification, Outbox


def unread_count(user) -> int:
    """One COUNT on the partial index `notification_unread`."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notification_list(user, *, kind: str = "", unread: bool = False):
    qs = Notification.objects.filter(recipient_id=user.pk)
    if kind:
        qs = qs.filter(kind=kind)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_by_kind(user) -> dict[str, int]:
    rows = (
        Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
        .order_by()
        .values("kind")
        .annotate(n=Count("id"))
    )
    return {row["kind"]: row["n"] for row in rows}


def sent_log(user, data: dict):
    """Notifications of the subtree where the user may read the audit log (county admins), newest first, with the
    recipient and every outbox row. `data`: cleaned SentLogFilterForm data."""
    qs = Notification.objects.filter(get_scope(user).q(roles.VIEW_AUDIT, "unit_code"))
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("q"):
        name = data["q"].strip()
        qs = qs.filter(Q(recipient__display_name__icontains=name) | Q(recipient__username__icontains=name))
    if data.get("date_from"):
        qs = qs.filter(created_at__date__gte=data["date_from"])
    if data.get("date_to"):
        qs = qs.filter(created_at__date__lte=data["date_to"])
    channel, state = data.get("channel") or "", data.get("state") or ""
    if channel == "inapp":
        if state == "read":
            qs = qs.filter(read_at__isnull=False)
        elif state == "unread":
            qs = qs.filter(read_at__isnull=True)
    elif channel or state in dict(Outbox.STATE_CHOICES):
        deliveries = Outbox.objects.filter(notification=OuterRef("pk"))
        if channel:
            deliveries = deliveries.filter(channel=channel)
        if state in dict(Outbox.STATE_CHOICES):
            deliveries = deliveries.filter(state=state)
        qs = qs.filter(Exists(deliveries))
    return (
        qs.select_related("recipient")
        .prefetch_related(Prefetch("deliveries", queryset=Outbox.objects.order_by("channel")))
        .order_by("-created_at", "-id")
    )
