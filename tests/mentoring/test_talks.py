"""Talks (谈心谈话): bulk participants for the township, the mentor's own talks, refusals that write nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from mentoring import services
from mentoring.models import Talk, TalkParticipant
from org.models import AuditLog
from reserves.models import MentorPairing
from tests.conftest import make_person, make_record

D = datetime.date
TODAY = D(2026, 11, 22)
MARCH_5 = D(2026, 3, 5)


def talk(actor, records, kind="collective", date=MARCH_5, notes="集体谈话：讲政策、谈要求", **kw):
    kw.setdefault("held_by_name", "" if "held_by_user" in kw else "刘书记")
    return services.talk_create(actor=actor, kind=kind, date=date, records=records, notes=notes, today=TODAY, **kw)


def refused(actor, records, **kw):
    counts = (Talk.objects.count(), TalkParticipant.objects.count(), AuditLog.objects.count())
    with pytest.raises(ValidationError) as exc:
        talk(actor, records, **kw)
    assert (Talk.objects.count(), TalkParticipant.objects.count(), AuditLog.objects.count()) == counts
    return " ".join(exc.value.messages)


def test_township_records_one_collective_talk_with_many_participants(cast, people):
    records = [people["a1"], people["a2"], people["a3"]]
    t = talk(cast.township_a_admin, records, held_by_post="街道党工委书记")
    assert t.unit == cast.township_a and t.held_by_label == "刘书记 街道党工委书记"
    assert set(t.records.all()) == set(records)
    log = AuditLog.objects.get(action="mentoring.talk_create")
    assert log.changes["participants"] == 3 and log.changes["kind"] == "集体谈话"
    assert AuditLog.objects.filter(action="mentoring.talk_participant").count() == 3


def test_the_holder_can_be_an_account(cast, people):
    t = talk(cast.township_a_admin, [people["a1"]], kind="full_coverage", held_by_user=cast.township_a_admin)
    assert t.held_by_label == "青竹书记"


def test_participants_of_two_townships_are_refused(cast, people):
    message = refused(cast.county_admin, [people["a1"], people["b1"]])
    assert message == "一次谈话的对象须属于同一乡镇（街道）。"


def test_township_b_cannot_record_for_township_a(cast, people):
    assert refused(cast.township_b_admin, [people["a1"]]) == "您无权为这些后备干部登记谈话。"


def test_village_secretary_records_ordinary_talks_with_their_own_villages_reserves(cast, people):
    """QL §15: the village party secretary "开展经常性谈心谈话" with the village's reserves, and holds them."""
    t = talk(cast.village_secretary, [people["a1"]], kind="regular", held_by_name="", held_by_post="村党支部书记")
    assert t.kind == "regular" and t.get_kind_display() == "经常性谈心谈话"
    assert t.held_by_user == cast.village_secretary and t.unit == cast.township_a
    assert AuditLog.objects.filter(action="mentoring.talk_create", actor=cast.village_secretary).exists()
    assert services.can_delete_talk(cast.village_secretary, t)


def test_village_secretary_cannot_record_another_villages_reserves(cast, people):
    for other in (people["a2"], people["b1"]):
        message = refused(cast.village_secretary, [other], kind="regular", held_by_name="")
        assert message == "您无权为这些后备干部登记谈话。"
    message = refused(cast.village_secretary, [people["a1"], people["a2"]], kind="regular", held_by_name="")
    assert message == "您无权为这些后备干部登记谈话。"


@pytest.mark.parametrize("kind", ["full_coverage", "half_yearly", "collective", "mentor", "monthly"])
def test_village_secretary_cannot_record_the_townships_or_mentors_talks(cast, people, kind):
    message = refused(cast.village_secretary, [people["a1"]], kind=kind, held_by_name="")
    assert message == "村（社区）党组织书记只能登记经常性谈心谈话。"


def test_village_secretary_records_only_their_own_talks(cast, people):
    message = refused(cast.village_secretary, [people["a1"]], kind="regular", held_by_user=cast.township_a_admin)
    assert message == "村（社区）党组织书记只能登记本人的谈话。"


