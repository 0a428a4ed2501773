"""Each rule twice — per item with a Chinese reason, and as a queryset — and the two agree (boundary tables and a
hypothesis search); the re-selection ban at its boundary."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from lifecycle import rules, services
from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from reserves.builders import make_id, unit
from reserves.compliance import NA, OK
from reserves.eligibility import annotate_eligibility, check_eligibility
from reserves.models import CountyPolicy, Person, ReservePlacement, ReserveRecord
from reserves.policy import preset_values
from reserves.services import record_close
from tests.conftest import make_person, make_record
from tests.lifecycle.conftest import county_files, propose_removal

D = datetime.date
TODAY = datetime.date.today()


def ql_policy(cast, **extra):
    """Switch the cast's county to QL amounts: ¥1,000 + ¥1,000 a month, 5-year ban, 1 reserve per village."""
    for key, value in (preset_values("QL2022") | extra).items():
        setattr(cast.policy, key, value)
    cast.policy.save()
    return cast.policy


# --- stipends ---------------------------------------------------------------------------------------------------


def paid(township, year, month):
    sheet = rules.stipend_sheet(township, year, month)
    return {p.record_id for p in sheet.lines}


def test_stipend_months_around_a_mid_month_removal(cast, people):
    ql_policy(cast)
    record = people["a1"]
    record_close(actor=cast.county_admin, record=record, status="removed", ended_on=D(2026, 5, 15), reason="取消资格")
    record.refresh_from_db()
    april, may, june = (rules.stipend_check(record, 2026, m) for m in (4, 5, 6))
    assert (april.status, may.status, june.status) == (OK, OK, NA)
    assert "本月照发，下月起停发" in may.reason and "合计2000元" in may.reason
    assert june.reason == "2026年5月15日取消资格，自2026年6月起停发。"
    assert record.pk in paid(cast.township_a, 2026, 4) and record.pk in paid(cast.township_a, 2026, 5)
    assert record.pk not in paid(cast.township_a, 2026, 6)
    assert record.pk in {r.pk for r in rules.stipend_sheet(cast.township_a, 2026, 6).stopped}
    sheet = rules.stipend_sheet(cast.township_a, 2026, 5)
    assert sheet.totals == {"n": 3, "county": 3000, "township": 3000, "all": 6000}


@pytest.mark.parametrize(
    ("ended", "months_paid"),
    [
        (D(2026, 6, 1), {5, 6}),  # removed on the 1st: June still paid ("从取消之日下月起停发")
        (D(2026, 5, 31), {5}),
        (None, {5, 6, 7}),
    ],
)
def test_stipend_stops_from_the_month_after(cast, ended, months_paid):
    ql_policy(cast)
    record = make_record(make_person(cast.village_a1), entered=D(2026, 5, 20))
    if ended:
        record_close(actor=cast.county_admin, record=record, status="used", ended_on=ended, reason="当选")
        record.refresh_from_db()
    assert {m for m in (4, 5, 6, 7) if record.pk in paid(cast.township_a, 2026, m)} == months_paid
    assert {m for m in (4, 5, 6, 7) if rules.stipend_check(record, 2026, m).status == OK} == months_paid


def test_serving_village_cadres_and_counties_without_amounts_are_not_paid(cast, people):
    cadre = make_record(make_person(cast.village_a2, name="现任委员", source_group="committee_member"))
    assert "不享受" in rules.stipend_check(cadre, 2026, 5, policy=ql_policy(cast)).reason
    sheet = rules.stipend_sheet(cast.township_a, 2026, 5)
    assert cadre.pk in {p.record_id for p in sheet.excluded} and cadre.pk not in paid(cast.township_a, 2026, 5)
    # The rule off: no one is paid, whatever amounts the version still holds (the flag decides, not the amount).
    cast.policy.stipend_on = False
    cast.policy.save()
    assert cast.policy.stipend_county_monthly == 1000
    assert rules.stipend_check(people["a1"], 2026, 5).reason == "本县政策未设置后备干部补贴。"
    assert not paid(cast.township_a, 2026, 5)
    assert not rules.stipend_sheet(cast.township_a, 2026, 5).pays


