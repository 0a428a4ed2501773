"""The one place that turns a user's guardian grants into querysets filters.

Every model that belongs to the tree filters through `Scope.q(perm, field)`; out-of-scope objects are then simply not
found, so views answer 404 rather than 403."""

import contextlib
from dataclasses import dataclass, field

from django.db.models import Q

from org import roles


@dataclass
class Grant:
    unit_id: int
    code: str
    level: str
    perms: set[str] = field(default_factory=set)


class Scope:
    def __init__(self, user):
        self.user = user
        self.grants: dict[int, Grant] = {}
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return
        from org.models import OrgUnitUserObjectPermission

        rows = OrgUnitUserObjectPermission.objects.filter(user_id=user.pk).values_list(
            "content_object_id", "content_object__code", "content_object__level", "permission__codename"
        )
        for unit_id, code, level, codename in rows:
            self.grants.setdefault(unit_id, Grant(unit_id, code, level)).perms.add(codename)

    def prefixes(self, perm: str) -> list[str]:
        codes = sorted(g.code for g in self.grants.values() if perm in g.perms)
        # Drop codes already covered by a shorter one.
        out: list[str] = []
        for code in codes:
            if not any(code.startswith(p) for p in out):
                out.append(code)
        return out

    def q(self, perm: str, field_name: str) -> Q:
        """A filter matching rows whose unit code (at `field_name`) lies under a unit where the user holds `perm`."""
        prefixes = self.prefixes(perm)
        if not prefixes:
            return Q(pk__in=[])
        cond = Q()
        for prefix in prefixes:
            cond |= Q(**{f"{field_name}__startswith": prefix})
        return cond

    def has(self, perm: str, unit=None) -> bool:
        """The user holds `perm` on `unit` or an ancestor; with no unit, anywhere."""
        if unit is None:
            return any(perm in g.perms for g in self.grants.values())
        return any(perm in g.perms and unit.code.startswith(g.code) for g in self.grants.values())

    def units(self, perm: str) -> list[Grant]:
        return [g for g in self.grants.values() if perm in g.perms]

    @property
    def is_mentor_only(self) -> bool:
        return self.has(roles.MENTOR) and not self.has(roles.VIEW)

    @property
    def top_level(self) -> str | None:
        order = [roles.CITY, roles.COUNTY, roles.TOWNSHIP, roles.VILLAGE]
        levels = [g.level for g in self.grants.values()]
        for level in order:
            if level in levels:
                return level
        return None


def get_scope(user) -> Scope:
    """Scope cached on the user object for the request."""
    scope = getattr(user, "_scope_cache", None)
    if scope is None:
        scope = Scope(user)
        with contextlib.suppress(AttributeError):
            user._scope_cache = scope
    return scope


def reset_scope(user):
    if hasattr(user, "_scope_cache"):
        del user._scope_cache
