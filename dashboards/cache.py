"""Rendered dashboard bodies, cached where measurement showed the need: at city size (14,000 reserves) computing the
city view takes seconds and a county dashboard, the scorecard or a township dashboard well over the 150 ms goal (the
training and mentoring rules are evaluated for every reserve in the database).

The key holds the page, the unit, the user's whole scope (every grant's unit code, level and permissions: the figures
and links depend on nothing else), the day, and the id of the newest audit entry — every service that changes data
writes one, so a change shows on the next request. One scope's figures are never served to another. Writes that skip
the services (bulk generators, the shell) show within `DASHBOARD_CACHE_SECONDS`. Off when that setting is 0 or
absent (the tests, which change data without audit entries)."""

import hashlib

from django.conf import settings
from django.core.cache import cache

from org.models import AuditLog
from org.scope import get_scope

PREFIX = "dashboards:v1"


def enabled() -> bool:
    return getattr(settings, "DASHBOARD_CACHE_SECONDS", 0) > 0


def scope_digest(user) -> str:
    grants = sorted((g.code, g.level, tuple(sorted(g.perms))) for g in get_scope(user).grants.values())
    return hashlib.sha256(repr(grants).encode()).hexdigest()[:32]


def data_version() -> int:
    """The newest audit entry's id (one query on the primary key index)."""
    return AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


def key_for(user, page: str, unit_pk: int, on) -> str:
    return f"{PREFIX}:{page}:{unit_pk}:{scope_digest(user)}:{on.isoformat()}:{data_version()}"


def cached(user, page: str, unit_pk: int, on, build) -> str:
    """`build()` (the rendered body) from the cache, or built and stored."""
    if not enabled():
        return build()
    key = key_for(user, page, unit_pk, on)
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, settings.DASHBOARD_CACHE_SECONDS)
    return body
