"""Writes on the org tree, accounts, memberships and 包村领导. Each is audited here."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from guardian.shortcuts import assign_perm

from org import roles
from org.audit import audit
from org.models import Membership, OrgUnit, OrgUnitHistory, User, VillageLeader
from org.scope import get_scope, reset_scope


def _grant(user: User, unit: OrgUnit, role_key: str):
    for perm in roles.ROLES[role_key].perms:
        assign_perm(f"org.{perm}", user, unit)


def _regrant_all(user: User):
    """Recompute guardian grants from the user's memberships (removing a role must not leave stale perms)."""
    from org.models import OrgUnitUserObjectPermission

    OrgUnitUserObjectPermission.objects.filter(user=user).delete()
    for m in Membership.objects.filter(user=user).select_related("unit"):
        _grant(user, m.unit, m.role)
    reset_scope(user)


def check_grantable(actor, unit: OrgUnit, role_key: str):
    """Raise ValidationError (in Chinese) unless `actor` may give `role_key` on `unit`."""
    if role_key not in roles.ROLES:
        raise ValidationError("未知角色。")
    role = roles.ROLES[role_key]
    if unit.level not in role.levels:
        levels = "、".join(dict(OrgUnit.LEVEL_CHOICES)[lv] for lv in role.levels)
        raise ValidationError(f"“{role.label}”只能设在{levels}一级。")
    scope = get_scope(actor)
    for grant in scope.units(roles.MANAGE_ACCOUNTS):
        manager_roles = Membership.objects.filter(user=actor, unit_id=grant.unit_id).values_list("role", flat=True)
        allowed = set().union(*(roles.GRANTABLE.get(r, set()) for r in manager_roles))
        if unit.code.startswith(grant.code) and role_key in allowed:
            return
    raise ValidationError("您无权在该单位创建此角色的账号。")


@transaction.atomic
def membership_add(*, actor, user: User, unit: OrgUnit, role_key: str, title: str = "", request=None) -> Membership:
    check_grantable(actor, unit, role_key)
    membership, created = Membership.objects.get_or_create(
        user=user, unit=unit, role=role_key, defaults={"title": title, "created_by": actor}
    )
    if created:
        _grant(user, unit, role_key)
        reset_scope(user)
        audit(actor, "membership.add", user, unit=unit, changes={"role": role_key, "unit": unit.name}, request=request)
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership, request=None):
    check_grantable(actor, membership.unit, membership.role)
    user, unit, role_key = membership.user, membership.unit, membership.role
    membership.delete()
    _regrant_all(user)
    audit(actor, "membership.remove", user, unit=unit, changes={"role": role_key, "unit": unit.name}, request=request)


@transaction.atomic
def account_create(
    *,
    actor,
    username: str,
    display_name: str,
    password: str,
    unit: OrgUnit,
    role_key: str,
    title: str = "",
    email: str = "",
    request=None,
) -> User:
    check_grantable(actor, unit, role_key)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("该用户名已被使用。")
    user = User(username=username, display_name=display_name, email=email, must_change_password=True)
    user.set_password(password)
    user.save()
    audit(actor, "account.create", user, unit=unit, changes={"username": username, "role": role_key}, request=request)
    membership_add(actor=actor, user=user, unit=unit, role_key=role_key, title=title, request=request)
    return user


def _managed_unit(actor, user: User) -> OrgUnit:
    """The unit through which `actor` manages `user`; ValidationError if none."""
    for m in user.memberships.select_related("unit"):
        try:
            check_grantable(actor, m.unit, m.role)
            return m.unit
        except ValidationError:
            continue
    raise ValidationError("您无权管理该账号。")


@transaction.atomic
def account_set_active(*, actor, user: User, active: bool, request=None):
    unit = _managed_unit(actor, user)
    if user.pk == actor.pk and not active:
        raise ValidationError("不能停用自己的账号。")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit(
        actor,
        "account.enable" if active else "account.disable",
        user,
        unit=unit,
        changes={"is_active": [not active, active]},
        request=request,
    )
    return user


