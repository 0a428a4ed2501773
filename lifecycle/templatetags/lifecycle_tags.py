from django import template

from lifecycle import rules
from org.scope import get_scope

register = template.Library()


@register.simple_tag(takes_context=True)
def stipend_tab(context) -> bool:
    """Whether the user sees the stipend tab: only when a county in their scope pays a stipend (QL §13). Read once
    per request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if not hasattr(request, "_stipend_tab"):
        request._stipend_tab = bool(rules.stipend_counties(get_scope(user)))
    return request._stipend_tab


@register.filter
def month_after(day) -> str:
    """ "2027年1月" for any day of December 2026: the first month a stipend is no longer paid after a record ends
    (QL §14, "从取消之日下月起停发"). "" for no date."""
    if not day:
        return ""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return f"{year}年{month}月"
