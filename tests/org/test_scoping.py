import pytest

from org.models import OrgUnit
from reserves.models import Person, ReserveRecord

EXPECTED = {
    # role -> which of the four people (a1, a2, a3, b1) the role sees
    "county_admin": {"a1", "a2", "a3", "b1"},
    "county_staff": {"a1", "a2", "a3", "b1"},
    "city_viewer": {"a1", "a2", "a3", "b1"},
    "township_a_admin": {"a1", "a2", "a3"},
    "township_a_staff": {"a1", "a2", "a3"},
    "township_b_admin": {"b1"},
    "village_secretary": {"a1"},
    "mentor": {"a1"},  # only the reserve paired with them
    "outsider": set(),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_exactly_its_subtree(cast, people, role):
    user = cast.users()[role]
    names = {key for key, record in people.items() if ReserveRecord.objects.for_user(user).filter(pk=record.pk)}
    persons = {key for key, record in people.items() if Person.objects.for_user(user).filter(pk=record.person_id)}
    assert names == EXPECTED[role]
    assert persons == EXPECTED[role]


def test_org_units_for_user_is_the_subtree(cast):
    codes = set(OrgUnit.objects.for_user(cast.township_a_admin).values_list("code", flat=True))
    assert codes == {"511425100", "511425100201", "511425100202", "511425100101"}


def test_mentor_loses_sight_when_pairing_ends(cast, people):
    from reserves.services import pairing_end

    pairing = people["a1"].pairings.get()
    import datetime

    pairing_end(actor=cast.township_a_admin, pairing=pairing, end=datetime.date(2020, 3, 1))
    assert not ReserveRecord.objects.for_user(cast.mentor).exists()


def test_disabled_user_sees_nothing(cast, people):
    cast.county_admin.is_active = False
    cast.county_admin.save()
    from org.models import User

    assert not Person.objects.for_user(User.objects.get(pk=cast.county_admin.pk)).exists()


def test_a_township_directly_under_a_city_is_in_the_city_subtree_and_has_no_county_policy(cast):
    import datetime

    from org import roles
    from reserves.builders import unit
    from reserves.services import eligibility_for
    from tests.conftest import make_person

    town = unit(roles.TOWNSHIP, "直属镇", "511499100", cast.city)  # seed 003: a town reporting to the city
    village = unit(roles.VILLAGE, "直属村", "511499100201", town, OrgUnit.KIND_CUN)
    person = make_person(village)
    assert Person.objects.for_user(cast.city_viewer).filter(pk=person.pk).exists()
    assert not Person.objects.for_user(cast.county_admin).filter(pk=person.pk).exists()
    result = eligibility_for(person, village, datetime.date(2025, 1, 1))
    assert result.policy_id is None and "尚未设置" in result.conditions[0].reason
