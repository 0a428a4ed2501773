"""Query counts pinned on every list page; they must not grow with the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org.models import AuditLog, VillageLeader
from tests.conftest import make_person, make_record


def populate(cast, n):
    for i in range(n):
        village = [cast.village_a1, cast.village_a2, cast.community_a3][i % 3]
        make_record(make_person(village, name=f"人{i}"), mentor=cast.mentor if i % 2 else None)
        AuditLog.objects.create(action="person.create", unit_code=village.code, object_repr=f"人{i}")
    for v in (cast.village_a1, cast.village_a2, cast.community_a3):
        VillageLeader.objects.get_or_create(village=v, end=None, defaults={"user": cast.township_a_staff})


def count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


# Every page: session, user, guardian grants (the scope). Then, e.g. the record list for a county user: township
# choices, count, page rows (village choices stay empty until a township is picked); for a township user the village
# choices add one. Related rows come by select_related / prefetch_related, never one query per row.
PAGES = {
    # name: (user, params, expected queries)
    "record_list": ("county_admin", {}, 6),
    "person_list": ("township_a_admin", {}, 7),
    # The township dashboard (dashboards/, see tests/dashboards/test_query_counts.py for the list of queries).
    # 19 since the township figures read the policies in force for the quarterly-review rule (issue 13).
    "home": ("township_a_admin", {}, 19),
    "account_list": ("county_admin", {}, 7),
    "leader_list": ("township_a_admin", {}, 5),
    "audit_list": ("county_admin", {}, 5),
    "org_units": ("county_admin", {}, 4),
    "policy_list": ("county_admin", {}, 6),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_list_query_count_is_pinned_and_independent_of_rows(client, cast, name):
    role, params, expected = PAGES[name]
    client.force_login(cast.users()[role])
    populate(cast, 3)
    few = count(client, reverse(name), params)
    populate(cast, 30)
    many = count(client, reverse(name), params)
    assert (few, many) == (expected, expected)


def test_filtered_record_list_by_township_has_the_same_count(client, cast):
    populate(cast, 12)
    client.force_login(cast.county_admin)
    params = {"township": cast.township_a.pk, "education": "college", "age_band": "le35"}
    assert count(client, reverse("record_list"), params) == 7  # + village choices of the township


def test_person_detail_query_count_does_not_grow_with_records(client, cast):
    client.force_login(cast.township_a_admin)
    person = make_person(cast.village_a1)
    make_record(person, mentor=cast.mentor)
    few = count(client, reverse("person_detail", args=[person.pk]))
    for rtype in ("secretary_reserve", "committee_reserve"):
        make_record(person, rtype=rtype, mentor=cast.mentor)
    assert count(client, reverse("person_detail", args=[person.pk])) == few
