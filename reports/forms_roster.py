import datetime

from django import forms
from django.utils import timezone

from org import roles
from org.fields import SafeModelChoiceField
from org.models import OrgUnit
from org.scope import get_scope

FORMATS = [("xlsx", "Excel（.xlsx）"), ("pdf", "PDF")]


def roster_units(user):
    """The units a user may print a roster for: everything in their view scope down to townships, and villages too
    for township and village users (a county's hundreds of villages would make the list unusable)."""
    scope = get_scope(user)
    top = scope.top_level
    levels = [roles.CITY, roles.COUNTY, roles.TOWNSHIP]
    if top in (roles.TOWNSHIP, roles.VILLAGE):
        levels.append(roles.VILLAGE)
    return OrgUnit.objects.for_user(user).current().filter(level__in=levels).select_related("parent").order_by("code")


class UnitChoiceField(SafeModelChoiceField):
    def label_from_instance(self, obj):
        indent = {"city": 0, "county": 1, "township": 2, "village": 3}.get(obj.level, 0)
        return "\u3000" * indent + obj.name


class RosterForm(forms.Form):
    unit = UnitChoiceField(label="单位", queryset=OrgUnit.objects.none(), empty_label=None)
    on = forms.DateField(
        label="名册日期",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text="名册列出该日在库的后备干部，年龄按该日计算。",
        error_messages={"invalid": "请输入有效日期，如 2026-11-30。"},
    )
    fmt = forms.ChoiceField(label="格式", choices=FORMATS, initial="xlsx", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = roster_units(user)
        self.fields["unit"].error_messages["invalid_choice"] = "所选单位不存在或不在您的管辖范围内。"

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError("名册日期不能晚于今天。")
        if on < datetime.date(1990, 1, 1):
            raise forms.ValidationError("名册日期过早。")
        return on


class CallForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    deadline = forms.DateField(
        label="报送截止日期",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": "请输入有效日期，如 2026-11-30。"},
    )
    note = forms.CharField(label="说明", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
