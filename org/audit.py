"""Audit entries, written by the services that change data (never by signals), with sensitive values masked."""

from django.db.models.fields.files import FieldFile

from org.masking import mask_value
from org.models import AuditLog

SENSITIVE_FIELDS = {"id_number", "phone", "password"}


def _clean(changes: dict) -> dict:
    out = {}
    for key, value in changes.items():
        if isinstance(value, (list, tuple)) and len(value) == 2 and key in SENSITIVE_FIELDS:
            out[key] = [mask_value(key, value[0]), mask_value(key, value[1])]
        elif key in SENSITIVE_FIELDS:
            out[key] = mask_value(key, value)
        else:
            out[key] = value
    return out


def audit(
    actor,
    action: str,
    obj=None,
    *,
    unit=None,
    changes: dict | None = None,
    request=None,
    object_repr=None,
    unit_code: str = "",
):
    """Append one entry. `changes` maps field -> [before, after] (or a plain value for context)."""
    entry = AuditLog(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor is not None else "系统",
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr if object_repr is not None else (str(obj) if obj is not None else ""))[:200],
        unit_code=unit.code if unit is not None else unit_code,
        changes=_clean(changes or {}),
        ip=_client_ip(request),
    )
    entry.save()
    return entry


def audit_many(actor, action: str, entries: list[tuple], request=None):
    """Bulk paths: one row per object, inserted together. Each entry is (obj, unit, changes)."""
    rows = [
        AuditLog(
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=str(actor) if actor is not None else "系统",
            action=action,
            object_type=obj._meta.model_name,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            unit_code=unit.code if unit is not None else "",
            changes=_clean(changes or {}),
            ip=_client_ip(request),
        )
        for obj, unit, changes in entries
    ]
    AuditLog.objects.bulk_create(rows, batch_size=1000)
    return rows


def _client_ip(request):
    from org.security import client_ip

    return client_ip(request)


def diff(instance, before: dict, fields) -> dict:
    """field -> [before, after] for the fields that changed; values as strings for JSON."""
    out = {}
    for name in fields:
        old, new = before.get(name), getattr(instance, name)
        if old != new:
            out[name] = [_jsonable(old), _jsonable(new)]
    return out


def snapshot(instance, fields) -> dict:
    return {name: getattr(instance, name) for name in fields}


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, FieldFile):
        return value.name or ""
    if hasattr(value, "pk"):
        return str(value)
    return str(value)
