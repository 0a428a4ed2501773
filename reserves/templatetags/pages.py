"""Page furniture shared by the generic page templates (templates/form_page.html)."""

import html

from django import template
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.utils.html import strip_tags

register = template.Library()


@register.simple_tag(takes_context=True)
def block_text(context, name: str) -> str:
    """The text of block `name` as the most derived template defines it, tags stripped: the <title> of a form page
    is its heading, whether a view passes `heading` or the child template overrides the heading block (Django
    renders a block once, so the title cannot simply repeat it). Only meaningful inside {% extends %}."""
    block_context = context.render_context.get(BLOCK_CONTEXT_KEY)
    node = block_context.get_block(name) if block_context is not None else None
    if node is None:
        return ""
    with context.push(block=node):
        text = node.nodelist.render(context)
    # Plain text back; the tag escapes it again on output.
    return " ".join(html.unescape(strip_tags(text)).split())
