"""Form fields that refuse a hostile key before it reaches the database.

Django's ModelMultipleChoiceField filters `pk__in=[...]` with whatever was posted: a 20-digit number overflows SQLite's
INTEGER (OverflowError) and PostgreSQL's bigint (DataError), a 500 either way. ModelChoiceField accepts "٥" as pk 5
(int() reads any Unicode decimal digit). These fields accept only keys that org.parsing.parse_id accepts (ASCII
digits within the bigint range) and refuse the rest with the field's own Chinese "invalid choice" message."""

from django import forms
from django.core.exceptions import ValidationError

from org.parsing import parse_id

MAX_CHOICES = 10_000  # a multiple choice longer than any real list is refused, not sent to the database


class SafeModelChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": "所选项不存在或已失效，请重新选择。"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.to_field_name is None and not isinstance(value, self.queryset.model) and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": "所选项不存在或已失效，请重新选择。",
        "invalid_pk_value": "所选项不存在或已失效，请重新选择。",
        "invalid_list": "请选择一项或多项。",
    }

    def _check_values(self, value):
        if self.to_field_name is None:
            try:
                values = list(value)
            except TypeError:
                raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
            if len(values) > MAX_CHOICES or any(parse_id(v) is None for v in values):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value")
        return super()._check_values(value)


def posted_text(data, name: str, default: str = "") -> str:
    """A raw text value of a POST (a field the page renders itself, outside a Django form), without the NUL
    character: PostgreSQL refuses it in text columns (a 500), and Django's form fields refuse it the same way."""
    value = data.get(name, default)
    return value.replace("\x00", "") if isinstance(value, str) else default
