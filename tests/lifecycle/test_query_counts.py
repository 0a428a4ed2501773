"""Query counts pinned on the lists and pages of dynamic management; they do not grow with the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lifecycle import services
from reserves.flags import flag_raise
from tests.conftest import make_person, make_record
from tests.lifecycle.conftest import propose_removal, propose_use


def populate(cast, n):
    """n reserves in A1 with a removal, a use and a transfer each spread over them, an open flag each."""
    cast.policy.stipend_on = True
    cast.policy.stipend_county_monthly = cast.policy.stipend_township_monthly = 1000
    cast.policy.save()
    for i in range(n):
        record = make_record(make_person(cast.village_a1, name=f"人{i}"))
        flag_raise(record=record, kind="absence", source=f"test:{i}", reason="缺勤", on=record.entered_on)
        if i % 3 == 0:
            propose_removal(cast, record)
        elif i % 3 == 1:
            propose_use(cast, record, target=cast.village_b1, cross_reason="统筹")
        else:
            services.transfer_propose(
                actor=cast.township_a_admin, record=record, target_village=cast.village_b1, reason="迁居"
            )
        make_record(make_person(cast.village_b1, name=f"乙{i}"))  # B1 above target: a township-wide candidate


def count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


# session, user, guardian grants (the scope) on every page, and the policies in force of the user's counties (the tabs
# show 补贴发放 only where a county pays a stipend); then:
PAGES = {
    # count, page rows (chain + record, person, villages, townships, proposer joined)
    "removal_list": ("township_a_admin", {}, 6),
    "use_list": ("county_staff", {"state": "all"}, 6),
    "transfer_list": ("township_b_admin", {}, 6),
    # three waiting counts, the open flags (the name search is empty)
    "lifecycle_home": ("township_a_admin", {}, 8),
    # policies in force, the villages short of target (annotated, one query, paginated as a list), township
    # choices, township-wide candidates
    "replenish_list": ("county_admin", {}, 8),
    # the counties paying a stipend (the tabs reuse it), township choices, the chosen township (form validation), its
    # county, the policy, paid/excluded placements, records stopped this month
    "stipend_sheet": ("township_a_admin", {"month": "2026-11"}, 10),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_list_query_count_is_pinned_and_independent_of_rows(client, cast, name):
    role, params, expected = PAGES[name]
    client.force_login(cast.users()[role])
    client.get(reverse(name), params)  # the session's first refresh (SessionLimitsMiddleware) is not the page's cost
    populate(cast, 3)
    few = count(client, reverse(name), params)
    populate(cast, 12)
    many = count(client, reverse(name), params)
    assert (few, many) == (expected, expected)


def test_record_page_query_count_does_not_grow_with_its_history(client, cast, people):
    record = people["a1"]
    client.force_login(cast.township_a_admin)
    url = reverse("record_lifecycle", args=[record.pk])
    few = count(client, url)
    for _ in range(3):
        removal = propose_removal(cast, record)
        services.removal_withdraw(actor=cast.village_secretary, removal=removal, reason="x")
        use = propose_use(cast, record)
        services.use_withdraw(actor=cast.village_secretary, use=use, reason="y")
    assert count(client, url) == few
