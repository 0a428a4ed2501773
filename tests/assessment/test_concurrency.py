"""Two clerks at once, on PostgreSQL: one submission, one leave, one approval."""

import datetime

import pytest

from assessment import services
from assessment.models import Leave, QuarterReview
from org.models import AuditLog
from reserves.models import CountyPolicy
from reserves.policy import preset_values
from tests.conftest import make_person, make_record
from tests.reserves.test_concurrency import _postgres_only, race  # noqa: F401  (autouse fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
D = datetime.date


def test_two_submissions_of_a_quarter_make_one(cast):
    record = make_record(make_person(cast.village_a1))
    QuarterReview.objects.create(record=record, year=2026, quarter=3, village=cast.village_a1, township_rating="good")
    outcome = race(
        lambda: services.quarter_submit(
            actor=cast.township_a_admin, township=cast.township_a, year=2026, quarter=3, today=D(2026, 10, 9)
        )
    )
    assert outcome == ["ok", "refused"]
    assert AuditLog.objects.filter(action="assessment.quarter_submit").count() == 1


def test_the_same_leave_entered_twice_at_once_is_kept_once(cast):
    record = make_record(make_person(cast.village_a1))
    outcome = race(
        lambda: services.leave_create(
            actor=cast.village_secretary,
            record=record,
            village=cast.village_a1,
            start=D(2026, 6, 2),
            end=D(2026, 6, 2),
            reason="事假",
            today=D(2026, 6, 1),
        )
    )
    assert outcome == ["ok", "refused"]
    assert Leave.objects.count() == 1


def test_two_approvals_of_one_leave_make_one(cast):
    # Leave approval is QL's rule (§10): the county runs QL's measures from 2018.
    CountyPolicy.objects.create(
        county=cast.county, effective_from=D(2018, 1, 1), preset="QL2022", **preset_values("QL2022")
    )
    record = make_record(make_person(cast.village_a1))
    leave = services.leave_create(
        actor=cast.village_secretary,
        record=record,
        village=cast.village_a1,
        start=D(2026, 6, 2),
        end=D(2026, 6, 2),
        reason="事假",
        today=D(2026, 6, 1),
    )
    outcome = race(lambda: services.leave_decide(actor=cast.village_secretary, leave=leave, approve=True))
    assert outcome == ["ok", "refused"]
    assert AuditLog.objects.filter(action="assessment.leave_approve").count() == 1
