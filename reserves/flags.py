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


# Which rule a flag kind is raised under: when a county's version in force turns that rule off, its open flags of the
# kind are resolved (the grounds no longer exist under the county's rules). Age-out flags need a blocking age rule.
FLAG_RULES = {
    Flag.APPRAISAL: lambda p: p.annual_appraisal_on,
    Flag.ABSENCE: lambda p: p.absence_on,
    Flag.INABILITY: lambda p: p.inability_report_on,
    Flag.AGE_OUT: lambda p: p.age_blocks,
}


def flags_resolve_rules_off(*, on: datetime.date, county=None, actor=None, request=None) -> int:
    """Resolve, with a note, every open flag raised under a rule that the version in force on `on` (of `county`, or
    of every county) has switched off. Idempotent; run when a version is saved and by the daily scan."""
    from org import roles
    from org.models import OrgUnit
    from reserves.models import CountyPolicy

    counties = [county] if county is not None else list(OrgUnit.objects.filter(level=roles.COUNTY))
    resolved = 0
    for c in counties:
        policy = CountyPolicy.objects.in_force(c, on)
        if policy is None:
            continue
        kinds_off = [kind for kind, is_on in FLAG_RULES.items() if not is_on(policy)]
        if not kinds_off:
            continue
        flags = (
            Flag.objects.open()
            .filter(kind__in=kinds_off, record__village__code__startswith=c.code)
            .select_related("record__person", "record__village")
        )
        for flag in flags:
            flag_resolve(
                flag=flag,
                on=on,
                resolution=f"本县{policy.effective_from.year}年{policy.effective_from.month}月"
                f"{policy.effective_from.day}日起施行的政策不再有此项规定，提示自动解除。",
                actor=actor,
                request=request,
            )
            resolved += 1
    return resolved
