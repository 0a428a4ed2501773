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
