"""Filters the printed (PDF) templates share, so a template signs a document the way every other does."""

import math
import unicodedata

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from notices.naming import issuing_body as _issuing_body

register = template.Library()


@register.filter
def issuing_body(unit) -> str:
    """{{ round.township|issuing_body }} → 中共青禾镇委员会."""
    return _issuing_body(unit)


# Width of a character in a title line, in em: CJK and full-width characters one, others about half.
def _width(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55


# A line may not begin with these (closing punctuation stays with what it closes).
_NO_LINE_START = set("，。、；：？！）》」』”’")


# Natural places to break a title: after these words (关于 | 2026年 | 青禾镇 | …的 | …和), so no word is cut in two.
_BREAK_AFTER = ("关于", "年", "镇", "乡", "街道", "县", "的", "和", "同志", "拟任")


@register.filter
def balanced_title(value, per_line=22):
    """A title too long for one line, broken into lines of nearly equal length at a word boundary (as official
    documents set them) rather than filled line by line, which leaves "示" alone on the last line. `per_line` is how
    many CJK characters fit the line at the title's size. A run of ASCII letters and digits (2026) is never split."""
    text = str(value or "")
    per_line = max(1, int(per_line))
    ends, run = [], 0.0
    for ch in text:
        run += _width(ch)
        ends.append(run)  # ends[i]: width of text[: i + 1]
    total = ends[-1] if ends else 0
    if total <= per_line:
        return text  # autoescaped by the template
    lines = math.ceil(total / per_line)

    def can_break(i):  # between text[i - 1] and text[i]
        a, b = text[i - 1], text[i]
        return not (a.isascii() and a.isalnum() and b.isascii() and b.isalnum()) and b not in _NO_LINE_START

    natural = [i for i in range(1, len(text)) if can_break(i) and text[:i].endswith(_BREAK_AFTER)]
    breaks, prev = [], 0
    for k in range(1, lines):
        target = total * k / lines
        used = ends[prev - 1] if prev else 0
        fits = [
            i
            for i in natural
            if i > prev and ends[i - 1] - used <= per_line and total - ends[i - 1] <= per_line * (lines - k)
        ]
        if fits:
            cut = min(fits, key=lambda i: abs(ends[i - 1] - target))
        else:
            cut = next((i for i in range(prev + 1, len(text)) if ends[i - 1] >= target and can_break(i)), len(text))
        breaks.append(cut)
        prev = cut
    parts, start = [], 0
    for b in [*breaks, len(text)]:
        if b > start:
            parts.append(escape(text[start:b]))
        start = b
    return mark_safe("<br>".join(parts))  # noqa: S308 - every part is escaped above
