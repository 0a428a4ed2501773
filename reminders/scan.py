"""What is due, per county: one collector per reminder kind, each a fixed number of bulk queries whatever the number of
reserves (the rules come from the apps that own them: training, mentoring, assessment, lifecycle, notices). Nothing
here writes; `services.scan_county` writes what these return.

A reminder of a seed's duty is sent only in a county whose policy version in force on the scan date has that rule on
(`reserves.policy.rule_on`): a county on CD2025 gets no training, talk, quarterly review, leave, absence or appraisal
reminders; QS gets no leave, absence or shadowing; 3YR no full-coverage talk. Procedure every county follows (notices,
filings, the roster) is always reminded.

Every condition is a window ("from the first day of the quarter's last month until the township submits", "the
notice has ended and the round is still at the notice"), not a single day, and a county is quiet on a day that is not
a working day on its calendar: a reminder that falls due on a holiday goes out on the next working day the scan runs.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse

from assessment.compliance import (
    age_limit_blocks,
    ageing_out,
    missing_appraisal,
    over_absence_thresholds,
    passes_limit_on,
    past_age_limit,
)
from assessment.models import Leave, QuarterSubmission, quarter_label
from assessment.quarters import grace_deadline, previous_quarter
from assessment.selectors import quarter_counts
from lifecycle.models import Use
from lifecycle.rules import COVERAGE_KEYS, annotate_shortfall, coverage_targets, shortfall_gaps
from mentoring.models import MentoringEntry
from mentoring.rules import RULE_LABELS, annotate_mentoring, in_pool_q, pairing_missing_text
from notices.calendar import Overrides, cn_date, is_working_day, load_overrides
from notices.models import Objection
from org import roles
from org.models import Membership, OrgUnit
from reserves.compliance import DUE, OVERDUE, quarter_bounds, quarter_of
from reserves.filings import waiting_working_days
from reserves.models import CountyPolicy, Filing, MentorPairing, ReserveRecord
from reserves.policy import rule_on
from selection.models import Round
from training.rules import annotate_shadowing_status, annotate_training_status, deadline_from_key

from .kinds import DIGEST, KIND_LABELS

ONE_DAY = datetime.timedelta(days=1)
TOWNSHIP_ROLES = ("township_admin", "township_staff")
LOCK_WARNING_WORKING_DAYS = 3  # "about to lock": the last three working days of the grace period
TALKS_FROM_MONTH = 11  # the year's talks (full-coverage, collective) not held by November
MONTHLY_FROM_DAY = 20  # 3YR's monthly mentor contact not made by the 20th
HALF_ANALYSIS_MONTHS_AFTER = 3  # the half-year analysis is reminded until the end of the next half's third month
DEFAULT_FILING_WAIT = CountyPolicy._meta.get_field("filing_wait_working_days").get_default()
LIST_NAMES = 20  # names listed in one reminder's text before "等N人"


@dataclass
class Item:
    """One reminder to some users: becomes one Notification per recipient."""

    kind: str
    subject: str
    period: str
    recipients: Iterable[int]
    title: str
    body: str
    url: str
    unit_code: str


def quarter_key(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def week_key(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _names(names: list[str]) -> str:
    shown = "、".join(names[:LIST_NAMES])
    return shown + (f"等{len(names)}人" if len(names) > LIST_NAMES else "")


@dataclass
class CountyScan:
    """What every collector needs for one county on one day (loaded with three queries)."""

    county: OrgUnit
    policy: CountyPolicy | None
    on: datetime.date
    overrides: Overrides
    units: dict[int, tuple[str, str]]  # id -> (code, name) of the county's units
    township_users: dict[str, list[int]] = field(default_factory=dict)  # township code -> admins and staff
    village_secretaries: dict[str, list[int]] = field(default_factory=dict)  # village code -> secretaries
    county_admins: list[int] = field(default_factory=list)
    members: dict[int, str] = field(default_factory=dict)  # user id -> code of (one of) their units
    _policies: dict = field(default_factory=dict)  # day -> version in force (policy_on's cache)

    @classmethod
    def load(cls, county: OrgUnit, on: datetime.date, policy: CountyPolicy | None = ...) -> "CountyScan":
        if policy is ...:
            policy = CountyPolicy.objects.in_force(county, on)
        overrides = load_overrides(county, on.year - 1, on.year + 1)
        units = {
            pk: (code, name)
            for pk, code, name in OrgUnit.objects.filter(code__startswith=county.code).values_list("id", "code", "name")
        }
        scan = cls(county, policy, on, overrides, units)
        rows = Membership.objects.filter(unit__code__startswith=county.code, user__is_active=True).values_list(
            "user_id", "role", "unit__code"
        )
        for user_id, role, code in rows.order_by("user_id", "unit__code"):
            scan.members.setdefault(user_id, code)
            if role in TOWNSHIP_ROLES:
                scan.township_users.setdefault(code, []).append(user_id)
            elif role == "village_secretary":
                scan.village_secretaries.setdefault(code, []).append(user_id)
            elif role == "county_admin" and code == county.code:
                scan.county_admins.append(user_id)
        return scan

    # --- calendar (the county's table, loaded once) ---

    def is_working(self, day: datetime.date) -> bool:
        if day.year not in self.overrides.loaded_years:
            self.overrides.load(day.year, day.year)
        return is_working_day(day, overrides=self.overrides)[0]

    def next_working_day(self, day: datetime.date) -> datetime.date:
        day += ONE_DAY
        for _ in range(400):
            if self.is_working(day):
                return day
            day += ONE_DAY
        return day

    def working_days_through(self, first: datetime.date, last: datetime.date) -> int:
        """Working days in [first, last]."""
        n, day = 0, first
        while day <= last:
            n += self.is_working(day)
            day += ONE_DAY
        return n

    def is_first_working_day_of_week(self, day: datetime.date) -> bool:
        monday = day - datetime.timedelta(days=day.weekday())
        return self.is_working(day) and not any(
            self.is_working(monday + datetime.timedelta(days=i)) for i in range(day.weekday())
        )

    # --- recipients ---

    def township_of(self, code: str) -> list[int]:
        return self.township_users.get(code[:9], [])

    def village_and_township(self, village_code: str) -> list[int]:
        return self.village_secretaries.get(village_code, []) + self.township_of(village_code)

    @property
    def code(self) -> str:
        return self.county.code

    def in_pool(self):
        """Open records of the county in the pool on the scan date (by their current village)."""
        return ReserveRecord.objects.filter(village__code__startswith=self.code).filter(in_pool_q(self.on))

    def rule(self, key: str, on: datetime.date | None = None) -> bool:
        """The county's version in force on the scan date (or on `on`, the last day of a period that has ended)
        imposes rule `key` (reserves.policy.RULES); no policy imposes nothing."""
        return rule_on(self.policy_on(on) if on is not None else self.policy, key)

    def policy_on(self, day: datetime.date) -> CountyPolicy | None:
        """The version in force on `day` (on or before the scan date): a period that ended is judged by its own
        version. No query unless a version took effect since `day`."""
        if self.policy is None or self.policy.effective_from <= day:
            return self.policy
        if day not in self._policies:
            self._policies[day] = CountyPolicy.objects.in_force(self.county, day)
        return self._policies[day]


# --- notices: ending tomorrow, ended (the round or the use can proceed) -------------------------------------------

NEXT_STEP = {"notice1": "组织考察", "notice2": "报县委组织部备案（入库）", "use": "记录任职结果"}


def notice_items(s: CountyScan) -> list[Item]:
    """Notices of selection rounds and uses still at their notice stage. Three queries."""
    on = s.on
    tomorrow = s.next_working_day(on)
    waiting = []  # (notice, what, title, url, township code)
    rounds = Round.objects.filter(township__code__startswith=s.code, stage__in=("notice1", "notice2")).select_related(
        "township", "notice1", "notice2"
    )
    for r in rounds:
        notice = r.notice1 if r.stage == "notice1" else r.notice2
        if notice is not None:
            waiting.append((notice, r.stage, r.title, reverse("round_detail", args=[r.pk]), r.township.code))
    uses = Use.objects.filter(village__code__startswith=s.code, state=Use.NOTICE, notice__isnull=False).select_related(
        "notice", "record__person", "village", "target_village"
    )
    for u in uses:
        title = f"{u.record.person.name}拟任{u.target_village.name}{u.get_position_display()}"
        waiting.append((u.notice, "use", title, reverse("use_detail", args=[u.pk]), u.village.code[:9]))
    ended_ids = [n.pk for n, *_ in waiting if n.end < on]
    pending = dict(
        Objection.objects.filter(notice_id__in=ended_ids, result=Objection.PENDING)
        .values("notice_id")
        .annotate(n=Count("id"))
        .values_list("notice_id", "n")
    )
    blocks = s.policy.objection_blocks if s.policy is not None else True
    items = []
    for notice, what, title, url, township_code in waiting:
        recipients = s.township_of(township_code)
        subject = f"notices.notice:{notice.pk}"
        if on < notice.end <= tomorrow:
            items.append(
                Item(
                    "notice_ending",
                    subject,
                    notice.end.isoformat(),
                    recipients,
                    f"公示将于{cn_date(notice.end)}期满：{title}",
                    f"“{notice.title}”公示期至{cn_date(notice.end)}（含）。期满后可{NEXT_STEP[what]}。",
                    url,
                    township_code,
                )
            )
        elif notice.end < on:
            n = pending.get(notice.pk, 0)
            if n and blocks:
                head = f"公示期已满，但有{n}条异议尚未处理：{title}"
                body = f"“{notice.title}”公示期已于{cn_date(notice.end)}期满，处理完异议后方可{NEXT_STEP[what]}。"
            else:
                head = f"公示期满，可以{NEXT_STEP[what]}：{title}"
                body = f"“{notice.title}”公示期已于{cn_date(notice.end)}期满，可以{NEXT_STEP[what]}。"
                if n:
                    body += f"另有{n}条异议尚未处理（按县级政策不阻止下一步）。"
            if notice.estimated:
                body += "期满日按周一至周五估算，请县委组织部先录入节假日安排。"
            items.append(
                Item("notice_ended", subject, notice.end.isoformat(), recipients, head, body, url, township_code)
            )
    return items


# --- quarterly review: due, overdue, about to lock -------------------------------------------------------------------


def _submission_states(s: CountyScan, year: int, quarter: int) -> dict[int, str]:
    return dict(
        QuarterSubmission.objects.filter(township__code__startswith=s.code, year=year, quarter=quarter).values_list(
            "township_id", "state"
        )
    )


def quarter_items(s: CountyScan) -> list[Item]:
    """Due from the first day of the quarter's last month (township and village opinions), overdue after the quarter
    while the grace period runs, and a lock warning in its last three working days. Up to seven queries. Only where
    the quarterly review (QS "每季度…进行1次评议") is a rule: for the quarter under way, of the version in force;
    for the previous one, of the version in force at its end."""
    on = s.on
    items = []
    year, quarter = quarter_of(on)
    if on.month % 3 == 0 and s.rule("quarter_review"):
        label, key = quarter_label(year, quarter), quarter_key(year, quarter)
        counts = quarter_counts(Q(village__code__startswith=s.code), year, quarter, group="village_id")
        states = _submission_states(s, year, quarter)
        per_township: dict[int, int] = defaultdict(int)
        township_ids = {code: pk for pk, (code, _n) in s.units.items() if len(code) == 9}
        for village_id, row in counts.items():
            code, name = s.units.get(village_id, ("", ""))
            if not code:
                continue
            per_township[township_ids.get(code[:9])] += row["total"] - row["township"]
            missing_village = row["total"] - row["village"]
            if missing_village > 0 and states.get(township_ids.get(code[:9])) != QuarterSubmission.SUBMITTED:
                items.append(
                    Item(
                        "quarter_due",
                        f"org.orgunit:{village_id}",
                        key,
                        s.village_secretaries.get(code, []),
                        f"{label}评议：本村（社区）{missing_village}名后备干部尚未填写村级评定意见",
                        f"{name}{label}有{missing_village}名后备干部尚未填写村（社区）评定意见，请在季度结束前完成。",
                        reverse("quarter_village", kwargs={"year": year, "quarter": quarter, "pk": village_id}),
                        code,
                    )
                )
        for township_id, missing in per_township.items():
            if township_id is None or missing <= 0 or states.get(township_id) == QuarterSubmission.SUBMITTED:
                continue
            code, name = s.units[township_id]
            items.append(
                Item(
                    "quarter_due",
                    f"org.orgunit:{township_id}",
                    key,
                    s.township_of(code),
                    f"{label}评议：{missing}名后备干部尚未填写乡镇评定意见",
                    f"{name}{label}有{missing}名后备干部尚未填写乡镇评定意见，请在季度结束后宽限期内完成并提交。",
                    reverse("quarter_township", kwargs={"year": year, "quarter": quarter, "pk": township_id}),
                    code,
                )
            )
    # The previous quarter, while its grace period runs.
    py, pq = previous_quarter(year, quarter)
    if not s.rule("quarter_review", quarter_bounds(py, pq)[1]):
        return items
    deadline = grace_deadline(s.county, py, pq, s.policy)
    if on <= deadline.day:
        label, key = quarter_label(py, pq), quarter_key(py, pq)
        counts = quarter_counts(Q(village__code__startswith=s.code), py, pq, group="village__parent_id")
        states = _submission_states(s, py, pq)
        left = s.working_days_through(on, deadline.day)
        when = cn_date(deadline.day) + ("（估算）" if deadline.estimated else "")
        for township_id, row in counts.items():
            missing = row["total"] - row["township"]
            state = states.get(township_id)
            if missing <= 0 or state == QuarterSubmission.SUBMITTED or township_id not in s.units:
                continue
            code, name = s.units[township_id]
            url = reverse("quarter_township", kwargs={"year": py, "quarter": pq, "pk": township_id})
            recipients = s.township_of(code)
            subject = f"org.orgunit:{township_id}"
            items.append(
                Item(
                    "quarter_overdue",
                    subject,
                    key,
                    recipients,
                    f"{label}评议已逾期：{missing}名后备干部尚未填写乡镇评定意见",
                    f"{name}{label}已结束，尚有{missing}名后备干部没有乡镇评定意见。评议期至{when}，逾期将锁定。",
                    url,
                    code,
                )
            )
            if state != QuarterSubmission.REOPENED and left <= LOCK_WARNING_WORKING_DAYS:
                items.append(
                    Item(
                        "quarter_lock",
                        subject,
                        key,
                        recipients,
                        f"{label}评议将于{when}锁定（还剩{left}个工作日）",
                        f"{name}{label}尚有{missing}名后备干部没有乡镇评定意见，且尚未提交；{when}后锁定，"
                        "锁定后须县委组织部重新开放才能修改。",
                        url,
                        code,
                    )
                )
    return items


# --- annual appraisal (December and January) ---------------------------------------------------------------------


def appraisal_items(s: CountyScan) -> list[Item]:
    if s.on.month not in (12, 1):
        return []
    year = s.on.year if s.on.month == 12 else s.on.year - 1
    if not s.rule("annual_appraisal", min(s.on, datetime.date(year, 12, 31))):
        return []
    rows = (
        missing_appraisal(ReserveRecord.objects.filter(village__code__startswith=s.code), year, unit=s.county)
        .order_by()
        .values("village__parent_id")
        .annotate(n=Count("pk"))
    )
    items = []
    for row in rows:
        township_id, n = row["village__parent_id"], row["n"]
        if township_id not in s.units:
            continue
        code, name = s.units[township_id]
        items.append(
            Item(
                "appraisal_due",
                f"org.orgunit:{township_id}",
                str(year),
                s.township_of(code),
                f"{year}年度考核：{n}名后备干部的考核结果尚未录入",
                f"{name}有{n}名{year}年在库的后备干部尚未录入{year}年度考核结果（优秀／称职／基本称职／不称职）。",
                reverse("quarter_overview"),
                code,
            )
        )
    return items


# --- training at risk (training.rules: DUE within 60 days, or OVERDUE) -------------------------------------------


def _training_rule_text(policy: CountyPolicy) -> str:
    """The county's training rule in the words of its count mode (one training; one training or one 轮训 programme;
    every training added up, only in stored legacy versions)."""
    days = f"{policy.training_min_days.normalize():f}"
    every = "每年" if policy.training_window == CountyPolicy.WINDOW_CALENDAR else f"每{policy.training_window_years}年"
    if policy.training_count_mode == CountyPolicy.COUNT_SUM:
        return f"{every}参加培训累计不少于{days}天"
    text = f"{every}至少参加1次不少于{days}天的培训"
    if policy.training_count_mode == CountyPolicy.COUNT_PROGRAMME:
        text += f"（或同一轮训班各期合计不少于{days}天）"
    return text


def training_items(s: CountyScan) -> list[Item]:
    if not s.rule("training"):
        return []
    rows = (
        annotate_training_status(
            ReserveRecord.objects.filter(ended_on__isnull=True, entered_on__lte=s.on, village__code__startswith=s.code),
            s.policy,
            s.on,
        )
        .filter(training_attention=True)
        .values("pk", "person__name", "village__code", "village__name", "training_status", "training_due_before")
    )
    rule = _training_rule_text(s.policy)
    items = []
    for r in rows:
        deadline = deadline_from_key(r["training_due_before"])
        who = f"{r['person__name']}（{r['village__name']}）"
        if r["training_status"] == OVERDUE:
            title = f"培训未达要求：{who}"
            body = f"{who}在截至{cn_date(deadline)}的培训周期内没有符合要求的培训（{rule}），请尽快安排。"
        else:
            title = f"培训预警：{who}须于{cn_date(deadline)}前参加培训"
            body = f"{who}须于{cn_date(deadline)}前参加培训，否则将不满足培训要求（{rule}）。"
        items.append(_training_page_item(s, "training_risk", r, deadline, title, body))
    return items


def _training_page_item(s, kind: str, r: dict, deadline, title: str, body: str) -> Item:
    """A reminder about one reserve's training or shadowing, per deadline, linking to their 培训与实践锻炼 page."""
    return Item(
        kind,
        f"reserves.reserverecord:{r['pk']}",
        deadline.isoformat() if deadline else "",
        s.township_of(r["village__code"]),
        title,
        body,
        reverse("training_record", args=[r["pk"]]),
        r["village__code"],
    )


