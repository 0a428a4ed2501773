from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from org import roles
from org.audit_labels import ACTIONS
from org.models import OrgUnit, User
from org.scope import get_scope


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id and obj.level == roles.VILLAGE else obj.name


class AccountCreateForm(forms.Form):
    username = forms.RegexField(
        label="用户名",
        max_length=40,
        regex=r"^[A-Za-z0-9_.@-]+$",
        error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ -。"},
    )
    display_name = forms.CharField(label="姓名", max_length=50, help_text="只填姓名；职务填在下方“职务”栏")
    name_confirmed = forms.BooleanField(label="姓名无误（确含上述字样）", required=False)
    unit = UnitChoiceField(label="所属单位", queryset=OrgUnit.objects.none())
    role = forms.ChoiceField(label="角色", choices=roles.ROLE_CHOICES)
    title = forms.CharField(label="职务", max_length=60, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput(render_value=False),
        help_text="至少10位，须含字母和数字；用户首次登录后须修改",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            OrgUnit.objects.filter(valid_to__isnull=True)
            .filter(get_scope(user).q(roles.MANAGE_ACCOUNTS, "code"))
            .select_related("parent")
            .order_by("code")
        )
        # Offer only the roles this manager may hand out (the service refuses the others anyway).
        grantable = grantable_roles(user)
        self.fields["role"].choices = [(k, label) for k, label in roles.ROLE_CHOICES if k in grantable]

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password, User(username=self.data.get("username", "")))
        return password

    def clean(self):
        data = super().clean()
        name = data.get("display_name") or ""
        found = [t for t in TITLE_WORDS if t in name]
        if found and not data.get("name_confirmed"):
            self.add_error(
                "display_name",
                f"姓名中含有职务字样“{found[0]}”。请只填姓名，职务填在“职务”栏；"
                "如姓名确实如此，请勾选“姓名无误”后再保存。",
            )
        return data


# Words that are titles, not names: a display name holding one prints the title twice beside the 职务 (名册, 公示).
TITLE_WORDS = ["书记", "镇长", "乡长", "县长", "主任", "委员", "部长", "科长", "干事", "站长", "所长", "组长"]


def grantable_roles(user) -> set[str]:
    """The roles `user` may hand out, from the roles they hold (org.roles.GRANTABLE)."""
    held = user.memberships.values_list("role", flat=True) if getattr(user, "pk", None) else []
    return set().union(*(roles.GRANTABLE.get(r, set()) for r in held))


class FirstPasswordChangeForm(PasswordChangeForm):
    """The password change: the new password must differ from the current one (an admin-issued password typed
    again is not a change)."""

    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise ValidationError("新密码不能与当前密码相同。")
        return new


class PasswordResetByAdminForm(forms.Form):
    password = forms.CharField(label="新的初始密码", widget=forms.PasswordInput(render_value=False))

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class LeaderForm(forms.Form):
    user = forms.ModelChoiceField(label="包村领导", queryset=User.objects.none())
    start = forms.DateField(label="起始日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args, township: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(
                is_active=True, memberships__unit=township, memberships__role__in=["township_admin", "township_staff"]
            )
            .distinct()
            .order_by("display_name")
        )


class RenameForm(forms.Form):
    name = forms.CharField(label="新名称", max_length=60)
    code = forms.CharField(label="区划代码", max_length=12)
    on = forms.DateField(label="变更日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    note = forms.CharField(label="依据／说明", max_length=200, required=False)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="操作", required=False)
    actor = forms.CharField(label="操作人", required=False, max_length=50)
    date_from = forms.DateField(
        label="起", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="止", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    q = forms.CharField(label="对象", required=False, max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部")] + sorted(ACTION_LABELS.items())

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("起始日期不能晚于截止日期。")
        return data


# The one registry of audit labels, filled by each app for its own actions (org.audit_labels.register).
ACTION_LABELS = ACTIONS