def test_a_record_moved_mid_month_is_paid_once_by_the_township_it_ended_the_month_in(cast, people):
    ql_policy(cast)
    record = people["a1"]
    services.transfer_propose(
        actor=cast.township_a_admin, record=record, target_village=cast.village_a2, reason="x", on=D(2026, 5, 10)
    )
    # the same township either way; now to another township mid-month, by hand through the reserves service
    from reserves.services import record_transfer

    record_transfer(actor=cast.county_admin, record=record, target=cast.village_b1, on=D(2026, 6, 10))
    record.refresh_from_db()
    assert record.pk in paid(cast.township_a, 2026, 5) and record.pk not in paid(cast.township_b, 2026, 5)
    assert record.pk in paid(cast.township_b, 2026, 6) and record.pk not in paid(cast.township_a, 2026, 6)
    assert rules.paying_placement(record, 2026, 6).village == cast.village_b1


class TestStipendFormsAgree(TestCase):
    """Per record (`stipend_check` + `paying_placement`) and per township (`stipend_placements`) agree."""

    @classmethod
    def setUpTestData(cls):
        cls.city = unit(roles.CITY, "市", "5114")
        cls.county = unit(roles.COUNTY, "县", "511425", cls.city)
        cls.ta = unit(roles.TOWNSHIP, "甲镇", "511425100", cls.county)
        cls.tb = unit(roles.TOWNSHIP, "乙镇", "511425101", cls.county)
        cls.a1 = unit(roles.VILLAGE, "甲一村", "511425100201", cls.ta, "cun")
        cls.a2 = unit(roles.VILLAGE, "甲二村", "511425100202", cls.ta, "cun")
        cls.b1 = unit(roles.VILLAGE, "乙一村", "511425101201", cls.tb, "cun")
        cls.policy = CountyPolicy.objects.create(
            county=cls.county, effective_from=D(2017, 1, 1), **preset_values("QL2022")
        )

    @settings(max_examples=80, deadline=None)
    @given(
        entered=st.dates(min_value=D(2025, 10, 1), max_value=D(2026, 3, 31)),
        moves=st.lists(st.tuples(st.integers(0, 120), st.integers(0, 2)), max_size=3),
        end_after=st.one_of(st.none(), st.integers(0, 200)),
        status=st.sampled_from(["removed", "used", "exited"]),
        cadre=st.booleans(),
        month=st.integers(1, 12),
    )
    def test_agree(self, entered, moves, end_after, status, cadre, month):
        villages = [self.a1, self.a2, self.b1]
        person = Person.objects.create(
            name="测",
            id_number=make_id("511425", D(1990, 1, 1), 7, "M"),
            sex="M",
            birth_date=D(1990, 1, 1),
            education="college",
            source_group="committee_member" if cadre else "group_leader",
            village=self.a1,
        )
        record = ReserveRecord.objects.create(
            person=person, reserve_type="village_reserve", village=self.a1, entered_on=entered, entry_method="manual"
        )
        placements = [ReservePlacement(record=record, village=self.a1, start=entered)]
        day = entered
        for gap, target in moves:
            day = day + datetime.timedelta(days=gap)
            if day == placements[-1].start:
                placements[-1].village = villages[target]
                continue
            placements[-1].end = day
            placements.append(ReservePlacement(record=record, village=villages[target], start=day))
        ended = None if end_after is None else day + datetime.timedelta(days=end_after)
        if ended is not None:
            placements[-1].end = ended
            record.status, record.ended_on = status, ended
            record.save()
        ReservePlacement.objects.bulk_create(placements)
        year = 2026
        for township in (self.ta, self.tb):
            rows = {
                (p.record_id, p.village_id, p.entitled)
                for p in rules.stipend_placements(township, year, month, self.policy)
            }
            check = rules.stipend_check(record, year, month, policy=self.policy)
            placement = rules.paying_placement(record, year, month)
            in_township = placement is not None and placement.village.code.startswith(township.code)
            entitled = check.status == OK
            expected = (
                {(record.pk, placement.village_id, entitled)}
                if in_township and not (check.status == NA and ("停发" in check.reason or "尚未入库" in check.reason))
                else set()
            )
            assert rows == expected, (entered, moves, ended, month, township.name, check.reason)
        ReservePlacement.objects.filter(record=record).delete()
        record.delete()
        person.delete()


# --- replenishment ------------------------------------------------------------------------------------------------


