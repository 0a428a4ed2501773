"""The dashboards' pages as data: selectors composed into figures, each with the URL of the list behind it.

A figure (`Fig`) is a count and the list that shows exactly those rows. Where another app's list can express the
filter (the reserve list by township / village, type, status, age band and source group; the training gap list and
the mentoring compliance list by county / township / village and rule; the selection, removal, use, transfer and
filing lists, which are scoped to the user) the figure links there; otherwise to dashboards' own village, reserve
and notice lists, which filter with the same conditions the dashboard counted."""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from assessment.models import QuarterSubmission
from assessment.quarters import default_review_quarter, grace_deadline, quarter_status
from assessment.selectors import quarter_counts
from dashboards import charts
from dashboards import selectors as S
from lifecycle.models import Removal, Transfer, Use
from mentoring.rules import pairing_missing_text
from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from reserves import choices as C
from reserves.policy import PRESETS
from selection.models import STAGE_LABELS
from training.rules import deadline_from_key


@dataclass
class Fig:
    n: int
    url: str | None = None
    text: str | None = None

    def __str__(self):
        return self.text if self.text is not None else str(self.n)


def _url(name: str, params: dict | None) -> str | None:
    if params is None:
        return None
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


class Links:
    """Which list can show a figure of unit `u`, with which filters, for this user."""

    def __init__(self, user):
        self.scope = get_scope(user)
        self.prefixes = self.scope.prefixes(roles.VIEW)

    def own(self, u: OrgUnit) -> bool:
        """`u` is the user's whole scope: lists scoped to the user show exactly `u`."""
        return self.prefixes == [u.code]

    def _unit_params(self, u: OrgUnit, with_county: bool) -> dict | None:
        """The list filters that select `u` (None: that list cannot). `with_county`: the list has a county
        selector (training gaps, mentoring compliance) that must name u's county when the user sees several."""
        if self.own(u):
            return {}
        if u.level == roles.VILLAGE:
            params = {"township": u.parent_id, "village": u.pk}
        elif u.level == roles.TOWNSHIP:
            params = {"township": u.pk}
        elif u.level == roles.COUNTY and with_county:
            params = {}
        else:
            return None
        if with_county:
            county = county_above(u)
            if county is None:
                return None
            params["county"] = county.pk
        return params

    # reserve list (reserves.views.record_list)
    def records(self, u: OrgUnit, **filters) -> str | None:
        params = self._unit_params(u, with_county=False)
        if params is None:
            return None
        return _url("record_list", params | {"status": C.STATUS_ACTIVE} | filters)

    def training(self, u: OrgUnit) -> str | None:
        params = self._unit_params(u, with_county=True)
        return _url("training_gaps", None if params is None else {"rule": "training"} | params)

    def mentoring(self, u: OrgUnit, rule: str) -> str | None:
        params = self._unit_params(u, with_county=True)
        return _url("mentoring_compliance", None if params is None else params | {"rule": rule})

    def rounds(self, u: OrgUnit, stage: str) -> str | None:
        if self.own(u):
            return _url("round_list", {"stage": stage})
        if u.level == roles.TOWNSHIP:
            return _url("round_list", {"township": u.pk, "stage": stage})
        return None

    def scoped(self, u: OrgUnit, name: str, **params) -> str | None:
        return _url(name, params) if self.own(u) else None

    # dashboards' own lists
    def reserves(self, u: OrgUnit, **params) -> str:
        return _url("dashboard_reserves", {"unit": u.pk} | params)

    def villages(self, u: OrgUnit, coverage: str) -> str:
        return _url("dashboard_villages", {"unit": u.pk, "coverage": coverage})


def county_above(u: OrgUnit) -> OrgUnit | None:
    """The county of `u` from its loaded parents (the views fetch units with parent__parent; children get the
    dashboard's unit as parent): no query."""
    while u is not None and u.level != roles.COUNTY:
        u = u.parent if u.parent_id else None
    return u


def pool_fig(links: Links, u: OrgUnit, n: int, figure: str = "pool", text=None, **filters) -> Fig:
    """A pool figure: the reserve list where it can filter so, else dashboards' reserve list."""
    record_filters = {"pool": {}, "young": {"age_band": "le35"}}
    url = None
    if figure in record_filters:
        url = links.records(u, **record_filters[figure], **filters)
    if url is None:
        params = {"figure": figure} | {("type" if k == "reserve_type" else "source"): v for k, v in filters.items()}
        url = links.reserves(u, **params)
    return Fig(n, url, text)


