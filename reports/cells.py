"""Values for spreadsheets and printed sheets: formula-safe text (org.xlsx) and the dates and ages of cadre
paperwork."""

import datetime

from org.xlsx import FORMULA_START, clean, set_text  # noqa: F401  (re-exported for the report builders)


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
