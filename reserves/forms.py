import datetime
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from org import roles
from org.models import OrgUnit
from org.parsing import parse_id
from org.scope import get_scope
from reserves import choices as C
from reserves.identity import validate_id, validate_name, validate_phone
from reserves.models import CountyPolicy, Person, ReserveRecord
from reserves.policy import POLICY_FIELDS, PRESET_CHOICES, RULES, SETTINGS
from reserves.services import DUPLICATE_ID_MESSAGE

_YM_PATTERNS = [
    re.compile(r"^(\d{4})[.\-/](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})$"),
]


def parse_year_month(raw: str) -> datetime.date | None:
    value = (raw or "").strip().replace("．", ".")
    if not value:
        return None
    for pattern in _YM_PATTERNS:
        m = pattern.match(value)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if 1900 <= year <= 2100 and 1 <= month <= 12:
                return datetime.date(year, month, 1)
            break
    raise ValidationError("请按“1990.01”的格式填写年月（也可写作1990年1月、199001）。")


class YearMonthField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "格式：1990.01")
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return super().widget_attrs(widget) | {"maxlength": "12", "placeholder": "1990.01"}

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return f"{value.year}.{value.month:02d}"
        return value

    def to_python(self, value):
        parsed = parse_year_month(super().to_python(value)[:20])
        if parsed and parsed > datetime.date.today():
            raise ValidationError("年月不能晚于本月。")
        return parsed


def scoped_villages(user, perm=roles.EDIT_PEOPLE):
    return (
        OrgUnit.objects.filter(level=roles.VILLAGE, valid_to__isnull=True)
        .filter(get_scope(user).q(perm, "code"))
        .select_related("parent")
        .order_by("code")
    )


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id else obj.name


PHOTO_TYPE_MESSAGE = "仅支持 JPG、PNG 图片。"


class PersonForm(forms.ModelForm):
    name = forms.CharField(
        label="姓名",
        max_length=50,
        error_messages={
            "max_length": "姓名不能超过%(limit_value)d个字（当前%(show_value)d个）。",
            "required": "请填写姓名。",
        },
    )
    id_number = forms.CharField(
        label="身份证号",
        max_length=40,
        error_messages={"required": "请填写身份证号。"},
        help_text="出生日期和性别由身份证号自动得出",
    )
    phone = forms.CharField(label="电话号码", max_length=30, required=False)
    party_joined = YearMonthField(label="入党时间")
    work_started = YearMonthField(label="参加工作时间")
    source_group = forms.ChoiceField(label="身份", choices=[("", "请选择")] + C.SOURCE_GROUPED)
    village = VillageChoiceField(label="所在村（社区）", queryset=OrgUnit.objects.none())

    class Meta:
        model = Person
        fields = Person.EDITABLE_FIELDS
        widgets = {"specialty": forms.TextInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = scoped_villages(user)
        if self.instance.pk:
            self.initial["phone"] = self.instance.phone
        self.fields["photo"].help_text = "JPG或PNG图片，不超过5MB"
        # One Chinese message for a wrong type (not Django's list of every extension Pillow knows).
        self.fields["photo"].validators = []
        self.fields["photo"].error_messages["invalid_image"] = PHOTO_TYPE_MESSAGE

    def clean_name(self):
        return validate_name(self.cleaned_data["name"])

    def clean_id_number(self):
        number = validate_id(self.cleaned_data["id_number"])
        if Person.objects.filter(id_number=number).exclude(pk=self.instance.pk).exists():
            raise ValidationError(DUPLICATE_ID_MESSAGE)
        return number

    def clean_phone(self):
        return validate_phone(self.cleaned_data.get("phone", ""))

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "size") and photo.size > settings.PHOTO_MAX_BYTES:
            raise ValidationError("照片不能超过5MB。")
        if photo and getattr(photo, "image", None) is not None:
            fmt = (photo.image.format or "").upper()
            ext = photo.name.rsplit(".", 1)[-1].lower() if "." in photo.name else ""
            if fmt not in {"JPEG", "PNG"} or ext not in {"jpg", "jpeg", "png"}:
                raise ValidationError(PHOTO_TYPE_MESSAGE)
        return photo

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        # FileField semantics: None keeps the stored photo, False clears it.
        if data.get("photo") is None:
            data.pop("photo", None)
        elif data["photo"] is False:
            data["photo"] = ""
        return data