def policy_label(policy) -> str:
    if policy is None:
        return "本县尚未设置政策（没有每村目标数）"

    preset = PRESETS.get(policy.preset, {}).get("label", "自定义")
    return (
        f"{policy.effective_from.year}年{policy.effective_from.month}月{policy.effective_from.day}日起施行（{preset}）"
    )


def pct_text(value) -> str:
    return "—" if value is None else f"{value:g}%"


# --- rows of a unit and its children -----------------------------------------------------------------------------


@dataclass
class Row:
    """One unit's figures (a child of the dashboard's unit, or the unit itself as the total row)."""

    unit: OrgUnit
    is_total: bool = False
    villages: int = 0
    pool: Fig = None
    avg_age: Fig = None
    young: Fig = None
    college: Fig = None
    party: Fig = None
    women: Fig = None
    flagged: Fig = None
    over_age: Fig = None
    ageing: Fig = None
    structure: S.Structure = None
    coverage: S.Coverage = None
    met: Fig = None
    short: Fig = None
    none: Fig = None
    no_young: Fig = None
    training: Fig = None
    mentoring: list = field(default_factory=list)  # Figs in the order of the rules
    unreviewed: Fig = None
    url: str | None = None  # the child's own dashboard


def _structure_figs(row: Row, links: Links, st: S.Structure):
    u = row.unit
    row.structure = st
    row.pool = pool_fig(links, u, st.n)
    row.avg_age = pool_fig(links, u, st.n, text="—" if st.avg_age is None else f"{st.avg_age:g}")
    row.young = pool_fig(links, u, st.young, "young")
    for name in ("college", "party", "women", "flagged", "over_age", "ageing"):
        setattr(row, name, pool_fig(links, u, getattr(st, name), name))


def _coverage_figs(row: Row, links: Links, cov: S.Coverage):
    u = row.unit
    row.coverage = cov
    row.villages = cov.villages
    row.met = Fig(cov.met, links.villages(u, "met"))
    row.short = Fig(cov.short, links.villages(u, "short"))
    row.none = Fig(cov.none, links.villages(u, "none"))
    row.no_young = Fig(cov.no_young, links.villages(u, "no_young")) if cov.young_rule else None


def child_url(child: OrgUnit) -> str | None:
    names = {
        roles.CITY: "dashboard_city",
        roles.COUNTY: "dashboard_county",
        roles.TOWNSHIP: "dashboard_township",
        roles.VILLAGE: "dashboard_village",
    }
    return reverse(names[child.level], args=[child.pk]) if child.level in names else None