# --- mentoring: pairing missing, quarterly entries missing, full-coverage talks ---------------------------------


def mentor_missing_items(s: CountyScan) -> list[Item]:
    if not s.rule("mentor"):
        return []
    year, quarter = quarter_of(s.on)
    rows = (
        annotate_mentoring(s.in_pool(), s.policy, s.on)
        .filter(mc_pairing=OVERDUE)
        .values("pk", "person__name", "village__code", "village__name", "mc_has_leader", "mc_has_cadre")
    )
    items = []
    for r in rows:
        who = f"{r['person__name']}（{r['village__name']}）"
        missing = pairing_missing_text(s.policy, r["mc_has_leader"], r["mc_has_cadre"])
        items.append(
            Item(
                "mentor_missing",
                f"reserves.reserverecord:{r['pk']}",
                quarter_key(year, quarter),
                s.township_of(r["village__code"]),
                f"结对帮带未落实：{who}{missing}",
                f"{who}{missing}，不符合本县结对帮带要求，请安排帮带干部。",
                reverse("mentoring_record", args=[r["pk"]]),
                r["village__code"],
            )
        )
    return items


def mentor_entry_items(s: CountyScan) -> list[Item]:
    """Mentors with an account whose current pairings lack this quarter's entry, from the quarter's last month (QS
    附件2 结对帮扶情况: the quarterly mentoring rule)."""
    if s.on.month % 3 != 0 or not s.rule("quarter_mentoring"):
        return []
    year, quarter = quarter_of(s.on)
    _start, end = quarter_bounds(year, quarter)
    entry = MentoringEntry.objects.filter(pairing=OuterRef("pk"), year=year, quarter=quarter)
    rows = (
        MentorPairing.objects.current(s.on)
        .filter(mentor_user__isnull=False, mentor_user__is_active=True, record__village__code__startswith=s.code)
        .filter(record__entered_on__lte=s.on)
        .filter(Q(record__ended_on__isnull=True) | Q(record__ended_on__gt=s.on))
        .exclude(Exists(entry))
        .order_by("mentor_user_id", "record__person__name")
        .values_list("mentor_user_id", "record__person__name")
    )
    by_mentor: dict[int, list[str]] = defaultdict(list)
    for mentor_id, name in rows:
        by_mentor[mentor_id].append(name)
    label = quarter_label(year, quarter)
    return [
        Item(
            "mentor_entry",
            f"org.orgunit:{s.county.pk}",
            quarter_key(year, quarter),
            [mentor_id],
            f"{label}结对帮扶情况尚未填写（{len(names)}人）",
            f"您结对的{_names(names)}{label}的帮扶情况尚未填写，请于{cn_date(end)}前填写。",
            reverse("mentoring_mine"),
            s.members.get(mentor_id, s.code),
        )
        for mentor_id, names in by_mentor.items()
    ]