class RecordForm(forms.Form):
    reserve_type = forms.ChoiceField(label="类型", choices=C.RESERVE_TYPE_CHOICES)
    village = VillageChoiceField(label="村（社区）", queryset=OrgUnit.objects.none())
    entered_on = forms.DateField(label="入库日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    entry_method = forms.ChoiceField(
        label="入库方式", choices=[(C.ENTRY_MANUAL, "手工录入（系统启用前已在库等）"), (C.ENTRY_IMPORT, "批量导入")]
    )
    entry_reason = forms.CharField(
        label="入库说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label="资格例外理由",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="仅在资格条件不符合但确需入库时填写",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = scoped_villages(user)


class RecordNoteForm(forms.Form):
    note = forms.CharField(
        label="备注",
        max_length=200,
        required=False,
        help_text="打印在名册（附件1）的“备注”栏，最多200字；留空则不打印。",
    )


class RecordCloseForm(forms.Form):
    ended_on = forms.DateField(label="出库日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    reason = forms.CharField(
        label="原因",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：本人申请退出、录入有误。取消资格和择优使用另走审批程序。",
    )


class PairingForm(forms.Form):
    mentor_user = forms.ModelChoiceField(
        label="帮带干部账号", queryset=None, required=False, help_text="有账号的帮带干部可自行填写帮带记录"
    )
    mentor_name = forms.CharField(label="或：帮带干部姓名（无账号）", max_length=50, required=False)
    mentor_kind = forms.ChoiceField(label="帮带类型", choices=C.MENTOR_KIND_CHOICES)
    post = forms.CharField(label="职务", max_length=60)
    start = forms.DateField(
        label="起始日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), initial=datetime.date.today
    )

    def __init__(self, *args, record: ReserveRecord, **kwargs):
        super().__init__(*args, **kwargs)
        from org.models import User

        township_code = record.village.code[:9]
        self.fields["mentor_user"].queryset = (
            User.objects.filter(
                is_active=True,
                memberships__role="mentor",
                memberships__unit__code__in=[township_code, record.village.code],
            )
            .distinct()
            .order_by("display_name")
        )


class PairingEndForm(forms.Form):
    end = forms.DateField(
        label="结束日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), initial=datetime.date.today
    )


class LookupForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=40)


class FilterForm(forms.Form):
    q = forms.CharField(label="姓名", required=False, max_length=50)
    township = forms.ModelChoiceField(label="乡镇", queryset=OrgUnit.objects.none(), required=False)
    village = forms.ModelChoiceField(label="村（社区）", queryset=OrgUnit.objects.none(), required=False)
    reserve_type = forms.ChoiceField(label="类型", choices=[("", "全部")] + C.RESERVE_TYPE_CHOICES, required=False)
    # The list opens on reserves in the pool; "全部" shows ended records too.
    status = forms.ChoiceField(
        label="状态", choices=C.STATUS_CHOICES + [("all", "全部")], required=False, initial=C.STATUS_ACTIVE
    )
    education = forms.ChoiceField(label="学历", choices=[("", "全部")] + C.EDUCATION_CHOICES, required=False)
    age_band = forms.ChoiceField(label="年龄", choices=[("", "全部")] + C.AGE_BANDS, required=False)
    political_status = forms.ChoiceField(label="政治面貌", choices=[("", "全部")] + C.POLITICAL_CHOICES, required=False)
    source_group = forms.ChoiceField(label="身份", choices=[("", "全部")] + C.SOURCE_CHOICES, required=False)

    def __init__(self, *args, user, with_record_fields=True, **kwargs):
        super().__init__(*args, **kwargs)
        scope = get_scope(user)
        townships = OrgUnit.objects.filter(level=roles.TOWNSHIP).filter(scope.q(roles.VIEW, "code"))
        self.fields["township"].queryset = townships
        # Village choices only once the township is known (a city has thousands of villages).
        villages = OrgUnit.objects.filter(level=roles.VILLAGE).filter(scope.q(roles.VIEW, "code"))
        township_id = str(self.data.get("township", "")) if self.is_bound else ""
        if parse_id(township_id) is not None:
            villages = villages.filter(parent_id=parse_id(township_id))
        elif scope.top_level in (roles.CITY, roles.COUNTY):
            villages = villages.none()
        self.fields["village"].queryset = villages
        if not with_record_fields:
            del self.fields["reserve_type"]
            del self.fields["status"]


class PolicyForm(forms.ModelForm):
    preset = forms.ChoiceField(label="依据的文件（预设）", choices=[("", "自定义")] + PRESET_CHOICES, required=False)
    training_counting_forms = forms.MultipleChoiceField(
        label="计入的培训方式",
        choices=C.TRAINING_FORM_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="都不勾选表示所有方式均计入。",
    )

    class Meta:
        model = CountyPolicy
        fields = ["effective_from", "preset", "note", *POLICY_FIELDS]
        widgets = {"effective_from": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}

    def groups(self):
        """(rule, its on/off field, its value fields) in the order of reserves.policy.RULES, for the template."""
        return [(rule, self[rule.flag], [self[n] for n in rule.fields]) for rule in RULES]

    def setting_fields(self):
        return [self[n] for n in SETTINGS]


class PolicyFromPresetForm(forms.Form):
    effective_from = forms.DateField(
        label="生效日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class MergeForm(forms.Form):
    target = VillageChoiceField(label="并入", queryset=OrgUnit.objects.none())
    on = forms.DateField(label="合并日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    note = forms.CharField(label="依据／说明", max_length=200, required=False)

    def __init__(self, *args, source: OrgUnit, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            scoped_villages(user, roles.MANAGE_ORG).filter(code__startswith=source.code[:6]).exclude(pk=source.pk)
        )