def unit_dashboard(user, unit: OrgUnit, on: datetime.date | None = None) -> dict:
    """The city, county or township dashboard: the unit's figures and one row per child unit."""
    on = on or S.today()
    links = Links(user)
    policies = S.load_policies(unit)
    policy = policies.at(unit.code, on) if unit.level != roles.CITY else None
    shown = policies.rules_on(on)  # a rule no county here imposes has no figure, column or list
    children = S.children_of(unit, on)
    rollup = S.Rollup(children)
    dates = S.trend_dates(on)
    villages = S.village_rows(unit, [d for _, d in dates], policies)
    structures, sources = S.structure_and_sources(user, unit, on, policies)
    training = S.training_gaps(user, unit, on, policies)
    mentoring = S.mentoring_gaps(user, unit, on, policies)
    rules = S.mentoring_rules(unit, policies, on)
    year, quarter = S.review_quarter(on)
    reviews = "quarter_review" in shown
    if reviews:
        unreviewed_total, child_unreviewed = S.unreviewed(user, unit, year, quarter, children)
    else:
        unreviewed_total, child_unreviewed = 0, {c.pk: 0 for c in children}

    def by_child(values: dict, zero, add):
        out = {c.pk: zero() for c in children}
        for code, value in values.items():
            child = rollup.child(code)
            if child is not None:
                out[child.pk] = add(out[child.pk], value)
        return out

    def add_structure(a, b):
        a.add(b)
        return a

    def add_rules(a, b):
        return {k: a.get(k, 0) + b.get(k, 0) for k in set(a) | set(b)}

    child_structure = by_child(structures, S.Structure, add_structure)
    child_training = by_child(training, int, lambda a, b: a + b)
    child_mentoring = by_child(mentoring, dict, add_rules)
    child_villages = {c.pk: [v for v in villages if v.code.startswith(c.code)] for c in children}

    total_structure = S.Structure()
    for st in structures.values():
        total_structure.add(st)
    total_mentoring = {}
    for values in mentoring.values():
        total_mentoring = add_rules(total_mentoring, values)
    compliance_linked = unit.level != roles.CITY  # the compliance lists are per county

    rows = []
    for child in children:
        row = Row(child, url=child_url(child))
        _structure_figs(row, links, child_structure[child.pk])
        _coverage_figs(row, links, S.coverage_of(child_villages[child.pk], on))
        row.training = Fig(child_training[child.pk], links.training(child))
        row.mentoring = [Fig(child_mentoring[child.pk].get(k, 0), links.mentoring(child, k)) for k, _ in rules]
        row.unreviewed = Fig(
            child_unreviewed[child.pk], links.reserves(child, figure="unreviewed", year=year, quarter=quarter)
        )
        rows.append(row)
    total = Row(unit, is_total=True)
    _structure_figs(total, links, total_structure)
    coverage = S.coverage_of(villages, on)
    _coverage_figs(total, links, coverage)
    total.training = Fig(sum(training.values()), links.training(unit) if compliance_linked else None)
    total.mentoring = [
        Fig(total_mentoring.get(k, 0), links.mentoring(unit, k) if compliance_linked else None) for k, _ in rules
    ]
    total.unreviewed = Fig(unreviewed_total, links.reserves(unit, figure="unreviewed", year=year, quarter=quarter))

    points = S.trend(villages, dates, policies)
    parent = unit.parent if unit.parent_id else None
    context = {
        "up": (parent, child_url(parent)) if parent is not None and links.scope.has(roles.VIEW, parent) else None,
        "policy_label": policy_label(policy),
        "unit": unit,
        "on": on,
        "policy": policy,
        "own": links.own(unit),
        "child_label": S.CHILD_LABELS.get(unit.level, ""),
        "rows": rows,
        "total": total,
        "coverage": coverage,
        "coverage_types": [
            (
                tc,
                Fig(tc.met, links.villages(unit, f"met:{tc.key}")),
                Fig(tc.short, links.villages(unit, f"short:{tc.key}")),
            )
            for tc in coverage.by_type.values()
        ],
        "rules": rules,
        "mentoring_totals": list(zip([label for _, label in rules], total.mentoring, strict=True)),
        "shown": shown,
        "review_label": f"{year}年第{quarter}季度",
        "half": (on.year, 1 if on.month <= 6 else 2),
        "trend": points,
        "charts": _charts(unit, rows, points),
    }
    if unit.level != roles.CITY:
        context["types"] = _type_table(user, unit, links)
        context["sources"] = [(label, pool_fig(links, unit, n, source_group=key)) for key, label, n in sources]
    if links.own(unit) or unit.level == roles.TOWNSHIP:
        context["wip"] = _wip(user, unit, on, links)
    if unit.level == roles.TOWNSHIP and reviews:
        context["review"] = township_review(unit, on, policies)
    return context


def township_review(township: OrgUnit, on: datetime.date, policies: S.Policies) -> dict:
    """The quarter the township is reviewing now: how many reserves have its opinion, and until when it may enter
    and submit them (three queries: counts, the submission, the calendar)."""

    year, quarter = default_review_quarter(on)
    end = S.quarter_bounds(year, quarter)[1]
    counts = quarter_counts(Q(village__parent=township), year, quarter, group="village__parent_id")
    count = counts.get(township.pk, {"total": 0, "township": 0})
    status = quarter_status(
        township, year, quarter, today=on, county=county_above(township), policy=policies.at(township.code, end)
    )
    return {
        "label": f"{year}年第{quarter}季度",
        "done": count["township"],
        "total": count["total"],
        "status": status,
        "url": reverse("quarter_township", kwargs={"year": year, "quarter": quarter, "pk": township.pk}),
    }


