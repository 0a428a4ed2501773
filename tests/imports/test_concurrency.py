"""Two confirmations at once, on PostgreSQL: the same batch is imported once; two files with the same new person
import one of them and none of the other."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from imports import services
from imports.models import ImportBatch
from org.models import AuditLog
from reserves.models import Person, ReserveRecord
from tests.imports.helpers import new_id, row, upload, xlsx

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    if connection.vendor != "postgresql":
        if settings.REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but the tests do not run on PostgreSQL")
        pytest.skip("并发测试需要 PostgreSQL（设置 DATABASE_URL）")


def race(*fns):
    barrier = threading.Barrier(len(fns))
    outcomes = []

    def run(fn):
        try:
            barrier.wait()
            outcomes.append(("ok", fn()))
        except ValidationError as exc:
            outcomes.append(("refused", exc.messages[0]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(outcomes, key=lambda o: o[0])


def test_two_clicks_on_confirm_import_once(cast):
    batch = upload(cast.township_a_admin, cast.township_a, xlsx([row(name="甲"), row(name="乙")]))
    confirm = lambda: services.batch_confirm(actor=cast.township_a_admin, batch=batch)  # noqa: E731
    outcome = race(confirm, confirm)
    assert [kind for kind, _ in outcome] == ["ok", "refused"]
    assert outcome[1][1] == "该文件已经导入，不能重复导入。"
    assert Person.objects.count() == 2 and ReserveRecord.objects.count() == 2
    assert AuditLog.objects.filter(action="import.confirm").count() == 1


def test_two_files_with_the_same_new_person_import_one_whole_file(cast):
    shared = new_id()
    first = upload(cast.township_a_admin, cast.township_a, xlsx([row(name="共同", id_number=shared), row(name="甲")]))
    second = upload(cast.township_a_staff, cast.township_a, xlsx([row(name="共同", id_number=shared), row(name="乙")]))
    outcome = race(
        lambda: services.batch_confirm(actor=cast.township_a_admin, batch=first),
        lambda: services.batch_confirm(actor=cast.township_a_staff, batch=second),
    )
    assert [kind for kind, _ in outcome] == ["ok", "refused"]
    assert "未导入任何数据" in outcome[1][1]
    names = set(Person.objects.values_list("name", flat=True))
    assert names in ({"共同", "甲"}, {"共同", "乙"})  # one file whole, nothing of the other
    assert ImportBatch.objects.filter(state=ImportBatch.DONE).count() == 1
