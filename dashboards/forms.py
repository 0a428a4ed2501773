from django import forms

from dashboards import selectors as S
from dashboards.services import MAX_TEXT
from reserves import choices as C

OTHER_FIGURES = {
    "unreviewed": "上季度未填写乡镇评定意见",
    "removed": "本年度取消资格",
    "replenished": "本年度取消资格且已补充",
    "unreplenished": "本年度取消资格尚未补充",
}
FIGURE_LABELS = S.RESERVE_FIGURES | OTHER_FIGURES


class ReserveFilterForm(forms.Form):
    """The dashboards' reserve list: a pool figure (or a status), optionally by type and source group."""

    figure = forms.ChoiceField(label="统计项", choices=[("", "—")] + list(FIGURE_LABELS.items()), required=False)
    status = forms.ChoiceField(label="状态", choices=[("", "—")] + C.STATUS_CHOICES + [("all", "全部")], required=False)
    type = forms.ChoiceField(label="类型", choices=[("", "全部")] + C.RESERVE_TYPE_CHOICES, required=False)
    source = forms.ChoiceField(label="身份", choices=[("", "全部")] + C.SOURCE_CHOICES, required=False)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
    quarter = forms.IntegerField(label="季度", min_value=1, max_value=4, required=False)

    def clean(self):
        data = super().clean()
        if data.get("figure") and data.get("status"):
            raise forms.ValidationError("统计项和状态只能选一个。")
        return data


class VillageFilterForm(forms.Form):
    coverage = forms.CharField(required=False, max_length=40)

    def clean_coverage(self):
        key = self.cleaned_data.get("coverage") or "all"
        if S.village_filter(key) is None:
            raise forms.ValidationError("未知的筛选条件。")
        return key


class HalfYearForm(forms.Form):
    assessment_text = forms.CharField(
        label="分析评估意见",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=MAX_TEXT,
        error_messages={
            "required": "请填写分析评估意见。",
            "max_length": "分析评估意见不能超过%(limit_value)d字（当前%(show_value)d字）。",
        },
        help_text="对本半年后备干部队伍建设情况的分析、存在的问题和下一步措施，保存后随报告打印。",
    )
