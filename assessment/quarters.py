"""When a township's quarter may be edited.

A quarter is open from its first day until the township submits it (按乡镇提交), or until the policy's grace period
after the quarter ends runs out (`quarter_grace_working_days` working days on the Chinese calendar, day 1 being the
first working day after the quarter's last day). Then it is locked. The county may reopen a locked quarter with a
written reason; a reopened quarter stays open until the township submits it again."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from notices.calendar import cn_date, count_working_days
from org.models import OrgUnit
from reserves.compliance import quarter_bounds, quarter_of
from reserves.models import CountyPolicy
from reserves.policy import county_of, policy_in_force

from .models import QuarterSubmission, quarter_label

FUTURE, OPEN, SUBMITTED, REOPENED, EXPIRED = "future", "open", "submitted", "reopened", "expired"
STATE_LABELS = {
    FUTURE: "尚未开始",
    OPEN: "评议中",
    SUBMITTED: "已提交（已锁定）",
    REOPENED: "县委组织部已重新开放",
    EXPIRED: "已过评议期（已锁定）",
}
DEFAULT_GRACE = CountyPolicy._meta.get_field("quarter_grace_working_days").get_default()


@dataclass(frozen=True)
class Deadline:
    day: datetime.date  # the last day the quarter may be edited without a submission or a reopening
    estimated: bool  # the calendar for that year is not known yet (see notices.calendar)
    grace_days: int


def grace_deadline(county: OrgUnit | None, year: int, quarter: int, policy: CountyPolicy | None = ...) -> Deadline:
    """The last day of the grace period after the quarter (one calendar query; one more for the policy unless
    given)."""
    end = quarter_bounds(year, quarter)[1]
    if policy is ...:
        policy = policy_in_force(county, end) if county is not None else None
    days = policy.quarter_grace_working_days if policy is not None else DEFAULT_GRACE
    if days < 1:
        return Deadline(end, False, 0)
    period = count_working_days(end, days, county, posting_day_counts=False)
    return Deadline(period.end, period.estimated, days)


@dataclass(frozen=True)
class QuarterStatus:
    township_id: int
    year: int
    quarter: int
    state: str
    deadline: Deadline
    submission: QuarterSubmission | None

    @property
    def start(self) -> datetime.date:
        return quarter_bounds(self.year, self.quarter)[0]

    @property
    def end(self) -> datetime.date:
        return quarter_bounds(self.year, self.quarter)[1]

    @property
    def label(self) -> str:
        return quarter_label(self.year, self.quarter)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_open(self) -> bool:
        return self.state in (OPEN, REOPENED)

    @property
    def is_locked(self) -> bool:
        return self.state in (SUBMITTED, EXPIRED)

    @property
    def is_submitted(self) -> bool:
        return self.state == SUBMITTED

    @property
    def deadline_text(self) -> str:
        text = cn_date(self.deadline.day)
        return text + ("（估算）" if self.deadline.estimated else "")

    @property
    def explanation(self) -> str:
        """Why the quarter can or cannot be edited, in Chinese."""
        if self.state == FUTURE:
            return f"{self.label}尚未开始，不能评议。"
        if self.state == SUBMITTED:
            when = timezone.localtime(self.submission.submitted_at)
            return f"{self.label}评议已于{cn_date(when.date())}由乡镇提交，已锁定；如需修改，请联系县委组织部重新开放。"
        if self.state == EXPIRED:
            return (
                f"{self.label}评议期已于{self.deadline_text}截止（季度结束后{self.deadline.grace_days}个工作日），"
                "已锁定；如需修改，请联系县委组织部重新开放。"
            )
        if self.state == REOPENED:
            reason = self.submission.reopen_reason
            return f"县委组织部已重新开放{self.label}评议（理由：{reason}），乡镇再次提交后锁定。"
        return f"{self.label}评议开放至{self.deadline_text}，乡镇提交后锁定。"


def quarter_status(
    township: OrgUnit,
    year: int,
    quarter: int,
    *,
    today: datetime.date | None = None,
    county: OrgUnit | None = ...,
    policy: CountyPolicy | None = ...,
    submission: QuarterSubmission | None = ...,
    deadline: Deadline | None = None,
) -> QuarterStatus:
    """The state of a township's quarter on `today`. Overview pages pass what they loaded in bulk."""
    today = today or timezone.localdate()
    if county is ...:
        county = county_of(township)
    if deadline is None:
        deadline = grace_deadline(county, year, quarter, policy)
    if submission is ...:
        submission = QuarterSubmission.objects.filter(township=township, year=year, quarter=quarter).first()
    start = quarter_bounds(year, quarter)[0]
    if start > today:
        state = FUTURE
    elif submission is not None and submission.state == QuarterSubmission.SUBMITTED:
        state = SUBMITTED
    elif submission is not None and submission.state == QuarterSubmission.REOPENED:
        state = REOPENED
    elif today > deadline.day:
        state = EXPIRED
    else:
        state = OPEN
    return QuarterStatus(township.pk, year, quarter, state, deadline, submission)


def valid_quarter(year: int, quarter: int) -> bool:
    return 1 <= quarter <= 4 and 2000 <= year <= 2100


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter + 1) if quarter < 4 else (year + 1, 1)


def current_quarter(today: datetime.date | None = None) -> tuple[int, int]:
    return quarter_of(today or timezone.localdate())


def default_review_quarter(today: datetime.date | None = None) -> tuple[int, int]:
    """The quarter a clerk most likely came for: the previous one during the first month of a quarter (its grace
    period), else the current one."""
    today = today or timezone.localdate()
    year, quarter = quarter_of(today)
    if today.month in (1, 4, 7, 10):
        return previous_quarter(year, quarter)
    return year, quarter
