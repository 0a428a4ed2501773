from django import template

from reserves.compliance import DUE, NA, OK, OVERDUE, STATUS_LABELS

register = template.Library()

_CLASSES = {OK: "text-bg-success", DUE: "text-bg-warning", OVERDUE: "text-bg-danger", NA: "text-bg-light"}


@register.filter
def status_class(status):
    return _CLASSES.get(status, "text-bg-secondary")


@register.filter
def status_label(status):
    return STATUS_LABELS.get(status, status)


@register.filter
def cn_date(day):
    """2026年3月31日."""
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"
