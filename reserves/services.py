"""Writes on people, reserve records, placements and mentor pairings. Keyword-only, atomic, audited here."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from org import roles
from org.audit import audit, audit_many, diff, snapshot
from org.models import OrgUnit
from org.scope import get_scope
from org.services import unit_close_into
from reserves import choices as C
from reserves.eligibility import check_eligibility
from reserves.identity import birth_date_of, sex_of, validate_id
from reserves.models import MentorPairing, Person, ReservePlacement, ReserveRecord
from reserves.policy import county_of, policy_in_force

DUPLICATE_ID_MESSAGE = "该身份证号已在系统中登记，请联系县委组织部"

PERSON_FIELDS = Person.EDITABLE_FIELDS


def _require(actor, perm: str, unit: OrgUnit, message: str):
    if not get_scope(actor).has(perm, unit):
        raise ValidationError(message)


def _check_person_consistency(person: Person):
    if person.political_status not in C.PARTY_STATUSES and person.party_joined:
        raise ValidationError({"party_joined": "只有中共党员（含预备党员）才填写入党时间。"})
    if person.party_joined and person.party_joined < person.birth_date:
        raise ValidationError({"party_joined": "入党时间不能早于出生日期。"})
    if person.work_started and person.work_started < person.birth_date:
        raise ValidationError({"work_started": "参加工作时间不能早于出生日期。"})
    if person.source_group == C.SOURCE_OTHER and not person.source_group_other.strip():
        raise ValidationError({"source_group_other": "身份选择“其他”时，请填写具体身份。"})
    if not person.village.is_village:
        raise ValidationError({"village": "请选择村（社区）。"})


@transaction.atomic
def person_create(*, actor, data: dict, request=None, perm: str = roles.EDIT_PEOPLE) -> Person:
    """Register a person. Selection passes perm=NOMINATE so a village secretary can enter a new nominee."""
    person = Person(**data, created_by=actor)
    _require(actor, perm, person.village, "您无权在该村（社区）登记人员。")
    person.id_number = validate_id(person.id_number)
    person.birth_date, person.sex = birth_date_of(person.id_number), sex_of(person.id_number)
    _check_person_consistency(person)
    if Person.objects.filter(id_number=person.id_number).exists():
        raise ValidationError({"id_number": DUPLICATE_ID_MESSAGE})
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Two clerks registering the same number at once: the loser gets the same message.
        raise ValidationError({"id_number": DUPLICATE_ID_MESSAGE}) from None
    audit(
        actor,
        "person.create",
        person,
        unit=person.village,
        changes={k: v for k, v in diff(person, {}, PERSON_FIELDS).items() if v[1] not in (None, "")},
        request=request,
    )
    return person


@transaction.atomic
def person_update(*, actor, person: Person, data: dict, request=None) -> Person:
    person = Person.objects.select_for_update().select_related("village").get(pk=person.pk)
    _require(actor, roles.EDIT_PEOPLE, person.village, "您无权修改该人员。")
    before = snapshot(person, PERSON_FIELDS)
    for key, value in data.items():
        setattr(person, key, value)
    _require(actor, roles.EDIT_PEOPLE, person.village, "您无权把人员调整到该村（社区）。")
    person.id_number = validate_id(person.id_number)
    person.birth_date, person.sex = birth_date_of(person.id_number), sex_of(person.id_number)
    _check_person_consistency(person)
    if Person.objects.filter(id_number=person.id_number).exclude(pk=person.pk).exists():
        raise ValidationError({"id_number": DUPLICATE_ID_MESSAGE})
    changes = diff(person, before, PERSON_FIELDS)
    if not changes:
        return person
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise ValidationError({"id_number": DUPLICATE_ID_MESSAGE}) from None
    audit(actor, "person.update", person, unit=person.village, changes=changes, request=request)
    return person


def person_reveal(*, actor, person: Person, field: str, request=None) -> str:
    """The unmasked value, for roles allowed to see it; every reveal is audited."""
    if field not in {"id_number", "phone"}:
        raise ValidationError("不支持显示该字段。")
    _require(actor, roles.REVEAL, person.village, "您无权查看完整信息。")
    audit(actor, "person.reveal", person, unit=person.village, changes={"field": field}, request=request)
    return getattr(person, field)


def person_lookup_by_id(*, actor, raw_id: str, request=None) -> Person | None:
    """County staff look a number up within their county; the look-up is audited whether found or not."""
    scope = get_scope(actor)
    if not scope.has(roles.LOOKUP_ID):
        raise ValidationError("您无权按身份证号查询。")
    number = validate_id(raw_id)
    person = (
        Person.objects.filter(scope.q(roles.LOOKUP_ID, "village__code"), id_number=number)
        .select_related("village__parent")
        .first()
    )
    audit(
        actor,
        "person.lookup",
        person,
        changes={"id_number": number, "found": person is not None},
        request=request,
        object_repr=person.name if person else "（未找到）",
        unit_code=scope.prefixes(roles.LOOKUP_ID)[0],
    )
    return person


def eligibility_for(person: Person, village: OrgUnit, on: datetime.date, checklist=None):
    county = county_of(village)
    policy = policy_in_force(county, on) if county else None
    return check_eligibility(person, policy, on=on, checklist=checklist)


@transaction.atomic
def record_open(
    *,
    actor,
    person: Person,
    reserve_type: str,
    village: OrgUnit,
    entered_on: datetime.date,
    entry_method: str,
    entry_reason: str = "",
    override_reason: str = "",
    checklist=None,
    request=None,
) -> ReserveRecord:
    """Put a person into the pool. Used by manual entry now and by the selection and import flows later."""
    _require(actor, roles.EDIT_PEOPLE, village, "您无权在该村（社区）录入后备干部。")
    if not village.is_village:
        raise ValidationError({"village": "请选择村（社区）。"})
    if reserve_type not in dict(C.RESERVE_TYPE_CHOICES):
        raise ValidationError({"reserve_type": "请选择后备干部类型。"})
    if entry_method not in dict(C.ENTRY_CHOICES):
        raise ValidationError({"entry_method": "请选择入库方式。"})
    if entry_method == C.ENTRY_MANUAL and not entry_reason.strip():
        raise ValidationError({"entry_reason": "手工录入须说明理由（如：系统启用前已在库）。"})
    if entered_on > datetime.date.today():
        raise ValidationError({"entered_on": "入库日期不能晚于今天。"})
    if entered_on < person.birth_date:
        raise ValidationError({"entered_on": "入库日期不能早于出生日期。"})
    if village.valid_from > entered_on or (village.valid_to and village.valid_to <= entered_on):
        raise ValidationError({"village": "该村（社区）在入库日期不存在。"})
    # Lock the person so two clicks cannot open two records of one type.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if ReserveRecord.objects.filter(person=person, reserve_type=reserve_type, ended_on__isnull=True).exists():
        raise ValidationError(
            {"reserve_type": f"该人员已有一条在库的“{dict(C.RESERVE_TYPE_CHOICES)[reserve_type]}”记录。"}
        )
    result = eligibility_for(person, village, entered_on, checklist)
    if result.failures and not override_reason.strip():
        reasons = "；".join(f"{c.label}：{c.reason}" for c in result.failures)
        raise ValidationError({"override_reason": f"资格条件不符合（{reasons}）。如确需入库，请填写例外理由。"})
    record = ReserveRecord(
        person=person,
        reserve_type=reserve_type,
        village=village,
        entered_on=entered_on,
        entry_method=entry_method,
        entry_reason=entry_reason.strip(),
        policy_id=result.policy_id,
        eligibility=result.as_json(),
        eligibility_override=override_reason.strip(),
        created_by=actor,
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationError({"reserve_type": "该人员已有一条同类型的在库记录。"}) from None
    ReservePlacement.objects.create(record=record, village=village, start=entered_on, reason="entry")
    audit(
        actor,
        "record.open",
        record,
        unit=village,
        request=request,
        changes={
            "reserve_type": record.get_reserve_type_display(),
            "village": village.name,
            "entered_on": str(entered_on),
            "entry_method": record.get_entry_method_display(),
            "override": override_reason.strip(),
        },
    )
    return record


@transaction.atomic
def record_note_set(*, actor, record: ReserveRecord, note: str, request=None) -> ReserveRecord:
    """The record's own 备注 (printed in the 名册's last column)."""
    _require(actor, roles.EDIT_PEOPLE, record.village, "您无权修改该记录。")
    note = " ".join(note.split())[:200]
    record = ReserveRecord.objects.select_for_update().get(pk=record.pk)
    if record.note == note:
        return record
    before, record.note = record.note, note
    record.save(update_fields=["note"])
    audit(actor, "record.note", record, unit=record.village, request=request, changes={"备注": [before, note]})
    return record


@transaction.atomic
def record_close(
    *, actor, record: ReserveRecord, status: str, ended_on: datetime.date, reason: str, request=None
) -> ReserveRecord:
    """End a record (removed / used / exited). The removal and use chains call this once approved and filed."""
    record = ReserveRecord.objects.select_for_update().select_related("person", "village").get(pk=record.pk)
    _require(actor, roles.EDIT_PEOPLE, record.village, "您无权结束该记录。")
    if record.ended_on is not None:
        raise ValidationError("该记录已出库，不能重复操作。")
    if status not in {C.STATUS_REMOVED, C.STATUS_USED, C.STATUS_EXITED}:
        raise ValidationError({"status": "请选择出库状态。"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写出库原因。"})
    if ended_on < record.entered_on:
        raise ValidationError({"ended_on": "出库日期不能早于入库日期。"})
    if ended_on > datetime.date.today():
        raise ValidationError({"ended_on": "出库日期不能晚于今天。"})
    record.status, record.ended_on, record.end_reason = status, ended_on, reason.strip()
    record.save(update_fields=["status", "ended_on", "end_reason"])
    ReservePlacement.objects.filter(record=record, end__isnull=True).update(end=ended_on)
    MentorPairing.objects.filter(record=record, end__isnull=True).update(end=ended_on)
    audit(
        actor,
        "record.close",
        record,
        unit=record.village,
        request=request,
        changes={"status": [C.STATUS_ACTIVE, status], "ended_on": str(ended_on), "reason": reason.strip()},
    )
    return record


def _move(record: ReserveRecord, target: OrgUnit, on: datetime.date, reason: str, note: str):
    current = record.placements.filter(end__isnull=True).first()
    if current is not None:
        if on < current.start:
            raise ValidationError("调动日期不能早于当前所在村的起始日期。")
        if on == current.start:
            current.delete()  # moved on the day it arrived: keep no empty placement
        else:
            current.end = on
            current.save(update_fields=["end"])
    ReservePlacement.objects.create(record=record, village=target, start=on, reason=reason, note=note)
    record.village = target
    record.save(update_fields=["village"])


@transaction.atomic
def record_transfer(
    *, actor, record: ReserveRecord, target: OrgUnit, on: datetime.date, note: str = "", request=None
) -> ReserveRecord:
    """Move an open record (and its person) to another village of the county from `on`. The current placement ends
    and a new one starts, so rosters of earlier dates stay as they were. The approval chain (lifecycle) calls this
    once the move is decided; the actor needs EDIT_PEOPLE on both villages."""
    record = (
        ReserveRecord.objects.select_for_update(of=("self",))
        .select_related("person__village", "village")
        .get(pk=record.pk)
    )
    _require(actor, roles.EDIT_PEOPLE, record.village, "您无权调动该后备干部。")
    _require(actor, roles.EDIT_PEOPLE, target, "您无权把后备干部调入该村（社区）。")
    if record.ended_on is not None:
        raise ValidationError("该记录已出库，不能调动。")
    if not target.is_village or target.valid_to is not None:
        raise ValidationError({"target": "请选择现有的村（社区）。"})
    if target.pk == record.village_id:
        raise ValidationError({"target": "调入村（社区）与现所在村（社区）相同。"})
    if target.code[:6] != record.village.code[:6]:
        raise ValidationError({"target": "只能在本县范围内调动。"})
    if on > datetime.date.today():
        raise ValidationError({"on": "调动日期不能晚于今天。"})
    if on < target.valid_from:
        raise ValidationError({"on": "调入村（社区）在调动日期尚未设立。"})
    source = record.village
    _move(record, target, on, "transfer", note.strip()[:200])
    person = record.person
    moved_person = person.village_id != target.pk
    if moved_person:
        Person.objects.filter(pk=person.pk).update(village=target)
    audit(
        actor,
        "record.move",
        record,
        unit=target,
        request=request,
        changes={"from": source.name, "to": target.name, "on": str(on), "note": note.strip()},
    )
    if moved_person:
        audit(
            actor,
            "person.move",
            person,
            unit=target,
            request=request,
            changes={"village": [person.village.name, target.name]},
        )
    return record


@transaction.atomic
def village_merge(*, actor, source: OrgUnit, target: OrgUnit, on: datetime.date, note: str = "", request=None):
    """Merge village `source` into `target` from `on`: open records and people move, history stays answerable."""
    scope = get_scope(actor)
    if not (source.is_village and target.is_village):
        raise ValidationError("只能合并村（社区）。")
    if not (scope.has(roles.MANAGE_ORG, source) and scope.has(roles.MANAGE_ORG, target)):
        raise ValidationError("您无权合并这两个村（社区）。")
    if source.pk == target.pk:
        raise ValidationError("不能把村（社区）并入自身。")
    if source.valid_to is not None or target.valid_to is not None:
        raise ValidationError("已撤销的村（社区）不能再合并。")
    if on <= source.valid_from or on <= target.valid_from:
        raise ValidationError("合并日期须晚于两村的设立日期。")
    if source.code[:6] != target.code[:6]:
        raise ValidationError("只能合并同一县内的村（社区）。")
    records = list(ReserveRecord.objects.select_for_update().filter(village=source, ended_on__isnull=True))
    for record in records:
        _move(record, target, on, "merge", f"{source.name}并入{target.name}")
    people = list(Person.objects.filter(village=source))
    Person.objects.filter(village=source).update(village=target)
    unit_close_into(unit=source, target=target, on=on)
    audit(
        actor,
        "org.merge",
        source,
        unit=target,
        request=request,
        changes={"into": target.name, "on": str(on), "records_moved": len(records), "note": note},
    )
    audit_many(
        actor, "record.move", [(r, target, {"from": source.name, "to": target.name}) for r in records], request=request
    )
    audit_many(
        actor, "person.move", [(p, target, {"village": [source.name, target.name]}) for p in people], request=request
    )
    return len(records)


@transaction.atomic
def pairing_add(
    *,
    actor,
    record: ReserveRecord,
    mentor_user=None,
    mentor_name: str = "",
    mentor_kind: str,
    post: str,
    start: datetime.date,
    request=None,
) -> MentorPairing:
    record = ReserveRecord.objects.select_for_update().select_related("village", "person").get(pk=record.pk)
    _require(actor, roles.EDIT_PEOPLE, record.village, "您无权为该后备干部安排结对。")
    if record.ended_on is not None:
        raise ValidationError("该记录已出库，不能再结对。")
    mentor_name = mentor_name.strip()
    if (mentor_user is None) == (not mentor_name):
        raise ValidationError("请选择一个帮带干部账号，或填写没有账号的帮带干部姓名（二选一）。")
    if mentor_user is not None:
        township_code = record.village.code[:9]
        ok = (
            mentor_user.is_active
            and mentor_user.memberships.filter(
                role="mentor", unit__code__in=[township_code, record.village.code]
            ).exists()
        )
        if not ok:
            raise ValidationError("所选账号不是本乡镇或本村的帮带干部。")
    if mentor_kind not in dict(C.MENTOR_KIND_CHOICES):
        raise ValidationError({"mentor_kind": "请选择帮带类型。"})
    if not post.strip():
        raise ValidationError({"post": "请填写帮带干部的职务。"})
    if start < record.entered_on:
        raise ValidationError({"start": "结对起始日期不能早于入库日期。"})
    duplicate = MentorPairing.objects.filter(record=record, end__isnull=True)
    duplicate = duplicate.filter(mentor_user=mentor_user) if mentor_user else duplicate.filter(mentor_name=mentor_name)
    if duplicate.exists():
        raise ValidationError("该帮带干部已与此后备干部结对。")
    pairing = MentorPairing.objects.create(
        record=record,
        mentor_user=mentor_user,
        mentor_name=mentor_name,
        mentor_kind=mentor_kind,
        post=post.strip(),
        start=start,
        created_by=actor,
    )
    audit(
        actor,
        "pairing.add",
        record,
        unit=record.village,
        request=request,
        changes={"mentor": pairing.display_name, "kind": pairing.get_mentor_kind_display(), "post": pairing.post},
    )
    return pairing


@transaction.atomic
def pairing_end(*, actor, pairing: MentorPairing, end: datetime.date, request=None) -> MentorPairing:
    pairing = MentorPairing.objects.select_for_update().select_related("record__village").get(pk=pairing.pk)
    _require(actor, roles.EDIT_PEOPLE, pairing.record.village, "您无权调整该结对。")
    if pairing.end is not None:
        raise ValidationError("该结对已结束。")
    if end < pairing.start:
        raise ValidationError("结束日期不能早于结对起始日期。")
    pairing.end = end
    pairing.save(update_fields=["end"])
    audit(
        actor,
        "pairing.end",
        pairing.record,
        unit=pairing.record.village,
        request=request,
        changes={"mentor": pairing.display_name, "end": str(end)},
    )
    return pairing
