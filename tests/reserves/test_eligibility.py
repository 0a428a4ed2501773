import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from org import roles
from org.models import OrgUnit
from reserves.builders import make_id
from reserves.eligibility import FAIL, PASS, WARN, annotate_eligibility, check_eligibility
from reserves.models import CountyPolicy, Person
from reserves.policy import PRESETS, preset_values
from tests.conftest import make_person, make_record


def policy(preset, **over):
    values = preset_values(preset) | over
    return CountyPolicy(pk=1, county_id=1, effective_from=datetime.date(2000, 1, 1), **values)


def statuses(person, pol, on, **kw):
    return {c.key: c.status for c in check_eligibility(person, pol, on=on, **kw).conditions}


def person(birth, education="college", political="member"):
    p = Person(name="测", birth_date=birth, education=education, political_status=political, sex="M")
    p.pk = None
    return p


def test_3yr_age_limit_45_passes_the_day_before_46th_birthday_and_fails_on_it():
    pol = policy("3YR2024")
    p = person(datetime.date(1980, 6, 15))
    assert statuses(p, pol, datetime.date(2026, 6, 14))["age"] == PASS  # 45
    assert statuses(p, pol, datetime.date(2026, 6, 15))["age"] == FAIL  # 46, blocking in 3YR


def test_qs_about_35_warns_instead_of_failing():
    pol = policy("QS2017")
    p = person(datetime.date(1990, 1, 1))
    assert statuses(p, pol, datetime.date(2025, 12, 31))["age"] == PASS  # 35
    result = check_eligibility(p, pol, on=datetime.date(2026, 1, 1))
    assert result.status == WARN and bool(result)
    assert "36周岁" in result.conditions[0].reason and "一般应在35周岁" in result.conditions[0].reason


def test_leap_day_birthday_turns_older_on_first_of_march_in_common_years():
    pol = policy("3YR2024")
    p = person(datetime.date(1980, 2, 29))
    assert statuses(p, pol, datetime.date(2026, 2, 28))["age"] == PASS
    assert statuses(p, pol, datetime.date(2026, 3, 1))["age"] == FAIL


def test_education_floor_blocks_under_qs_and_warns_under_ql():
    p = person(datetime.date(1995, 1, 1), education="junior")
    assert statuses(p, policy("QS2017"), datetime.date(2026, 1, 1))["education"] == FAIL
    assert statuses(p, policy("QL2022"), datetime.date(2026, 1, 1))["education"] == WARN
    ok = person(datetime.date(1995, 1, 1), education="high_school")
    assert statuses(ok, policy("QS2017"), datetime.date(2026, 1, 1))["education"] == PASS
    assert statuses(ok, policy("3YR2024"), datetime.date(2026, 1, 1))["education"] == WARN  # 大专 floor, 可放宽


def test_party_requirement_full_member_rejects_probationary_any_accepts_it():
    p = person(datetime.date(1995, 1, 1), political="probationary")
    assert statuses(p, policy("3YR2024"), datetime.date(2026, 1, 1))["party"] == WARN
    assert statuses(p, policy("3YR2024", party_requirement="any"), datetime.date(2026, 1, 1))["party"] == PASS
    assert "party" not in statuses(p, policy("QS2017"), datetime.date(2026, 1, 1))


def test_ql7_checklist_unanswered_warns_any_yes_fails():
    p = person(datetime.date(1995, 1, 1))
    pol = policy("QL2022")
    on = datetime.date(2026, 1, 1)
    assert statuses(p, pol, on, last_removed_on=None)["ql7"] == WARN
    assert statuses(p, pol, on, checklist={}, last_removed_on=None)["ql7"] == PASS
    result = check_eligibility(p, pol, on=on, checklist={"vote_buying": True}, last_removed_on=None)
    assert result.status == FAIL and "拉票贿选" in result.failures[0].reason


def test_reselection_ban_ends_on_the_fifth_anniversary():
    p = person(datetime.date(1990, 1, 1))
    pol = policy("QL2022")
    removed = datetime.date(2021, 7, 10)
    assert statuses(p, pol, datetime.date(2026, 7, 9), last_removed_on=removed)["ban"] == FAIL
    assert statuses(p, pol, datetime.date(2026, 7, 10), last_removed_on=removed)["ban"] == PASS
    reason = check_eligibility(p, pol, on=datetime.date(2026, 7, 9), last_removed_on=removed).failures[0].reason
    assert "2026年07月10日" in reason


def test_no_policy_in_force_is_a_warning_not_a_crash():
    result = check_eligibility(person(datetime.date(1990, 1, 1)), None, on=datetime.date(2026, 1, 1))
    assert result.status == WARN and result.policy_id is None


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_builds_a_valid_policy(preset, db):
    county = OrgUnit.objects.create(level=roles.COUNTY, name="县", code="511425")
    pol = CountyPolicy(county=county, effective_from=datetime.date(2020, 1, 1), **preset_values(preset))
    pol.full_clean()
    pol.save()
    assert pol.pk


class TestQuerysetFormAgrees(TestCase):
    """The database form must give the same verdict as the per-person form, at every boundary."""

    @classmethod
    def setUpTestData(cls):
        from reserves.builders import unit

        cls.city = unit(roles.CITY, "市", "5114")
        cls.county = unit(roles.COUNTY, "县", "511425", cls.city)
        cls.township = unit(roles.TOWNSHIP, "镇", "511425100", cls.county)
        cls.village = unit(roles.VILLAGE, "村", "511425100201", cls.township, "cun")

    @settings(max_examples=60, deadline=None)
    @given(
        birth=st.dates(min_value=datetime.date(1960, 1, 1), max_value=datetime.date(2005, 12, 31)),
        on=st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2030, 12, 31)),
        removed=st.one_of(
            st.none(), st.dates(min_value=datetime.date(2014, 1, 1), max_value=datetime.date(2020, 1, 1))
        ),
        education=st.sampled_from(["postgraduate", "bachelor", "college", "high_school", "junior"]),
        political=st.sampled_from(["member", "probationary", "masses"]),
        preset=st.sampled_from(list(PRESETS)),
    )
    def test_agrees_with_check_eligibility(self, birth, on, removed, education, political, preset):
        p = Person.objects.create(
            name="测",
            id_number=make_id("511425", birth, 1, "M"),
            sex="M",
            birth_date=birth,
            education=education,
            political_status=political,
            source_group="other",
            source_group_other="x",
            village=self.village,
        )
        if removed:
            make_record(p, entered=removed - datetime.timedelta(days=1), ended=removed, status="removed")
        pol = policy(preset, age_limit=PRESETS[preset].get("age_limit") or 45, reselection_ban_years=5)
        row = annotate_eligibility(Person.objects.filter(pk=p.pk), pol, on).get()
        per_person = statuses(p, pol, on, checklist={})
        for key in ("age", "education", "party", "ban"):
            assert getattr(row, f"elig_{key}") == per_person.get(key, "na"), (key, birth, on, removed)
        p.records.all().delete()
        p.delete()


def test_make_person_helper_is_consistent(cast):
    p = make_person(cast.village_a1, birth=datetime.date(1988, 8, 8), sex="F")
    assert p.birth_date == datetime.date(1988, 8, 8) and int(p.id_number[16]) % 2 == 0
