import datetime

from django import forms
from django.core.exceptions import ValidationError

from org import roles
from org.fields import SafeModelChoiceField, SafeModelMultipleChoiceField
from org.models import OrgUnit
from org.scope import get_scope
from reserves.choices import RESERVE_TYPE_CHOICES
from reserves.eligibility import QL7_ITEMS
from reserves.forms import PersonForm
from reserves.identity import validate_id
from reserves.models import Person
from selection.models import ATTENDEE_CATEGORIES, CHANNEL_CHOICES, KIND_CHOICES

DATE = {"widget": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}


class RoundForm(forms.Form):
    township = SafeModelChoiceField(label="乡镇", queryset=OrgUnit.objects.none())
    villages = SafeModelMultipleChoiceField(
        label="涉及村（社区）", queryset=OrgUnit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(label="选拔程序", choices=KIND_CHOICES)
    reserve_type = forms.ChoiceField(label="后备干部类型", choices=RESERVE_TYPE_CHOICES)
    title = forms.CharField(label="公告标题", max_length=120)
    announcement = forms.CharField(label="公告正文", widget=forms.Textarea(attrs={"rows": 8}))
    announced_on = forms.DateField(label="公告日期", **DATE)
    nomination_deadline = forms.DateField(label="推荐（报名）截止日期", **DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = get_scope(user)
        townships = OrgUnit.objects.filter(level=roles.TOWNSHIP, valid_to__isnull=True).filter(
            scope.q(roles.EDIT_PEOPLE, "code")
        )
        self.fields["township"].queryset = townships
        only = list(townships[:2])
        if len(only) == 1:  # a township user: nothing to choose
            self.fields["township"].initial = only[0]
            self.fields["township"].empty_label = None
        self.fields["villages"].queryset = (
            OrgUnit.objects.filter(level=roles.VILLAGE, valid_to__isnull=True)
            .filter(scope.q(roles.EDIT_PEOPLE, "code"))
            .select_related("parent")
            .order_by("code")
        )
        self.fields["villages"].label_from_instance = lambda v: f"{v.parent.name} · {v.name}"


class NominationForm(forms.Form):
    village = SafeModelChoiceField(label="拟推荐为哪个村（社区）的后备干部", queryset=OrgUnit.objects.none())
    channel = forms.ChoiceField(label="推荐渠道", choices=CHANNEL_CHOICES)
    nominated_by = forms.CharField(
        label="推荐人／推荐单位", max_length=120, help_text="如：××村党总支；党员张××等5人；本人"
    )
    nominated_on = forms.DateField(label="推荐日期", initial=datetime.date.today, **DATE)
    existing_id = forms.CharField(
        label="已登记人员的身份证号",
        max_length=40,
        required=False,
        help_text="已在系统中登记的人员，填身份证号即可；新人员请在下方登记",
    )
    cross_village_reason = forms.CharField(
        label="跨村统筹理由",
        max_length=300,
        required=False,
        help_text="本村没有合适人选、由乡镇在本乡镇范围内统筹时填写",
    )
    ban_override = forms.CharField(
        label="再选拔限制例外理由",
        max_length=300,
        required=False,
        help_text="被取消资格未满规定年限（原则上）而确需推荐时填写",
    )
    form_scan = forms.FileField(label="推荐表（扫描件，可选）", required=False, help_text="PDF或图片，不超过10MB")

    def __init__(self, *args, round_, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = round_.villages.filter(get_scope(user).q(roles.NOMINATE, "code"))

    def clean(self):
        data = super().clean()
        raw = (data.get("existing_id") or "").strip()
        data["person"] = None
        if raw:
            try:
                number = validate_id(raw)
            except ValidationError as exc:
                self.add_error("existing_id", exc)
                return data
            data["person"] = Person.objects.filter(id_number=number).select_related("village").first()
            if data["person"] is None:
                self.add_error("existing_id", "系统中没有登记该身份证号的人员，请在下方登记新人员。")
        return data


class NewPersonForm(PersonForm):
    """The person form, for a nominee not yet registered; village choices follow the nominator's right."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["village"].queryset = (
            OrgUnit.objects.filter(level=roles.VILLAGE, valid_to__isnull=True)
            .filter(get_scope(user).q(roles.NOMINATE, "code"))
            .select_related("parent")
        )


class ReviewForm(forms.Form):
    passed = forms.TypedChoiceField(
        label="审查结论", choices=[("1", "通过"), ("0", "不通过")], coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="审查意见",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="有“需确认”的条件时须写明确认理由；不通过时须写明理由",
    )

    def __init__(self, *args, with_checklist=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_checklist = with_checklist
        if with_checklist:
            for key, label in QL7_ITEMS:
                self.fields[f"ql7_{key}"] = forms.TypedChoiceField(
                    label=label,
                    choices=[("0", "否"), ("1", "是")],
                    coerce=lambda v: v == "1",
                    widget=forms.RadioSelect,
                    initial="0",
                )

    def checklist(self):
        if not self.with_checklist:
            return None
        return {key: self.cleaned_data[f"ql7_{key}"] for key, _ in QL7_ITEMS}


class MeetingForm(forms.Form):
    date = forms.DateField(label="会议日期", **DATE)
    place = forms.CharField(label="会议地点", max_length=120)
    categories = forms.MultipleChoiceField(
        label="参会人员类别",
        choices=ATTENDEE_CATEGORIES,
        widget=forms.CheckboxSelectMultiple,
        initial=[k for k, _ in ATTENDEE_CATEGORIES],
    )
    # Bounded: an unbounded number would overflow the column (a 500) instead of being refused here
    expected = forms.IntegerField(
        label="应到人数",
        min_value=1,
        max_value=100_000,
        error_messages={"min_value": "应到人数须大于0。", "max_value": "应到人数不能超过100000。"},
    )
    present = forms.IntegerField(
        label="实到人数",
        min_value=0,
        max_value=100_000,
        error_messages={"min_value": "实到人数不能为负数。", "max_value": "实到人数不能超过100000。"},
    )
    minutes = forms.FileField(label="会议记录（扫描件，可选）", required=False)


class SelectInspectionForm(forms.Form):
    staffing_note = forms.CharField(
        label="结合村“两委”班子职数配备情况的说明", widget=forms.Textarea(attrs={"rows": 3})
    )
    notice_start = forms.DateField(label="公示张贴日期", initial=datetime.date.today, **DATE)
    place = forms.CharField(label="张贴地点", max_length=60, initial="村（社区）公示栏")
    contact = forms.CharField(label="意见受理（电话或地点）", max_length=120, required=False)


class InspectionForm(forms.Form):
    team = forms.CharField(label="考察组成员", max_length=300)
    date = forms.DateField(label="考察日期", **DATE)


class DecisionForm(forms.Form):
    date = forms.DateField(label="乡镇党委会会议日期", **DATE)
    text = forms.CharField(label="研究决定", widget=forms.Textarea(attrs={"rows": 3}))
    notice_start = forms.DateField(label="村内公示张贴日期", initial=datetime.date.today, **DATE)
    place = forms.CharField(label="张贴地点", max_length=60, initial="村（社区）公示栏")
    contact = forms.CharField(label="意见受理（电话或地点）", max_length=120, required=False)
    minutes = forms.FileField(label="会议记录（扫描件，可选）", required=False)


class CountyDecisionForm(forms.Form):
    date = forms.DateField(label="决定日期", **DATE)
    text = forms.CharField(label="研究决定", widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(forms.Form):
    purpose = forms.CharField(label="材料名称", max_length=40, help_text="如：考察材料、公示照片、会议记录")
    file = forms.FileField(label="文件", help_text="PDF或图片，不超过10MB")
