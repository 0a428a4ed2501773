import datetime

from django import forms

from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from training.models import FORM_CHOICES, PRACTICE_KIND_CHOICES
from training.selectors import RULES

DATE = {"widget": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_level_display()}）"


class TrainingFieldsForm(forms.Form):
    form = forms.ChoiceField(label="培训方式", choices=[("", "请选择")] + FORM_CHOICES)
    start = forms.DateField(label="开始日期", **DATE)
    end = forms.DateField(label="结束日期", **DATE)
    days = forms.DecimalField(
        label="培训天数",
        max_digits=4,
        decimal_places=1,
        help_text="可保留一位小数，如2.5；不超过期间的日历天数",
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5"}),
    )
    content = forms.CharField(label="培训内容", max_length=300)
    organiser = forms.CharField(label="主办单位", max_length=100, help_text="如：县委组织部、县委党校、××镇党委")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "结束日期不能早于开始日期。")
        return data


class EventForm(TrainingFieldsForm):
    unit = UnitChoiceField(label="组织单位", queryset=OrgUnit.objects.none(), help_text="由哪一级录入和管理该培训")

    field_order = ["unit", "form", "start", "end", "days", "content", "organiser"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = (
            OrgUnit.objects.filter(level__in=[roles.TOWNSHIP, roles.COUNTY], valid_to__isnull=True)
            .filter(get_scope(user).q(roles.EDIT_PEOPLE, "code"))
            .order_by("code")
        )
        self.fields["unit"].queryset = units
        only = list(units[:2])
        if len(only) == 1:
            self.fields["unit"].initial = only[0]
            self.fields["unit"].empty_label = None


class PracticeForm(forms.Form):
    kind = forms.ChoiceField(label="锻炼类型", choices=[("", "请选择")] + PRACTICE_KIND_CHOICES)
    content = forms.CharField(label="具体内容", max_length=300)
    start = forms.DateField(label="开始日期", **DATE)
    end = forms.DateField(label="结束日期", required=False, help_text="仍在进行的留空", **DATE)
    performance = forms.CharField(
        label="主要表现", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    assessment = forms.CharField(
        label="评定意见", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "结束日期不能早于开始日期。")
        return data


class EventFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)
    form = forms.ChoiceField(label="培训方式", choices=[("", "全部")] + FORM_CHOICES, required=False)
    township = forms.ModelChoiceField(label="乡镇", queryset=OrgUnit.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = datetime.date.today().year
        self.fields["year"].choices = [("", "全部")] + [(y, f"{y}年") for y in range(this_year + 1, this_year - 10, -1)]
        scope = get_scope(user)
        if scope.top_level in (roles.CITY, roles.COUNTY):
            self.fields["township"].queryset = OrgUnit.objects.filter(level=roles.TOWNSHIP).filter(
                scope.q(roles.VIEW, "code")
            )
        else:
            del self.fields["township"]


class GapFilterForm(forms.Form):
    """Filters of the non-compliance list (rendered by snippets/filter_form.html)."""

    rule = forms.ChoiceField(label="要求", choices=RULES, required=False)
    county = forms.ModelChoiceField(label="县（区）", queryset=OrgUnit.objects.none(), required=False)
    township = forms.ModelChoiceField(label="乡镇", queryset=OrgUnit.objects.none(), required=False)
    village = forms.ModelChoiceField(label="村（社区）", queryset=OrgUnit.objects.none(), required=False)
    q = forms.CharField(label="姓名", required=False, max_length=50)

    def __init__(self, *args, user, counties, **kwargs):
        super().__init__(*args, **kwargs)
        scope = get_scope(user)
        if len(counties) > 1:
            self.fields["county"].queryset = OrgUnit.objects.filter(pk__in=[c.pk for c in counties]).order_by("code")
            self.fields["county"].empty_label = None
        else:
            del self.fields["county"]
        if scope.top_level in (roles.CITY, roles.COUNTY):
            self.fields["township"].queryset = OrgUnit.objects.filter(level=roles.TOWNSHIP).filter(
                scope.q(roles.VIEW, "code")
            )
        else:
            del self.fields["township"]
        villages = OrgUnit.objects.filter(level=roles.VILLAGE).filter(scope.q(roles.VIEW, "code"))
        township_id = str(self.data.get("township", "")) if self.is_bound else ""
        if township_id.isdigit():
            villages = villages.filter(parent_id=int(township_id))
        elif scope.top_level in (roles.CITY, roles.COUNTY) or not scope.has(roles.VIEW):
            villages = villages.none()
        self.fields["village"].queryset = villages


class CandidateFilterForm(forms.Form):
    """Filters of the bulk enrolment page (GET)."""

    township = forms.ModelChoiceField(label="乡镇", queryset=OrgUnit.objects.none(), required=False)
    village = forms.ModelChoiceField(label="村（社区）", queryset=OrgUnit.objects.none(), required=False)
    q = forms.CharField(label="姓名", required=False, max_length=50)

    def __init__(self, *args, user, event, **kwargs):
        super().__init__(*args, **kwargs)
        q = get_scope(user).q(roles.EDIT_PEOPLE, "code")
        under = OrgUnit.objects.filter(code__startswith=event.unit.code).filter(q)
        if event.unit.level == roles.COUNTY and get_scope(user).top_level in (roles.CITY, roles.COUNTY):
            self.fields["township"].queryset = under.filter(level=roles.TOWNSHIP).order_by("code")
        else:
            del self.fields["township"]
        villages = under.filter(level=roles.VILLAGE).order_by("code")
        township_id = str(self.data.get("township", "")) if self.is_bound and "township" in self.fields else ""
        if township_id.isdigit():
            villages = villages.filter(parent_id=int(township_id))
        elif "township" in self.fields:
            villages = villages.none()
        self.fields["village"].queryset = villages