def test_village_secretary_cannot_delete_the_townships_talk(cast, people):
    township = talk(cast.township_a_admin, [people["a1"]], kind="full_coverage")
    assert not services.can_delete_talk(cast.village_secretary, township)
    with pytest.raises(ValidationError):
        services.talk_delete(actor=cast.village_secretary, talk=township, reason="x")


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"date": D(2026, 11, 23)}, "谈话日期不能晚于今天。"),
        ({"notes": "  "}, "请填写谈话内容。"),
        ({"kind": "chat"}, "请选择谈话类型。"),
        ({"held_by_name": ""}, "请选择谈话人账号，或填写谈话人姓名。"),
        ({"held_by_name": "刘书记", "held_by_user": "ta_admin"}, "谈话人请选择账号或填写姓名，二选一。"),
    ],
)
def test_bad_input_is_refused_in_chinese(cast, people, kw, message):
    if kw.get("held_by_user") == "ta_admin":
        kw["held_by_user"] = cast.township_a_admin
    assert refused(cast.township_a_admin, [people["a1"]], **kw) == message


def test_no_participants_is_refused(cast):
    assert refused(cast.township_a_admin, []) == "请至少选择一名谈话对象。"


def test_a_participant_not_in_the_pool_on_the_talk_date_is_refused(cast, people):
    late = make_record(make_person(cast.village_a1, name="新人"), entered=D(2026, 6, 1))
    message = refused(cast.township_a_admin, [people["a1"], late], date=D(2026, 5, 31))
    assert message == "新人在2026年5月31日不在库，不能作为谈话对象。"
    talk(cast.township_a_admin, [people["a1"], late], date=D(2026, 6, 1))


def test_a_mentor_records_their_own_talk_with_a_paired_reserve(cast, people):
    t = talk(cast.mentor, [people["a1"]], kind="mentor", held_by_name="")
    assert t.held_by_user == cast.mentor and t.unit == cast.township_a


def test_a_mentor_cannot_record_for_a_reserve_not_paired_with_them(cast, people):
    message = refused(cast.mentor, [people["a1"], people["a2"]], kind="monthly", held_by_name="")
    assert message == "王甘在谈话日期未与您结对。"


def test_a_mentor_cannot_record_township_talk_kinds(cast, people):
    message = refused(cast.mentor, [people["a1"]], kind="collective", held_by_name="")
    assert message == "帮带干部只能登记导师谈心谈话、每月了解情况。"


def test_a_mentor_talk_before_the_pairing_started_is_refused(cast, people):
    MentorPairing.objects.create(
        record=people["a2"], mentor_user=cast.mentor, mentor_kind="township_leader", post="副镇长", start=D(2026, 4, 1)
    )
    message = refused(cast.mentor, [people["a2"]], kind="mentor", date=D(2026, 3, 31), held_by_name="")
    assert message == "王甘在谈话日期未与您结对。"
    talk(cast.mentor, [people["a2"]], kind="mentor", date=D(2026, 4, 1), held_by_name="")


def test_delete_needs_a_reason_and_is_audited(cast, people):
    t = talk(cast.township_a_admin, [people["a1"], people["a2"]])
    with pytest.raises(ValidationError):
        services.talk_delete(actor=cast.township_a_admin, talk=t, reason=" ")
    with pytest.raises(ValidationError):
        services.talk_delete(actor=cast.township_b_admin, talk=t, reason="误录")
    assert Talk.objects.filter(pk=t.pk).exists()
    services.talk_delete(actor=cast.township_a_staff, talk=t, reason="误录")
    assert not Talk.objects.exists() and not TalkParticipant.objects.exists()
    log = AuditLog.objects.get(action="mentoring.talk_delete")
    assert log.changes["reason"] == "误录" and log.changes["participants"] in ("李兰、王甘", "王甘、李兰")


def test_a_mentor_deletes_only_their_own_talks(cast, people):
    own = talk(cast.mentor, [people["a1"]], kind="mentor", held_by_name="")
    township = talk(cast.township_a_admin, [people["a1"]])
    with pytest.raises(ValidationError):
        services.talk_delete(actor=cast.mentor, talk=township, reason="x")
    services.talk_delete(actor=cast.mentor, talk=own, reason="重复登记")
    assert list(Talk.objects.all()) == [township]
