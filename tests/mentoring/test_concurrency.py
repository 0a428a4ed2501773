"""The same quarter's entry saved twice at once, on PostgreSQL: one entry, one audit row, one polite refusal."""

import datetime

import pytest

from mentoring import services
from mentoring.models import MentoringEntry
from org.models import AuditLog
from tests.conftest import make_person, make_record
from tests.reserves.test_concurrency import _postgres_only, race  # noqa: F401  (autouse fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
D = datetime.date


def test_a_double_click_on_the_entry_form_saves_one_entry(cast):
    record = make_record(make_person(cast.village_a1), mentor=cast.mentor)
    pairing = record.pairings.get()
    outcome = race(
        lambda: services.entry_create(
            actor=cast.mentor,
            pairing=pairing,
            year=2026,
            quarter=2,
            date=D(2026, 5, 6),
            content="帮扶",
            today=D(2026, 11, 22),
        )
    )
    assert outcome == ["ok", "refused"]
    assert MentoringEntry.objects.count() == 1
    assert AuditLog.objects.filter(action="mentoring.entry_create").count() == 1
