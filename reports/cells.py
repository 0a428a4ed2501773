"""Values safe to put in a spreadsheet or a printed sheet, and the dates and ages of cadre paperwork.

Excel evaluates a cell whose text starts with = + - @ (and, through DDE tricks, tab or CR) as a formula; openpyxl
writes such a string as a formula too. `set_text()` makes sure it lands as text, and drops the control characters
that the XML of an .xlsx cannot hold (openpyxl raises IllegalCharacterError on them)."""

import datetime
import re

# XML 1.0 forbids C0 controls other than tab, LF and CR; openpyxl's ILLEGAL_CHARACTERS_RE is the same set.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(value) -> str:
    """The value as a string without the characters an .xlsx cannot hold (None becomes "")."""
    if value is None:
        return ""
    return _ILLEGAL.sub("", str(value))


def set_text(cell, value):
    """Write `value` into an openpyxl cell as text: a formula-like string is stored as a string, not a formula."""
    s = clean(value)
    cell.value = s
    if s.startswith(_FORMULA_START):
        cell.data_type = "s"  # openpyxl guessed "f" from the leading "="; force a plain (shared) string
        cell.quotePrefix = True  # and Excel keeps it text when the user edits the cell
    return cell


def ym(value: datetime.date | None) -> str:
    """1990.01 — year.month as cadre forms write it."""
    return f"{value.year}.{value.month:02d}" if value else ""


def cn_date(value: datetime.date | None) -> str:
    """2026年11月22日"""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def age_on(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def pad_name(name: str) -> str:
    """Two-character names padded to the width of three in print (张  三); stored unpadded."""
    return f"{name[0]}\u3000{name[1]}" if len(name) == 2 else name
