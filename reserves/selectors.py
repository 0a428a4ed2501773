"""Reads for lists and pages: scoped through for_user, with every join the templates need fetched up front."""

import datetime

from django.db.models import Count, Prefetch, Q

from org.audit_labels import prefetch_entries
from org.models import AuditLog
from reserves import choices as C
from reserves.dates import shift_years_back
from reserves.models import Flag, MentorPairing, Person, ReservePlacement, ReserveRecord


def age_band_q(band: str, field: str, on: datetime.date) -> Q:
    """Ages ≤ 35, 36–45, > 45 on `on`, as birth-date ranges."""
    born_after_36 = shift_years_back(on, 36)  # born after this: 35 or younger
    born_after_46 = shift_years_back(on, 46)
    if band == "le35":
        return Q(**{f"{field}__gt": born_after_36})
    if band == "36_45":
        return Q(**{f"{field}__gt": born_after_46, f"{field}__lte": born_after_36})
    if band == "gt45":
        return Q(**{f"{field}__lte": born_after_46})
    return Q()


def _person_filters(data: dict, prefix: str, on: datetime.date) -> Q:
    cond = Q()
    if data.get("q"):
        cond &= Q(**{f"{prefix}name__icontains": data["q"].strip()})
    for key in ("education", "political_status", "source_group"):
        if data.get(key):
            cond &= Q(**{f"{prefix}{key}": data[key]})
    if data.get("age_band"):
        cond &= age_band_q(data["age_band"], f"{prefix}birth_date", on)
    return cond


def record_list(user, data: dict, on: datetime.date | None = None):
    on = on or datetime.date.today()
    qs = ReserveRecord.objects.for_user(user).filter(_person_filters(data, "person__", on))
    if data.get("township"):
        qs = qs.filter(village__code__startswith=data["township"].code)
    if data.get("village"):
        qs = qs.filter(village=data["village"])
    if data.get("reserve_type"):
        qs = qs.filter(reserve_type=data["reserve_type"])
    status = data.get("status") or C.STATUS_ACTIVE
    if status != "all":
        qs = qs.filter(status=status)
    return qs.select_related("person", "village", "village__parent").order_by("village__code", "person__name", "id")


def person_list(user, data: dict, on: datetime.date | None = None):
    on = on or datetime.date.today()
    qs = Person.objects.for_user(user).filter(_person_filters(data, "", on))
    if data.get("township"):
        qs = qs.filter(village__code__startswith=data["township"].code)
    if data.get("village"):
        qs = qs.filter(village=data["village"])
    return (
        qs.select_related("village", "village__parent")
        .annotate(open_records=Count("records", filter=Q(records__ended_on__isnull=True)))
        .order_by("village__code", "name", "id")
    )


def person_detail(user, pk: int):
    """The person with every record, placement and pairing, in a fixed number of queries."""
    return (
        Person.objects.for_user(user)
        .select_related("village", "village__parent", "created_by")
        .prefetch_related(
            Prefetch(
                "records",
                queryset=ReserveRecord.objects.select_related("policy", "village", "created_by").order_by(
                    "-entered_on", "-id"
                ),
            ),
            Prefetch("records__placements", queryset=ReservePlacement.objects.select_related("village")),
            Prefetch("records__pairings", queryset=MentorPairing.objects.select_related("mentor_user")),
            Prefetch("records__flags", queryset=Flag.objects.open(), to_attr="open_flags"),
        )
        .get(pk=pk)
    )


def person_history(person: Person, limit: int = 30):
    """Who did what to this person and their records, newest first (one query; records are prefetched)."""
    record_ids = [str(r.pk) for r in person.records.all()]
    return prefetch_entries(
        AuditLog.objects.filter(
            Q(object_type="person", object_id=str(person.pk)) | Q(object_type="reserverecord", object_id__in=record_ids)
        ).order_by("-at", "-id")[:limit]
    )
