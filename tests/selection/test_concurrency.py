"""Two users confirming the same step at once, on PostgreSQL: exactly one transition, one audit entry."""

import datetime

import pytest

from org.models import AuditLog
from reserves.filings import filing_decide, filing_submit
from reserves.models import Filing
from selection import services
from selection.models import Nomination, Round
from tests.conftest import make_person
from tests.reserves.test_concurrency import _postgres_only, race  # noqa: F401  (autouse fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
D = datetime.date


def _round(cast):
    r = services.round_open(
        actor=cast.township_a_admin,
        township=cast.township_a,
        villages=[cast.village_a1],
        kind="qs",
        reserve_type="village_reserve",
        title="并发",
        announcement="x",
        announced_on=D(2026, 9, 1),
        nomination_deadline=D(2026, 9, 9),
    )
    return r


def test_two_clicks_on_the_same_transition_make_one(cast):
    r = _round(cast)
    services.nominate(
        actor=cast.township_a_admin,
        round_=r,
        village=cast.village_a1,
        channel="self",
        nominated_by="本人",
        nominated_on=D(2026, 9, 2),
        person=make_person(cast.village_a1),
    )
    outcome = race(lambda: services.round_close_nominations(actor=cast.township_a_admin, round_=r))
    assert outcome == ["ok", "refused"]
    assert Round.objects.get(pk=r.pk).stage == "review"
    assert AuditLog.objects.filter(action="selection.stage").count() == 1


def test_the_same_nomination_entered_twice_at_once_is_kept_once(cast):
    r = _round(cast)
    person = make_person(cast.village_a1)
    outcome = race(
        lambda: services.nominate(
            actor=cast.township_a_admin,
            round_=r,
            village=cast.village_a1,
            channel="village_org",
            nominated_by="党总支",
            nominated_on=D(2026, 9, 2),
            person=person,
        )
    )
    assert outcome == ["ok", "refused"]
    assert Nomination.objects.count() == 1


def test_two_county_clerks_filing_the_same_item_file_it_once(cast):
    filing = filing_submit(
        actor=cast.township_a_admin,
        kind="removal",
        subject="test:1",
        title="取消资格",
        unit=cast.township_a,
        county=cast.county,
    )
    outcome = race(lambda: filing_decide(actor=cast.county_admin, filing=filing, accept=True))
    assert outcome == ["ok", "refused"]
    assert Filing.objects.get(pk=filing.pk).state == "filed"
    assert AuditLog.objects.filter(action="filing.file").count() == 1
