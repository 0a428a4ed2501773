from django import template

from org.masking import mask_id, mask_phone

register = template.Library()


@register.filter
def masked_id(value):
    return mask_id(value)


@register.filter
def masked_phone(value):
    return mask_phone(value) or "—"


@register.filter
def ym(value):
    """1990.01, as cadre paperwork writes year and month."""
    return f"{value.year}.{value.month:02d}" if value else "—"


@register.filter
def age_on(person, on):
    return person.age_on(on)


@register.filter
def change_text(value):
    """An audit change: [before, after] as "before → after", anything else as it is."""
    if isinstance(value, list) and len(value) == 2:
        before, after = ("—" if v in (None, "") else v for v in value)
        return f"{before} → {after}"
    return value


@register.filter
def audit_rows(entry):
    """An audit entry's changes in Chinese: (label, text) pairs (org.audit_labels.describe)."""
    from org.audit_labels import describe

    return describe(entry)


@register.filter
def action_text(action):
    from org.audit_labels import action_label

    return action_label(action)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key)


def _with_class(field, css):
    attrs = dict(field.field.widget.attrs)
    attrs["class"] = (attrs.get("class", "") + " " + css).strip()
    if field.errors:
        attrs["class"] += " is-invalid"
    return field.as_widget(attrs=attrs)


@register.filter
def add_class_control(field):
    return _with_class(field, "form-control")


@register.filter
def add_class_select(field):
    return _with_class(field, "form-select")