def _charts(unit, rows: list[Row], points) -> dict:
    label = S.CHILD_LABELS.get(unit.level, "")
    return {
        "pool": charts.bar_chart(
            f"在库后备干部（按{label}）",
            [(r.unit.name, r.pool.n, str(r.pool.n), r.pool.url) for r in rows],
            unit="人",
        ),
        "coverage": charts.bar_chart(
            f"达到目标数的村（社区）占比（按{label}）",
            [
                (r.unit.name, r.coverage.rate, pct_text(r.coverage.rate), r.met.url)
                for r in rows
                if r.coverage.rate is not None
            ],
            max_value=100,
            color=charts.PALETTE[3],
        ),
        "young": charts.bar_chart(
            f"35岁及以下占比（按{label}）",
            [(r.unit.name, r.structure.young_pct, pct_text(r.structure.young_pct), r.young.url) for r in rows],
            max_value=100,
            color=charts.PALETTE[2],
        ),
        "trend": charts.trend_chart("在库人数与达标村（社区）占比（按季度）", points),
    }


def _type_table(user, unit: OrgUnit, links: Links) -> dict:
    """Records by type and status, as the reserve list counts them."""
    counts = S.status_counts(user, unit)
    statuses = C.STATUS_CHOICES

    def fig(status, reserve_type, n):
        url = links.records(unit, status=status, reserve_type=reserve_type)
        if url is None:
            url = links.reserves(unit, status=status, type=reserve_type)
        return Fig(n, url)

    rows = []
    for t, label in C.RESERVE_TYPE_CHOICES:
        cells = [fig(s, t, counts.get((s, t), 0)) for s, _ in statuses]
        if any(c.n for c in cells):
            rows.append((label, cells))
    totals = [fig(s, "", sum(n for (st, _t), n in counts.items() if st == s)) for s, _ in statuses]
    return {"statuses": [label for _, label in statuses], "rows": rows, "totals": totals}


def _wip(user, unit: OrgUnit, on: datetime.date, links: Links) -> dict:
    """Work in flight with links to the lists that show it (shown only where those lists show exactly this unit;
    selection rounds also for a township, which the round list filters by)."""
    own = links.own(unit)
    wip = S.work_in_progress(user, on) if own else None
    rounds = S.township_rounds(user, unit) if not own else wip.rounds
    out = {
        "rounds": [
            (STAGE_LABELS.get(stage, stage), Fig(n, links.rounds(unit, stage)))
            for stage, n in sorted(rounds.items(), key=lambda item: S.stage_order(item[0]))
        ],
        "rounds_open": Fig(sum(rounds.values()), links.rounds(unit, "open")),
    }
    if not own:
        return out
    chains = []
    for kind, model, name, label in (
        ("removal", Removal, "removal_list", "取消资格"),
        ("use", Use, "use_list", "择优使用"),
        ("transfer", Transfer, "transfer_list", "调动"),
    ):
        states = [
            (dict(model.STATE_CHOICES)[s], Fig(wip.chains.get(kind, {}).get(s, 0), links.scoped(unit, name, state=s)))
            for s in model.OPEN_STATES
        ]
        chains.append((label, Fig(wip.open_total(kind), links.scoped(unit, name, state="open")), states))
    out |= {
        "chains": chains,
        "notices_week": Fig(wip.notices_week, _url("dashboard_notices", {})),
        "filings_waiting": Fig(wip.filings_waiting, links.scoped(unit, "filing_list", state="submitted")),
        "filings_returned": Fig(wip.filings_returned, links.scoped(unit, "filing_list", state="returned")),
        "week_end": S.week_end(on),
        "any_chain": any(f.n for _label, _total, states in chains for _s, f in states),
        "roster": _roster_status(unit, on),
    }
    return out


def _roster_status(unit: OrgUnit, on: datetime.date) -> dict | None:
    """This year's roster submission (seed 000) as the county or a township sees it; one query without a call, three
    with one."""
    from django.db.models import Count

    from reports.models import RosterCall, RosterSubmission

    county = county_above(unit)
    if county is None or unit.level not in (roles.COUNTY, roles.TOWNSHIP):
        return None
    call = RosterCall.objects.filter(county=county, year=on.year).first()
    if call is None:
        return None
    counts = (
        RosterSubmission.objects.filter(call=call, township__code__startswith=unit.code)
        .exclude(state=RosterSubmission.RETURNED)
        .aggregate(
            submitted=Count("id"),
            accepted=Count("id", filter=Q(state=RosterSubmission.ACCEPTED)),
            late=Count("id", filter=Q(submitted_at__date__gt=call.deadline)),
        )
    )
    townships = (
        OrgUnit.objects.filter(level=roles.TOWNSHIP, code__startswith=unit.code, parent=county)
        .current(call.deadline)
        .count()
    )
    return {"call": call, "townships": townships, **counts, "url": reverse("call_detail", args=[call.pk])}