def _talk_township_items(s: CountyScan, kind: str, key: str, period: str, period_text: str, end) -> list[Item]:
    """Per township: in-pool reserves without the talk `key` (mentoring.rules) in its period so far. One query."""
    rows = (
        annotate_mentoring(s.in_pool(), s.policy, s.on)
        .filter(**{f"mc_{key}": DUE})
        .order_by()
        .values("village__parent_id")
        .annotate(n=Count("pk"))
    )
    label = RULE_LABELS[key]
    items = []
    for row in rows:
        if row["village__parent_id"] not in s.units:
            continue
        code, name = s.units[row["village__parent_id"]]
        items.append(
            Item(
                kind,
                f"org.orgunit:{row['village__parent_id']}",
                period,
                s.township_of(code),
                f"{period_text}{label}：尚有{row['n']}名后备干部未谈",
                f"{name}尚有{row['n']}名在库后备干部{period_text}没有{label}记录，请于{cn_date(end)}前完成。",
                reverse("mentoring_compliance") + f"?rule={key}",
                code,
            )
        )
    return items


def talk_items(s: CountyScan) -> list[Item]:
    """QS: the year's full-coverage talks not held for every reserve by November: per township."""
    if not s.rule("talk_full_coverage") or s.on.month < TALKS_FROM_MONTH:
        return []
    year = s.on.year
    return _talk_township_items(
        s, "talk_coverage", "full_coverage", str(year), f"{year}年", datetime.date(year, 12, 31)
    )


