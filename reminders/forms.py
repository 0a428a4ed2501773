from django import forms

from reserves.identity import validate_phone

from .kinds import CHANNEL_CHOICES, EXTERNAL_CHANNELS, KIND_CHOICES, KINDS, SMS, WECOM
from .models import Outbox

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class NotificationFilterForm(forms.Form):
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *KIND_CHOICES])
    unread = forms.BooleanField(label="只看未读", required=False)


class SentLogFilterForm(forms.Form):
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *KIND_CHOICES])
    channel = forms.ChoiceField(
        label="渠道", required=False, choices=[("", "全部"), ("inapp", "站内"), *CHANNEL_CHOICES]
    )
    state = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), ("unread", "站内未读"), ("read", "站内已读"), *Outbox.STATE_CHOICES],
    )
    q = forms.CharField(label="接收人", required=False, max_length=50)
    date_from = forms.DateField(label="起始日期", required=False, widget=DATE)
    date_to = forms.DateField(label="截止日期", required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        if data.get("state") in ("read", "unread") and data.get("channel") not in ("", "inapp"):
            raise forms.ValidationError("“站内已读／未读”只适用于站内提醒，请把渠道选为“站内”或“全部”。")
        if data.get("state") in ("read", "unread"):
            data["channel"] = "inapp"
        return data


def field_name(kind: str, channel: str) -> str:
    return f"on_{kind}_{channel}"


class PreferencesForm(forms.Form):
    """One checkbox per kind and external channel (checked: send), and the SMS / 政务微信 addresses."""

    sms = forms.CharField(label="短信接收手机号码", required=False, max_length=20)
    wecom = forms.RegexField(
        label="政务微信账号",
        required=False,
        max_length=64,
        regex=r"^[A-Za-z0-9_.@-]+$",
        error_messages={"invalid": "政务微信账号只能包含字母、数字和 _ . @ -。"},
    )

    def __init__(self, *args, off: set[tuple[str, str]], addresses: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sms"].initial = addresses.get(SMS, "")
        self.fields["wecom"].initial = addresses.get(WECOM, "")
        for kind in KINDS:
            for channel in EXTERNAL_CHANNELS:
                self.fields[field_name(kind.key, channel)] = forms.BooleanField(
                    required=False, initial=(kind.key, channel) not in off
                )

    def clean_sms(self):
        try:
            return validate_phone(self.cleaned_data["sms"])
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

    def rows(self):
        """(kind, [(channel, bound field)]) for the table."""
        return [(kind, [(c, self[field_name(kind.key, c)]) for c in EXTERNAL_CHANNELS]) for kind in KINDS]

    def off(self) -> set[tuple[str, str]]:
        return {
            (kind.key, channel)
            for kind in KINDS
            for channel in EXTERNAL_CHANNELS
            if not self.cleaned_data.get(field_name(kind.key, channel))
        }

    def addresses(self) -> dict[str, str]:
        return {SMS: self.cleaned_data["sms"], WECOM: self.cleaned_data["wecom"]}


CHANNEL_COLUMNS = [(c, label) for c, label in CHANNEL_CHOICES if c in EXTERNAL_CHANNELS]