# --- the village view --------------------------------------------------------------------------------------------

STATUS_WORDS = {"due": "待落实", "overdue": "未落实"}


def _lacks(r, rules, policy, shown) -> list[str]:
    """What one reserve lacks under the rules the county imposes, from the row's annotations (no query)."""

    out = []
    if "training" in shown and r.training_attention:
        deadline = deadline_from_key(r.training_due_before)
        day = f"{deadline.year}年{deadline.month}月{deadline.day}日" if deadline else ""
        if r.training_status == "overdue":
            out.append(f"培训未落实（{day}已到期）" if day else "培训未落实")
        else:
            out.append(f"培训待落实（{day}前）" if day else "培训待落实")
    for key, label in rules:
        status = getattr(r, f"mc_{key}")
        if status in STATUS_WORDS:
            if key == "pairing":
                out.append(pairing_missing_text(policy, r.mc_has_leader, r.mc_has_cadre))
            else:
                out.append(f"{label}{STATUS_WORDS[status]}")
    if "quarter_review" in shown and r.d_unreviewed:
        out.append("上季度乡镇评定意见未填写")
    if r.d_flagged:
        out.append("有待处理的取消资格提示")
    if r.d_over_age:
        out.append("已超过年龄上限")
    elif r.d_ageing:
        out.append("12个月内将超过年龄上限")
    return out


def village_view(user, village: OrgUnit, on: datetime.date | None = None) -> dict:

    on = on or S.today()
    links = Links(user)
    policies = S.load_policies(village)
    policy = policies.at(village.code, on)
    shown = policies.rules_on(on)
    rules = S.mentoring_rules(village, policies, on)
    rows = list(S.village_reserves(user, village, on, policies))
    for r in rows:
        r.lacks = _lacks(r, rules, policy, shown)
        r.age = r.person.age_on(on)
    st = S.structure(user, village, on, policies).get(village.code, S.Structure())
    total = Row(village, is_total=True)
    _structure_figs(total, links, st)
    (vrow,) = S.village_rows(village, [on], policies) or [None]
    year, quarter = default_review_quarter(on)
    opinions = quarter_counts(Q(village=village), year, quarter).get(village.pk, {"total": 0, "village": 0})
    context = {
        "unit": village,
        "on": on,
        "policy": policy,
        "own": links.own(village),
        "rows": rows,
        "total": total,
        "village_row": vrow,
        "opinions": opinions,
        "opinion_label": f"{year}年第{quarter}季度",
        "up": (village.parent, child_url(village.parent)) if links.scope.has(roles.VIEW, village.parent) else None,
        "policy_label": policy_label(policy),
        "opinion_quarter": (year, quarter),
        "training": Fig(sum(S.training_gaps(user, village, on, policies).values()), links.training(village)),
        "shown": shown,
    }
    mentoring = S.mentoring_gaps(user, village, on, policies).get(village.code, {})
    context["mentoring"] = [(label, Fig(mentoring.get(k, 0), links.mentoring(village, k))) for k, label in rules]
    if links.own(village):
        context["wip"] = _wip(user, village, on, links)
    return context


# --- the township scorecard --------------------------------------------------------------------------------------


@dataclass
class ScoreRow:
    unit: OrgUnit
    url: str | None = None
    villages: int = 0
    coverage: S.Coverage = None
    met: Fig = None
    pool: Fig = None
    reviewed: int = 0
    review_total: int = 0
    unreviewed: Fig = None
    submission: str = ""
    on_time: bool | None = None
    training: Fig = None
    pairing: Fig = None
    talks: list = field(default_factory=list)
    removed: Fig = None
    replenished: Fig = None
    unreplenished: Fig = None

    def rate(self, n: int) -> float | None:
        return round(100 * (self.pool.n - n) / self.pool.n, 1) if self.pool and self.pool.n else None

    @property
    def review_rate(self):
        return round(100 * self.reviewed / self.review_total, 1) if self.review_total else None

    @property
    def training_rate(self):
        return self.rate(self.training.n)

    @property
    def pairing_rate(self):
        return self.rate(self.pairing.n) if self.pairing else None


