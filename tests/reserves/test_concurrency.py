"""Two clerks at once, on PostgreSQL: row locks and the partial unique index let exactly one through."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from org.models import AuditLog
from reserves.models import Person, ReserveRecord
from reserves.services import person_create, record_open
from tests.conftest import make_person

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(settings):
    if connection.vendor != "postgresql":
        if settings.REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but the tests do not run on PostgreSQL")
        pytest.skip("并发测试需要 PostgreSQL（设置 DATABASE_URL）")


def race(fn, n=2):
    barrier = threading.Barrier(n)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(("ok", fn()))
        except ValidationError as exc:
            outcomes.append(("refused", exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sorted(kind for kind, _ in outcomes)


def test_two_clerks_opening_the_same_record_produce_one(cast):
    person = make_person(cast.village_a1)
    outcome = race(
        lambda: record_open(
            actor=cast.township_a_admin,
            person=person,
            reserve_type="village_reserve",
            village=cast.village_a1,
            entered_on=datetime.date(2024, 1, 1),
            entry_method="manual",
            entry_reason="并发",
        )
    )
    assert outcome == ["ok", "refused"]
    assert ReserveRecord.objects.filter(person=person).count() == 1
    assert AuditLog.objects.filter(action="record.open").count() == 1


def test_two_clerks_registering_the_same_id_produce_one_person(cast):
    data = {
        "name": "并发",
        "id_number": "11010519491231002X",
        "village": cast.village_a1,
        "education": "college",
        "source_group": "group_leader",
        "political_status": "masses",
    }
    outcome = race(lambda: person_create(actor=cast.township_a_admin, data=dict(data)))
    assert outcome == ["ok", "refused"]
    assert Person.objects.filter(id_number="11010519491231002X").count() == 1