def half_yearly_talk_items(s: CountyScan) -> list[Item]:
    """QL §15 "每半年对村级后备干部逐一进行谈话考察": from the half's last month (June, December), per township."""
    if not s.rule("talk_half_yearly") or s.on.month not in (6, 12):
        return []
    year, half = s.on.year, 1 if s.on.month <= 6 else 2
    end = datetime.date(year, 6, 30) if half == 1 else datetime.date(year, 12, 31)
    text = f"{year}年{'上' if half == 1 else '下'}半年"
    return _talk_township_items(s, "talk_half_yearly", "half_yearly", f"{year}H{half}", text, end)


def collective_talk_items(s: CountyScan) -> list[Item]:
    """QL §15 "每年进行一次集体谈话": reserves the year's collective talk has not included, from November."""
    if not s.rule("talk_collective") or s.on.month < TALKS_FROM_MONTH:
        return []
    year = s.on.year
    return _talk_township_items(s, "talk_collective", "collective", str(year), f"{year}年", datetime.date(year, 12, 31))


def monthly_talk_items(s: CountyScan) -> list[Item]:
    """3YR "导师…每月了解其思想、工作情况": from the 20th, the month's contact not recorded — per township, and to each
    mentor with an account for their own pairees. Two queries."""
    if not s.rule("talk_monthly") or s.on.day < MONTHLY_FROM_DAY:
        return []
    first = s.on.replace(day=1)
    end = (first + datetime.timedelta(days=32)).replace(day=1) - ONE_DAY
    period, text = f"{s.on.year}-{s.on.month:02d}", f"{s.on.year}年{s.on.month}月"
    items = _talk_township_items(s, "talk_monthly", "monthly", period, text, end)
    missing = annotate_mentoring(s.in_pool(), s.policy, s.on).filter(mc_monthly=DUE).values("pk")
    rows = (
        MentorPairing.objects.current(s.on)
        .filter(mentor_user__isnull=False, mentor_user__is_active=True, record__in=missing)
        .order_by("mentor_user_id", "record__person__name")
        .values_list("mentor_user_id", "record__person__name")
    )
    by_mentor: dict[int, list[str]] = defaultdict(list)
    for mentor_id, name in rows:
        if name not in by_mentor[mentor_id]:
            by_mentor[mentor_id].append(name)
    items += [
        Item(
            "talk_monthly",
            f"org.orgunit:{s.county.pk}",
            period,
            [mentor_id],
            f"{text}尚未了解{len(names)}名帮带对象的情况",
            f"您联系帮带的{_names(names)}{text}还没有导师了解思想、工作情况的记录，请于{cn_date(end)}前完成并记录。",
            reverse("mentoring_mine"),
            s.members.get(mentor_id, s.code),
        )
        for mentor_id, names in by_mentor.items()
    ]
    return items


