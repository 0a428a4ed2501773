"""The mentoring rules: per-person Checks explain themselves in Chinese, and the queryset form agrees with them
(a table of boundary cases and a hypothesis test over pairings, entries, talks, dates and policies)."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from mentoring.models import MentoringEntry, Talk, TalkParticipant
from mentoring.rules import RULES, annotate_mentoring, applicable_rules, mentoring_checks
from org import roles
from reserves.compliance import DUE, NA, OK, OVERDUE, quarter_of
from reserves.models import CountyPolicy, MentorPairing, ReserveRecord
from reserves.policy import PRESETS, preset_values
from tests.conftest import make_person, make_record

D = datetime.date
SINCE = D(2020, 3, 1)
KEYS = [k for k, _ in RULES]


def policy(preset="QS2017", **over):
    return CountyPolicy(pk=1, county_id=1, effective_from=D(2000, 1, 1), **(preset_values(preset) | over))


def checks(record, pol, on):
    return {c.key: c for c in mentoring_checks(record, pol, on=on)}


def statuses(record, pol, on):
    return {k: c.status for k, c in checks(record, pol, on).items()}


def annotated(record, pol, on):
    row = annotate_mentoring(ReserveRecord.objects.filter(pk=record.pk), pol, on).get()
    return {key: getattr(row, f"mc_{key}") for key in KEYS}


def agree(record, pol, on):
    per_person = statuses(record, pol, on)
    assert annotated(record, pol, on) == per_person, (on, pol.preset if pol else None)
    return per_person


def pair(record, kind="township_leader", start=SINCE, end=None, name="帮带人"):
    return MentorPairing.objects.create(
        record=record, mentor_name=name, mentor_kind=kind, post="职务", start=start, end=end
    )


def held(record, kind, day):
    t = Talk.objects.create(kind=kind, date=day, unit=record.village.parent, held_by_name="谈话人", notes="x")
    TalkParticipant.objects.create(talk=t, record=record)
    return t


def entry(p, year, quarter, day):
    return MentoringEntry.objects.create(pairing=p, year=year, quarter=quarter, date=day, content="x")


@pytest.fixture
def record(cast):
    return make_record(make_person(cast.village_a1, name="测"), entered=D(2020, 3, 1))


# --- pairing ---------------------------------------------------------------------------------------------------------


def test_one_mentor_rule(record):
    pol = policy("QS2017")
    c = checks(record, pol, D(2026, 5, 1))["pairing"]
    assert (c.status, c.reason) == (OVERDUE, "尚未安排帮带干部（每名后备干部至少1名帮带干部）。")
    pair(record, name="张三")
    c = checks(record, pol, D(2026, 5, 1))["pairing"]
    assert (c.status, c.reason) == (OK, "已结对：张三 职务。")
    agree(record, pol, D(2026, 5, 1))


@pytest.mark.parametrize(
    "kinds, status, reason",
    [
        ([], OVERDUE, "缺少乡镇领导联系人和村干部结对"),
        (["township_leader"], OVERDUE, "缺少村干部结对"),
        (["village_head"], OVERDUE, "缺少乡镇领导联系人"),
        (["first_secretary"], OVERDUE, "缺少乡镇领导联系人和村干部结对"),
        (["township_leader", "village_cadre"], OK, "乡镇领导联系"),
        (["township_leader", "village_head"], OK, "村干部结对：帮带人 职务"),
    ],
)
def test_leader_and_cadre_rule_says_which_is_missing(record, kinds, status, reason):
    for kind in kinds:
        pair(record, kind=kind)
    pol = policy("QL2022")
    c = checks(record, pol, D(2026, 5, 1))["pairing"]
    assert c.status == status and reason in c.reason
    agree(record, pol, D(2026, 5, 1))


def test_an_ended_pairing_no_longer_counts(record):
    pair(record, start=D(2020, 3, 1), end=D(2026, 5, 15))
    pol = policy()
    assert statuses(record, pol, D(2026, 5, 14))["pairing"] == OK
    assert agree(record, pol, D(2026, 5, 15))["pairing"] == OVERDUE


# --- this quarter's entry --------------------------------------------------------------------------------------------


def test_entry_quarter_edges(record):
    p = pair(record)
    entry(p, 2026, 1, D(2026, 3, 31))
    pol = policy()
    assert agree(record, pol, D(2026, 3, 31))["entry"] == OK
    c = checks(record, pol, D(2026, 4, 1))["entry"]
    assert c.status == DUE and c.deadline == D(2026, 6, 30)
    assert c.reason == "2026年第二季度结对帮扶情况尚未填写（帮扶责任人：帮带人 职务），请于2026年6月30日前填写。"
    agree(record, pol, D(2026, 4, 1))


def test_every_current_pairing_needs_its_entry(record):
    leader, cadre = pair(record, name="甲"), pair(record, kind="village_cadre", name="乙")
    entry(leader, 2026, 2, D(2026, 4, 2))
    pol = policy("QL2022", quarter_mentoring_on=True)  # a QL county that added QS's quarterly entry
    c = checks(record, pol, D(2026, 5, 1))["entry"]
    assert c.status == DUE and "乙 职务" in c.reason and "甲" not in c.reason
    agree(record, pol, D(2026, 5, 1))
    entry(cadre, 2026, 2, D(2026, 4, 3))
    assert agree(record, pol, D(2026, 5, 1))["entry"] == OK


def test_a_pairing_that_ended_mid_quarter_is_not_asked_for_after_its_end(record):
    ended = pair(record, name="甲", end=D(2026, 5, 15))
    pol = policy()
    assert agree(record, pol, D(2026, 5, 14))["entry"] == DUE
    assert agree(record, pol, D(2026, 5, 15))["entry"] == NA  # no current pairing left
    new = pair(record, name="乙", start=D(2026, 5, 15))
    entry(ended, 2026, 2, D(2026, 4, 20))
    c = checks(record, pol, D(2026, 5, 20))["entry"]
    assert c.status == DUE and "乙" in c.reason
    entry(new, 2026, 2, D(2026, 5, 20))
    assert agree(record, pol, D(2026, 5, 20))["entry"] == OK


def test_no_pairing_means_no_entry_is_asked(record):
    c = checks(record, policy(), D(2026, 5, 1))["entry"]
    assert (c.status, c.reason) == (NA, "目前没有结对帮带干部，无需填写帮扶情况。")


# --- talks -----------------------------------------------------------------------------------------------------------


def test_full_coverage_talk_counts_for_its_calendar_year(record):
    pol = policy("QS2017")
    c = checks(record, pol, D(2026, 1, 10))["full_coverage"]
    assert (c.status, c.deadline) == (DUE, D(2026, 12, 31))
    assert c.reason == "2026年尚未进行全覆盖谈心谈话，请于2026年12月31日前完成。"
    held(record, "full_coverage", D(2026, 1, 5))
    c = checks(record, pol, D(2026, 12, 31))["full_coverage"]
    assert (c.status, c.reason) == (OK, "已于2026年1月5日进行全覆盖谈心谈话。")
    assert agree(record, pol, D(2027, 1, 1))["full_coverage"] == DUE
    assert agree(record, pol, D(2026, 1, 4))["full_coverage"] == DUE  # not yet held on that day


def test_other_kinds_do_not_count_as_the_full_coverage_talk(record):
    held(record, "collective", D(2026, 3, 1))
    assert agree(record, policy("QS2017"), D(2026, 5, 1))["full_coverage"] == DUE


def test_half_yearly_talk_per_half(record):
    pol = policy("QL2022")
    held(record, "half_yearly", D(2026, 6, 30))
    assert agree(record, pol, D(2026, 6, 30))["half_yearly"] == OK
    c = checks(record, pol, D(2026, 7, 1))["half_yearly"]
    assert c.status == DUE and c.reason.startswith("2026年下半年尚未进行乡镇半年谈话") and c.deadline == D(2026, 12, 31)
    agree(record, pol, D(2026, 7, 1))


def test_collective_talk_yearly(record):
    pol = policy("QL2022")
    assert agree(record, pol, D(2026, 5, 1))["collective"] == DUE
    held(record, "collective", D(2026, 2, 1))
    assert agree(record, pol, D(2026, 5, 1))["collective"] == OK


def test_monthly_contact_counts_mentor_talks_too(record):
    pol = policy("3YR2024")
    held(record, "mentor", D(2026, 4, 30))
    assert agree(record, pol, D(2026, 4, 30))["monthly"] == OK
    c = checks(record, pol, D(2026, 5, 1))["monthly"]
    assert (c.status, c.deadline) == (DUE, D(2026, 5, 31)) and c.reason.startswith("2026年5月尚未进行")
    held(record, "monthly", D(2026, 5, 1))
    assert agree(record, pol, D(2026, 5, 1))["monthly"] == OK


def test_rules_the_policy_does_not_ask_for_are_not_applicable(record):
    pol = policy("CD2025", talk_full_coverage_yearly=False)
    s = agree(record, pol, D(2026, 5, 1))
    assert [s[k] for k in ("full_coverage", "half_yearly", "collective", "monthly")] == [NA] * 4
    c = checks(record, pol, D(2026, 5, 1))["collective"]
    assert c.reason == "本县政策未要求集体谈话。"


def test_without_a_policy_nothing_is_asked(record):
    s = agree(record, None, D(2026, 5, 1))
    assert s == dict.fromkeys(KEYS, NA)
    assert checks(record, None, D(2026, 5, 1))["pairing"].reason == "本县尚未设置适用的政策。"


def test_cd_asks_for_no_pairing_entry_or_talk(record):
    """CD2025 has no mentoring rule at all: nothing is due even with no mentor, no entry and no talk."""
    pol = policy("CD2025")
    assert agree(record, pol, D(2026, 5, 1)) == dict.fromkeys(KEYS, NA)
    c = checks(record, pol, D(2026, 5, 1))
    assert c["pairing"].reason == "本县政策未要求结对帮带。"
    assert c["entry"].reason == "本县政策未要求每季度填写结对帮扶情况。"
    assert applicable_rules(pol) == []


def test_ql_asks_for_pairs_and_its_talks_but_no_quarterly_entry(record):
    pair(record, kind="township_leader")
    pol = policy("QL2022")
    s = agree(record, pol, D(2026, 5, 1))
    assert (s["pairing"], s["entry"], s["full_coverage"], s["half_yearly"]) == (OVERDUE, NA, NA, DUE)
    assert [k for k, _ in applicable_rules(pol)] == ["pairing", "half_yearly", "collective"]
    assert [k for k, _ in applicable_rules(policy("QS2017"))] == ["pairing", "entry", "full_coverage"]
    assert [k for k, _ in applicable_rules(policy("3YR2024"))] == ["pairing", "monthly"]


def test_mentor_off_makes_pairing_not_applicable_whatever_the_mentor_rule(record):
    for rule in (CountyPolicy.MENTOR_ONE, CountyPolicy.MENTOR_PAIR):
        pol = policy("QS2017", mentor_on=False, mentor_rule=rule)
        assert agree(record, pol, D(2026, 5, 1))["pairing"] == NA


def test_only_records_in_the_pool_count(cast):
    record = make_record(make_person(cast.village_a1), entered=D(2020, 3, 1), ended=D(2026, 5, 1), status="used")
    assert set(agree(record, policy(), D(2026, 5, 1)).values()) == {NA}
    assert agree(record, policy(), D(2026, 4, 30))["pairing"] == OVERDUE
    c = checks(record, policy(), D(2026, 5, 1))["pairing"]
    assert c.reason == "2026年5月1日不在库。"


def test_the_policy_in_force_is_looked_up_when_not_given(cast, record):
    CountyPolicy.objects.create(
        county=cast.county, effective_from=D(2026, 1, 1), preset="QL2022", **preset_values("QL2022")
    )
    assert "乡镇领导联系人" in checks(record, ..., D(2026, 5, 1))["pairing"].reason
    assert checks(record, ..., D(2025, 5, 1))["pairing"].reason.startswith("尚未安排帮带干部")


# --- agreement over generated cases ----------------------------------------------------------------------------------

DAYS = st.dates(min_value=D(2025, 12, 20), max_value=D(2026, 7, 10))
PAIRING = st.tuples(
    st.sampled_from(["township_leader", "village_head", "first_secretary", "village_cadre"]),
    DAYS,
    st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
    st.booleans(),  # has an entry for the quarter of `on`
)
TALK = st.tuples(st.sampled_from(["mentor", "full_coverage", "half_yearly", "collective", "monthly"]), DAYS)


class TestQuerysetFormAgrees(TestCase):
    @classmethod
    def setUpTestData(cls):
        from reserves.builders import unit

        cls.county = unit(roles.COUNTY, "县", "511425")
        cls.township = unit(roles.TOWNSHIP, "镇", "511425100", cls.county)
        cls.village = unit(roles.VILLAGE, "村", "511425100201", cls.township, "cun")

    @settings(max_examples=80, deadline=None)
    @given(
        on=DAYS,
        entered=st.dates(min_value=D(2025, 6, 1), max_value=D(2026, 6, 30)),
        ended_after=st.one_of(st.none(), st.integers(min_value=0, max_value=300)),
        pairings=st.lists(PAIRING, max_size=3),
        talks=st.lists(TALK, max_size=4),
        preset=st.sampled_from(list(PRESETS)),
        flags=st.tuples(*[st.booleans()] * 6),
    )
    def test_agrees_with_mentoring_checks(self, on, entered, ended_after, pairings, talks, preset, flags):
        ended = entered + datetime.timedelta(days=ended_after) if ended_after is not None else None
        person = make_person(self.village, name="测")
        record = make_record(person, entered=entered, ended=ended, status="used" if ended else "active")
        year, quarter = quarter_of(on)
        for kind, start, length, has_entry in pairings:
            end = start + datetime.timedelta(days=length) if length is not None else None
            p = pair(record, kind=kind, start=start, end=end)
            if has_entry:
                entry(p, year, quarter, on)
        for kind, day in talks:
            held(record, kind, day)
        names = (
            "talk_full_coverage_yearly",
            "talk_township_half_yearly",
            "talk_collective_yearly",
            "talk_mentor_monthly",
            "mentor_on",
            "quarter_mentoring_on",
        )
        pol = policy(preset, **dict(zip(names, flags, strict=True)))
        agree(record, pol, on)
        agree(record, None, on)
