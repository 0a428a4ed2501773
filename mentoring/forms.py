import datetime

from django import forms
from django.utils import timezone

from org import roles
from org.fields import SafeModelChoiceField
from org.models import OrgUnit, User
from org.parsing import parse_id, parse_ids
from org.scope import get_scope
from reserves.compliance import quarter_of

from .models import KIND_CHOICES, MENTOR_KINDS, QUARTER_CHOICES
from .rules import RULES

DATE = {"widget": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}
NOTE_ROWS = {"rows": 4}


def year_choices(today: datetime.date | None = None):
    today = today or timezone.localdate()
    return [(y, f"{y}年") for y in range(today.year, 2016, -1)]


class EntryForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int)
    quarter = forms.TypedChoiceField(label="季度", choices=QUARTER_CHOICES, coerce=int)
    date = forms.DateField(label="帮扶时间", error_messages={"required": "请填写帮扶时间。"}, **DATE)
    content = forms.CharField(
        label="帮扶内容",
        max_length=2000,
        widget=forms.Textarea(attrs=NOTE_ROWS),
        error_messages={"required": "请填写帮扶内容。", "max_length": "帮扶内容不能超过%(limit_value)d字。"},
        help_text="本季度帮带的主要事项：政策理论学习、参与村务、化解矛盾、项目推进等",
    )
    assessment = forms.CharField(
        label="评定意见",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "评定意见不能超过%(limit_value)d字。"},
        help_text="对本季度表现的评定，可由乡镇党委审核后填写",
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        if editing:  # an entry keeps its quarter; change the date within it
            self.fields["year"].disabled = True
            self.fields["quarter"].disabled = True


class TalkForm(forms.Form):
    """One talk; the participants come as `records` checkboxes rendered by the page, checked against the choices."""

    kind = forms.ChoiceField(label="谈话类型", choices=KIND_CHOICES)
    date = forms.DateField(label="谈话日期", initial=timezone.localdate, **DATE)
    held_by_user = SafeModelChoiceField(
        label="谈话人（有账号）", queryset=User.objects.none(), required=False, empty_label="（填写姓名）"
    )
    held_by_name = forms.CharField(label="谈话人姓名（无账号时填写）", max_length=50, required=False)
    held_by_post = forms.CharField(label="谈话人职务", max_length=60, required=False, help_text="如：乡镇党委书记")
    notes = forms.CharField(
        label="谈话内容",
        max_length=4000,
        widget=forms.Textarea(attrs=NOTE_ROWS),
        error_messages={"required": "请填写谈话内容。", "max_length": "谈话内容不能超过%(limit_value)d字。"},
    )
    all_in_pool = forms.BooleanField(label="全体在库后备干部参加（不必逐个勾选）", required=False)

    def __init__(self, *args, record_choices, holders=None, mentor_only=False, kinds=None, **kwargs):
        """`mentor_only`: the actor holds the talk themselves (a mentor, or a village secretary with `kinds`);
        `kinds`: the talk kinds offered (default: all for editors, the mentor kinds for mentors)."""
        super().__init__(*args, **kwargs)
        self.record_choices = record_choices
        if kinds is None and mentor_only:
            kinds = MENTOR_KINDS
        if kinds is not None:
            self.fields["kind"].choices = [(k, label) for k, label in KIND_CHOICES if k in kinds]
        if mentor_only:
            for name in ("held_by_user", "held_by_name", "all_in_pool"):
                del self.fields[name]
        else:
            self.fields["held_by_user"].queryset = holders
            self.fields["held_by_user"].label_from_instance = lambda u: u.display_name or u.username

    def selected_ids(self) -> set[int]:
        return set(parse_ids(self.data.getlist("records"))) if self.is_bound else set()

    def clean(self):
        data = super().clean()
        if data.get("all_in_pool"):
            data["records"] = list(self.record_choices)
            return data
        ids = self.selected_ids()
        records = [r for r in self.record_choices if r.pk in ids]
        if len(records) != len(ids):
            self.add_error(None, "所选谈话对象有误，请刷新页面后重试。")
        elif not records:
            self.add_error(None, "请至少选择一名谈话对象。")
        data["records"] = records
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="删除原因",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请说明删除原因。"},
    )


class QuarterRowForm(forms.Form):
    """One row of the township's quarterly bulk entry page; a row with nothing filled is skipped."""

    date = forms.DateField(label="帮扶时间", required=False, **DATE)
    content = forms.CharField(label="帮扶内容", max_length=2000, required=False, widget=forms.Textarea({"rows": 2}))
    assessment = forms.CharField(label="评定意见", max_length=500, required=False)

    @property
    def filled(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("date") or (data.get("content") or "").strip() or (data.get("assessment") or "").strip())


class UnitFilterForm(forms.Form):
    """County (city users), township and village, as the reserve list filters them."""

    county = SafeModelChoiceField(label="县（区）", queryset=OrgUnit.objects.none(), required=False, empty_label=None)
    township = SafeModelChoiceField(label="乡镇", queryset=OrgUnit.objects.none(), required=False)
    village = SafeModelChoiceField(label="村（社区）", queryset=OrgUnit.objects.none(), required=False)

    def __init__(self, *args, user, counties=None, perm=roles.VIEW, **kwargs):
        super().__init__(*args, **kwargs)
        scope = get_scope(user)
        if counties is None or len(counties) <= 1:
            del self.fields["county"]
        else:
            self.fields["county"].queryset = OrgUnit.objects.filter(pk__in=[c.pk for c in counties]).order_by("code")
        townships = OrgUnit.objects.filter(level=roles.TOWNSHIP, valid_to__isnull=True).filter(scope.q(perm, "code"))
        villages = OrgUnit.objects.filter(level=roles.VILLAGE, valid_to__isnull=True).filter(scope.q(perm, "code"))
        township_id = str(self.data.get("township", "")) if self.is_bound else ""
        if parse_id(township_id) is not None:
            villages = villages.filter(parent_id=parse_id(township_id))
        elif scope.top_level in (roles.CITY, roles.COUNTY):
            villages = villages.none()  # choose a township first
        self.fields["township"].queryset = townships.order_by("code")
        self.fields["village"].queryset = villages.order_by("code")


class ComplianceFilterForm(UnitFilterForm):
    rule = forms.ChoiceField(label="问题", choices=[("", "全部")] + RULES, required=False)


class QuarterPickForm(UnitFilterForm):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    quarter = forms.TypedChoiceField(label="季度", choices=QUARTER_CHOICES, coerce=int, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        year, quarter = quarter_of(timezone.localdate())
        self.fields["year"].initial, self.fields["quarter"].initial = year, quarter
