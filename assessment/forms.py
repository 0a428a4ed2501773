import datetime

from django import forms
from django.utils import timezone

from org.fields import SafeModelChoiceField
from reserves.models import ReserveRecord

from .compliance import records_in_period

DATE = {"widget": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}


class RecordField(SafeModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.person.name}（{obj.get_reserve_type_display()}）"


def village_records(village, today: datetime.date | None = None):
    """The reserves a village enters attendance for: in its pool at some time in the past year (or later)."""
    today = today or timezone.localdate()
    return (
        records_in_period(today - datetime.timedelta(days=366), today + datetime.timedelta(days=366), village=village)
        .select_related("person")
        .order_by("person__name", "pk")
    )


class VillageRecordForm(forms.Form):
    record = RecordField(label="后备干部", queryset=ReserveRecord.objects.none())

    def __init__(self, *args, village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].queryset = village_records(village)


class LeaveForm(VillageRecordForm):
    start = forms.DateField(label="请假开始日期", **DATE)
    end = forms.DateField(label="请假结束日期", **DATE)
    reason = forms.CharField(label="请假事由", max_length=300)
    returned_on = forms.DateField(
        label="销假日期", required=False, help_text="补录已经结束的请假时填写；平时请假回来后再销假", **DATE
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="审批意见", choices=[("approve", "批准"), ("reject", "不予批准")])
    note = forms.CharField(label="说明", max_length=300, required=False, help_text="不予批准时必填")


class CloseForm(forms.Form):
    returned_on = forms.DateField(label="销假（返岗）日期", initial=timezone.localdate, **DATE)


class AbsenceForm(VillageRecordForm):
    start = forms.DateField(label="缺勤起始日期", **DATE)
    end = forms.DateField(label="缺勤终止日期", **DATE)
    note = forms.CharField(label="说明", max_length=300, required=False)


class InabilityForm(VillageRecordForm):
    found_on = forms.DateField(label="发现日期", **DATE)
    reported_on = forms.DateField(label="报告日期", initial=timezone.localdate, **DATE)
    reason = forms.CharField(label="不能正常履职的情况", max_length=500, widget=forms.Textarea(attrs={"rows": 4}))


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="重新开放的理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}), help_text="将记入审计日志"
    )
