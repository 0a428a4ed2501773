"""Spreadsheet cells that are always text: Excel evaluates a cell whose text starts with = + - @ (and, through DDE
tricks, tab or CR) as a formula, and openpyxl writes such a string as a formula too. The control characters an .xlsx
cannot hold are dropped (openpyxl raises IllegalCharacterError on them). Every export writes text through here."""

import re

# XML 1.0 forbids C0 controls other than tab, LF and CR; openpyxl's ILLEGAL_CHARACTERS_RE is the same set.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(value) -> str:
    """The value as a string without the characters an .xlsx cannot hold (None becomes "")."""
    if value is None:
        return ""
    return _ILLEGAL.sub("", str(value))


def set_text(cell, value):
    """Write `value` into an openpyxl cell as text: a formula-like string is stored as a string, not a formula."""
    s = clean(value)
    cell.value = s
    if s.startswith(FORMULA_START):
        cell.data_type = "s"  # openpyxl guessed "f" from the leading "="; force a plain (shared) string
        cell.quotePrefix = True  # and Excel keeps it text when the user edits the cell
    return cell
