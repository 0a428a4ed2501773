from django import template

from org.masking import mask_phone
from reminders.kinds import CHANNEL_LABELS, KIND_LABELS, SMS

register = template.Library()

STATE_CLASSES = {
    "pending": "bg-secondary",
    "sending": "bg-info text-dark",
    "sent": "bg-success",
    "failed": "bg-danger",
    "unknown": "bg-warning text-dark",
}


@register.filter
def kind_label(key):
    return KIND_LABELS.get(key, key)


@register.filter
def channel_label(key):
    return CHANNEL_LABELS.get(key, key)


@register.filter
def state_class(state):
    return STATE_CLASSES.get(state, "bg-secondary")


@register.filter
def masked_address(delivery):
    """A phone number masked as elsewhere in the app; e-mail and account names as they are."""
    return mask_phone(delivery.address) if delivery.channel == SMS else delivery.address
