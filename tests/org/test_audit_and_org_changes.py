import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from org.models import AuditLog, OrgUnitHistory, VillageLeader
from org.services import leader_assign, unit_rename
from reserves.models import Person
from reserves.services import village_merge
from tests.conftest import make_person, make_record

D = datetime.date


def test_audit_log_cannot_be_updated_or_deleted_by_the_application(cast):
    entry = AuditLog.objects.create(action="person.lookup")
    entry.action = "y"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=entry.pk).update(action="z")
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.get(pk=entry.pk).action == "person.lookup"


def test_merge_moves_open_records_and_people_and_audits_each_one(cast):
    people = [make_person(cast.village_a1, name=f"人{i}") for i in range(3)]
    for p in people:
        make_record(p)
    moved = village_merge(actor=cast.county_admin, source=cast.village_a1, target=cast.village_a2, on=D(2024, 1, 1))
    assert moved == 3
    cast.village_a1.refresh_from_db()
    assert cast.village_a1.valid_to == D(2024, 1, 1) and cast.village_a1.merged_into == cast.village_a2
    assert set(Person.objects.filter(village=cast.village_a2).values_list("name", flat=True)) == {"人0", "人1", "人2"}
    assert AuditLog.objects.filter(action="record.move").count() == 3
    assert AuditLog.objects.filter(action="person.move").count() == 3
    assert AuditLog.objects.filter(action="org.merge").count() == 1


def test_merge_refuses_across_counties_into_itself_or_by_a_township(cast):
    with pytest.raises(ValidationError, match="自身"):
        village_merge(actor=cast.county_admin, source=cast.village_a1, target=cast.village_a1, on=D(2024, 1, 1))
    with pytest.raises(ValidationError, match="无权"):
        village_merge(actor=cast.township_a_admin, source=cast.village_a1, target=cast.village_a2, on=D(2024, 1, 1))
    assert cast.village_a1.valid_to is None


def test_rename_keeps_the_old_name_in_history(client, cast):
    client.force_login(cast.county_admin)
    r = client.post(
        reverse("unit_rename", args=[cast.village_a1.pk]),
        {"name": "兰沟新村", "code": "511425100201", "on": "2025-07-01", "note": "更名"},
    )
    assert r.status_code == 302
    cast.village_a1.refresh_from_db()
    assert cast.village_a1.name == "兰沟新村"
    old = OrgUnitHistory.objects.get(unit=cast.village_a1)
    assert (old.name, old.valid_to) == ("兰沟村", D(2025, 7, 1))


def test_rename_refuses_a_code_outside_the_parent(cast):
    with pytest.raises(ValidationError, match="上级单位"):
        unit_rename(actor=cast.county_admin, unit=cast.village_a1, name="兰沟村", code="511425101299", on=D(2025, 1, 1))


def test_leader_assignment_replaces_the_current_leader_and_keeps_history(cast):
    leader_assign(actor=cast.township_a_admin, village=cast.village_a1, user=cast.township_a_staff, start=D(2024, 1, 1))
    leader_assign(actor=cast.township_a_admin, village=cast.village_a1, user=cast.township_a_admin, start=D(2025, 1, 1))
    rows = list(VillageLeader.objects.filter(village=cast.village_a1).order_by("start"))
    assert [(r.user, r.end) for r in rows] == [(cast.township_a_staff, D(2025, 1, 1)), (cast.township_a_admin, None)]
    assert VillageLeader.objects.current(D(2024, 6, 1)).get(village=cast.village_a1).user == cast.township_a_staff


def test_leader_must_be_a_cadre_of_that_township(cast):
    with pytest.raises(ValidationError, match="本乡镇"):
        leader_assign(
            actor=cast.township_a_admin, village=cast.village_a1, user=cast.township_b_admin, start=D(2024, 1, 1)
        )
    with pytest.raises(ValidationError, match="无权"):
        leader_assign(
            actor=cast.township_b_admin, village=cast.village_a1, user=cast.township_a_staff, start=D(2024, 1, 1)
        )


def test_audit_page_filters_and_stays_inside_the_county(client, cast):
    AuditLog.objects.create(action="person.create", unit_code="511425100201", object_repr="本县")
    AuditLog.objects.create(action="person.create", unit_code="999999100201", object_repr="外县")
    AuditLog.objects.create(action="person.update", unit_code="511425100201", object_repr="本县改")
    client.force_login(cast.county_admin)
    page = client.get(reverse("audit_list"), {"action": "person.create"}).context["page"]
    assert [e.object_repr for e in page] == ["本县"]


def test_logged_id_numbers_are_masked(caplog):
    import logging

    logging.getLogger("test").warning("查询 11010519491231002X 电话 13800138000")
    assert "11010519491231002X" not in caplog.text and "13800138000" not in caplog.text
    assert "110105********002X" in caplog.text and "138****8000" in caplog.text
