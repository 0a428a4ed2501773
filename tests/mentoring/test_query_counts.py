"""Query counts pinned on the mentoring pages; they must not grow with the number of rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring import services
from mentoring.models import MentoringEntry
from reserves.compliance import quarter_of
from reserves.models import MentorPairing
from tests.conftest import make_person, make_record

TODAY = timezone.localdate()
YEAR, QUARTER = quarter_of(TODAY)


def populate(cast, n):
    """n reserves in township A: every other one paired with the mentor (half of those with this quarter's entry),
    every third with a named village cadre; one collective talk with all of them."""
    records = []
    for i in range(n):
        village = [cast.village_a1, cast.village_a2, cast.community_a3][i % 3]
        record = make_record(make_person(village, name=f"人{i}"), mentor=cast.mentor if i % 2 else None)
        if i % 3 == 0:
            MentorPairing.objects.create(
                record=record,
                mentor_name=f"村干部{i}",
                mentor_kind="village_cadre",
                post="委员",
                start=record.entered_on,
            )
        if i % 4 == 1:
            MentoringEntry.objects.create(
                pairing=record.pairings.first(), year=YEAR, quarter=QUARTER, date=TODAY, content="x"
            )
        records.append(record)
    services.talk_create(
        actor=cast.township_a_admin, kind="collective", date=TODAY, records=records, notes="x", held_by_name="刘"
    )
    mentor_records = [r for r in records if r.pairings.filter(mentor_user=cast.mentor).exists()]
    services.talk_create(actor=cast.mentor, kind="mentor", date=TODAY, records=mentor_records, notes="x")
    return records


def count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


# Every page: session, user, guardian grants (the scope). Then:
# - mentoring_mine: current pairings with this and last quarter's entry and the last talk as subqueries (1), the
#   county and its policy in force, once per county (2: does it ask for quarterly entries?);
# - talk_list: township choices, count, page rows with participant counts (3);
# - mentoring_compliance (township user): counties in scope, policy in force, summary aggregate (it also counts the
#   rows, so the paginator does not), page rows,
#   current pairings of the page (prefetch), township and village choices of the filter form (7);
#   (county user: the same);
# - mentoring_quarter: the filter form's township choices (to find the only township), the county and its policy
#   (does it ask for quarterly entries?), pairings with the quarter's entry prefetched (4), then the filter form
#   renders its township and village choices (2).
PAGES = {
    # name: (user, params, expected queries)
    "mentoring_mine": ("mentor", {}, 6),
    "talk_list": ("township_a_admin", {}, 6),
    "mentoring_compliance": ("township_a_admin", {}, 10),
    "mentoring_quarter": ("township_a_admin", {}, 10),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_query_count_is_pinned_and_independent_of_rows(client, cast, name):
    role, params, expected = PAGES[name]
    client.force_login(cast.users()[role])
    populate(cast, 3)
    few = count(client, reverse(name), params)
    populate(cast, 30)
    many = count(client, reverse(name), params)
    assert (few, many) == (expected, expected)


def test_county_compliance_filtered_by_township_has_a_fixed_count(client, cast):
    client.force_login(cast.county_admin)
    params = {"township": cast.township_a.pk}
    populate(cast, 3)
    few = count(client, reverse("mentoring_compliance"), params)
    populate(cast, 30)
    assert count(client, reverse("mentoring_compliance"), params) == few


def test_record_page_does_not_grow_with_entries_and_talks(client, cast):
    client.force_login(cast.township_a_admin)
    record = make_record(make_person(cast.village_a1), mentor=cast.mentor)
    url = reverse("mentoring_record", args=[record.pk])
    few = count(client, url, {"year": YEAR})
    pairing = record.pairings.get()
    for quarter in range(1, QUARTER + 1):
        start = datetime.date(YEAR, 3 * quarter - 2, 1)
        MentoringEntry.objects.create(pairing=pairing, year=YEAR, quarter=quarter, date=start, content="x")
    for _ in range(5):
        services.talk_create(
            actor=cast.township_a_admin, kind="collective", date=TODAY, records=[record], notes="x", held_by_name="刘"
        )
    assert count(client, url, {"year": YEAR}) == few


def test_compliance_list_page_count_matches_its_rows(client, cast):
    """The paginator takes its count from the summary query: it must equal the rows listed."""
    from reserves.models import ReserveRecord
    from tests.conftest import make_person, make_record

    for i in range(3):
        make_record(make_person(cast.village_a1, name=f"无导师{i}"))
    client.force_login(cast.township_a_admin)
    page = client.get(reverse("mentoring_compliance")).context["page"]
    assert page.paginator.count == len(list(page)) == ReserveRecord.objects.filter(pairings__isnull=True).count()