def test_a_village_below_target_shows_its_shortfall_at_once(cast, people):
    # QS: 2 per village. A1, A2, A3 and B1 have one each.
    checks = rules.village_shortfall(cast.village_a1)
    assert [(c.status, c.reason) for c in checks] == [("due", "缺额 1 名（每村目标2名，在库1名），请跟进补充。")]
    scope = get_scope(cast.township_a_admin)
    rows = list(rules.shortfall_villages(scope))
    assert [(v.name, v.short_village_reserve) for v in rows] == [("青竹社区", 1), ("兰沟村", 1), ("甘家沟村", 1)]
    make_record(make_person(cast.village_a1, name="补充"))
    assert rules.village_shortfall(cast.village_a1)[0].status == OK
    assert cast.village_a1.pk not in {v.pk for v in rules.shortfall_villages(scope)}
    county = [v.name for v in rules.shortfall_villages(get_scope(cast.county_staff))]
    assert "汉阳村" in county and "兰沟村" not in county
    city = [v.name for v in rules.shortfall_villages(get_scope(cast.city_viewer))]
    assert city == county


def test_a_filed_removal_makes_the_village_short(cast, people):
    ql_policy(cast)  # 1 per village: every village is at target
    scope = get_scope(cast.county_staff)
    assert not list(rules.shortfall_villages(scope))
    removal = propose_removal(cast, people["a1"])
    services.removal_approve(actor=cast.township_a_admin, removal=removal)
    county_files(cast, removal)
    assert [v.name for v in rules.shortfall_villages(scope)] == ["兰沟村"]


def county_on(cast, preset, **extra):
    """A version of the cast's county on `preset` in force from 2017 (replacing the QS one)."""
    CountyPolicy.objects.filter(county=cast.county).delete()
    return CountyPolicy.objects.create(
        county=cast.county, effective_from=D(2017, 1, 1), preset=preset, **(preset_values(preset) | extra)
    )


def secretary(village, birth, name="书记后备"):
    return make_record(make_person(village, birth=birth, name=name), rtype="secretary_reserve")


def short_of(village, on, policy):
    """The gaps of one village by both forms (per item, and annotated); they must agree."""
    checks = {c.key: c for c in rules.village_shortfall(village, on, policy=policy) if c.status == rules.DUE}
    row = rules.annotate_shortfall(OrgUnit.objects.filter(pk=village.pk), {policy.county.code: policy}, on).get()
    gaps = {f"replenish_{g.key}": g.short for g in rules.shortfall_gaps(row)}
    assert set(checks) == set(gaps), (checks, gaps)
    assert row.short_any == bool(gaps)
    return gaps


def test_each_target_counts_only_the_type_it_is_for(cast, people):
    policy = county_on(cast, "CD2025")  # 1 书记后备 + 2 两委后备 per village
    village = cast.village_b1  # 赵汉, a 村级后备干部: counts for neither target
    assert short_of(village, TODAY, policy) == {"replenish_secretary_reserve": 1, "replenish_committee_reserve": 2}
    secretary(village, D(1990, 1, 1))
    make_record(make_person(village, name="两委后备"), rtype="committee_reserve")
    assert short_of(village, TODAY, policy) == {"replenish_committee_reserve": 1}
    coverage = rules.village_coverage(village, TODAY, policy)
    assert coverage.counts == {"village_reserve": 1, "secretary_reserve": 1, "committee_reserve": 1, "young": 0}
    assert coverage.targets == {"secretary_reserve": 1, "committee_reserve": 2}


def test_two_secretary_reserves_over_35_leave_the_village_short_of_a_young_one(cast):
    policy = county_on(cast, "3YR2024")  # 2 书记后备, at least 1 aged 35 or under
    village = cast.village_b1
    on = D(2026, 6, 30)
    secretary(village, D(1980, 5, 1), "甲")
    secretary(village, D(1985, 5, 1), "乙")
    assert short_of(village, on, policy) == {"replenish_young": 1}
    [check] = [c for c in rules.village_shortfall(village, on, policy=policy) if c.status == rules.DUE]
    assert check.label == "35岁以下村党组织书记后备力量（每村至少1名）"
    assert "在库村党组织书记后备力量2名，其中35岁以下0名" in check.reason
    # a young 村级后备干部 is not a young secretary reserve
    make_record(make_person(village, birth=D(2000, 1, 1), name="年轻村级后备"))
    assert short_of(village, on, policy) == {"replenish_young": 1}
    # 35 on the day counts; 36 on the day does not
    young = secretary(village, D(1990, 6, 30), "丙")  # 36 on 2026-06-30
    assert short_of(village, on, policy) == {"replenish_young": 1}
    young.person.birth_date = D(1990, 7, 1)  # 35 until 2026-07-01
    young.person.save()
    assert short_of(village, on, policy) == {}
    assert short_of(village, D(2026, 7, 1), policy) == {"replenish_young": 1}


