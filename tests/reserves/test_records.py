import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from org.models import AuditLog
from reserves.models import MentorPairing, ReserveRecord
from reserves.policy import policy_create, preset_values
from reserves.services import pairing_add, record_open
from tests.conftest import make_person

D = datetime.date


def open_record(cast, person, **kw):
    args = {
        "actor": cast.township_a_admin,
        "person": person,
        "reserve_type": "village_reserve",
        "village": person.village,
        "entered_on": D(2024, 5, 1),
        "entry_method": "manual",
        "entry_reason": "启用前已在库",
    } | kw
    return record_open(**args)


def test_manual_entry_requires_a_reason(cast):
    p = make_person(cast.village_a1)
    with pytest.raises(ValidationError, match="须说明理由"):
        open_record(cast, p, entry_reason=" ")
    assert not ReserveRecord.objects.exists()


def test_a_second_open_record_of_the_same_type_is_refused_but_another_type_is_allowed(cast):
    p = make_person(cast.village_a1)
    open_record(cast, p)
    with pytest.raises(ValidationError, match="已有一条在库"):
        open_record(cast, p)
    open_record(cast, p, reserve_type="secretary_reserve")
    assert ReserveRecord.objects.filter(person=p).count() == 2


def test_database_constraint_backs_the_one_open_record_rule(cast):
    from django.db import IntegrityError, transaction

    p = make_person(cast.village_a1)
    first = open_record(cast, p)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReserveRecord.objects.create(
            person=p,
            reserve_type=first.reserve_type,
            village=first.village,
            entered_on=D(2024, 6, 1),
            entry_method="manual",
        )


def test_blocking_failure_needs_an_override_reason_which_is_kept(cast):
    policy_create(
        actor=cast.county_admin, county=cast.county, effective_from=D(2024, 1, 1), values=preset_values("3YR2024")
    )
    old = make_person(cast.village_a1, birth=D(1970, 1, 1))
    with pytest.raises(ValidationError) as exc:
        open_record(cast, old)
    assert "年龄" in str(exc.value) and "例外理由" in str(exc.value)
    record = open_record(cast, old, override_reason="经县委组织部同意，特别优秀")
    assert record.eligibility_override == "经县委组织部同意，特别优秀"
    assert any(c["status"] == "fail" for c in record.eligibility)


def test_record_form_double_submit_creates_one_record(client, cast):
    p = make_person(cast.village_a1)
    client.force_login(cast.township_a_admin)
    data = {
        "reserve_type": "village_reserve",
        "village": cast.village_a1.pk,
        "entered_on": "2024-05-01",
        "entry_method": "manual",
        "entry_reason": "启用前已在库",
    }
    first = client.post(reverse("record_create", args=[p.pk]), data)
    second = client.post(reverse("record_create", args=[p.pk]), data)
    assert first.status_code == 302 and second.status_code == 200
    assert "已有一条在库" in second.content.decode()
    assert ReserveRecord.objects.count() == 1
    assert AuditLog.objects.filter(action="record.open").count() == 1


def test_entry_date_in_future_or_other_township_village_is_refused(client, cast):
    p = make_person(cast.village_a1)
    client.force_login(cast.township_a_admin)
    future = (D.today() + datetime.timedelta(days=3)).isoformat()
    r = client.post(
        reverse("record_create", args=[p.pk]),
        {
            "reserve_type": "village_reserve",
            "village": cast.village_a1.pk,
            "entered_on": future,
            "entry_method": "manual",
            "entry_reason": "x",
        },
    )
    assert "不能晚于今天" in r.content.decode()
    r = client.post(
        reverse("record_create", args=[p.pk]),
        {
            "reserve_type": "village_reserve",
            "village": cast.village_b1.pk,
            "entered_on": "2024-01-01",
            "entry_method": "manual",
            "entry_reason": "x",
        },
    )
    assert "village" in r.context["form"].errors
    assert not ReserveRecord.objects.exists()


def test_pairing_with_a_mentor_account_or_a_named_person(cast):
    p = make_person(cast.village_a1)
    record = open_record(cast, p)
    pairing_add(
        actor=cast.township_a_admin,
        record=record,
        mentor_user=cast.mentor,
        mentor_kind="township_leader",
        post="副镇长",
        start=D(2024, 5, 1),
    )
    pairing_add(
        actor=cast.township_a_admin,
        record=record,
        mentor_name="王书记",
        mentor_kind="village_head",
        post="村党支部书记",
        start=D(2024, 5, 1),
    )
    assert MentorPairing.objects.filter(record=record).count() == 2
    with pytest.raises(ValidationError, match="二选一"):
        pairing_add(
            actor=cast.township_a_admin, record=record, mentor_kind="village_cadre", post="x", start=D(2024, 5, 1)
        )
    with pytest.raises(ValidationError, match="已与此后备干部结对"):
        pairing_add(
            actor=cast.township_a_admin,
            record=record,
            mentor_user=cast.mentor,
            mentor_kind="township_leader",
            post="副镇长",
            start=D(2024, 6, 1),
        )


def test_pairing_refuses_a_user_who_is_not_a_mentor_here(cast):
    record = open_record(cast, make_person(cast.village_a1))
    with pytest.raises(ValidationError, match="不是本乡镇或本村的帮带干部"):
        pairing_add(
            actor=cast.township_a_admin,
            record=record,
            mentor_user=cast.township_b_admin,
            mentor_kind="township_leader",
            post="书记",
            start=D(2024, 5, 1),
        )


def test_closing_a_record_ends_its_placement_and_pairings(client, cast):
    record = open_record(cast, make_person(cast.village_a1))
    pairing_add(
        actor=cast.township_a_admin,
        record=record,
        mentor_user=cast.mentor,
        mentor_kind="township_leader",
        post="副镇长",
        start=D(2024, 5, 1),
    )
    client.force_login(cast.township_a_staff)
    r = client.post(reverse("record_close", args=[record.pk]), {"ended_on": "2025-01-10", "reason": "本人申请退出"})
    assert r.status_code == 302
    record.refresh_from_db()
    assert (record.status, str(record.ended_on)) == ("exited", "2025-01-10")
    assert record.placements.get().end == D(2025, 1, 10)
    assert record.pairings.get().end == D(2025, 1, 10)
    again = client.post(reverse("record_close", args=[record.pk]), {"ended_on": "2025-01-11", "reason": "x"})
    assert "已出库" in again.content.decode()
