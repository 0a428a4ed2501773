from django import template
from django.urls import reverse
from django.utils.html import format_html

from org import roles

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboards_links(context) -> list[tuple[str, str]]:
    """Menu entries for the user's counties (scorecard, half-yearly analysis), from the scope's grants: no query."""
    scope = context.get("scope")
    if scope is None:
        return []
    on = context.get("dashboards_today")
    if on is None:
        from django.utils import timezone

        on = timezone.localdate()
    half = 1 if on.month <= 6 else 2
    links = []
    for grant in sorted(scope.units(roles.VIEW), key=lambda g: g.code):
        if grant.level == roles.CITY:
            links.append(("全市总览", reverse("dashboard_city", args=[grant.unit_id])))
        if grant.level == roles.COUNTY:
            links += [
                ("乡镇工作评价", reverse("dashboard_scorecard", args=[grant.unit_id])),
                ("半年分析", reverse("halfyear_report", args=[grant.unit_id, on.year, half])),
            ]
    return links


@register.simple_tag
def fig(f):
    """A figure as a link to the list behind it (`data-n`: the rows that list shows), or plain text without one.
    A tag rather than an include: a dashboard shows a few hundred figures."""
    if f is None:
        return ""
    if f.url:
        return format_html('<a class="fig" href="{}" data-n="{}">{}</a>', f.url, f.n, str(f))
    return format_html('<span class="fig-nolink">{}</span>', str(f))