def scorecard(user, county: OrgUnit, on: datetime.date | None = None) -> dict:
    """Per township: coverage, last quarter's reviews (and whether submitted on time), training, pairing, talks,
    removals replenished this year (QS: the county inspects townships every half year, evaluates at year end)."""

    on = on or S.today()
    links = Links(user)
    policies = S.load_policies(county)
    policy = policies.at(county.code, on)
    shown = policies.rules_on(on)
    townships = S.children_of(county, on)
    rollup = S.Rollup(townships)
    villages = S.village_rows(county, [on], policies)
    structures = S.structure(user, county, on, policies)
    training = S.training_gaps(user, county, on, policies)
    mentoring = S.mentoring_gaps(user, county, on, policies)
    rules = S.mentoring_rules(county, policies, on)
    talk_rules = [(k, label) for k, label in rules if k not in ("pairing", "entry")]
    year, quarter = S.review_quarter(on)
    reviews = "quarter_review" in shown
    if reviews:
        _total, unreviewed = S.unreviewed(user, county, year, quarter, townships)
        counts = quarter_counts(Q(village__code__startswith=county.code), year, quarter, group="village__parent_id")
        submissions = {
            s.township_id: s
            for s in QuarterSubmission.objects.filter(
                township__in=[t.pk for t in townships], year=year, quarter=quarter
            )
        }
        quarter_end = S.quarter_bounds(year, quarter)[1]
        deadline = grace_deadline(county, year, quarter, policies.at(county.code, quarter_end))
    else:
        unreviewed, counts, submissions, deadline = dict.fromkeys((t.pk for t in townships), 0), {}, {}, None
    removals = S.removals(user, county, on.year)

    def pick(values: dict, t: OrgUnit):
        return [v for code, v in values.items() if rollup.child(code) is t]

    rows = []
    for t in townships:
        row = ScoreRow(t, url=child_url(t))
        cov = S.coverage_of([v for v in villages if v.code.startswith(t.code)], on)
        row.coverage, row.villages = cov, cov.villages
        row.met = Fig(cov.met, links.villages(t, "met"))
        st = S.Structure()
        for value in pick(structures, t):
            st.add(value)
        row.pool = pool_fig(links, t, st.n)
        row.training = Fig(sum(pick(training, t)), links.training(t))
        m = {}
        for value in pick(mentoring, t):
            for k, n in value.items():
                m[k] = m.get(k, 0) + n
        if any(k == "pairing" for k, _ in rules):
            row.pairing = Fig(m.get("pairing", 0), links.mentoring(t, "pairing"))
        row.talks = [(label, Fig(m.get(k, 0), links.mentoring(t, k))) for k, label in talk_rules]
        missing = unreviewed[t.pk]
        row.review_total = counts.get(t.pk, {}).get("total", 0)
        row.reviewed = row.review_total - missing
        row.unreviewed = Fig(missing, links.reserves(t, figure="unreviewed", year=year, quarter=quarter))
        sub = submissions.get(t.pk)
        if not reviews:
            pass
        elif sub is not None and sub.state == QuarterSubmission.SUBMITTED and sub.submitted_at:
            day = timezone.localtime(sub.submitted_at).date()
            row.submission = f"{day.month}月{day.day}日提交"
            row.on_time = day <= deadline.day
        elif sub is not None and sub.state == QuarterSubmission.REOPENED:
            row.submission = "县委组织部已重新开放"
        else:
            row.submission = "未提交"
            row.on_time = False if on > deadline.day else None
        removed = [v for code, v in removals.items() if rollup.child(code) is t]
        n_removed = sum(n for n, _ in removed)
        n_done = sum(d for _, d in removed)
        row.removed = Fig(n_removed, links.reserves(t, figure="removed", year=on.year))
        row.replenished = Fig(n_done, links.reserves(t, figure="replenished", year=on.year))
        row.unreplenished = Fig(n_removed - n_done, links.reserves(t, figure="unreplenished", year=on.year))
        rows.append(row)
    return {
        "unit": county,
        "on": on,
        "policy": policy,
        "rows": rows,
        "talk_rules": talk_rules,
        "rules": rules,
        "shown": shown,
        "review_label": f"{year}年第{quarter}季度",
        "deadline": deadline,
        "year": on.year,
        "chart": charts.bar_chart(
            "达到目标数的村（社区）占比（按乡镇）",
            [
                (r.unit.name, r.coverage.rate, pct_text(r.coverage.rate), r.met.url)
                for r in rows
                if r.coverage.rate is not None
            ],
            max_value=100,
            color=charts.PALETTE[3],
        ),
    }