def test_the_young_gap_is_on_the_replenishment_list_with_a_secretary_round(client, cast):
    county_on(cast, "3YR2024")
    for village in (cast.village_a1, cast.village_a2, cast.community_a3, cast.village_b1):
        secretary(village, D(1980, 1, 1), "甲")
        secretary(village, D(1995, 1, 1), "乙")  # young until 2031
    secretary(cast.village_b1, D(1981, 1, 1), "丙")
    ReserveRecord.objects.filter(village=cast.village_b1, person__name="乙").delete()
    scope = get_scope(cast.county_staff)
    rows = list(rules.shortfall_villages(scope))
    assert [(v.name, [g.label for g in rules.shortfall_gaps(v)]) for v in rows] == [
        ("汉阳村", ["35岁以下村党组织书记后备力量"])
    ]
    client.force_login(cast.township_b_admin)
    html = client.get(reverse("replenish_list")).content.decode()
    assert "35岁以下村党组织书记后备力量（每村至少1名，在库0名）" in html
    assert "reserve_type=secretary_reserve" in html and "reserve_type=young" not in html


def test_rules_off_leave_no_target_and_no_young_gap(cast):
    policy = county_on(cast, "3YR2024", target_on=False, age_on=False)
    assert rules.coverage_targets(policy) == {}
    assert short_of(cast.village_b1, TODAY, policy) == {}
    assert not list(rules.shortfall_villages(get_scope(cast.county_staff)))
    # young_per_village without the age rule is not in force either
    policy = county_on(cast, "3YR2024", age_on=False)
    assert rules.coverage_targets(policy) == {"secretary_reserve": 2}


class ShortfallFormsAgree:
    """Both forms of the coverage agree on random pools (the test methods below run it per preset)."""

    preset = "CD2025"  # 1 secretary + 2 两委 reserves per village

    @classmethod
    def setUpTestData(cls):
        cls.city = unit(roles.CITY, "市", "5114")
        cls.county = unit(roles.COUNTY, "县", "511425", cls.city)
        cls.ta = unit(roles.TOWNSHIP, "甲镇", "511425100", cls.county)
        cls.a1 = unit(roles.VILLAGE, "甲一村", "511425100201", cls.ta, "cun")
        cls.a2 = unit(roles.VILLAGE, "甲二村", "511425100202", cls.ta, "cun")
        cls.policy = CountyPolicy.objects.create(
            county=cls.county, effective_from=D(2017, 1, 1), **preset_values(cls.preset)
        )

    def check_agree(self, records, on_days):
        villages = [self.a1, self.a2]
        base = D(2025, 1, 1)
        created = []
        for i, (rtype, v, entered_days, moved_after, ended_after, born) in enumerate(records):
            entered = base + datetime.timedelta(days=entered_days)
            person = Person.objects.create(
                name=f"测{i}",
                id_number=make_id("511425", born, 100 + i, "M"),
                sex="M",
                birth_date=born,
                education="college",
                source_group="group_leader",
                village=villages[v],
            )
            moved = entered + datetime.timedelta(days=moved_after + 1) if moved_after is not None else None
            last = moved or entered
            ended = last + datetime.timedelta(days=ended_after) if ended_after is not None else None
            record = ReserveRecord.objects.create(
                person=person,
                reserve_type=rtype,
                village=villages[1 - v] if moved else villages[v],
                entered_on=entered,
                entry_method="manual",
                status="removed" if ended else "active",
                ended_on=ended,
            )
            ReservePlacement.objects.create(record=record, village=villages[v], start=entered, end=moved or ended)
            if moved:
                ReservePlacement.objects.create(record=record, village=villages[1 - v], start=moved, end=ended)
            created.append((person, record))
        on = base + datetime.timedelta(days=on_days)
        annotated = {
            v.pk: v
            for v in rules.annotate_shortfall(
                OrgUnit.objects.filter(pk__in=[self.a1.pk, self.a2.pk]), {self.county.code: self.policy}, on
            )
        }
        for village in villages:
            checks = {c.key: c for c in rules.village_shortfall(village, on, policy=self.policy)}
            row = annotated[village.pk]
            targets = rules.coverage_targets(self.policy)
            for key in rules.COVERAGE_KEYS:
                if key not in targets:
                    assert f"replenish_{key}" not in checks
                    continue
                check = checks[f"replenish_{key}"]
                short = getattr(row, f"short_{key}")
                assert (check.status == "due") == (short > 0), (key, village.name, on, records)
                if short > 0:
                    assert f"缺额 {short} 名" in check.reason
            assert row.short_any == any(c.status == "due" for c in checks.values())
        for person, record in created:
            ReservePlacement.objects.filter(record=record).delete()
            record.delete()
            person.delete()


