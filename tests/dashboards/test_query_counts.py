"""Dashboard query counts are pinned and do not grow with the pool (aggregates in the database, never a query per
person, village or township)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.dashboards.conftest import TODAY, add_reserves

pytestmark = pytest.mark.django_db

HALF = 1 if TODAY.month <= 6 else 2

# Every page: session, user, guardian grants (3). Then:
# county / township dashboard: unit, policy versions, child units, villages and their pool on the trend dates (2:
# coverage and trend), structure and source groups by child, training gaps, mentoring gaps, last quarter's missing
# opinions (unit and each child in one), records by type and status, work in progress (one UNION), the year's roster
# call (1; with a call, its submissions and the townships: 2 more) = 15; a township also shows the quarter it is
# reviewing (opinions entered, its submission, the calendar for the deadline) = 18;
# city: no type/status table, one training and one mentoring query per policy group (one here) = 13;
# village view: unit, policies, the village's reserves with every rule annotated, structure, villages and pool (2),
# this quarter's opinions, training, mentoring, work in progress = 13;
# scorecard: unit, policies, townships, villages and pool (2), structure, training, mentoring, missing opinions,
# opinions per township, submissions, the calendar (grace deadline), removals replenished = 16;
# Every page showing last quarter's missing opinions (county, township, city, scorecard) has one more: the policies
# in force of the counties, which assessment.compliance.missing_township_opinion reads to keep counties without the
# quarterly review rule out (issue 13) — county 16, township 19, city 14, township seen by the county 18, scorecard 17.
# half-yearly page: unit, policies, structure at two dates (2), types at two dates, villages and pool (2), entries
# and exits, training, talks, mentoring entries, the quarters' reviews, the saved report = 16; the PDF adds the
# audit entry = 17.
PAGES = [
    ("county_admin", "home", {}, 16),
    ("township_a_admin", "home", {}, 19),  # + the quarter under review: counts, submission, calendar
    ("city_viewer", "home", {}, 14),
    ("village_secretary", "home", {}, 13),
    ("mentor", "home", {}, 4),
    ("county_admin", "dashboard_township", {"pk": "township_a"}, 18),  # no work in progress; its rounds, quarter
    ("county_admin", "dashboard_scorecard", {"pk": "county"}, 17),
    ("county_admin", "dashboard_villages", {}, 7),
    ("county_admin", "dashboard_reserves", {}, 7),
    ("county_admin", "dashboard_notices", {}, 4),
    ("county_admin", "halfyear_report", {"pk": "county", "year": TODAY.year, "half": HALF}, 16),
    ("county_admin", "halfyear_pdf", {"pk": "county", "year": TODAY.year, "half": HALF}, 17),
]
PARAMS = {"dashboard_villages": "?coverage=short", "dashboard_reserves": "?figure=women"}


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("index", range(len(PAGES)))
def test_dashboard_query_count_is_pinned_and_independent_of_pool_size(client, world, index):
    role, name, kwargs, expected = PAGES[index]
    cast = world.cast
    kwargs = {k: getattr(cast, v).pk if isinstance(v, str) else v for k, v in kwargs.items()}
    url = reverse(name, kwargs=kwargs or None) + PARAMS.get(name, "")
    client.force_login(cast.users()[role])
    few = count(client, url)
    add_reserves(cast, 30)
    many = count(client, url)
    assert (few, many) == (expected, expected)
