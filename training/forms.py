import datetime

from django import forms

from org import roles
from org.fields import SafeModelChoiceField
from org.models import OrgUnit
from org.parsing import parse_id
from org.scope import get_scope
from training.models import FORM_CHOICES, PRACTICE_KIND_CHOICES, TrainingProgramme
from training.selectors import RULES

DATE = {"widget": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}


class UnitChoiceField(SafeModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_level_display()}）"


class ProgrammeChoiceField(SafeModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.year}年 · {obj.name}（{obj.unit.name}）"


def programme_choices(user, under=None):
    """轮训 programmes a training may be a session of: visible to the user and, when the organising unit is known,
    organised by that unit or a unit above it."""
    qs = TrainingProgramme.objects.for_user(user).select_related("unit").order_by("-year", "unit__code", "name", "id")
    if under is not None:
        qs = qs.filter(unit__code__in=OrgUnit(code=under.code).ancestor_codes())
    return qs


class TrainingFieldsForm(forms.Form):
    """The fields of a training. `user` offers the 轮训 programmes (of `under`, the organising unit, when known)."""

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
    programme = ProgrammeChoiceField(
        label="所属轮训班次",
        queryset=TrainingProgramme.objects.none(),
        required=False,
        empty_label="不属于轮训班",
        help_text="同一轮训班各期的天数可合计计算（如“每年全覆盖轮训一遍，不少于3天”）；单独举办的培训不选",
    )

    def __init__(self, *args, user=None, under=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None:
            del self.fields["programme"]
        else:
            self.fields["programme"].queryset = programme_choices(user, under)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "结束日期不能早于开始日期。")
        return data


class EventForm(TrainingFieldsForm):
    unit = UnitChoiceField(label="组织单位", queryset=OrgUnit.objects.none(), help_text="由哪一级录入和管理该培训")

    field_order = ["unit", "form", "start", "end", "days", "content", "organiser", "programme"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        units = editable_units(user)
        self.fields["unit"].queryset = units
        only = list(units[:2])
        if len(only) == 1:
            self.fields["unit"].initial = only[0]
            self.fields["unit"].empty_label = None


def editable_units(user):
    """Townships and counties the user may record trainings and programmes for."""
    return (
        OrgUnit.objects.filter(level__in=[roles.TOWNSHIP, roles.COUNTY], valid_to__isnull=True)
        .filter(get_scope(user).q(roles.EDIT_PEOPLE, "code"))
        .order_by("code")
    )


class ProgrammeForm(forms.Form):
    """A 轮训 programme; `user` given: a new one (with its organising unit), otherwise an edit (the unit stays)."""

    unit = UnitChoiceField(label="组织单位", queryset=OrgUnit.objects.none(), help_text="由哪一级组织该轮训")
    year = forms.TypedChoiceField(label="年度", coerce=int)
    name = forms.CharField(label="轮训班名称", max_length=100, help_text="如：2026年村党组织书记后备力量全覆盖轮训")
    note = forms.CharField(
        label="说明", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="可不填"
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = datetime.date.today().year
        years = list(range(this_year + 1, this_year - 10, -1))
        kept = (self.initial or {}).get("year")
        if isinstance(kept, int) and kept not in years:  # an old programme keeps its year when edited
            years.append(kept)
        self.fields["year"].choices = [(y, f"{y}年") for y in years]
        if user is None:
            del self.fields["unit"]
            return
        units = editable_units(user)
        self.fields["unit"].queryset = units
        only = list(units[:2])
        if len(only) == 1:
            self.fields["unit"].initial = only[0]
            self.fields["unit"].empty_label = None


class ProgrammeFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = datetime.date.today().year
        self.fields["year"].choices = [("", "全部")] + [(y, f"{y}年") for y in range(this_year + 1, this_year - 10, -1)]


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
    township = SafeModelChoiceField(label="乡镇", queryset=OrgUnit.objects.none(), required=False)

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
    county = SafeModelChoiceField(label="县（区）", queryset=OrgUnit.objects.none(), required=False)
    township = SafeModelChoiceField(label="乡镇", queryset=OrgUnit.objects.none(), required=False)
    village = SafeModelChoiceField(label="村（社区）", queryset=OrgUnit.objects.none(), required=False)
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
        if parse_id(township_id) is not None:
            villages = villages.filter(parent_id=parse_id(township_id))
        elif scope.top_level in (roles.CITY, roles.COUNTY) or not scope.has(roles.VIEW):
            villages = villages.none()
        self.fields["village"].queryset = villages


class CandidateFilterForm(forms.Form):
    """Filters of the bulk enrolment page (GET)."""

    township = SafeModelChoiceField(label="乡镇", queryset=OrgUnit.objects.none(), required=False)
    village = SafeModelChoiceField(label="村（社区）", queryset=OrgUnit.objects.none(), required=False)
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
        if parse_id(township_id) is not None:
            villages = villages.filter(parent_id=parse_id(township_id))
        elif "township" in self.fields:
            villages = villages.none()
        self.fields["village"].queryset = villages