# --- shadowing at risk (QL §15: 每年到乡镇跟班学习不少于1个月) --------------------------------------------------


def shadowing_items(s: CountyScan) -> list[Item]:
    """training.rules' shadowing status: DUE with the year's end within 60 days, or OVERDUE. One query."""
    if not s.rule("shadowing"):
        return []
    need = s.policy.shadowing_days_per_year
    rows = (
        annotate_shadowing_status(
            ReserveRecord.objects.filter(ended_on__isnull=True, entered_on__lte=s.on, village__code__startswith=s.code),
            s.policy,
            s.on,
        )
        .filter(shadowing_attention=True)
        .values("pk", "person__name", "village__code", "village__name", "shadowing_status", "shadowing_due_before")
        .annotate(days=F("shadowing_days"))
    )
    items = []
    for r in rows:
        deadline = deadline_from_key(r["shadowing_due_before"])
        who = f"{r['person__name']}（{r['village__name']}）"
        done = f"{s.on.year}年至今到乡镇跟班学习{r['days'] or 0}天"
        if r["shadowing_status"] == OVERDUE:
            title = f"跟班学习未达要求：{who}"
            body = f"{who}{deadline.year}年到乡镇跟班学习不足{need}天，{done}，请尽快安排（每年不少于{need}天）。"
        else:
            title = f"跟班学习预警：{who}须于{cn_date(deadline)}前达到{need}天"
            body = f"{who}{done}，须于{cn_date(deadline)}前达到每年不少于{need}天的要求。"
        items.append(_training_page_item(s, "shadowing_risk", r, deadline, title, body))
    return items


