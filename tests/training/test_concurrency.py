"""Two clerks saving the same thing at once, on PostgreSQL: one write, the other refused in Chinese."""

import datetime
from decimal import Decimal

import pytest

from org.models import AuditLog
from tests.reserves.test_concurrency import _postgres_only, race  # noqa: F401  (autouse fixture)
from training import services
from training.models import Enrolment, PracticeAssignment

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
D = datetime.date


def test_the_same_enrolment_posted_twice_at_once_is_kept_once(cast, people):
    event = services.training_create(
        actor=cast.township_a_admin,
        unit=cast.township_a,
        data={
            "form": "concentrated",
            "start": D(2026, 3, 1),
            "end": D(2026, 3, 5),
            "days": Decimal(5),
            "content": "集中培训",
            "organiser": "镇党委",
        },
    )
    outcome = race(
        lambda: services.enrol(actor=cast.township_a_admin, event=event, records=[people["a1"], people["a2"]])
    )
    assert outcome == ["ok", "refused"]
    assert Enrolment.objects.count() == 2
    assert AuditLog.objects.filter(action="training.enrol").count() == 2


def test_two_overlapping_shadowing_entries_saved_at_once_keep_one(cast, people):
    data = {"kind": "shadowing", "content": "跟班", "start": D(2026, 3, 1), "end": D(2026, 3, 30)}
    outcome = race(lambda: services.practice_add(actor=cast.township_a_admin, record=people["a1"], data=data))
    assert outcome == ["ok", "refused"]
    assert PracticeAssignment.objects.count() == 1