@transaction.atomic
def account_reset_password(*, actor, user: User, password: str, request=None):
    unit = _managed_unit(actor, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit(actor, "account.reset_password", user, unit=unit, request=request)


def password_changed(*, user: User, request=None):
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    first = user.memberships.select_related("unit").first()
    audit(user, "account.password_changed", user, request=request, unit=first.unit if first else None)


@transaction.atomic
def unit_rename(*, actor, unit: OrgUnit, name: str, code: str, on: datetime.date, note: str = "", request=None):
    scope = get_scope(actor)
    if not scope.has(roles.MANAGE_ORG, unit):
        raise ValidationError("您无权调整该单位。")
    name = name.strip()
    code = code.strip()
    if not name:
        raise ValidationError("名称不能为空。")
    if len(code) != OrgUnit.CODE_LENGTHS[unit.level] or not (code.isascii() and code.isdigit()):
        raise ValidationError(f"区划代码应为{OrgUnit.CODE_LENGTHS[unit.level]}位数字。")
    if unit.parent_id and not code.startswith(unit.parent.code[: len(unit.parent.code)]):
        raise ValidationError("区划代码须以上级单位的代码开头。")
    if code != unit.code and unit.children.exists():
        raise ValidationError("有下级单位的单位不能更改区划代码。")
    if code != unit.code and OrgUnit.objects.filter(code=code, valid_to__isnull=True).exclude(pk=unit.pk).exists():
        raise ValidationError("该区划代码已被其他现存单位使用。")
    if name == unit.name and code == unit.code:
        raise ValidationError("名称和代码均未改变。")
    if on < unit.valid_from:
        raise ValidationError("变更日期不能早于该单位的起始日期。")
    last = unit.history.order_by("-valid_to").first()
    since = last.valid_to if last else unit.valid_from
    OrgUnitHistory.objects.create(
        unit=unit, name=unit.name, code=unit.code, valid_from=since, valid_to=on, change="rename", note=note
    )
    before = {"name": unit.name, "code": unit.code}
    unit.name, unit.code = name, code
    unit.save(update_fields=["name", "code"])
    audit(
        actor,
        "org.rename",
        unit,
        unit=unit,
        changes={k: [before[k], getattr(unit, k)] for k in before if before[k] != getattr(unit, k)},
        request=request,
    )
    return unit


def unit_close_into(*, unit: OrgUnit, target: OrgUnit, on: datetime.date):
    """Mark `unit` as merged into `target` from `on` (called by the reserves-level merge, which moves people)."""
    unit.valid_to = on
    unit.merged_into = target
    unit.save(update_fields=["valid_to", "merged_into"])


@transaction.atomic
def leader_assign(*, actor, village: OrgUnit, user: User, start: datetime.date, request=None) -> VillageLeader:
    scope = get_scope(actor)
    if not village.is_village or not scope.has(roles.ASSIGN_LEADERS, village):
        raise ValidationError("您无权为该村指定包村领导。")
    township = village.parent
    ok = (
        Membership.objects.filter(user=user, unit=township, role__in=["township_admin", "township_staff"]).exists()
        and user.is_active
    )
    if not ok:
        raise ValidationError("包村领导须为本乡镇在职的乡镇干部账号。")
    current = VillageLeader.objects.select_for_update().filter(village=village, end__isnull=True).first()
    if current is not None:
        if current.user_id == user.pk:
            raise ValidationError("该干部已是本村的包村领导。")
        if start < current.start:
            raise ValidationError("起始日期不能早于现任包村领导的起始日期。")
        current.end = start
        current.save(update_fields=["end"])
    leader = VillageLeader.objects.create(village=village, user=user, start=start, assigned_by=actor)
    audit(
        actor,
        "leader.assign",
        village,
        unit=village,
        changes={"包村领导": [str(current.user) if current else None, str(user)]},
        request=request,
    )
    return leader
