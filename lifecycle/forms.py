import datetime
import re

from django import forms
from django.db.models import Q
from django.utils import timezone

from lifecycle.models import (
    GROUND_CHOICES,
    OCCASION_CHOICES,
    OPINION_SOURCE_CHOICES,
    OPINION_SOURCES,
    POSITIONS_CUN,
    POSITIONS_SHEQU,
    Use,
    ground_groups_for,
)
from org import roles
from org.fields import SafeModelChoiceField, SafeModelMultipleChoiceField
from org.models import OrgUnit
from org.scope import get_scope
from reserves.models import Flag

DATE = {"widget": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}
UPLOAD_HELP = "PDF或图片，不超过10MB（可选）"


def county_villages(village: OrgUnit):
    """Current villages of the county of `village` (names are not sensitive: any village may be a target)."""
    return (
        OrgUnit.objects.filter(level=roles.VILLAGE, valid_to__isnull=True, code__startswith=village.code[:6])
        .select_related("parent")
        .order_by("code")
    )


class VillageChoiceField(SafeModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id else obj.name


class RemovalForm(forms.Form):
    grounds = forms.MultipleChoiceField(
        label="取消资格的理由", choices=GROUND_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    account = forms.CharField(
        label="具体情况说明", widget=forms.Textarea(attrs={"rows": 6}), max_length=2000, strip=True
    )
    flags = SafeModelMultipleChoiceField(
        label="据以提出的提示（来自培养、考核、考勤记录）",
        queryset=Flag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    initiator_note = forms.CharField(
        label="乡镇党委直接提出的原因",
        max_length=300,
        required=False,
        help_text="村（社区）党组织无法提出时（如书记本人为当事人）由乡镇党委直接提出，须说明原因",
    )
    upload = forms.FileField(label="附件（如考核材料、情况报告）", required=False, help_text=UPLOAD_HELP)

    def __init__(self, *args, record, preset="", with_initiator_note=False, **kwargs):
        super().__init__(*args, **kwargs)
        # The county's own seed's grounds first, then the other seeds' (a county may weigh any of them).
        self._groups = ground_groups_for(preset)
        self.fields["grounds"].choices = [(title, choices) for title, _intro, choices, _own in self._groups]
        self.fields["flags"].queryset = Flag.objects.open().filter(record=record).order_by("raised_on", "id")
        self.fields["flags"].label_from_instance = lambda f: (
            f"{f.raised_on:%Y.%m.%d} {f.get_kind_display()}：{f.reason}"
        )
        if not with_initiator_note:
            del self.fields["initiator_note"]

    @property
    def ground_groups(self) -> list[dict]:
        """The checkboxes of the grounds, by seed, for the template (built when rendered, after validation)."""
        boxes = {bf.data["value"]: bf for bf in self["grounds"]}
        return [
            {"title": title, "intro": intro, "own": own, "boxes": [boxes[key] for key, _label in choices]}
            for title, intro, choices, own in self._groups
        ]


class ReasonForm(forms.Form):
    note = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=500)


class UseForm(forms.Form):
    target_village = VillageChoiceField(label="拟任职村（社区）", queryset=OrgUnit.objects.none())
    position = forms.ChoiceField(label="拟任职务", choices=[("村", POSITIONS_CUN), ("社区", POSITIONS_SHEQU)])
    occasion = forms.ChoiceField(label="时机", choices=OCCASION_CHOICES)
    recommendation = forms.CharField(
        label="村（社区）党组织推荐意见", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    cross_reason = forms.CharField(
        label="跨村统筹理由",
        max_length=300,
        required=False,
        help_text="推荐到其他村（社区）任职时填写（拟任职村暂无合适人选，在乡镇或全县范围内统筹调配）",
    )
    initiator_note = forms.CharField(
        label="乡镇党委直接推荐的原因", max_length=300, required=False, help_text="村（社区）党组织无法推荐时填写"
    )
    upload = forms.FileField(label="附件（推荐表等）", required=False, help_text=UPLOAD_HELP)

    def __init__(self, *args, record, with_initiator_note=False, with_upload=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_village"].queryset = county_villages(record.village)
        if not with_initiator_note:
            del self.fields["initiator_note"]
        if not with_upload:
            del self.fields["upload"]


class OpinionForm(forms.Form):
    department = forms.ChoiceField(label="意见来源", choices=OPINION_SOURCE_CHOICES)
    department_name = forms.CharField(label="部门名称", max_length=60, required=False)
    agrees = forms.TypedChoiceField(
        label="是否同意",
        choices=[("", "—"), ("1", "同意"), ("0", "不同意")],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    opinion = forms.CharField(label="意见", max_length=500, required=False)
    given_on = forms.DateField(label="日期", required=False, **DATE)

    def is_blank(self):
        d = self.cleaned_data
        return not d.get("opinion") and d.get("agrees") is None and not d.get("department_name")


OpinionFormSet = forms.formset_factory(OpinionForm, extra=0)


def opinion_initial():
    today = timezone.localdate()
    rows = [{"department": key, "given_on": today} for key, _ in OPINION_SOURCES if key != "other"]
    return rows + [{"department": "other", "given_on": today}, {"department": "other", "given_on": today}]


class NoticeForm(forms.Form):
    start = forms.DateField(label="张贴日期", initial=datetime.date.today, **DATE)
    place = forms.CharField(
        label="张贴地点（接在村名后）",
        max_length=40,
        initial="党务公开栏",
        help_text="如：党务公开栏 → 兰沟村党务公开栏",
    )
    contact = forms.CharField(label="受理电话／地点", max_length=120, required=False)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="结果", choices=Use.OUTCOME_CHOICES)
    on = forms.DateField(label="日期（选举、任命或决定之日）", initial=datetime.date.today, **DATE)
    note = forms.CharField(label="说明", max_length=500, required=False)


class TransferForm(forms.Form):
    target_village = VillageChoiceField(label="调入村（社区）", queryset=OrgUnit.objects.none())
    reason = forms.CharField(label="调动原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=500)
    on = forms.DateField(
        label="调动日期",
        initial=datetime.date.today,
        help_text="本乡镇内调动即时生效，可补记此前的日期；跨乡镇调动自县委组织部审批之日起生效",
        **DATE,
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_village"].queryset = county_villages(record.village).exclude(pk=record.village_id)


class TransferResubmitForm(forms.Form):
    reason = forms.CharField(label="调动原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=500)


MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)  # \d alone also matches "٢" and full-width digits


class StipendForm(forms.Form):
    township = SafeModelChoiceField(label="乡镇", queryset=OrgUnit.objects.none(), empty_label=None)
    month = forms.CharField(label="月份", widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, *args, user, counties: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        in_counties = Q(pk__in=[])
        for code in counties:
            in_counties |= Q(code__startswith=code)
        self.fields["township"].queryset = (
            OrgUnit.objects.filter(level=roles.TOWNSHIP)
            .filter(get_scope(user).q(roles.EDIT_PEOPLE, "code"))
            .filter(in_counties)
            .order_by("code")
        )

    def clean_month(self):
        m = MONTH_RE.match(self.cleaned_data["month"].strip())
        if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
            raise forms.ValidationError("请按“2026-06”的格式选择月份。")
        return int(m.group(1)), int(m.group(2))