class TestShortfallFormsAgree(ShortfallFormsAgree, TestCase):
    preset = "CD2025"  # 1 secretary + 2 两委 reserves per village

    @settings(max_examples=60, deadline=None)
    @given(
        records=st.lists(
            st.tuples(
                st.sampled_from(["secretary_reserve", "committee_reserve", "village_reserve"]),
                st.integers(0, 1),  # village
                st.integers(0, 300),  # entered, days after 2025-01-01
                st.one_of(st.none(), st.integers(0, 300)),  # moved to the other village after
                st.one_of(st.none(), st.integers(0, 300)),  # ended after
                st.dates(min_value=D(1988, 1, 1), max_value=D(1992, 12, 31)),  # born: 35 or not around the day
            ),
            max_size=6,
        ),
        on_days=st.integers(0, 700),
    )
    def test_agree(self, records, on_days):
        self.check_agree(records, on_days)


class TestYoungShortfallFormsAgree(ShortfallFormsAgree, TestCase):
    preset = "3YR2024"  # 2 secretary reserves per village, at least one aged 35 or under

    @settings(max_examples=60, deadline=None)
    @given(
        records=st.lists(
            st.tuples(
                st.sampled_from(["secretary_reserve", "committee_reserve", "village_reserve"]),
                st.integers(0, 1),  # village
                st.integers(0, 300),  # entered, days after 2025-01-01
                st.one_of(st.none(), st.integers(0, 300)),  # moved to the other village after
                st.one_of(st.none(), st.integers(0, 300)),  # ended after
                st.dates(min_value=D(1988, 1, 1), max_value=D(1992, 12, 31)),  # born: 35 or not around the day
            ),
            max_size=6,
        ),
        on_days=st.integers(0, 700),
    )
    def test_agree(self, records, on_days):
        self.check_agree(records, on_days)


# --- the re-selection ban ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("removed", "day_before", "ends"),
    [
        (D(2021, 11, 23), D(2026, 11, 22), D(2026, 11, 23)),
        (D(2020, 2, 29), D(2025, 2, 28), D(2025, 3, 1)),  # a leap-day removal: the ban is not cut short
    ],
)
def test_the_ban_blocks_the_day_before_it_ends_and_not_on_the_day(cast, removed, day_before, ends):
    ql_policy(cast)
    person = make_person(cast.village_a1, name="曾取消")
    record = make_record(person, entered=D(2019, 1, 1), ended=removed, status="removed")
    for on, blocked in ((day_before, True), (ends, False)):
        verdict = {c.key: c.status for c in check_eligibility(person, cast.policy, on=on).conditions}["ban"]
        row = annotate_eligibility(Person.objects.filter(pk=person.pk), cast.policy, on).get()
        assert (verdict, row.elig_ban) == (("fail", "fail") if blocked else ("pass", "pass")), on
        assert rules.ban_until(record, on) == (ends if blocked else None)


def test_nominating_within_the_ban_needs_a_written_exception(cast):
    """The ban applies in selection's nomination (overridable with a recorded reason: 原则上)."""
    from django.core.exceptions import ValidationError

    from selection import services as selection

    ql_policy(cast)
    person = make_person(cast.village_a1, name="曾取消")
    removed_on = TODAY - datetime.timedelta(days=30)
    make_record(person, entered=D(2019, 1, 1), ended=removed_on, status="removed")
    round_ = selection.round_open(
        actor=cast.township_a_admin,
        township=cast.township_a,
        villages=[cast.village_a1],
        kind="ql",
        reserve_type="village_reserve",
        title="选拔",
        announcement="x",
        announced_on=TODAY,
        nomination_deadline=TODAY,
    )
    args = {
        "actor": cast.township_a_admin,
        "round_": round_,
        "village": cast.village_a1,
        "channel": "self",
        "nominated_by": "本人",
        "nominated_on": TODAY,
        "person": person,
    }
    with pytest.raises(ValidationError) as exc:
        selection.nominate(**args)
    assert "原则上5年内不得参加选拔" in " ".join(exc.value.messages)
    assert not round_.candidacies.exists()
    selection.nominate(**args, ban_override="县委组织部同意：系因病无法履职取消，现已康复")
    assert round_.candidacies.get().ban_override.startswith("县委组织部同意")
