"""Reads for the lists and pages of dynamic management, scoped through for_user, with every join fetched up front.

For the lead composing a reserve's page elsewhere: `record_overview(user, record)` gives the chains, steps, flags
and ban of one record in a fixed number of queries; `waiting_counts(user)` gives what waits for the user's step."""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from lifecycle.models import Removal, Step, Transfer, Use
from lifecycle.rules import TYPES, annotate_shortfall, ban_until
from org import roles
from org.models import Attachment, OrgUnit
from org.scope import get_scope
from reserves.models import Flag, ReserveRecord

CHAINS = {"removal": Removal, "use": Use, "transfer": Transfer}


def _village_grants(scope, perm) -> list[str]:
    return [g.code for g in scope.grants.values() if perm in g.perms and g.level == roles.VILLAGE]


def _township_grants(scope) -> list[str]:
    return [g.code for g in scope.grants.values() if roles.EDIT_PEOPLE in g.perms and g.level == roles.TOWNSHIP]


def _codes_q(field_name: str, codes: list[str]) -> Q:
    cond = Q(pk__in=[])
    for code in codes:
        cond |= Q(**{f"{field_name}__startswith": code})
    return cond


def removal_list(user, state: str = "") -> QuerySet:
    qs = Removal.objects.for_user(user).select_related("record__person", "village__parent", "proposed_by", "filing")
    if state == "open":
        qs = qs.filter(state__in=Removal.OPEN_STATES)
    elif state in dict(Removal.STATE_CHOICES):
        qs = qs.filter(state=state)
    return qs.order_by("-proposed_at", "-id")


def use_list(user, state: str = "") -> QuerySet:
    qs = Use.objects.for_user(user).select_related(
        "record__person", "village__parent", "target_village__parent", "proposed_by", "notice"
    )
    if state == "open":
        qs = qs.filter(state__in=Use.OPEN_STATES)
    elif state in dict(Use.STATE_CHOICES):
        qs = qs.filter(state=state)
    return qs.order_by("-proposed_at", "-id")


def transfer_list(user, state: str = "") -> QuerySet:
    qs = Transfer.objects.for_user(user).select_related(
        "record__person", "village__parent", "target_village__parent", "proposed_by"
    )
    if state == "open":
        qs = qs.filter(state__in=Transfer.OPEN_STATES)
    elif state in dict(Transfer.STATE_CHOICES):
        qs = qs.filter(state=state)
    return qs.order_by("-proposed_at", "-id")


def waiting_q(user, model) -> Q:
    """Items waiting for a step this user takes (no query: from the user's grants)."""
    scope = get_scope(user)
    townships = _township_grants(scope)
    villages = _village_grants(scope, roles.NOMINATE)
    proposers = _codes_q("village__code", villages + townships)
    at_township = _codes_q("village__code", townships)
    if model is Transfer:
        return (Q(state=Transfer.PROPOSED) & _codes_q("target_village__code", townships)) | (
            Q(state=Transfer.RETURNED) & at_township
        )
    q = (Q(state=model.PROPOSED) & at_township) | (Q(state=model.RETURNED) & proposers)
    if model is Use:
        q |= Q(state__in=(Use.FILED, Use.NOTICE)) & at_township
    return q


def waiting_counts(user) -> dict[str, int]:
    """{"removal": n, "use": n, "transfer": n} waiting for this user's step (three queries)."""
    return {key: model.objects.for_user(user).filter(waiting_q(user, model)).count() for key, model in CHAINS.items()}


def open_flags(user, limit: int = 50) -> list[Flag]:
    """Removal grounds raised by the cultivation records, for reserves in the pool and in scope with no open
    removal: the proposals that could be made."""
    scope = get_scope(user)
    open_removals = Removal.objects.filter(state__in=Removal.OPEN_STATES).values("record_id")
    return list(
        Flag.objects.open()
        .filter(record__ended_on__isnull=True)
        .filter(scope.q(roles.VIEW, "record__village__code"))
        .exclude(record_id__in=open_removals)
        .select_related("record__person", "record__village")
        .order_by("raised_on", "id")[:limit]
    )


def find_records(user, name: str, limit: int = 30) -> list[ReserveRecord]:
    """Reserves in the pool and in scope whose name contains `name` (for starting a chain)."""
    name = (name or "").strip()
    if not name:
        return []
    scope = get_scope(user)
    return list(
        ReserveRecord.objects.open()
        .filter(scope.q(roles.VIEW, "village__code"), person__name__icontains=name)
        .select_related("person", "village__parent")
        .order_by("village__code", "person__name")[:limit]
    )


def steps_of(chain) -> list[Step]:
    return list(Step.objects.filter(subject=chain.subject).select_related("actor").order_by("at", "id"))


def attachments_of(chain) -> list[Attachment]:
    return list(Attachment.objects.filter(owner=chain.subject).order_by("uploaded_at", "id"))


@dataclass
class RecordOverview:
    record: ReserveRecord
    removals: list = field(default_factory=list)
    uses: list = field(default_factory=list)
    transfers: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    ban_until: datetime.date | None = None

    @property
    def open_chain(self):
        for chain in (*self.removals, *self.uses, *self.transfers):
            if chain.is_open:
                return chain
        return None


def record_overview(user, record: ReserveRecord) -> RecordOverview:
    """Everything dynamic management knows about one record (the caller has already checked the user may see it):
    its removals, uses and transfers, every step of them, open flags, and the ban if it was removed."""
    return RecordOverview(
        record=record,
        removals=list(Removal.objects.filter(record=record).select_related("village").order_by("-proposed_at")),
        uses=list(
            Use.objects.filter(record=record).select_related("village", "target_village").order_by("-proposed_at")
        ),
        transfers=list(
            Transfer.objects.filter(record=record).select_related("village", "target_village").order_by("-proposed_at")
        ),
        steps=list(Step.objects.filter(record=record).order_by("at", "id")),
        flags=list(Flag.objects.open().filter(record=record).order_by("raised_on", "id")),
        ban_until=ban_until(record, timezone.localdate()),
    )


def surplus_reserves(
    township_ids, policies, on: datetime.date, per_township: int = 20
) -> dict[int, list[ReserveRecord]]:
    """Township-wide candidates for a village below target: reserves in the pool of villages of the same township
    that are above their own target (moving one keeps that village at its target). {township id: [records]}, at most
    `per_township` each; one query whatever the number of townships."""
    if not township_ids:
        return {}
    cond = Q(pk__in=[])
    for t in TYPES:
        if not any(p.target_for(t) for p in policies.values()):
            continue
        villages = annotate_shortfall(
            OrgUnit.objects.filter(level=roles.VILLAGE, parent_id__in=township_ids).current(on), policies, on, [t]
        )
        above = villages.filter(**{f"target_{t}__gt": 0, f"short_{t}__lt": 0}).values("pk")
        cond |= Q(reserve_type=t, village__in=above)
    records = (
        ReserveRecord.objects.open()
        .filter(cond)
        .annotate(rank=Window(RowNumber(), partition_by=F("village__parent_id"), order_by=[F("village__code"), "id"]))
        .filter(rank__lte=per_township)
        .select_related("person", "village")
        .only(
            "id", "reserve_type", "village_id", "person__name", "village__name", "village__code", "village__parent_id"
        )
        .order_by("village__code", "person__name", "id")
    )
    out: dict[int, list[ReserveRecord]] = {}
    for record in records:
        out.setdefault(record.village.parent_id, []).append(record)
    return out