# --- attendance: leave not closed, absence thresholds, ageing out -----------------------------------------------


def leave_items(s: CountyScan) -> list[Item]:
    """QL §10 leave (请销假): a leave past its end without 销假. Only where leave routing is a rule."""
    if not s.rule("leave_routing"):
        return []
    rows = (
        Leave.objects.filter(village__code__startswith=s.code, end__lt=s.on, returned_on__isnull=True)
        .exclude(state=Leave.REJECTED)
        .filter(record__ended_on__isnull=True)
        .values("pk", "record__person__name", "village_id", "village__code", "village__name", "end")
    )
    return [
        Item(
            "leave_overdue",
            f"assessment.leave:{r['pk']}",
            "",
            s.village_and_township(r["village__code"]),
            f"请假逾期未销假：{r['record__person__name']}（{r['village__name']}）",
            f"{r['record__person__name']}请假至{cn_date(r['end'])}，已逾期{(s.on - r['end']).days}天仍未销假；"
            "逾期天数计入缺勤。请核实并办理销假。",
            reverse("leave_list", args=[r["village_id"]]),
            r["village__code"],
        )
        for r in rows
    ]


def absence_items(s: CountyScan) -> list[Item]:
    p = s.policy
    if not s.rule("absence"):  # a threshold is never "off" by being 0: the rule's flag decides
        return []
    rows = over_absence_thresholds(
        s.in_pool(), on=s.on, consecutive=p.absence_consecutive_days, year_days=p.absence_year_days
    ).values("pk", "person__name", "village__code", "village__name", "absence_year_days", "absence_run_over")
    items = []
    for r in rows:
        who = f"{r['person__name']}（{r['village__name']}）"
        facts = [f"{s.on.year}年累计缺勤{r['absence_year_days']}天"]
        if r["absence_run_over"]:
            facts.append(f"有连续缺勤超过{p.absence_consecutive_days}天的情况")
        items.append(
            Item(
                "absence",
                f"reserves.reserverecord:{r['pk']}",
                str(s.on.year),
                s.village_and_township(r["village__code"]),
                f"缺勤超过规定：{who}",
                f"{who}{'，'.join(facts)}，超过连续{p.absence_consecutive_days}天或全年累计"
                f"{p.absence_year_days}天的规定，可作为取消资格的依据。",
                reverse("record_assessment", args=[r["pk"]]),
                r["village__code"],
            )
        )
    return items


