import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from imports.parser import MAX_UPLOAD_BYTES
from org import roles
from org.fields import SafeModelChoiceField
from org.models import OrgUnit
from org.scope import get_scope
from reserves import choices as C


class UnitChoiceField(SafeModelChoiceField):
    def label_from_instance(self, obj):
        if obj.level == roles.VILLAGE and obj.parent_id:
            return f"\u3000\u3000{obj.parent.name} · {obj.name}"
        if obj.level == roles.TOWNSHIP:
            return f"\u3000{obj.name}"
        return obj.name


def import_units(user):
    """Units the user may import into: the county, township and village units where they may edit people."""
    return (
        OrgUnit.objects.filter(level__in=[roles.COUNTY, roles.TOWNSHIP, roles.VILLAGE], valid_to__isnull=True)
        .filter(get_scope(user).q(roles.EDIT_PEOPLE, "code"))
        .select_related("parent")
        .order_by("code")
    )


class UploadForm(forms.Form):
    unit = UnitChoiceField(
        label="导入到",
        queryset=OrgUnit.objects.none(),
        help_text="文件中的每一行都须属于这个单位下的村（社区）",
        error_messages={"required": "请选择导入到哪个单位。", "invalid_choice": "请选择您有权导入的单位。"},
    )
    file = forms.FileField(
        label="Excel文件（.xlsx）",
        help_text=f"导入模板或名册（附件1）格式，不超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB",
        error_messages={"required": "请选择要上传的文件。", "empty": "文件是空的（0字节），请选择填好的Excel文件。"},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    enroll = forms.BooleanField(
        label="同时入库：新增的人员（及尚未在库的已有人员）作为在库后备干部，入库方式为“批量导入”",
        required=False,
        initial=True,
    )
    reserve_type = forms.ChoiceField(
        label="后备干部类型",
        choices=C.RESERVE_TYPE_CHOICES,
        initial="village_reserve",
        required=False,
        help_text="文件中有“后备干部类型”列（或旧名册“备注”写明类型）的行以文件为准；名册“备注”的其他内容记入入库记录的备注",
    )
    entered_on = forms.DateField(
        label="入库日期",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text="文件中“入库日期”列有值的行以该列为准",
    )
    override = forms.CharField(
        label="资格例外理由",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="仅在有人资格条件不符合（如学历低于县里的要求）但确需入库时填写，将记入这些人的入库记录",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = import_units(user)
        self.fields["unit"].queryset = units
        if not self.is_bound:
            self.initial.setdefault("unit", units.first())  # the user's own township (or county), top of the list
        self.initial.setdefault("entered_on", timezone.localdate())

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(f"文件超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB，请分成几个文件导入。")
        return upload

    def clean(self):
        data = super().clean()
        if data.get("enroll"):
            on = data.get("entered_on")
            if not on and "entered_on" not in self.errors:
                self.add_error("entered_on", "同时入库时请填写入库日期。")
            elif on and on > timezone.localdate():
                self.add_error("entered_on", "入库日期不能晚于今天。")
            elif on and on < datetime.date(1949, 10, 1):
                self.add_error("entered_on", "请填写正确的入库日期。")
            if not data.get("reserve_type"):
                data["reserve_type"] = "village_reserve"
        return data

    def options(self) -> dict:
        data = self.cleaned_data
        enroll = bool(data.get("enroll"))
        return {
            "enroll": enroll,
            "reserve_type": data.get("reserve_type") or "village_reserve",
            "entered_on": data["entered_on"].isoformat() if enroll and data.get("entered_on") else "",
            "override": (data.get("override") or "").strip() if enroll else "",
        }
