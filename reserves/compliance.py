"""The shape every cultivation and management rule answers in, per person (explained in Chinese) — its queryset
twin lives beside it in the app that owns the rule, and a test keeps the two in step."""

import datetime
from dataclasses import dataclass

OK, DUE, OVERDUE, NA = "ok", "due", "overdue", "na"
STATUS_LABELS = {OK: "已落实", DUE: "待落实", OVERDUE: "未落实", NA: "不适用"}


@dataclass
class Check:
    key: str
    label: str
    status: str  # OK / DUE (still possible before the deadline) / OVERDUE (missed) / NA (the policy has no such rule)
    reason: str
    deadline: datetime.date | None = None

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def is_problem(self):
        return self.status in (DUE, OVERDUE)


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a quarter."""
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - datetime.timedelta(days=1)
    return start, end