def age_out_items(s: CountyScan) -> list[Item]:
    """Reserves already past a blocking age limit ("已超过年龄上限", kind age_over) and those passing it within 12
    months ("12个月内将超过年龄上限", kind age_out): assessment.compliance's two lists. A limit that only warns, as QS's
    "35周岁左右", is no ground for removal and no to-do. Two queries."""
    p = s.policy
    if not age_limit_blocks(p):
        return []
    records = ReserveRecord.objects.filter(village__code__startswith=s.code)
    fields = ("pk", "person__name", "person__birth_date", "village__code", "village__name")
    items = []
    for kind, rows in (
        ("age_over", past_age_limit(records, p, s.on).values(*fields)),
        ("age_out", ageing_out(records, p, s.on).values(*fields)),
    ):
        for r in rows:
            passes_on = passes_limit_on(r["person__birth_date"], p)
            who = f"{r['person__name']}（{r['village__name']}）"
            if kind == "age_over":
                title = f"已超过年龄上限：{who}"
                body = f"{who}已于{cn_date(passes_on)}年满{p.age_limit + 1}周岁，超过本县年龄上限{p.age_limit}周岁。"
            else:
                title = f"12个月内将超过年龄上限：{who}"
                body = f"{who}将于{cn_date(passes_on)}年满{p.age_limit + 1}周岁，超过本县年龄上限{p.age_limit}周岁。"
            items.append(
                Item(
                    kind,
                    f"reserves.reserverecord:{r['pk']}",
                    passes_on.isoformat(),
                    s.township_of(r["village__code"]),
                    title,
                    body,
                    reverse("record_assessment", args=[r["pk"]]),
                    r["village__code"],
                )
            )
    return items


# --- villages below target, filings waiting ---------------------------------------------------------------------


def below_target_items(s: CountyScan) -> list[Item]:
    """Villages with a gap against the county's targets, as lifecycle.rules counts coverage (the replenishment list's
    rows): each type's count beside its target, and 3YR's young secretary reserve. One query."""
    if not coverage_targets(s.policy):
        return []
    year, quarter = quarter_of(s.on)
    villages = OrgUnit.objects.filter(level=roles.VILLAGE, code__startswith=s.code).current(s.on)
    fields = [f"{prefix}_{k}" for k in COVERAGE_KEYS for prefix in ("short", "target", "n")]
    rows = (
        annotate_shortfall(villages, {s.code: s.policy}, s.on)
        .filter(short_any=True)
        .values("pk", "code", "name", "young_age", *fields)
    )
    items = []
    for r in rows:
        gaps = [f"{g.label}缺{g.short}名（目标{g.target}名，在库{g.n}名）" for g in shortfall_gaps(r)]
        items.append(
            Item(
                "below_target",
                f"org.orgunit:{r['pk']}",
                quarter_key(year, quarter),
                s.village_and_township(r["code"]),
                f"后备干部缺额：{r['name']}",
                f"{r['name']}{'；'.join(gaps)}，请跟进补充。",
                reverse("replenish_list"),
                r["code"],
            )
        )
    return items


def filing_items(s: CountyScan) -> list[Item]:
    """Filings waiting longer than the county's setting (filing_wait_working_days; never off)."""
    wait = s.policy.filing_wait_working_days if s.policy is not None else DEFAULT_FILING_WAIT
    filings = list(Filing.objects.filter(county=s.county, state=Filing.SUBMITTED).select_related("unit"))
    waiting_working_days(filings, s.on)
    return [
        Item(
            "filing_waiting",
            f"reserves.filing:{f.pk}",
            "",
            s.county_admins,
            f"备案已等待{f.age}个工作日：{f.title}",
            f"{f.unit.name}报送的“{f.title}”已等待{f.age}个工作日（超过{wait}个工作日），请及时办理。",
            reverse("filing_list"),
            f.unit.code,
        )
        for f in filings
        if f.age > wait
    ]


# --- the county's half-yearly analysis (QS §三 "县委组织部每半年进行1次综合分析研判") --------------------------


def _half_of(day: datetime.date) -> tuple[int, int]:
    return day.year, 1 if day.month <= 6 else 2


def _half_end(year: int, half: int) -> datetime.date:
    return datetime.date(year, 6, 30) if half == 1 else datetime.date(year, 12, 31)


