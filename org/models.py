from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from org import roles


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    # Part of the session hash: changing it ends every session of the user ("退出所有设备").
    session_token = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username

    def _get_session_auth_hash(self, secret=None):
        key_salt = "org.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}|{self.session_token}", secret=secret, algorithm="sha256"
        ).hexdigest()


class OrgUnitQuerySet(models.QuerySet):
    def subtree(self, unit):
        return self.filter(code__startswith=unit.code)

    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))

    def for_user(self, user, perm=roles.VIEW):
        from org.scope import get_scope

        return self.filter(get_scope(user).q(perm, "code"))


class OrgUnit(models.Model):
    LEVEL_CHOICES = [
        (roles.CITY, "市"),
        (roles.COUNTY, "县（区）"),
        (roles.TOWNSHIP, "乡镇（街道）"),
        (roles.VILLAGE, "村（社区）"),
    ]
    KIND_CUN, KIND_SHEQU = "cun", "shequ"
    KIND_CHOICES = [(KIND_CUN, "村"), (KIND_SHEQU, "社区")]
    CODE_LENGTHS = {roles.CITY: 4, roles.COUNTY: 6, roles.TOWNSHIP: 9, roles.VILLAGE: 12}

    level = models.CharField("层级", max_length=10, choices=LEVEL_CHOICES)
    kind = models.CharField("类别", max_length=10, choices=KIND_CHOICES, blank=True)
    name = models.CharField("名称", max_length=60)
    # Statistical division code, used as a materialised path: a descendant's code starts with its ancestor's.
    code = models.CharField("区划代码", max_length=12)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField("起始日期", default=timezone.localdate)
    valid_to = models.DateField("终止日期", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name="并入", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "组织单位"
        verbose_name_plural = "组织单位"
        ordering = ["code"]
        permissions = roles.PERMISSIONS
        indexes = [
            # Prefix (subtree) look-ups need the pattern opclass; ordering by code needs a plain index.
            models.Index(fields=["code"], name="orgunit_code_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["code"], name="orgunit_code"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="orgunit_code_current_uniq"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")), name="orgunit_valid_range"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_village(self):
        return self.level == roles.VILLAGE

    @property
    def is_current(self):
        return self.valid_to is None or self.valid_to > timezone.localdate()

    def ancestor_codes(self):
        """Codes of this unit and every ancestor, by the fixed code lengths (no queries)."""
        return [self.code[:n] for n in (4, 6, 9, 12) if n <= len(self.code)]

    def contains(self, other) -> bool:
        return other.code.startswith(self.code)


class OrgUnitHistory(models.Model):
    """A past name or code of a unit, so papers from a past date print the name in use then."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="history")
    name = models.CharField("名称", max_length=60)
    code = models.CharField("区划代码", max_length=12)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("终止日期")
    change = models.CharField("变更", max_length=20)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["unit", "valid_from"]

    def __str__(self):
        return f"{self.name}（{self.valid_from}—{self.valid_to}）"


class OrgUnitUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(OrgUnit, on_delete=models.CASCADE)


class OrgUnitGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(OrgUnit, on_delete=models.CASCADE)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("角色", max_length=30, choices=roles.ROLE_CHOICES)
    title = models.CharField("职务", max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_uniq")]

    def __str__(self):
        return f"{self.unit} {self.get_role_display()}"


class VillageLeaderQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gt=on))


class VillageLeader(models.Model):
    """包村领导: the township leader in charge of a village (QL §10 routes leave over one day to them)."""

    village = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="leaders")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="led_villages")
    start = models.DateField("起始日期", default=timezone.localdate)
    end = models.DateField("终止日期", null=True, blank=True)
    assigned_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = VillageLeaderQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village"], condition=Q(end__isnull=True), name="one_open_leader_per_village"
            )
        ]

    def __str__(self):
        return f"{self.village} 包村领导 {self.user}"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计日志只能追加，不能修改")

    def delete(self):
        raise PermissionError("审计日志只能追加，不能删除")


class AuditLog(models.Model):
    """Append-only record of who changed, revealed or exported what, and of logins. Written by services and the
    login signals (org.security)."""

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=40, db_index=True)
    object_type = models.CharField("对象类型", max_length=40, blank=True)
    object_id = models.CharField("对象编号", max_length=40, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    # Denormalised code of the unit the object belongs to, so county admins can filter their subtree by prefix.
    unit_code = models.CharField("单位代码", max_length=12, blank=True, db_index=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit_code"], name="audit_unit_prefix", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除")


class AttachmentQuerySet(models.QuerySet):
    def for_user(self, user):
        from org.scope import get_scope

        return self.filter(get_scope(user).q(roles.VIEW, "unit__code"))


class Attachment(models.Model):
    """A scanned form, minutes or other document (PDF or image) of any step, stored under MEDIA_ROOT and served only
    through a scoped view. `owner` is "app.model:pk" of what it belongs to."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="attachments")
    owner = models.CharField("所属事项", max_length=60, db_index=True)
    purpose = models.CharField("用途", max_length=40, blank=True)
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
