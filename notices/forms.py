from django import forms

from notices.models import CalendarDay, Objection


def _date(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"required": f"请填写{label}。", "invalid": f"{label}格式不正确。"},
        **kwargs,
    )


def _upload(help_text):
    """An optional file; its content (PDF or image, at most 10 MB) is checked by the service, in Chinese."""
    return forms.FileField(
        label="附件（可选）",
        required=False,
        help_text=f"{help_text}；PDF或图片（JPG、PNG、GIF、WEBP），不超过10MB",
        error_messages={
            "invalid": "附件上传不完整，请重新选择。",
            "missing": "未收到附件，请重新选择。",
            "empty": "附件是空文件。",
            "max_length": "附件文件名过长。",
        },
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
    upload = _upload("如反映信件、举报材料的扫描件或照片")


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
    upload = _upload("如核查报告、谈话记录的扫描件")


class CalendarDayForm(forms.Form):
    date = _date("日期")
    kind = forms.ChoiceField(
        label="类型", choices=CalendarDay.KIND_CHOICES, error_messages={"required": "请选择类型。"}
    )
    note = forms.CharField(label="说明", max_length=60, required=False, help_text="如：国庆节、春节调休")