def halfyear_items(s: CountyScan) -> list[Item]:
    """County admins, when a half's analysis (dashboards' HalfYearReport) is not saved: from the half's last month
    (June, December) until the end of the next half's third month. QS-like counties only: no rule flag names the
    analysis, and it is QS's, the seed of the quarterly review it rolls up, so it follows quarter_review_on. One
    query."""
    from dashboards.models import HalfYearReport  # same layer as reminders; read only, as reports' RosterCall

    if not s.county_admins:
        return []
    year, half = _half_of(s.on)
    halves = []
    if s.on.month in (6, 12):
        halves.append((year, half))
    month_of_half = s.on.month - (0 if half == 1 else 6)  # 1 to 6
    if month_of_half <= HALF_ANALYSIS_MONTHS_AFTER:  # the previous half, until the end of this half's third month
        halves.append((year - 1, 2) if half == 1 else (year, 1))
    # A half is asked of a county whose version in force at its end (or today, while it runs) has the rule.
    halves = [(y, h) for y, h in halves if s.rule("quarter_review", min(s.on, _half_end(y, h)))]
    if not halves:
        return []
    saved = set(
        HalfYearReport.objects.filter(county=s.county, year__in={y for y, _ in halves}).values_list("year", "half")
    )
    items = []
    for y, h in halves:
        ended = _half_end(y, h)
        if (y, h) in saved:
            continue
        label = f"{y}年{'上' if h == 1 else '下'}半年"
        when = f"已于{cn_date(ended)}结束" if ended < s.on else f"将于{cn_date(ended)}结束"
        items.append(
            Item(
                "halfyear_analysis",
                f"org.orgunit:{s.county.pk}",
                f"{y}H{h}",
                s.county_admins,
                f"{label}后备干部队伍分析研判尚未保存",
                f"{label}{when}，{s.county.name}尚未保存该半年的综合分析研判意见（每半年进行1次综合分析研判），"
                "请在半年分析页填写并保存。",
                reverse("halfyear_report", args=[s.county.pk, y, h]),
                s.code,
            )
        )
    return items


ROSTER_WARNING_WORKING_DAYS = 5


def roster_items(s: CountyScan) -> list[Item]:
    """A township that has not submitted the year's roster (or whose submission was returned) when the deadline is
    five working days away or less; two queries whatever the number of townships."""
    from reports.models import RosterCall, RosterSubmission

    calls = list(RosterCall.objects.filter(county=s.county, deadline__gte=s.on).order_by("deadline"))
    if not calls:
        return []
    live = set(
        RosterSubmission.objects.filter(call__in=calls)
        .exclude(state=RosterSubmission.RETURNED)
        .values_list("call_id", "township__code")
    )
    items = []
    for call in calls:
        left = s.working_days_through(s.on, call.deadline)
        if left > ROSTER_WARNING_WORKING_DAYS:
            continue
        for pk, (code, name) in sorted(s.units.items(), key=lambda unit: unit[1][0]):
            if len(code) != 9 or (call.pk, code) in live or not s.township_of(code):
                continue
            items.append(
                Item(
                    "roster_deadline",
                    f"org.orgunit:{pk}",
                    f"roster{call.year}",
                    s.township_of(code),
                    f"名册报送截止临近：{call.year}年度",
                    f"{name}尚未报送{call.year}年度村级后备干部名册，截止日期为{call.deadline.year}年"
                    f"{call.deadline.month}月{call.deadline.day}日（含当天还有{left}个工作日）。",
                    reverse("call_detail", args=[call.pk]),
                    code,
                )
            )
    return items


COLLECTORS = [
    notice_items,
    quarter_items,
    appraisal_items,
    training_items,
    mentor_missing_items,
    mentor_entry_items,
    talk_items,
    half_yearly_talk_items,
    collective_talk_items,
    monthly_talk_items,
    shadowing_items,
    leave_items,
    absence_items,
    age_out_items,
    below_target_items,
    filing_items,
    halfyear_items,
    roster_items,
]


def collect(s: CountyScan) -> list[Item]:
    items: list[Item] = []
    for collector in COLLECTORS:
        items.extend(collector(s))
    return items


# --- the weekly digest (after the day's reminders are written) -------------------------------------------------


def digest_items(s: CountyScan) -> list[Item]:
    """On the county's first working day of the week: one digest per member with unread reminders (one query)."""
    if not s.members or not s.is_first_working_day_of_week(s.on):
        return []
    from .models import Notification

    rows = (
        Notification.objects.filter(
            recipient_id__in=Membership.objects.filter(unit__code__startswith=s.code).values("user_id"),
            read_at__isnull=True,
        )
        .exclude(kind=DIGEST)
        .order_by()
        .values("recipient_id", "kind")
        .annotate(n=Count("id"))
    )
    by_user: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for row in rows:
        by_user[row["recipient_id"]].append((row["kind"], row["n"]))
    order = {key: i for i, key in enumerate(KIND_LABELS)}
    items = []
    for user_id, kinds in by_user.items():
        if user_id not in s.members:
            continue
        kinds.sort(key=lambda k: order.get(k[0], 99))
        total = sum(n for _, n in kinds)
        lines = "；".join(f"{KIND_LABELS.get(k, k)} {n} 条" for k, n in kinds)
        items.append(
            Item(
                DIGEST,
                f"org.user:{user_id}",
                week_key(s.on),
                [user_id],
                f"每周汇总：您有{total}条未读提醒",
                f"截至{cn_date(s.on)}，您有{total}条未读提醒：{lines}。",
                reverse("notification_list") + "?unread=1",
                s.members[user_id],
            )
        )
    return items
