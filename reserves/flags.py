"""Raising and clearing removal flags. Higher apps call these where the grounds arise (no signals)."""

import datetime

from django.db import IntegrityError, transaction

from org.audit import audit
from reserves.models import Flag, ReserveRecord


def flag_raise(
    *,
    record: ReserveRecord,
    kind: str,
    source: str,
    reason: str,
    on: datetime.date,
    actor=None,
    request=None,
    reopen: bool = False,
) -> tuple[Flag, bool]:
    """Raise a flag once per (record, kind, source); a second call returns the existing flag and False.
    With reopen=True a resolved flag of that source is raised again (an appraisal corrected back to 不称职)."""
    existing = Flag.objects.filter(record=record, kind=kind, source=source).first()
    if existing is not None:
        if reopen and existing.resolved_on is not None:
            existing.resolved_on, existing.resolution, existing.reason, existing.raised_on = None, "", reason[:500], on
            existing.save(update_fields=["resolved_on", "resolution", "reason", "raised_on"])
            audit(
                actor,
                "flag.raise",
                record,
                unit=record.village,
                request=request,
                changes={"kind": existing.get_kind_display(), "reason": existing.reason},
            )
            return existing, True
        return existing, False
    try:
        with transaction.atomic():
            flag = Flag.objects.create(record=record, kind=kind, source=source, reason=reason[:500], raised_on=on)
    except IntegrityError:  # raised concurrently by another scan
        return Flag.objects.get(record=record, kind=kind, source=source), False
    audit(
        actor,
        "flag.raise",
        record,
        unit=record.village,
        request=request,
        changes={"kind": flag.get_kind_display(), "reason": flag.reason},
    )
    return flag, True


def flag_resolve(*, flag: Flag, on: datetime.date, resolution: str, actor=None, request=None) -> Flag:
    if flag.resolved_on is None:
        flag.resolved_on, flag.resolution = on, resolution[:500]
        flag.save(update_fields=["resolved_on", "resolution"])
        audit(
            actor,
            "flag.resolve",
            flag.record,
            unit=flag.record.village,
            request=request,
            changes={"kind": flag.get_kind_display(), "resolution": flag.resolution},
        )
    return flag
