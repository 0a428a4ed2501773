from django import forms

from notices.models import CalendarDay, Objection


def _date(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"required": f"请填写{label}。", "invalid": f"{label}格式不正确。"},
        **kwargs,
    )


class ObjectionForm(forms.Form):
    received_on = _date("收到日期")
    from_whom = forms.CharField(label="反映人", max_length=60, required=False, help_text="可匿名；仅乡镇及以上可见")
    about = forms.CharField(label="涉及对象", max_length=60, required=False)
    content = forms.CharField(
        label="反映内容",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写反映内容。"},
    )


class ResolveForm(forms.Form):
    result = forms.ChoiceField(
        label="处理结果",
        choices=[("", "请选择")] + [c for c in Objection.RESULT_CHOICES if c[0] != Objection.PENDING],
        error_messages={"required": "请选择处理结果。"},
    )
    resolved_on = _date("办结日期")
    handling = forms.CharField(
        label="核查处理情况",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写核查处理情况。"},
    )


class CalendarDayForm(forms.Form):
    date = _date("日期")
    kind = forms.ChoiceField(
        label="类型", choices=CalendarDay.KIND_CHOICES, error_messages={"required": "请选择类型。"}
    )
    note = forms.CharField(label="说明", max_length=60, required=False, help_text="如：国庆节、春节调休")
